package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.data.ShowerWriter;
import org.icaloflow.synth.ShowerGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code icaloflow synth}: synthetic CaloChallenge showers from the GFlash-style generator. */
@Command(name = "synth", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Generate synthetic CaloChallenge-format showers (a stand-in for Geant4).",
        descriptionHeading = "%n",
        description = {
                "A parametric electromagnetic-shower model in the spirit of GFlash for a W/Si sampling "
                        + "calorimeter with the CaloChallenge geometry (see docs/synth.md). Incident energies are "
                        + "log-uniform in [--min-energy, --max-energy] unless --energies gives them.",
                "",
                "Deterministic: each shower depends only on (--seed, its row), so the same seed gives the same "
                        + "bytes whatever the batch size or number of threads. Memory is bounded by --batch; "
                        + "outputs beyond --rows-per-part are written in parts (docs/hdf5.md)."},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n",
        footer = {"Examples:",
                "  icaloflow synth --geometry ds2 --events 10000 --seed 1 --out synth_ds2.hdf5",
                "  icaloflow synth --geometry ds2 --energies 1000,10000,100000 --out three.hdf5",
                "  icaloflow synth --geometry ds3 --energies reference.hdf5 --out like_reference.hdf5"})
public final class SynthCommand implements Runnable {

    @Option(names = {"-g", "--geometry"}, required = true, paramLabel = "ds2|ds3|FILE.xml",
            description = "Calorimeter geometry.")
    String geometry;

    @Option(names = {"-n", "--events"}, paramLabel = "N",
            description = "Number of showers (required unless --energies is given; with a list or file of "
                    + "energies, the first N of them).")
    Integer events;

    @Option(names = "--seed", defaultValue = "1234", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.hdf5", description = "Output file.")
    Path out;

    @Option(names = "--energies", paramLabel = "LIST|FILE",
            description = "Incident energies in MeV: a comma-separated list, a text file with one value per line, "
                    + "or a CaloChallenge HDF5 file whose incident_energies are taken.")
    String energies;

    @Option(names = "--min-energy", defaultValue = "1000", paramLabel = "MeV",
            description = "Lower end of the log-uniform energy range (default: ${DEFAULT-VALUE} MeV = 1 GeV).")
    double minEnergy;

    @Option(names = "--max-energy", defaultValue = "1000000", paramLabel = "MeV",
            description = "Upper end of the log-uniform energy range (default: ${DEFAULT-VALUE} MeV = 1 TeV).")
    double maxEnergy;

    @Option(names = "--precision", defaultValue = "float32", paramLabel = "float32|float64",
            description = "Storage type of the showers (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--batch", defaultValue = "1000", paramLabel = "ROWS",
            description = "Showers generated per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--rows-per-part", defaultValue = "100000", paramLabel = "ROWS",
            description = "Largest number of rows in one output file before writing parts (default: ${DEFAULT-VALUE}).")
    long rowsPerPart;

    @Override
    public void run() {
        Geometry g = Geometry.forName(geometry);
        if (batch < 1) throw new UserError("--batch must be at least 1");
        ShowerWriter.Precision prec = switch (precision.toLowerCase(Locale.ROOT)) {
            case "float32" -> ShowerWriter.Precision.FLOAT32;
            case "float64" -> ShowerWriter.Precision.FLOAT64;
            default -> throw new UserError("--precision must be float32 or float64, got '" + precision + "'");
        };
        double[] e = incidentEnergies(g);
        ShowerGenerator gen = new ShowerGenerator(g);
        int v = g.voxels();
        try (ShowerWriter w = new ShowerWriter(out, g, prec, rowsPerPart)) {
            for (int from = 0; from < e.length; from += batch) {
                int n = Math.min(batch, e.length - from);
                double[] eb = java.util.Arrays.copyOfRange(e, from, from + n);
                float[] showers = new float[n * v];
                gen.generate(eb, seed, from, showers);
                w.append(new ShowerBatch(eb, showers, v));
            }
            List<Path> files = w.commit();
            System.err.printf(Locale.ROOT, "icaloflow synth: %d %s showers -> %s%n", e.length, g.name(),
                    files.size() == 1 ? files.get(0) : files.size() + " parts " + files.get(0) + " ...");
        }
    }

    private double[] incidentEnergies(Geometry g) {
        if (energies == null) {
            if (events == null) throw new UserError("give --events N or --energies");
            if (events < 1) throw new UserError("--events must be at least 1, got " + events);
            if (!(minEnergy > 0) || !(maxEnergy >= minEnergy))
                throw new UserError("--min-energy and --max-energy must satisfy 0 < min <= max");
            return ShowerGenerator.sampleEnergies(events, seed, minEnergy, maxEnergy);
        }
        double[] e = readEnergies(g);
        if (events != null) {
            if (events < 1 || events > e.length)
                throw new UserError("--events " + events + " is outside 1.." + e.length + " (the energies given)");
            e = java.util.Arrays.copyOf(e, events);
        }
        for (int i = 0; i < e.length; i++) {
            if (!(e[i] > 0) || Double.isInfinite(e[i]))
                throw new UserError("--energies: value " + (i + 1) + " (" + e[i] + ") is not a positive finite energy in MeV");
        }
        return e;
    }

    private double[] readEnergies(Geometry g) {
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
                throw new UserError("--energies: '" + tokens.get(i) + "' is not a number (nor an existing file)");
            }
        }
        if (e.length == 0) throw new UserError("--energies: no values");
        return e;
    }
}
