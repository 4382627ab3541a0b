// TRAIN: one teacher flow (MAF) by maximum likelihood; included three times (TRAIN_FLOW1..3),
// which run in parallel. `--resume` continues from the task's own checkpoint when Nextflow retries it.
process TRAIN {
    tag "flow${flow}"
    label 'gpu'
    cache 'deep'   // the config view is compared by content: an unchanged flow is not retrained

    input:
    tuple val(flow), path(config)
    path data

    output:
    tuple val(flow), path('out'), emit: model
    path 'versions.yml', emit: versions

    script:
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow train --flow ${flow} --config ${config} --data ${data} --out out \\
        --resume --checkpoint-dir \$ICALOFLOW_CHECKPOINTS/train${flow}-\$(md5sum < ${config} | cut -c1-12) \\
        --session-id ${workflow.sessionId}
    icaloflow info --versions-yml ${task.process} > versions.yml
    """

    stub:
    """
    mkdir -p out/model && touch out/model/flow.json out/model/params.bin out/history.csv
    printf '"%s":\\n  icaloflow: "stub"\\n' ${task.process} > versions.yml
    """
}
