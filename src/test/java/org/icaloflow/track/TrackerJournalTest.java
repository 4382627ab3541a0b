package org.icaloflow.track;

import org.icaloflow.UserError;
import org.icaloflow.cli.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/** The journal side of tracking, without any server. */
class TrackerJournalTest {
    @TempDir
    Path tmp;

    final List<String> warnings = new ArrayList<>();
    Consumer<String> savedWarnings;

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

    static Map<String, Object> config() {
        Map<String, Object> flow = new LinkedHashMap<>();
        flow.put("layers", 8);
        flow.put("hidden", List.of(256, 256));
        flow.put("lr", 1e-4);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("flow", flow);
        cfg.put("geometry", "dataset2");
        cfg.put("seed", 42L);
        cfg.put("note", null);
        cfg.put("long", "x".repeat(7000));
        cfg.put("weird key!", "a");
        return cfg;
    }

    @Test
    void flattenUsesDottedKeysAndMlflowLimits() {
        Map<String, String> f = Keys.flatten(config());
        assertEquals("8", f.get("flow.layers"));
        assertEquals("[256,256]", f.get("flow.hidden"));
        assertEquals("1.0E-4", f.get("flow.lr"));
        assertEquals("dataset2", f.get("geometry"));
        assertEquals("null", f.get("note"));
        assertEquals(6000, f.get("long").length());
        assertEquals("a", f.get("weird key_"));
        assertEquals("a/b", Keys.sanitize("/a//b/"));
        assertEquals("__/x", Keys.sanitize("../x"));
        assertEquals(250, Keys.sanitize("k".repeat(300)).length());
    }

