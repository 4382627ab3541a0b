package org.icaloflow.evaluate.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MlpTest {
    static {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    /** Loss of the network in plain Java (float64), from the parameter values: the reference for gradients. */
    static double javaLoss(List<double[]> p, int[] widths, double[] x, double[] y, double slope) {
        int n = y.length;
        double loss = 0;
        for (int r = 0; r < n; r++) {
            double[] h = java.util.Arrays.copyOfRange(x, r * widths[0], (r + 1) * widths[0]);
            for (int l = 0; l + 1 < widths.length; l++) {
                double[] w = p.get(2 * l), b = p.get(2 * l + 1);
                double[] o = new double[widths[l + 1]];
                for (int j = 0; j < o.length; j++) {
                    double s = b[j];
                    for (int i = 0; i < h.length; i++) s += h[i] * w[i * o.length + j];
                    o[j] = l + 2 < widths.length && s < 0 ? slope * s : s;
                }
                h = o;
            }
            double z = h[0];
            loss += Math.max(z, 0) - y[r] * z + Math.log1p(Math.exp(-Math.abs(z)));
        }
        return loss / n;
    }

    /** Gradients through LeakyReLU, softplus and the BCE match central finite differences (float64). */
    @Test
    void gradientsMatchFiniteDifferences() {
        int[] widths = {3, 5, 5, 1};
        double slope = (float) 0.01; // DJL's leakyRelu takes a float slope
        Random rng = new Random(2);
        int n = 7;
        double[] x = new double[n * 3], y = new double[n];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian() * 2;
        for (int i = 0; i < n; i++) y[i] = rng.nextInt(2);
        try (NDManager m = NDManager.newBaseManager(); Mlp net = new Mlp(m, 3, 2, 5, slope, 9, DataType.FLOAT64)) {
            List<NDArray> params = net.parameters();
            assertEquals(6, params.size());
            NDArray xa = m.create(x, new Shape(n, 3));
            NDArray ya = m.create(y);
            double loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = Mlp.bceWithLogits(net.logits(xa, false), ya);
                loss = l.getDouble();
                gc.backward(l);
            }
            List<double[]> values = params.stream().map(NDArray::toDoubleArray).toList();
            assertEquals(javaLoss(values, widths, x, y, slope), loss, 1e-12);
            double h = 1e-6;
            for (int k = 0; k < params.size(); k++) {
                double[] g = params.get(k).getGradient().toDoubleArray();
                double[] v = values.get(k);
                for (int i = 0; i < v.length; i++) {
                    double keep = v[i];
                    v[i] = keep + h;
                    double up = javaLoss(values, widths, x, y, slope);
                    v[i] = keep - h;
                    double down = javaLoss(values, widths, x, y, slope);
                    v[i] = keep;
                    double fd = (up - down) / (2 * h);
                    assertEquals(fd, g[i], 1e-7, "parameter " + k + "[" + i + "]");
                }
            }
            // detached evaluation gives the same logits
            try (NDManager t = m.newSubManager()) {
                NDArray a = net.logits(xa, true);
                NDArray b = net.logits(xa, false);
                assertEquals(0.0, a.sub(b).abs().max().getDouble(), 0);
            }
        }
    }

    @Test
    void bceWithLogitsIsStableForLargeLogits() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(new float[] {80f, -80f, 0f});
            NDArray y = m.create(new float[] {0f, 1f, 1f});
            double l = Mlp.bceWithLogits(z, y).getFloat();
            assertEquals((80 + 80 + Math.log(2)) / 3, l, 1e-4);
        }
    }

    @Test
    void snapshotAndRestoreRoundTrip() {
        try (NDManager m = NDManager.newBaseManager(); Mlp net = new Mlp(m, 4, 1, 6, 0.01, 1, DataType.FLOAT32);
             NDManager keep = m.newSubManager()) {
            float[] before = net.parameters().get(0).toFloatArray();
            List<NDArray> snap = net.snapshot(keep);
            net.parameters().get(0).subi(1f);
            assertTrue(net.parameters().get(0).toFloatArray()[0] != before[0]);
            net.restore(snap);
            org.junit.jupiter.api.Assertions.assertArrayEquals(before, net.parameters().get(0).toFloatArray());
            assertTrue(net.parameters().get(0).hasGradient());
        }
    }

    /** Evaluation, training steps and snapshots leave nothing behind in the network's own scope. */
    @Test
    void noArraysAccumulateInTheNetworksScope() {
        try (NDManager m = NDManager.newBaseManager(); Mlp net = new Mlp(m, 3, 2, 8, 0.01, 1, DataType.FLOAT32);
             org.icaloflow.nn.Adam adam = new org.icaloflow.nn.Adam(net.parameters(), 1e-3, 0.9, 0.999, 1e-8, null)) {
            int before = -1;
            for (int k = 0; k < 3; k++) {
                try (NDManager s = m.newSubManager(); NDManager keep = m.newSubManager()) {
                    NDArray x = s.randomNormal(new Shape(10, 3));
                    NDArray y = s.create(new float[] {0, 1, 0, 1, 0, 1, 0, 1, 0, 1});
                    net.logits(x, true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(Mlp.bceWithLogits(net.logits(x, false), y));
                    }
                    adam.step();
                    net.restore(net.snapshot(keep));
                }
                int now = net.manager().getManagedArrays().size();
                if (k == 0) before = now; else assertEquals(before, now, "arrays in the network scope grow");
            }
        }
    }
}
