package org.icaloflow.cfm;

import org.icaloflow.nn.Adam;
import org.icaloflow.nn.Parameters;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A tiny energy network learns a known autoregressive conditional distribution with the CFM loss and samples it
 * back position by position. The truth, for a condition c ~ U(0, 1):
 * <pre>
 *   u_0 | c        ~ N(0.3 + 0.4 c, 0.05²)
 *   u_1 | u_0      ~ N(0.2 + 0.5 u_0, 0.03²)
 *   u_2 | u_1, c   ~ N(0.7 − 0.6 u_1 + 0.2 c, 0.04²)
 * </pre>
 * Held-out samples are checked by least-squares regressions (the coefficients and residual widths above): each
 * needs the condition or the earlier u to reach the right position, so a network that ignored the causal
 * structure or the condition fails.
 */
class EnergyNetworkLearningTest {
    static final int L = 3;
    /** Shifts every seed (a robustness check by hand: -DenergyLearning.seed=10). */
    static final long SEED = Long.getLong("energyLearning.seed", 0);
    static final String[] NAMES = {"u0 ~ 1 + c", "u1 ~ 1 + u0", "u2 ~ 1 + u1 + c"};

    static void truth(SplittableRandom r, double c, double[] u, int at) {
        double u0 = -1 + 2 * c + 0.3 * r.nextGaussian();
        double u1 = 0.2 + 0.8 * u0 + 0.25 * r.nextGaussian();
        double u2 = 0.5 - 0.7 * u1 + 0.6 * c + 0.3 * r.nextGaussian();
        u[at * L] = u0;
        u[at * L + 1] = u1;
        u[at * L + 2] = u2;
    }

    /** Least squares y ≈ X β (X with a column of ones first): β and the residual standard deviation. */
    static double[] regress(double[][] x, double[] y) {
        int k = x[0].length + 1, n = y.length;
        double[][] a = new double[k][k + 1];
        for (int i = 0; i < n; i++) {
            double[] row = new double[k];
            row[0] = 1;
            System.arraycopy(x[i], 0, row, 1, k - 1);
            for (int p = 0; p < k; p++) {
                for (int q = 0; q < k; q++) a[p][q] += row[p] * row[q];
                a[p][k] += row[p] * y[i];
            }
        }
        for (int p = 0; p < k; p++) { // Gauss-Jordan
            for (int q = 0; q < k; q++) {
                if (q == p) continue;
                double f = a[q][p] / a[p][p];
                for (int j = p; j <= k; j++) a[q][j] -= f * a[p][j];
            }
        }
        double[] out = new double[k + 1];
        for (int p = 0; p < k; p++) out[p] = a[p][k] / a[p][p];
        double ss = 0;
        for (int i = 0; i < n; i++) {
            double fit = out[0];
            for (int p = 1; p < k; p++) fit += out[p] * x[i][p - 1];
            ss += (y[i] - fit) * (y[i] - fit);
        }
        out[k] = Math.sqrt(ss / (n - k));
        return out;
    }

    /** The three regressions of Javadoc's table on samples u (n × 3) and conditions c. */
    static double[][] fits(double[] u, double[] c) {
        int n = c.length;
        double[][] xc = new double[n][], x0 = new double[n][], x1c = new double[n][];
        double[] y0 = new double[n], y1 = new double[n], y2 = new double[n];
        for (int i = 0; i < n; i++) {
            xc[i] = new double[] {c[i]};
            x0[i] = new double[] {u[i * L]};
            x1c[i] = new double[] {u[i * L + 1], c[i]};
            y0[i] = u[i * L];
            y1[i] = u[i * L + 1];
            y2[i] = u[i * L + 2];
        }
        return new double[][] {regress(xc, y0), regress(x0, y1), regress(x1c, y2)};
    }

