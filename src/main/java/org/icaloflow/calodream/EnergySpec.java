package org.icaloflow.calodream;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.icaloflow.cfm.EnergyNetwork;

/**
 * The energy network's sizes as configuration ({@code calodream.energy}; paper Table 1), without the number of
 * positions (the geometry's layers) and conditions (E_inc only), which {@link #settings(int)} adds.
 *
 * @param seed        seed of the initial parameters (and the Fourier frequencies)
 * @param sampleSteps RK4 steps when sampling (the paper: 50)
 * @param valFraction fraction of the showers held out for model selection (the authors' val_frac 0.2)
 * @param splitSeed   seed of the train/selection split
 */
public record EnergySpec(
        @JsonProperty(value = "embedding", required = true) int embedding,
        @JsonProperty(value = "heads", required = true) int heads,
        @JsonProperty(value = "encoderLayers", required = true) int encoderLayers,
        @JsonProperty(value = "decoderLayers", required = true) int decoderLayers,
        @JsonProperty(value = "feedForward", required = true) int feedForward,
        @JsonProperty(value = "timeEmbedding", required = true) int timeEmbedding,
        @JsonProperty("timeScale") Double timeScale,
        @JsonProperty(value = "headWidth", required = true) int headWidth,
        @JsonProperty(value = "headLayers", required = true) int headLayers,
        @JsonProperty("seed") Long seed,
        @JsonProperty("sampleSteps") Integer sampleSteps,
        @JsonProperty("valFraction") Double valFraction,
        @JsonProperty("splitSeed") Long splitSeed) {

    public EnergySpec {
        if (timeScale == null) timeScale = 30.0;
        if (seed == null) seed = 0L;
        if (sampleSteps == null) sampleSteps = 50;
        if (valFraction == null) valFraction = 0.2;
        if (splitSeed == null) splitSeed = 1234L;
    }

    /** The network's settings for {@code layers} positions and the one condition E_inc. */
    public EnergyNetwork.Settings settings(int layers) {
        return new EnergyNetwork.Settings(layers, 1, embedding, heads, encoderLayers, decoderLayers, feedForward,
                timeEmbedding, timeScale, headWidth, headLayers);
    }

    /**
     * Checks every value (the sizes for {@code layers} positions; null: the sizes alone, when the geometry is not
     * known yet); the message names the key under {@code where}.
     */
    public void validate(String where, Integer layers) {
        if (!(valFraction > 0 && valFraction < 1))
            throw new IllegalArgumentException(where + ".valFraction must be in (0, 1), got " + valFraction);
        if (sampleSteps < 1) throw new IllegalArgumentException(where + ".sampleSteps must be >= 1, got " + sampleSteps);
        if (!(timeScale > 0) || Double.isInfinite(timeScale))
            throw new IllegalArgumentException(where + ".timeScale must be a positive number, got " + timeScale);
        if (layers == null) return;
        try {
            settings(layers);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }
}
