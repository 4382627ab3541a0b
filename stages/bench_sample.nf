// BENCH_SAMPLE: the paper's Table V, mean time per shower against batch size, teacher and student,
// with the paper's architectures (untrained weights: timing does not depend on them) on the device DJL picks.
process BENCH_SAMPLE {
    tag "${geometry}"
    label 'gpu'

    input:
    val geometry
    val batch_sizes   // comma-separated, or null: the paper's for the geometry
    path config

    output:
    path 'timing.{csv,md}', emit: timing
    path 'versions.yml', emit: versions

    script:
    def sizes = batch_sizes ? "--batch-sizes ${batch_sizes}" : ''
    // the test profile times its own tiny architectures; the paper's when a ds2/ds3 configuration is used
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow bench sample --geometry ${geometry} --config ${config} ${sizes} --out timing.csv \\
        --max-seconds-per-point 20 --session-id ${workflow.sessionId}
    icaloflow info --versions-yml ${task.process} > versions.yml
    """

    stub:
    """
    echo 'variant,batch,ms_per_shower' > timing.csv && touch timing.md
    printf '"%s":\\n  icaloflow: "stub"\\n' ${task.process} > versions.yml
    """
}
