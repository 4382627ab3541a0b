package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The position-wise feed-forward block of torch's transformer layers, {@code linear2(relu(linear1(x)))}, E → F → E
 * (dropout 0), started as {@code nn.Transformer} leaves it: {@code _reset_parameters} draws every matrix
 * {@code xavier_uniform_}, U(±√(6/(in + out))), while the biases keep {@code nn.Linear}'s default U(±1/√in).
 * Parameters {@code linear1.weight}, {@code linear1.bias}, {@code linear2.weight}, {@code linear2.bias}, W stored
 * (in, out) as {@link Linear}.
 */
final class FeedForward {
    private final NDArray w1;
    private final NDArray b1;
    private final NDArray w2;
    private final NDArray b2;

    FeedForward(Parameters p, int width, int hidden) {
        if (width < 1 || hidden < 1) throw new IllegalArgumentException("bad feed-forward " + width + " -> " + hidden);
        Parameters l1 = p.scope("linear1");
        this.w1 = l1.uniform("weight", new Shape(width, hidden), Math.sqrt(6.0 / (width + hidden)));
        this.b1 = l1.uniform("bias", new Shape(hidden), Init.linearBound(width));
        Parameters l2 = p.scope("linear2");
        this.w2 = l2.uniform("weight", new Shape(hidden, width), Math.sqrt(6.0 / (width + hidden)));
        this.b2 = l2.uniform("bias", new Shape(width), Init.linearBound(hidden));
    }

    NDArray forward(NDArray x) {
        return Nonlinearity.RELU.apply(x.matMul(w1).add(b1)).matMul(w2).add(b2);
    }
}
