package org.icaloflow.flow.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.flow.MadeOnHost;
import org.icaloflow.flow.RationalQuadraticSpline;
import org.icaloflow.flow.Transform;

/**
 * The sequential direction of a float32 block for a few rows, entirely in Java: the MADE from {@link MadeOnHost}
 * and the spline from {@link ScalarSpline}. At batch 1 a tensor step costs a dozen libtorch calls for a few
 * thousand multiply-adds (DS2 Flow-1: 360 steps per sample, some 20 ms); here the step is the arithmetic only.
 *
 * <p>The first layer's pre-activation is kept per row and updated as each feature of the unknown side is set
 * (feature k adds u_k times row k of the masked input weights), so a step recomputes only the hidden layers and
 * feature k's outputs. Same values as the tensor step up to float32 rounding (summation order differs).
 */
final class SmallBatchSequential {
    /** Passes run here since start (tests check that the path is taken). */
    static final java.util.concurrent.atomic.AtomicLong RUNS = new java.util.concurrent.atomic.AtomicLong();

    private SmallBatchSequential() {
    }

    static Transform.Result run(RationalQuadraticSpline spline, NDArray known, boolean inverse, boolean withTrace,
            MadeOnHost made, NDArray conditionTerm) {
        RUNS.incrementAndGet();
        NDManager m = known.getManager();
        int n = (int) known.getShape().get(0);
        int d = made.dim();
        int p = made.paramsPerFeature();
        int[] widths = made.widths();
        int w0 = widths[0];
        int last = widths[widths.length - 1];
        double[] kn = HostArrays.asDoubles(known);
        float[] cond = HostArrays.floats(conditionTerm);
        int condRows = (int) conditionTerm.getShape().get(0);
        float[] unknown = new float[n * d];
        double[] params = withTrace ? new double[n * p * d] : null;
        double[] ld = new double[n];

        float[] pre = new float[w0];          // first layer's pre-activation of the current row
        float[][] act = new float[widths.length][];
        for (int l = 0; l < widths.length; l++) act[l] = new float[widths[l]];
        double[] pk = new double[p];
        float[] acc = new float[p];
        double[] res = new double[2];
        ScalarSpline s = new ScalarSpline(spline);
        float[] in = made.in();
        float[] outW = made.outByFeature();
        float[] outB = made.biasByFeature();
        for (int r = 0; r < n; r++) {
            System.arraycopy(cond, (condRows == 1 ? 0 : r) * w0, pre, 0, w0);
            for (int k = 0; k < d; k++) {
                float[] h = act[0];
                for (int j = 0; j < w0; j++) h[j] = Math.max(pre[j], 0f);
                for (int l = 0; l + 1 < widths.length; l++) {
                    dense(h, made.hidden()[l], made.hiddenBias()[l], act[l + 1]);
                    h = act[l + 1];
                    for (int j = 0; j < h.length; j++) h[j] = Math.max(h[j], 0f);
                }
                // feature k's outputs: bias + h·W_k, W_k (W_last, P)
                int wk = k * last * p;
                for (int j = 0; j < p; j++) acc[j] = outB[k * p + j];
                for (int i = 0; i < last; i++) {
                    float hi = h[i];
                    if (hi == 0f) continue;
                    int row = wk + i * p;
                    for (int j = 0; j < p; j++) acc[j] += hi * outW[row + j];
                }
                for (int j = 0; j < p; j++) pk[j] = acc[j];
                s.apply(kn[r * d + k], pk, 0, 1, inverse, res);
                float u = (float) res[0];
                unknown[r * d + k] = u;
                ld[r] += res[1];
                if (withTrace) {
                    for (int j = 0; j < p; j++) params[(r * p + j) * d + k] = pk[j];
                }
                // the unknown side's feature k now feeds the first layer
                if (u != 0f) {
                    int row = k * w0;
                    for (int j = 0; j < w0; j++) pre[j] += u * in[row + j];
                }
            }
        }
        Shape shape = new Shape(n, d);
        NDArray unk = m.create(unknown, shape);
        if (!withTrace) {
            return new Transform.Result(unk, null, null);
        }
        if (inverse) { // ScalarSpline gives the forward map's log|det|
            for (int r = 0; r < n; r++) ld[r] = -ld[r];
        }
        NDArray par = HostArrays.create(m, params, new Shape(n, p, d), known.getDataType());
        NDArray logDet = HostArrays.create(m, ld, new Shape(n), known.getDataType());
        return new Transform.Result(unk, logDet, par);
    }

    /** y = b + x·W for W (x.length, y.length), row-major, as axpy rows (vectorisable), skipping zero inputs. */
    private static void dense(float[] x, float[] w, float[] b, float[] y) {
        int out = y.length;
        System.arraycopy(b, 0, y, 0, out);
        for (int i = 0; i < x.length; i++) {
            float xi = x[i];
            if (xi == 0f) continue;
            int row = i * out;
            for (int j = 0; j < out; j++) y[j] += xi * w[row + j];
        }
    }
}
