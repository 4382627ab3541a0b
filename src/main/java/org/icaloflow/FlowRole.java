package org.icaloflow;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The three flows of iCaloFlow (paper Sec. III A), by what each one learns. The CLI's {@code --flow 1|2|3},
 * the configuration keys ({@code flow1}, {@code flow2_teacher}, ...) and the stage names keep the numbers
 * ({@link #number()}); code says which flow it means with these names. In the root package because config,
 * train and distill all use it and config already depends on the other two.
 */
public enum FlowRole {
    /** Flow-1: the layer energies, conditioned on E_inc. */
    LAYER_ENERGIES(1, "Flow-1", "layer energies | E_inc"),
    /** Flow-2: the first layer's normalised voxels, conditioned on E_inc and E_1. */
    FIRST_LAYER(2, "Flow-2", "layer 1 | E_inc, E_1"),
    /** Flow-3: layer i's normalised voxels, conditioned on E_inc, E_i, E_i-1, layer i-1 and one-hot(i). */
    NEXT_LAYER(3, "Flow-3", "layer i | E_inc, E_i, E_i-1, layer i-1, one-hot(i)");

    private final int number;
    private final String paperName;
    private final String models;

    FlowRole(int number, String paperName, String models) {
        this.number = number;
        this.paperName = paperName;
        this.models = models;
    }

    /** 1, 2 or 3: the number in {@code --flow}, configuration keys and file names. */
    public int number() {
        return number;
    }

    /** The paper's name: Flow-1, Flow-2, Flow-3. */
    public String paperName() {
        return paperName;
    }

    /** What the flow models, as "x | condition". */
    public String models() {
        return models;
    }

    /** Flow-2 and Flow-3 have students (IAF, distilled from their teachers); Flow-1 has none. */
    public boolean hasStudent() {
        return this != LAYER_ENERGIES;
    }

    /** The flow numbered {@code number}; an IllegalArgumentException naming the valid numbers otherwise. */
    public static FlowRole of(int number) {
        for (FlowRole r : values()) if (r.number == number) return r;
        throw new IllegalArgumentException("flow must be one of "
                + Arrays.stream(values()).map(r -> String.valueOf(r.number)).collect(Collectors.joining(", "))
                + ", got " + number);
    }

    @Override
    public String toString() {
        return paperName;
    }
}
