package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.train.FlowStageInputs;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options of `train` and `distill` besides --flow (--teacher), tracking last (a picocli mixin). */
final class FlowStageOptions {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE.yaml",
            description = "Run configuration (configs/ds2.yaml, ...).")
    Path config;

    @Option(names = {"-d", "--data"}, required = true, paramLabel = "DIR",
            description = "Output folder of `icaloflow preprocess`.")
    Path data;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--resume", description = "Continue from the checkpoint when there is one.")
    boolean resume;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Where the resumable checkpoint lives (default: OUT/checkpoint). Pipelines put it outside the task folder so a retried task resumes.")
    Path checkpointDir;

    @Option(names = "--epochs", paramLabel = "N", description = "Override the configured number of epochs.")
    Integer epochs;

    @Option(names = "--stop-after-steps", hidden = true, defaultValue = "0",
            description = "Testing: abandon the run after N steps, as a kill would.")
    long stopAfterSteps;

    @Mixin
    TrackingOptions tracking;

    /** The options as the stage's inputs; --epochs checked. */
    FlowStageInputs inputs() {
        if (epochs != null && epochs < 1) throw new UserError("--epochs must be at least 1");
        return new FlowStageInputs(config, data, out, resume, checkpointDir, epochs, stopAfterSteps);
    }
}
