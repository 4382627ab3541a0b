package org.icaloflow.cli;

import org.icaloflow.EngineThreads;
import org.icaloflow.UserError;
import org.icaloflow.calodream.BespokeTrainStage;
import org.icaloflow.calodream.DreamSampleStage;
import org.icaloflow.calodream.EnergyTrainStage;
import org.icaloflow.calodream.ShapeTrainStage;
import org.icaloflow.data.IncidentEnergies;
import org.icaloflow.data.ShowerWriter;
import org.icaloflow.preprocess.ShowerEncoding;
import org.icaloflow.config.CalodreamConfig;
import org.icaloflow.config.RunConfig;
import org.icaloflow.data.Geometry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code icaloflow dream}: CaloDREAM, the second generator family (conditional flow matching; docs/cfm.md). */
@Command(name = "dream", mixinStandardHelpOptions = true,
        description = "CaloDREAM (conditional flow matching, docs/cfm.md): train its networks (train), generate showers (sample).",
        subcommands = {DreamCommand.Train.class, DreamCommand.Sample.class})
public final class DreamCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: train or sample");
    }

    /** {@code icaloflow dream train --network energy|shape}: a CaloDREAM network by conditional flow matching. */
    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            headerHeading = "%n",
            header = "Train a CaloDREAM network on showers by conditional flow matching, or a BNS solver for a trained shape network.",
            descriptionHeading = "%n",
            description = {
                    "energy: the transfusion energy network (paper Sec. 3.1, Table 1) learns p(u_0..u_44 | E_inc), the "
                            + "energy ratios of Eq. 2 (f = 2.85), from the layer energies of the input showers. The "
                            + "showers are split into training and selection parts (calodream.energy.valFraction, "
                            + "default 0.2); the ratios are logit-transformed (u_1..) and standardised on the training part.",
                    "shape: the ViT shape network (Sec. 3.2, Table 2) learns p(voxels | E_inc, u): each layer's voxels "
                            + "divided by the layer energy, U(0, w) noise (calodream.shape.noiseWidth), logit (Eq. 3) and "
                            + "standardised; the condition is E_inc (log-scaled) and the u (u_1.. logit-transformed), "
                            + "standardised. The showers are streamed from the file (memory independent of their number).",
                    "bespoke: a bespoke non-stationary (BNS) solver for a trained shape network (--shape-model; Sec. 3.4, "
                            + "Eq. 15, Table 5): N steps initialised to Euler, trained with Adam against a midpoint "
                            + "reference on the global (Eq. 16) or local (Eq. 17) truncation error, the shape network frozen; "
                            + "the conditions (E_inc and u) come from the input showers, the validation batches from the held-out "
                            + "ones (calodream.bespoke.valFraction, splitSeed); early stopping by patience keeps the best solver. "
                            + "Settings: calodream.bespoke. Writes OUT/bespoke.json (the solver and what it bought: validation "
                            + "losses of Euler, the trained solver and the reference), OUT/history.csv, OUT/manifest.json.",
                    "Sizes come from the configuration's calodream.energy (calodream.shape), the schedule from "
                            + "calodream.training.energy (calodream.training.shape): cosine from max LR 1e-3, batch 4096 "
                            + "and 500 epochs (batch 64, 800 DS2 / 600 DS3 epochs) in the paper. The model with the lowest "
                            + "selection CFM loss is kept.",
                    "",
                    "Writes OUT/model (energy.json or shape.json and encoding.bin, params.bin), OUT/checkpoint (for --resume), OUT/history.csv, "
                            + "OUT/loss.png, OUT/manifest.json and OUT/dream-train.journal.jsonl."},
            optionListHeading = "%nOptions:%n")
    static final class Train implements Runnable {
        @Option(names = "--network", required = true, paramLabel = "energy|shape|bespoke",
                description = "Which network: energy, shape, or bespoke (a BNS solver for --shape-model).")
        String network;

        @Option(names = "--shape-model", paramLabel = "DIR",
                description = "With --network bespoke: the trained shape network (its folder or its dream train output folder).")
        Path shapeModel;

        @Option(names = {"-i", "--input"}, required = true, arity = "1..*", paramLabel = "SHOWERS.hdf5",
                description = "CaloChallenge shower file(s) (parts STEM.partNNNN.EXT are found from STEM.EXT).")
        List<Path> input;

        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE.yaml",
                description = "Run configuration with a calodream section (configs/ds2.yaml, ...).")
        Path config;

        @Option(names = {"-g", "--geometry"}, paramLabel = "ds2|ds3|FILE.xml",
                description = "Calorimeter geometry (default: the configuration's).")
        String geometry;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder.")
        Path out;

        @Option(names = "--resume", description = "Continue from the checkpoint when there is one.")
        boolean resume;

        @Option(names = "--checkpoint-dir", paramLabel = "DIR",
                description = "Where the resumable checkpoint lives (default: OUT/checkpoint).")
        Path checkpointDir;

        @Option(names = "--epochs", paramLabel = "N", description = "Override the configured number of epochs.")
        Integer epochs;

        @Option(names = "--stop-after-steps", hidden = true, defaultValue = "0",
                description = "Testing: abandon the run after N steps, as a kill would.")
        long stopAfterSteps;

        @Mixin
        CommonOptions.Threads threads;

        @Mixin
        TrackingOptions tracking;

        @Override
        public void run() {
            if (!network.equals("energy") && !network.equals("shape") && !network.equals("bespoke"))
                throw new UserError("--network must be energy, shape or bespoke, got '" + network + "'");
            if (epochs != null && epochs < 1) throw new UserError("--epochs must be at least 1");
            boolean bespoke = network.equals("bespoke");
            if (bespoke && shapeModel == null) throw new UserError("--network bespoke needs --shape-model DIR (the trained shape network)");
            if (!bespoke && shapeModel != null) throw new UserError("--shape-model is for --network bespoke only");
            if (bespoke && (resume || epochs != null || checkpointDir != null || stopAfterSteps != 0))
                throw new UserError("--network bespoke takes no --resume, --epochs or --checkpoint-dir (calodream.bespoke.maxIterations bounds it)");
            EngineThreads.set(threads.get());
            RunConfig cfg = RunConfig.load(config);
            CalodreamConfig dream = cfg.calodream();
            if (dream == null)
                throw new UserError(config + ": no 'calodream' section (CaloDREAM's networks and training: see configs/ds2.yaml)");
            if (bespoke) {
                if (dream.bespoke() == null) throw new UserError(config + ": no calodream.bespoke (the BNS solver's training, Table 5)");
                Geometry bg = geometry != null ? Geometry.forName(geometry) : cfg.geometry() != null ? Geometry.forName(cfg.geometry()) : null;
                BespokeTrainStage.run(new BespokeTrainStage.Inputs(input, bg, shapeModel, dream.bespoke(), cfg.tracking().experiment(),
                        config, out, tracking.inputs()));
                return;
            }
            boolean shape = network.equals("shape");
            if (!shape && dream.energy() == null) throw new UserError(config + ": no calodream.energy (the energy network's sizes)");
            if (!shape && dream.energyTraining() == null) throw new UserError(config + ": no calodream.training.energy (its training settings)");
            if (shape && dream.shape() == null) throw new UserError(config + ": no calodream.shape (the shape network's sizes)");
            if (shape && dream.shapeTraining() == null) throw new UserError(config + ": no calodream.training.shape (its training settings)");
            String gname = geometry != null ? geometry : cfg.geometry();
            if (gname == null) throw new UserError("no geometry: give -g/--geometry or set 'geometry' in " + config);
            Geometry g = Geometry.forName(gname);
            if (shape) {
                ShapeTrainStage.run(new ShapeTrainStage.Inputs(input, g, dream.shape(), dream.shapeTraining(),
                        cfg.tracking().experiment(), config, out, resume, checkpointDir, epochs, stopAfterSteps, tracking.inputs()));
            } else {
                EnergyTrainStage.run(new EnergyTrainStage.Inputs(input, g, dream.energy(), dream.energyTraining(),
                        cfg.tracking().experiment(), config, out, resume, checkpointDir, epochs, stopAfterSteps, tracking.inputs()));
            }
        }
    }

    /** {@code icaloflow dream sample}: showers from a trained energy network and shape network. */
    @Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
            headerHeading = "%n",
            header = "Generate showers with trained CaloDREAM networks in the CaloChallenge format.",
            descriptionHeading = "%n",
            description = {
                    "Per shower: E_inc (log-uniform 1 GeV - 1 TeV, or --energies), the energy network's u_0..u_44 (RK4, "
                            + "--energy-steps), the layer energies (Eq. 2 inverted, f = 2.85), the shape network's voxels "
                            + "given E_inc and u (RK4 from Gaussian noise, --shape-steps, or a trained BNS solver: --solver bespoke), decoded: inverse standardisation "
                            + "and logit, voxels below the noise width cut, each layer rescaled to its energy; then voxels "
                            + "below --threshold set to zero (not renormalised).",
                    "",
                    "Deterministic: the draws depend on --seed, --batch and the batch index. Writes OUT (or its parts), "
                            + "a manifest OUT_STEM.manifest.json and a tracked run (journal OUT_STEM.journal.jsonl)."},
            optionListHeading = "%nOptions:%n")
    static final class Sample implements Runnable {
        @Option(names = "--energy-model", required = true, paramLabel = "DIR",
                description = "Energy network folder (or a dream train output folder holding model/).")
        Path energyModel;

        @Option(names = "--shape-model", required = true, paramLabel = "DIR",
                description = "Shape network folder (or a dream train output folder holding model/).")
        Path shapeModel;

        @Option(names = {"-g", "--geometry"}, paramLabel = "ds2|ds3|FILE.xml",
                description = "Calorimeter geometry (default: DS2 or DS3, as the shape network's grid says).")
        String geometry;

        @Option(names = {"-n", "--events"}, paramLabel = "N",
                description = "Number of showers, incident energies log-uniform in 1 GeV - 1 TeV (with --energies: the first N).")
        Integer events;

        @Option(names = "--energies", paramLabel = "LIST|FILE",
                description = "Incident energies in MeV: a comma-separated list, a text file (one per line) or a CaloChallenge HDF5 file (needs -g).")
        String energies;

        @Mixin
        CommonOptions.Seed seed;

        @Option(names = "--batch", defaultValue = "1000", paramLabel = "ROWS", description = "Showers per generation batch (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--energy-steps", defaultValue = "50", paramLabel = "N", description = "RK4 steps of the energy network (default: ${DEFAULT-VALUE}, Sec. 3.1).")
        int energySteps;

        @Option(names = "--shape-steps", defaultValue = "20", paramLabel = "N", description = "RK4 steps of the shape network (default: ${DEFAULT-VALUE}, Table 2).")
        int shapeSteps;

        @Option(names = "--solver", defaultValue = "rk4", paramLabel = "rk4|bespoke",
                description = "The shape network's ODE solver: rk4 (--shape-steps) or bespoke (a trained BNS solver, --bespoke-model; default: ${DEFAULT-VALUE}).")
        String solver;

        @Option(names = "--bespoke-model", paramLabel = "DIR",
                description = "With --solver bespoke: a dream train --network bespoke output folder (bespoke.json).")
        Path bespokeModel;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.hdf5", description = "Output file.")
        Path out;

        @Option(names = "--threshold", paramLabel = "MeV",
                description = "Voxels below this are set to zero (default: the evaluator's 0.5e-3/0.033 = 0.01515 MeV).")
        Double threshold;

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
            if (batch < 1) throw new UserError("--batch must be at least 1, got " + batch);
            if (energySteps < 1 || shapeSteps < 1) throw new UserError("--energy-steps and --shape-steps must be at least 1");
            if (!solver.equals("rk4") && !solver.equals("bespoke")) throw new UserError("--solver must be rk4 or bespoke, got '" + solver + "'");
            if (solver.equals("bespoke") && bespokeModel == null) throw new UserError("--solver bespoke needs --bespoke-model DIR");
            if (solver.equals("rk4") && bespokeModel != null) throw new UserError("--bespoke-model needs --solver bespoke");
            if (rowsPerPart.rowsPerPart < 1) throw new UserError("--rows-per-part must be at least 1, got " + rowsPerPart.rowsPerPart);
            double thr = threshold == null ? ShowerEncoding.THRESHOLD_MEV : threshold;
            if (!(thr >= 0) || Double.isInfinite(thr)) throw new UserError("--threshold must be a finite number >= 0 MeV, got " + threshold);
            Geometry g = geometry == null ? null : Geometry.forName(geometry);
            if (g == null && energies != null && energies.toLowerCase(java.util.Locale.ROOT).matches(".*\\.(h5|hdf5)$"))
                throw new UserError("--energies from an HDF5 file needs -g/--geometry");
            ShowerWriter.Precision prec = precision.get();
            double[] e = EnergyOptions.resolve(energies, events, seed.seed, IncidentEnergies.MIN_ENERGY_MEV,
                    IncidentEnergies.MAX_ENERGY_MEV, g);
            DreamSampleStage.run(new DreamSampleStage.Inputs(g, energyModel, shapeModel, e, energies, seed.seed, batch,
                    energySteps, shapeSteps, out, thr, manifest, prec, rowsPerPart.rowsPerPart, threads.get(), tracking.inputs(), bespokeModel));
        }
    }
}
