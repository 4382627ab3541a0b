package org.icaloflow.cli;

import org.icaloflow.FlowRole;
import org.icaloflow.UserError;
import org.icaloflow.config.RunConfig;
import org.icaloflow.data.StageManifest;
import org.icaloflow.preprocess.Preprocessor;
import org.icaloflow.track.Tags;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the flow-training stages (train, distill) share: their common options and set-up. */
final class FlowStage {
    private FlowStage() {
    }

    /** The options of `train` and `distill` besides --flow (a picocli mixin). */
    static final class Options {
        @picocli.CommandLine.Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE.yaml",
                description = "Run configuration (configs/ds2.yaml, ...).")
        Path config;

        @picocli.CommandLine.Option(names = {"-d", "--data"}, required = true, paramLabel = "DIR",
                description = "Output folder of `icaloflow preprocess`.")
        Path data;

        @picocli.CommandLine.Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder.")
        Path out;

        @picocli.CommandLine.Option(names = "--resume", description = "Continue from the checkpoint when there is one.")
        boolean resume;

        @picocli.CommandLine.Option(names = "--checkpoint-dir", paramLabel = "DIR",
                description = "Where the resumable checkpoint lives (default: OUT/checkpoint). Pipelines put it outside the task folder so a retried task resumes.")
        Path checkpointDir;

        @picocli.CommandLine.Option(names = "--epochs", paramLabel = "N", description = "Override the configured number of epochs.")
        Integer epochs;

        @picocli.CommandLine.Option(names = "--stop-after-steps", hidden = true, defaultValue = "0",
                description = "Testing: abandon the run after N steps, as a kill would.")
        long stopAfterSteps;

        /** --epochs, checked; null when not given. */
        Integer epochs() {
            if (epochs != null && epochs < 1) throw new UserError("--epochs must be at least 1");
            return epochs;
        }

        /** {@code settings} with --epochs applied when given. */
        org.icaloflow.train.TrainingSettings withEpochs(org.icaloflow.train.TrainingSettings settings) {
            return epochs() == null ? settings : settings.withEpochs(epochs);
        }
    }

    /** The manifest of a preprocess output folder; a UserError when {@code data} is not one. */
    static Path preprocessManifest(Path data) {
        Path m = data.resolve(Preprocessor.MANIFEST);
        if (!Files.isRegularFile(m)) throw new UserError(data + ": not a preprocess output (no " + Preprocessor.MANIFEST + ")");
        return m;
    }

    /** The MLflow tags of a stage run on one flow. */
    static Map<String, String> tags(String stage, FlowRole flow, RunConfig cfg, Path config, Path dataManifest) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(Tags.STAGE, stage);
        tags.put(Tags.FLOW, String.valueOf(flow.number()));
        tags.put(Tags.GEOMETRY, String.valueOf(cfg.geometry()));
        tags.put(Tags.CONFIG_SHA256, StageManifest.sha256(config));
        tags.put(Tags.INPUT_SHA256, StageManifest.sha256(dataManifest));
        return tags;
    }

    /** Creates the output folder. */
    static void createOutput(Path out) {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserError(out + ": cannot create folder (" + e.getMessage() + ")");
        }
    }
}
