package org.icaloflow.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.icaloflow.nn.Init;
import org.icaloflow.nn.OutputInit;

/**
 * Conditional MADE (Germain et al. 2015) producing P parameters per feature.
 *
 * <p>Layers as nflows 0.14's {@code MADE} with feedforward blocks (the authors' {@code use_residual_blocks=False},
 * no batch norm, no dropout): masked D→W₀, to whose output the condition layer adds {@code relu(c·W_c + b_c)}
 * (nflows' {@code temps += activation(context_layer(context))}), then ReLU; masked W_{i−1}→W_i hidden layers with
 * ReLU; masked W_last→D·P output. Initialisation as torch's {@code nn.Linear} default (nflows' {@code MaskedLinear}
 * and context layer do not change it): weights and biases uniform(±1/√fan_in), fan_in the layer's full input
 * width (masks apply in the forward pass); the output layer included (nflows zero-initialises only residual
 * blocks, which the authors do not use).
 * Degrees: inputs 1..D; hidden units cycle through 1..D−1 (all 0 when D = 1, so every hidden unit then
 * sees only the condition); output group k (features numbered 1..D) connects to hidden units of degree
 * &lt; k. Hence the P outputs of feature k depend only on inputs 1..k−1 and the condition.
 * Outputs are grouped per parameter ("parameter-major"): column {@code p·D + k} (k zero-based), so a pass
 * returns (N, P, D) and the spline's reductions over bins (softmax, cumulative sums, gathers) run over an
 * outer axis with the D features contiguous. PyTorch's kernels reduce a short last axis an order of magnitude
 * slower than an outer one (softmax over 8 bins: 14 ms against 1 ms at N = 1000, D = 144 on this CPU).
 *
 * <p>Weights are stored as (in, out) so that a layer is {@code x.matMul(W ⊙ M) + b}. Parameters are
 * attached to the manager given at construction; temporaries to the manager of the input.
 */
public final class Made {
    private final int dim;
    private final int conditionDim;
    private final int[] widths;
    private final int paramsPerFeature;
    private final DataType dataType;

    /** Learnable parameters in a fixed order (see {@link #parameterNames()}). */
    private final List<NDArray> params = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    /** Masks for the masked weight matrices, same order as the masked weights; the output layer's is (W, 1, D). */
    private final List<NDArray> masks = new ArrayList<>();

    private final NDArray inW;
    private final NDArray inB;
    private final NDArray condW; // null when conditionDim == 0
    private final NDArray condB; // null when conditionDim == 0
    private final List<NDArray> hidW = new ArrayList<>();
    private final List<NDArray> hidB = new ArrayList<>();
    private final NDArray outW;
    private final NDArray outB;

    /**
     * @param manager long-lived manager for parameters and masks (its device is used)
     * @param widths widths of the initial and following hidden layers (length ≥ 1)
     */
    public Made(NDManager manager, int dim, int conditionDim, int[] widths, int paramsPerFeature,
            DataType dataType, Random rng, String prefix) {
        this(manager, dim, conditionDim, widths, paramsPerFeature, dataType, rng, prefix, OutputInit.NFLOWS);
    }

