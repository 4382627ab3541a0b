package org.icaloflow.cli;

import org.icaloflow.track.Tracker;
import org.icaloflow.track.TrackingConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;

/** MLflow options shared by the stages (a picocli mixin). */
public final class TrackingOptions {
    @Option(names = "--mlflow-uri", paramLabel = "URI",
            description = "MLflow tracking server (http or https). Default: $MLFLOW_TRACKING_URI; none: journal only.")
    String uri;

    @Option(names = "--experiment", paramLabel = "NAME", description = "MLflow experiment (default: from the configuration).")
    String experiment;

    @Option(names = "--session-id", paramLabel = "ID",
            description = "Pipeline session (Nextflow's workflow.sessionId): the run is nested under that session's parent run.")
    String sessionId;

    @Option(names = "--pipeline-run-name", paramLabel = "NAME",
            description = "Name of the parent run when this stage creates it (default: $ICALOFLOW_PIPELINE_RUN_NAME, which the pipeline sets).")
    String parentName;

    @Option(names = "--pipeline-start", paramLabel = "EPOCH_MS",
            description = "The pipeline's start time, for its parent run (default: $ICALOFLOW_PIPELINE_START, which the pipeline sets).")
    Long pipelineStart;

    /** The pipeline's start: the option, else the environment the pipeline sets; null when neither is a number. */
    static Long pipelineStart(Long option) {
        if (option != null) return option;
        String env = System.getenv("ICALOFLOW_PIPELINE_START");
        if (env == null || env.isBlank()) return null;
        try {
            return Long.parseLong(env.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The experiment: the option, else $ICALOFLOW_EXPERIMENT (the pipeline resolves one experiment for all its stages,
     * lib/Tracking.groovy), else the configuration's, else the default.
     */
    String experiment(String configExperiment) {
        if (experiment != null && !experiment.isBlank()) return experiment;
        String env = System.getenv("ICALOFLOW_EXPERIMENT");
        if (env != null && !env.isBlank()) return env.strip();
        return configExperiment;
    }

    /** The pipeline's run name: the option, else the environment the pipeline sets (outside the task hash). */
    static String pipelineRunName(String option) {
        if (option != null && !option.isBlank()) return option;
        String env = System.getenv("ICALOFLOW_PIPELINE_RUN_NAME");
        return env == null || env.isBlank() ? null : env;
    }

    /** Starts the stage's run; events always go to {@code journal} as well. */
    Tracker start(String configExperiment, Path journal, String runName, Map<String, String> tags) {
        TrackingConfig cfg = new TrackingConfig(TrackingConfig.resolveUri(uri), experiment(configExperiment), sessionId,
                pipelineRunName(parentName), pipelineStart(pipelineStart));
        return Tracker.start(cfg, journal, runName, tags);
    }
}
