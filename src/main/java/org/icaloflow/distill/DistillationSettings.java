package org.icaloflow.distill;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.icaloflow.FlowRole;
import org.icaloflow.train.TrainingSettings;

/**
 * How one student is distilled from its teacher (paper Sec. III C 2 and Table III), as configuration
 * ({@code distillation.flow2} / {@code distillation.flow3} of a run configuration).
 *
 * @param training            epochs, batch size, schedule, selection cadence (as for the teachers)
 * @param weights             the loss's weights (beta and the per-term weights); missing ones default to the
 *                            authors' code ({@link Weights#resolved})
 * @param baseWidth           standard deviation of the z-pass's base samples (the authors' {@code student_width},
 *                            default 1: the student's own standard-normal base)
 * @param physicsLoss         optional detector-aggregate term (Majerz et al., ZDC); off by default
 * @param diversityWeighting  optional per-sample weights down-weighting rare, high-variance samples; off by default
 */
public record DistillationSettings(
        @JsonProperty(value = "training", required = true) TrainingSettings training,
        @JsonProperty("weights") Weights weights,
        @JsonProperty("baseWidth") Double baseWidth,
        @JsonProperty("physicsLoss") PhysicsLoss physicsLoss,
        @JsonProperty("diversityWeighting") DiversityWeighting diversityWeighting) {

    public DistillationSettings {
        if (weights == null) weights = new Weights(null, null, null, null);
        if (baseWidth == null) baseWidth = 1.0;
        if (physicsLoss == null) physicsLoss = new PhysicsLoss(null, null);
        if (diversityWeighting == null) diversityWeighting = new DiversityWeighting(null, null, null, null);
    }

    /**
     * Loss weights, as in the authors' student training ({@code run.py}):
     * L = β·L_x + (1 − β)·L_z (+ the optional physics term), where each pass's
     * L_pass = output·χ²(end point) + states·Σ_{k=1}^{N−1} χ²(state between blocks k−1 and k)
     * + made·Σ_{k=0}^{N−1} χ²(MADE outputs of block k), χ² = Σ over features, mean over the batch.
     * The defaults (output 2, states 2, made 1) are what the code's loop over all intermediate steps adds up to
     * (the end point and each state are compared twice there; see docs/distill.md). β = 1 skips the z-pass,
     * β = 0 the x-pass (unless the physics term needs it).
     *
     * @param beta   weight of the x-pass, 1 − β that of the z-pass; in [0, 1]. Default Flow-2 0.5 (the code's
     *               {@code --beta} default; the paper's Eq. 10 is the same up to an overall factor 2),
     *               Flow-3 1 (x-pass only, Eq. 11)
     * @param output weight of χ²(x, f_IAF⁻¹(f_MAF(x))) (Eq. 8) and χ²(z, f_MAF(f_IAF⁻¹(z))) (Eq. 9); default 2
     * @param states weight of each intermediate state's χ² (part of L_x-MADE / L_z-MADE); default 2
     * @param made   weight of each block's MADE-output (spline parameter) χ² (L_x-MADE / L_z-MADE); default 1
     */
    public record Weights(@JsonProperty("beta") Double beta, @JsonProperty("output") Double output,
                          @JsonProperty("states") Double states, @JsonProperty("made") Double made) {
        /** The authors' code's weights of the end point, of each intermediate state and of each block's MADE outputs. */
        public static final double OUTPUT = 2.0, STATES = 2.0, MADE = 1.0;

        /** The authors' choice of β: 0.5 for Flow-2 (the code's default), 1 for Flow-3 (x-pass only, Eq. 11). */
        public static double defaultBeta(FlowRole flow) {
            return flow == FlowRole.FIRST_LAYER ? 0.5 : 1.0;
        }

        /** Missing weights filled with the authors' choice for Flow-2 or Flow-3. */
        public Weights resolved(FlowRole flow) {
            return new Weights(beta == null ? defaultBeta(flow) : beta, output == null ? OUTPUT : output,
                    states == null ? STATES : states, made == null ? MADE : made);
        }

        void validate(String where) {
            if (beta != null && !(beta >= 0 && beta <= 1))
                throw new IllegalArgumentException(where + ".beta must be in [0, 1], got " + beta);
            check(where + ".output", output);
            check(where + ".states", states);
            check(where + ".made", made);
            Weights w = resolved(FlowRole.FIRST_LAYER);
            if (w.output() + w.states() + w.made() <= 0)
                throw new IllegalArgumentException(where + ": at least one of output, states, made must be > 0");
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
    public void validate(String where, FlowRole flow) {
        if (training == null) throw new IllegalArgumentException(where + ".training is required");
        training.validate(where + ".training");
        weights.validate(where + ".weights");
        if (!(baseWidth > 0 && Double.isFinite(baseWidth)))
            throw new IllegalArgumentException(where + ".baseWidth must be a finite number > 0, got " + baseWidth);
        if (!(physicsLoss.weight() >= 0 && Double.isFinite(physicsLoss.weight())))
            throw new IllegalArgumentException(where + ".physicsLoss.weight must be a finite number >= 0, got " + physicsLoss.weight());
        if (diversityWeighting.bins() < 1)
            throw new IllegalArgumentException(where + ".diversityWeighting.bins must be >= 1, got " + diversityWeighting.bins());
        if (!(diversityWeighting.epsilon() > 0 && Double.isFinite(diversityWeighting.epsilon())))
            throw new IllegalArgumentException(where + ".diversityWeighting.epsilon must be > 0, got " + diversityWeighting.epsilon());
        if (diversityWeighting.maxSamples() < 1)
            throw new IllegalArgumentException(where + ".diversityWeighting.maxSamples must be >= 1, got " + diversityWeighting.maxSamples());
    }

    public DistillationSettings withEpochs(int e) {
        return new DistillationSettings(training.withEpochs(e), weights, baseWidth, physicsLoss, diversityWeighting);
    }

    /** The same with every weight written out ({@link Weights#resolved}), as recorded in manifests and MLflow. */
    public DistillationSettings resolved(FlowRole flow) {
        return new DistillationSettings(training, weights.resolved(flow), baseWidth, physicsLoss, diversityWeighting);
    }
}
