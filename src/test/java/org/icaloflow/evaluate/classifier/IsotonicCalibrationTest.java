package org.icaloflow.evaluate.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IsotonicCalibrationTest {
    /** Closed form of weighted isotonic regression: f_i = max_{j≤i} min_{k≥i} mean_w(y_j..y_k). */
    static double[] bruteForce(double[] y, double[] w) {
        int n = y.length;
        double[] f = new double[n];
        for (int i = 0; i < n; i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= i; j++) {
                double min = Double.POSITIVE_INFINITY;
                for (int k = i; k < n; k++) {
                    double s = 0, sw = 0;
                    for (int q = j; q <= k; q++) {
                        s += w[q] * y[q];
                        sw += w[q];
                    }
                    min = Math.min(min, s / sw);
                }
                best = Math.max(best, min);
            }
            f[i] = best;
        }
        return f;
    }

    static double[] select(double[] s, double[] y, double label) {
        return java.util.stream.IntStream.range(0, s.length).filter(i -> y[i] == label).mapToDouble(i -> s[i]).toArray();
    }

    /** Fit and predictions of sklearn's IsotonicRegression as the evaluator configures it (values stored from sklearn 1.9.1). */
    @Test
    void matchesSklearnAsTheEvaluatorUsesIt() throws java.io.IOException {
        List<double[]> fit = new ArrayList<>(), predict = new ArrayList<>();
        try (java.io.InputStream in = getClass().getResourceAsStream("/golden/isotonic_sklearn.csv")) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split(",");
                (f[0].equals("fit") ? fit : predict).add(new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
            }
        }
        assertEquals(300, fit.size());
        IsotonicCalibration c = IsotonicCalibration.fit(fit.stream().mapToDouble(r -> r[0]).toArray(),
                fit.stream().mapToDouble(r -> r[1]).toArray(), 1e-6, 1 - 1e-6);
        for (double[] r : predict) assertEquals(r[1], c.apply(r[0]), 1e-12, "at " + r[0]);
    }

    @Test
    void pavKnownExample() {
        double[] f = IsotonicCalibration.pav(new double[] {1, 3, 2, 4, 3, 5}, new double[] {1, 1, 1, 1, 1, 1});
        assertArrayEquals(new double[] {1, 2.5, 2.5, 3.5, 3.5, 5}, f, 1e-15);
        // a cascade: the last value pulls everything into one block
        assertArrayEquals(new double[] {2, 2, 2, 2}, IsotonicCalibration.pav(new double[] {3, 4, 5, -4}, new double[] {1, 1, 1, 1}), 1e-15);
        // weights: (0 w3, 1 w1) pooled → 0.25
        assertArrayEquals(new double[] {0.25, 0.25}, IsotonicCalibration.pav(new double[] {1, 0}, new double[] {1, 3}), 1e-15);
    }

    @Test
    void pavMatchesTheClosedFormOnRandomData() {
        Random rng = new Random(11);
        for (int t = 0; t < 40; t++) {
            int n = 1 + rng.nextInt(14);
            double[] y = new double[n], w = new double[n];
            for (int i = 0; i < n; i++) {
                y[i] = t % 2 == 0 ? rng.nextInt(2) : rng.nextGaussian();
                w[i] = 0.5 + rng.nextDouble();
            }
            assertArrayEquals(bruteForce(y, w), IsotonicCalibration.pav(y, w), 1e-12, "trial " + t);
        }
    }

    @Test
    void fitPoolsTiesInterpolatesAndClips() {
        // scores 0,1,1,2 with labels 1,0,1,0: tie at 1 → 0.5; PAV of (1, 0.5, 0) → all 0.5
        IsotonicCalibration c = IsotonicCalibration.fit(new double[] {1, 0, 2, 1}, new double[] {0, 1, 0, 1}, 1e-6, 1 - 1e-6);
        assertEquals(0.5, c.apply(-5), 0);
        assertEquals(0.5, c.apply(1.5), 0);
        // increasing labels: knots (0,0) (1,0.5) (3,1) clipped to [0.1, 0.9]; linear in between
        IsotonicCalibration d = IsotonicCalibration.fit(new double[] {0, 1, 1, 3}, new double[] {0, 0, 1, 1}, 0.1, 0.9);
        assertArrayEquals(new double[] {0, 1, 3}, d.knots());
        assertArrayEquals(new double[] {0.1, 0.5, 0.9}, d.values(), 1e-15);
        assertEquals(0.1, d.apply(-1), 0);
        assertEquals(0.3, d.apply(0.5), 1e-15);
        assertEquals(0.7, d.apply(2), 1e-15);
        assertEquals(0.9, d.apply(7), 0);
    }

    @Test
    void calibrationIsMonotoneAndOnlyMergesRanks() {
        Random rng = new Random(3);
        int n = 3000;
        double[] s = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = rng.nextDouble();
            y[i] = rng.nextDouble() < s[i] * s[i] ? 1 : 0;
        }
        IsotonicCalibration c = IsotonicCalibration.fit(s, y, 1e-6, 1 - 1e-6);
        double prev = -1;
        for (int k = 0; k <= 20000; k++) {
            double v = c.apply(-0.1 + 1.2 * k / 20000.0);
            assertTrue(v >= prev, "decreasing at " + k);
            assertTrue(v >= 1e-6 && v <= 1 - 1e-6);
            prev = v;
        }
        // on the data it was fitted to, the calibrated ROC is the convex hull of the raw one: AUC can only grow
        double[] fitNeg = select(s, y, 0), fitPos = select(s, y, 1);
        assertTrue(ClassifierMetrics.auc(c.apply(fitNeg), c.apply(fitPos)) >= ClassifierMetrics.auc(fitNeg, fitPos) - 1e-12);
        // on new scores: no cross-class pair changes order; a pair may only become a tie, worth ½
        double[] neg = new double[400], pos = new double[400];
        for (int i = 0; i < neg.length; i++) {
            neg[i] = rng.nextDouble();
            pos[i] = Math.sqrt(rng.nextDouble());
        }
        double[] cn = c.apply(neg), cp = c.apply(pos);
        long merged = 0;
        for (int i = 0; i < pos.length; i++) {
            for (int j = 0; j < neg.length; j++) {
                assertTrue(Double.compare(pos[i], neg[j]) * Double.compare(cp[i], cn[j]) >= 0, "order reversed");
                if (pos[i] != neg[j] && cp[i] == cn[j]) merged++;
            }
        }
        double raw = ClassifierMetrics.auc(neg, pos), cal = ClassifierMetrics.auc(cn, cp);
        assertTrue(Math.abs(raw - cal) <= 0.5 * merged / (double) (neg.length * pos.length) + 1e-12);
        assertTrue(raw > 0.6 && Math.abs(raw - cal) < 0.03, raw + " vs " + cal);
    }
}
