package org.icaloflow.evaluate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * FPD and KPD (Kansal et al., arXiv:2211.10295) on feature rows, as jetnet's {@code gen_metrics.fpd} /
 * {@code kpd} compute them for the CaloChallenge evaluator (docs/evaluation.md):
 * <ul>
 * <li>both samples are divided column-wise by max|x| over the <b>reference</b> (a column that is all 0 by 1);</li>
 * <li>FPD: for batch sizes N = int(1/linspace(1/min, 1/max, points)), {@code fpdBatches} draws with replacement of N
 * rows from each sample, Fréchet distance |μ1−μ2|² + tr Σ1 + tr Σ2 − 2 tr sqrt(Σ1Σ2) (covariances with ddof 1),
 * mean per N; then a least-squares fit a + b/N with a, b ≥ 0: FPD = a (N → ∞), error = sqrt(pcov[0,0]);</li>
 * <li>KPD: {@code kpdBatches} draws of {@code kpdBatchSize} rows with replacement, unbiased quadratic MMD with the
 * polynomial kernel (x·y/d + 1)^degree (degree 4 in jetnet); KPD = median, error = half the 16.275–83.725
 * percentile range (linear interpolation, as numpy).</li>
 * </ul>
 * The bootstrap rows come from an {@link Indices} source, so that a test can feed the exact draws of a numpy script.
 */
public final class FrechetKernelDistances {
    private FrechetKernelDistances() {
    }

    /** A source of bootstrap row indices: {@code size} indices in [0, population), with replacement. */
    public interface Indices {
        int[] draw(int population, int size);

        /** Uniform draws from a seeded generator (not numpy's stream: only the statistics match jetnet). */
        static Indices seeded(long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            return (n, size) -> {
                int[] a = new int[size];
                for (int i = 0; i < size; i++) a[i] = r.nextInt(n);
                return a;
            };
        }
    }

    /**
     * The settings. jetnet's defaults are min 20000, max 50000, 10 points, 20 batches; KPD 10 batches of 5000,
     * degree 4. The CaloChallenge evaluator passes {@code min_samples=10000} and {@code batch_size=10000}.
     */
    public record Settings(int minSamples, int maxSamples, int points, int fpdBatches, int kpdBatches, int kpdBatchSize,
                           int degree) {
        public static Settings evaluator() {
            return new Settings(10_000, 50_000, 10, 20, 10, 10_000, 4);
        }

        /**
         * Clamped to {@code available} rows (the smaller sample): where the samples are smaller than maxSamples, the
         * FPD range is scaled down keeping jetnet's ratio min/max (so the 1/N fit still has a lever arm) and the KPD
         * batch is at most {@code available}. jetnet itself would draw the full sizes with replacement.
         */
        public Settings clampedTo(int available) {
            int max = Math.min(maxSamples, available);
            int min = max < maxSamples ? (int) Math.max(2, Math.round((double) max * minSamples / maxSamples)) : minSamples;
            return new Settings(Math.min(min, max), max, points, fpdBatches, kpdBatches, Math.min(kpdBatchSize, available), degree);
        }
    }

    /** A value with its uncertainty; for FPD also the batch sizes and the mean Fréchet distance at each. */
    public record Value(double value, double error, int[] batchSizes, double[] perBatchSize) {
    }

    /** max|x| per column over {@code reference}, 1 where the column is all zero (jetnet's _normalise_features). */
    public static double[] scales(double[][] reference) {
        int d = reference[0].length;
        double[] m = new double[d];
        for (double[] row : reference) for (int j = 0; j < d; j++) m[j] = Math.max(m[j], Math.abs(row[j]));
        for (int j = 0; j < d; j++) if (m[j] == 0) m[j] = 1;
        return m;
    }

