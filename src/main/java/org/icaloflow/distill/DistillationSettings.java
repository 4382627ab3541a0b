package org.icaloflow.distill;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.icaloflow.train.TrainingSettings;

/**
 * How one student is distilled from its teacher (paper Sec. III C 2 and Table III), as configuration
 * ({@code distillation.flow2} / {@code distillation.flow3} of a run configuration).
 *
 * @param training            epochs, batch size, schedule, selection cadence (as for the teachers)
 * @param weights             weights of the loss terms; missing ones default to Eq. 10 for Flow-2
 *                            (all 1) and Eq. 11 for Flow-3 (z-terms 0)
 * @param physicsLoss         optional detector-aggregate term (Majerz et al., ZDC); off by default
 * @param diversityWeighting  optional per-sample weights down-weighting rare, high-variance samples; off by default
 */
public record DistillationSettings(
        @JsonProperty(value = "training", required = true) TrainingSettings training,
        @JsonProperty("weights") Weights weights,
        @JsonProperty("physicsLoss") PhysicsLoss physicsLoss,
        @JsonProperty("diversityWeighting") DiversityWeighting diversityWeighting) {

    public DistillationSettings {
        if (weights == null) weights = new Weights(null, null, null, null);
        if (physicsLoss == null) physicsLoss = new PhysicsLoss(null, null);
        if (diversityWeighting == null) diversityWeighting = new DiversityWeighting(null, null, null, null);
    }

    /**
     * Loss weights. L = lx L_x + lxMade L_x-MADE + lz L_z + lzMade L_z-MADE (Eqs. 8-11); a zero weight
     * skips its pass entirely (lz = lzMade = 0: no z-pass).
     */
    public record Weights(@JsonProperty("lx") Double lx, @JsonProperty("lxMade") Double lxMade,
                          @JsonProperty("lz") Double lz, @JsonProperty("lzMade") Double lzMade) {

        /** Missing weights filled with the paper's choice for flow 2 (Eq. 10) or 3 (Eq. 11). */
        public Weights resolved(int flow) {
            double z = flow == 2 ? 1.0 : 0.0;
            return new Weights(lx == null ? 1.0 : lx, lxMade == null ? 1.0 : lxMade,
                    lz == null ? z : lz, lzMade == null ? z : lzMade);
        }

        void validate(String where) {
            check(where + ".lx", lx);
            check(where + ".lxMade", lxMade);
            check(where + ".lz", lz);
            check(where + ".lzMade", lzMade);
        }

        private static void check(String key, Double v) {
            if (v != null && !(v >= 0 && Double.isFinite(v)))
                throw new IllegalArgumentException(key + " must be a finite number >= 0, got " + v);
        }
    }

    /**
     * Physics-informed term (ZDC study): MSE between detector-level aggregates of the student's and the
     * teacher's layer (total, ring sums, quadrant sums of the normalised voxel energies), weight × that.
     */
    public record PhysicsLoss(@JsonProperty("enabled") Boolean enabled, @JsonProperty("weight") Double weight) {
        public PhysicsLoss {
            if (enabled == null) enabled = false;
            if (weight == null) weight = 1.0;
        }
    }

    /**
     * Diversity-based sample weighting (ZDC study): training samples are binned by their first condition
     * (the incident energy); a bin's weight is (1/diversity, scaled to max 1) × (count / max count) + epsilon,
     * normalised to mean 1 over the samples, where diversity is the bin's mean per-voxel standard deviation
     * of the normalised voxel energies. Computed once from the first {@code maxSamples} training samples.
     */
    public record DiversityWeighting(@JsonProperty("enabled") Boolean enabled, @JsonProperty("bins") Integer bins,
                                     @JsonProperty("epsilon") Double epsilon,
                                     @JsonProperty("maxSamples") Integer maxSamples) {
        public DiversityWeighting {
            if (enabled == null) enabled = false;
            if (bins == null) bins = 20;
            if (epsilon == null) epsilon = 0.1;
            if (maxSamples == null) maxSamples = 100_000;
        }
    }

    /** Checks every value; the message names the key under {@code where}. */
    public void validate(String where, int flow) {
        if (training == null) throw new IllegalArgumentException(where + ".training is required");
        training.validate(where + ".training");
        weights.validate(where + ".weights");
        Weights w = weights.resolved(flow);
        if (w.lx() + w.lxMade() + w.lz() + w.lzMade() <= 0)
            throw new IllegalArgumentException(where + ".weights: at least one weight must be > 0");
        if (!(physicsLoss.weight() >= 0 && Double.isFinite(physicsLoss.weight())))
            throw new IllegalArgumentException(where + ".physicsLoss.weight must be a finite number >= 0, got " + physicsLoss.weight());
        if (physicsLoss.enabled() && w.lx() + w.lxMade() <= 0)
            throw new IllegalArgumentException(where + ".physicsLoss needs the x-pass (weights.lx or weights.lxMade > 0)");
        if (diversityWeighting.bins() < 1)
            throw new IllegalArgumentException(where + ".diversityWeighting.bins must be >= 1, got " + diversityWeighting.bins());
        if (!(diversityWeighting.epsilon() > 0 && Double.isFinite(diversityWeighting.epsilon())))
            throw new IllegalArgumentException(where + ".diversityWeighting.epsilon must be > 0, got " + diversityWeighting.epsilon());
        if (diversityWeighting.maxSamples() < 1)
            throw new IllegalArgumentException(where + ".diversityWeighting.maxSamples must be >= 1, got " + diversityWeighting.maxSamples());
    }

    public DistillationSettings withEpochs(int e) {
        return new DistillationSettings(training.withEpochs(e), weights, physicsLoss, diversityWeighting);
    }
}