    @Test
    void learnsAKnownAutoregressiveConditionalDistribution() {
        long start = System.nanoTime();
        int batch = 256, steps = Integer.getInteger("energyLearning.steps", 1500), n = 3000;
        double lr = 3e-3;
        EnergyNetwork.Settings s = new EnergyNetwork.Settings(L, 1, 16, 2, 1, 1, 64, 16,
                Double.parseDouble(System.getProperty("energyLearning.scale", "30")), 64, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m, DataType.FLOAT32, new SplittableRandom(1 + SEED));
            EnergyNetwork net = new EnergyNetwork(p, s);
            SplittableRandom data = new SplittableRandom(2 + SEED), noise = new SplittableRandom(3 + SEED);
            double lastLoss = 0;
            try (Adam adam = new Adam(p.list(), lr, null)) {
                for (int it = 0; it < steps; it++) {
                    adam.setLearningRate(lr * 0.5 * (1 + Math.cos(Math.PI * it / steps))); // cosine, as the paper
                    float[] u = new float[batch * L], c = new float[batch], eps = new float[batch * L], t = new float[batch];
                    double[] row = new double[L];
                    for (int i = 0; i < batch; i++) {
                        c[i] = (float) data.nextDouble();
                        truth(data, c[i], row, 0);
                        for (int j = 0; j < L; j++) u[i * L + j] = (float) row[j];
                        t[i] = (float) noise.nextDouble();
                        for (int j = 0; j < L; j++) eps[i * L + j] = (float) noise.nextGaussian();
                    }
                    try (NDManager step = m.newSubManager()) {
                        NDArray loss;
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            loss = net.loss(step.create(u, new Shape(batch, L)), step.create(c),
                                    step.create(eps, new Shape(batch, L)), step.create(t));
                            gc.backward(loss);
                        }
                        adam.step();
                        if (it >= steps - 50) lastLoss += loss.getFloat() / 50;
                    }
                }
            }
            double trained = (System.nanoTime() - start) / 1e9;
            // held out: fresh conditions, sampled with RK4-20
            SplittableRandom held = new SplittableRandom(4);
            double[] c = new double[n], u = new double[n * L];
            float[] cf = new float[n];
            for (int i = 0; i < n; i++) {
                c[i] = held.nextDouble();
                cf[i] = (float) c[i];
                truth(held, c[i], u, i);
            }
            float[] g;
            try (NDManager sm = m.newSubManager()) {
                g = net.sample(sm.create(cf), new SplittableRandom(5 + SEED), 20).toFloatArray();
            }
            double[] gen = new double[g.length];
            for (int i = 0; i < g.length; i++) gen[i] = g[i];
            double[][] want = {{-1, 2, 0.3}, {0.2, 0.8, 0.25}, {0.5, -0.7, 0.6, 0.3}};
            double[][] truthFit = fits(u, c), learned = fits(gen, c);
            double total = (System.nanoTime() - start) / 1e9;
            StringBuilder report = new StringBuilder(String.format("energy network learning: %d steps, last-50 loss %.4f, train %.1f s, total %.1f s%n",
                    steps, lastLoss, trained, total));
            for (int k = 0; k < 3; k++) {
                report.append(String.format("  %-16s truth %s  held-out data %s  learned %s%n", NAMES[k],
                        fmt(want[k]), fmt(truthFit[k]), fmt(learned[k])));
            }
            // marginal means and standard deviations too
            for (int j = 0; j < L; j++) {
                report.append(String.format("  u%d mean/std: data %.4f / %.4f  learned %.4f / %.4f%n", j,
                        mean(u, j), std(u, j), mean(gen, j), std(gen, j)));
            }
            System.out.print(report);
            for (int k = 0; k < 3; k++) {
                int w = want[k].length - 1;
                for (int q = 0; q < w; q++) {
                    assertEquals(want[k][q], learned[k][q], 0.12, NAMES[k] + " coefficient " + q + "\n" + report);
                }
                double ratio = learned[k][w] / want[k][w];
                assertTrue(ratio > 0.75 && ratio < 1.3, NAMES[k] + " residual width ratio " + ratio + "\n" + report);
            }
            for (int j = 0; j < L; j++) {
                assertEquals(mean(u, j), mean(gen, j), 0.12 * std(u, j), "mean u" + j + "\n" + report);
                assertEquals(std(u, j), std(gen, j), 0.15 * std(u, j), "std u" + j + "\n" + report);
            }
        }
    }

    static String fmt(double[] v) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ", ").append(String.format("%.3f", v[i]));
        return b.append(')').toString();
    }

    static double mean(double[] u, int j) {
        double s = 0;
        int n = u.length / L;
        for (int i = 0; i < n; i++) s += u[i * L + j];
        return s / n;
    }

    static double std(double[] u, int j) {
        double mu = mean(u, j), s = 0;
        int n = u.length / L;
        for (int i = 0; i < n; i++) s += (u[i * L + j] - mu) * (u[i * L + j] - mu);
        return Math.sqrt(s / (n - 1));
    }
}
