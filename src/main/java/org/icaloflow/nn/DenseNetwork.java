package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Dense layers of the given widths with one activation between them (none after the last): widths
 * {w₀, w₁, …, w_L} make L layers w₀→w₁→…→w_L. Layers are scoped {@code layer0}, {@code layer1}, …
 */
public final class DenseNetwork {
    private final List<Linear> layers = new ArrayList<>();
    private final Nonlinearity activation;

    public DenseNetwork(Parameters p, int[] widths, Nonlinearity activation, Linear.Start start) {
        if (widths.length < 2) throw new IllegalArgumentException("a dense network needs an input and an output width");
        for (int l = 0; l + 1 < widths.length; l++) {
            layers.add(new Linear(p.scope("layer" + l), widths[l], widths[l + 1], start));
        }
        this.activation = activation;
    }

    public NDArray forward(NDArray x) {
        NDArray h = x;
        for (int l = 0; l < layers.size(); l++) {
            h = layers.get(l).forward(h);
            if (l + 1 < layers.size()) h = activation.apply(h);
        }
        return h;
    }

    /** The layers, input first. */
    public List<Linear> layers() {
        return List.copyOf(layers);
    }
}
