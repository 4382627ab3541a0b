package org.icaloflow.track;

/** Tag keys stages put on their runs (pass them in {@link Tracker#start}'s tags or {@link Tracker#setTag}). */
public final class Tags {
    private Tags() {}

    public static final String STAGE = "icaloflow.stage";
    public static final String FLOW = "icaloflow.flow";
    public static final String GEOMETRY = "icaloflow.geometry";
    public static final String CONFIG_SHA256 = "icaloflow.config_sha256";
    public static final String INPUT_SHA256 = "icaloflow.input_sha256";
    /** Set automatically: the git commit of the icaloflow build. */
    public static final String GIT_COMMIT = "icaloflow.git_commit";
    /** Set automatically: the host the stage ran on. */
    public static final String HOST = "icaloflow.host";
    /** Set automatically: the client-side run id that makes {@code icaloflow mlflow sync} idempotent. */
    public static final String RUN_UUID = MlflowRest.TAG_RUN_UUID;
    /** Set automatically: the pipeline session id (on the stage runs and their parent run). */
    public static final String SESSION = MlflowRest.TAG_SESSION;
}
