package org.icaloflow.evaluate;

import java.util.Arrays;

/**
 * A fixed-binning histogram filled one value at a time, with numpy's conventions: bins are
 * {@code [e_i, e_{i+1})} except the last, which is closed; values outside the edges (and NaN) are not
 * counted, so densities are normalised over the values inside the range, as {@code np.histogram(density=True)}.
 */
public final class Histogram {
    private final double[] edges;
    private final double[] counts;
    private final boolean uniform;
    private final boolean logUniform;
    private long outside;

    public Histogram(double[] edges) {
        if (edges.length < 2) throw new IllegalArgumentException("a histogram needs at least two edges");
        for (int i = 1; i < edges.length; i++)
            if (!(edges[i] > edges[i - 1])) throw new IllegalArgumentException("edges must increase: " + Arrays.toString(edges));
        this.edges = edges.clone();
        this.counts = new double[edges.length - 1];
        this.uniform = isUniform(edges, false);
        this.logUniform = !uniform && edges[0] > 0 && isUniform(edges, true);
    }

    /** A histogram with the same binning and no entries. */
    public Histogram emptyCopy() {
        return new Histogram(edges);
    }

    private static boolean isUniform(double[] e, boolean log) {
        int n = e.length - 1;
        double a = log ? Math.log(e[0]) : e[0], b = log ? Math.log(e[n]) : e[n];
        for (int i = 0; i <= n; i++) {
            double x = log ? Math.log(e[i]) : e[i];
            if (Math.abs(x - (a + (b - a) * i / n)) > 1e-9 * Math.max(1, Math.abs(b - a))) return false;
        }
        return true;
    }

    /** {@code np.linspace(lo, hi, n)} edges (n points, n-1 bins). */
    public static double[] linspace(double lo, double hi, int n) {
        double[] e = new double[n];
        double step = (hi - lo) / (n - 1);
        for (int i = 0; i < n; i++) e[i] = lo + i * step;
        e[n - 1] = hi;
        return e;
    }

    /** {@code np.logspace(a, b, n)}: n points from 10^a to 10^b. */
    public static double[] logspace(double a, double b, int n) {
        double[] lin = linspace(a, b, n);
        for (int i = 0; i < n; i++) lin[i] = Math.pow(10, lin[i]);
        return lin;
    }

    public void fill(double x) {
        fill(x, 1.0);
    }

    public void fill(double x, double weight) {
        int b = bin(x);
        if (b < 0) outside++;
        else counts[b] += weight;
    }

    /** Adds the entries of a histogram of the same binning (for merging per-thread histograms). */
    public void add(Histogram other) {
        if (!Arrays.equals(edges, other.edges)) throw new IllegalArgumentException("histograms of different binning");
        for (int i = 0; i < counts.length; i++) counts[i] += other.counts[i];
        outside += other.outside;
    }

    /** The bin of {@code x}, or -1 outside the range. */
    public int bin(double x) {
        int n = counts.length;
        if (!(x >= edges[0] && x <= edges[n])) return -1;
        if (x == edges[n]) return n - 1;
        int guess;
        if (uniform) guess = (int) ((x - edges[0]) / (edges[n] - edges[0]) * n);
        else if (logUniform) guess = (int) (Math.log(x / edges[0]) / Math.log(edges[n] / edges[0]) * n);
        else {
            int i = Arrays.binarySearch(edges, x);
            return i >= 0 ? i : -i - 2;
        }
        // the formula can be one bin off at an edge through rounding: settle it against the edges
        guess = Math.max(0, Math.min(n - 1, guess));
        while (guess > 0 && x < edges[guess]) guess--;
        while (guess < n - 1 && x >= edges[guess + 1]) guess++;
        return guess;
    }

    public double[] edges() {
        return edges.clone();
    }

    public int bins() {
        return counts.length;
    }

    public double[] counts() {
        return counts.clone();
    }

    /** Entries inside the range. */
    public double total() {
        double s = 0;
        for (double c : counts) s += c;
        return s;
    }

    /** Entries that fell outside the range (not in any bin). */
    public long outside() {
        return outside;
    }

    /** Fraction of the entries in each bin (sums to 1; all zero when empty). */
    public double[] probabilities() {
        double t = total();
        double[] p = new double[counts.length];
        if (t > 0) for (int i = 0; i < p.length; i++) p[i] = counts[i] / t;
        return p;
    }

    /** Density: probability per unit of x (integrates to 1 over the range), as {@code density=True}. */
    public double[] density() {
        double[] p = probabilities();
        for (int i = 0; i < p.length; i++) p[i] /= edges[i + 1] - edges[i];
        return p;
    }

    /**
     * The CaloChallenge separation power ½ Σ (p₁−p₂)²/(p₁+p₂) of the per-bin probabilities of two histograms of
     * the same binning: 0 for identical shapes, 1 for disjoint ones. Bins empty in both are skipped.
     */
    public static double separationPower(Histogram a, Histogram b) {
        if (!Arrays.equals(a.edges, b.edges)) throw new IllegalArgumentException("histograms of different binning");
        return separationPower(a.probabilities(), b.probabilities());
    }

    public static double separationPower(double[] p, double[] q) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            double d = p[i] + q[i];
            if (d > 0) s += (p[i] - q[i]) * (p[i] - q[i]) / d;
        }
        return 0.5 * s;
    }
}
