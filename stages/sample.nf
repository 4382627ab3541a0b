// SAMPLE: inductive generation with one variant's flows (teacher: MAF Flow-2/3, student: IAF Flow-2/3;
// Flow-1 is the teacher in both), written as CaloChallenge HDF5 that the official evaluator reads.
// Large outputs come in parts (samples_VARIANT.partNNNN.hdf5), hence the glob.
process SAMPLE {
    tag "${variant}"
    label 'gpu'
    beforeScript "${Tracking.exports(workflow, params)}"
    publishDir "${params.outdir}/${workflow.runName}/samples", mode: 'copy'

    input:
    tuple val(variant), path(flow1, stageAs: 'flow1'), path(flow2, stageAs: 'flow2'), path(flow3, stageAs: 'flow3')
    path reference, stageAs: 'reference/*'   // its incident energies are sampled, as the CaloChallenge evaluation does

    output:
    tuple val(variant), path("samples_${variant}*.hdf5"), emit: samples
    path "samples_${variant}.manifest.json", emit: manifest

    script:
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow sample --geometry ${params.geometry} --flow1 flow1 --flow2 flow2 --flow3 flow3 \\
        --events ${params.sample_events ?: params.events} --seed ${params.seed} --out samples_${variant}.hdf5 \\
        --session-id ${workflow.sessionId}
    """

    stub:
    """
    touch samples_${variant}.hdf5 && echo '{}' > samples_${variant}.manifest.json
    """
}
