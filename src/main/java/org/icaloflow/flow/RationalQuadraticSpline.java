package org.icaloflow.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * Monotonic rational-quadratic spline (Durkan et al. 2019) with K bins on [−B, B] and identity tails.
 *
 * <p>Raw parameters per feature (3K−1 of them, along axis 1): K unnormalised widths, K unnormalised heights,
 * K−1 unnormalised interior derivatives. Widths and heights go through a softmax and a minimum
 * ({@code min + (1 − min·K)·softmax}); interior derivatives are {@code minD + softplus(u)}, as nflows 0.14's
 * {@code rational_quadratic_spline} (a zero raw value gives log 2 + minD, not 1); the two boundary derivatives are
 * 1 (nflows pads the raw derivatives with log(e^{1−minD} − 1), whose transform is 1) so the spline joins the
 * identity tails smoothly. Raw widths and heights enter the softmax unscaled: nflows' transform divides them by
 * √(hidden features) only if its network has a {@code hidden_features} attribute, which nflows' own MADE lacks
 * (docs/flow.md). Zero widths and heights with interior raw derivatives log(e^{1−minD} − 1) give the identity.
 *
 * <p>Inputs have shape (N, D), parameters (N, 3K−1, D) (parameter-major, as {@link Made} returns them); all D
 * features are computed at once.
 * Works in float32 and float64 (the dtype of the inputs). Temporaries go to the inputs' manager.
 */
public final class RationalQuadraticSpline {
    private final int bins;
    private final double tailBound;
    private final double minBinWidth;
    private final double minBinHeight;
    private final double minDerivative;

    /** Result: transformed values (N, D) and elementwise log|d out / d in| (N, D) (null when not asked for). */
    public record Result(NDArray outputs, NDArray logAbsDet) {
    }

    public RationalQuadraticSpline(int bins, double tailBound, double minBinWidth, double minBinHeight,
            double minDerivative) {
        this.bins = bins;
        this.tailBound = tailBound;
        this.minBinWidth = minBinWidth;
        this.minBinHeight = minBinHeight;
        this.minDerivative = minDerivative;
    }

    public static RationalQuadraticSpline of(FlowSpec spec) {
        return new RationalQuadraticSpline(spec.bins(), spec.tailBound(), spec.minBinWidth(), spec.minBinHeight(),
                spec.minDerivative());
    }

    public int bins() {
        return bins;
    }

    public double tailBound() {
        return tailBound;
    }

    public double minBinWidth() {
        return minBinWidth;
    }

    public double minBinHeight() {
        return minBinHeight;
    }

    public double minDerivative() {
        return minDerivative;
    }

    /** Number of raw parameters per feature, 3K − 1. */
    public int paramsPerFeature() {
        return 3 * bins - 1;
    }

    /** The raw interior derivative whose transformed value is 1: log(e^{1−minD} − 1) (nflows' boundary padding). */
    public double identityRawDerivative() {
        return Math.log(Math.expm1(1.0 - minDerivative));
    }

    /** y = s(x); log-det is log|dy/dx|. */
    public Result forward(NDArray x, NDArray params) {
        return apply(x, params, false, true);
    }

    /** x = s⁻¹(y); log-det is log|dx/dy| (the negative of the forward log-det at x). */
    public Result inverse(NDArray y, NDArray params) {
        return apply(y, params, true, true);
    }

    /** x = s⁻¹(y) only, without the log-det (sampling): some fifteen fewer tensor operations. */
    public NDArray inverseValues(NDArray y, NDArray params) {
        return apply(y, params, true, false).outputs();
    }

    /** Raw parameters for N × D values must have shape (N, 3K−1, D); an IllegalArgumentException otherwise. */
    public void checkParams(NDArray params, long n, long d) {
        Shape ps = params.getShape();
        if (ps.dimension() != 3 || ps.get(0) != n || ps.get(1) != paramsPerFeature() || ps.get(2) != d) {
            throw new IllegalArgumentException("spline parameters must have shape (" + n + ", " + paramsPerFeature()
                    + ", " + d + "), got " + ps);
        }
    }

    private Number num(DataType t, double v) {
        return t == DataType.FLOAT64 ? (Number) v : (Number) (float) v;
    }

    /**
     * A 0-dim constant in torch-owned memory. Multiplying by a Java {@link Number} is NOT safe under autograd
     * in DJL's PyTorch engine: the temporary scalar is built on a Java direct buffer that is released right
     * after the op while autograd still holds it for the backward pass (garbage gradients). Additions and
     * subtractions of Numbers are safe (their backward never reads the value).
     */
    static NDArray cst(NDManager m, DataType t, double v) {
        if (t != DataType.FLOAT64 || (double) (float) v == v) {
            return m.full(new Shape(), (float) v, t);
        }
        return m.zeros(new Shape(), t).add(v);
    }

