package org.icaloflow.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;

/**
 * Learning-rate schedules of the paper's Table III, as configuration.
 * {@code rate(step)} is asked once per optimiser step (batch); steps count from 0.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = LearningRateSchedule.OneCycle.class, name = "onecycle"),
        @JsonSubTypes.Type(value = LearningRateSchedule.MultiStep.class, name = "multistep"),
        @JsonSubTypes.Type(value = LearningRateSchedule.Constant.class, name = "constant")
})
public sealed interface LearningRateSchedule {

    /** Learning rate for optimiser step {@code step} of a run of {@code totalSteps} with {@code stepsPerEpoch}. */
    double rate(long step, long totalSteps, long stepsPerEpoch);

    /** Checks the values; the message names the key. */
    void validate(String where);

    /**
     * OneCycle with annihilation (Smith 2018; CaloFlow): base to max linearly over the first
     * {@code warmup} fraction of all steps, max back to base over the next {@code cooldown} fraction, then
     * base down to base/{@code annihilationFactor} (10) linearly over the rest.
     */
    record OneCycle(@JsonProperty(value = "baseLr", required = true) double baseLr,
                    @JsonProperty(value = "maxLr", required = true) double maxLr,
                    @JsonProperty("warmup") Double warmup,
                    @JsonProperty("cooldown") Double cooldown,
                    @JsonProperty("annihilationFactor") Double annihilationFactor) implements LearningRateSchedule {
        public OneCycle {
            if (warmup == null) warmup = 0.45;
            if (cooldown == null) cooldown = 0.45;
            if (annihilationFactor == null) annihilationFactor = 10.0;
        }

        public OneCycle(double baseLr, double maxLr) {
            this(baseLr, maxLr, null, null, null);
        }

        @Override
        public double rate(long step, long totalSteps, long stepsPerEpoch) {
            double t = totalSteps <= 1 ? 0 : Math.min(1.0, step / (double) (totalSteps - 1));
            if (t <= warmup) return baseLr + (maxLr - baseLr) * (warmup == 0 ? 1 : t / warmup);
            double t2 = t - warmup;
            if (t2 <= cooldown) return maxLr + (baseLr - maxLr) * (cooldown == 0 ? 1 : t2 / cooldown);
            double rest = 1 - warmup - cooldown;
            double t3 = rest <= 0 ? 1 : (t2 - cooldown) / rest;
            double end = baseLr / annihilationFactor;
            return baseLr + (end - baseLr) * t3;
        }

        @Override
        public void validate(String where) {
            positive(where + ".baseLr", baseLr);
            positive(where + ".maxLr", maxLr);
            if (maxLr < baseLr) throw new IllegalArgumentException(where + ".maxLr must be >= baseLr");
            if (warmup < 0 || cooldown < 0 || warmup + cooldown > 1)
                throw new IllegalArgumentException(where + ".warmup and .cooldown must be fractions summing to at most 1");
            if (annihilationFactor < 1) throw new IllegalArgumentException(where + ".annihilationFactor must be >= 1");
        }
    }

    /** Multi-step: {@code initialLr} multiplied by {@code gamma} (0.5) after each epoch listed in {@code milestones}. */
    record MultiStep(@JsonProperty(value = "initialLr", required = true) double initialLr,
                     @JsonProperty(value = "milestones", required = true) List<Integer> milestones,
                     @JsonProperty("gamma") Double gamma) implements LearningRateSchedule {
        public MultiStep {
            if (gamma == null) gamma = 0.5;
            milestones = List.copyOf(milestones);
        }

        @Override
        public double rate(long step, long totalSteps, long stepsPerEpoch) {
            long epochsDone = step / Math.max(1, stepsPerEpoch);
            double lr = initialLr;
            for (int m : milestones) if (epochsDone >= m) lr *= gamma;
            return lr;
        }

        @Override
        public void validate(String where) {
            positive(where + ".initialLr", initialLr);
            if (gamma <= 0 || gamma > 1) throw new IllegalArgumentException(where + ".gamma must be in (0, 1]");
            for (int m : milestones) if (m < 1) throw new IllegalArgumentException(where + ".milestones must be epochs >= 1");
        }
    }

    /** A constant rate (tests, quick experiments). */
    record Constant(@JsonProperty(value = "lr", required = true) double lr) implements LearningRateSchedule {
        @Override
        public double rate(long step, long totalSteps, long stepsPerEpoch) {
            return lr;
        }

        @Override
        public void validate(String where) {
            positive(where + ".lr", lr);
        }
    }

    private static void positive(String key, double v) {
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(key + " must be a positive number, got " + v);
    }
}
