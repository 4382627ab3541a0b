package org.icaloflow.stage;

import com.fasterxml.jackson.databind.JsonNode;
import org.icaloflow.UserError;
import org.icaloflow.data.Json;
import org.icaloflow.data.StageManifest;
import org.icaloflow.track.Tracker;
import org.icaloflow.track.TrackingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The order StageRun promises (params, body, manifest, artifacts) and its failure path, read back from the journal. */
class StageRunTest {
    @TempDir
    Path dir;

    private static List<JsonNode> events(Path journal) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(journal)) if (!line.isBlank()) out.add(Json.MAPPER.readTree(line));
        return out;
    }

    private static List<String> kinds(List<JsonNode> events) {
        return events.stream().map(e -> e.path("ev").asText()).toList();
    }

    private Tracker tracker(Path journal) {
        return Tracker.start(TrackingConfig.journalOnly("test"), journal, "stage-run-test", Map.of());
    }

    @Test
    void writesTheManifestAfterTheBodyThenLogsTheArtifacts() throws Exception {
        Path journal = dir.resolve("s.journal.jsonl"), manifest = dir.resolve("manifest.json"), extra = dir.resolve("extra.txt");
        Files.writeString(extra, "x");
        String result;
        try (Tracker t = tracker(journal)) {
            result = StageRun.run(t, Map.of("seed", 7), run -> {
                run.tracker().logMetric("m", 1.5, 0);
                StageManifest m = new StageManifest("probe");
                m.put("answer", 42);
                run.manifest(m, manifest);
                run.artifact(manifest, null);
                run.artifact(extra, "more");
                assertFalse(Files.exists(manifest), "the manifest waits for the body to return");
                return "done";
            });
        }
        assertEquals("done", result);
        JsonNode m = StageManifest.read(manifest);
        assertEquals("probe", m.path("stage").asText());
        assertEquals(42, m.path("answer").asInt());
        List<JsonNode> ev = events(journal);
        assertEquals(List.of("start", "params", "metric", "artifact", "artifact", "end"), kinds(ev));
        assertEquals("manifest.json", ev.get(3).path("path").asText());
        assertEquals("more", ev.get(4).path("dir").asText());
        assertEquals("FINISHED", ev.get(5).path("status").asText());
    }

    @Test
    void aFailingBodyMarksTheRunFailedWritesNothingAndRethrows() throws Exception {
        Path journal = dir.resolve("f.journal.jsonl"), manifest = dir.resolve("manifest.json");
        UserError boom = new UserError("boom");
        try (Tracker t = tracker(journal)) {
            UserError thrown = assertThrows(UserError.class, () -> StageRun.run(t, null, run -> {
                run.manifest(new StageManifest("probe"), manifest);
                run.artifact(journal, null);
                throw boom;
            }));
            assertSame(boom, thrown);
        }
        assertFalse(Files.exists(manifest));
        List<JsonNode> ev = events(journal);
        assertEquals(List.of("start", "end"), kinds(ev), "no params when none are given, no artifacts after a failure");
        assertEquals("FAILED", ev.get(1).path("status").asText());
    }
}
