package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerWriter;
import org.icaloflow.synth.SynthStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

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

    @Mixin
    CommonOptions.AnyGeometry geometry;

    @Option(names = {"-n", "--events"}, paramLabel = "N",
            description = "Number of showers (required unless --energies is given; with a list or file of "
                    + "energies, the first N of them).")
    Integer events;

    @Mixin
    CommonOptions.Seed seed;

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

    @Mixin
    CommonOptions.Precision precision;

    @Option(names = "--batch", defaultValue = "1000", paramLabel = "ROWS",
            description = "Showers generated per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    CommonOptions.RowsPerPart rowsPerPart;

    @Option(names = "--noise", defaultValue = "0", paramLabel = "MeV",
            description = "Gaussian electronic noise per voxel before the readout threshold, for robustness tests "
                    + "(default: ${DEFAULT-VALUE}: the CaloChallenge Geant4 files have none; 0.005 was the old default).")
    double noise;

    @Override
    public void run() {
        Geometry g = geometry.get();
        if (batch < 1) throw new UserError("--batch must be at least 1");
        if (!(noise >= 0) || Double.isInfinite(noise)) throw new UserError("--noise must be a non-negative number of MeV");
        ShowerWriter.Precision prec = precision.get();
        double[] e = EnergyOptions.resolve(energies, events, seed.seed, minEnergy, maxEnergy, g);
        SynthStage.run(new SynthStage.Inputs(g, e, seed.seed, out, prec, batch, rowsPerPart.rowsPerPart, noise));
    }
}
