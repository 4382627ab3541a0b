package org.icaloflow.sample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.icaloflow.data.ShowerBatch;

/**
 * Layer-energy closure of a generated sample: for every shower and layer with a non-zero Flow-1 energy Ẽ_i, the
 * ratio r = (sum of the generated, thresholded voxels of layer i) / Ẽ_i.
 *
 * <p>Flow-2 and Flow-3 generate a layer as voxel fractions that the sampler multiplies by Ẽ_i without renormalising
 * (as the authors' code). In the training data the fractions sum to 1 less the dequantisation noise's share, so a
 * well-trained shape flow gives r close to 1; its spread is a direct measure of how well that flow has learned the
 * one constraint every training layer satisfies, without a classifier and without a reference sample. A short
 * training shows up here first: a "dead" layer (every voxel at the empty voxels' noise level, r &lt; 0.1) or a
 * layer with twice its energy. Reported per layer as quantiles and as the fractions of layers below half and above
 * twice Ẽ_i (bench/results/fidelity_ds2_cpu.md, "Layer closure").
 *
 * <p>Quantiles come from a histogram of log2 r in bins of 1/128 over [-16, 8) (0.5 % of r); r = 0 and ratios
 * below 2^-16 count in the lowest bin, reported as 0.
 */
public final class LayerClosure {
    /** A layer is off when r is below this or above its inverse. */
    public static final double OFF_FACTOR = 0.5;
    static final int BINS_PER_OCTAVE = 128;
    static final int LOWEST_OCTAVE = -16, HIGHEST_OCTAVE = 8;
    private static final int BINS = (HIGHEST_OCTAVE - LOWEST_OCTAVE) * BINS_PER_OCTAVE;

    private final int layers;
    private final int voxelsPerLayer;
    private final long[][] histogram;
    private final long[] below, above;

    public LayerClosure(int layers, int voxelsPerLayer) {
        if (layers < 1 || voxelsPerLayer < 1) throw new IllegalArgumentException("need layers and voxels per layer >= 1");
        this.layers = layers;
        this.voxelsPerLayer = voxelsPerLayer;
        histogram = new long[layers][BINS];
        below = new long[layers];
        above = new long[layers];
    }

    /** Adds a batch: its showers (MeV, layer-major) and Flow-1's energies Ẽ (row-major, rows x layers, MeV). */
    public void add(ShowerBatch showers, float[] proxyMeV) {
        int n = showers.size();
        if (showers.voxels() != layers * voxelsPerLayer || proxyMeV.length != n * layers) {
            throw new IllegalArgumentException("batch of " + n + " showers x " + showers.voxels() + " voxels and "
                    + proxyMeV.length + " layer energies do not match " + layers + " layers x " + voxelsPerLayer);
        }
        float[] x = showers.showersMeV();
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < layers; l++) {
                double e = proxyMeV[i * layers + l];
                if (!(e > 0)) continue;
                double sum = 0;
                for (int k = i * layers * voxelsPerLayer + l * voxelsPerLayer, end = k + voxelsPerLayer; k < end; k++) sum += x[k];
                double r = sum / e;
                histogram[l][bin(r)]++;
                if (r < OFF_FACTOR) below[l]++;
                else if (r > 1 / OFF_FACTOR) above[l]++;
            }
        }
    }

    static int bin(double r) {
        if (!(r > 0)) return 0;
        double b = Math.floor((Math.log(r) / Math.log(2) - LOWEST_OCTAVE) * BINS_PER_OCTAVE);
        return (int) Math.max(0, Math.min(BINS - 1, b));
    }

    /** One layer's closure: q10, median, q90 of r and the fractions below 1/2 and above 2 (of {@code showers}). */
    public record Layer(int layer, long showers, double q10, double median, double q90, double belowHalf, double aboveDouble) {
    }

    /** Layers 1..L (the paper's numbering) in order; a layer that never had Ẽ_i &gt; 0 has NaN statistics. */
    public List<Layer> layers() {
        List<Layer> out = new ArrayList<>(layers);
        for (int l = 0; l < layers; l++) {
            long n = 0;
            for (long c : histogram[l]) n += c;
            out.add(new Layer(l + 1, n, quantile(l, n, 0.1), quantile(l, n, 0.5), quantile(l, n, 0.9),
                    n == 0 ? Double.NaN : below[l] / (double) n, n == 0 ? Double.NaN : above[l] / (double) n));
        }
        return out;
    }

    /** The fraction of all (shower, layer) pairs with Ẽ_i &gt; 0 whose r is below 1/2 or above 2. */
    public double offFraction() {
        long n = 0, off = 0;
        for (int l = 0; l < layers; l++) {
            for (long c : histogram[l]) n += c;
            off += below[l] + above[l];
        }
        return n == 0 ? Double.NaN : off / (double) n;
    }

    /** The layer (1..L) with the largest off fraction, 0 if none was filled. */
    public int worstLayer() {
        int worst = 0;
        double w = -1;
        for (Layer x : layers()) {
            double f = x.belowHalf() + x.aboveDouble();
            if (x.showers() > 0 && f > w) {
                w = f;
                worst = x.layer();
            }
        }
        return worst;
    }

    private double quantile(int l, long n, double q) {
        if (n == 0) return Double.NaN;
        // the smallest bin whose cumulative count reaches q n, reported at its centre (0 for the lowest bin)
        double target = q * n;
        long cum = 0;
        for (int b = 0; b < BINS; b++) {
            cum += histogram[l][b];
            if (cum >= target && cum > 0) {
                if (b == 0) return 0;
                return Math.pow(2, LOWEST_OCTAVE + (b + 0.5) / BINS_PER_OCTAVE);
            }
        }
        return Math.pow(2, HIGHEST_OCTAVE);
    }

    /** For the sample manifest: the definition, the overall off fraction, the worst layer and every layer. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("definition", "r = generated layer sum / Flow-1 layer energy, for layers with a non-zero Flow-1 energy; "
                + "off = r < 0.5 or r > 2");
        m.put("off_fraction", finiteOrNull(offFraction()));
        m.put("worst_layer", worstLayer());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Layer x : layers()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("layer", x.layer());
            r.put("showers", x.showers());
            r.put("q10", finiteOrNull(x.q10()));
            r.put("median", finiteOrNull(x.median()));
            r.put("q90", finiteOrNull(x.q90()));
            r.put("below_half", finiteOrNull(x.belowHalf()));
            r.put("above_double", finiteOrNull(x.aboveDouble()));
            rows.add(r);
        }
        m.put("layers", rows);
        return m;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
