// SAMPLE: inductive generation with one variant's flows (teacher: MAF Flow-2/3, student: IAF Flow-2/3;
// Flow-1 is the teacher in both), written as CaloChallenge HDF5 that the official evaluator reads.
// Large outputs come in parts (samples_VARIANT.partNNNN.hdf5), hence the glob.
process SAMPLE {
    tag "${variant}"
    label 'gpu'

    input:
    tuple val(geometry), val(events), val(seed)       // showers to generate (0: one per reference shower), base-noise seed
    tuple val(variant), path(flow1, stageAs: 'flow1'), path(flow2, stageAs: 'flow2'), path(flow3, stageAs: 'flow3')
    path reference, stageAs: 'reference/*'   // its incident energies are sampled, as the CaloChallenge evaluation does

    output:
    tuple val(variant), path("samples_${variant}*.hdf5"), emit: samples
    path "samples_${variant}.manifest.json", emit: manifest
    path 'versions.yml', emit: versions

    script:
    def ref = [reference].flatten()[0]
    def count = events ? "--events ${events}" : ''   // the first N of the reference's energies
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow sample --geometry ${geometry} --flow1 flow1 --flow2 flow2 --flow3 flow3 \\
        --energies ${ref} ${count} --seed ${seed} --out samples_${variant}.hdf5 \\
        --session-id ${workflow.sessionId}
    icaloflow info --versions-yml ${task.process} > versions.yml
    """

    stub:
    """
    touch samples_${variant}.hdf5 && echo '{}' > samples_${variant}.manifest.json
    printf '"%s":\\n  icaloflow: "stub"\\n' ${task.process} > versions.yml
    """
}
