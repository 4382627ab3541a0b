package org.icaloflow.flow;

/**
 * A MADE's eval-mode weights as Java arrays (float32, masks applied), for kernels that run a small batch of the
 * sequential direction entirely in Java: there a step is a few thousand multiply-adds per row, far less than the
 * dozen libtorch calls (some 5 µs each) that the tensor step costs. Built once per weight version from
 * {@link Made}'s cached weights, only when such a kernel asks for it.
 *
 * <p>Layouts, row-major: {@code in} (D, W₀); {@code hidden[l]} (W_l, W_{l+1}) with bias {@code hiddenBias[l]};
 * {@code outByFeature} (D, W_last, P) and {@code biasByFeature} (D, P): feature k's P outputs are
 * {@code biasByFeature[k] + h·outByFeature[k]}. The first layer's bias is part of {@link Made#conditionTerm}, which
 * the caller supplies per row.
 */
public record MadeOnHost(int dim, int paramsPerFeature, int[] widths, float[] in, float[][] hidden,
        float[][] hiddenBias, float[] outByFeature, float[] biasByFeature) {

    /** What a kernel is offered: the cost of a step, known at once, and the arrays, built only when asked for. */
    public interface Source {
        /** Multiply-adds per row of one sequential step (see {@link MadeOnHost#multiplyAddsPerStep}). */
        long multiplyAddsPerStep();

        /** The arrays, or null where the weights cannot be had on the host (not an eval cache, not float32). */
        MadeOnHost weights();
    }

    /** Multiply-adds per row of one sequential step: the first layer's update, the hidden layers, one feature's outputs. */
    public long multiplyAddsPerStep() {
        return multiplyAddsPerStep(widths, paramsPerFeature);
    }

    static long multiplyAddsPerStep(int[] widths, int paramsPerFeature) {
        long n = widths[0];
        for (int l = 0; l + 1 < widths.length; l++) {
            n += (long) widths[l] * widths[l + 1];
        }
        return n + (long) widths[widths.length - 1] * paramsPerFeature;
    }
}
