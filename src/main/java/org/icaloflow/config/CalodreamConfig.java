package org.icaloflow.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.icaloflow.calodream.BespokeSpec;
import org.icaloflow.calodream.EnergySpec;
import org.icaloflow.calodream.ShapeSpec;
import org.icaloflow.data.Geometry;
import org.icaloflow.train.TrainingSettings;

/**
 * The {@code calodream} section of a run configuration: CaloDREAM's networks (paper Tables 1 and 2) and their
 * training. {@code energy} is the energy network's sizes ({@link EnergySpec}), {@code shape} the shape network's
 * ({@link ShapeSpec}), {@code bespoke} the BNS solver's training (Table 5; {@link BespokeSpec}); {@code training.energy} and {@code training.shape} their training ({@link TrainingSettings}:
 * cosine schedule from max LR 1e-3; batch 4096 and 500 epochs for the energy network, batch 64 and 800 (DS2) / 600
 * (DS3) epochs for the shape network in the paper). Any may be absent in a configuration that does not train that
 * network; the command that needs it says so.
 */
public record CalodreamConfig(
        @JsonProperty("energy") EnergySpec energy,
        @JsonProperty("shape") ShapeSpec shape,
        @JsonProperty("training") Training training,
        @JsonProperty("bespoke") BespokeSpec bespoke) {

    /** Without a BNS section (the form before {@code bespoke} existed). */
    public CalodreamConfig(EnergySpec energy, ShapeSpec shape, Training training) {
        this(energy, shape, training, null);
    }

    /** Training of each CaloDREAM network. */
    public record Training(@JsonProperty("energy") TrainingSettings energy, @JsonProperty("shape") TrainingSettings shape) {
    }

    /** The energy network's training settings, or null when not configured. */
    public TrainingSettings energyTraining() {
        return training == null ? null : training.energy();
    }

    /** The shape network's training settings, or null when not configured. */
    public TrainingSettings shapeTraining() {
        return training == null ? null : training.shape();
    }

    /** Checks what is there; {@code g} null: the geometry is not known here (sizes checked when run). */
    public void validate(Geometry g) {
        if (energy != null) energy.validate("calodream.energy", g == null ? null : g.layers());
        if (shape != null) shape.validate("calodream.shape", g);
        if (energyTraining() != null) energyTraining().validate("calodream.training.energy");
        if (shapeTraining() != null) shapeTraining().validate("calodream.training.shape");
        if (bespoke != null) bespoke.validate("calodream.bespoke");
    }
}
