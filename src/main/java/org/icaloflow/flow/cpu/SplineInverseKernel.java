package org.icaloflow.flow.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.icaloflow.flow.RationalQuadraticSpline;

/**
 * {@link RationalQuadraticSpline#inverseValues} for a whole (N, D) block on the CPU, as an IAF samples: one libtorch
 * operation (the exponential of all 3K−1 raw parameters, vectorised) and one Java loop for the rest (the softmax
 * normalisation, knots, bin search, the two softplus derivatives the bin needs, and the quadratic solve).
 *
 * <p>The tensor version takes some forty operations on (N, K, D) arrays, each a JNI call with a fresh allocation,
 * for what is, per value, a few dozen flops; at batch 100 of the DS2 student it cost more than the MADE pass before
 * it. The all-Java {@link ScalarSpline} would spend its time in the eighteen exponentials per value instead.
 *
 * <p>Same formulas and parametrisation as the tensor version, which stays the reference. The softmax is taken as
 * e^{u_i} / Σ_j e^{u_j} without subtracting the maximum: where that sum overflows or underflows (logits beyond
 * ±88 in float32) the value falls back to the max-subtracted softmax from the raw parameters, and a derivative
 * softplus whose argument exceeds 20 is the argument itself, as in torch. Values agree with the tensor version up to
 * the rounding of the flow's type (the Java part runs in double precision).
 */
public final class SplineInverseKernel {
    /** Below this the exponentials' sum has lost precision (float32 subnormals): use the max-subtracted softmax. */
    private static final double TINY = 1e-30;
    /** Values per row block of the Java loop when it runs on several threads. */
    public static final long PARALLEL_GRAIN = 4096;
    /** e^20: torch's softplus is linear above an argument of 20. */
    private static final double SOFTPLUS_LINEAR = 4.851651954097903e8;

    private SplineInverseKernel() {
    }

    /**
     * x = s⁻¹(y) for y (N, D) and raw parameters (N, 3K−1, D); the result is attached to y's manager. The Java loop
     * runs on as many threads as libtorch's intra-op pool (the CPU the rest of the pass uses), in row blocks.
     */
    public static NDArray inverseValues(RationalQuadraticSpline spline, NDArray y, NDArray params) {
        return inverseValues(spline, y, params, JniUtils.getNumThreads());
    }

    /** As {@link #inverseValues(RationalQuadraticSpline, NDArray, NDArray)}, the loop on up to {@code threads}. */
    public static NDArray inverseValues(RationalQuadraticSpline spline, NDArray y, NDArray params, int threads) {
        Shape s = y.getShape();
        int n = (int) s.get(0);
        int d = (int) s.get(1);
        spline.checkParams(params, n, d);
        NDManager m = y.getManager();
        Rows job;
        try (NDManager tmp = m.newSubManager()) {
            NDArray e = params.exp();
            e.attach(tmp);
            job = new Rows(spline, y, e, params, n, d);
        }
        // row blocks of at least PARALLEL_GRAIN values
        HostArrays.inRowBlocks(n, threads, (PARALLEL_GRAIN + d - 1) / d, job::run);
        return job.single ? m.create(job.outF, s) : m.create(job.outD, s);
    }

    /** One inversion: inputs copied out of the tensors, outputs written per row; rows are independent. */
    private static final class Rows {
        final boolean single;
        final float[] vF;
        final double[] vD;
        final float[] eF;
        final double[] eD;
        final float[] outF;
        final double[] outD;
        final NDArray params;
        final int d;
        final int k;
        final int p;
        final double b;
        final double wScale;
        final double wMin;
        final double hScale;
        final double hMin;
        final double minD;
        private double[] raw; // the raw parameters, copied only if a fallback needs them

        Rows(RationalQuadraticSpline spline, NDArray y, NDArray e, NDArray params, int n, int d) {
            single = y.getDataType() == DataType.FLOAT32;
            vF = single ? HostArrays.floats(y) : null;
            vD = single ? null : HostArrays.doubles(y);
            eF = single ? HostArrays.floats(e) : null;
            eD = single ? null : HostArrays.doubles(e);
            outF = single ? new float[n * d] : null;
            outD = single ? null : new double[n * d];
            this.params = params;
            this.d = d;
            k = spline.bins();
            p = spline.paramsPerFeature();
            b = spline.tailBound();
            wScale = (1 - spline.minBinWidth() * k) * 2 * b;
            wMin = spline.minBinWidth() * 2 * b;
            hScale = (1 - spline.minBinHeight() * k) * 2 * b;
            hMin = spline.minBinHeight() * 2 * b;
            minD = spline.minDerivative();
        }

        private synchronized double[] raw() {
            if (raw == null) {
                raw = HostArrays.asDoubles(params);
            }
            return raw;
        }

