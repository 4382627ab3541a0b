// TRAIN: one teacher flow (MAF) by maximum likelihood; included three times (TRAIN_FLOW1..3),
// which run in parallel. `--resume` continues from the task's own checkpoint when Nextflow retries it.
process TRAIN {
    tag "flow${flow}"
    label 'gpu'
    // run name, server and checkpoint root reach the task through its environment: kept out of the task hash
    // (a Path like workflow.workDir in the script would be hashed by content under cache 'deep')
    beforeScript "${Tracking.exports(workflow, params)}; export ICALOFLOW_CHECKPOINTS=${workflow.workDir}/checkpoints/${workflow.sessionId}"
    cache 'deep'   // the config view is compared by content: an unchanged flow is not retrained
    publishDir "${params.outdir}/${workflow.runName}/models/teacher", mode: 'copy', saveAs: { it == 'out' ? "flow${flow}" : null }

    input:
    tuple val(flow), path(config)
    path data

    output:
    tuple val(flow), path('out'), emit: model

    script:
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow train --flow ${flow} --config ${config} --data ${data} --out out \\
        --resume --checkpoint-dir \$ICALOFLOW_CHECKPOINTS/train${flow}-\$(md5sum < ${config} | cut -c1-12) \\
        --session-id ${workflow.sessionId}
    """

    stub:
    """
    mkdir -p out/model && touch out/model/flow.json out/model/params.bin out/history.csv
    """
}
