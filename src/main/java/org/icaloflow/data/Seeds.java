package org.icaloflow.data;

/**
 * Seed mixing shared by everything that draws reproducibly from (seed, index): the synthetic showers, their
 * incident energies and the samplers' base noise. Each stream is keyed only by its seed and index, so draws are
 * bit-identical however they are batched or parallelised.
 */
public final class Seeds {
    private Seeds() {
    }

    /** Seed of the stream for item {@code index} under {@code seed} (nested SplitMix64 finalisers). */
    public static long stream(long seed, long index) {
        return mix64(mix64(seed ^ 0x9E3779B97F4A7C15L) + index * 0xD1B54A32D192ED03L + 0x2545F4914F6CDD1DL);
    }

    /** The SplitMix64 finaliser. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
