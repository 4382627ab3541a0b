package org.icaloflow.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.icaloflow.calodream.EnergySpec;
import org.icaloflow.train.TrainingSettings;

/**
 * The {@code calodream} section of a run configuration: CaloDREAM's networks (paper Table 1) and their training.
 * {@code energy} is the energy network's sizes ({@link EnergySpec}), {@code training.energy} its training
 * ({@link TrainingSettings}: cosine schedule, max LR 1e-3, batch 4096, 500 epochs in the paper). Either may be
 * absent in a configuration that does not train that network; the command that needs it says so.
 */
public record CalodreamConfig(
        @JsonProperty("energy") EnergySpec energy,
        @JsonProperty("training") Training training) {

    /** Training of each CaloDREAM network. */
    public record Training(@JsonProperty("energy") TrainingSettings energy) {
    }

    /** The energy network's training settings, or null when not configured. */
    public TrainingSettings energyTraining() {
        return training == null ? null : training.energy();
    }

    /** Checks what is there; {@code layers} null: the geometry is not known here (sizes checked when run). */
    public void validate(Integer layers) {
        if (energy != null) energy.validate("calodream.energy", layers);
        if (energyTraining() != null) energyTraining().validate("calodream.training.energy");
    }
}
