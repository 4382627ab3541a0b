package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * torch's {@code nn.LayerNorm} over the last axis: (x − mean) / √(var + eps), var the biased variance, then, when
 * {@code affine}, × γ + β (parameters {@code weight} = 1 and {@code bias} = 0 at the start). nn.Transformer uses
 * eps 1e-5 with affine; DiT's blocks use eps 1e-6 without (the adaLN modulation takes its place).
 */
public final class LayerNorm {
    private final int dim;
    private final double eps;
    private final NDArray gamma; // null without affine
    private final NDArray beta;

    public LayerNorm(Parameters p, int dim, double eps, boolean affine) {
        if (dim < 1) throw new IllegalArgumentException("bad width " + dim);
        this.dim = dim;
        this.eps = eps;
        this.gamma = affine ? p.constant("weight", new Shape(dim), 1) : null;
        this.beta = affine ? p.constant("bias", new Shape(dim), 0) : null;
    }

    public NDArray forward(NDArray x) {
        if (x.getShape().get(x.getShape().dimension() - 1) != dim) {
            throw new IllegalArgumentException("layer norm of width " + dim + " given " + x.getShape());
        }
        NDArray centred = x.sub(x.mean(new int[] {-1}, true));
        NDArray variance = centred.square().mean(new int[] {-1}, true);
        NDArray y = centred.div(variance.add(eps).sqrt());
        return gamma == null ? y : y.mul(gamma).add(beta);
    }
}
