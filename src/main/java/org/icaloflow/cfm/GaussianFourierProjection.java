package org.icaloflow.cfm;

import org.icaloflow.nn.Init;
import org.icaloflow.nn.Parameters;
import org.icaloflow.nn.Scalars;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Gaussian random Fourier features of the time (Tancik et al.; the authors' {@code GaussianFourierProjection}):
 * fixed frequencies W ~ N(0, 1)·scale of size D/2, and
 * <pre>
 *   γ(t) = (sin(2π t W), cos(2π t W))        D features, sines first.
 * </pre>
 * W is a buffer, not a learnable parameter: it is drawn from the {@link Parameters}' Java RNG (D/2 Gaussians, in
 * order, at construction) but not registered with them, so an optimiser never sees it; a checkpoint saves it
 * through {@link #frequencies()} (the authors keep it as an {@code nn.Parameter} with {@code requires_grad=False},
 * in their state dict).
 */
public final class GaussianFourierProjection {
    private final int dim;
    private final double scale;
    private final NDArray frequencies;

    /**
     * @param dim   the number of features D (even)
     * @param scale the standard deviation of the frequencies (the authors' 30)
     */
    public GaussianFourierProjection(Parameters p, int dim, double scale) {
        if (dim < 2 || dim % 2 != 0) throw new IllegalArgumentException("feature count must be even and ≥ 2, got " + dim);
        this.dim = dim;
        this.scale = scale;
        double[] w = new double[dim / 2];
        for (int i = 0; i < w.length; i++) w[i] = p.rng().nextGaussian() * scale;
        Shape shape = new Shape(w.length);
        this.frequencies = p.dataType() == DataType.FLOAT64 ? p.manager().create(w, shape)
                : p.manager().create(Init.toFloat(w), shape);
    }

    /**
     * γ(t) for times {@code t} of shape (B) or (B, 1): (B, D), on t's manager.
     */
    public NDArray forward(NDArray t) {
        NDArray tb = t.reshape(t.getShape().size(), 1);
        NDArray angle = tb.mul(frequencies).mul(Scalars.like(tb, 2 * Math.PI));
        return angle.sin().concat(angle.cos(), -1);
    }

    /** The fixed frequencies W (D/2), the buffer a checkpoint saves. */
    public NDArray frequencies() {
        return frequencies;
    }

    public int dim() {
        return dim;
    }

    public double scale() {
        return scale;
    }
}
