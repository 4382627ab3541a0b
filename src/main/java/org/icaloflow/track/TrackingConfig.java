package org.icaloflow.track;

/**
 * Where and how a stage run is tracked.
 *
 * @param trackingUri   MLflow server ({@code http(s)://host:port}); null or blank: journal only
 * @param experiment    MLflow experiment name; null: {@value #DEFAULT_EXPERIMENT}
 * @param sessionId     pipeline session id (e.g. Nextflow's {@code workflow.sessionId}); the stage run is
 *                      nested under the one parent run tagged with it. Null: no parent run
 * @param parentRunName name given to the parent run when this stage creates it; null: derived from the session
 * @param pipelineStart the pipeline's start (epoch ms): the parent run's start time when this stage creates it;
 *                      null: the stage's own start
 */
public record TrackingConfig(String trackingUri, String experiment, String sessionId, String parentRunName, Long pipelineStart) {
    public static final String DEFAULT_EXPERIMENT = "icaloflow";
    public static final String ENV_TRACKING_URI = "MLFLOW_TRACKING_URI";

    public TrackingConfig {
        trackingUri = blankToNull(trackingUri);
        experiment = blankToNull(experiment) == null ? DEFAULT_EXPERIMENT : experiment.strip();
        sessionId = blankToNull(sessionId);
        parentRunName = blankToNull(parentRunName);
        if (parentRunName == null && sessionId != null) {
            parentRunName = "pipeline-" + (sessionId.length() > 8 ? sessionId.substring(0, 8) : sessionId);
        }
    }

    public TrackingConfig(String trackingUri, String experiment, String sessionId, String parentRunName) {
        this(trackingUri, experiment, sessionId, parentRunName, null);
    }

    /** Journal only, no server. */
    public static TrackingConfig journalOnly(String experiment) {
        return new TrackingConfig(null, experiment, null, null);
    }

    /** The tracking URI: {@code option} when given, else {@code $MLFLOW_TRACKING_URI}, else null. */
    public static String resolveUri(String option) {
        String o = blankToNull(option);
        return o != null ? o : blankToNull(System.getenv(ENV_TRACKING_URI));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
