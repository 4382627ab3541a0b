package org.icaloflow.flow.cpu;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.icaloflow.flow.EvalKernels;
import org.icaloflow.flow.MadeOnHost;
import org.icaloflow.flow.RationalQuadraticSpline;
import org.icaloflow.flow.Transform;

/**
 * The CPU's {@link EvalKernels} (registered in {@code META-INF/services}): the sequential direction with its
 * one-feature spline steps in Java ({@link ScalarSpline}), the IAF's sampling spline inverse as one libtorch
 * {@code exp} and a Java loop ({@link SplineInverseKernel}), and sampling in row chunks (docs/flow.md, items 2, 4
 * and 5). Same values as the tensor paths up to rounding (the Java parts run in double precision).
 */
public final class CpuKernels implements EvalKernels {
    /** Sampling works in row chunks whose MADE outputs hold at most this many values (16 MB in float32). */
    public static final long SAMPLE_CHUNK_ELEMENTS = 4L << 20;
    /** Rows per thread at least, for the Java spline of a sequential step (about 0.1 ms of work). */
    public static final int SEQUENTIAL_ROW_GRAIN = 256;
    /**
     * A float32 sequential direction runs entirely in Java (MADE included, {@link SmallBatchSequential}) when rows
     * × multiply-adds per row of one step stay at or below this: about 20 µs of Java against a dozen libtorch
     * calls per tensor step. DS2 Flow-1 (72k per row: 256 + 256² + 256·23): up to 2 rows; DS2 Flow-2/3 teachers
     * (137k): 1 row.
     * The system property {@code icaloflow.smallBatchMultiplyAdds} overrides it (0: never; for benchmarks).
     */
    public static final long SMALL_BATCH_MULTIPLY_ADDS = Long.getLong("icaloflow.smallBatchMultiplyAdds", 150_000);

    @Override
    public boolean handles(Device device) {
        return device.getDeviceType().equals(Device.Type.CPU);
    }

    /**
     * Row chunks keep every temporary below the allocator's mmap threshold: fresh multi-10-MB arrays per op are
     * page-faulted in each time (DS3 at batch 1000: half the time in the kernel).
     */
    @Override
    public long sampleChunkRows(long madeOutputsPerRow) {
        return Math.max(1, SAMPLE_CHUNK_ELEMENTS / madeOutputsPerRow);
    }

    @Override
    public NDArray splineInverse(RationalQuadraticSpline spline, NDArray y, NDArray params) {
        return SplineInverseKernel.inverseValues(spline, y, params);
    }

    /**
     * The unknown side lives in a Java array; each step runs the MADE for one feature as tensors (the matrix
     * products) and the spline of that single feature in Java, which saves some sixty JNI calls per step.
     */
    @Override
    public Transform.Result sequential(RationalQuadraticSpline spline, NDArray known, boolean inverse,
            boolean withTrace, FeatureParams made, MadeOnHost.Source onHost, NDArray conditionTerm) {
        if (known.getDataType() == DataType.FLOAT32 && onHost != null
                && onHost.multiplyAddsPerStep() * known.getShape().get(0) <= SMALL_BATCH_MULTIPLY_ADDS) {
            MadeOnHost host = onHost.weights();
            if (host != null) {
                return SmallBatchSequential.run(spline, known, inverse, withTrace, host, conditionTerm);
            }
        }
        NDManager m = known.getManager();
        DataType dataType = known.getDataType();
        int n = (int) known.getShape().get(0);
        int d = (int) known.getShape().get(1);
        int p = spline.paramsPerFeature();
        double[] kn = HostArrays.asDoubles(known);
        // the unknown side in the flow's own type, so each step hands it to the MADE without a conversion pass
        boolean single = dataType == DataType.FLOAT32;
        float[] unknownF = single ? new float[n * d] : null;
        double[] unknownD = single ? null : new double[n * d];
        Shape shape = new Shape(n, d);
        double[] params = withTrace ? new double[n * p * d] : null;
        double[] ld = new double[n];
        // the rows' splines are independent: on as many threads as libtorch uses, in row blocks
        int threads = JniUtils.getNumThreads();
        for (int k = 0; k < d; k++) {
            double[] pk;
            try (NDManager it = m.newSubManager()) {
                NDArray u = single ? it.create(unknownF, shape) : it.create(unknownD, shape);
                pk = HostArrays.asDoubles(made.of(u, k)); // (N, P, 1)
            }
            final int feature = k;
            HostArrays.inRowBlocks(n, threads, SEQUENTIAL_ROW_GRAIN, (from, to) -> {
                double[] res = new double[2];
                ScalarSpline s = new ScalarSpline(spline);
                for (int r = from; r < to; r++) {
                    s.apply(kn[r * d + feature], pk, r * p, 1, inverse, res);
                    if (single) {
                        unknownF[r * d + feature] = (float) res[0];
                    } else {
                        unknownD[r * d + feature] = res[0];
                    }
                    ld[r] += res[1];
                    for (int j = 0; withTrace && j < p; j++) {
                        params[(r * p + j) * d + feature] = pk[r * p + j];
                    }
                }
            });
        }
        NDArray unk = single ? m.create(unknownF, shape) : m.create(unknownD, shape);
        if (!withTrace) {
            return new Transform.Result(unk, null, null);
        }
        if (inverse) { // ScalarSpline gives the forward map's log|det|
            for (int r = 0; r < n; r++) {
                ld[r] = -ld[r];
            }
        }
        NDArray par = HostArrays.create(m, params, new Shape(n, p, d), dataType);
        NDArray logDet = HostArrays.create(m, ld, new Shape(n), dataType);
        return new Transform.Result(unk, logDet, par);
    }
}
