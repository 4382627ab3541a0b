package org.icaloflow.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.icaloflow.UserError;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowSaveLoadTest {
    static {
        FlowTestSupport.singleThreaded();
    }

    @TempDir
    Path tmp;

    private static final FlowSpec SPEC = new FlowSpec(FlowKind.MAF, 6, 2, 1, 12, 4, 8, 14, 42, 1e-6, 1e-6, 1e-6);

    private static Flow randomFlow(NDManager m, long seed) {
        Flow flow = Flow.create(SPEC, m);
        FlowTestSupport.randomize(flow, seed, 0.3);
        return flow;
    }

    /** n × d standard normal values, float32. */
    private static NDArray rows(NDManager m, Random rng, int n, int d) {
        return m.create(FlowTestSupport.gaussian(rng, n * d, 1), new Shape(n, d)).toType(DataType.FLOAT32, false);
    }

    @Test
    void roundTripGivesIdenticalLogProbs() {
        try (NDManager m = NDManager.newBaseManager()) {
            Flow flow = randomFlow(m, 3);
            NDArray x = rows(m, new Random(1), 20, 6);
            NDArray c = rows(m, new Random(11), 20, 2);
            float[] before = flow.logProb(x, c).toFloatArray();
            Path dir = tmp.resolve("ckpt");
            FlowCheckpoint.save(flow, dir);
            assertTrue(Files.isRegularFile(dir.resolve(FlowCheckpoint.JSON_FILE)));
            assertTrue(Files.isRegularFile(dir.resolve(FlowCheckpoint.PARAMS_FILE)));
            try (Flow loaded = FlowCheckpoint.load(dir, m, SPEC)) {
                assertEquals(SPEC, loaded.spec());
                assertEquals(DataType.FLOAT32, loaded.dataType());
                for (int i = 1; i < SPEC.blocks(); i++) {
                    assertArrayEquals(flow.permutation(i), loaded.permutation(i));
                }
                assertArrayEquals(before, loaded.logProb(x, c).toFloatArray(), 0f);
            }
            // a fresh flow of the same spec differs (the checkpoint really carries the weights)
            try (Flow fresh = Flow.create(SPEC, m)) {
                float[] other = fresh.logProb(x, c).toFloatArray();
                double diff = 0;
                for (int i = 0; i < other.length; i++) {
                    diff = Math.max(diff, Math.abs(other[i] - before[i]));
                }
                assertTrue(diff > 1e-3);
            }
            flow.close();
        }
    }

    /**
     * Format 1 and 2 checkpoints (the pre-nflows parameterisation: no condition bias or ReLU, shifted knot
     * derivatives) are refused with one line naming the file and asking to retrain. (Format 1 used to be regrouped
     * on loading; the change of parameterisation is the point of issue 12 item 5.)
     */
    @Test
    void oldParameterisationCheckpointIsAUserError() throws Exception {
        assertEquals(3, FlowCheckpoint.FORMAT_VERSION);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int old : new int[] {1, 2}) {
                Path dir = tmp.resolve("v" + old);
                try (Flow flow = randomFlow(m, 5)) {
                    FlowCheckpoint.save(flow, dir);
                }
                Path json = dir.resolve(FlowCheckpoint.JSON_FILE);
                Files.writeString(json, Files.readString(json).replace("\"formatVersion\" : " + FlowCheckpoint.FORMAT_VERSION,
                        "\"formatVersion\" : " + old));
                UserError e = assertThrows(UserError.class, () -> FlowCheckpoint.load(dir, m, SPEC));
                assertTrue(e.getMessage().contains(json.toString()), e.getMessage());
                assertTrue(e.getMessage().contains("format version " + old), e.getMessage());
                assertTrue(e.getMessage().contains("old spline/MADE parameterisation"), e.getMessage());
                assertTrue(e.getMessage().contains("retrain"), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), "one line");
            }
        }
    }

    @Test
    void otherArchitectureOrVersionIsAUserError() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = tmp.resolve("ckpt2");
            try (Flow flow = Flow.create(SPEC, m)) {
                FlowCheckpoint.save(flow, dir);
            }
            FlowSpec other = new FlowSpec(FlowKind.MAF, 6, 2, 1, 16, 4, 8, 14, 42, 1e-6, 1e-6, 1e-6);
            UserError e = assertThrows(UserError.class, () -> FlowCheckpoint.load(dir, m, other));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("hiddenWidth: 12 vs 16"), e.getMessage());

            Path json = dir.resolve(FlowCheckpoint.JSON_FILE);
            String text = Files.readString(json);
            Files.writeString(json, text.replace("\"formatVersion\" : " + FlowCheckpoint.FORMAT_VERSION, "\"formatVersion\" : 99"));
            UserError v = assertThrows(UserError.class, () -> FlowCheckpoint.load(dir, m));
            assertTrue(v.getMessage().contains("format version 99"), v.getMessage());
            assertTrue(v.getMessage().contains(json.toString()), v.getMessage());

            // parameters of another shape than the json claims
            Path dir3 = tmp.resolve("ckpt3");
            try (Flow small = Flow.create(other, m)) {
                FlowCheckpoint.save(small, dir3);
            }
            Files.copy(dir.resolve(FlowCheckpoint.PARAMS_FILE), dir3.resolve(FlowCheckpoint.PARAMS_FILE),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            UserError s = assertThrows(UserError.class, () -> FlowCheckpoint.load(dir3, m));
            assertTrue(s.getMessage().contains("shape"), s.getMessage());

            UserError missing = assertThrows(UserError.class, () -> FlowCheckpoint.load(tmp.resolve("nope"), m));
            assertTrue(missing.getMessage().contains("nope"));
        }
    }

    @Test
    void aBrokenPermutationIsNamedWhereverItComesFrom() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = tmp.resolve("ckpt-perm");
            try (Flow flow = Flow.create(SPEC, m)) {
                FlowCheckpoint.save(flow, dir);
            }
            Path json = dir.resolve(FlowCheckpoint.JSON_FILE);
            com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.node.ObjectNode root =
                    (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(json.toFile());
            // a repeated entry, then too few entries, in block 2's permutation
            ((com.fasterxml.jackson.databind.node.ArrayNode) root.get("permutations")).set(2, mapper.valueToTree(new int[] {0, 0, 1, 2, 3, 4}));
            Files.writeString(json, mapper.writeValueAsString(root));
            UserError dup = assertThrows(UserError.class, () -> FlowCheckpoint.load(dir, m));
            assertEquals(json + ": permutation 2 is not a permutation of 0..5", dup.getMessage());
            ((com.fasterxml.jackson.databind.node.ArrayNode) root.get("permutations")).set(2, mapper.valueToTree(new int[] {2, 1, 0}));
            Files.writeString(json, mapper.writeValueAsString(root));
            UserError shortOne = assertThrows(UserError.class, () -> FlowCheckpoint.load(dir, m));
            assertEquals(json + ": permutation 2 must have 6 entries", shortOne.getMessage());

            int[][] perms = new int[SPEC.blocks()][];
            for (int i = 1; i < perms.length; i++) perms[i] = new int[] {5, 4, 3, 2, 1, 0};
            perms[1] = new int[] {0, 1, 2, 3, 4, 6};
            IllegalArgumentException given = assertThrows(IllegalArgumentException.class,
                    () -> Flow.create(SPEC, m, DataType.FLOAT32, perms));
            assertEquals("permutation 1 is not a permutation of 0..5", given.getMessage());
            IllegalArgumentException part = assertThrows(IllegalArgumentException.class, () -> new Permutation(new int[] {1, 1}, m));
            assertEquals("order is not a permutation of 0..1", part.getMessage());
        }
    }
}
