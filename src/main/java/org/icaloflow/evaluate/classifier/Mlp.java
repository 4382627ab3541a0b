package org.icaloflow.evaluate.classifier;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.icaloflow.nn.Init;

/**
 * The classifier network: D → width → … → width → 1 fully connected, LeakyReLU between layers, one logit
 * out. Weights are plain NDArrays with gradients (trained with an explicit GradientCollector loop), on the
 * device of the manager it is created on. Initialised as PyTorch's {@code nn.Linear} (weights and biases
 * uniform in ±1/√fan_in, {@link Init}), from a Java RNG so that a seed gives the same network on every device.
 */
public final class Mlp implements AutoCloseable {
    private final NDManager manager;
    private final List<NDArray> weights = new ArrayList<>();
    private final List<NDArray> biases = new ArrayList<>();
    private final List<NDArray> params = new ArrayList<>();
    private final float slope;
    private final int inputDim;

    /** A fresh network; its arrays live on a sub-manager of {@code parent} (closed by {@link #close}). */
    public Mlp(NDManager parent, int inputDim, int hiddenLayers, int hiddenWidth, double leakySlope, long seed, DataType dtype) {
        if (inputDim < 1 || hiddenLayers < 1 || hiddenWidth < 1) {
            throw new IllegalArgumentException("bad network shape " + inputDim + "/" + hiddenLayers + "/" + hiddenWidth);
        }
        this.manager = parent.newSubManager();
        this.slope = (float) leakySlope;
        this.inputDim = inputDim;
        SplittableRandom rng = new SplittableRandom(seed);
        int in = inputDim;
        for (int l = 0; l <= hiddenLayers; l++) {
            int out = l < hiddenLayers ? hiddenWidth : 1;
            double bound = Init.linearBound(in);
            weights.add(param(rng, (long) in * out, bound, new Shape(in, out), dtype));
            biases.add(param(rng, out, bound, new Shape(out), dtype));
            in = out;
        }
    }

    private NDArray param(SplittableRandom rng, long n, double bound, Shape shape, DataType dtype) {
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("layer of " + n + " weights is too large");
        double[] v = Init.uniform(rng, (int) n, bound);
        NDArray a = dtype == DataType.FLOAT64 ? manager.create(v, shape) : manager.create(Init.toFloat(v), shape);
        a.setRequiresGradient(true);
        params.add(a);
        return a;
    }

    public int inputDim() {
        return inputDim;
    }

    /** Weights and biases, input layer first (the optimiser's parameter list). */
    public List<NDArray> parameters() {
        return List.copyOf(params);
    }

    public NDManager manager() {
        return manager;
    }

    /**
     * Logits, shape (n), of inputs x of shape (n, D). Differentiable with respect to the parameters when
     * called inside a GradientCollector; only NDArray-valued operations (no {@code mul(Number)}, which gives
     * wrong gradients in DJL's PyTorch engine). With {@code detached} the weights are used without autograd
     * (evaluation).
     */
    public NDArray logits(NDArray x, boolean detached) {
        NDArray h = x;
        int last = weights.size() - 1;
        for (int l = 0; l <= last; l++) {
            NDArray w = weights.get(l);
            NDArray b = biases.get(l);
            if (detached) {
                // detached views belong to the caller's scope, not to the network's manager (no leak per call)
                w = w.stopGradient();
                w.attach(x.getManager());
                b = b.stopGradient();
                b.attach(x.getManager());
            }
            h = h.matMul(w).add(b);
            if (l < last) h = Activation.leakyRelu(h, slope);
        }
        return h.reshape(h.getShape().get(0));
    }

    /**
     * Mean binary cross-entropy with logits z and 0/1 labels y: mean(softplus(z) − y·z), which is
     * −[y log σ(z) + (1−y) log(1−σ(z))] without overflow.
     */
    public static NDArray bceWithLogits(NDArray z, NDArray y) {
        return Activation.softPlus(z).sub(y.mul(z)).mean();
    }

    /** Copies of the current parameter values (on the same device), e.g. to keep the best epoch's weights. */
    public List<NDArray> snapshot(NDManager into) {
        List<NDArray> out = new ArrayList<>();
        try (NDManager tmp = manager.newSubManager()) {
            for (NDArray p : params) {
                NDArray view = p.stopGradient();
                view.attach(tmp);
                NDArray c = view.duplicate();
                c.attach(into);
                out.add(c);
            }
        }
        return out;
    }

    /** Sets the parameters to values taken by {@link #snapshot}. */
    public void restore(List<NDArray> snapshot) {
        for (int i = 0; i < params.size(); i++) {
            snapshot.get(i).copyTo(params.get(i));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
