package org.icaloflow.flow;

import org.icaloflow.nn.Adam;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A small conditional MAF learns a 2-D Gaussian mixture whose shape depends on c ∈ [−1, 1]. */
class FlowLearningTest {
    static {
        FlowTestSupport.singleThreaded();
    }

    /** Mixture of two diagonal Gaussians, weights (0.4 + 0.2c, 0.6 − 0.2c). */
    static final class Truth {
        static double w1(double c) {
            return 0.4 + 0.2 * c;
        }

        static double[] mean(int comp, double c) {
            return comp == 0 ? new double[] {-1.0 + 0.3 * c, 0.8 * c} : new double[] {1.2 + 0.3 * c, -0.5 * c};
        }

        static double[] sd(int comp, double c) {
            return comp == 0 ? new double[] {0.45, 0.35} : new double[] {0.35 + 0.1 * c, 0.6 + 0.2 * c};
        }

        static void sample(Random rng, int n, float[] x, float[] cs) {
            for (int i = 0; i < n; i++) {
                double c = 2 * rng.nextDouble() - 1;
                int comp = rng.nextDouble() < w1(c) ? 0 : 1;
                double[] mu = mean(comp, c);
                double[] s = sd(comp, c);
                x[2 * i] = (float) (mu[0] + s[0] * rng.nextGaussian());
                x[2 * i + 1] = (float) (mu[1] + s[1] * rng.nextGaussian());
                cs[i] = (float) c;
            }
        }

        static double logProb(double x0, double x1, double c) {
            double p = 0;
            for (int comp = 0; comp < 2; comp++) {
                double w = comp == 0 ? w1(c) : 1 - w1(c);
                double[] mu = mean(comp, c);
                double[] s = sd(comp, c);
                double a = (x0 - mu[0]) / s[0];
                double b = (x1 - mu[1]) / s[1];
                p += w * Math.exp(-0.5 * (a * a + b * b)) / (2 * Math.PI * s[0] * s[1]);
            }
            return Math.log(p);
        }
    }

    @Test
    void heldOutNllApproachesTheTruth() {
        Engine.getInstance().setRandomSeed(7);
        FlowSpec spec = new FlowSpec(FlowKind.MAF, 2, 1, 1, 64, 4, 8, 5.0, 11, 1e-6, 1e-6, 1e-6);
        int batch = 256;
        int steps = 1200;
        double lrMax = 5e-3;
        Random rng = new Random(99);
        float[] xb = new float[2 * batch];
        float[] cb = new float[batch];
        try (NDManager root = NDManager.newBaseManager(); Flow flow = Flow.create(spec, root);
                Adam adam = new Adam(flow.parameters(), lrMax, flow::markParametersChanged)) {
            for (int step = 0; step < steps; step++) {
                adam.setLearningRate(1e-5 + 0.5 * (lrMax - 1e-5) * (1 + Math.cos(Math.PI * step / steps)));
                Truth.sample(rng, batch, xb, cb);
                try (NDManager s = root.newSubManager()) {
                    NDArray x = s.create(xb, new Shape(batch, 2));
                    NDArray c = s.create(cb, new Shape(batch, 1));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(flow.logProb(x, c).mean().neg());
                    }
                    adam.step();
                }
            }
            int n = 20000;
            float[] xt = new float[2 * n];
            float[] ct = new float[n];
            Truth.sample(new Random(12345), n, xt, ct);
            double trueNll = 0;
            for (int i = 0; i < n; i++) {
                trueNll -= Truth.logProb(xt[2 * i], xt[2 * i + 1], ct[i]) / n;
            }
            double flowNll;
            try (NDManager s = root.newSubManager()) {
                flow.setEvalMode(true);
                NDArray lp = flow.logProb(s.create(xt, new Shape(n, 2)), s.create(ct, new Shape(n, 1)));
                flowNll = -lp.toType(DataType.FLOAT64, false).mean().getDouble();
            }
            System.out.printf("held-out NLL: flow %.4f, truth %.4f%n", flowNll, trueNll);
            assertTrue(Math.abs(flowNll - trueNll) < 0.05,
                    "held-out NLL " + flowNll + " within 0.05 of the true " + trueNll);
        }
    }

    /**
     * The shape flows' hardest structure in a sparse layer (a MIP-like hit in DS2's first layer): exactly one of d
     * voxels holds the energy, the others only the dequantisation noise, encoded as Flow-2's inputs (fractions of the
     * noisy sum, logit with alpha 1e-6). A flow whose voxels do not depend on each other can only give a binomial hit
     * count, P(exactly one) = (1 - 1/d)^(d-1) = 0.39 for d = 8; the MAF must learn the dependence (0.78 here after 800
     * steps; 0.64 for d = 16 with hidden width 64 after 1500 steps, where independent voxels give 0.38;
     * bench/results/fidelity_ds2_cpu.md, "Layer closure").
     */
    @Test
    void learnsThatExactlyOneVoxelIsHot() {
        int d = 8, batch = 256, steps = 800;
        double lrMax = 1e-3;
        Engine.getInstance().setRandomSeed(7);
        FlowSpec spec = new FlowSpec(FlowKind.MAF, d, 1, 2, 32, 8, 8, 14.0, 11, 1e-3, 1e-3, 1e-3);
        Random rng = new Random(99);
        float[] xb = new float[d * batch];
        float[] cb = new float[batch];
        try (NDManager root = NDManager.newBaseManager(); Flow flow = Flow.create(spec, root);
                Adam adam = new Adam(flow.parameters(), lrMax, flow::markParametersChanged)) {
            for (int step = 0; step < steps; step++) {
                adam.setLearningRate(1e-5 + 0.5 * (lrMax - 1e-5) * (1 + Math.cos(Math.PI * step / steps)));
                for (int i = 0; i < batch; i++) {
                    int hot = rng.nextInt(d);
                    double[] e = new double[d];
                    double sum = 0;
                    for (int v = 0; v < d; v++) {
                        e[v] = (v == hot ? 5.0 : 0) + 0.005 * rng.nextDouble(); // MeV: a 5 MeV hit, U[0, 5 keV] noise
                        sum += e[v];
                    }
                    for (int v = 0; v < d; v++) {
                        double u = 1e-6 + (1 - 2e-6) * e[v] / sum;
                        xb[i * d + v] = (float) Math.log(u / (1 - u));
                    }
                }
                try (NDManager s = root.newSubManager()) {
                    NDArray x = s.create(xb, new Shape(batch, d));
                    NDArray c = s.create(cb, new Shape(batch, 1));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(flow.logProb(x, c).mean().neg());
                    }
                    adam.step();
                }
            }
            int n = 4000;
            float[] y;
            try (NDManager s = root.newSubManager()) {
                flow.setEvalMode(true);
                NDArray z = s.randomNormal(new Shape(n, d));
                y = flow.sampleFrom(z, s.zeros(new Shape(n, 1))).toType(DataType.FLOAT32, false).toFloatArray();
            }
            int one = 0;
            for (int i = 0; i < n; i++) {
                int hits = 0;
                for (int v = 0; v < d; v++) if (y[i * d + v] > 0) hits++; // fraction above 1/2
                if (hits == 1) one++;
            }
            double p1 = one / (double) n, independent = Math.pow(1 - 1.0 / d, d - 1);
            System.out.printf("P(exactly one hot voxel): flow %.3f, independent voxels %.3f, truth 1%n", p1, independent);
            assertTrue(p1 > 0.55, "P(exactly one hot voxel) " + p1 + " should be well above independent voxels' " + independent);
        }
    }
}
