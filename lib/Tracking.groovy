/*
 * Tracking settings shared by every stage (Nextflow puts lib/ on the classpath of the pipeline and its modules).
 * They travel in each task's beforeScript (conf/modules.config: one for every process), which is not part of the
 * task hash: renaming the experiment or pointing at another MLflow server never invalidates -resume.
 */
class Tracking {

    /** The MLflow experiment of this pipeline run: --experiment, else the configuration's tracking.experiment, else icaloflow. */
    static String experiment(Map params, def projectDir) {
        if (params.experiment) return params.experiment.toString()
        def path = params.config ?: "${projectDir}/configs/${params.geometry}.yaml"
        def f = new File(path.toString())
        if (f.isFile()) {
            try {
                def y = new org.yaml.snakeyaml.Yaml().load(f.text)
                def e = (y instanceof Map && y.tracking instanceof Map) ? y.tracking.experiment : null
                if (e) return e.toString()
            } catch (Exception ignored) {
                // the CONFIG stage reports a malformed configuration with its own message
            }
        }
        return 'icaloflow'
    }

    /**
     * The shell exports of every stage: pipeline run name, start, experiment and server, and the root of the
     * training checkpoints (outside the task folders, per session, so that a retried task resumes; a Path like
     * workflow.workDir in a script would be hashed by content under cache 'deep').
     */
    static String exports(def workflow, Map params) {
        def start = workflow.start.toInstant().toEpochMilli()
        def s = "export ICALOFLOW_PIPELINE_RUN_NAME=${workflow.runName} ICALOFLOW_PIPELINE_START=${start}" +
                " ICALOFLOW_EXPERIMENT=${experiment(params, workflow.projectDir)}" +
                " ICALOFLOW_CHECKPOINTS=${workflow.workDir}/checkpoints/${workflow.sessionId}"
        return params.mlflow_uri ? s + "; export MLFLOW_TRACKING_URI=${params.mlflow_uri}" : s
    }
}
