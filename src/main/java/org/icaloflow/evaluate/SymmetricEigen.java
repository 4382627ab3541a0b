package org.icaloflow.evaluate;

/**
 * Eigen decomposition of a real symmetric matrix in plain double: Householder reduction to tridiagonal form,
 * then the implicit QL algorithm (the classic tred2/tql2 pair, Wilkinson and Reinsch, Handbook for Automatic
 * Computation II). Used by {@link FrechetKernelDistances} for tr sqrt(Σ1Σ2) of 362 × 362 covariances.
 */
final class SymmetricEigen {
    private SymmetricEigen() {
    }

    /**
     * Reduces {@code a} (overwritten) to tridiagonal form: diagonal into {@code d}, sub-diagonal into {@code e}
     * (e[0] = 0). With {@code vectors}, {@code a} ends as the orthogonal Q with a = Q T Qᵀ, <b>transposed</b>
     * (row k of the result is column k of Q), which keeps the QL rotations on contiguous rows.
     */
    static void tridiagonalise(double[][] a, double[] d, double[] e, boolean vectors) {
        int n = d.length;
        double[][] v = a;
        for (int j = 0; j < n; j++) d[j] = v[n - 1][j];
        for (int i = n - 1; i > 0; i--) {
            double scale = 0, h = 0;
            for (int k = 0; k < i; k++) scale += Math.abs(d[k]);
            if (scale == 0) {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++) {
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                    v[j][i] = 0;
                }
            } else {
                for (int k = 0; k < i; k++) {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1], g = Math.sqrt(h);
                if (f > 0) g = -g;
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (int j = 0; j < i; j++) e[j] = 0;
                // e = A u (lower triangle of A stored in v[k][j], k >= j)
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    v[j][i] = f;
                    g = e[j] + v[j][j] * f;
                    for (int k = j + 1; k < i; k++) {
                        double vkj = v[k][j];
                        g += vkj * d[k];
                        e[k] += vkj * f;
                    }
                    e[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++) {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) e[j] -= hh * d[j];
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    g = e[j];
                    for (int k = j; k < i; k++) v[k][j] -= (f * e[k] + g * d[k]);
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                }
            }
            d[i] = h;
        }
        if (!vectors) {
            // the accumulation below would only move the diagonal (kept in v[i][i]) into d
            for (int i = 0; i < n; i++) d[i] = v[i][i];
            e[0] = 0;
            return;
        }
        for (int i = 0; i < n - 1; i++) {
            v[n - 1][i] = v[i][i];
            v[i][i] = 1;
            double h = d[i + 1];
            if (h != 0) {
                for (int k = 0; k <= i; k++) d[k] = v[k][i + 1] / h;
                for (int j = 0; j <= i; j++) {
                    double g = 0;
                    for (int k = 0; k <= i; k++) g += v[k][i + 1] * v[k][j];
                    for (int k = 0; k <= i; k++) v[k][j] -= g * d[k];
                }
            }
            for (int k = 0; k <= i; k++) v[k][i + 1] = 0;
        }
        for (int j = 0; j < n; j++) {
            d[j] = v[n - 1][j];
            v[n - 1][j] = 0;
        }
        v[n - 1][n - 1] = 1;
        e[0] = 0;
        // transpose in place: rows become the columns of Q
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                double t = v[i][j];
                v[i][j] = v[j][i];
                v[j][i] = t;
            }
    }

    /**
     * Implicit QL on the tridiagonal (d, e) from {@link #tridiagonalise}: eigenvalues into {@code d} (unsorted); with
     * {@code qt} (the transposed Q from there, or null) its rows become the eigenvectors, row k for d[k].
     */
    static void ql(double[] d, double[] e, double[][] qt) {
        int n = d.length;
        for (int i = 1; i < n; i++) e[i - 1] = e[i];
        e[n - 1] = 0;
        double f = 0, tst1 = 0, eps = Math.ulp(1.0);
        for (int l = 0; l < n; l++) {
            tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
            int m = l;
            while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
            if (m > l) {
                int iter = 0;
                do {
                    if (++iter > 60 * n) throw new IllegalStateException("QL did not converge");
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = Math.sqrt(p * p + 1);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) d[i] -= h;
                    f += h;
                    p = d[m];
                    double c = 1, c2 = c, c3 = c, el1 = e[l + 1], s = 0, s2 = 0;
                    for (int i = m - 1; i >= l; i--) {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Math.sqrt(p * p + e[i] * e[i]);
                        e[i + 1] = s * r;
                        if (r == 0) {
                            // p and e[i] both exactly 0 (rank-deficient covariances of repeated rows): identity rotation
                            s = 0;
                            c = 1;
                        } else {
                            s = e[i] / r;
                            c = p / r;
                        }
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        if (qt != null) {
                            double[] a = qt[i], b = qt[i + 1];
                            for (int k = 0; k < n; k++) {
                                double bk = b[k], ak = a[k];
                                b[k] = s * ak + c * bk;
                                a[k] = c * ak - s * bk;
                            }
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }
    }
}
