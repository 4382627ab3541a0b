package org.icaloflow.cli;

import org.icaloflow.stage.StageTracking;
import picocli.CommandLine.Option;

/** MLflow options shared by the stages (a picocli mixin); what they leave out, {@link StageTracking} resolves. */
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

    /** The options as a stage's input. */
    StageTracking inputs() {
        return new StageTracking(uri, experiment, sessionId, parentName, pipelineStart);
    }
}
