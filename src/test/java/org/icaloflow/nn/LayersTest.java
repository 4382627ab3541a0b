package org.icaloflow.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The dense building blocks against plain-Java computations written here: Linear on 2-D and 3-D inputs, the
 * four starts, LayerNorm, the activations at known values, DenseNetwork, and the parameter registry's names.
 */
class LayersTest {

    static double[] randoms(long seed, int n) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return v;
    }

    static Parameters parameters(NDManager m, long seed) {
        return new Parameters(m, DataType.FLOAT64, new SplittableRandom(seed));
    }

    @Test
    void linearIsXTimesWPlusBOnTheLastAxisOfAnyRank() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear lin = new Linear(parameters(m, 1).scope("proj"), 3, 2, Linear.Start.TORCH_DEFAULT);
            double[] w = lin.weight().toDoubleArray();
            double[] b = lin.bias().toDoubleArray();
            double[] x = randoms(2, 2 * 4 * 3);
            double[] y = lin.forward(m.create(x, new Shape(2, 4, 3))).toDoubleArray();
            assertEquals(2 * 4 * 2, y.length);
            for (int r = 0; r < 8; r++) {
                for (int o = 0; o < 2; o++) {
                    double s = b[o];
                    for (int i = 0; i < 3; i++) s += x[r * 3 + i] * w[i * 2 + o];
                    assertEquals(s, y[r * 2 + o], 1e-12);
                }
            }
            double[] y2 = lin.forward(m.create(x, new Shape(8, 3))).toDoubleArray();
            assertArrayEquals(y, y2, 1e-12);
        }
    }

    @Test
    void startsDrawTheirDocumentedDistributions() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = parameters(m, 3);
            int in = 200, out = 300;
            double[] torch = new Linear(p.scope("a"), in, out, Linear.Start.TORCH_DEFAULT).weight().toDoubleArray();
            double[] xavier = new Linear(p.scope("b"), in, out, Linear.Start.XAVIER_UNIFORM).weight().toDoubleArray();
            Linear normal = new Linear(p.scope("c"), in, out, Linear.Start.NORMAL_002);
            Linear zero = new Linear(p.scope("d"), in, out, Linear.Start.ZERO);
            // uniform(±a) has max |w| close to a and variance a²/3
            assertBound(torch, 1 / Math.sqrt(in));
            assertBound(xavier, Math.sqrt(6.0 / (in + out)));
            double[] n = normal.weight().toDoubleArray();
            assertEquals(0.02 * 0.02, variance(n), 0.02 * 0.02 * 0.02);
            assertArrayEquals(new double[out], normal.bias().toDoubleArray());
            assertArrayEquals(new double[in * out], zero.weight().toDoubleArray());
            assertEquals(4 * 2, p.names().size());
            assertEquals("a.weight", p.names().get(0));
            assertEquals("d.bias", p.names().get(7));
            assertEquals(4L * (in * out + out), p.count());
            assertTrue(p.list().stream().allMatch(NDArray::hasGradient));
            assertThrows(IllegalArgumentException.class, () -> new Linear(p.scope("a"), 2, 2, Linear.Start.ZERO));
        }
    }

    private static void assertBound(double[] w, double a) {
        double max = 0;
        for (double v : w) max = Math.max(max, Math.abs(v));
        assertTrue(max <= a && max > 0.99 * a, "max " + max + " bound " + a);
        assertEquals(a * a / 3, variance(w), 0.03 * a * a / 3);
    }

    private static double variance(double[] v) {
        double s = 0, q = 0;
        for (double x : v) {
            s += x;
            q += x * x;
        }
        return q / v.length - (s / v.length) * (s / v.length);
    }

    @Test
    void layerNormStandardisesTheLastAxisThenScalesAndShifts() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = parameters(m, 4);
            LayerNorm plain = new LayerNorm(p.scope("plain"), 5, 1e-6, false);
            LayerNorm affine = new LayerNorm(p.scope("affine"), 5, 1e-5, true);
            assertEquals(2, p.list().size());
            p.list().get(0).set(new double[] {1, 2, 3, 0.5, -1});
            p.list().get(1).set(new double[] {0.1, 0.2, -0.3, 0, 1});
            double[] x = randoms(5, 3 * 5);
            for (int i = 0; i < 5; i++) x[i] *= 100; // a row of large values
            double[] y0 = plain.forward(m.create(x, new Shape(3, 5))).toDoubleArray();
            double[] y1 = affine.forward(m.create(x, new Shape(3, 5))).toDoubleArray();
            double[] g = {1, 2, 3, 0.5, -1};
            double[] bt = {0.1, 0.2, -0.3, 0, 1};
            for (int r = 0; r < 3; r++) {
                double mean = 0;
                for (int i = 0; i < 5; i++) mean += x[r * 5 + i] / 5;
                double var = 0;
                for (int i = 0; i < 5; i++) var += (x[r * 5 + i] - mean) * (x[r * 5 + i] - mean) / 5;
                for (int i = 0; i < 5; i++) {
                    double z = (x[r * 5 + i] - mean);
                    assertEquals(z / Math.sqrt(var + 1e-6), y0[r * 5 + i], 1e-9);
                    assertEquals(z / Math.sqrt(var + 1e-5) * g[i] + bt[i], y1[r * 5 + i], 1e-9);
                }
            }
        }
    }

    @Test
    void activationsHaveTheirKnownValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] x = {-3, -1, -0.5, 0, 0.5, 1, 3};
            double[] relu = Nonlinearity.RELU.apply(m.create(x)).toDoubleArray();
            double[] silu = Nonlinearity.SILU.apply(m.create(x)).toDoubleArray();
            double[] gelu = Nonlinearity.GELU_TANH.apply(m.create(x)).toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Math.max(0, x[i]), relu[i], 0);
                assertEquals(x[i] / (1 + Math.exp(-x[i])), silu[i], 1e-12);
                double c = Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * x[i] * x[i] * x[i]);
                assertEquals(0.5 * x[i] * (1 + Math.tanh(c)), gelu[i], 1e-12);
            }
            // the tanh form stays within 1e-3 of the exact GELU x·Φ(x): Φ(1) = 0.8413447461, Φ(3) = 0.9986501020
            assertEquals(0.8413447461, gelu[5], 1e-3);
            assertEquals(-1 + 0.8413447461, gelu[1], 1e-3);
            assertEquals(3 * 0.9986501020, gelu[6], 1e-3);
        }
    }

    @Test
    void denseNetworkAppliesTheActivationBetweenLayersOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = parameters(m, 6);
            DenseNetwork net = new DenseNetwork(p.scope("head"), new int[] {3, 4, 2}, Nonlinearity.SILU, Linear.Start.TORCH_DEFAULT);
            assertEquals(java.util.List.of("head.layer0.weight", "head.layer0.bias", "head.layer1.weight", "head.layer1.bias"), p.names());
            double[] w0 = p.list().get(0).toDoubleArray(), b0 = p.list().get(1).toDoubleArray();
            double[] w1 = p.list().get(2).toDoubleArray(), b1 = p.list().get(3).toDoubleArray();
            double[] x = randoms(7, 5 * 3);
            double[] y = net.forward(m.create(x, new Shape(5, 3))).toDoubleArray();
            for (int r = 0; r < 5; r++) {
                double[] h = new double[4];
                for (int j = 0; j < 4; j++) {
                    double s = b0[j];
                    for (int i = 0; i < 3; i++) s += x[r * 3 + i] * w0[i * 4 + j];
                    h[j] = s / (1 + Math.exp(-s));
                }
                for (int o = 0; o < 2; o++) {
                    double s = b1[o];
                    for (int j = 0; j < 4; j++) s += h[j] * w1[j * 2 + o];
                    assertEquals(s, y[r * 2 + o], 1e-12);
                }
            }
        }
    }

    /** The activations' gradients are the analytic derivatives (no Java-number multiplications under autograd). */
    @Test
    void activationGradientsAreTheDerivatives() {
        double[] x0 = {-2, -0.3, 0.1, 1.7};
        for (Nonlinearity f : new Nonlinearity[] {Nonlinearity.SILU, Nonlinearity.GELU_TANH}) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.create(x0);
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(f.apply(x).sum());
                }
                double[] g = x.getGradient().toDoubleArray();
                for (int i = 0; i < x0.length; i++) {
                    double h = 1e-6;
                    double num = (value(f, x0[i] + h) - value(f, x0[i] - h)) / (2 * h);
                    assertEquals(num, g[i], 1e-7, f + " at " + x0[i]);
                }
            }
        }
    }

    private static double value(Nonlinearity f, double x) {
        if (f == Nonlinearity.SILU) return x / (1 + Math.exp(-x));
        double c = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
        return 0.5 * x * (1 + Math.tanh(c));
    }
}
