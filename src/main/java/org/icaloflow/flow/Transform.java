package org.icaloflow.flow;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * An invertible map of (N, D) arrays given a condition c (N, C) or null, in the shape of nflows 0.14's
 * {@code nflows.transforms.base.Transform}: {@link #forward} maps the data side to the base side, {@link #inverse}
 * back, and each returns its outputs with log|det| of the map it applied. As in nflows, the inverse's log|det| is
 * that of the inverse map: the negative of forward's at the corresponding point.
 *
 * <p>Temporaries and outputs live on the manager of the input array; both directions are differentiable unless a
 * transform says otherwise (eval mode of {@link AutoregressiveSplineBlock}).
 */
public interface Transform {

    /**
     * What one direction of a transform returns.
     *
     * @param outputs the mapped values (N, D)
     * @param logAbsDet log|det ∂outputs/∂inputs| (N)
     * @param params what the transform's conditioner computed, for the distillation's per-block terms: the raw
     *               spline parameters (N, 3K−1, D) of an {@link AutoregressiveSplineBlock}; null for transforms
     *               without a conditioner, and where a pass leaves them out
     */
    record Result(NDArray outputs, NDArray logAbsDet, NDArray params) {
        public Result(NDArray outputs, NDArray logAbsDet) {
            this(outputs, logAbsDet, null);
        }
    }

    /** y = f(x | c) and log|det ∂y/∂x|. */
    Result forward(NDArray x, NDArray c);

    /** x = f⁻¹(y | c) and log|det ∂x/∂y| (= −log|det ∂y/∂x| at that x). */
    Result inverse(NDArray y, NDArray c);

    /**
     * x = f⁻¹(y | c) only, as sampling needs it: the same values as {@code inverse(y, c).outputs()}, leaving out
     * whatever only the log|det| needs.
     */
    default NDArray inverseOutputs(NDArray y, NDArray c) {
        return inverse(y, c).outputs();
    }

    /** Learnable parameters (require gradients), in a fixed order; none by default. */
    default List<NDArray> parameters() {
        return List.of();
    }

    /** Names of {@link #parameters()}, same order. */
    default List<String> parameterNames() {
        return List.of();
    }
}
