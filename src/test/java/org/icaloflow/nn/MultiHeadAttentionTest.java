package org.icaloflow.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Multi-head attention against a plain-Java loop over batch, heads and positions written here. */
class MultiHeadAttentionTest {
    static final int B = 2, E = 6, H = 3;

    /** Attention of one batch row by the definition: per head softmax(q kᵀ/√d + mask) v, then the output map. */
    static double[] reference(double[][] p, double[] x, double[] mem, int tq, int tk, boolean causal) {
        // p: query W, b, key W, b, value W, b, output W, b; W (in, out) row-major
        double[] q = dense(x, tq, p[0], p[1]);
        double[] k = dense(mem, tk, p[2], p[3]);
        double[] v = dense(mem, tk, p[4], p[5]);
        int d = E / H;
        double[] mixed = new double[tq * E];
        for (int h = 0; h < H; h++) {
            for (int i = 0; i < tq; i++) {
                double[] s = new double[tk];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < tk; j++) {
                    if (causal && j > i) {
                        s[j] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double dot = 0;
                    for (int c = 0; c < d; c++) dot += q[i * E + h * d + c] * k[j * E + h * d + c];
                    s[j] = dot / Math.sqrt(d);
                    max = Math.max(max, s[j]);
                }
                double z = 0;
                for (int j = 0; j < tk; j++) z += Math.exp(s[j] - max);
                for (int j = 0; j < tk; j++) {
                    double a = Math.exp(s[j] - max) / z;
                    for (int c = 0; c < d; c++) mixed[i * E + h * d + c] += a * v[j * E + h * d + c];
                }
            }
        }
        return dense(mixed, tq, p[6], p[7]);
    }

    static double[] dense(double[] x, int rows, double[] w, double[] b) {
        double[] y = new double[rows * E];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < E; o++) {
                double s = b[o];
                for (int i = 0; i < E; i++) s += x[r * E + i] * w[i * E + o];
                y[r * E + o] = s;
            }
        }
        return y;
    }

    static double[] slice(double[] a, int row, int len) {
        return java.util.Arrays.copyOfRange(a, row * len, (row + 1) * len);
    }

    @Test
    void selfAttentionWithCausalMaskAndCrossAttentionMatchTheDefinition() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters params = new Parameters(m, DataType.FLOAT64, new SplittableRandom(11));
            MultiHeadAttention att = new MultiHeadAttention(params.scope("attention"), E, H, Linear.Start.XAVIER_UNIFORM);
            assertEquals(8, params.list().size());
            assertEquals("attention.query.weight", params.names().get(0));
            // non-zero biases so that a dropped bias is seen
            SplittableRandom r = new SplittableRandom(5);
            double[][] p = new double[8][];
            for (int i = 0; i < 8; i++) {
                NDArray a = params.list().get(i);
                if (i % 2 == 1) {
                    double[] bias = new double[E];
                    for (int j = 0; j < E; j++) bias[j] = r.nextDouble() - 0.5;
                    a.set(bias);
                }
                p[i] = a.toDoubleArray();
            }
            int t = 4, tk = 3;
            double[] x = LayersTest.randoms(1, B * t * E);
            double[] mem = LayersTest.randoms(2, B * tk * E);
            NDArray xs = m.create(x, new Shape(B, t, E));
            double[] self = att.forward(xs, xs, MultiHeadAttention.causalMask(m, t, DataType.FLOAT64)).toDoubleArray();
            double[] open = att.forward(xs, xs, null).toDoubleArray();
            double[] cross = att.forward(xs, m.create(mem, new Shape(B, tk, E)), null).toDoubleArray();
            for (int b = 0; b < B; b++) {
                double[] xb = slice(x, b, t * E);
                assertArrayEquals(reference(p, xb, xb, t, t, true), slice(self, b, t * E), 1e-12);
                assertArrayEquals(reference(p, xb, xb, t, t, false), slice(open, b, t * E), 1e-12);
                assertArrayEquals(reference(p, xb, slice(mem, b, tk * E), t, tk, false), slice(cross, b, t * E), 1e-12);
            }
        }
    }

    @Test
    void causalMaskedPositionsDoNotSeeLaterOnesAndEveryParameterGetsAGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters params = new Parameters(m, DataType.FLOAT32, new SplittableRandom(3));
            MultiHeadAttention att = new MultiHeadAttention(params, E, H, Linear.Start.TORCH_DEFAULT);
            int t = 5;
            double[] x = LayersTest.randoms(4, B * t * E);
            NDArray mask = MultiHeadAttention.causalMask(m, t, DataType.FLOAT32);
            for (int k = 0; k < t; k++) {
                double[] moved = x.clone();
                for (int b = 0; b < B; b++) {
                    for (int c = 0; c < E; c++) moved[(b * t + k) * E + c] += 3.0;
                }
                float[] y0 = self(att, m, x, t, mask);
                float[] y1 = self(att, m, moved, t, mask);
                for (int b = 0; b < B; b++) {
                    for (int i = 0; i < t; i++) {
                        boolean changed = false;
                        for (int c = 0; c < E; c++) {
                            int at = (b * t + i) * E + c;
                            if (i < k) assertEquals(y0[at], y1[at], 0f, "position " + i + " saw position " + k);
                            changed |= Math.abs(y0[at] - y1[at]) > 1e-4;
                        }
                        if (i >= k) assertTrue(changed, "position " + i + " ignored position " + k);
                    }
                }
            }
            NDArray xs = m.create(x, new Shape(B, t, E)).toType(DataType.FLOAT32, false);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(att.forward(xs, xs, mask).square().sum());
            }
            for (int i = 0; i < params.list().size(); i++) {
                assertTrue(params.list().get(i).getGradient().abs().sum().getFloat() > 0, params.names().get(i));
            }
        }
    }

    private static float[] self(MultiHeadAttention att, NDManager m, double[] x, int t, NDArray mask) {
        NDArray xs = m.create(x, new Shape(B, t, E)).toType(DataType.FLOAT32, false);
        return att.forward(xs, xs, mask).toFloatArray();
    }

    @Test
    void widthMustSplitIntoHeads() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m, DataType.FLOAT32, new SplittableRandom(1));
            assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(p, 10, 4, Linear.Start.ZERO));
        }
    }
}
