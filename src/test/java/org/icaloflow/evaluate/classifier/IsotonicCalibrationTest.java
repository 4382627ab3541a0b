package org.icaloflow.evaluate.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        // new scores: the calibrated AUC cannot exceed the raw one, and stays close
        double[] neg = new double[n], pos = new double[n];
        for (int i = 0; i < n; i++) {
            neg[i] = Math.sqrt(rng.nextDouble());
            pos[i] = rng.nextDouble();
        }
        double raw = ClassifierMetrics.auc(neg, pos);
        double cal = ClassifierMetrics.auc(c.apply(neg), c.apply(pos));
        assertTrue(cal <= raw + 1e-12, cal + " > " + raw);
        assertTrue(raw - cal < 0.02, raw + " vs " + cal);
    }
}
