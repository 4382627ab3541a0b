package org.icaloflow.preprocess;

import java.util.SplittableRandom;

/**
 * The dequantisation noise of Appendix A (U[0, 5 keV] on every voxel and layer energy), drawn afresh each
 * time the training loader serves a sample, as the authors' loader does ({@code data.py __getitem__}).
 *
 * <p>Every draw comes from a generator keyed by (file seed, pass, row, layer, part): the file seed comes from
 * {@code preprocess.seed} and the file's role (train/select), the pass from the training seed and the epoch
 * (or, for the selection set, the step of the evaluation), the row is the row of the preprocessed file. So a
 * sample's noise does not depend on the batch size, the row order or the thread count, and a resumed run
 * draws what an uninterrupted one would. The four parts are independent draws, as in {@code data.py}: the
 * target layer's voxels, the previous layer's voxels in Flow-3's condition, E_i and E_{i-1}.
 */
public final class Dequantisation {
    /** The voxels of the target layer (A4). */
    public static final int TARGET = 1;
    /** The previous layer's voxels in Flow-3's condition (A4): its own draw, not the target's of layer i-1. */
    public static final int PREVIOUS = 2;
    /** The layer energy E_i (A2): its own draw, not the sum of the voxels' noise. */
    public static final int LAYER_ENERGY = 3;
    /** E_{i-1} in Flow-3's condition (A2): its own draw. */
    public static final int PREVIOUS_LAYER_ENERGY = 4;

    private Dequantisation() {
    }

    /** Seed of one preprocessed file: {@code role} 0 for the training set, 1 for the selection set. */
    public static long fileSeed(long preprocessSeed, int role) {
        return mix(mix(preprocessSeed ^ 0x5DEECE66DL) + role);
    }

    /** The generator of one (file, pass, row, layer, part). */
    public static SplittableRandom stream(long fileSeed, long pass, long row, int layer, int part) {
        long k = mix(fileSeed + 0x9E3779B97F4A7C15L * pass);
        k = mix(k + 0xBF58476D1CE4E5B9L * row);
        k = mix(k + 0x94D049BB133111EBL * ((long) layer << 3 | part));
        return new SplittableRandom(k);
    }

    /** One draw of U[0, 5 keV] in MeV. */
    public static double draw(SplittableRandom rng) {
        return rng.nextDouble() * ShowerEncoding.NOISE_MEV;
    }

    /** (A2, A3) for one layer energy (MeV) with one fresh draw. */
    public static float layerEnergy(double layerMeV, SplittableRandom rng) {
        return (float) ShowerEncoding.layerEnergyTarget(layerMeV, draw(rng));
    }

    /**
     * (A4) for one layer: voxels (MeV) plus one draw each, divided by their noisy sum, then the logit.
     * Reads {@code count} voxels of {@code mev} at {@code from}, writes them to {@code out} at {@code at}.
     */
    public static void layer(float[] mev, int from, int count, SplittableRandom rng, double[] scratch, float[] out, int at) {
        double sum = 0;
        for (int v = 0; v < count; v++) {
            double e = mev[from + v] + draw(rng);
            scratch[v] = e;
            sum += e;
        }
        for (int v = 0; v < count; v++) out[at + v] = (float) ShowerEncoding.logit(scratch[v] / sum);
    }

    /** SplitMix64's finaliser: a bijective 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
