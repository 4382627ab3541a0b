package org.icaloflow.calodream;

import org.icaloflow.cfm.ShapeEncoding;

/**
 * Per-feature mean and unbiased standard deviation accumulated row by row (Welford's update, in double): one
 * streamed pass over the training showers fits a {@link ShapeEncoding.Standardisation}. A feature with deviation 0
 * gets 1, as {@link ShapeEncoding#fit}.
 */
final class FeatureMoments {
    private final double[] mean, m2;
    private long n;

    FeatureMoments(int features) {
        mean = new double[features];
        m2 = new double[features];
    }

    /** Adds the row at {@code a[from .. from + features)}. */
    void add(double[] a, int from) {
        n++;
        for (int k = 0; k < mean.length; k++) {
            double x = a[from + k], d = x - mean[k];
            mean[k] += d / n;
            m2[k] += d * (x - mean[k]);
        }
    }

    long count() {
        return n;
    }

    ShapeEncoding.Standardisation standardisation() {
        if (n < 2) throw new IllegalStateException("need at least 2 rows, got " + n);
        double[] std = new double[mean.length];
        for (int k = 0; k < std.length; k++) {
            std[k] = Math.sqrt(m2[k] / (n - 1));
            if (!(std[k] > 0)) std[k] = 1;
        }
        return new ShapeEncoding.Standardisation(mean, std);
    }
}
