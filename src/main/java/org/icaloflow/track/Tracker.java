package org.icaloflow.track;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.icaloflow.BuildInfo;
import org.icaloflow.data.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tracks one stage run: every event goes to a JSONL journal beside the stage's outputs and, when a
 * tracking URI is configured, also live to the MLflow server (batched, on a background thread).
 * The run is nested under the pipeline's parent run (found or created by its session tag).
 *
 * <p>Tracking never fails or stalls the stage: if the server is unreachable at start or goes away
 * later, one warning line is printed, live delivery stops for this run, and
 * {@code icaloflow mlflow sync JOURNAL} delivers everything later. Journal lines are flushed at once,
 * metrics at least once a second. A JVM that exits before the run ended (scheduler SIGTERM, a stray
 * {@code System.exit}) records the run as KILLED from a shutdown hook.
 *
 * <pre>{@code
 * try (Tracker t = Tracker.start(cfg, outDir.resolve("run.journal.jsonl"), "train-flow1",
 *         Map.of(Tags.STAGE, "train", Tags.FLOW, "flow1"))) {
 *     t.logParams(resolvedConfig);
 *     for (...) t.logMetric("loss", loss, step);
 *     t.logArtifact(configFile, null);
 * } // close() = finish() unless fail() was called
 * }</pre>
 * Methods are thread-safe. Misuse after the run ended is ignored.
 */
