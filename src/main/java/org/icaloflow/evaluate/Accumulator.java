package org.icaloflow.evaluate;

import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the evaluation keeps of one sample while streaming it: the histograms of {@link Evaluation.Binning},
 * per-layer and per-voxel energy sums (for mean-energy profiles and average images) and, for the layers shown
 * individually, fine log-binned voxel-energy distributions per ring (for quantiles in box plots).
 */
final class Accumulator {
    /** Fine bins per decade for the per-ring quantiles: relative quantile error below 1%. */
    static final int RING_BINS_PER_DECADE = 200;

    final Geometry g;
    final double threshold;
    final Map<String, Histogram> hists = new LinkedHashMap<>();
    final int[] plotLayers;
    long showers;
    double eTotSum;
    final double[] layerSum;
    final double[] voxelSum;
    /** [plot layer][ring]: nonzero voxel energies; zeros counted apart. */
    final Histogram[][] ring;
    final long[][] ringZeros;
    final long[][] ringCount;

    private final Histogram etot;
    private final Histogram[][] perLayer; // [feature in ShowerFeatures.PER_LAYER order][layer]
    private final Histogram voxel;
    private final Histogram[] voxelLayer;

    Accumulator(Geometry g, Evaluation.Binning b, double threshold, int[] plotLayers) {
        this.g = g;
        this.threshold = threshold;
        this.plotLayers = plotLayers;
        for (var e : b.edges().entrySet()) hists.put(e.getKey(), new Histogram(e.getValue()));
        int nl = g.layers();
        etot = hists.get("Etot_Einc");
        perLayer = new Histogram[ShowerFeatures.PER_LAYER.length][nl];
        for (int f = 0; f < perLayer.length; f++)
            for (int l = 0; l < nl; l++) perLayer[f][l] = hists.get(ShowerFeatures.PER_LAYER[f] + "_" + l);
        voxel = hists.get("voxel_E");
        voxelLayer = new Histogram[nl];
        for (int l = 0; l < nl; l++) voxelLayer[l] = hists.get("voxel_E_layer_" + l);
        layerSum = new double[nl];
        voxelSum = new double[g.voxels()];
        ring = new Histogram[plotLayers.length][];
        ringZeros = new long[plotLayers.length][];
        ringCount = new long[plotLayers.length][];
        double lo = Math.log10(threshold);
        // up to 10 TeV in one voxel: beyond any CaloChallenge energy
        int decades = (int) Math.ceil(7 - lo);
        double[] fine = Histogram.logspace(lo, lo + decades, decades * RING_BINS_PER_DECADE + 1);
        for (int p = 0; p < plotLayers.length; p++) {
            int nR = g.radialBins(plotLayers[p]);
            ring[p] = new Histogram[nR];
            for (int r = 0; r < nR; r++) ring[p][r] = new Histogram(fine);
            ringZeros[p] = new long[nR];
            ringCount[p] = new long[nR];
        }
    }

    void add(ShowerBatch b) {
        int n = b.size(), v = g.voxels(), nl = g.layers();
        float[] s = b.showersMeV();
        ShowerFeatures f = ShowerFeatures.compute(g, s, n, threshold);
        double[][][] pl = f.perLayer();
        for (int i = 0; i < n; i++) {
            etot.fill(f.eTot()[i] / b.incidentEnergyMeV()[i]);
            eTotSum += f.eTot()[i];
            for (int k = 0; k < pl.length; k++)
                for (int l = 0; l < nl; l++) perLayer[k][l].fill(pl[k][i][l]);
            for (int l = 0; l < nl; l++) {
                layerSum[l] += f.eLayer()[i][l];
                Histogram vl = voxelLayer[l];
                for (int k = g.layerOffset(l), end = k + g.voxelsInLayer(l); k < end; k++) {
                    double e = s[i * v + k];
                    if (e >= threshold) {
                        voxel.fill(e);
                        vl.fill(e);
                        voxelSum[k] += e;
                    }
                }
            }
            for (int p = 0; p < plotLayers.length; p++) {
                int l = plotLayers[p], nR = g.radialBins(l), off = i * v + g.layerOffset(l);
                for (int k = 0; k < g.voxelsInLayer(l); k++) {
                    double e = s[off + k];
                    int r = k % nR;
                    ringCount[p][r]++;
                    if (e >= threshold) ring[p][r].fill(e);
                    else ringZeros[p][r]++;
                }
            }
        }
        showers += n;
    }

    /** Adds everything another accumulator of the same binning collected (per-thread partial results). */
    void merge(Accumulator o) {
        for (var e : hists.entrySet()) e.getValue().add(o.hists.get(e.getKey()));
        showers += o.showers;
        eTotSum += o.eTotSum;
        for (int l = 0; l < layerSum.length; l++) layerSum[l] += o.layerSum[l];
        for (int k = 0; k < voxelSum.length; k++) voxelSum[k] += o.voxelSum[k];
        for (int p = 0; p < ring.length; p++)
            for (int r = 0; r < ring[p].length; r++) {
                ring[p][r].add(o.ring[p][r]);
                ringZeros[p][r] += o.ringZeros[p][r];
                ringCount[p][r] += o.ringCount[p][r];
            }
    }

    /** Box statistics of ring {@code r} of plot layer {@code p}: quantiles of the nonzero voxel energies. */
    Plot.Box ringBox(int p, int r) {
        Histogram h = ring[p][r];
        double total = h.total();
        double zf = ringCount[p][r] == 0 ? 0 : (double) ringZeros[p][r] / ringCount[p][r];
        if (total == 0) return new Plot.Box(0, 0, 0, 0, 0, zf);
        return new Plot.Box(quantile(h, 0.05), quantile(h, 0.25), quantile(h, 0.5), quantile(h, 0.75), quantile(h, 0.95), zf);
    }

    /** Quantile of a histogram, interpolated log-linearly inside the bin. */
    static double quantile(Histogram h, double q) {
        double[] c = h.counts(), e = h.edges();
        double target = q * h.total(), cum = 0;
        for (int i = 0; i < c.length; i++) {
            if (c[i] > 0 && cum + c[i] >= target) {
                double f = (target - cum) / c[i];
                return e[i] * Math.pow(e[i + 1] / e[i], f);
            }
            cum += c[i];
        }
        return e[e.length - 1];
    }
}
