package org.icaloflow.track;

import com.fasterxml.jackson.databind.JsonNode;
import org.icaloflow.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Replays journals into an MLflow server, idempotently: runs are found by their
 * {@value MlflowRest#TAG_RUN_UUID} tag (created only when absent), params and tags are sent only
 * when missing, metric points are compared with {@code metrics/get-history} on (key, step,
 * timestamp, value), dataset inputs by (name, digest, context), artifacts already listed with the same size are skipped. So a second sync
 * adds nothing, and a run partially delivered live is completed.
 */
public final class JournalSync {
    /** What one run's sync did. */
    public record Result(Path journal, String runUuid, String runName, String runId, boolean created,
                         int params, int tags, int metrics, int inputs, int artifacts, int missingArtifacts, String status) {
        public boolean changedNothing() {
            return !created && params == 0 && tags == 0 && metrics == 0 && inputs == 0 && artifacts == 0;
        }
    }

    static final java.time.Duration SYNC_TIMEOUT = java.time.Duration.ofSeconds(30);
    private final MlflowRest rest;
    private final Consumer<String> warn;

    /** @throws UserError for a URI that is not http(s) */
    public JournalSync(String trackingUri, Consumer<String> warn) {
        try {
            this.rest = new MlflowRest(trackingUri, SYNC_TIMEOUT);
        } catch (IllegalArgumentException e) {
            throw new UserError("MLflow tracking URI " + trackingUri + " is not supported (only http:// or https://)");
        }
        this.warn = warn;
    }

    /** @throws UserError when the server does not answer {@code GET /health} */
    public void checkReachable() {
        if (!rest.healthy()) {
            throw new UserError("MLflow at " + rest.uri() + " is unreachable; journals stay as they are, sync again later");
        }
    }

    /** The tracking URI recorded in a journal's first run (null if none). */
    public static String recordedUri(Path journal) {
        List<Journal.Run> runs = Journal.read(journal, w -> { });
        return runs.get(0).trackingUri;
    }

    /** Syncs every run of one journal. */
    public List<Result> sync(Path journal) {
        List<Journal.Run> runs = Journal.read(journal, warn);
        List<Result> out = new ArrayList<>();
        for (Journal.Run run : runs) {
            try {
                out.add(syncRun(run));
            } catch (IOException e) {
                throw new UserError("MLflow at " + rest.uri() + " failed while syncing " + journal + " ("
                        + e.getMessage() + "); sync again to complete it", e);
            }
        }
        return out;
    }

    private Result syncRun(Journal.Run run) throws IOException {
        String experiment = run.experiment == null ? TrackingConfig.DEFAULT_EXPERIMENT : run.experiment;
        String expId = rest.getOrCreateExperiment(experiment);
        String parentId = null;
        if (run.session != null) {
            String parentName = run.parentName != null ? run.parentName : new TrackingConfig(null, null, run.session, null).parentRunName();
            parentId = rest.findOrCreateParent(expId, run.session, parentName, run.pipelineStart != null ? run.pipelineStart : run.startTime);
        }
        if (run.isPipeline()) return syncPipelineEnd(run, parentId);
        Map<String, String> wantTags = new LinkedHashMap<>(run.tags);
        wantTags.put(MlflowRest.TAG_RUN_UUID, run.uuid);
        if (parentId != null) wantTags.put(MlflowRest.TAG_PARENT, parentId);

        JsonNode remote = rest.findRunByUuid(expId, run.uuid);
        boolean created = false;
        if (remote == null) {
            remote = rest.createRun(expId, run.runName, run.startTime, wantTags);
            created = true;
        }
        String runId = remote.path("info").path("run_id").asText();
        Map<String, String> haveParams = MlflowRest.keyValues(remote.path("data").path("params"));
        Map<String, String> haveTags = MlflowRest.keyValues(remote.path("data").path("tags"));

        Map<String, String> params = new LinkedHashMap<>();
        run.params.forEach((k, v) -> {
            String have = haveParams.get(k);
            if (have == null) params.put(k, v);
            else if (!have.equals(v)) warn.accept("run " + run.uuid + ": param " + k + " differs on the server; kept the server's value");
        });
        Map<String, String> tags = new LinkedHashMap<>();
        wantTags.forEach((k, v) -> {
            if (!v.equals(haveTags.get(k))) tags.put(k, v);
        });

        List<MlflowRest.Metric> metrics = missingMetrics(run.metrics, runId, created);
        int nParams = params.size(), nTags = tags.size(), nMetrics = metrics.size();
        Batches.send(rest, runId, metrics, params, tags);

        int[] art = syncArtifacts(run, run.artifacts, remote);
        List<DatasetInput> inputs = MlflowRest.missingInputs(remote, run.inputs);
        rest.logInputs(runId, inputs);
        int nInputs = inputs.size();
        if (parentId != null && (!run.parentMetrics.isEmpty() || !run.parentParams.isEmpty() || !run.parentArtifacts.isEmpty()
                || !run.parentInputs.isEmpty())) {
            // the headline numbers of the pipeline, logged by a stage onto the parent: as idempotent as the run's own
            JsonNode parent = rest.getRun(parentId);
            Map<String, String> haveParent = MlflowRest.keyValues(parent.path("data").path("params"));
            Map<String, String> pp = new LinkedHashMap<>();
            run.parentParams.forEach((k, v) -> {
                if (!haveParent.containsKey(k)) pp.put(k, v);
            });
            List<MlflowRest.Metric> pm = missingMetrics(run.parentMetrics, parentId, false);
            nParams += pp.size();
            nMetrics += pm.size();
            Batches.send(rest, parentId, pm, pp, new LinkedHashMap<>());
            List<DatasetInput> pi = MlflowRest.missingInputs(parent, run.parentInputs);
            rest.logInputs(parentId, pi);
            nInputs += pi.size();
            int[] pa = syncArtifacts(run, run.parentArtifacts, parent);
            art[0] += pa[0];
            art[1] += pa[1];
        }

        String status = remote.path("info").path("status").asText();
        boolean hasEnd = remote.path("info").hasNonNull("end_time") && remote.path("info").path("end_time").asLong() > 0;
        if (run.endStatus != null) {
            if (!run.endStatus.equals(status) || !hasEnd) {
                rest.updateRun(runId, run.endStatus, run.endTime);
                status = run.endStatus;
            }
        } else {
            warn.accept("journal " + run.journal + ": run " + (run.runName == null ? run.uuid : run.runName)
                    + " has no end (still running, or crashed); left as " + status);
        }
        return new Result(run.journal, run.uuid, run.runName, runId, created, nParams, nTags, nMetrics, nInputs,
                art[0], art[1], status);
    }

    /** The pipeline's own record: the parent's status and end time, no child run. */
    private Result syncPipelineEnd(Journal.Run run, String parentId) throws IOException {
        if (parentId == null) {
            warn.accept("journal " + run.journal + ": a pipeline record without a session; skipped");
            return new Result(run.journal, run.uuid, run.runName, null, false, 0, 0, 0, 0, 0, 0, null);
        }
        JsonNode info = rest.getRun(parentId).path("info");
        String status = info.path("status").asText();
        long end = info.path("end_time").asLong(0);
        boolean changed = false;
        if (run.endStatus != null && (!run.endStatus.equals(status) || run.endTime == null || end != run.endTime)) {
            rest.updateRun(parentId, run.endStatus, run.endTime);
            status = run.endStatus;
            changed = true;
        }
        return new Result(run.journal, run.uuid, run.runName, parentId, false, 0, changed ? 1 : 0, 0, 0, 0, 0, status);
    }

    /** Journal metric points not yet on the server, in journal order, without duplicates. */
    private List<MlflowRest.Metric> missingMetrics(List<MlflowRest.Metric> journalMetrics, String runId, boolean created) throws IOException {
        Map<String, Set<List<Object>>> seen = new HashMap<>();
        List<MlflowRest.Metric> out = new ArrayList<>();
        for (MlflowRest.Metric m : journalMetrics) {
            Set<List<Object>> have = seen.get(m.key());
            if (have == null) {
                have = new HashSet<>();
                if (!created) {
                    for (MlflowRest.Metric h : rest.metricHistory(runId, m.key())) have.add(identity(h));
                }
                seen.put(m.key(), have);
            }
            if (have.add(identity(m))) out.add(m);
        }
        return out;
    }

    /** (step, timestamp, value) as MLflow stores it: infinities are kept as ±Double.MAX_VALUE. */
    private static List<Object> identity(MlflowRest.Metric m) {
        double v = m.value();
        if (v == Double.POSITIVE_INFINITY) v = Double.MAX_VALUE;
        if (v == Double.NEGATIVE_INFINITY) v = -Double.MAX_VALUE;
        return List.of(m.step(), m.timestamp(), Double.doubleToLongBits(v));
    }

    /** Uploads missing artifacts; returns {uploaded, missing locally}. */
    private int[] syncArtifacts(Journal.Run run, List<Journal.Artifact> artifacts, JsonNode remote) throws IOException {
        if (artifacts.isEmpty()) return new int[]{0, 0};
        String root = MlflowRest.proxyRoot(remote.path("info").path("artifact_uri").asText(null));
        if (root == null) {
            warn.accept("MLflow at " + rest.uri() + " does not serve artifacts of run " + run.uuid
                    + " (artifact_uri " + remote.path("info").path("artifact_uri").asText() + "); "
                    + artifacts.size() + " artifact(s) not synced");
            return new int[]{0, artifacts.size()};
        }
        Map<String, Map<String, Long>> listings = new HashMap<>();
        Map<String, Path> latest = new LinkedHashMap<>(); // the same artifact path logged twice: last wins
        int missing = 0;
        for (Journal.Artifact a : artifacts) {
            Path local = a.resolve(run.journal);
            if (local == null) {
                warn.accept("journal " + run.journal + ": artifact " + (a.relPath() != null ? a.relPath() : a.absPath())
                        + " no longer exists; skipped");
                missing++;
                continue;
            }
            latest.put(a.artifactPath(), local);
        }
        int uploaded = 0;
        for (Map.Entry<String, Path> e : latest.entrySet()) {
            String path = e.getKey();
            int slash = path.lastIndexOf('/');
            String dir = slash < 0 ? "" : path.substring(0, slash);
            String name = path.substring(slash + 1);
            Map<String, Long> listing = listings.get(dir);
            if (listing == null) {
                listing = new HashMap<>();
                for (MlflowRest.FileInfo f : rest.listArtifacts(root, dir)) {
                    String n = f.path().substring(f.path().lastIndexOf('/') + 1);
                    if (!f.isDir()) listing.put(n, f.size());
                }
                listings.put(dir, listing);
            }
            Long have = listing.get(name);
            if (have != null && have == Files.size(e.getValue())) continue;
            rest.uploadArtifact(root, path, e.getValue());
            uploaded++;
        }
        return new int[]{uploaded, missing};
    }
}
