// DISTILL: one IAF student from its MAF teacher (probability density distillation, paper Sec. III C 2);
// included twice (DISTILL_FLOW2, DISTILL_FLOW3) on the TRAIN outputs of flows 2 and 3.
// A retried task resumes from its checkpoint, kept outside the task folder (keyed by config and teacher).
process DISTILL {
    tag "flow${flow}"
    label 'gpu'
    cache 'deep'   // the config view is compared by content: an unchanged flow is not distilled again
    // run name, server and checkpoint root reach the task through its environment: kept out of the task hash
    // (a Path like workflow.workDir in the script would be hashed by content under cache 'deep')
    beforeScript "${Tracking.exports(workflow, params)}; export ICALOFLOW_CHECKPOINTS=${workflow.workDir}/checkpoints/${workflow.sessionId}"
    publishDir "${params.outdir}/${workflow.runName}/models/student", mode: 'copy', saveAs: { it == 'out' ? "flow${flow}" : null }

    input:
    tuple val(flow), path(config), path(teacher, stageAs: 'teacher')   // TRAIN's 'out', renamed: ours is 'out' too
    path data

    output:
    tuple val(flow), path('out'), emit: model

    script:
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow distill --flow ${flow} --config ${config} --data ${data} --teacher teacher --out out \\
        --resume --checkpoint-dir \$ICALOFLOW_CHECKPOINTS/distill${flow}-\$(cat ${config} teacher/model/params.bin | md5sum | cut -c1-12) \\
        --session-id ${workflow.sessionId}
    """

    stub:
    """
    mkdir -p out/model && touch out/model/flow.json out/model/params.bin out/history.csv
    """
}
