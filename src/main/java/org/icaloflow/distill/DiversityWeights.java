package org.icaloflow.distill;

import org.icaloflow.preprocess.ShowerEncoding;
import org.icaloflow.train.TrainingData;

import java.util.Iterator;

/**
 * Diversity-based sample weights (Majerz et al., ZDC study, adapted to a continuous condition): samples are
 * binned by their first condition (the incident-energy condition of Flows 2 and 3) into equal-width bins;
 * bin b gets w_b = [1/div_b]_norm · count_b / max count + ε, with div_b the mean over voxels of the
 * standard deviation of the normalised voxel energies in the bin, [·]_norm scaling to a maximum of 1.
 * Weights are then normalised to mean 1 over the measured samples. Rare, high-variance bins are down-weighted,
 * frequent, regular ones up-weighted; conditions outside the measured range use the edge bins.
 */
public final class DiversityWeights {
    private final double lo, hi;
    private final double[] weight;

    DiversityWeights(double lo, double hi, double[] weight) {
        this.lo = lo;
        this.hi = hi;
        this.weight = weight;
    }

    /** Measures the first {@code maxSamples} samples of {@code data} (two unshuffled passes over them). */
    public static DiversityWeights measure(TrainingData data, int bins, double epsilon, int maxSamples, int batchSize) {
        int cd = data.conditionDim(), d = data.dim();
        if (cd < 1) throw new IllegalArgumentException("diversity weighting needs a condition");
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        long seen = 0;
        for (Iterator<TrainingData.Batch> it = data.batches(batchSize, false, 0, 0); it.hasNext() && seen < maxSamples; ) {
            TrainingData.Batch b = it.next();
            for (int i = 0; i < b.n() && seen < maxSamples; i++, seen++) {
                lo = Math.min(lo, b.c()[i * cd]);
                hi = Math.max(hi, b.c()[i * cd]);
            }
        }
        long[] count = new long[bins];
        double[][] sum = new double[bins][d], sq = new double[bins][d];
        seen = 0;
        for (Iterator<TrainingData.Batch> it = data.batches(batchSize, false, 0, 0); it.hasNext() && seen < maxSamples; ) {
            TrainingData.Batch b = it.next();
            for (int i = 0; i < b.n() && seen < maxSamples; i++, seen++) {
                int k = bin(b.c()[i * cd], lo, hi, bins);
                count[k]++;
                for (int j = 0; j < d; j++) {
                    double u = ShowerEncoding.inverseLogit(b.x()[i * d + j]);
                    sum[k][j] += u;
                    sq[k][j] += u * u;
                }
            }
        }
        double[] inv = new double[bins];
        double maxInv = 0;
        long maxCount = 0;
        for (int k = 0; k < bins; k++) {
            if (count[k] < 2) continue;
            double div = 0;
            for (int j = 0; j < d; j++) {
                double mean = sum[k][j] / count[k];
                div += Math.sqrt(Math.max(0, sq[k][j] / count[k] - mean * mean));
            }
            div /= d;
            inv[k] = 1 / Math.max(div, 1e-12);
            maxInv = Math.max(maxInv, inv[k]);
            maxCount = Math.max(maxCount, count[k]);
        }
        double[] w = new double[bins];
        double total = 0, n = 0;
        for (int k = 0; k < bins; k++) {
            w[k] = maxInv > 0 && count[k] >= 2 ? inv[k] / maxInv * count[k] / maxCount + epsilon : Double.NaN;
            if (!Double.isNaN(w[k])) {
                total += w[k] * count[k];
                n += count[k];
            }
        }
        double mean = n > 0 ? total / n : 1;
        for (int k = 0; k < bins; k++) w[k] = Double.isNaN(w[k]) ? 1 : w[k] / mean;   // empty bins neutral
        return new DiversityWeights(lo, hi, w);
    }

    private static int bin(double c, double lo, double hi, int bins) {
        if (!(hi > lo)) return 0;
        int k = (int) Math.floor((c - lo) / (hi - lo) * bins);
        return Math.max(0, Math.min(bins - 1, k));
    }

    /** The weight of a sample with first condition {@code c0}. */
    public double weight(double c0) {
        return weight[bin(c0, lo, hi, weight.length)];
    }

    /** Weights of a batch's samples. */
    public float[] weights(TrainingData.Batch b, int conditionDim) {
        float[] w = new float[b.n()];
        for (int i = 0; i < b.n(); i++) w[i] = (float) weight(b.c()[i * conditionDim]);
        return w;
    }

    /** Per-bin weights (for logging). */
    public double[] binWeights() {
        return weight.clone();
    }
}
