package org.icaloflow.cli;

import org.icaloflow.config.RunConfig;
import org.icaloflow.preprocess.PreprocessStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code icaloflow preprocess}: CaloChallenge files to the flows' training and selection sets. */
@Command(name = "preprocess", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Split and preprocess showers for the three flows (paper Appendix A).",
        descriptionHeading = "%n",
        description = {
                "Reads one or several CaloChallenge HDF5 files as one sample, splits the showers into a training "
                        + "and a selection set by a seeded random permutation, and stores per shower log10(E_inc/10^4.5 MeV), "
                        + "the layer energies and the voxels in MeV. The rest of the paper's preprocessing (U[0,5 keV] noise, "
                        + "/65 GeV or per-layer normalisation, logit with alpha=1e-6) is done by the training loader with fresh "
                        + "noise every epoch, as the authors' code (docs/preprocess.md).",
                "",
                "Writes OUT/train.f32, OUT/select.f32 (float32 rows, format ICFENC02, streamed; see EncodedShowers) and "
                        + "OUT/manifest.json (constants, seed, inputs with SHA-256, sizes). Memory is O(--batch).",
                "The split and the noise seeds depend only on --seed; results do not depend on --batch."},
        optionListHeading = "%nOptions:%n")
public final class PreprocessCommand implements Runnable {

    @Mixin
    CommonOptions.AnyGeometry geometry;

    @Option(names = {"-i", "--input"}, required = true, arity = "1", paramLabel = "FILE.hdf5",
            description = "Input file; repeat for several (dataset 3 comes in two).")
    List<Path> inputs;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE.yaml",
            description = "Run configuration: its 'preprocess' section gives the defaults of --train-fraction and --seed.")
    Path config;

    @Option(names = "--train-fraction", paramLabel = "F", description = "Fraction of showers for training (default: the configuration's, else 0.7).")
    Double trainFraction;

    @Option(names = "--seed", description = "Seed of the split and the noise (default: the configuration's, else 1234).")
    Long seed;

    @Option(names = "--batch", defaultValue = "1000", paramLabel = "ROWS", description = "Showers per read (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public void run() {
        var g = geometry.get();
        // the configuration's 'preprocess' section gives what the options leave out (its defaults: 0.7, 1234)
        RunConfig.Preprocess p = config != null ? RunConfig.load(config).preprocess() : new RunConfig.Preprocess(null, null);
        PreprocessStage.run(new PreprocessStage.Inputs(g, inputs, out, trainFraction != null ? trainFraction : p.trainFraction(),
                seed != null ? seed : p.seed(), batch));
    }
}
