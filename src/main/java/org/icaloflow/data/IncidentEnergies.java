package org.icaloflow.data;

import org.icaloflow.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Incident energies (MeV) for the generating commands ({@code synth}, {@code sample}, whose options
 * {@code org.icaloflow.cli.EnergyOptions} resolves): log-uniform draws
 * ({@link #logUniform}, also the synthetic showers' energies), or values given on the command line as a comma-separated list, a text file (one per line, {@code #}
 * comments), or a CaloChallenge HDF5 file whose {@code incident_energies} are taken.
 */
public final class IncidentEnergies {
    /** Default incident-energy range in MeV (1 GeV to 1 TeV, log-uniform). */
    public static final double MIN_ENERGY_MEV = 1e3, MAX_ENERGY_MEV = 1e6;

    private IncidentEnergies() {
    }

    /** Log-uniform incident energies in [minMeV, maxMeV); value i depends only on (seed, i). */
    public static double[] logUniform(int n, long seed, double minMeV, double maxMeV) {
        if (!(minMeV > 0) || !(maxMeV >= minMeV)) throw new IllegalArgumentException("need 0 < min <= max");
        double[] e = new double[n];
        double lr = StrictMath.log(maxMeV / minMeV);
        long s = Seeds.mix64(seed ^ 0x5DEECE66DL) + 0x632BE59BD9B4E019L;
        for (int i = 0; i < n; i++) {
            double u = new SplittableRandom(Seeds.stream(s, i)).nextDouble();
            e[i] = minMeV * StrictMath.exp(lr * u);
        }
        return e;
    }

    /** Log-uniform incident energies in 1 GeV - 1 TeV. */
    public static double[] logUniform(int n, long seed) {
        return logUniform(n, seed, MIN_ENERGY_MEV, MAX_ENERGY_MEV);
    }

    /**
     * A value-level problem with given energies (not a number, none given, not positive and finite). The message
     * names the value, not where it came from; the command adds its option name.
     */
    public static final class BadEnergies extends UserError {
        BadEnergies(String message) {
            super(message);
        }
    }

    /** Refuses a value that is not a positive finite energy in MeV ({@link BadEnergies}). */
    public static void requirePositive(double[] e) {
        for (int i = 0; i < e.length; i++) {
            if (!(e[i] > 0) || Double.isInfinite(e[i]))
                throw new BadEnergies("value " + (i + 1) + " (" + e[i] + ") is not a positive finite energy in MeV");
        }
    }

    /**
     * Reads LIST|FILE (see the class comment); no range checks. A bad value is a {@link BadEnergies}; a file
     * that cannot be read is a plain {@link UserError} naming the file.
     */
    public static double[] read(String energies, Geometry g) {
        Path p = Path.of(energies);
        if (Files.isRegularFile(p) && energies.matches("(?i).*\\.(h5|hdf5)$")) {
            try (ShowerSource src = ShowerSource.open(List.of(p), g)) {
                double[] e = new double[Math.toIntExact(src.size())];
                int step = 10_000;
                for (long from = 0; from < e.length; from += step) {
                    ShowerBatch b = src.read(from, (int) Math.min(step, e.length - from));
                    System.arraycopy(b.incidentEnergyMeV(), 0, e, (int) from, b.size());
                }
                return e;
            }
        }
        List<String> tokens = new ArrayList<>();
        if (Files.isRegularFile(p)) {
            try {
                for (String line : Files.readAllLines(p)) {
                    String t = line.strip();
                    if (!t.isEmpty() && !t.startsWith("#")) tokens.add(t);
                }
            } catch (IOException ex) {
                throw new UserError(p + ": cannot read energies (" + ex.getMessage() + ")");
            }
        } else {
            for (String t : energies.split(",")) if (!t.isBlank()) tokens.add(t.strip());
        }
        double[] e = new double[tokens.size()];
        for (int i = 0; i < e.length; i++) {
            try {
                e[i] = Double.parseDouble(tokens.get(i));
            } catch (NumberFormatException ex) {
                throw new BadEnergies("'" + tokens.get(i) + "' is not a number (nor an existing file)");
            }
        }
        if (e.length == 0) throw new BadEnergies("no values");
        return e;
    }
}
