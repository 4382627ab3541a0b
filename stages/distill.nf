// DISTILL: one IAF student from its MAF teacher (probability density distillation, paper Sec. III C 2);
// included twice (DISTILL_FLOW2, DISTILL_FLOW3) on the TRAIN outputs of flows 2 and 3.
// A retried task resumes from its checkpoint, kept outside the task folder (keyed by config and teacher).
process DISTILL {
    tag "flow${flow}"
    label 'gpu'
    cache 'deep'   // the config view is compared by content: an unchanged flow is not distilled again

    input:
    tuple val(flow), path(config), path(teacher, stageAs: 'teacher')   // TRAIN's 'out', renamed: ours is 'out' too
    path data

    output:
    tuple val(flow), path('out'), emit: model
    path 'versions.yml', emit: versions

    script:
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow distill --flow ${flow} --config ${config} --data ${data} --teacher teacher --out out \\
        --resume --checkpoint-dir \$ICALOFLOW_CHECKPOINTS/distill${flow}-\$(cat ${config} teacher/model/params.bin | md5sum | cut -c1-12) \\
        --session-id ${workflow.sessionId}
    icaloflow info --versions-yml ${task.process} > versions.yml
    """

    stub:
    """
    mkdir -p out/model && touch out/model/flow.json out/model/params.bin out/history.csv
    printf '"%s":\\n  icaloflow: "stub"\\n' ${task.process} > versions.yml
    """
}
