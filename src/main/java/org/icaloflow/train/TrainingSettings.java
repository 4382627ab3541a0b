package org.icaloflow.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How one flow is trained (paper Table III and Sec. III C 1), as configuration.
 *
 * @param epochs          passes over the training set
 * @param batchSize       samples per optimiser step (Flow-3: (shower, layer) pairs)
 * @param schedule        learning-rate (and Adam β1) schedule
 * @param selectEvery     also evaluate the selection set every this many batches (0: only at each epoch's end;
 *                        the paper: 250 for Flow-3)
 * @param selectShowers   showers of the selection set used for model selection (0: all)
 * @param logEvery        a progress line and metrics every this many batches
 * @param maxBadBatches   stop with an error after this many consecutive batches with a NaN/inf loss
 * @param chunkShowers    Flow-3: showers held in memory at once while streaming (their 44 layer pairs are
 *                        shuffled together); bounds memory whatever the number of showers
 * @param seed            seed of the batch order
 * @param noise           dequantisation noise: {@code perEpoch} (default; the authors' data.py draws U[0, 5 keV]
 *                        anew each time a sample is served, and the selection set's anew at each evaluation) or
 *                        {@code fixed} (one draw, the same copy served every epoch and at every selection: this
 *                        project's behaviour before issue 12 item 2, kept as an ablation switch; docs/preprocess.md)
 */
public record TrainingSettings(
        @JsonProperty(value = "epochs", required = true) int epochs,
        @JsonProperty(value = "batchSize", required = true) int batchSize,
        @JsonProperty(value = "schedule", required = true) LearningRateSchedule schedule,
        @JsonProperty("selectEvery") Integer selectEvery,
        @JsonProperty("selectShowers") Integer selectShowers,
        @JsonProperty("logEvery") Integer logEvery,
        @JsonProperty("maxBadBatches") Integer maxBadBatches,
        @JsonProperty("chunkShowers") Integer chunkShowers,
        @JsonProperty("seed") Long seed,
        @JsonProperty("noise") String noise) {

    /** The authors' noise: drawn anew per epoch (and per selection evaluation). */
    public static final String NOISE_PER_EPOCH = "perEpoch";
    /** One noise draw served every epoch (ablation of issue 12 item 2). */
    public static final String NOISE_FIXED = "fixed";

    /** As the canonical constructor with the authors' noise ({@value #NOISE_PER_EPOCH}). */
    public TrainingSettings(int epochs, int batchSize, LearningRateSchedule schedule, Integer selectEvery,
                            Integer selectShowers, Integer logEvery, Integer maxBadBatches, Integer chunkShowers, Long seed) {
        this(epochs, batchSize, schedule, selectEvery, selectShowers, logEvery, maxBadBatches, chunkShowers, seed, null);
    }

    public TrainingSettings {
        if (selectEvery == null) selectEvery = 0;
        if (selectShowers == null) selectShowers = 0;
        if (logEvery == null) logEvery = 50;
        if (maxBadBatches == null) maxBadBatches = 20;
        if (chunkShowers == null) chunkShowers = 1000;
        if (seed == null) seed = 0L;
        if (noise == null) noise = NOISE_PER_EPOCH;
    }

    /** Whether the noise is drawn once ({@value #NOISE_FIXED}) rather than per epoch. */
    public boolean fixedNoise() {
        return noise.equals(NOISE_FIXED);
    }

    /** Checks every value; the message names the key under {@code where}. */
    public void validate(String where) {
        if (epochs < 1) throw new IllegalArgumentException(where + ".epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException(where + ".batchSize must be >= 1, got " + batchSize);
        if (schedule == null) throw new IllegalArgumentException(where + ".schedule is required");
        schedule.validate(where + ".schedule");
        if (selectEvery < 0) throw new IllegalArgumentException(where + ".selectEvery must be >= 0");
        if (schedule instanceof LearningRateSchedule.MultiStep ms && ms.stepEvery().equals("selection") && selectEvery == 0)
            throw new IllegalArgumentException(where + ".schedule.stepEvery is selection but " + where
                    + ".selectEvery is 0 (no intermediate selections): set selectEvery or use stepEvery epoch or batch");
        if (selectShowers < 0) throw new IllegalArgumentException(where + ".selectShowers must be >= 0");
        if (logEvery < 1) throw new IllegalArgumentException(where + ".logEvery must be >= 1");
        if (maxBadBatches < 1) throw new IllegalArgumentException(where + ".maxBadBatches must be >= 1");
        if (chunkShowers < 1) throw new IllegalArgumentException(where + ".chunkShowers must be >= 1");
        if (!noise.equals(NOISE_PER_EPOCH) && !noise.equals(NOISE_FIXED))
            throw new IllegalArgumentException(where + ".noise must be " + NOISE_PER_EPOCH + " or " + NOISE_FIXED + ", got '" + noise + "'");
    }

    public TrainingSettings withEpochs(int e) {
        return new TrainingSettings(e, batchSize, schedule, selectEvery, selectShowers, logEvery, maxBadBatches, chunkShowers, seed, noise);
    }
}
