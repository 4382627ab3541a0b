package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A dense layer y = x·W + b on the last axis (x of any rank ≥ 1), W stored (in, out) as the flows' MADE does.
 * Parameters {@code weight} and (optionally) {@code bias} in the given scope.
 */
public final class Linear {
    /** How W and b start. */
    public enum Start {
        /** torch's {@code nn.Linear} default: W and b uniform(±1/√in). */
        TORCH_DEFAULT,
        /** {@code xavier_uniform_} W, uniform(±√(6/(in + out))), and b = 0 (DiT's basic initialisation). */
        XAVIER_UNIFORM,
        /** W = 0, b = 0 (DiT's adaLN-Zero modulation and final projection). */
        ZERO,
        /** W normal with standard deviation 0.02 and b = 0 (DiT's time embedder). */
        NORMAL_002
    }

    private final int in;
    private final int out;
    private final NDArray weight;
    private final NDArray bias; // null without bias

    public Linear(Parameters p, int in, int out, boolean bias, Start start) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("bad layer shape " + in + " -> " + out);
        this.in = in;
        this.out = out;
        Shape w = new Shape(in, out);
        Shape b = new Shape(out);
        switch (start) {
            case TORCH_DEFAULT -> {
                double bound = Init.linearBound(in);
                this.weight = p.uniform("weight", w, bound);
                this.bias = bias ? p.uniform("bias", b, bound) : null;
            }
            case XAVIER_UNIFORM -> {
                this.weight = p.uniform("weight", w, Math.sqrt(6.0 / (in + out)));
                this.bias = bias ? p.constant("bias", b, 0) : null;
            }
            case ZERO -> {
                this.weight = p.constant("weight", w, 0);
                this.bias = bias ? p.constant("bias", b, 0) : null;
            }
            case NORMAL_002 -> {
                this.weight = p.normal("weight", w, 0.02);
                this.bias = bias ? p.constant("bias", b, 0) : null;
            }
            default -> throw new IllegalArgumentException(String.valueOf(start));
        }
    }

    /** With bias. */
    public Linear(Parameters p, int in, int out, Start start) {
        this(p, in, out, true, start);
    }

    public NDArray forward(NDArray x) {
        NDArray y = x.matMul(weight);
        return bias == null ? y : y.add(bias);
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    public NDArray weight() {
        return weight;
    }

    /** The bias, or null. */
    public NDArray bias() {
        return bias;
    }
}