    /** As above, with the output layer started as {@code outputInit} says ({@link OutputInit}). */
    public Made(NDManager manager, int dim, int conditionDim, int[] widths, int paramsPerFeature,
            DataType dataType, Random rng, String prefix, OutputInit outputInit) {
        if (widths.length < 1) {
            throw new IllegalArgumentException("MADE needs at least one hidden layer");
        }
        this.dim = dim;
        this.conditionDim = conditionDim;
        this.widths = widths.clone();
        this.paramsPerFeature = paramsPerFeature;
        this.dataType = dataType;

        int[] inDeg = new int[dim];
        for (int i = 0; i < dim; i++) {
            inDeg[i] = i + 1;
        }
        int[][] hidDeg = new int[widths.length][];
        for (int l = 0; l < widths.length; l++) {
            hidDeg[l] = new int[widths[l]];
            for (int j = 0; j < widths[l]; j++) {
                hidDeg[l][j] = dim == 1 ? 0 : (j % (dim - 1)) + 1;
            }
        }
        int outSize = dim * paramsPerFeature;
        // output column p*D + k has degree k + 1 whatever p: its mask is stored once per feature, (W_last, 1, D), and
        // broadcast over the P parameters (21 MB less per block at DS3's 256 x 20700 output layer)
        int[] outDeg = new int[dim];
        for (int k = 0; k < dim; k++) {
            outDeg[k] = k + 1;
        }

        inW = param(manager, prefix + "in.weight", Init.uniform(rng, dim * widths[0], Init.linearBound(dim)),
                new Shape(dim, widths[0]));
        masks.add(mask(manager, inDeg, hidDeg[0], false));
        inB = param(manager, prefix + "in.bias", Init.uniform(rng, widths[0], Init.linearBound(dim)), new Shape(widths[0]));
        if (conditionDim > 0) {
            double bound = Init.linearBound(conditionDim);
            condW = param(manager, prefix + "cond.weight", Init.uniform(rng, conditionDim * widths[0], bound),
                    new Shape(conditionDim, widths[0]));
            condB = param(manager, prefix + "cond.bias", Init.uniform(rng, widths[0], bound), new Shape(widths[0]));
        } else {
            condW = null;
            condB = null;
        }
        for (int l = 1; l < widths.length; l++) {
            double bound = Init.linearBound(widths[l - 1]);
            hidW.add(param(manager, prefix + "hidden" + l + ".weight",
                    Init.uniform(rng, widths[l - 1] * widths[l], bound), new Shape(widths[l - 1], widths[l])));
            masks.add(mask(manager, hidDeg[l - 1], hidDeg[l], false));
            hidB.add(param(manager, prefix + "hidden" + l + ".bias", Init.uniform(rng, widths[l], bound),
                    new Shape(widths[l])));
        }
        int last = widths[widths.length - 1];
        double outBound = Init.linearBound(last);
        boolean nearIdentity = outputInit == OutputInit.NEAR_IDENTITY;
        outW = param(manager, prefix + "out.weight",
                Init.uniform(rng, last * outSize, nearIdentity ? OutputInit.NEAR_IDENTITY_BOUND : outBound), new Shape(last, outSize));
        masks.add(mask(manager, hidDeg[widths.length - 1], outDeg, true, new Shape(last, 1, dim)));
        outB = param(manager, prefix + "out.bias", nearIdentity ? new double[outSize] : Init.uniform(rng, outSize, outBound),
                new Shape(outSize));
    }

    private NDArray param(NDManager manager, String name, double[] values, Shape shape) {
        NDArray a = dataType == DataType.FLOAT64 ? manager.create(values, shape)
                : manager.create(Init.toFloat(values), shape);
        a.setName(name);
        a.setRequiresGradient(true);
        params.add(a);
        names.add(name);
        return a;
    }

    private NDArray mask(NDManager manager, int[] from, int[] to, boolean strict) {
        return mask(manager, from, to, strict, new Shape(from.length, to.length));
    }

    /** The mask (from.length x to.length values, row-major) created with {@code shape}. */
    private NDArray mask(NDManager manager, int[] from, int[] to, boolean strict, Shape shape) {
        double[] m = new double[from.length * to.length];
        for (int i = 0; i < from.length; i++) {
            for (int j = 0; j < to.length; j++) {
                boolean on = strict ? to[j] > from[i] : to[j] >= from[i];
                m[i * to.length + j] = on ? 1 : 0;
            }
        }
        return dataType == DataType.FLOAT64 ? manager.create(m, shape) : manager.create(Init.toFloat(m), shape);
    }

    public int dim() {
        return dim;
    }

    public int conditionDim() {
        return conditionDim;
    }

