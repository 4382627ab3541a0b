package org.icaloflow.evaluate.classifier;

import java.util.Arrays;

/**
 * Isotonic regression of labels on classifier scores (pool adjacent violators), used as a monotone
 * calibration map score → probability, as the CaloChallenge evaluator does with sklearn's
 * {@code IsotonicRegression(out_of_bounds='clip', y_min, y_max)}: tied scores are pooled first, the fitted
 * values are clipped to [y_min, y_max], new scores are interpolated linearly between the fitted points and
 * clamped outside their range. The map is non-decreasing, so it can merge scores into ties but never
 * reorder them: the calibrated AUC is at most the raw one.
 */
public final class IsotonicCalibration {
    private final double[] x; // distinct fitted scores, ascending
    private final double[] y; // fitted values, non-decreasing

    private IsotonicCalibration(double[] x, double[] y) {
        this.x = x;
        this.y = y;
    }

    /** Fits labels (0/1, or any values) on scores; fitted values clipped to [yMin, yMax]. */
    public static IsotonicCalibration fit(double[] scores, double[] labels, double yMin, double yMax) {
        int n = scores.length;
        if (n == 0 || labels.length != n) throw new IllegalArgumentException(n + " scores, " + labels.length + " labels");
        // sort by score: pack (score, index) by sorting an index array on the scores
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(scores[i])) throw new IllegalArgumentException("NaN score at " + i);
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        // pool tied scores: their mean label with their count as weight
        double[] ux = new double[n], uy = new double[n], uw = new double[n];
        int u = -1;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            if (u < 0 || scores[i] != ux[u]) {
                u++;
                ux[u] = scores[i];
            }
            uy[u] += labels[i];
            uw[u] += 1;
        }
        int m = u + 1;
        for (int j = 0; j < m; j++) uy[j] /= uw[j];
        double[] fitted = pav(Arrays.copyOf(uy, m), Arrays.copyOf(uw, m));
        for (int j = 0; j < m; j++) fitted[j] = Math.min(yMax, Math.max(yMin, fitted[j]));
        return new IsotonicCalibration(Arrays.copyOf(ux, m), fitted);
    }

    /**
     * Weighted pool-adjacent-violators: the non-decreasing sequence f minimising Σ w_i (y_i − f_i)². Each
     * violation merges the newest block with its predecessor into their weighted mean; O(n).
     */
    public static double[] pav(double[] y, double[] w) {
        int n = y.length;
        double[] value = new double[n], weight = new double[n];
        int[] size = new int[n];
        int top = -1;
        for (int i = 0; i < n; i++) {
            top++;
            value[top] = y[i];
            weight[top] = w[i];
            size[top] = 1;
            while (top > 0 && value[top - 1] > value[top]) {
                double wsum = weight[top - 1] + weight[top];
                value[top - 1] = (weight[top - 1] * value[top - 1] + weight[top] * value[top]) / wsum;
                weight[top - 1] = wsum;
                size[top - 1] += size[top];
                top--;
            }
        }
        double[] f = new double[n];
        int i = 0;
        for (int b = 0; b <= top; b++) {
            for (int k = 0; k < size[b]; k++) f[i++] = value[b];
        }
        return f;
    }

    /** The calibrated value of one score. */
    public double apply(double s) {
        int last = x.length - 1;
        if (!(s > x[0])) return y[0]; // also NaN → lowest (never happens for finite scores)
        if (s >= x[last]) return y[last];
        int j = Arrays.binarySearch(x, s);
        if (j >= 0) return y[j];
        int hi = -j - 1, lo = hi - 1;
        double t = (s - x[lo]) / (x[hi] - x[lo]);
        // min(): rounding must not overshoot the next knot (keeps the map non-decreasing)
        return Math.min(y[hi], y[lo] + t * (y[hi] - y[lo]));
    }

    public double[] apply(double[] s) {
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) out[i] = apply(s[i]);
        return out;
    }

    /** Distinct scores of the fit (ascending); a copy. */
    public double[] knots() {
        return x.clone();
    }

    /** Fitted values at {@link #knots()}; a copy. */
    public double[] values() {
        return y.clone();
    }
}