    @Test
    void journalOnlyRunRecordsEverything() throws Exception {
        Path out = tmp.resolve("results/train");
        Files.createDirectories(out.resolve("plots"));
        Path png = Files.write(out.resolve("plots/loss.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G'});
        Path journal = out.resolve("run.journal.jsonl");
        String uuid;
        try (Tracker t = Tracker.start(TrackingConfig.journalOnly(null), journal, "train-flow1",
                Map.of(Tags.STAGE, "train", Tags.FLOW, "flow1"))) {
            uuid = t.runUuid();
            assertFalse(t.online());
            t.logParams(config());
            t.logParams(Map.of("seed", 42L)); // same value again: nothing new
            for (int i = 0; i < 100; i++) t.logMetric("loss", 1.0 / (i + 1), i);
            t.logMetric("grad norm", Double.NaN, 100);
            t.logMetrics(Map.of("lr", 1e-4), 100);
            t.setTag(Tags.GEOMETRY, "dataset2");
            t.logArtifact(png, "plots");
        }
        assertTrue(warnings.isEmpty(), warnings.toString());
        List<Journal.Run> runs = Journal.read(journal, warnings::add);
        assertEquals(1, runs.size());
        Journal.Run r = runs.get(0);
        assertEquals(uuid, r.uuid);
        assertEquals("train-flow1", r.runName);
        assertEquals("icaloflow", r.experiment);
        assertEquals(Keys.flatten(config()), r.params);
        assertEquals(102, r.metrics.size());
        assertEquals(0.5, r.metrics.get(1).value());
        assertEquals(1, r.metrics.get(1).step());
        assertTrue(Double.isNaN(r.metrics.get(100).value()));
        assertEquals("grad norm", r.metrics.get(100).key());
        assertEquals("train", r.tags.get(Tags.STAGE));
        assertEquals("dataset2", r.tags.get(Tags.GEOMETRY));
        assertEquals(uuid, r.tags.get(Tags.RUN_UUID));
        assertNotNull(r.tags.get(Tags.HOST));
        assertNotNull(r.tags.get(Tags.GIT_COMMIT));
        assertEquals(1, r.artifacts.size());
        assertEquals("plots/loss.png", r.artifacts.get(0).relPath());
        assertEquals("plots/loss.png", r.artifacts.get(0).artifactPath());
        assertEquals("FINISHED", r.endStatus);
        assertTrue(r.endTime >= r.startTime);
    }

    @Test
    void movedResultsFolderStillFindsArtifacts() throws Exception {
        Path out = tmp.resolve("a");
        Files.createDirectories(out);
        Path cfg = Files.writeString(out.resolve("config.yaml"), "seed: 1\n");
        try (Tracker t = Tracker.start(TrackingConfig.journalOnly(null), out.resolve("run.journal.jsonl"), "s", Map.of())) {
            t.logArtifact(cfg, null);
        }
        Path moved = tmp.resolve("b");
        Files.move(out, moved);
        Journal.Run r = Journal.read(moved.resolve("run.journal.jsonl"), warnings::add).get(0);
        assertEquals(moved.resolve("config.yaml"), r.artifacts.get(0).resolve(moved.resolve("run.journal.jsonl")));
    }

    @Test
    void metricsReachTheFileWithinASecond() throws Exception {
        Path journal = tmp.resolve("run.journal.jsonl");
        Tracker t = Tracker.start(TrackingConfig.journalOnly(null), journal, "s", Map.of());
        try {
            t.logMetric("loss", 3.0, 7);
            Thread.sleep(1600);
            assertTrue(Files.readString(journal).contains("\"key\":\"loss\""), "metric not flushed after 1.6 s");
        } finally {
            t.finish();
        }
    }

    @Test
    void failEndsOnceAndCloseKeepsFailed() throws Exception {
        Path journal = tmp.resolve("run.journal.jsonl");
        try (Tracker t = Tracker.start(TrackingConfig.journalOnly(null), journal, "s", Map.of())) {
            t.fail();
            t.logMetric("late", 1, 1); // ignored after the end
        }
        Journal.Run r = Journal.read(journal, warnings::add).get(0);
        assertEquals("FAILED", r.endStatus);
        assertEquals(0, r.metrics.size());
        assertEquals(1, Files.readAllLines(journal).stream().filter(l -> l.contains("\"ev\":\"end\"")).count());
    }

    @Test
    void jvmExitBeforeTheEndRecordsKilled() throws Exception {
        Path journal = tmp.resolve("run.journal.jsonl");
        Tracker t = Tracker.start(TrackingConfig.journalOnly(null), journal, "s", Map.of());
        t.logMetric("loss", 1, 1);
        t.onShutdown(); // what the shutdown hook does
        t.finish(); // no second end
        Journal.Run r = Journal.read(journal, warnings::add).get(0);
        assertEquals("KILLED", r.endStatus);
        assertEquals(1, r.metrics.size());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void loggingIsCheap() {
        Path journal = tmp.resolve("run.journal.jsonl");
        long t0 = System.nanoTime();
        try (Tracker t = Tracker.start(TrackingConfig.journalOnly(null), journal, "s", Map.of())) {
            for (int i = 0; i < 200_000; i++) t.logMetric("loss", i * 1e-3, i);
        }
        double us = (System.nanoTime() - t0) / 1e3 / 200_000;
        System.out.printf("logMetric: %.2f us per point (journal only)%n", us);
        assertTrue(us < 50, us + " us per metric");
    }

    @Test
    void truncatedLastLineIsToleratedAndAppendingStartsAFreshLine() throws Exception {
        Path journal = tmp.resolve("run.journal.jsonl");
        try (Tracker t = Tracker.start(TrackingConfig.journalOnly(null), journal, "first", Map.of())) {
            t.logMetric("loss", 1, 1);
        }
        Files.writeString(journal, "{\"ev\":\"metric\",\"key\":\"lo", StandardOpenOption.APPEND); // crash mid-line
        List<String> w = new ArrayList<>();
        assertEquals(1, Journal.read(journal, w::add).size());
        assertEquals(1, w.size());
        assertTrue(w.get(0).contains("line 4"), w.toString());

        try (Tracker t = Tracker.start(TrackingConfig.journalOnly(null), journal, "second", Map.of())) {
            t.logMetric("loss", 2, 1);
        }
        w.clear();
        List<Journal.Run> runs = Journal.read(journal, w::add);
        assertEquals(List.of("first", "second"), runs.stream().map(r -> r.runName).toList());
        assertEquals(1, runs.get(1).metrics.size());
        assertEquals(1, w.size());
    }

    @Test
    void corruptOrMissingJournalIsAUserErrorNamingTheFile() throws Exception {
        Path journal = tmp.resolve("bad.journal.jsonl");
        try (Tracker t = Tracker.start(TrackingConfig.journalOnly(null), journal, "s", Map.of())) {
            t.logMetric("loss", 1, 1);
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(journal));
        lines.add(1, "garbage{");
        Files.write(journal, lines);
        UserError e = assertThrows(UserError.class, () -> Journal.read(journal, warnings::add));
        assertTrue(e.getMessage().contains(journal.toString()) && e.getMessage().contains("line 2"), e.getMessage());

        lines.set(1, "{\"ev\":\"metric\",\"key\":\"loss\"}");
        Files.write(journal, lines);
        e = assertThrows(UserError.class, () -> Journal.read(journal, warnings::add));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());

        Path notJournal = Files.writeString(tmp.resolve("x.jsonl"), "{\"a\":1}\n{\"b\":2}\n");
        assertThrows(UserError.class, () -> Journal.read(notJournal, warnings::add));

        String[] res = cli("mlflow", "sync", "--tracking-uri", "http://127.0.0.1:9", journal.toString());
        assertEquals("2", res[0]);
        assertTrue(res[2].startsWith("icaloflow: error: journal " + journal), res[2]);
        res = cli("mlflow", "sync", "--tracking-uri", "http://127.0.0.1:9", tmp.resolve("nope.jsonl").toString());
        assertEquals("2", res[0]);
        assertTrue(res[2].contains("nope.jsonl") && res[2].contains("does not exist"), res[2]);
    }

    @Test
    void unreachableServerNeverFailsTheRun() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path journal = tmp.resolve("run.journal.jsonl");
        long t0 = System.nanoTime();
        try (Tracker t = Tracker.start(new TrackingConfig("http://127.0.0.1:" + port, "e", "sess-1", null),
                journal, "train", Map.of())) {
            for (int i = 0; i < 5000; i++) t.logMetric("loss", i, i);
            t.logParams(Map.of("a", 1));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 5, "took " + seconds + " s");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).matches("MLflow at http://127\\.0\\.0\\.1:" + port + " unreachable .*; events kept in "
                + java.util.regex.Pattern.quote(journal.toString()) + ", replay with: icaloflow mlflow sync .*"), warnings.get(0));
        Journal.Run r = Journal.read(journal, warnings::add).get(0);
        assertEquals(5000, r.metrics.size());
        assertEquals("sess-1", r.session);
        assertEquals("FINISHED", r.endStatus);

