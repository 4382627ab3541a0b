package org.icaloflow.flow;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Everything computed by one pass through a flow, in either direction, oriented data → base.
 *
 * <p>The blocks are the {@link AutoregressiveSplineBlock} steps of the flow's {@link CompositeTransform} pass (the
 * permutations between them leave no entry), turned to the data → base orientation for an inverse pass.
 * Block {@code i} (0 = nearest the data) maps its data-side input {@code blocks().get(i).input()}
 * (already permuted into the block's feature order) to its base-side output, with spline parameters
 * {@code params()} = the raw MADE outputs (N, 3K−1, D) and {@code logDet()} = log|d output / d input| (N).
 * For a MAF the MADE read the input; for an IAF it read the output. All arrays live on the manager of the
 * array the pass was called with, and are part of the autograd graph when the pass ran inside a
 * GradientCollector (both directions are differentiable; the sequential one costs D MADE passes per block).
 *
 * @param x data-side values (N, D)
 * @param z base-side values (N, D)
 * @param logDet log|dz/dx| of the whole flow (N)
 * @param logProb log p(x | c) = log N(z; 0, 1) + logDet (N)
 * @param blocks per-block values, index 0 nearest the data
 */
public record Trace(NDArray x, NDArray z, NDArray logDet, NDArray logProb, List<Block> blocks) {

    /**
     * One block of a pass.
     *
     * @param input data-side value of the block, after the permutation preceding it (N, D)
     * @param output base-side value of the block (N, D)
     * @param params raw MADE outputs, the spline parameters (N, D, 3K−1), grouped per feature
     * @param logDet log|d output / d input| summed over features (N)
     */
    public record Block(NDArray input, NDArray output, NDArray params, NDArray logDet) {
    }
}
