package org.icaloflow.cfm;

import org.icaloflow.nn.Parameters;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The energy network's structure: embedding, causality (Eq. 9), parallel = sequential, sizes, time features. */
class EnergyNetworkTest {
    static final int B = 3, L = 5;
    /** Tiny: 5 positions, width 16, 2 heads, 2 + 2 layers, feed-forward 24, time 8, velocity network 3 × 12. */
    static final EnergyNetwork.Settings TINY = new EnergyNetwork.Settings(L, 1, 16, 2, 2, 2, 24, 8, 30, 12, 3);

    static double[] randoms(long seed, int n) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return v;
    }

    static EnergyNetwork tiny(NDManager m, DataType type, long seed) {
        return new EnergyNetwork(new Parameters(m, type, new SplittableRandom(seed)), TINY);
    }

    @Test
    void embeddingIsValueOneHotPositionAndZeros() {
        try (NDManager m = NDManager.newBaseManager()) {
            EnergyNetwork net = tiny(m, DataType.FLOAT64, 1);
            double[] p = {0.25, -1.5, 3.0, 7.0, 0.5, -0.125};
            double[] e = net.embed(m.create(p, new Shape(2, 3)), L + 1).toDoubleArray();
            assertEquals(2 * 3 * 16, e.length);
            for (int b = 0; b < 2; b++) {
                for (int j = 0; j < 3; j++) {
                    int row = (b * 3 + j) * 16;
                    assertEquals(p[b * 3 + j], e[row], 0, "value first");
                    for (int c = 1; c < 16; c++) {
                        double want = c - 1 == j ? 1 : 0; // one-hot of width L + 1 = 6 at columns 1..6, then zeros
                        assertEquals(want, e[row + c], 0, "b " + b + " position " + j + " column " + c);
                    }
                }
            }
            // the condition: one position, one-hot width 1
            double[] c = net.embed(m.create(new double[] {0.7, 0.1}, new Shape(2, 1)), 1).toDoubleArray();
            double[] want = new double[32];
            want[0] = 0.7;
            want[1] = 1;
            want[16] = 0.1;
            want[17] = 1;
            assertArrayEquals(want, c, 0);
            assertThrows(IllegalArgumentException.class, () -> new EnergyNetwork.Settings(L, 1, 6, 2, 1, 1, 8, 8, 30, 8, 2),
                    "width 6 cannot hold a value and a one-hot of 6");
        }
    }

    @Test
    void conditionIDependsOnUBeforeIAndOnTheConditionOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            EnergyNetwork net = tiny(m, DataType.FLOAT64, 2);
            double[] u = randoms(3, B * L);
            NDArray cond = m.create(new double[] {0.1, 0.5, 0.9});
            double[] c0 = net.conditions(m.create(u, new Shape(B, L)), cond).toDoubleArray();
            int e = TINY.embedding();
            for (int k = 0; k < L; k++) {
                double[] moved = u.clone();
                for (int b = 0; b < B; b++) moved[b * L + k] += 0.8;
                double[] c1 = net.conditions(m.create(moved, new Shape(B, L)), cond).toDoubleArray();
                for (int b = 0; b < B; b++) {
                    for (int i = 0; i < L; i++) {
                        double change = 0;
                        for (int j = 0; j < e; j++) change = Math.max(change, Math.abs(c1[(b * L + i) * e + j] - c0[(b * L + i) * e + j]));
                        if (i <= k) assertEquals(0, change, 1e-12, "c_" + i + " saw u_" + k);
                        else assertTrue(change > 1e-4, "c_" + i + " ignored u_" + k + " (change " + change + ")");
                    }
                }
            }
            // the condition reaches every c_i, c_0 included
            double[] c2 = net.conditions(m.create(u, new Shape(B, L)), cond.add(0.3)).toDoubleArray();
            for (int b = 0; b < B; b++) {
                for (int i = 0; i < L; i++) {
                    double change = 0;
                    for (int j = 0; j < e; j++) change = Math.max(change, Math.abs(c2[(b * L + i) * e + j] - c0[(b * L + i) * e + j]));
                    assertTrue(change > 1e-4, "c_" + i + " ignored the condition");
                }
            }
        }
    }

    @Test
    void parallelTrainingEvaluationEqualsPositionByPositionEvaluation() {
        for (DataType type : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
            double tol = type == DataType.FLOAT64 ? 1e-10 : 2e-5;
            try (NDManager m = NDManager.newBaseManager()) {
                EnergyNetwork net = tiny(m, type, 4);
                NDArray u = m.create(randoms(5, B * L), new Shape(B, L)).toType(type, false);
                NDArray ut = m.create(randoms(6, B * L), new Shape(B, L)).toType(type, false);
                NDArray t = m.create(new double[] {0.1, 0.45, 0.8}).toType(type, false);
                NDArray cond = m.create(new double[] {0.2, 0.6, 1.0}).toType(type, false);
                NDArray c = net.conditions(u, cond);
                NDArray v = net.forward(ut, t, u, cond);
                assertEquals(new Shape(B, L), v.getShape());
                NDArray memory = net.memory(cond);
                for (int i = 0; i < L; i++) {
                    NDArray prefix = i == 0 ? null : u.get(new NDIndex(":, 0:{}", i));
                    NDArray ci = net.nextCondition(prefix, memory);
                    assertArrayEquals(toDouble(c.get(new NDIndex(":, {}, :", i))), toDouble(ci), tol, "c_" + i);
                    // the velocity at position i from the sequential c_i, u_i(t) and each sample's own time
                    NDArray vi = net.velocity(ut.get(new NDIndex(":, {}:{}", i, i + 1)), net.timeEmbedding(t), ci);
                    assertArrayEquals(toDouble(v.get(new NDIndex(":, {}:{}", i, i + 1))), toDouble(vi), tol, "v_" + i);
                }
                // v_i reads u_i(t) and no other u_j(t)
                double[] v0 = toDouble(v);
                NDArray moved = ut.add(m.create(new float[] {0, 0, 0.5f, 0, 0}).toType(type, false));
                double[] v1 = toDouble(net.forward(moved, t, u, cond));
                for (int b = 0; b < B; b++) {
                    for (int i = 0; i < L; i++) {
                        double d = Math.abs(v1[b * L + i] - v0[b * L + i]);
                        if (i == 2) assertTrue(d > 1e-5, "v_2 ignored u_2(t)");
                        else assertEquals(0, d, tol, "v_" + i + " read u_2(t)");
                    }
                }
            }
        }
    }

    static double[] toDouble(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** Learnable values summed by hand from the layer shapes: width 64, 4 + 4 layers, time 64, 8 head layers. */
    static long handCount(int ff, int h) {
        int e = 64, d = 64;
        long attention = 4L * (e * e + e);                  // query, key, value, output
        long feedForward = (long) e * ff + ff + (long) ff * e + e;
        long norm = 2L * e;
        long encoderLayer = attention + feedForward + 2 * norm;
        long decoderLayer = 2 * attention + feedForward + 3 * norm;
        long transformer = 4 * encoderLayer + norm + 4 * decoderLayer + norm;
        long time = (long) d * d + d;
        long head = (1L + d + e) * h + h + 6L * ((long) h * h + h) + h + 1; // 129 → h, 6 × h → h, h → 1
        return transformer + time + head;
    }

    @Test
    void table1PresetHasTheHandCountedParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m, DataType.FLOAT32, new SplittableRandom(7));
            EnergyNetwork net = new EnergyNetwork(p, EnergyNetwork.Settings.table1());
            assertEquals(handCount(1024, 256), p.count());
            assertEquals(1_692_225L, p.count());
            long summed = 0;
            for (NDArray a : p.list()) summed += a.getShape().size();
            assertEquals(p.count(), summed);
            // 4 × 16 + 2 + 4 × 26 + 2 transformer arrays, 2 time, 16 head; the frequencies are a buffer
            assertEquals(4 * 16 + 2 + 4 * 26 + 2 + 2 + 16, p.list().size());
            assertEquals(new Shape(32), net.buffers().get("time_embedding.frequencies").getShape());
            assertFalse(p.names().stream().anyMatch(n -> n.contains("frequenc")));
            assertEquals(45, net.settings().positions());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m, DataType.FLOAT32, new SplittableRandom(7));
            new EnergyNetwork(p, EnergyNetwork.Settings.authorsConfig(45));
            assertEquals(handCount(512, 512), p.count());
        }
    }

    @Test
    void fourierFeaturesAreSinesThenCosinesOfFixedFrequenciesFromTheRng() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m, DataType.FLOAT64, new SplittableRandom(8));
            GaussianFourierProjection g = new GaussianFourierProjection(p, 6, 30);
            assertTrue(p.list().isEmpty(), "the frequencies are not learnable");
            SplittableRandom again = new SplittableRandom(8);
            double[] w = new double[3];
            for (int i = 0; i < 3; i++) w[i] = again.nextGaussian() * 30;
            assertArrayEquals(w, g.frequencies().toDoubleArray(), 0);
            double[] t = {0, 0.3, 0.77};
            double[] f = g.forward(m.create(t, new Shape(3, 1))).toDoubleArray();
            assertArrayEquals(f, g.forward(m.create(t)).toDoubleArray(), 0, "(B) and (B, 1) alike");
            for (int b = 0; b < 3; b++) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(Math.sin(2 * Math.PI * t[b] * w[i]), f[b * 6 + i], 1e-9);
                    assertEquals(Math.cos(2 * Math.PI * t[b] * w[i]), f[b * 6 + 3 + i], 1e-9);
                }
            }
        }
    }

    @Test
    void samplingRunsPositionByPositionAndTrainingReachesEveryParameter() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m, DataType.FLOAT32, new SplittableRandom(9));
            EnergyNetwork net = new EnergyNetwork(p, TINY);
            NDArray cond = m.create(new float[] {0.1f, 0.5f, 0.9f});
            NDArray a = net.sample(cond, new SplittableRandom(10), 4);
            NDArray b = net.sample(cond, new SplittableRandom(10), 4);
            assertEquals(new Shape(B, L), a.getShape());
            assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 1e-5f, "one seed, one sample");
            // u_0 by hand: c_0 from the condition alone, RK4-4 from the first B draws of the RNG
            SplittableRandom rng = new SplittableRandom(10);
            float[] eps = new float[B];
            for (int i = 0; i < B; i++) eps[i] = (float) rng.nextGaussian();
            NDArray c0 = net.conditions(m.zeros(new Shape(B, L)), cond).get(new NDIndex(":, 0, :"));
            NDArray u0 = new OdeSolver(OdeSolver.Method.RK4, 4).solve(
                    (x, t) -> net.velocity(x, net.timeEmbedding(x.zerosLike().add(t)), c0), m.create(eps, new Shape(B, 1)));
            assertArrayEquals(u0.toFloatArray(), a.get(new NDIndex(":, 0:1")).toFloatArray(), 1e-5f);
            // one training loss reaches every parameter but the query and key maps that attend to the one-element
            // memory (the encoder's self-attention and the decoder's cross-attention: softmax over one key is 1)
            NDArray u = m.create(randoms(11, B * L), new Shape(B, L)).toType(DataType.FLOAT32, false);
            NDArray noise = m.create(randoms(12, B * L), new Shape(B, L)).toType(DataType.FLOAT32, false);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(net.loss(u, cond, noise, m.create(new float[] {0.2f, 0.5f, 0.7f})));
            }
            for (int i = 0; i < p.list().size(); i++) {
                String name = p.names().get(i);
                boolean none = name.matches("transformer\\.(encoder\\.layers\\.\\d\\.self|decoder\\.layers\\.\\d\\.cross)_attention\\.(query|key)\\..*");
                float g = p.list().get(i).getGradient().abs().sum().getFloat();
                if (none) assertEquals(0f, g, 1e-6f, name);
                else assertTrue(g > 0, name);
            }
        }
    }
}