        String[] res = cli("mlflow", "sync", "--tracking-uri", "http://127.0.0.1:" + port, journal.toString());
        assertEquals("2", res[0]);
        assertTrue(res[2].contains("unreachable") && res[2].lines().count() == 1, res[2]);
    }

    @Test
    void artifactProxyPathsAndTrackingUris() {
        assertEquals("1/abc/artifacts", MlflowRest.proxyRoot("mlflow-artifacts:/1/abc/artifacts"));
        assertEquals("1/abc/artifacts", MlflowRest.proxyRoot("mlflow-artifacts://host:5000/1/abc/artifacts/"));
        assertNull(MlflowRest.proxyRoot("/srv/mlruns/1/abc/artifacts"));
        assertNull(MlflowRest.proxyRoot("s3://bucket/1/abc/artifacts"));
        assertEquals("a/b%20c/d%23e", MlflowRest.encPath("a/b c/d#e"));
        assertEquals("http://x:1", TrackingConfig.resolveUri(" http://x:1 "));
        TrackingConfig c = new TrackingConfig("", null, "0123456789abcdef", null);
        assertNull(c.trackingUri());
        assertEquals("icaloflow", c.experiment());
        assertEquals("pipeline-01234567", c.parentRunName());
    }

    @Test
    void nonHttpTrackingUriWarnsAndKeepsTheJournal() {
        Path journal = tmp.resolve("run.journal.jsonl");
        try (Tracker t = Tracker.start(new TrackingConfig("file:./mlruns", null, null, null), journal, "s", Map.of())) {
            t.logMetric("loss", 1, 1);
            assertFalse(t.online());
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertEquals(1, Journal.read(journal, warnings::add).get(0).metrics.size());
    }

    @Test
    void noopDoesNothing() {
        try (Tracker t = Tracker.noop()) {
            t.logParams(config());
            t.logMetric("loss", 1, 1);
            t.setTag("a", "b");
            t.logArtifact(tmp, null);
            assertNull(t.journal());
        }
    }

    /** Runs the CLI; returns {exit code, stdout, stderr}. */
    static String[] cli(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new String[]{String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }
}
