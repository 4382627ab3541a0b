package org.icaloflow.calodream;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.icaloflow.cfm.ShapeNetwork;
import org.icaloflow.data.Geometry;

import java.util.List;

/**
 * The shape network's sizes as configuration ({@code calodream.shape}; paper Table 2), without the grid (the
 * geometry's layers × angular × radial bins) and the condition's width (E_inc plus one u per layer), which
 * {@link #settings(Geometry)} adds.
 *
 * @param patch       the patch (layers, angular bins, radial bins): Table 2's (3, 16, 1) for DS2, (3, 5, 2) for DS3
 * @param embedding   the embedding dimension E (a multiple of 6)
 * @param heads       attention heads
 * @param mlp         the blocks' MLP hidden width
 * @param blocks      DiT blocks
 * @param noiseWidth  w of the U(0, w) noise on the layer-normalised voxels, also the decoder's cut (the authors'
 *                    configurations: 5e-7 DS2, 5e-6 DS3; the paper does not mention it)
 * @param seed        seed of the initial parameters
 * @param sampleSteps RK4 steps when sampling (Table 2: 20)
 * @param valFraction fraction of the showers held out for model selection (the authors' val_frac 0.2)
 * @param splitSeed   seed of the train/selection split
 * @param noiseSeed   seed of the per-shower noise draws
 */
public record ShapeSpec(
        @JsonProperty(value = "patch", required = true) List<Integer> patch,
        @JsonProperty(value = "embedding", required = true) int embedding,
        @JsonProperty(value = "heads", required = true) int heads,
        @JsonProperty(value = "mlp", required = true) int mlp,
        @JsonProperty(value = "blocks", required = true) int blocks,
        @JsonProperty("noiseWidth") Double noiseWidth,
        @JsonProperty("seed") Long seed,
        @JsonProperty("sampleSteps") Integer sampleSteps,
        @JsonProperty("valFraction") Double valFraction,
        @JsonProperty("splitSeed") Long splitSeed,
        @JsonProperty("noiseSeed") Long noiseSeed) {

    public ShapeSpec {
        patch = patch == null ? null : List.copyOf(patch);
        if (noiseWidth == null) noiseWidth = 0.0;
        if (seed == null) seed = 0L;
        if (sampleSteps == null) sampleSteps = 20;
        if (valFraction == null) valFraction = 0.2;
        if (splitSeed == null) splitSeed = 1234L;
        if (noiseSeed == null) noiseSeed = 4321L;
    }

    /** The network for geometry {@code g} (uniform: every layer the same angular and radial bins). */
    public ShapeNetwork.Settings settings(Geometry g) {
        if (!g.isUniform()) throw new IllegalArgumentException("the shape network needs a geometry whose layers share one binning, " + g.name() + " does not");
        return new ShapeNetwork.Settings(g.layers(), g.alphaBins(0), g.radialBins(0), patch.get(0), patch.get(1), patch.get(2),
                embedding, heads, mlp, blocks, g.layers() + 1);
    }

    /**
     * Checks every value (with the grid of {@code g}; null: the values alone, when the geometry is not known yet);
     * the message names the key under {@code where}.
     */
    public void validate(String where, Geometry g) {
        if (patch == null || patch.size() != 3 || patch.stream().anyMatch(p -> p == null || p < 1))
            throw new IllegalArgumentException(where + ".patch must be three positive integers [layers, alphas, radii], got " + patch);
        if (!(valFraction > 0 && valFraction < 1))
            throw new IllegalArgumentException(where + ".valFraction must be in (0, 1), got " + valFraction);
        if (sampleSteps < 1) throw new IllegalArgumentException(where + ".sampleSteps must be >= 1, got " + sampleSteps);
        if (!(noiseWidth >= 0 && noiseWidth < 1e-2))
            throw new IllegalArgumentException(where + ".noiseWidth must be in [0, 0.01), got " + noiseWidth);
        if (g == null) return;
        try {
            settings(g);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }
}