    public int paramsPerFeature() {
        return paramsPerFeature;
    }

    public int[] widths() {
        return widths.clone();
    }

    /** Parameters in a fixed order. */
    public List<NDArray> parameters() {
        return params;
    }

    public List<String> parameterNames() {
        return names;
    }

    /**
     * Masked weights {@code W ⊙ M} of the masked layers (input, hidden..., output), attached to
     * {@code target}. Differentiable with respect to the parameters when computed inside a
     * GradientCollector.
     */
    public Weights maskedWeights(NDManager target) {
        NDArray in = onto(target, inW.mul(masks.get(0)));
        List<NDArray> hid = new ArrayList<>();
        for (int l = 0; l < hidW.size(); l++) {
            hid.add(onto(target, hidW.get(l).mul(masks.get(l + 1))));
        }
        long last = outW.getShape().get(0);
        NDArray grouped = onto(target, outW.reshape(last, paramsPerFeature, dim));
        NDArray out = onto(target, grouped.mul(masks.get(masks.size() - 1)).reshape(last, (long) paramsPerFeature * dim));
        return new Weights(in, hid, out);
    }

    /** Masked weights of one evaluation; build with {@link #maskedWeights(NDManager)}. */
    public static final class Weights implements AutoCloseable {
        final NDArray in;
        final List<NDArray> hidden;
        final NDArray out;
        /** Eval caches only: output weights and biases regrouped per feature, (D, W, P) and (D, P), contiguous. */
        final NDArray outByFeature;
        final NDArray biasByFeature;
        /** Eval caches only: the same weights as Java arrays, built on first use ({@link Made#onHost}). */
        private MadeOnHost host;

        Weights(NDArray in, List<NDArray> hidden, NDArray out) {
            this(in, hidden, out, null, null);
        }

        private Weights(NDArray in, List<NDArray> hidden, NDArray out, NDArray outByFeature, NDArray biasByFeature) {
            this.in = in;
            this.hidden = hidden;
            this.out = out;
            this.outByFeature = outByFeature;
            this.biasByFeature = biasByFeature;
        }

        /** See {@link Made#cachedWeights}; closes this. */
        private Weights detached(NDArray outBias, int dim, int paramsPerFeature) {
            List<NDArray> hid = new ArrayList<>();
            for (NDArray h : hidden) {
                hid.add(h.stopGradient());
            }
            NDArray o = out.stopGradient();
            long width = o.getShape().get(0);
            NDArray byFeature = regroup(o.reshape(width, paramsPerFeature, dim), 2, 0, 1); // (D, W, P)
            NDArray b = outBias.stopGradient();
            NDArray bias = regroup(b.reshape(paramsPerFeature, dim), 1, 0); // (D, P)
            b.close();
            NDManager target = o.getManager();
            byFeature.attach(target);
            bias.attach(target);
            Weights w = new Weights(in.stopGradient(), hid, o, byFeature, bias);
            close();
            return w;
        }

        private static NDArray regroup(NDArray a, int... axes) {
            NDArray view = a.transpose(axes);
            NDArray c = view.duplicate();
            view.close();
            a.close();
            return c;
        }

        @Override
        public void close() {
            in.close();
            hidden.forEach(NDArray::close);
            out.close();
            if (outByFeature != null) {
                outByFeature.close();
                biasByFeature.close();
            }
        }
    }

    static NDArray onto(NDManager target, NDArray a) {
        a.attach(target);
        return a;
    }

    /**
     * Part of the first layer's pre-activation that does not depend on x: {@code relu(c·W_c + b_c) + b} (N, W₀), or
     * just the bias (1, W₀) when there is no condition.
     */
    public NDArray conditionTerm(NDArray cond, NDManager target) {
        if (condW == null) {
            return onto(target, inB.expandDims(0));
        }
        return Activation.relu(cond.matMul(condW).add(condB)).add(inB);
    }

