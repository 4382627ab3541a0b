package org.icaloflow.nn;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How a MADE's output layer (the spline parameters) starts (FlowSpec key {@code outputInit}).
 * <ul>
 *   <li>{@link #NFLOWS} ({@code nflows}, the default): torch's {@code nn.Linear} default, weights and biases
 *       U(±1/√fan_in), as nflows 0.14 and the authors' code;</li>
 *   <li>{@link #NEAR_IDENTITY} ({@code nearIdentity}): weights U(±1e-3), biases 0, so every block starts as nearly the
 *       same smooth spline for all inputs (this project before issue 12's item 5). Measured on the fidelity profile's
 *       short budget, Flow-1 reaches a lower selection loss from it (bench/results/fidelity_ds2_cpu.md); a
 *       deviation from the authors, to be chosen explicitly.</li>
 * </ul>
 */
public enum OutputInit {
    NFLOWS("nflows"),
    NEAR_IDENTITY("nearIdentity");

    /** Half-width of the near-identity start's uniform output weights. */
    public static final double NEAR_IDENTITY_BOUND = 1e-3;

    private final String key;

    OutputInit(String key) {
        this.key = key;
    }

    @JsonValue
    public String key() {
        return key;
    }

    /** The enum of a config value; null for an unknown one. */
    @JsonCreator
    public static OutputInit of(String key) {
        for (OutputInit o : values()) if (o.key.equals(key)) return o;
        return null;
    }
}
