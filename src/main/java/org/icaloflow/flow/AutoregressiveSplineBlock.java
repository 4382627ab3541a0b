package org.icaloflow.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * One block of the flow: the elementwise rational-quadratic spline z_k = s(x_k; θ_k) whose parameters θ_k come
 * from a conditional {@link Made}, as nflows 0.14's {@code MaskedPiecewiseRationalQuadraticAutoregressiveTransform}.
 * The MADE reads the data side x ({@link FlowKind#MAF}: {@link #forward} is one pass, {@link #inverse} D passes) or
 * the base side z ({@link FlowKind#IAF}: the other way round). Results carry the MADE outputs as their params.
 *
 * <p>The sequential (D-pass) direction frees its per-feature temporaries as it goes and is differentiable too (no
 * in-place writes). In eval mode ({@link #setEvalMode}) the masked weights are computed once and cached until
 * {@link #markParametersChanged()} (no gradient through them), and where {@link EvalKernels#forDevice} gives
 * kernels for the device (the CPU's, unless {@code icaloflow.kernels=tensor}) they take the sequential direction
 * and the sampling spline inverse; otherwise (a CUDA device) the tensor code below runs.
 */
public final class AutoregressiveSplineBlock implements Transform {
    private final Made made;
    private final RationalQuadraticSpline spline;
    private final FlowKind kind;
    private final NDManager manager;

    private boolean evalMode;
    private long version;
    private long cacheVersion = -1;
    private NDManager cacheManager;
    private Made.Weights cache;

    /**
     * @param manager long-lived manager on which eval-mode caches are kept (the MADE's, usually)
     */
    public AutoregressiveSplineBlock(Made made, RationalQuadraticSpline spline, FlowKind kind, NDManager manager) {
        if (made.paramsPerFeature() != spline.paramsPerFeature()) {
            throw new IllegalArgumentException("MADE gives " + made.paramsPerFeature() + " parameters per feature, the spline needs "
                    + spline.paramsPerFeature());
        }
        this.made = made;
        this.spline = spline;
        this.kind = kind;
        this.manager = manager;
    }

    public Made made() {
        return made;
    }

    public RationalQuadraticSpline spline() {
        return spline;
    }

    public FlowKind kind() {
        return kind;
    }

    @Override
    public List<NDArray> parameters() {
        return made.parameters();
    }

    @Override
    public List<String> parameterNames() {
        return made.parameterNames();
    }

    /** In eval mode masked weights are cached across calls (no gradients through them). */
    public void setEvalMode(boolean eval) {
        this.evalMode = eval;
        if (!eval) {
            dropCache();
        }
    }

    /** Invalidates the cached masked weights; call after changing parameters. */
    public void markParametersChanged() {
        version++;
    }

    /** Frees the eval-mode cache (the parameters belong to the MADE's manager). */
    public void dropCache() {
        if (cacheManager != null) {
            cacheManager.close();
            cacheManager = null;
            cache = null;
        }
    }

    private Made.Weights weights(NDManager step) {
        if (!evalMode) {
            return made.maskedWeights(step);
        }
        if (cache == null || cacheVersion != version) {
            dropCache();
            cacheManager = manager.newSubManager();
            cache = made.cachedWeights(cacheManager);
            cacheVersion = version;
        }
        return cache;
    }

    /** The eval-mode kernels for m's device, or null: the tensor path (training mode, a CUDA device, the switch). */
    private EvalKernels kernels(NDManager m) {
        return evalMode ? EvalKernels.forDevice(m.getDevice()) : null;
    }

    @Override
    public Result forward(NDArray x, NDArray c) {
        return pass(x, c, false, true);
    }

    @Override
    public Result inverse(NDArray y, NDArray c) {
        return pass(y, c, true, true);
    }

    /** x only: an IAF inverts its spline without log|det| (on kernels in eval mode), a MAF skips the trace. */
    @Override
    public NDArray inverseOutputs(NDArray y, NDArray c) {
        if (kind == FlowKind.MAF) {
            return pass(y, c, true, false).outputs();
        }
        NDManager m = y.getManager();
        NDArray params = made.forward(y, made.conditionTerm(c, m), weights(m));
        EvalKernels kernels = kernels(m);
        return kernels != null ? kernels.splineInverse(spline, y, params) : spline.inverseValues(y, params);
    }

    /**
     * One direction; {@code known} is the data side unless {@code inverse}. With {@code trace} false a sequential
     * direction on the kernels may leave out the params and log|det| (sampling).
     */
    private Result pass(NDArray known, NDArray c, boolean inverse, boolean trace) {
        NDManager m = known.getManager();
        boolean oneShot = (kind == FlowKind.MAF) != inverse;
        if (oneShot) {
            return oneShot(m, known, c, inverse);
        }
        Made.Weights w = weights(m);
        NDArray condTerm = made.conditionTerm(c, m);
        EvalKernels kernels = kernels(m);
        if (kernels != null) {
            return kernels.sequential(spline, known, inverse, trace, (u, k) -> made.forwardFeature(u, condTerm, w, k),
                    made.onHost(w), condTerm);
        }
        // sequential: build the unknown side feature by feature; the MADE reads the unknown side.
        // No in-place writes (column k is added as out_k * e_k, exact), so this stays differentiable;
        // each feature's temporaries live on a sub-manager closed at once.
        int d = made.dim();
        long n = known.getShape().get(0);
        DataType t = known.getDataType();
        NDArray unknown = m.zeros(new Shape(n, d), t);
        NDArray eye = m.eye(d, d, 0, t);
        NDArray[] ps = new NDArray[d];
        NDArray[] lds = new NDArray[d];
        for (int k = 0; k < d; k++) {
            try (NDManager it = m.newSubManager()) {
                unknown.attach(it);
                NDArray pk = made.forwardFeature(unknown, condTerm, w, k);
                NDArray kn = known.get(it, new NDIndex(":, {}:{}", k, k + 1));
                RationalQuadraticSpline.Result r = inverse ? spline.inverse(kn, pk) : spline.forward(kn, pk);
                NDArray next = unknown.add(r.outputs().mul(eye.get(it, new NDIndex("{}:{}", k, k + 1))));
                next.attach(m);
                pk.attach(m);
                r.logAbsDet().attach(m);
                ps[k] = pk;
                lds[k] = r.logAbsDet();
                unknown = next;
            }
        }
        eye.close();
        NDArray params = NDArrays.concat(new NDList(ps), 2);
        NDArray ld = NDArrays.concat(new NDList(lds), 1).sum(new int[] {1});
        for (int k = 0; k < d; k++) {
            ps[k].close();
            lds[k].close();
        }
        return new Result(unknown, ld, params);
    }

    /**
     * The one-pass direction. Its temporaries (masked weights, the MADE's hidden layers, the spline's dozens of
     * (N, K, D) arrays) live on a scope closed before returning: only the outputs, log|det| and params stay on
     * {@code m}. Closing an array drops DJL's handle, not what autograd saved for the backward pass, so the
     * values and gradients are the same; what no backward node needs is freed at once instead of at the end of
     * the training step (at DS3's Flow-3, batch 500: some 200 MB per block, docs/flow.md "Training memory").
     */
    private Result oneShot(NDManager m, NDArray known, NDArray c, boolean inverse) {
        try (NDManager it = m.newSubManager()) {
            known.tempAttach(it);
            if (c != null) {
                c.tempAttach(it);
            }
            Made.Weights w = weights(it);
            NDArray params = made.forward(known, made.conditionTerm(c, it), w);
            RationalQuadraticSpline.Result r = inverse ? spline.inverse(known, params) : spline.forward(known, params);
            NDArray ld = r.logAbsDet().sum(new int[] {1});
            NDArray out = r.outputs();
            params.attach(m);
            out.attach(m);
            ld.attach(m);
            return new Result(out, ld, params);
        }
    }
}