    private Result apply(NDArray in, NDArray params, boolean inverse, boolean withLogDet) {
        NDManager m = in.getManager();
        DataType t = in.getDataType();
        final int k = bins;
        final double b = tailBound;
        Shape s = in.getShape();
        long n = s.get(0);
        long d = s.get(1);
        checkParams(params, n, d);
        // every per-bin array is (N, bins, D): reductions over bins run on an outer axis (see Made)
        // one split, not three slices: a slice's backward fills a zero (N, 3K−1, D) array and adds the three
        // (issue 17: DS2 Flow-3 fwd+bwd of this step 58 → 33 ms per block on one loaded core); split's is one cat
        ai.djl.ndarray.NDList raw = params.split(new long[] {k, 2L * k}, 1);
        NDArray uw = raw.get(0);
        NDArray uh = raw.get(1);
        // a copy (by an add: DJL's duplicate() is not differentiable): softplus keeps its input for the backward pass,
        // and this view would keep all of params (N, 3K−1, D) alive (DS3 Flow-3, batch 500: 41 MB, not 13 MB, per block)
        NDArray ud = raw.get(2).add(num(t, 0));

        // bin sizes min + (1 - min*K)*softmax (always positive; not differences of knots, which could round to
        // zero or below in float32); right knots from their cumulative sums, left knots = right - size
        NDArray sw = uw.softmax(1);
        NDArray sh = uh.softmax(1);
        NDArray scaleW = cst(m, t, (1 - minBinWidth * k) * 2 * b);
        NDArray scaleH = cst(m, t, (1 - minBinHeight * k) * 2 * b);
        Number minW = num(t, minBinWidth * 2 * b);
        Number minH = num(t, minBinHeight * 2 * b);
        NDArray widths = sw.mul(scaleW).add(minW);
        NDArray heights = sh.mul(scaleH).add(minH);
        NDArray xRight = widths.cumSum(1).sub(num(t, b));
        NDArray yRight = heights.cumSum(1).sub(num(t, b));
        NDArray dInt = Activation.softPlus(ud).add(num(t, minDerivative));
        NDArray one = m.ones(new Shape(n, 1, d), t);
        NDArray derivs = NDArrays.concat(new ai.djl.ndarray.NDList(one, dInt, one), 1); // (N,K+1,D)

        NDArray clipped = in.clip(num(t, -b), num(t, b)).expandDims(1); // (N,1,D)
        // bin index without searchsorted: count interior knots <= value
        NDArray interior = (inverse ? yRight : xRight).get(":, :{}, :", k - 1);
        NDArray idx = clipped.gte(interior).sum(new int[] {1}, true).toType(DataType.INT64, false); // (N,1,D)
        NDArray idx1 = idx.add(1L);

        // the bin's width and height gathered from the softmax outputs, which autograd keeps anyway, then scaled:
        // the same values as gathering from widths and heights, but a gather keeps its whole source for the backward
        // pass, and these two would be two more (N, K, D) arrays per block held until the backward pass
        NDArray wk = sw.gather(idx, 1).mul(scaleW).add(minW);
        NDArray hk = sh.gather(idx, 1).mul(scaleH).add(minH);
        NDArray xk = xRight.gather(idx, 1).sub(wk);
        NDArray yk = yRight.gather(idx, 1).sub(hk);
        NDArray dk = derivs.gather(idx, 1);
        NDArray dk1 = derivs.gather(idx1, 1);

        NDArray slope = hk.div(wk);
        NDArray sumD = dk1.add(dk).sub(slope).sub(slope);
        NDArray out;
        NDArray theta;
        if (!inverse) {
            theta = clipped.sub(xk).div(wk).clip(num(t, 0), num(t, 1));
        } else {
            NDArray dy = clipped.sub(yk);
            NDArray a = hk.mul(slope.sub(dk)).add(dy.mul(sumD));
            NDArray bb = hk.mul(dk).sub(dy.mul(sumD));
            NDArray c = slope.mul(dy).neg();
            NDArray disc = bb.square().sub(a.mul(c).mul(cst(m, t, 4))).clip(num(t, 0), num(t, Float.MAX_VALUE));
            theta = c.add(c).div(bb.neg().sub(disc.sqrt())).clip(num(t, 0), num(t, 1));
        }
        Shape flat = new Shape(n, d);
        NDArray inside = in.gte(num(t, -b)).logicalAnd(in.lte(num(t, b)));
        if (!withLogDet) { // inverse only
            return new Result(NDArrays.where(inside, theta.mul(wk).add(xk).reshape(flat), in), null);
        }
        NDArray oneMinus = theta.neg().add(num(t, 1));
        NDArray tom = theta.mul(oneMinus);
        NDArray denom = slope.add(sumD.mul(tom));
        if (!inverse) {
            NDArray numer = hk.mul(slope.mul(theta.square()).add(dk.mul(tom)));
            out = yk.add(numer.div(denom));
        } else {
            out = theta.mul(wk).add(xk);
        }
        // log(s^2 (d1 θ^2 + 2 s θ(1-θ) + d0 (1-θ)^2) / denom^2), with log s separate so nothing underflows
        NDArray st = slope.mul(tom);
        NDArray inner = dk1.mul(theta.square()).add(st).add(st).add(dk.mul(oneMinus.square()));
        NDArray half = slope.log().sub(denom.log());
        NDArray logDet = half.add(half).add(inner.log());
        if (inverse) {
            logDet = logDet.neg();
        }
        NDArray outputs = NDArrays.where(inside, out.reshape(flat), in);
        NDArray ld = logDet.reshape(flat).mul(inside.toType(t, false));
        return new Result(outputs, ld);
    }

}
