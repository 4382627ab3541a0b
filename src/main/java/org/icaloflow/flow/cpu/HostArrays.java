package org.icaloflow.flow.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteOrder;

/**
 * Copies between CPU tensors and Java arrays for the parts of a pass that run in Java. Reads go through a direct
 * view of the tensor's memory (one bulk copy), not {@link NDArray#toFloatArray()}, which first copies into a freshly
 * allocated direct buffer: for a batch's MADE outputs that second copy cost more than the arithmetic done on them.
 */
final class HostArrays {
    private HostArrays() {
    }

    /** The values of a float32 CPU array (any layout) in row-major order. */
    static float[] floats(NDArray a) {
        float[] f = new float[Math.toIntExact(a.size())];
        a.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().get(f);
        return f;
    }

    /** The values of a float64 CPU array (any layout) in row-major order. */
    static double[] doubles(NDArray a) {
        double[] d = new double[Math.toIntExact(a.size())];
        a.toByteBuffer(true).order(ByteOrder.nativeOrder()).asDoubleBuffer().get(d);
        return d;
    }

    /** The values of a float32 or float64 CPU array as doubles. */
    static double[] asDoubles(NDArray a) {
        if (a.getDataType() == DataType.FLOAT64) {
            return doubles(a);
        }
        float[] f = floats(a);
        double[] v = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            v[i] = f[i];
        }
        return v;
    }

    /** An array of {@code type} (float32 or float64) holding {@code v}, on {@code m}. */
    static NDArray create(NDManager m, double[] v, Shape shape, DataType type) {
        if (type == DataType.FLOAT64) {
            return m.create(v, shape);
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return m.create(f, shape);
    }

    /** A block of rows, {@code from} inclusive to {@code to} exclusive. */
    interface RowBlock {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over rows 0..n−1 in contiguous blocks, on up to {@code threads} threads (the common fork-join
     * pool and the caller), with at least {@code minRows} rows per block: below that, handing work to another thread
     * costs more than it saves. One block runs in the caller. The rows must be independent.
     */
    static void inRowBlocks(int n, int threads, long minRows, RowBlock body) {
        int blocks = (int) Math.max(1, Math.min(Math.max(1, threads), n / Math.max(1, minRows)));
        if (blocks == 1) {
            body.run(0, n);
            return;
        }
        java.util.stream.IntStream.range(0, blocks).parallel()
                .forEach(i -> body.run((int) ((long) n * i / blocks), (int) ((long) n * (i + 1) / blocks)));
    }
}
