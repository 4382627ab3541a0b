package org.icaloflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.icaloflow.data.Json;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.icaloflow.train.ModelFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code icaloflow distill} end to end on a few synthetic showers with the tiny test configuration. */
class DistillCommandTest {
    static {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    @TempDir
    Path dir;

    @Test
    void distilsFlowTwoAndThreeStudentsAndRejectsBadInput() throws Exception {
        Path in = dir.resolve("in.hdf5"), data = dir.resolve("data");
        assertEquals(0, Main.execute("synth", "-g", "ds2", "--events", "40", "--seed", "3", "--out", in.toString()));
        assertEquals(0, Main.execute("preprocess", "-g", "ds2", "-i", in.toString(), "-o", data.toString()));
        String cfg = "configs/test.yaml";
        for (String f : List.of("2", "3"))
            assertEquals(0, Main.execute("train", "--flow", f, "-c", cfg, "-d", data.toString(), "-o", dir.resolve("t" + f).toString(), "--epochs", "1"));

        // Flow-2 with the physics term and diversity weighting switched on (geometry inferred from the layer size)
        Path cfgOn = dir.resolve("on.yaml");
        Files.writeString(cfgOn, Files.readString(Path.of(cfg)).replace("distillation:\n  flow2:\n",
                "distillation:\n  flow2:\n    physicsLoss: {enabled: true, weight: 2.0}\n    diversityWeighting: {enabled: true, bins: 4}\n"));
        Path s2 = dir.resolve("s2");
        assertEquals(0, Main.execute("distill", "--flow", "2", "-c", cfgOn.toString(), "-d", data.toString(),
                "--teacher", dir.resolve("t2").toString(), "-o", s2.toString(), "--epochs", "2"));
        for (String f : List.of(ModelFolder.HISTORY, ModelFolder.LOSS_PNG, "manifest.json", "distill.journal.jsonl", "model/" + FlowCheckpoint.JSON_FILE, "checkpoint/state.json"))
            assertTrue(Files.isRegularFile(s2.resolve(f)), f);
        assertTrue(Files.readAllLines(s2.resolve(ModelFolder.HISTORY)).get(0).endsWith(",lx,lx_states,lx_made,lz,lz_states,lz_made,physics"));
        JsonNode man = Json.MAPPER.readTree(s2.resolve("manifest.json").toFile());
        assertTrue(Double.isFinite(man.at("/result/best_kl").asDouble()), man.toString());
        // the weights as used, written out although test.yaml leaves them to the defaults (Flow-2: beta 0.5)
        assertEquals(0.5, man.at("/distillation/weights/beta").asDouble(-1), man.toString());
        assertEquals(2.0, man.at("/distillation/weights/states").asDouble(-1), man.toString());
        String journal = Files.readString(s2.resolve("distill.journal.jsonl"));
        for (String key : List.of("\"lx\"", "\"lx_states\"", "\"lz_made\"", "\"physics\"", "\"kl\"", "\"lr\"")) assertTrue(journal.contains(key), key);
        // the training input as an MLflow dataset on the stage and the parent: the file's name, its SHA-256's first 16
        // hex digits (hashed here from the file's bytes), the shower count and context
        String fileSha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(in)));
        for (String type : List.of("input", "parent_input")) {
            JsonNode ev = journal.lines().map(l -> {
                try {
                    return Json.MAPPER.readTree(l);
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }).filter(e -> type.equals(e.path("ev").asText())).findFirst().orElseThrow(() -> new AssertionError("no " + type + " event"));
            assertEquals("in.hdf5", ev.path("name").asText());
            assertEquals(fileSha.substring(0, 16), ev.path("digest").asText());
            assertEquals("training", ev.path("context").asText());
            JsonNode profile = Json.MAPPER.readTree(ev.path("profile").asText());
            assertEquals(40, profile.path("showers").asLong());
            assertEquals(40, profile.path("train_showers").asLong() + profile.path("select_showers").asLong());
            assertEquals(fileSha, profile.path("sha256").get(0).asText());
            assertEquals(in.toAbsolutePath().normalize().toUri().toString(), Json.MAPPER.readTree(ev.path("source").asText()).path("uri").asText());
        }

        // Flow-3 from the teacher's model folder: x-pass only
        Path s3 = dir.resolve("s3");
        assertEquals(0, Main.execute("distill", "--flow", "3", "-c", cfg, "-d", data.toString(),
                "--teacher", dir.resolve("t3").resolve(ModelFolder.MODEL).toString(), "-o", s3.toString(), "--epochs", "1"));
        assertTrue(Files.readAllLines(s3.resolve(ModelFolder.HISTORY)).get(0).endsWith("samples_per_s,lx,lx_states,lx_made"));

        // bad input: exit 2
        assertEquals(2, Main.execute("distill", "--flow", "1", "-c", cfg, "-d", data.toString(), "--teacher", dir.resolve("t2").toString(), "-o", dir.resolve("x").toString()));
        assertEquals(2, Main.execute("distill", "--flow", "2", "-c", cfg, "-d", data.toString(), "--teacher", dir.resolve("nope").toString(), "-o", dir.resolve("x").toString()));
        // a Flow-2 teacher given for Flow-3: architecture mismatch
        assertEquals(2, Main.execute("distill", "--flow", "3", "-c", cfg, "-d", data.toString(), "--teacher", dir.resolve("t2").toString(), "-o", dir.resolve("x").toString()));
    }
}