    private NDArray trunk(NDArray x, NDArray condTerm, Weights w) {
        NDArray h = Activation.relu(x.matMul(w.in).add(condTerm));
        for (int l = 0; l < w.hidden.size(); l++) {
            h = Activation.relu(h.matMul(w.hidden.get(l)).add(hidB.get(l)));
        }
        return h;
    }

    /** All outputs, shape (N, P, D) (parameter-major, see the class comment). */
    public NDArray forward(NDArray x, NDArray condTerm, Weights w) {
        NDArray out = trunk(x, condTerm, w).matMul(w.out).add(outB);
        return out.reshape(x.getShape().get(0), paramsPerFeature, dim);
    }

    /**
     * Outputs of feature {@code k} (zero-based) only, shape (N, P, 1); cheaper than {@link #forward}. With eval-mode
     * cached weights the feature's output weights are a contiguous (W, P) block; otherwise a strided view.
     */
    public NDArray forwardFeature(NDArray x, NDArray condTerm, Weights w, int k) {
        NDManager m = x.getManager();
        NDArray h = trunk(x, condTerm, w);
        NDArray wk;
        NDArray bk;
        if (w.outByFeature != null) {
            wk = w.outByFeature.get(m, new ai.djl.ndarray.index.NDIndex("{}", k));
            bk = w.biasByFeature.get(m, new ai.djl.ndarray.index.NDIndex("{}", k));
        } else {
            long width = w.out.getShape().get(0);
            NDArray grouped = onto(m, w.out.reshape(width, paramsPerFeature, dim));
            NDArray biases = onto(m, outB.reshape(paramsPerFeature, dim));
            wk = grouped.get(m, new ai.djl.ndarray.index.NDIndex(":, :, {}", k));
            bk = biases.get(m, new ai.djl.ndarray.index.NDIndex(":, {}", k));
        }
        return h.matMul(wk).add(bk).reshape(x.getShape().get(0), paramsPerFeature, 1);
    }

    /**
     * The eval-mode cached weights {@code w} (from {@link #cachedWeights}) as float32 Java arrays, built on the first
     * {@code weights()} and kept with {@code w}; that gives null for weights that are not an eval cache or not float32.
     */
    public MadeOnHost.Source onHost(Weights w) {
        return new MadeOnHost.Source() {
            @Override
            public long multiplyAddsPerStep() {
                return MadeOnHost.multiplyAddsPerStep(widths, paramsPerFeature);
            }

            @Override
            public MadeOnHost weights() {
                return hostWeights(w);
            }
        };
    }

    private MadeOnHost hostWeights(Weights w) {
        if (w.outByFeature == null || dataType != DataType.FLOAT32) {
            return null;
        }
        if (w.host == null) {
            float[][] hidden = new float[w.hidden.size()][];
            float[][] hiddenBias = new float[w.hidden.size()][];
            for (int l = 0; l < hidden.length; l++) {
                hidden[l] = w.hidden.get(l).toFloatArray();
                hiddenBias[l] = hidB.get(l).toFloatArray();
            }
            w.host = new MadeOnHost(dim, paramsPerFeature, widths.clone(), w.in.toFloatArray(), hidden, hiddenBias,
                    w.outByFeature.toFloatArray(), w.biasByFeature.toFloatArray());
        }
        return w.host;
    }

    /**
     * Masked weights for eval-mode caches, attached to {@code target}: cut from the autograd graph, with the output
     * layer also regrouped per feature for the sequential direction.
     */
    Weights cachedWeights(NDManager target) {
        return maskedWeights(target).detached(outB, dim, paramsPerFeature);
    }

    /** Convenience: masked weights + condition term + forward, all temporaries on x's manager. */
    public NDArray forward(NDArray x, NDArray cond) {
        NDManager m = x.getManager();
        Weights w = maskedWeights(m);
        return forward(x, conditionTerm(cond, m), w);
    }
}
