package org.icaloflow.stage;

import org.icaloflow.track.Tracker;
import org.icaloflow.track.TrackingConfig;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a stage's MLflow run goes, as asked (the command line's tracking options; null: not given). What is not
 * given falls back to the environment the pipeline sets (lib/Tracking.groovy), outside the task hash.
 *
 * @param uri             MLflow server; null: $MLFLOW_TRACKING_URI, else journal only
 * @param experiment      null: $ICALOFLOW_EXPERIMENT, else the configuration's
 * @param sessionId       pipeline session: the run is nested under that session's parent run
 * @param pipelineRunName name of the parent run when this stage creates it; null: $ICALOFLOW_PIPELINE_RUN_NAME
 * @param pipelineStart   the pipeline's start (epoch ms); null: $ICALOFLOW_PIPELINE_START
 */
public record StageTracking(String uri, String experiment, String sessionId, String pipelineRunName, Long pipelineStart) {

    /** Nothing asked: the environment decides (journal only when it names no server). */
    public static StageTracking fromEnvironment() {
        return new StageTracking(null, null, null, null, null);
    }

    /** The tracking of a run whose configuration names {@code configExperiment} (null: none). */
    public TrackingConfig config(String configExperiment) {
        return new TrackingConfig(TrackingConfig.resolveUri(uri), experiment(configExperiment), sessionId,
                pipelineRunName(pipelineRunName), pipelineStart(pipelineStart));
    }

    /** Starts the stage's run; events always go to {@code journal} as well. */
    public Tracker start(String configExperiment, Path journal, String runName, Map<String, String> tags) {
        return Tracker.start(config(configExperiment), journal, runName, tags);
    }

    /**
     * The experiment: the option, else $ICALOFLOW_EXPERIMENT (the pipeline resolves one experiment for all its
     * stages), else the configuration's, else the default.
     */
    public String experiment(String configExperiment) {
        if (experiment != null && !experiment.isBlank()) return experiment;
        String env = System.getenv("ICALOFLOW_EXPERIMENT");
        if (env != null && !env.isBlank()) return env.strip();
        return configExperiment;
    }

    /** The pipeline's run name: the option, else the environment the pipeline sets. */
    public static String pipelineRunName(String option) {
        if (option != null && !option.isBlank()) return option;
        String env = System.getenv("ICALOFLOW_PIPELINE_RUN_NAME");
        return env == null || env.isBlank() ? null : env;
    }

    /** The pipeline's start: the option, else the environment the pipeline sets; null when neither is a number. */
    public static Long pipelineStart(Long option) {
        if (option != null) return option;
        String env = System.getenv("ICALOFLOW_PIPELINE_START");
        if (env == null || env.isBlank()) return null;
        try {
            return Long.parseLong(env.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
