package org.icaloflow.track;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.icaloflow.data.Sha256;
import org.icaloflow.data.Json;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.icaloflow.track.TrackerJournalTest.cli;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Against a real {@code mlflow server} (sqlite backend, proxied artifacts) started once for the class.
 * Needs {@code python3 -m mlflow}; set ICALOFLOW_SKIP_MLFLOW_TESTS=1 to skip where it is not installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MlflowServerTest {
    @TempDir
    static Path tmp;
    static Process server;
    static String uri;
    static MlflowRest rest;

    final List<String> warnings = new ArrayList<>();
    Consumer<String> savedWarnings;

    @BeforeAll
    static void startServer() throws Exception {
        if ("1".equals(System.getenv("ICALOFLOW_SKIP_MLFLOW_TESTS"))) {
            Assumptions.abort("ICALOFLOW_SKIP_MLFLOW_TESTS=1");
        }
        Process probe;
        try {
            probe = new ProcessBuilder("python3", "-c", "import mlflow").redirectErrorStream(true).start();
        } catch (IOException e) {
            probe = null;
        }
        if (probe == null || !probe.waitFor(60, TimeUnit.SECONDS) || probe.exitValue() != 0) {
            fail("MLflow server tests need `python3 -m mlflow` (pip install mlflow); "
                    + "set ICALOFLOW_SKIP_MLFLOW_TESTS=1 to skip them");
        }
        start();
    }

    static void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        uri = "http://127.0.0.1:" + port;
        Path log = tmp.resolve("server-" + port + ".log");
        ProcessBuilder pb = new ProcessBuilder("python3", "-m", "mlflow", "server",
                "--backend-store-uri", "sqlite:///" + tmp.resolve("mlflow.db"),
                "--artifacts-destination", tmp.resolve("artifacts").toString(),
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--workers", "1")
                .directory(tmp.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false"); // no job-runner processes
        server = pb.start();
        rest = new MlflowRest(uri, java.time.Duration.ofSeconds(60));
        long deadline = System.currentTimeMillis() + 90_000;
        while (!rest.healthy()) {
            if (!server.isAlive()) fail("mlflow server exited:\n" + Files.readString(log));
            if (System.currentTimeMillis() > deadline) fail("mlflow server did not answer /health in 90 s:\n" + Files.readString(log));
            Thread.sleep(250);
        }
    }

    static void kill() throws InterruptedException {
        if (server == null) return;
        List<ProcessHandle> kids = server.descendants().toList();
        server.destroyForcibly();
        for (ProcessHandle k : kids) k.destroyForcibly();
        server.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle k : kids) k.onExit().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(x -> null).join();
        server = null;
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        kill();
    }

    @BeforeEach
    void captureWarnings() {
        savedWarnings = Tracker.warnings;
        Tracker.warnings = w -> {
            synchronized (warnings) {
                warnings.add(w);
            }
        };
    }

    @AfterEach
    void restoreWarnings() {
        Tracker.warnings = savedWarnings;
    }

    // ------------------------------------------------------------------ helpers

    static JsonNode runByUuid(String experiment, String uuid) throws IOException {
        String exp = rest.getOrCreateExperiment(experiment);
        List<JsonNode> runs = rest.searchByTag(exp, MlflowRest.TAG_RUN_UUID, uuid);
        assertEquals(1, runs.size(), "runs with uuid " + uuid);
        return runs.get(0);
    }

    static String id(JsonNode run) {
        return run.path("info").path("run_id").asText();
    }

    static Map<String, String> flatConfig() {
        return Keys.flatten(TrackerJournalTest.config());
    }

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void liveRunsAreNestedUnderTheirPipelineWithEverythingLogged() throws Exception {
        Path out = tmp.resolve("live/train");
        Files.createDirectories(out);
        Path cfg = Files.writeString(out.resolve("config.yaml"), "flow:\n  layers: 8\n");
        byte[] pngBytes = new byte[5000];
        for (int i = 0; i < pngBytes.length; i++) pngBytes[i] = (byte) (i * 31);
        Path png = Files.write(out.resolve("loss.png"), pngBytes);
        Path summary = Files.writeString(out.resolve("model summary.txt"), "MADE x 8\n");
        TrackingConfig tc = new TrackingConfig(uri, "it-live", "session-live-1", "pipeline-live");
        Path journal = out.resolve("run.journal.jsonl");
        String uuid;
        try (Tracker t = Tracker.start(tc, journal, "train-flow1",
                Map.of(Tags.STAGE, "train", Tags.FLOW, "flow1", Tags.CONFIG_SHA256, Sha256.of(cfg)))) {
            uuid = t.runUuid();
            t.logParams(TrackerJournalTest.config());
            Map<String, Object> many = new LinkedHashMap<>();
            for (int i = 0; i < 250; i++) many.put("p" + i, i); // more than one log-batch of params
            t.logParams(Map.of("extra", many));
            for (int i = 0; i < 150; i++) t.setTag("tag" + i, "v" + i); // and of tags
            for (int i = 0; i < 2500; i++) t.logMetrics(Map.of("loss", 10.0 / (i + 1), "lr", 1e-3), i);
            t.logMetric("loss_nan", Double.NaN, 0);
            t.setTag(Tags.GEOMETRY, "dataset2");
            DatasetInput showers = new DatasetInput("dataset_2_1.hdf5", "0123456789abcdef", "local",
                    "{\"uri\": \"file:///data/dataset_2_1.hdf5\"}", "{\"showers\": 100000}", "training");
            t.logInput(showers);
            t.logInput(showers); // again (a resumed stage): kept once
            t.logParentInput(showers);
            t.logArtifact(cfg, null);
            t.logArtifact(png, "plots");
            t.logArtifact(summary, "model");
        }
        String uuid2;
        try (Tracker t = Tracker.start(tc, tmp.resolve("live/sample/run.journal.jsonl"), "sample", Map.of(Tags.STAGE, "sample"))) {
            uuid2 = t.runUuid();
            t.logMetric("throughput", 123.5, 0);
        }
        assertTrue(warnings.isEmpty(), warnings.toString());

        JsonNode run = runByUuid("it-live", uuid);
        String runId = id(run);
        assertEquals("FINISHED", run.path("info").path("status").asText());
        assertEquals("train-flow1", run.path("info").path("run_name").asText());
        Map<String, String> wantParams = new LinkedHashMap<>(flatConfig());
        for (int i = 0; i < 250; i++) wantParams.put("extra.p" + i, String.valueOf(i));
        assertEquals(wantParams, MlflowRest.keyValues(run.path("data").path("params")));
        Map<String, String> tags = MlflowRest.keyValues(run.path("data").path("tags"));
        for (int i = 0; i < 150; i++) assertEquals("v" + i, tags.get("tag" + i));
        assertEquals("train", tags.get(Tags.STAGE));
        assertEquals("flow1", tags.get(Tags.FLOW));
        assertEquals("dataset2", tags.get(Tags.GEOMETRY));
        assertEquals(Sha256.of(cfg), tags.get(Tags.CONFIG_SHA256));
        assertNotNull(tags.get(Tags.HOST));
        assertNotNull(tags.get(Tags.GIT_COMMIT));

        // nesting: both stages under the one parent run of the session
        String exp = rest.getOrCreateExperiment("it-live");
        List<JsonNode> parents = rest.searchByTag(exp, MlflowRest.TAG_SESSION, "session-live-1").stream()
                .filter(r -> "pipeline".equals(MlflowRest.tag(r, MlflowRest.TAG_ROLE))).toList();
        assertEquals(1, parents.size());
        assertEquals("pipeline-live", parents.get(0).path("info").path("run_name").asText());
        assertEquals(id(parents.get(0)), tags.get(MlflowRest.TAG_PARENT));
        assertEquals(id(parents.get(0)), MlflowRest.tag(runByUuid("it-live", uuid2), MlflowRest.TAG_PARENT));
        // the parent is the pipeline's: running until the pipeline records its end, whatever its stages did
        assertEquals("RUNNING", rest.getRun(id(parents.get(0))).path("info").path("status").asText());
        long pStart = rest.getRun(id(parents.get(0))).path("info").path("start_time").asLong();
        Tracker.endPipeline(new TrackingConfig(uri, "it-live", "session-live-1", "pipeline-live"), tmp.resolve("live-pipeline.journal.jsonl"),
                "FINISHED", pStart, pStart + 60_000);
        JsonNode parentInfo = rest.getRun(id(parents.get(0))).path("info");
        assertEquals("FINISHED", parentInfo.path("status").asText());
        assertEquals(pStart + 60_000, parentInfo.path("end_time").asLong());

        // the training input: once on the stage and once on the parent, with its digest, count and context
        for (String r : List.of(runId, tags.get(MlflowRest.TAG_PARENT))) {
            JsonNode inputs = rest.getRun(r).path("inputs").path("dataset_inputs");
            assertEquals(1, inputs.size(), "one dataset input on " + r + ": " + inputs);
            JsonNode d = inputs.get(0).path("dataset");
            assertEquals("dataset_2_1.hdf5", d.path("name").asText());
            assertEquals("0123456789abcdef", d.path("digest").asText());
            assertEquals("local", d.path("source_type").asText());
            assertEquals(100000, Json.MAPPER.readTree(d.path("profile").asText()).path("showers").asLong());
            assertEquals(Set.of("training"), DatasetInput.identities(rest.getRun(r)).stream()
                    .map(k -> k.substring(k.lastIndexOf('\u0000') + 1)).collect(java.util.stream.Collectors.toSet()));
        }

        // metrics: every step, in order, with the journal's timestamps
        List<MlflowRest.Metric> loss = rest.metricHistory(runId, "loss");
        assertEquals(2500, loss.size());
        List<MlflowRest.Metric> journalLoss = Journal.read(journal, warnings::add).get(0).metrics.stream()
                .filter(m -> m.key().equals("loss")).toList();
        assertEquals(journalLoss, loss.stream().sorted((a, b) -> Long.compare(a.step(), b.step())).toList());
        assertEquals(2500, rest.metricHistory(runId, "lr").size());
        assertTrue(Double.isNaN(rest.metricHistory(runId, "loss_nan").get(0).value()));

        // artifacts: listed and byte-identical
        String root = MlflowRest.proxyRoot(run.path("info").path("artifact_uri").asText());
        assertEquals(exp + "/" + runId + "/artifacts", root);
        assertArrayEquals(Files.readAllBytes(cfg), rest.downloadArtifact(root, "config.yaml"));
        assertArrayEquals(pngBytes, rest.downloadArtifact(root, "plots/loss.png"));
        assertArrayEquals(Files.readAllBytes(summary), rest.downloadArtifact(root, "model/model summary.txt"));
        assertEquals(List.of(new MlflowRest.FileInfo("loss.png", false, 5000)), rest.listArtifacts(root, "plots"));
        JsonNode listed = rest.get("/api/2.0/mlflow/artifacts/list", Map.of("run_id", runId, "path", "model"));
        assertEquals("model/model summary.txt", listed.path("files").get(0).path("path").asText());

        // a sync of a fully delivered run adds nothing
        String[] res = cli("mlflow", "sync", "--tracking-uri", uri, journal.toString());
        assertEquals("0", res[0], res[2]);
        assertTrue(res[1].contains("already in sync"), res[1]);
    }

    @Test
    @Order(2)
    void serverDyingMidRunLosesNothingAfterSync() throws Exception {
        Path out = tmp.resolve("killed");
        Files.createDirectories(out);
        Path journal = out.resolve("run.journal.jsonl");
        Path summary = Files.writeString(out.resolve("summary.txt"), "params: 1234\n");
        TrackingConfig tc = new TrackingConfig(uri, "it-killed", "session-killed", null);
        Tracker t = Tracker.start(tc, journal, "train-flow2", Map.of(Tags.STAGE, "train"));
        t.logParams(Map.of("flow", Map.of("layers", 4)));
        for (int i = 0; i < 200; i++) t.logMetric("loss", i * 0.5, i);
        // wait until the first 200 points arrived live
        long deadline = System.currentTimeMillis() + 10_000;
        while (t.mlflowRunId() == null || rest.metricHistory(t.mlflowRunId(), "loss").size() < 200) {
            assertTrue(System.currentTimeMillis() < deadline, "live delivery too slow");
            Thread.sleep(100);
        }
        String runId = t.mlflowRunId();
        String oldUri = uri;
        kill();

        long t0 = System.nanoTime();
        for (int i = 200; i < 700; i++) {
            t.logMetric("loss", i * 0.5, i);
            if (i % 100 == 0) Thread.sleep(300); // the sender notices the dead server meanwhile
        }
        t.setTag(Tags.INPUT_SHA256, "abc");
        t.logMetric("grad_max", Double.POSITIVE_INFINITY, 1); // stored as Double.MAX_VALUE: still de-duplicated
        t.logMetric("grad_nan", Double.NaN, 1);
        t.logArtifact(summary, "model");
        t.finish();
        double seconds = (System.nanoTime() - t0) / 1e9 - 1.5;
        assertTrue(seconds < 3, "tracking slowed the run by " + seconds + " s");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("MLflow at " + oldUri + " unreachable"), warnings.get(0));
        assertTrue(warnings.get(0).contains("icaloflow mlflow sync"), warnings.get(0));
        Journal.Run jr = Journal.read(journal, warnings::add).get(0);
        assertEquals(702, jr.metrics.size());
        assertEquals("FINISHED", jr.endStatus);

        start(); // same sqlite db, new port
        assertEquals(200, rest.metricHistory(runId, "loss").size());
        assertEquals("RUNNING", rest.getRun(runId).path("info").path("status").asText());

        String[] res = cli("mlflow", "sync", "--tracking-uri", uri, journal.toString());
        assertEquals("0", res[0], res[2]);
        assertTrue(res[1].contains("502 metric points"), res[1]);
        JsonNode run = runByUuid("it-killed", t.runUuid());
        assertEquals(runId, id(run));
        assertEquals("FINISHED", run.path("info").path("status").asText());
        assertEquals("abc", MlflowRest.tag(run, Tags.INPUT_SHA256));
        assertEquals("4", MlflowRest.keyValues(run.path("data").path("params")).get("flow.layers"));
        assertEquals(jr.metrics.subList(0, 700), rest.metricHistory(runId, "loss").stream()
                .sorted((a, b) -> Long.compare(a.step(), b.step())).toList());
        String root = MlflowRest.proxyRoot(run.path("info").path("artifact_uri").asText());
        assertArrayEquals(Files.readAllBytes(summary), rest.downloadArtifact(root, "model/summary.txt"));

        // second sync: nothing new
        res = cli("mlflow", "sync", "--tracking-uri", uri, journal.toString());
        assertEquals("0", res[0], res[2]);
        assertTrue(res[1].contains("already in sync"), res[1]);
        assertEquals(700, rest.metricHistory(runId, "loss").size());
        assertEquals(1, rest.metricHistory(runId, "grad_max").size());
        assertEquals(1, rest.metricHistory(runId, "grad_nan").size());
        runByUuid("it-killed", t.runUuid()); // still exactly one
    }

    @Test
    @Order(3)
    void unreachableAtStartThenSyncedFromAMovedFolder() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path out = tmp.resolve("offline/node");
        Files.createDirectories(out);
        Path png = Files.write(out.resolve("shower.png"), new byte[]{1, 2, 3, 4});
        TrackingConfig tc = new TrackingConfig("http://127.0.0.1:" + port, "it-offline", "session-off", null);
        String uuid;
        try (Tracker t = Tracker.start(tc, out.resolve("run.journal.jsonl"), "train", Map.of(Tags.STAGE, "train"))) {
            uuid = t.runUuid();
            t.logParams(TrackerJournalTest.config());
            for (int i = 0; i < 1500; i++) t.logMetric("loss", Math.sin(i), i);
            t.logArtifact(png, "plots");
        }
        assertEquals(1, warnings.size(), warnings.toString());
        Path moved = tmp.resolve("offline/login-node-copy");
        Files.move(out, moved); // results copied to a login node: absolute paths in the journal are stale

        String[] res = cli("mlflow", "sync", "--tracking-uri", uri, tmp.resolve("offline").toString());
        assertEquals("0", res[0], res[2]);
        assertTrue(res[1].contains("created: 1500 metric points"), res[1]);
        JsonNode run = runByUuid("it-offline", uuid);
        assertEquals("FINISHED", run.path("info").path("status").asText());
        assertEquals(flatConfig(), MlflowRest.keyValues(run.path("data").path("params")));
        assertEquals(1500, rest.metricHistory(id(run), "loss").size());
        String parent = MlflowRest.tag(run, MlflowRest.TAG_PARENT);
        assertNotNull(parent);
        assertEquals("session-off", MlflowRest.tag(rest.getRun(parent), MlflowRest.TAG_SESSION));
        String root = MlflowRest.proxyRoot(run.path("info").path("artifact_uri").asText());
        assertArrayEquals(new byte[]{1, 2, 3, 4}, rest.downloadArtifact(root, "plots/shower.png"));

        res = cli("mlflow", "sync", "--tracking-uri", uri, tmp.resolve("offline").toString());
        assertEquals("0", res[0], res[2]);
        assertTrue(res[1].contains("already in sync"), res[1]);
        assertEquals(1500, rest.metricHistory(id(run), "loss").size());
        String exp = rest.getOrCreateExperiment("it-offline");
        assertEquals(2, rest.searchByTag(exp, MlflowRest.TAG_SESSION, "session-off").size()); // parent + stage
    }

    @Test
    @Order(4)
    void aPipelinesJournalsSyncedInAnyOrderTwiceGiveOneFinishedParentWithItsHeadlineNumbers() throws Exception {
        long t0 = System.currentTimeMillis() - 3_600_000;
        Path dir = Files.createDirectories(tmp.resolve("order"));
        Path report = Files.writeString(dir.resolve("report.html"), "<html>report</html>");
        List<Path> journals = new ArrayList<>();
        // three stages, journal only (the pipeline ran without a server), each knowing the pipeline's start
        String[] stages = {"train-flow1", "sample-teacher", "report"};
        for (String stage : stages) {
            TrackingConfig tc = new TrackingConfig(null, "it-order", "session-order", "pipeline-order", t0);
            Path j = dir.resolve(stage + ".journal.jsonl");
            try (Tracker t = Tracker.start(tc, j, stage, Map.of(Tags.STAGE, stage))) {
                t.logMetric("loss", 1.5, 0);
                if (stage.equals("train-flow1")) {
                    DatasetInput in = new DatasetInput("synth_ds2.hdf5", "fedcba9876543210", "local",
                            "{\"uri\": \"file:///w/synth_ds2.hdf5\"}", "{\"showers\": 10000}", "training");
                    t.logInput(in);
                    t.logParentInput(in);
                }
                if (stage.equals("sample-teacher")) {
                    // a second stage logs the same dataset on the parent, and a different one (the reference)
                    t.logParentInput(new DatasetInput("synth_ds2.hdf5", "fedcba9876543210", "local",
                            "{\"uri\": \"file:///w/synth_ds2.hdf5\"}", "{\"showers\": 10000}", "training"));
                    t.logParentInput(new DatasetInput("reference.hdf5", "00112233445566ff", "local",
                            "{\"uri\": \"file:///w/reference.hdf5\"}", "{\"showers\": 3000}", "evaluation"));
                }
                if (stage.equals("report")) {
                    t.logParentMetrics(Map.of("auc_low_teacher_mean", 0.71, "ms_per_shower_student_b1000", 18.0));
                    t.logParentParams(Map.of("geometry", "ds2", "events", 10000));
                    t.logParentArtifact(report, null);
                }
            }
            journals.add(j);
        }
        Path pipeline = dir.resolve("pipeline.journal.jsonl");
        Tracker.endPipeline(new TrackingConfig(null, "it-order", "session-order", "pipeline-order", t0), pipeline, "FINISHED",
                t0, t0 + 3_000_000);
        // the pipeline's record first, then the stages one by one, the report before the others; then all of it again
        for (Path j : List.of(pipeline, journals.get(2), journals.get(1), journals.get(0))) {
            String[] res = cli("mlflow", "sync", "--tracking-uri", uri, j.toString());
            assertEquals("0", res[0], res[2]);
        }
        String[] again = cli("mlflow", "sync", "--tracking-uri", uri, dir.toString());
        assertEquals("0", again[0], again[2]);
        assertFalse(again[1].contains("created"), "nothing new the second time: " + again[1]);

        String exp = rest.getOrCreateExperiment("it-order");
        List<JsonNode> all = rest.searchByTag(exp, MlflowRest.TAG_SESSION, "session-order");
        List<JsonNode> parents = all.stream().filter(r -> "pipeline".equals(MlflowRest.tag(r, MlflowRest.TAG_ROLE))).toList();
        assertEquals(1, parents.size(), "one parent");
        assertEquals(4, all.size(), "the parent and its three stages");
        String pid = id(parents.get(0));
        for (JsonNode r : all) if (r != parents.get(0)) assertEquals(pid, MlflowRest.tag(r, MlflowRest.TAG_PARENT));
        JsonNode info = rest.getRun(pid).path("info");
        assertEquals("FINISHED", info.path("status").asText(), "the stages synced after the pipeline's end did not reopen it");
        assertEquals(t0, info.path("start_time").asLong(), "the pipeline's start, whichever journal created the parent");
        assertEquals(t0 + 3_000_000, info.path("end_time").asLong());
        assertEquals(1, rest.metricHistory(pid, "auc_low_teacher_mean").size(), "headline metric once, however often synced");
        assertEquals(0.71, rest.metricHistory(pid, "auc_low_teacher_mean").get(0).value(), 1e-12);
        assertEquals("ds2", MlflowRest.keyValues(rest.getRun(pid).path("data").path("params")).get("geometry"));
        String root = MlflowRest.proxyRoot(rest.getRun(pid).path("info").path("artifact_uri").asText());
        assertArrayEquals("<html>report</html>".getBytes(), rest.downloadArtifact(root, "report.html"));
        // datasets: each once on the parent (two stages logged the training input), the training one on its stage
        assertEquals(2, rest.getRun(pid).path("inputs").path("dataset_inputs").size(), rest.getRun(pid).path("inputs").toString());
        assertEquals(Set.of("synth_ds2.hdf5\u0000fedcba9876543210\u0000training", "reference.hdf5\u000000112233445566ff\u0000evaluation"),
                DatasetInput.identities(rest.getRun(pid)));
        JsonNode train = all.stream().filter(r -> "train-flow1".equals(r.path("info").path("run_name").asText())).findFirst().orElseThrow();
        assertEquals(1, rest.getRun(id(train)).path("inputs").path("dataset_inputs").size());
    }
}
