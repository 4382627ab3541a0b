package org.icaloflow.cfm;

import java.util.Arrays;

/**
 * The energy network's preprocessing of the ratios u ({@link EnergyRatios}, n × L, row-major), as the authors'
 * {@code configs/d2_energy_model_AR.yaml} chains it ({@code ExclusiveLogitTransform} with δ = 1e-6 and the
 * first ratio excluded, then {@code StandardizeFromFile}):
 * <pre>
 *   y_0 = u_0                                  (not logit-transformed: u_0 = ΣE/(f·E_inc))
 *   y_i = logit(u_i (1 − 2δ) + δ)              i = 1 .. L−1
 *   z_j = (y_j − mean_j) / std_j               per feature, fitted on the training set
 * </pre>
 * {@link #fit} takes the mean and the unbiased (n − 1) standard deviation (torch's {@code Tensor.std}) of y over
 * the training rows; a feature whose std is 0 (constant in the training set) gets std 1 instead of the authors'
 * division by zero. {@link #decode} inverts: un-standardise, then sigmoid and (s − δ)/(1 − 2δ) on y_1.., and
 * clips every u to [0, 1] (the authors' {@code NormalizeByElayer} reverse clips u_1.. only; clipping u_0 too keeps
 * the generated layer energies non-negative with a total of at most f·E_inc).
 *
 * <p>Arithmetic is in double; float[] overloads convert at the edges.
 */
public final class EnergyEncoding {
    /** The authors' δ of the logit (ExclusiveLogitTransform delta). */
    public static final double DELTA = 1e-6;

    private final double[] mean, std;

    /** An encoding with the given per-feature mean and std (length L; every std positive and finite). */
    public EnergyEncoding(double[] mean, double[] std) {
        if (mean.length != std.length || mean.length < 1) throw new IllegalArgumentException("mean and std need the same length ≥ 1");
        for (int j = 0; j < std.length; j++) {
            if (!(std[j] > 0) || !Double.isFinite(std[j]) || !Double.isFinite(mean[j]))
                throw new IllegalArgumentException("feature " + j + ": mean " + mean[j] + ", std " + std[j] + " (need finite, std > 0)");
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Fits the mean and std of the logit-transformed training ratios {@code u} (n × dim, n ≥ 2). */
    public static EnergyEncoding fit(double[] u, int dim) {
        int n = rows(u, dim);
        if (n < 2) throw new IllegalArgumentException("need at least 2 rows to fit, got " + n);
        double[] y = logit(u, dim);
        double[] mean = new double[dim], std = new double[dim];
        for (int r = 0; r < n; r++) for (int j = 0; j < dim; j++) mean[j] += y[r * dim + j];
        for (int j = 0; j < dim; j++) mean[j] /= n;
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < dim; j++) {
                double d = y[r * dim + j] - mean[j];
                std[j] += d * d;
            }
        }
        for (int j = 0; j < dim; j++) {
            std[j] = Math.sqrt(std[j] / (n - 1));
            if (!(std[j] > 0)) std[j] = 1;
        }
        return new EnergyEncoding(mean, std);
    }

    public static EnergyEncoding fit(float[] u, int dim) {
        return fit(toDouble(u), dim);
    }

    /** Number of features L. */
    public int dim() {
        return mean.length;
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] std() {
        return std.clone();
    }

    /** z (n × L) from u (n × L). */
    public double[] encode(double[] u) {
        int dim = dim();
        rows(u, dim);
        double[] z = logit(u, dim);
        for (int i = 0; i < z.length; i++) {
            int j = i % dim;
            z[i] = (z[i] - mean[j]) / std[j];
        }
        return z;
    }

    /** u (n × L) from z (n × L): the inverse of {@link #encode}, then every u clipped to [0, 1]. */
    public double[] decode(double[] z) {
        int dim = dim();
        rows(z, dim);
        double[] u = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            int j = i % dim;
            double y = z[i] * std[j] + mean[j];
            double v = j == 0 ? y : (sigmoid(y) - DELTA) / (1 - 2 * DELTA);
            u[i] = Math.min(1, Math.max(0, v));   // a NaN stays NaN: a broken sample is not hidden
        }
        return u;
    }

    public float[] encode(float[] u) {
        return toFloat(encode(toDouble(u)));
    }

    public float[] decode(float[] z) {
        return toFloat(decode(toDouble(z)));
    }

    /** logit(u(1 − 2δ) + δ) on features 1.., feature 0 as it is. */
    private static double[] logit(double[] u, int dim) {
        double[] y = u.clone();
        for (int i = 0; i < y.length; i++) {
            if (i % dim == 0) continue;
            double p = u[i] * (1 - 2 * DELTA) + DELTA;
            y[i] = Math.log(p) - Math.log1p(-p);
        }
        return y;
    }

    private static double sigmoid(double y) {
        return y >= 0 ? 1 / (1 + Math.exp(-y)) : Math.exp(y) / (1 + Math.exp(y));
    }

    private static int rows(double[] a, int dim) {
        if (dim < 1 || a.length % dim != 0) throw new IllegalArgumentException(a.length + " values are not rows of " + dim);
        return a.length / dim;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    private static float[] toFloat(double[] a) {
        float[] d = new float[a.length];
        for (int i = 0; i < a.length; i++) d[i] = (float) a[i];
        return d;
    }

    @Override
    public String toString() {
        return "EnergyEncoding(mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) + ")";
    }
}