    public static double[][] divide(double[][] x, double[] s) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            y[i] = new double[s.length];
            for (int j = 0; j < s.length; j++) y[i][j] = x[i][j] / s[j];
        }
        return y;
    }

    /** numpy's {@code (1 / np.linspace(1/min, 1/max, points)).astype(int32)}. */
    public static int[] batchSizes(int min, int max, int points) {
        double a = 1.0 / min, b = 1.0 / max;
        int[] n = new int[points];
        if (points == 1) {
            n[0] = (int) (1.0 / a);
            return n;
        }
        double step = (b - a) / (points - 1);
        for (int i = 0; i < points; i++) n[i] = (int) (1.0 / (i == points - 1 ? b : i * step + a));
        return n;
    }

    /** FPD of {@code generated} against {@code reference} (both unnormalised; normalised by the reference here). */
    public static Value fpd(double[][] reference, double[][] generated, Settings s, Indices idx) {
        double[] sc = scales(reference);
        double[][] x = divide(reference, sc), y = divide(generated, sc);
        int[] sizes = batchSizes(s.minSamples(), s.maxSamples(), s.points());
        double[] means = new double[sizes.length];
        for (int k = 0; k < sizes.length; k++) {
            double sum = 0;
            for (int b = 0; b < s.fpdBatches(); b++) {
                int[] i1 = idx.draw(x.length, sizes[k]);
                int[] i2 = idx.draw(y.length, sizes[k]);
                sum += frechetDistance(x, i1, y, i2);
            }
            means[k] = sum / s.fpdBatches();
        }
        double[] inv = new double[sizes.length];
        for (int k = 0; k < sizes.length; k++) inv[k] = 1.0 / sizes[k];
        double[] fit = fitInterceptNonNegative(inv, means);
        return new Value(fit[0], fit[1], sizes, means);
    }

    /** KPD of {@code generated} against {@code reference} (normalised by the reference here). */
    public static Value kpd(double[][] reference, double[][] generated, Settings s, Indices idx) {
        double[] sc = scales(reference);
        double[][] x = divide(reference, sc), y = divide(generated, sc);
        double[] v = new double[s.kpdBatches()];
        for (int b = 0; b < v.length; b++) {
            int[] i1 = idx.draw(x.length, s.kpdBatchSize());
            int[] i2 = idx.draw(y.length, s.kpdBatchSize());
            v[b] = mmdPolyUnbiased(rows(x, i1), rows(y, i2), s.degree());
        }
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        double median = percentile(sorted, 50);
        double err = (percentile(sorted, 83.725) - percentile(sorted, 16.275)) / 2;
        return new Value(median, err, new int[]{s.kpdBatchSize()}, v);
    }

    static double[][] rows(double[][] x, int[] i) {
        double[][] r = new double[i.length][];
        for (int k = 0; k < i.length; k++) r[k] = x[i[k]];
        return r;
    }

    /** numpy.percentile (linear) of sorted values. */
    static double percentile(double[] sorted, double p) {
        double pos = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Fréchet distance between the Gaussians fitted to rows {@code ia} of a and {@code ib} of b. */
    public static double frechetDistance(double[][] a, int[] ia, double[][] b, int[] ib) {
        int d = a[0].length;
        double[] m1 = new double[d], m2 = new double[d];
        double[][] s1 = covariance(a, ia, m1), s2 = covariance(b, ib, m2);
        double dm = 0, tr = 0;
        for (int j = 0; j < d; j++) {
            dm += (m1[j] - m2[j]) * (m1[j] - m2[j]);
            tr += s1[j][j] + s2[j][j];
        }
        return dm + tr - 2 * traceSqrtProduct(s1, s2);
    }

    /** np.cov(rows, rowvar=False) (ddof 1) of the selected rows; their mean goes into {@code mean}. */
    static double[][] covariance(double[][] x, int[] idx, double[] mean) {
        int d = mean.length, n = idx.length;
        for (int i : idx) for (int j = 0; j < d; j++) mean[j] += x[i][j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        double[][] c = new double[d][d];
        double[] r = new double[d];
        for (int i : idx) {
            for (int j = 0; j < d; j++) r[j] = x[i][j] - mean[j];
            for (int p = 0; p < d; p++) {
                double rp = r[p];
                double[] cp = c[p];
                for (int q = p; q < d; q++) cp[q] += rp * r[q];
            }
        }
        for (int p = 0; p < d; p++)
            for (int q = p; q < d; q++) {
                c[p][q] /= (n - 1);
                c[q][p] = c[p][q];
            }
        return c;
    }

    /**
     * tr sqrt(S1 S2) for symmetric positive semi-definite S1, S2: with S1 = V Λ Vᵀ and B = V Λ^½, sqrt(S1) S2 sqrt(S1)
     * = V (Bᵀ S2 B) Vᵀ has the eigenvalues of S1 S2, so the trace is Σ sqrt(eig(Bᵀ S2 B)). Rounding-negative
     * eigenvalues count 0 (scipy's sqrtm gives them an imaginary root, which jetnet drops with .real).
     */
    public static double traceSqrtProduct(double[][] s1, double[][] s2) {
        int d = s1.length;
        double[][] v = copy(s1);
        double[] lambda = new double[d], e = new double[d];
        SymmetricEigen.tridiagonalise(v, lambda, e, true);
        SymmetricEigen.ql(lambda, e, v);
        // rows of v are the eigenvectors; W = Bᵀ = diag(sqrt λ) Vᵀ, then M = W S2 Wᵀ
        for (int k = 0; k < d; k++) {
            double r = Math.sqrt(Math.max(0, lambda[k]));
            for (int i = 0; i < d; i++) v[k][i] *= r;
        }
        double[][] u = new double[d][d];
        for (int k = 0; k < d; k++) {
            double[] uk = u[k], wk = v[k];
            for (int j = 0; j < d; j++) {
                double w = wk[j];
                if (w == 0) continue;
                double[] sj = s2[j];
                for (int i = 0; i < d; i++) uk[i] += w * sj[i];
            }
        }
        double[][] m = new double[d][d];
        for (int p = 0; p < d; p++)
            for (int q = p; q < d; q++) {
                m[p][q] = dot(u[p], v[q]);
                m[q][p] = m[p][q];
            }
        double[] mu = new double[d], f = new double[d];
        SymmetricEigen.tridiagonalise(m, mu, f, false);
        SymmetricEigen.ql(mu, f, null);
        double tr = 0;
        for (double x : mu) tr += Math.sqrt(Math.max(0, x));
        return tr;
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }

    /** Unbiased quadratic MMD² with k(x, y) = (x·y/d + 1)^degree (jetnet's _mmd_poly_quadratic_unbiased). */
    public static double mmdPolyUnbiased(double[][] x, double[][] y, int degree) {
        int m = x.length, n = y.length;
        double xx = kernelSum(x, x, degree, true), yy = kernelSum(y, y, degree, true), xy = kernelSum(x, y, degree, false);
        return 2 * xx / ((double) m * (m - 1)) + 2 * yy / ((double) n * (n - 1)) - 2 * xy / ((double) m * n);
    }

    /**
     * Σ k(x_i, y_j) over all pairs, or over j &gt; i when {@code upper} (x = y). The dot products are formed a row
     * of the Gram matrix at a time from yᵀ (axpy loops, which the JIT vectorises), four rows of x per pass.
     */
    static double kernelSum(double[][] x, double[][] y, int degree, boolean upper) {
        int m = x.length, n = y.length, d = x[0].length;
        double g = 1.0 / d;
        double[][] yt = new double[d][n];
        for (int j = 0; j < n; j++) for (int k = 0; k < d; k++) yt[k][j] = y[j][k];
        double[][] rows = new double[4][n];
        double total = 0;
        for (int i0 = 0; i0 < m; i0 += 4) {
            int c = Math.min(4, m - i0);
            for (int r = 0; r < c; r++) Arrays.fill(rows[r], 0);
            int from = upper ? i0 + 1 : 0; // columns j > i0 suffice for the block's first row
            for (int k = 0; k < d; k++) {
                double[] ytk = yt[k];
                for (int r = 0; r < c; r++) {
                    double a = x[i0 + r][k];
                    double[] row = rows[r];
                    for (int j = from; j < n; j++) row[j] += a * ytk[j];
                }
            }
            for (int r = 0; r < c; r++) {
                double[] row = rows[r];
                double s = 0;
                for (int j = upper ? i0 + r + 1 : 0; j < n; j++) s += pow(row[j] * g + 1, degree);
                total += s;
            }
        }
        return total;
    }

    /** x^k by repeated multiplication (k ≥ 0 small; Math.pow is far slower in the n² kernel loops). */
    private static double pow(double x, int k) {
        double r = 1;
        for (int i = 0; i < k; i++) r *= x;
        return r;
    }

    private static double dot(double[] a, double[] b) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0, d = a.length;
        for (; k + 3 < d; k += 4) {
            s0 += a[k] * b[k];
            s1 += a[k + 1] * b[k + 1];
            s2 += a[k + 2] * b[k + 2];
            s3 += a[k + 3] * b[k + 3];
        }
        for (; k < d; k++) s0 += a[k] * b[k];
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Least squares y = a + b x with a, b ≥ 0 (scipy's curve_fit with bounds [0, ∞) converges to this optimum);
     * returns {a, sqrt(pcov[0,0])} with pcov = (JᵀJ)⁻¹ · Σr²/(M − 2), as curve_fit (absolute_sigma False).
     */
    static double[] fitInterceptNonNegative(double[] x, double[] y) {
        int n = x.length;
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++) {
            sx += x[i];
            sy += y[i];
            sxx += x[i] * x[i];
            sxy += x[i] * y[i];
        }
        double det = n * sxx - sx * sx;
        double b = (n * sxy - sx * sy) / det, a = (sy - b * sx) / n;
        if (b < 0) {
            b = 0;
            a = Math.max(0, sy / n);
        } else if (a < 0) {
            a = 0;
            b = Math.max(0, sxy / sxx);
        }
        double rss = 0;
        for (int i = 0; i < n; i++) rss += (y[i] - a - b * x[i]) * (y[i] - a - b * x[i]);
        double var = n > 2 ? rss / (n - 2) : Double.POSITIVE_INFINITY;
        double pcov00 = sxx / det * var;
        return new double[]{a, Math.sqrt(pcov00)};
    }
}