        void run(int from, int to) {
            final boolean single = this.single;
            final float[] eF = this.eF;
            final double[] eD = this.eD;
            final int d = this.d;
            final int k = this.k;
            final double b = this.b;
            final double[] w = new double[k];
            final double[] h = new double[k];
            double[] raw = null;
            for (int r = from; r < to; r++) {
                int row = r * p * d;
                for (int f = 0; f < d; f++) {
                    int at = r * d + f;
                    double yv = single ? vF[at] : vD[at];
                    if (!(yv >= -b && yv <= b)) {
                        store(single, outF, outD, at, yv); // linear tails: identity
                        continue;
                    }
                    int base = row + f;
                    double sumW = 0;
                    double sumH = 0;
                    for (int i = 0; i < k; i++) {
                        double ew = single ? eF[base + i * d] : eD[base + i * d];
                        double eh = single ? eF[base + (k + i) * d] : eD[base + (k + i) * d];
                        w[i] = ew;
                        h[i] = eh;
                        sumW += ew;
                        sumH += eh;
                    }
                    if (!(sumW > TINY && sumW < Double.POSITIVE_INFINITY && sumH > TINY
                            && sumH < Double.POSITIVE_INFINITY)) {
                        raw = raw != null ? raw : raw();
                        sumW = softmaxFromRaw(raw, base, 0, d, k, w);
                        sumH = softmaxFromRaw(raw, base, k, d, k, h);
                    }
                    double cw = wScale / sumW;
                    double ch = hScale / sumH;
                    // bin: the number of interior knots at or below yv, found walking the knots up
                    int idx = 0;
                    double yk = -b;
                    double xk = -b;
                    double hk = h[0] * ch + hMin;
                    double wk = w[0] * cw + wMin;
                    while (idx < k - 1 && yv >= yk + hk) {
                        yk += hk;
                        xk += wk;
                        idx++;
                        hk = h[idx] * ch + hMin;
                        wk = w[idx] * cw + wMin;
                    }
                    // knot derivatives: 1 at the ends; interior knot q (1..K-1) from parameter 2K + q - 1
                    double dk = 1;
                    double dk1 = 1;
                    if (idx > 0) {
                        int at0 = base + (2 * k + idx - 1) * d;
                        double eu = single ? eF[at0] : eD[at0];
                        if (!(eu <= SOFTPLUS_LINEAR)) {
                            raw = raw != null ? raw : raw();
                        }
                        dk = softplus(eu, raw, at0) + minD;
                    }
                    if (idx < k - 1) {
                        int at1 = base + (2 * k + idx) * d;
                        double eu = single ? eF[at1] : eD[at1];
                        if (!(eu <= SOFTPLUS_LINEAR)) {
                            raw = raw != null ? raw : raw();
                        }
                        dk1 = softplus(eu, raw, at1) + minD;
                    }
                    double slope = hk / wk;
                    double sumD = dk1 + dk - 2 * slope;
                    double dy = yv - yk;
                    double qa = hk * (slope - dk) + dy * sumD;
                    double qb = hk * dk - dy * sumD;
                    double qc = -slope * dy;
                    double disc = Math.max(0, qb * qb - 4 * qa * qc);
                    double theta = 2 * qc / (-qb - Math.sqrt(disc));
                    theta = theta < 0 ? 0 : (theta > 1 ? 1 : theta);
                    store(single, outF, outD, at, theta * wk + xk);
                }
            }
        }
    }

    private static void store(boolean single, float[] outF, double[] outD, int at, double v) {
        if (single) {
            outF[at] = (float) v;
        } else {
            outD[at] = v;
        }
    }

    /**
     * softplus(u) of the raw derivative u from eu = exp(u): log(1 + eu), or u itself above 20 (torch's threshold; the
     * raw value is then read back).
     */
    private static double softplus(double eu, double[] raw, int at) {
        if (!(eu <= SOFTPLUS_LINEAR)) { // above e^20, or exp(raw) overflowed
            return raw[at];
        }
        if (eu < 1e-4) {
            return eu * (1 - eu * (0.5 - eu / 3)); // log1p's series: 1 + eu rounds away the low bits
        }
        return Math.log(1 + eu);
    }

    /** exp(u_i − max u) of the K logits starting at parameter {@code first}, into {@code out}; returns their sum. */
    private static double softmaxFromRaw(double[] raw, int base, int first, int d, int k, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            max = Math.max(max, raw[base + (first + i) * d]);
        }
        double sum = 0;
        for (int i = 0; i < k; i++) {
            out[i] = Math.exp(raw[base + (first + i) * d] - max);
            sum += out[i];
        }
        return sum;
    }
}
