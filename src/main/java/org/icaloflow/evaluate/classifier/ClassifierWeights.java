package org.icaloflow.evaluate.classifier;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.icaloflow.data.AtomicFiles;

/**
 * CaloDREAM's diagnostic of the classifier test: the distribution of the calibrated weights w = C/(1 − C)
 * ≈ p_ref/p_gen on generated and on reference showers. A perfect generator gives w ≡ 1; a tail at large w on
 * reference showers marks regions the generator under-populates, small w on generated showers regions it
 * over-populates.
 */
public final class ClassifierWeights {
    private ClassifierWeights() {
    }

    /** Fractions of weights beyond the usual marks. */
    public record Tails(int n, double above2, double above5, double below0p5, double below0p2) {
    }

    public static Tails tails(double[] w) {
        int a2 = 0, a5 = 0, b05 = 0, b02 = 0;
        for (double x : w) {
            if (x > 2) a2++;
            if (x > 5) a5++;
            if (x < 0.5) b05++;
            if (x < 0.2) b02++;
        }
        double n = Math.max(1, w.length);
        return new Tails(w.length, a2 / n, a5 / n, b05 / n, b02 / n);
    }

    /**
     * Edges of {@code bins} log-spaced bins from {@code min} to {@code max} (bins + 1 values).
     */
    public static double[] logEdges(double min, double max, int bins) {
        if (!(min > 0 && max > min) || bins < 1) throw new IllegalArgumentException("bad bins " + min + ".." + max + " x" + bins);
        double[] e = new double[bins + 1];
        double lo = Math.log10(min), hi = Math.log10(max);
        for (int i = 0; i <= bins; i++) e[i] = Math.pow(10, lo + (hi - lo) * i / bins);
        e[0] = min;
        e[bins] = max;
        return e;
    }

    /**
     * Fractions of {@code w} per bin: index 0 = underflow [0, edges[0]), 1..bins = [edges[i−1], edges[i]),
     * bins + 1 = overflow [edges[bins], ∞). Sums to 1.
     */
    public static double[] histogram(double[] w, double[] edges) {
        int bins = edges.length - 1;
        double[] h = new double[bins + 2];
        for (double x : w) {
            int k;
            if (x < edges[0]) {
                k = 0;
            } else if (x >= edges[bins]) {
                k = bins + 1;
            } else {
                int j = java.util.Arrays.binarySearch(edges, x);
                k = j >= 0 ? j + 1 : -j - 1; // insertion point p: edges[p-1] <= x < edges[p] → bin p
            }
            h[k]++;
        }
        if (w.length > 0) for (int i = 0; i < h.length; i++) h[i] /= w.length;
        return h;
    }

    /**
     * Writes the weight histograms of every run (atomically) as {@code run,bin_low,bin_high,generated,reference}
     * rows: fractions of each class's validation showers, with an underflow row (bin_low 0) and an overflow
     * row (bin_high inf). Defaults for plots: 1e-3 .. 1e3 in 60 bins (10 per decade).
     */
    public static void writeHistogramCsv(Path file, List<TwoSampleClassifier.RunResult> runs, double min, double max, int bins) {
        double[] edges = logEdges(min, max, bins);
        AtomicFiles.write(file, tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write("run,bin_low,bin_high,generated,reference\n");
                for (TwoSampleClassifier.RunResult r : runs) {
                    double[] g = histogram(r.weightsGenerated(), edges);
                    double[] f = histogram(r.weightsReference(), edges);
                    for (int k = 0; k < g.length; k++) {
                        double lo = k == 0 ? 0 : edges[k - 1];
                        double hi = k == g.length - 1 ? Double.POSITIVE_INFINITY : edges[k];
                        w.write(String.format(Locale.ROOT, "%d,%.6g,%s,%.8g,%.8g%n", r.run(), lo,
                                Double.isInfinite(hi) ? "inf" : String.format(Locale.ROOT, "%.6g", hi), g[k], f[k]));
                    }
                }
            }
        });
    }
}