public final class Tracker implements AutoCloseable {
    static final long FLUSH_MS = 1000;
    static final long FINISH_WAIT_MS = 15_000;
    static final long SHUTDOWN_WAIT_MS = 2_000;
    private static final ScheduledExecutorService FLUSHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "icaloflow-journal-flush");
        t.setDaemon(true);
        return t;
    });
    static volatile Consumer<String> warnings = msg -> {
        System.err.println("icaloflow: warning: " + msg);
        System.err.flush();
    };

    private final Journal.Writer journal;
    private final Sender sender;
    private final String runUuid;
    private final Map<String, String> params = new HashMap<>();
    private final ScheduledFuture<?> flushTask;
    private final Thread shutdownHook;
    private boolean ended;
    private boolean journalBroken;
    private boolean journalClosed;

    private Tracker(Journal.Writer journal, Sender sender, String runUuid) {
        this.journal = journal;
        this.sender = sender;
        this.runUuid = runUuid;
        if (journal != null) {
            flushTask = FLUSHER.scheduleWithFixedDelay(this::flush, FLUSH_MS, FLUSH_MS, TimeUnit.MILLISECONDS);
            shutdownHook = new Thread(this::onShutdown, "icaloflow-tracker-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } else {
            flushTask = null;
            shutdownHook = null;
        }
    }

    static void warn(String msg) {
        warnings.accept(msg);
    }

    /** A tracker that records nothing (tests, tracking switched off). */
    public static Tracker noop() {
        return new Tracker(null, null, "noop");
    }

    /**
     * Starts a stage run. Returns at once: the server is contacted on a background thread.
     *
     * @param journal JSONL file to append the run's events to (created with its folders)
     * @param runName MLflow run name, e.g. {@code train-flow1}
     * @param tags    initial tags (see {@link Tags}); git commit, host, session and run uuid are added
     */
    public static Tracker start(TrackingConfig cfg, Path journal, String runName, Map<String, String> tags) {
        java.util.Objects.requireNonNull(cfg, "cfg");
        java.util.Objects.requireNonNull(journal, "journal");
        String uuid = UUID.randomUUID().toString();
        long now = System.currentTimeMillis();
        Map<String, String> all = new LinkedHashMap<>();
        all.put(Tags.GIT_COMMIT, BuildInfo.commit());
        all.put(Tags.HOST, Keys.hostName());
        all.put("mlflow.source.name", "icaloflow");
        all.put("mlflow.source.type", "JOB");
        String commit = BuildInfo.commit();
        if (!"unknown".equals(commit)) all.put("mlflow.source.git.commit", commit);
        String user = System.getProperty("user.name");
        if (user != null) all.put("mlflow.user", user);
        if (tags != null) tags.forEach((k, v) -> all.put(Keys.sanitize(k), Keys.truncate(v, Keys.MAX_TAG_VALUE)));
        all.put(MlflowRest.TAG_RUN_UUID, uuid);
        all.put(MlflowRest.TAG_ROLE, "stage");
        if (cfg.sessionId() != null) all.put(MlflowRest.TAG_SESSION, cfg.sessionId());

        Path abs = journal.toAbsolutePath().normalize();
        Journal.Writer writer = null;
        try {
            writer = new Journal.Writer(abs);
            ObjectNode ev = event("start").put("v", Journal.VERSION).put("run_uuid", uuid).put("run_name", runName)
                    .put("experiment", cfg.experiment()).put("session", cfg.sessionId())
                    .put("parent_name", cfg.parentRunName()).put("tracking_uri", cfg.trackingUri()).put("start_time", now);
            if (cfg.pipelineStart() != null) ev.put("pipeline_start", cfg.pipelineStart());
            ObjectNode t = ev.putObject("tags");
            all.forEach(t::put);
            writer.write(ev, true);
        } catch (IOException e) {
            warn("cannot write tracking journal " + abs + " (" + e.getMessage() + "); events of this run are not kept");
            writer = null;
        }
        Sender sender = null;
        if (cfg.trackingUri() != null) {
            MlflowRest rest = null;
            try {
                rest = new MlflowRest(cfg.trackingUri());
            } catch (IllegalArgumentException e) {
                warn("MLflow tracking URI " + cfg.trackingUri() + " is not supported (only http:// or https://); "
                        + "events kept in " + abs);
            }
            if (rest != null) {
                sender = new Sender(rest, cfg, runName, now, all, abs);
                sender.start();
            }
        }
        return new Tracker(writer, sender, uuid);
    }

    private static ObjectNode event(String type) {
        return Json.MAPPER.createObjectNode().put("ev", type);
    }

    /** The client-side id of this run (tag {@value MlflowRest#TAG_RUN_UUID}). */
    public String runUuid() {
        return runUuid;
    }

    /** The journal file, or null for {@link #noop()} or an unwritable journal. */
    public Path journal() {
        return journal == null ? null : journal.path;
    }

    /** The MLflow run id once created live, else null (offline, journal only, or not yet created). */
    public String mlflowRunId() {
        return sender == null ? null : sender.runId();
    }

    /** True while live delivery is on. */
    public boolean online() {
        return sender != null && !sender.offline();
    }

    /** Logs a (nested) configuration as params with dotted keys; a key logged before keeps its first value. */
    public synchronized void logParams(Map<String, ?> nested) {
        if (ended || nested == null) return;
        Map<String, String> fresh = new LinkedHashMap<>();
        Keys.flatten(nested).forEach((k, v) -> {
            String old = params.get(k);
            if (old == null) {
                params.put(k, v);
                fresh.put(k, v);
            } else if (!old.equals(v)) {
                warn("param " + k + " was already logged as '" + Keys.truncate(old, 80) + "'; ignoring new value");
            }
        });
        if (fresh.isEmpty()) return;
        ObjectNode ev = event("params");
        ObjectNode p = ev.putObject("params");
        fresh.forEach(p::put);
        write(ev, true);
        if (sender != null) sender.offer(new Sender.Param(fresh));
    }

    public void logParam(String key, Object value) {
        Map<String, Object> m = new HashMap<>();
        m.put(key, value);
        logParams(m);
    }

    /** Logs one metric point (timestamp: now). */
    public synchronized void logMetric(String key, double value, long step) {
        if (ended) return;
        String k = Keys.sanitize(key);
        long ts = System.currentTimeMillis();
        ObjectNode ev = event("metric").put("key", k);
        if (Double.isFinite(value)) ev.put("value", value);
        else ev.put("value", Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        ev.put("step", step).put("ts", ts);
        write(ev, false);
        if (sender != null) sender.offer(new MlflowRest.Metric(k, value, step, ts));
    }

    /** Logs several metrics at one step, e.g. {@code Map.of("loss", l, "lr", lr)}. */
    public synchronized void logMetrics(Map<String, ? extends Number> values, long step) {
        values.forEach((k, v) -> logMetric(k, v.doubleValue(), step));
    }

    public synchronized void setTag(String key, String value) {
        if (ended) return;
        String k = Keys.sanitize(key);
        String v = Keys.truncate(value, Keys.MAX_TAG_VALUE);
        write(event("tag").put("key", k).put("value", v), true);
        if (sender != null) sender.offer(new Sender.Tag(k, v));
    }

    /**
     * Logs a file as an artifact (under {@code artifactDir} in the run's artifacts, null: top level).
     * The journal records its path relative to the journal's folder when possible, so a moved
     * results folder can still be synced; the file must still exist when it is uploaded or synced.
     */
    public synchronized void logArtifact(Path file, String artifactDir) {
        artifact("artifact", file, artifactDir);
    }

    /**
     * Logs headline numbers on the pipeline's parent run (the runs table compares pipeline runs by them), step 0.
     * Ignored without a session (no parent). A key logged twice keeps both points, as MLflow does.
     */
    public synchronized void logParentMetrics(Map<String, ? extends Number> values) {
        if (ended || values == null || values.isEmpty()) return;
        long ts = System.currentTimeMillis();
        for (Map.Entry<String, ? extends Number> e : values.entrySet()) {
            double v = e.getValue().doubleValue();
            if (!Double.isFinite(v)) continue;
            String k = Keys.sanitize(e.getKey());
            write(event("parent_metric").put("key", k).put("value", v).put("step", 0).put("ts", ts), false);
            if (sender != null) sender.offer(new Sender.ParentMetric(new MlflowRest.Metric(k, v, 0, ts)));
        }
        flush();
    }

    /** Logs params on the pipeline's parent run (a key's first value is kept). */
    public synchronized void logParentParams(Map<String, ?> nested) {
        if (ended || nested == null) return;
        Map<String, String> flat = Keys.flatten(nested);
        if (flat.isEmpty()) return;
        ObjectNode ev = event("parent_params");
        ObjectNode p = ev.putObject("params");
        flat.forEach(p::put);
        write(ev, true);
        if (sender != null) sender.offer(new Sender.ParentParams(flat));
    }

    /** Logs a file as an artifact of the pipeline's parent run (e.g. the report). */
    public synchronized void logParentArtifact(Path file, String artifactDir) {
        artifact("parent_artifact", file, artifactDir);
    }

    /**
     * Records a dataset this run used ({@code runs/log-inputs}: the runs table's "Datasets" column), e.g. the training
     * showers with their digest and count. Logged twice, it is kept once.
     */
    public synchronized void logInput(DatasetInput input) {
        input("input", input);
    }

    /** Records a dataset on the pipeline's parent run (what the pipeline run was trained or evaluated on). */
    public synchronized void logParentInput(DatasetInput input) {
        input("parent_input", input);
    }

    private void input(String type, DatasetInput in) {
        if (ended || in == null) return;
        write(event(type).put("name", in.name()).put("digest", in.digest()).put("source_type", in.sourceType())
                .put("source", in.source()).put("profile", in.profile()).put("context", in.context()), true);
        if (sender != null) sender.offer(type.equals("input") ? new Sender.Input(in) : new Sender.ParentInput(in));
    }

    /** An artifact event ({@code artifact} or {@code parent_artifact}): journal line, then live upload. */
    private void artifact(String type, Path file, String artifactDir) {
        if (ended) return;
        Path abs = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) {
            warn("artifact " + file + " is not a file; not logged");
            return;
        }
        String dir = artifactDir == null ? null : Keys.sanitize(artifactDir);
        ObjectNode ev = event(type);
        ev.put("path", relativeToJournal(abs)).put("abs", abs.toString()).put("dir", dir).put("size", sizeOf(abs))
                .put("ts", System.currentTimeMillis());
        write(ev, true);
        if (sender != null) {
            String name = abs.getFileName().toString();
            Sender.Artifact a = new Sender.Artifact(abs, dir == null ? name : dir + "/" + name);
            sender.offer(type.equals("artifact") ? a : new Sender.ParentArtifact(a));
        }
    }

    /** The path relative to the journal's folder (so a moved results folder can be synced), or null. */
    private String relativeToJournal(Path abs) {
        if (journal == null || journal.path.getParent() == null) return null;
        try {
            return journal.path.getParent().relativize(abs).toString().replace('\\', '/');
        } catch (IllegalArgumentException e) {
            return null; // other file system root
        }
    }

    private static long sizeOf(Path abs) {
        try {
            return Files.size(abs);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Records the end of the pipeline run itself (its parent run): status FINISHED or FAILED, the pipeline's start
     * and end, in {@code journal} (a record of kind "pipeline") and live on the server when one is configured.
     * Never throws for tracking trouble: one warning line, and {@code icaloflow mlflow sync journal} does it later.
     */
    public static void endPipeline(TrackingConfig cfg, Path journal, String status, long startMs, long endMs) {
        java.util.Objects.requireNonNull(cfg.sessionId(), "a pipeline end needs the session");
        Path abs = journal.toAbsolutePath().normalize();
        try (Journal.Writer w = new Journal.Writer(abs)) {
            ObjectNode ev = event("start").put("v", Journal.VERSION).put("kind", "pipeline")
                    .put("run_uuid", "pipeline-" + cfg.sessionId()).put("run_name", cfg.parentRunName())
                    .put("experiment", cfg.experiment()).put("session", cfg.sessionId()).put("parent_name", cfg.parentRunName())
                    .put("tracking_uri", cfg.trackingUri()).put("start_time", startMs).put("pipeline_start", startMs);
            ev.putObject("tags");
            w.write(ev, true);
            w.write(event("end").put("status", status).put("end_time", endMs), true);
        } catch (IOException e) {
            warn("cannot write tracking journal " + abs + " (" + e.getMessage() + "); the pipeline's end is not kept");
        }
        if (cfg.trackingUri() == null) return;
        try {
            MlflowRest rest = new MlflowRest(cfg.trackingUri());
            String expId = rest.getOrCreateExperiment(cfg.experiment());
            String parent = rest.findOrCreateParent(expId, cfg.sessionId(), cfg.parentRunName(), startMs);
            rest.updateRun(parent, status, endMs);
        } catch (IOException | RuntimeException e) {
            warn("MLflow at " + cfg.trackingUri() + " unreachable (" + e.getMessage() + "); the pipeline's end is kept in "
                    + abs + ", replay with: icaloflow mlflow sync --tracking-uri " + cfg.trackingUri() + " " + abs);
        }
    }

    /** Ends the run as FINISHED. */
    public void finish() {
        end("FINISHED");
    }

    /** Ends the run as FAILED. */
    public void fail() {
        end("FAILED");
    }

    /** {@link #finish()} unless the run already ended. */
    @Override
    public void close() {
        end("FINISHED");
    }

    /** JVM exit (e.g. SIGTERM from the scheduler) before the run ended: record it as KILLED. */
    void onShutdown() {
        end("KILLED", SHUTDOWN_WAIT_MS);
    }

    private void end(String status) {
        end(status, FINISH_WAIT_MS);
    }

    private void end(String status, long waitMillis) {
        synchronized (this) {
            if (ended) return;
            ended = true;
            long now = System.currentTimeMillis();
            write(event("end").put("status", status).put("end_time", now), true);
            if (sender != null) sender.offer(new Sender.End(status, now));
        }
        if (sender != null) sender.await(waitMillis);
        synchronized (this) {
            if (flushTask != null) flushTask.cancel(false);
            if (shutdownHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException e) {
                    // JVM already shutting down
                }
            }
            if (journal != null && !journalClosed) {
                journalClosed = true;
                try {
                    journal.close();
                } catch (IOException e) {
                    journalTrouble(e);
                }
            }
        }
    }

    private void write(ObjectNode ev, boolean flush) {
        if (journal == null || journalBroken || journalClosed) return;
        try {
            journal.write(ev, flush);
        } catch (IOException e) {
            journalTrouble(e);
        }
    }

    private synchronized void flush() {
        if (journal == null || journalBroken || journalClosed) return;
        try {
            journal.flushIfDirty();
        } catch (IOException e) {
            journalTrouble(e);
        }
    }

    private void journalTrouble(IOException e) {
        if (journalBroken) return;
        journalBroken = true;
        warn("cannot write tracking journal " + journal.path + " (" + e.getMessage() + "); later events are not kept");
    }
}
