package org.icaloflow.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
            flow.save(dir);
            assertTrue(Files.isRegularFile(dir.resolve(Flow.JSON_FILE)));
            assertTrue(Files.isRegularFile(dir.resolve(Flow.PARAMS_FILE)));
            try (Flow loaded = Flow.load(dir, m, SPEC)) {
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

    /** Format-1 checkpoints (feature-major MADE outputs) still load and give the same flow. */
    @Test
    void formatOneCheckpointIsRegroupedOnLoad() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Flow flow = randomFlow(m, 5);
            NDArray x = rows(m, new Random(2), 10, 6);
            NDArray c = rows(m, new Random(12), 10, 2);
            float[] before = flow.logProb(x, c).toFloatArray();
            Path dir = tmp.resolve("v1");
            flow.save(dir);
            int d = SPEC.dim();
            int p = SPEC.paramsPerFeature();
            ai.djl.ndarray.NDList old = new ai.djl.ndarray.NDList();
            try (java.io.InputStream is = Files.newInputStream(dir.resolve(Flow.PARAMS_FILE))) {
                ai.djl.ndarray.NDList list = ai.djl.ndarray.NDList.decode(m, is);
                for (int i = 0; i < list.size(); i++) {
                    NDArray a = list.get(i);
                    String name = flow.parameterNames().get(i);
                    if (name.endsWith(".out.weight")) {   // columns p·D + k → k·P + p
                        long rows = a.getShape().get(0);
                        a = a.reshape(rows, p, d).transpose(0, 2, 1).reshape(rows, d * p);
                    } else if (name.endsWith(".out.bias")) {
                        a = a.reshape(p, d).transpose(1, 0).reshape(d * p);
                    }
                    a.setName(name);
                    old.add(a);
                }
            }
            try (java.io.OutputStream os = Files.newOutputStream(dir.resolve(Flow.PARAMS_FILE))) {
                old.encode(os);
            }
            Path json = dir.resolve(Flow.JSON_FILE);
            Files.writeString(json, Files.readString(json).replace("\"formatVersion\" : " + Flow.FORMAT_VERSION,
                    "\"formatVersion\" : 1"));
            try (Flow loaded = Flow.load(dir, m, SPEC)) {
                assertArrayEquals(before, loaded.logProb(x, c).toFloatArray(), 0f);
            }
            flow.close();
        }
    }

    @Test
    void otherArchitectureOrVersionIsAUserError() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = tmp.resolve("ckpt2");
            try (Flow flow = Flow.create(SPEC, m)) {
                flow.save(dir);
            }
            FlowSpec other = new FlowSpec(FlowKind.MAF, 6, 2, 1, 16, 4, 8, 14, 42, 1e-6, 1e-6, 1e-6);
            UserError e = assertThrows(UserError.class, () -> Flow.load(dir, m, other));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("hiddenWidth: 12 vs 16"), e.getMessage());

            Path json = dir.resolve(Flow.JSON_FILE);
            String text = Files.readString(json);
            Files.writeString(json, text.replace("\"formatVersion\" : " + Flow.FORMAT_VERSION, "\"formatVersion\" : 99"));
            UserError v = assertThrows(UserError.class, () -> Flow.load(dir, m));
            assertTrue(v.getMessage().contains("format version 99"), v.getMessage());
            assertTrue(v.getMessage().contains(json.toString()), v.getMessage());

            // parameters of another shape than the json claims
            Path dir3 = tmp.resolve("ckpt3");
            try (Flow small = Flow.create(other, m)) {
                small.save(dir3);
            }
            Files.copy(dir.resolve(Flow.PARAMS_FILE), dir3.resolve(Flow.PARAMS_FILE),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            UserError s = assertThrows(UserError.class, () -> Flow.load(dir3, m));
            assertTrue(s.getMessage().contains("shape"), s.getMessage());

            UserError missing = assertThrows(UserError.class, () -> Flow.load(tmp.resolve("nope"), m));
            assertTrue(missing.getMessage().contains("nope"));
        }
    }
}
