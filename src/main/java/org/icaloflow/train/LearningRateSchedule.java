package org.icaloflow.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;

/**
 * Learning-rate (and Adam β1) schedules of the paper's Table III, as the authors' run.py builds them with
 * torch.optim.lr_scheduler: {@code onecycle} is OneCycleLR, {@code multistep} is MultiStepLR; {@code cosine}
 * (CosineAnnealingLR over the whole run) is CaloDREAM's (its Tables 1 and 2).
 * {@code rate(step, clock)} and {@code beta1(step, clock)} are asked before optimiser step {@code step}
 * (counted from 0, skipped batches included); a schedule is a pure function of the step, so a resumed run
 * continues it exactly.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = LearningRateSchedule.OneCycle.class, name = "onecycle"),
        @JsonSubTypes.Type(value = LearningRateSchedule.MultiStep.class, name = "multistep"),
        @JsonSubTypes.Type(value = LearningRateSchedule.Cosine.class, name = "cosine"),
        @JsonSubTypes.Type(value = LearningRateSchedule.Constant.class, name = "constant")
})
public sealed interface LearningRateSchedule {

    /** torch.optim.Adam's default β1: what a schedule that does not cycle momentum leaves in place. */
    double ADAM_BETA1 = 0.9;

    /**
     * The run a schedule is asked about: {@code totalSteps} optimiser steps in all, {@code stepsPerEpoch}
     * per epoch, an intermediate model selection every {@code selectEvery} steps (0: none).
     */
    record Clock(long totalSteps, long stepsPerEpoch, int selectEvery) {
    }

    /** Learning rate of optimiser step {@code step}. */
    double rate(long step, Clock clock);

    /** Adam's β1 for optimiser step {@code step}. */
    default double beta1(long step, Clock clock) {
        return ADAM_BETA1;
    }

    /** {@link #rate(long, Clock)} for a run without intermediate selections. */
    default double rate(long step, long totalSteps, long stepsPerEpoch) {
        return rate(step, new Clock(totalSteps, stepsPerEpoch, 0));
    }

    /** Checks the values; the message names the key. */
    void validate(String where);

    /**
     * torch's OneCycleLR (Smith 2018), stepped once per batch, as run.py uses it for every DS2 flow and every
     * student: initial rate {@code maxLr/divFactor}, final {@code initial/finalDivFactor}, cosine (or linear)
     * annealing. Three phases (run.py: {@code three_phase=True}): initial to max until step
     * {@code pctStart*total - 1}, max back to initial until {@code 2*pctStart*total - 2}, initial to final at
     * {@code total - 1}. With {@code cycleMomentum}, Adam's β1 moves inversely: {@code maxMomentum} to
     * {@code baseMomentum} and back, then held at {@code maxMomentum}. Two phases: initial to max, then max to
     * final (β1 back to max). Defaults are run.py's: pctStart 0.4, finalDivFactor 10 (torch: 1e4), baseMomentum
     * 0.85, maxMomentum 0.95, threePhase true, annealStrategy cos, cycleMomentum true. Instead of
     * {@code divFactor} the initial rate itself may be given as {@code baseLr}.
     */
    record OneCycle(@JsonProperty(value = "maxLr", required = true) double maxLr,
                    @JsonProperty("divFactor") Double divFactor,
                    @JsonProperty("baseLr") Double baseLr,
                    @JsonProperty("finalDivFactor") Double finalDivFactor,
                    @JsonProperty("pctStart") Double pctStart,
                    @JsonProperty("baseMomentum") Double baseMomentum,
                    @JsonProperty("maxMomentum") Double maxMomentum,
                    @JsonProperty("threePhase") Boolean threePhase,
                    @JsonProperty("annealStrategy") String annealStrategy,
                    @JsonProperty("cycleMomentum") Boolean cycleMomentum) implements LearningRateSchedule {
        public OneCycle {
            if (finalDivFactor == null) finalDivFactor = 10.0;
            if (pctStart == null) pctStart = 0.4;
            if (baseMomentum == null) baseMomentum = 0.85;
            if (maxMomentum == null) maxMomentum = 0.95;
            if (threePhase == null) threePhase = true;
            if (annealStrategy == null) annealStrategy = "cos";
            if (cycleMomentum == null) cycleMomentum = true;
        }

        /** run.py's OneCycle with the given peak, divisor and lower β1. */
        public static OneCycle reference(double maxLr, double divFactor, double baseMomentum) {
            return new OneCycle(maxLr, divFactor, null, null, null, baseMomentum, null, null, null, null);
        }

        /** The initial rate {@code baseLr} and the peak, other values run.py's (tests, quick experiments). */
        public OneCycle(double baseLr, double maxLr) {
            this(maxLr, null, baseLr, null, null, null, null, null, null, null);
        }

        /** torch's {@code initial_lr}. */
        public double initialLr() {
            return baseLr != null ? baseLr : maxLr / divFactor;
        }

        @Override
        public double rate(long step, Clock clock) {
            return at(step, clock.totalSteps(), initialLr(), maxLr, initialLr() / finalDivFactor);
        }

        @Override
        public double beta1(long step, Clock clock) {
            if (!cycleMomentum) return ADAM_BETA1;
            // against the rate: max where the rate is initial, base at its peak; held at max in phase 3 (end = start)
            return at(step, clock.totalSteps(), maxMomentum, baseMomentum, maxMomentum);
        }

        /**
         * The value at {@code step} of a quantity that goes {@code start -> peak -> start -> end} (three phases)
         * or {@code start -> peak -> end} (two), with torch's phase ends and its annealing formulas.
         */
        private double at(long step, long total, double start, double peak, double end) {
            double s = Math.min(step, total - 1);
            double e1 = pctStart * total - 1;
            double[] ends = threePhase ? new double[] {e1, 2 * pctStart * total - 2, total - 1} : new double[] {e1, total - 1};
            double[][] from = threePhase ? new double[][] {{start, peak}, {peak, start}, {start, end}}
                    : new double[][] {{start, peak}, {peak, end}};
            double phaseStart = 0;
            for (int i = 0; i < ends.length; i++) {
                if (s <= ends[i] || i == ends.length - 1) {
                    double span = ends[i] - phaseStart;
                    double pct = span == 0 ? 1 : (s - phaseStart) / span;
                    return anneal(from[i][0], from[i][1], pct);
                }
                phaseStart = ends[i];
            }
            throw new AssertionError("unreachable");
        }

        private double anneal(double a, double b, double pct) {
            if (annealStrategy.equals("linear")) return (b - a) * pct + a;
            return b + (a - b) / 2.0 * (Math.cos(Math.PI * pct) + 1);
        }

        @Override
        public void validate(String where) {
            positive(where + ".maxLr", maxLr);
            if ((divFactor == null) == (baseLr == null))
                throw new IllegalArgumentException(where + ": give exactly one of .divFactor (initial rate = maxLr/divFactor) and .baseLr");
            if (divFactor != null && (!(divFactor >= 1) || Double.isInfinite(divFactor)))
                throw new IllegalArgumentException(where + ".divFactor must be a number >= 1, got " + divFactor);
            if (baseLr != null) {
                positive(where + ".baseLr", baseLr);
                if (baseLr > maxLr) throw new IllegalArgumentException(where + ".maxLr must be >= baseLr");
            }
            if (!(finalDivFactor >= 1) || Double.isInfinite(finalDivFactor))
                throw new IllegalArgumentException(where + ".finalDivFactor must be a number >= 1, got " + finalDivFactor);
            double maxPct = threePhase ? 0.5 : 1.0;
            if (!(pctStart > 0 && pctStart < maxPct))
                throw new IllegalArgumentException(where + ".pctStart must be in (0, " + maxPct + ")" + (threePhase ? " with threePhase" : "") + ", got " + pctStart);
            if (!(maxMomentum >= 0 && maxMomentum < 1))
                throw new IllegalArgumentException(where + ".maxMomentum must be in [0, 1), got " + maxMomentum);
            if (!(baseMomentum >= 0 && baseMomentum <= maxMomentum))
                throw new IllegalArgumentException(where + ".baseMomentum must be in [0, maxMomentum], got " + baseMomentum);
            if (!annealStrategy.equals("cos") && !annealStrategy.equals("linear"))
                throw new IllegalArgumentException(where + ".annealStrategy must be cos or linear, got '" + annealStrategy + "'");
        }
    }

    /**
     * torch's MultiStepLR, as run.py uses it for DS3's teachers: {@code initialLr} times {@code gamma} (0.5) for
     * each milestone reached. The milestones count scheduler steps, and {@code stepEvery} says when run.py steps
     * it: {@code epoch} (Flow-1, Flow-2: after each epoch), {@code selection} (Flow-3: after each intermediate
     * selection evaluation, every {@code selectEvery} batches) or {@code batch}. β1 stays at Adam's 0.9.
     */
    record MultiStep(@JsonProperty(value = "initialLr", required = true) double initialLr,
                     @JsonProperty(value = "milestones", required = true) List<Integer> milestones,
                     @JsonProperty("gamma") Double gamma,
                     @JsonProperty(value = "stepEvery", required = true) String stepEvery) implements LearningRateSchedule {
        public MultiStep {
            if (gamma == null) gamma = 0.5;
            milestones = List.copyOf(milestones);
        }

        /** Scheduler steps taken before optimiser step {@code step}. */
        public long schedulerSteps(long step, Clock clock) {
            return switch (stepEvery) {
                case "epoch" -> step / Math.max(1, clock.stepsPerEpoch());
                case "batch" -> step;
                case "selection" -> {
                    if (clock.selectEvery() < 1)
                        throw new IllegalStateException("stepEvery selection without intermediate selections (selectEvery 0)");
                    yield step / clock.selectEvery();
                }
                default -> throw new IllegalStateException("stepEvery " + stepEvery);
            };
        }

        @Override
        public double rate(long step, Clock clock) {
            long k = schedulerSteps(step, clock);
            double lr = initialLr;
            for (int m : milestones) if (k >= m) lr *= gamma;
            return lr;
        }

        @Override
        public void validate(String where) {
            positive(where + ".initialLr", initialLr);
            if (!(gamma > 0 && gamma <= 1)) throw new IllegalArgumentException(where + ".gamma must be in (0, 1]");
            for (int m : milestones) if (m < 1) throw new IllegalArgumentException(where + ".milestones must be scheduler steps >= 1");
            if (!List.of("epoch", "selection", "batch").contains(stepEvery))
                throw new IllegalArgumentException(where + ".stepEvery must be epoch, selection or batch, got '" + stepEvery + "'");
        }
    }

    /**
     * torch's CosineAnnealingLR with {@code T_max} = the run's optimiser steps, stepped once per batch:
     * {@code minLr + (maxLr − minLr)(1 + cos(π·step/total))/2}, from {@code maxLr} at step 0 towards {@code minLr}
     * (default 0). CaloDREAM's networks use it with maxLr 1e-3 (paper Tables 1 and 2: "cosine, max LR 1e-3"; the
     * paper gives no warm-up or floor). β1 stays at Adam's 0.9.
     */
    record Cosine(@JsonProperty(value = "maxLr", required = true) double maxLr,
                  @JsonProperty("minLr") Double minLr) implements LearningRateSchedule {
        public Cosine {
            if (minLr == null) minLr = 0.0;
        }

        @Override
        public double rate(long step, Clock clock) {
            double pct = Math.min(step, clock.totalSteps()) / (double) Math.max(1, clock.totalSteps());
            return minLr + (maxLr - minLr) * (1 + Math.cos(Math.PI * pct)) / 2;
        }

        @Override
        public void validate(String where) {
            positive(where + ".maxLr", maxLr);
            if (!(minLr >= 0 && minLr <= maxLr)) throw new IllegalArgumentException(where + ".minLr must be in [0, maxLr], got " + minLr);
        }
    }

    /** A constant rate (tests, quick experiments). */
    record Constant(@JsonProperty(value = "lr", required = true) double lr) implements LearningRateSchedule {
        @Override
        public double rate(long step, Clock clock) {
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
