// BENCH_SAMPLE: the paper's Table V, mean time per shower against batch size, teacher and student,
// with the paper's architectures (untrained weights: timing does not depend on them) on the device DJL picks.
process BENCH_SAMPLE {
    tag "${params.geometry}"
    label 'gpu'
    beforeScript "${Tracking.exports(workflow, params)}"
    publishDir "${params.outdir}/${workflow.runName}/timing", mode: 'copy'

    input:
    path config

    output:
    path 'timing.{csv,md}', emit: timing

    script:
    def sizes = params.timing_batch_sizes ? "--batch-sizes ${params.timing_batch_sizes}" : ''
    // the test profile times its own tiny architectures; the paper's when a ds2/ds3 configuration is used
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow bench sample --geometry ${params.geometry} --config ${config} ${sizes} --out timing.csv \\
        --max-seconds-per-point 20 --session-id ${workflow.sessionId}
    """

    stub:
    """
    echo 'variant,batch,ms_per_shower' > timing.csv && touch timing.md
    """
}
