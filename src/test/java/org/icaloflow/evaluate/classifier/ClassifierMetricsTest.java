package org.icaloflow.evaluate.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassifierMetricsTest {
    /** O(n₀n₁) definition: pairs where the positive scores higher, ties ½. */
    static double bruteAuc(double[] neg, double[] pos) {
        double u = 0;
        for (double p : pos) for (double n : neg) u += p > n ? 1 : p == n ? 0.5 : 0;
        return u / ((double) neg.length * pos.length);
    }

    @Test
    void aucWithTies() {
        assertEquals(0.5, ClassifierMetrics.auc(new double[] {3, 3, 3}, new double[] {3, 3}));
        assertEquals(1.0, ClassifierMetrics.auc(new double[] {0, 1}, new double[] {2, 3}));
        assertEquals(0.0, ClassifierMetrics.auc(new double[] {2, 3}, new double[] {0, 1}));
        // pos {1, 2}, neg {1, 0}: pairs (1,1)=½ (1,0)=1 (2,1)=1 (2,0)=1 → 3.5/4
        assertEquals(0.875, ClassifierMetrics.auc(new double[] {1, 0}, new double[] {1, 2}));
        assertEquals(0.875, ClassifierMetrics.auc(new double[] {1, 1, 0, 2}, new int[] {0, 1, 0, 1}));
    }

    @Test
    void aucMatchesPairCountingOnRandomTiedScores() {
        Random rng = new Random(5);
        for (int t = 0; t < 50; t++) {
            int n0 = 1 + rng.nextInt(60), n1 = 1 + rng.nextInt(60);
            double[] neg = new double[n0], pos = new double[n1];
            for (int i = 0; i < n0; i++) neg[i] = rng.nextInt(8);
            for (int i = 0; i < n1; i++) pos[i] = rng.nextInt(8) + (t % 3);
            assertEquals(bruteAuc(neg, pos), ClassifierMetrics.auc(neg, pos), 1e-12, "trial " + t);
        }
    }

    @Test
    void bceAndJsd() {
        double[] half = {0.5, 0.5, 0.5, 0.5};
        int[] y = {0, 1, 0, 1};
        assertEquals(Math.log(2), ClassifierMetrics.bce(half, y), 1e-15);
        assertEquals(0.0, ClassifierMetrics.jsd(ClassifierMetrics.bce(half, y)), 1e-15);
        double[] sure = {1e-6, 1 - 1e-6, 1e-6, 1 - 1e-6};
        assertEquals(1.0, ClassifierMetrics.jsd(ClassifierMetrics.bce(sure, y)), 1e-5);
        assertEquals(0.75, ClassifierMetrics.accuracy(new float[] {-1, 2, 0.5f, 3}, y));
    }
}
