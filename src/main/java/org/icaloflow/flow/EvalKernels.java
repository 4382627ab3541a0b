package org.icaloflow.flow;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Faster, non-differentiable versions of the two slow spots of an {@link AutoregressiveSplineBlock} in eval mode,
 * for devices where tensor operations cost more in call overhead than in arithmetic: the sequential direction (D
 * one-feature steps per block) and the spline inverse of a one-pass sampling direction. The tensor code in this
 * package stays the reference and the differentiable path.
 *
 * <p>Found with {@link ServiceLoader} (the CPU's are {@code org.icaloflow.flow.cpu.CpuKernels}), so that this
 * package does not depend on the packages that implement them; without one, everything runs as tensors.
 *
 * <p><b>Which path runs</b> ({@link Choice}, docs/gpu.md): {@code auto} (the default) takes the installed kernels
 * wherever they {@link #handles handle} the device, i.e. the CPU's kernels on the CPU and tensors on a CUDA device;
 * {@code tensor} takes the tensor code on every device, so that a CPU runs exactly what a CUDA device runs (the
 * tensor spline inverse, the tensor sequential direction, sampling in one unchunked batch). The choice is read
 * once from the system property {@value #PROPERTY}, else the environment variable {@value #ENVIRONMENT}, and can be
 * changed within a JVM with {@link #select} (tests run both paths in one JVM). {@link #forDevice} is what the flow
 * asks, once per block and pass: two volatile reads, no property lookups.
 */
public interface EvalKernels {
    /** System property naming the {@link Choice} ({@code auto} or {@code tensor}); wins over the environment. */
    String PROPERTY = "icaloflow.kernels";
    /** Environment variable naming the {@link Choice} where the system property is not set. */
    String ENVIRONMENT = "ICALOFLOW_KERNELS";

    /** The eval-mode path: the installed kernels where they handle the device, or tensors everywhere. */
    enum Choice {
        /** The installed kernels where they handle the device (the CPU's on the CPU), tensors elsewhere. */
        AUTO,
        /** Tensors on every device: on a CPU, exactly the code a CUDA device takes. */
        TENSOR;

        /** The lower-case name used by {@value #PROPERTY} and {@value #ENVIRONMENT}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * {@code auto} or {@code tensor} (any case, surrounding blanks ignored; empty or null: auto); an
         * IllegalArgumentException naming {@code where} and the accepted values otherwise.
         */
        public static Choice parse(String value, String where) {
            if (value == null || value.isBlank()) {
                return AUTO;
            }
            String v = value.strip().toLowerCase(Locale.ROOT);
            for (Choice c : values()) {
                if (c.key().equals(v)) {
                    return c;
                }
            }
            throw new IllegalArgumentException(where + " must be auto or tensor, got '" + value + "'");
        }

        /** The configured choice: system property {@value #PROPERTY}, else environment {@value #ENVIRONMENT}, else auto. */
        public static Choice configured() {
            String p = System.getProperty(PROPERTY);
            if (p != null) {
                return parse(p, "-D" + PROPERTY);
            }
            return parse(System.getenv(ENVIRONMENT), ENVIRONMENT);
        }
    }

    /** Restores the previous {@link Choice} when closed (see {@link #select}). */
    interface Selection extends AutoCloseable {
        @Override
        void close();
    }

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

    /** The kernels on the class path, or null, whatever the {@link Choice}. */
    static EvalKernels installed() {
        return Installed.KERNELS;
    }

    /**
     * The kernels that take over on {@code device} under the current {@link Choice}, or null: the tensor path.
     * Null on every device with {@link Choice#TENSOR}, and on devices the installed kernels do not handle.
     */
    static EvalKernels forDevice(Device device) {
        return KernelSelection.forDevice(device);
    }

    /** The current choice (the configured one unless {@link #select} changed it). */
    static Choice choice() {
        return KernelSelection.choice();
    }

    /**
     * Makes {@code choice} the path of every flow in this JVM (passes that start after the call) until the returned
     * selection is closed, which restores the previous one. Process-wide, not per thread: meant for tests and
     * benchmarks that compare the two paths, run one after another; use it with try-with-resources.
     */
    static Selection select(Choice choice) {
        return KernelSelection.select(choice);
    }

    /** Looked up once, when first needed. */
    final class Installed {
        static final EvalKernels KERNELS = ServiceLoader.load(EvalKernels.class, EvalKernels.class.getClassLoader())
                .findFirst().orElse(null);

        private Installed() {
        }
    }
}
