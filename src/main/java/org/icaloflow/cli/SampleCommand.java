package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.IncidentEnergies;
import org.icaloflow.data.ShowerWriter;
import org.icaloflow.preprocess.ShowerEncoding;
import org.icaloflow.sample.SampleStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code icaloflow sample}: inductive shower generation with trained flows. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Generate showers with trained flows (teacher or student) in the CaloChallenge format.",
        descriptionHeading = "%n",
        description = {
                "Inductive generation (paper Sec. III A): Flow-1 draws the layer energies given E_inc, Flow-2 the "
                        + "normalised voxels of layer 1, Flow-3 layer i from layer i-1 for i = 2..45. Flow-2 and "
                        + "Flow-3 may each be a teacher (MAF) or a student (IAF), as their checkpoints say.",
                "Postprocessing (Eq. 2): inverse logit, times Flow-1's layer energy, voxels below --threshold set to "
                        + "zero; layers are not renormalised unless --renormalise. Each layer is fed back to Flow-3 as "
                        + "in training, as the authors' code does (Eq. A4): its voxels in MeV plus U[0, 5 keV] noise, "
                        + "divided by their sum, logit.",
                "",
                "Deterministic: a shower's random draws depend only on --seed and its index. The same seed and "
                        + "--batch on the same machine give the same bytes; another --batch gives the same showers up "
                        + "to float32 rounding (see docs/sample.md). Memory is bounded by --batch and --rows-per-part. "
                        + "Writes OUT (or its parts), "
                        + "a manifest (models with SHA-256 of their parameters, seed, variants, counts) and an MLflow "
                        + "run (journal OUT_STEM.journal.jsonl)."},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n",
        footer = {"Examples:",
                "  icaloflow sample --geometry ds2 --flow1 t1/model --flow2 t2/model --flow3 t3/model --events 100000 --out samples.hdf5",
                "  icaloflow sample --geometry ds2 --flow1 t1 --flow2 s2 --flow3 s3 --energies reference.hdf5 --batch 5000 --out student.hdf5"})
public final class SampleCommand implements Runnable {

    @Mixin
    CommonOptions.AnyGeometry geometry;

    @Option(names = "--flow1", required = true, paramLabel = "DIR", description = "Flow-1 model folder (or a train output folder holding model/).")
    Path flow1;

    @Option(names = "--flow2", required = true, paramLabel = "DIR", description = "Flow-2 model folder, teacher or student.")
    Path flow2;

    @Option(names = "--flow3", required = true, paramLabel = "DIR", description = "Flow-3 model folder, teacher or student.")
    Path flow3;

    @Option(names = {"-n", "--events"}, paramLabel = "N",
            description = "Number of showers, incident energies log-uniform in 1 GeV - 1 TeV (with --energies: the first N).")
    Integer events;

    @Option(names = "--energies", paramLabel = "LIST|FILE",
            description = "Incident energies in MeV: a comma-separated list, a text file (one per line) or a CaloChallenge HDF5 file.")
    String energies;

    @Mixin
    CommonOptions.Seed seed;

    @Option(names = "--batch", defaultValue = "1000", paramLabel = "ROWS", description = "Showers per generation batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.hdf5", description = "Output file.")
    Path out;

    @Option(names = "--threshold", paramLabel = "MeV",
            description = "Voxels and Flow-1's layer energies below this are set to zero, also in the layer fed back to "
                    + "Flow-3 (default: the evaluator's 0.5e-3/0.033 = 0.01515 MeV; the authors' code: 0.015).")
    Double threshold;

    @Option(names = "--renormalise", description = "Scale each layer's voxels to sum exactly to Flow-1's layer energy (off in iCaloFlow).")
    boolean renormalise;

    @Option(names = "--proxies", paramLabel = "FILE.csv", description = "Also write Flow-1's layer energies (MeV, after --threshold) per shower.")
    Path proxies;

    @Option(names = "--manifest", paramLabel = "FILE.json", description = "Manifest path (default: OUT_STEM.manifest.json).")
    Path manifest;

    @Mixin
    CommonOptions.Precision precision;

    @Mixin
    CommonOptions.RowsPerPart rowsPerPart;

    @Mixin
    CommonOptions.Threads threads;

    @Mixin
    TrackingOptions tracking;

    @Override
    public void run() {
        Geometry g = geometry.get();
        if (batch < 1) throw new UserError("--batch must be at least 1, got " + batch);
        if (rowsPerPart.rowsPerPart < 1) throw new UserError("--rows-per-part must be at least 1, got " + rowsPerPart.rowsPerPart);
        double thr = threshold == null ? ShowerEncoding.THRESHOLD_MEV : threshold;
        if (!(thr >= 0) || Double.isInfinite(thr)) throw new UserError("--threshold must be a finite number >= 0 MeV, got " + threshold);
        ShowerWriter.Precision prec = precision.get();
        double[] e = EnergyOptions.resolve(energies, events, seed.seed, IncidentEnergies.MIN_ENERGY_MEV,
                IncidentEnergies.MAX_ENERGY_MEV, g);
        SampleStage.run(new SampleStage.Inputs(g, flow1, flow2, flow3, e, energies, seed.seed, batch, out, thr, renormalise,
                proxies, manifest, prec, rowsPerPart.rowsPerPart, threads.get(), tracking.inputs()));
    }
}
