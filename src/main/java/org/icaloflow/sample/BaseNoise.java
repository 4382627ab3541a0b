package org.icaloflow.sample;

import org.icaloflow.data.Seeds;

import java.util.SplittableRandom;

/**
 * The flows' base samples z ~ N(0, I), drawn in Java so that a shower depends only on
 * (seed, shower index, stream) and never on the batch it was generated in, the device, or DJL's
 * global generator. Stream {@link #FLOW1} is Flow-1's draw; stream {@code l} (0-based layer, 0 for
 * Flow-2, 1..L-1 for Flow-3) is the draw of that layer's voxels. {@link #feedback} gives the uniform
 * dequantisation noise added to a generated layer before it conditions the next one (Eq. A4), from streams
 * distinct from all of these.
 */
public final class BaseNoise {
    /** Stream of Flow-1 (the layer energies); layers use 0..L-1. */
    public static final int FLOW1 = -1;
    /**
     * Stream of CaloDREAM's energy network in Flow-1's place: one generator per batch, keyed by the batch's first
     * shower ({@link #cfmFlow1}); its draws are the batch's, so such showers depend on their batch too.
     */
    static final int CFM_FLOW1 = -2;
    /** Offset of the feedback-noise streams: far above any layer index. */
    static final int FEEDBACK = 1 << 20;

    private BaseNoise() {
    }

    /** Fills {@code out[at .. at+dim)} with the standard normals of (seed, shower, stream). */
    public static void fill(long seed, long shower, int stream, float[] out, int at, int dim) {
        SplittableRandom r = new SplittableRandom(key(seed, shower, stream));
        for (int k = 0; k < dim; k++) out[at + k] = (float) r.nextGaussian();
    }

    /** Same, in double precision (for float64 flows). */
    public static void fill(long seed, long shower, int stream, double[] out, int at, int dim) {
        SplittableRandom r = new SplittableRandom(key(seed, shower, stream));
        for (int k = 0; k < dim; k++) out[at + k] = r.nextGaussian();
    }

    /**
     * The U[0, 1) draws (one {@code nextDouble()} per voxel, in voxel order) of the noise added to zero-based layer
     * {@code layer} of {@code shower} before it conditions layer {@code layer + 1}.
     */
    public static SplittableRandom feedback(long seed, long shower, int layer) {
        return new SplittableRandom(key(seed, shower, FEEDBACK + layer));
    }

    /** The seed of CaloDREAM's energy-network draws for the batch starting at shower {@code firstShower}. */
    public static long cfmFlow1(long seed, long firstShower) {
        return key(seed, firstShower, CFM_FLOW1);
    }

    /** Independent 64-bit key per (seed, shower, stream): nested SplitMix64 finalisers. */
    static long key(long seed, long shower, int stream) {
        return Seeds.mix64(Seeds.mix64(Seeds.mix64(seed + 0x9E3779B97F4A7C15L) + shower) + stream + 0x632BE59BD9B4E019L);
    }
}
