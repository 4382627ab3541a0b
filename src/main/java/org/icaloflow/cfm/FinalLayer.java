package org.icaloflow.cfm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.icaloflow.nn.LayerNorm;
import org.icaloflow.nn.Linear;
import org.icaloflow.nn.Nonlinearity;
import org.icaloflow.nn.Parameters;

/**
 * The shape network's output projection (DiT's and calo_dreamer's {@code FinalLayer}; paper Sec. 3.2: the
 * affine conditioning is "also [applied] to the final projection layer"): a layer norm without affine
 * parameters (eps 1e-6), modulated by shift a and scale b from SiLU then a dense layer E → 2E of the condition,
 * then a dense layer E → patch dimension: {@code linear(LN(x)·(1 + b) + a)}, one velocity per voxel of the
 * patch. Both dense layers start at zero, so a new network's velocity is exactly 0.
 *
 * <p>Parameters, in creation order: {@code linear.*}, {@code modulation.*}.
 */
public final class FinalLayer {
    private final LayerNorm norm;
    private final Linear linear;
    private final Linear modulation;

    public FinalLayer(Parameters p, int width, int patchDim) {
        this.norm = new LayerNorm(p.scope("norm"), width, 1e-6, false);
        this.linear = new Linear(p.scope("linear"), width, patchDim, Linear.Start.ZERO);
        this.modulation = new Linear(p.scope("modulation"), width, 2 * width, Linear.Start.ZERO);
    }

    /** Tokens (B, T, E) and condition vectors (B, E) → patch velocities (B, T, patch dimension). */
    public NDArray forward(NDArray x, NDArray c) {
        NDList m = modulation.forward(Nonlinearity.SILU.apply(c)).split(2, 1);
        return linear.forward(DiTBlock.modulate(norm.forward(x), m.get(0), m.get(1)));
    }
}
