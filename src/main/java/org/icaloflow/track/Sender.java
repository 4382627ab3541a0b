package org.icaloflow.track;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Live delivery of one run's events to the MLflow server, on its own daemon thread so the training
 * loop never waits for the network. Events are batched into {@code runs/log-batch} calls (at most
 * one call per second unless 1000 metrics are waiting). The first failure of any kind turns the
 * sender off for the rest of the run (one warning line, no retries): the journal already holds every
 * event and {@code icaloflow mlflow sync} delivers the rest later.
 */
final class Sender implements Runnable {
    static final int QUEUE_CAPACITY = 200_000;
    static final long WINDOW_MS = 1000;

    record Param(Map<String, String> values) {}
    record Tag(String key, String value) {}
    record Artifact(Path file, String artifactPath) {}
    record End(String status, long endTime) {}
    record ParentMetric(MlflowRest.Metric metric) {}
    record ParentParams(Map<String, String> values) {}
    record ParentArtifact(Artifact artifact) {}
    record Input(DatasetInput input) {}
    record ParentInput(DatasetInput input) {}

    private final MlflowRest rest;
    private final TrackingConfig cfg;
    private final String runName;
    private final long startTime;
    private final Map<String, String> tags;
    private final Path journal;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private volatile boolean offline;
    private volatile String runId;
    private boolean warnedArtifacts;

    Sender(MlflowRest rest, TrackingConfig cfg, String runName, long startTime, Map<String, String> tags, Path journal) {
        this.rest = rest;
        this.cfg = cfg;
        this.runName = runName;
        this.startTime = startTime;
        this.tags = new LinkedHashMap<>(tags);
        this.journal = journal;
        this.thread = new Thread(this, "icaloflow-mlflow-sender");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean offline() {
        return offline;
    }

    String runId() {
        return runId;
    }

    /** Queues an event for delivery; never blocks. */
    void offer(Object event) {
        if (offline) return;
        if (!queue.offer(event)) goOffline("cannot keep up (" + QUEUE_CAPACITY + " events waiting)");
    }

    /** Waits up to {@code millis} for delivery to end; gives up (offline) after that. */
    void await(long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) goOffline("too slow (delivery unfinished after " + millis / 1000 + " s)");
    }

    @Override
    public void run() {
        try {
            String expId = rest.getOrCreateExperiment(cfg.experiment());
            String parentId = null;
            if (cfg.sessionId() != null) {
                // the parent starts with the pipeline; its status and end are the pipeline's (icaloflow mlflow
                // end-pipeline), never a stage's: stages of one pipeline start and end in any order
                parentId = rest.findOrCreateParent(expId, cfg.sessionId(), cfg.parentRunName(),
                        cfg.pipelineStart() != null ? cfg.pipelineStart() : startTime);
                tags.put(MlflowRest.TAG_PARENT, parentId);
            }
            JsonNode run = rest.createRun(expId, runName, startTime, tags);
            runId = run.path("info").path("run_id").asText();
            String root = MlflowRest.proxyRoot(run.path("info").path("artifact_uri").asText(null));
            loop(root, parentId);
        } catch (IOException | RuntimeException e) {
            goOffline(e);
        }
    }

