package org.icaloflow.flow;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.util.ServiceLoader;

/**
 * Faster, non-differentiable versions of the two slow spots of an {@link AutoregressiveSplineBlock} in eval mode,
 * for devices where tensor operations cost more in call overhead than in arithmetic: the sequential direction (D
 * one-feature steps per block) and the spline inverse of a one-pass sampling direction. The tensor code in this
 * package stays the reference and the differentiable path.
 *
 * <p>Found with {@link ServiceLoader} (the CPU's are {@code org.icaloflow.flow.cpu.CpuKernels}), so that this
 * package does not depend on the packages that implement them; without one, everything runs as tensors.
 */
public interface EvalKernels {

    /** The MADE outputs of one feature, (N, 3K−1, 1), given the unknown side so far (N, D) in the flow's type. */
    @FunctionalInterface
    interface FeatureParams {
        NDArray of(NDArray unknown, int feature);
    }

    /** Whether these kernels take over for arrays on {@code device}. */
    boolean handles(Device device);

    /**
     * The sequential direction of a block: the unknown side built feature by feature from {@code known} (N, D),
     * the MADE reading the unknown side ({@code made} as tensors; {@code onHost} the same MADE as Java arrays, with
     * {@code conditionTerm} its first-layer term (N or 1, W₀), for kernels that run small batches in Java). {@code inverse} false: known is the data side, the result's outputs the
     * base side and its log|det| that of the forward map; true: the other way round, log|det| of the inverse map.
     * With {@code withTrace} false the result's log|det| and params are null (sampling); otherwise params are the
     * MADE outputs (N, 3K−1, D). Results are attached to known's manager.
     */
    Transform.Result sequential(RationalQuadraticSpline spline, NDArray known, boolean inverse, boolean withTrace,
            FeatureParams made, MadeOnHost.Source onHost, NDArray conditionTerm);

    /** x = s⁻¹(y) for y (N, D) and raw parameters (N, 3K−1, D), attached to y's manager. */
    NDArray splineInverse(RationalQuadraticSpline spline, NDArray y, NDArray params);

    /**
     * Rows per chunk of a sampling pass whose MADE outputs have {@code madeOutputsPerRow} values per row
     * ({@code Long.MAX_VALUE}: no chunks).
     */
    long sampleChunkRows(long madeOutputsPerRow);

    /** The kernels on the class path, or null. */
    static EvalKernels installed() {
        return Installed.KERNELS;
    }

    /** Looked up once, when first needed. */
    final class Installed {
        static final EvalKernels KERNELS = ServiceLoader.load(EvalKernels.class, EvalKernels.class.getClassLoader())
                .findFirst().orElse(null);

        private Installed() {
        }
    }
}
