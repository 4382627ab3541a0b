package org.icaloflow.calodream;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.icaloflow.cfm.BespokeTraining;

/**
 * The BNS solver's training as configuration ({@code calodream.bespoke}; paper Sec. 3.4, Table 5), for
 * {@code icaloflow dream train --network bespoke}.
 *
 * @param steps             N, the solver's steps (= function evaluations of the shape network)
 * @param loss              {@code gte} (Eq. 16) or {@code lte} (Eq. 17)
 * @param learningRate      Adam's (Table 5: 1e-3)
 * @param batchSize         B, showers per iteration (Table 5: 100)
 * @param maxIterations     at most this many iterations (Table 5: 5000)
 * @param patience          stop after this many iterations without a lower validation loss (Table 5: 200)
 * @param validationBatches held-out batches of B for the validation loss (not in the paper; default 4)
 * @param validateEvery     validation every this many iterations (default 1)
 * @param referenceSteps    M of the midpoint reference (Table 5: 100)
 * @param seed              the draws (x_0 and the conditions' rows)
 * @param valFraction       the showers held out for the validation conditions (default 0.2, calodream.shape's)
 * @param splitSeed         their split (default 1234, calodream.shape's: the shape network's selection showers)
 */
public record BespokeSpec(
        @JsonProperty(value = "steps", required = true) int steps,
        @JsonProperty(value = "loss", required = true) String loss,
        @JsonProperty("learningRate") Double learningRate,
        @JsonProperty("batchSize") Integer batchSize,
        @JsonProperty("maxIterations") Integer maxIterations,
        @JsonProperty("patience") Integer patience,
        @JsonProperty("validationBatches") Integer validationBatches,
        @JsonProperty("validateEvery") Integer validateEvery,
        @JsonProperty("referenceSteps") Integer referenceSteps,
        @JsonProperty("seed") Long seed,
        @JsonProperty("valFraction") Double valFraction,
        @JsonProperty("splitSeed") Long splitSeed) {

    public BespokeSpec {
        if (learningRate == null) learningRate = 1e-3;
        if (batchSize == null) batchSize = 100;
        if (maxIterations == null) maxIterations = 5000;
        if (patience == null) patience = 200;
        if (validationBatches == null) validationBatches = 4;
        if (validateEvery == null) validateEvery = 1;
        if (referenceSteps == null) referenceSteps = 100;
        if (seed == null) seed = 0L;
        if (valFraction == null) valFraction = 0.2;
        if (splitSeed == null) splitSeed = 1234L;
    }

    /** The training settings; a bad value is an IllegalArgumentException naming the key under {@code where}. */
    public BespokeTraining.Settings settings(String where) {
        BespokeTraining.Loss l;
        try {
            l = BespokeTraining.Loss.parse(loss);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "." + e.getMessage());
        }
        if (!(valFraction > 0 && valFraction < 1))
            throw new IllegalArgumentException(where + ".valFraction must be in (0, 1), got " + valFraction);
        try {
            return new BespokeTraining.Settings(steps, l, learningRate, batchSize, maxIterations, patience, validationBatches,
                    validateEvery, referenceSteps, seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "." + e.getMessage());
        }
    }

    /** Checks every value; the message names the key under {@code where}. */
    public void validate(String where) {
        settings(where);
    }
}