    private void loop(String artifactRoot, String parentId) throws IOException {
        List<MlflowRest.Metric> metrics = new ArrayList<>(), parentMetrics = new ArrayList<>();
        Map<String, String> params = new LinkedHashMap<>(), parentParams = new LinkedHashMap<>();
        Map<String, String> tagBatch = new LinkedHashMap<>();
        String parentRoot = null;
        while (!offline) {
            Object first;
            try {
                first = queue.poll(WINDOW_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first == null) continue;
            List<Object> events = new ArrayList<>();
            events.add(first);
            long deadline = System.currentTimeMillis() + WINDOW_MS;
            // gather a window's worth of events, unless the run is ending or a full batch waits
            while (!(events.get(events.size() - 1) instanceof End) && queue.size() < Batches.MAX_METRICS) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) break;
                Object e;
                try {
                    e = queue.poll(left, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ex) {
                    return;
                }
                if (e == null) break;
                events.add(e);
            }
            queue.drainTo(events, Batches.MAX_METRICS * 4);
            for (Object e : events) {
                if (offline) return;
                if (e instanceof MlflowRest.Metric m) {
                    metrics.add(m);
                } else if (e instanceof Param p) {
                    params.putAll(p.values());
                } else if (e instanceof Tag t) {
                    tagBatch.put(t.key(), t.value());
                } else if (e instanceof Artifact a) {
                    Batches.send(rest, runId, metrics, params, tagBatch);
                    uploadArtifact(artifactRoot, a);
                } else if (e instanceof Input in) {
                    List<DatasetInput> missing = MlflowRest.missingInputs(rest.getRun(runId), List.of(in.input()));
                    rest.logInputs(runId, missing);
                } else if (e instanceof ParentInput pin) {
                    if (parentId != null) rest.logInputs(parentId, MlflowRest.missingInputs(rest.getRun(parentId), List.of(pin.input())));
                } else if (e instanceof ParentMetric pm) {
                    if (parentId != null) parentMetrics.add(pm.metric());
                } else if (e instanceof ParentParams pp) {
                    if (parentId != null) parentParams.putAll(pp.values());
                } else if (e instanceof ParentArtifact pa) {
                    if (parentId != null) {
                        sendParent(parentId, parentMetrics, parentParams);
                        if (parentRoot == null)
                            parentRoot = MlflowRest.proxyRoot(rest.getRun(parentId).path("info").path("artifact_uri").asText(null));
                        uploadArtifact(parentRoot, pa.artifact());
                    }
                } else if (e instanceof End end) {
                    Batches.send(rest, runId, metrics, params, tagBatch);
                    if (parentId != null) sendParent(parentId, parentMetrics, parentParams);
                    rest.updateRun(runId, end.status(), end.endTime());
                    return;
                }
            }
            Batches.send(rest, runId, metrics, params, tagBatch);
            if (parentId != null) sendParent(parentId, parentMetrics, parentParams);
        }
    }

    /**
     * The parent's metrics and params. A param the parent already has (a resumed pipeline re-running a stage) is not
     * sent again: MLflow params cannot change, and a rejected batch would stop this run's live delivery.
     */
    private void sendParent(String parentId, List<MlflowRest.Metric> metrics, Map<String, String> params) throws IOException {
        if (!params.isEmpty()) {
            Map<String, String> have = MlflowRest.keyValues(rest.getRun(parentId).path("data").path("params"));
            params.keySet().removeAll(have.keySet());
        }
        Batches.send(rest, parentId, metrics, params, new LinkedHashMap<>());
    }

    private void uploadArtifact(String root, Artifact a) throws IOException {
        if (root == null) {
            if (!warnedArtifacts) {
                warnedArtifacts = true;
                Tracker.warn("MLflow at " + rest.uri() + " does not serve this run's artifacts "
                        + "(start it with --serve-artifacts); artifacts stay listed in " + journal);
            }
            return;
        }
        if (!Files.isRegularFile(a.file())) return; // gone meanwhile; sync reports it
        rest.uploadArtifact(root, a.artifactPath(), a.file());
    }

    private void goOffline(Throwable e) {
        String detail = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : e.getMessage().strip().lines().findFirst().orElse("");
        goOffline((e instanceof MlflowRest.ServerError ? "rejected a request (" : "unreachable (") + detail + ")");
    }

    private synchronized void goOffline(String what) {
        if (offline) return;
        offline = true;
        queue.clear();
        Tracker.warn("MLflow at " + rest.uri() + " " + what + "; events kept in " + journal
                + ", replay with: icaloflow mlflow sync --tracking-uri " + rest.uri() + " " + journal);
    }
}
