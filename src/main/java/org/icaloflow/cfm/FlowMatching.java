package org.icaloflow.cfm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The conditional flow-matching training target on the linear path (paper Eq. 8): noise ε ~ N(0, 1) at t = 0,
 * data x at t = 1 (Eq. 7, the direction the ODE solvers integrate),
 * <pre>
 *   x_t = (1 − t)·ε + t·x,      target velocity d x_t / dt = x − ε,      t ~ U(0, 1).
 * </pre>
 * The network's loss is the mean squared difference between v(x_t, t) and the target.
 */
public final class FlowMatching {
    private FlowMatching() {
    }

    /** A point on the path and the velocity the network should predict there. */
    public record Target(NDArray xt, NDArray velocity) {
    }

    /**
     * x_t and x − ε for data {@code x} (batch, ...), noise {@code eps} of the same shape and times {@code t}
     * (batch), broadcast over each sample's features.
     */
    public static Target linearPath(NDArray x, NDArray eps, NDArray t) {
        if (!x.getShape().equals(eps.getShape())) throw new IllegalArgumentException("x " + x.getShape() + " and ε " + eps.getShape() + " differ");
        long n = x.getShape().get(0);
        if (t.getShape().size() != n) throw new IllegalArgumentException("need one time per sample, got " + t.getShape());
        long[] dims = new long[x.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = n;
        NDArray tb = t.reshape(new Shape(dims));
        NDArray xt = eps.add(tb.mul(x.sub(eps))); // (1 − t)ε + t x
        return new Target(xt, x.sub(eps));
    }

    /** Eq. 8's loss: the mean over all elements of (v − target)² (torch's mse_loss; the per-sample norm over d). */
    public static NDArray loss(NDArray predicted, NDArray target) {
        return predicted.sub(target).square().mean();
    }
}
