package org.icaloflow.evaluate;

import org.icaloflow.data.Geometry;

/**
 * The CaloChallenge high-level features of a block of showers, as the official evaluator
 * ({@code HighLevelFeatures.py}) computes them after zeroing voxels below the threshold: total energy and, per
 * layer, energy, centres of energy and widths in x ("eta"), y ("phi") and r, and sparsity (the fraction of
 * voxels without energy). All arrays are {@code [row][layer]}; everything is computed in double precision.
 */
public record ShowerFeatures(int rows, int layers, double[] eTot, double[][] eLayer, double[][] ecEta, double[][] ecPhi,
                             double[][] widthEta, double[][] widthPhi, double[][] sparsity, double[][] ecR,
                             double[][] widthR) {

    /** The evaluator's guard against empty layers in the denominators. */
    static final double EPS = 1e-16;

    /**
     * Features of {@code rows} showers stored row-major in {@code showersMeV} ({@code g.voxels()} per row). Voxels
     * below {@code thresholdMeV} count as zero (the input is not modified).
     */
    public static ShowerFeatures compute(Geometry g, float[] showersMeV, int rows, double thresholdMeV) {
        int nl = g.layers(), v = g.voxels();
        if ((long) rows * v != showersMeV.length)
            throw new IllegalArgumentException(showersMeV.length + " values are not " + rows + " rows of " + v + " voxels");
        double[] eTot = new double[rows];
        double[][] eL = new double[rows][nl], ecX = new double[rows][nl], ecY = new double[rows][nl], wX = new double[rows][nl],
                wY = new double[rows][nl], sp = new double[rows][nl], ecR = new double[rows][nl], wR = new double[rows][nl];
        double[][] cx = new double[nl][], cy = new double[nl][], cr = new double[nl][];
        for (int l = 0; l < nl; l++) {
            cx[l] = g.centreX(l);
            cy[l] = g.centreY(l);
            cr[l] = g.centreR(l);
        }
        int maxN = 0;
        for (int l = 0; l < nl; l++) maxN = Math.max(maxN, g.voxelsInLayer(l));
        // the terms of each sum, formed and added exactly as numpy does ((x*x)*e, pairwise summation), so that
        // near-zero widths (a difference of two nearly equal moments) agree with the official values to the bit
        double[] e = new double[maxN], tx = new double[maxN], ty = new double[maxN], tr = new double[maxN],
                txx = new double[maxN], tyy = new double[maxN], trr = new double[maxN];
        double[] row = new double[v];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < v; k++) {
                double val = showersMeV[i * v + k];
                row[k] = val >= thresholdMeV ? val : 0.0;
            }
            eTot[i] = pairwiseSum(row, 0, v);
            for (int l = 0; l < nl; l++) {
                int off = g.layerOffset(l), n = g.voxelsInLayer(l);
                double[] x = cx[l], y = cy[l], r = cr[l];
                int hit = 0;
                for (int k = 0; k < n; k++) {
                    double en = row[off + k];
                    if (en > 0) hit++;
                    e[k] = en;
                    tx[k] = x[k] * en;
                    ty[k] = y[k] * en;
                    tr[k] = r[k] * en;
                    txx[k] = x[k] * x[k] * en;
                    tyy[k] = y[k] * y[k] * en;
                    trr[k] = r[k] * r[k] * en;
                }
                double s = pairwiseSum(e, 0, n);
                eL[i][l] = s;
                double d = s + EPS;
                ecX[i][l] = pairwiseSum(tx, 0, n) / d;
                ecY[i][l] = pairwiseSum(ty, 0, n) / d;
                ecR[i][l] = pairwiseSum(tr, 0, n) / d;
                wX[i][l] = width(pairwiseSum(txx, 0, n) / d, ecX[i][l]);
                wY[i][l] = width(pairwiseSum(tyy, 0, n) / d, ecY[i][l]);
                wR[i][l] = width(pairwiseSum(trr, 0, n) / d, ecR[i][l]);
                sp[i][l] = 1.0 - (double) hit / n;
            }
        }
        return new ShowerFeatures(rows, nl, eTot, eL, ecX, ecY, wX, wY, sp, ecR, wR);
    }

    /**
     * numpy's pairwise summation of {@code a[from, from+n)} (8 interleaved partial sums in blocks of up to 128,
     * halves above that): the order the official evaluator's {@code .sum(axis=-1)} adds in.
     */
    static double pairwiseSum(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) res += a[from + i];
            return res;
        }
        if (n <= 128) {
            double r0 = a[from], r1 = a[from + 1], r2 = a[from + 2], r3 = a[from + 3], r4 = a[from + 4],
                    r5 = a[from + 5], r6 = a[from + 6], r7 = a[from + 7];
            int i = 8, end = n - n % 8;
            for (; i < end; i += 8) {
                int p = from + i;
                r0 += a[p];
                r1 += a[p + 1];
                r2 += a[p + 2];
                r3 += a[p + 3];
                r4 += a[p + 4];
                r5 += a[p + 5];
                r6 += a[p + 6];
                r7 += a[p + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += a[from + i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
    }

    private static double width(double secondMoment, double centre) {
        return Math.sqrt(Math.max(secondMoment - centre * centre, 0));
    }

    /** The CSV header, in the column order of the official evaluator's feature dump. */
    public static String csvHeader(int layers) {
        StringBuilder b = new StringBuilder("E_tot");
        for (String name : PER_LAYER) for (int l = 0; l < layers; l++) b.append(',').append(name).append('_').append(l);
        return b.toString();
    }

    /** Per-layer feature names in CSV column order. */
    public static final String[] PER_LAYER = {"E_layer", "EC_eta", "EC_phi", "width_eta", "width_phi", "sparsity", "EC_r", "width_r"};

    /** The per-layer arrays in the order of {@link #PER_LAYER}. */
    public double[][][] perLayer() {
        return new double[][][]{eLayer, ecEta, ecPhi, widthEta, widthPhi, sparsity, ecR, widthR};
    }

    /** Row {@code i} as CSV values (shortest round-trip representation of each double). */
    public void appendCsvRow(int i, StringBuilder b) {
        b.append(eTot[i]);
        for (double[][] f : perLayer()) for (int l = 0; l < layers; l++) b.append(',').append(f[i][l]);
        b.append('\n');
    }
}
