package org.icaloflow.cli;

import org.icaloflow.EngineThreads;
import org.icaloflow.UserError;
import org.icaloflow.calodream.EnergyTrainStage;
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
        description = "CaloDREAM (conditional flow matching, docs/cfm.md): train its networks (train).",
        subcommands = {DreamCommand.Train.class})
public final class DreamCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: train");
    }

    /** {@code icaloflow dream train --network energy}: the energy network by conditional flow matching. */
    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            headerHeading = "%n",
            header = "Train a CaloDREAM network on showers by conditional flow matching.",
            descriptionHeading = "%n",
            description = {
                    "energy: the transfusion energy network (paper Sec. 3.1, Table 1) learns p(u_0..u_44 | E_inc), the "
                            + "energy ratios of Eq. 2 (f = 2.85), from the layer energies of the input showers. The "
                            + "showers are split into training and selection parts (calodream.energy.valFraction, "
                            + "default 0.2); the ratios are logit-transformed (u_1..) and standardised on the training part.",
                    "Sizes come from the configuration's calodream.energy, the schedule from calodream.training.energy "
                            + "(cosine, max LR 1e-3, batch 4096, 500 epochs in the paper). The model with the lowest "
                            + "selection CFM loss is kept.",
                    "",
                    "Writes OUT/model (energy.json, params.bin), OUT/checkpoint (for --resume), OUT/history.csv, "
                            + "OUT/loss.png, OUT/manifest.json and OUT/dream-train.journal.jsonl."},
            optionListHeading = "%nOptions:%n")
    static final class Train implements Runnable {
        @Option(names = "--network", required = true, paramLabel = "energy",
                description = "Which network (energy; the shape network comes later).")
        String network;

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
            if (!network.equals("energy"))
                throw new UserError("--network must be energy (the shape network is not trainable yet), got '" + network + "'");
            if (epochs != null && epochs < 1) throw new UserError("--epochs must be at least 1");
            EngineThreads.set(threads.get());
            RunConfig cfg = RunConfig.load(config);
            CalodreamConfig dream = cfg.calodream();
            if (dream == null)
                throw new UserError(config + ": no 'calodream' section (CaloDREAM's networks and training: see configs/ds2.yaml)");
            if (dream.energy() == null) throw new UserError(config + ": no calodream.energy (the energy network's sizes)");
            if (dream.energyTraining() == null) throw new UserError(config + ": no calodream.training.energy (its training settings)");
            String gname = geometry != null ? geometry : cfg.geometry();
            if (gname == null) throw new UserError("no geometry: give -g/--geometry or set 'geometry' in " + config);
            Geometry g = Geometry.forName(gname);
            EnergyTrainStage.run(new EnergyTrainStage.Inputs(input, g, dream.energy(), dream.energyTraining(),
                    cfg.tracking().experiment(), config, out, resume, checkpointDir, epochs, stopAfterSteps, tracking.inputs()));
        }
    }
}
