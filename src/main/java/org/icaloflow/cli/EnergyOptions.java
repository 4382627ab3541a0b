package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.IncidentEnergies;

/** {@code --events} / {@code --energies} (and the draw range), resolved the same way in {@code synth} and {@code sample}. */
final class EnergyOptions {
    private EnergyOptions() {
    }

    /**
     * The incident energies (MeV) the options ask for.
     *
     * @param energies null, or LIST|FILE ({@link IncidentEnergies#read})
     * @param events   null, or the number of showers (with energies given: the first N of them)
     * @param seed     seed of the log-uniform draw ({@link IncidentEnergies#logUniform})
     */
    static double[] resolve(String energies, Integer events, long seed, double minMeV, double maxMeV, Geometry g) {
        if (energies == null) {
            if (events == null) throw new UserError("give --events N or --energies");
            if (events < 1) throw new UserError("--events must be at least 1, got " + events);
            if (!(minMeV > 0) || !(maxMeV >= minMeV))
                throw new UserError("--min-energy and --max-energy must satisfy 0 < min <= max");
            return IncidentEnergies.logUniform(events, seed, minMeV, maxMeV);
        }
        try {
            double[] e = IncidentEnergies.read(energies, g);
            if (events != null) {
                if (events < 1 || events > e.length)
                    throw new UserError("--events " + events + " is outside 1.." + e.length + " (the energies given)");
                e = java.util.Arrays.copyOf(e, events);
            }
            IncidentEnergies.requirePositive(e);
            return e;
        } catch (IncidentEnergies.BadEnergies bad) {
            throw new UserError("--energies: " + bad.getMessage(), bad);
        }
    }
}
