// DREAM_SAMPLE: CaloDREAM's showers (energy network, then shape network, RK4; `icaloflow dream sample`) with the
// reference's incident energies, as the CaloChallenge evaluation does, written as CaloChallenge HDF5 beside the
// flows' samples. Large outputs come in parts (samples_calodream.partNNNN.hdf5), hence the glob.
process DREAM_SAMPLE {
    tag "calodream"
    label 'gpu'

    input:
    tuple val(geometry), val(events), val(seed)       // showers to generate (0: one per reference shower), seed
    path energy, stageAs: 'energy'
    path shape, stageAs: 'shape'
    path reference, stageAs: 'reference/*'

    output:
    tuple val('calodream'), path("samples_calodream*.hdf5"), emit: samples
    path "samples_calodream.manifest.json", emit: manifest
    path 'versions.yml', emit: versions

    script:
    def ref = [reference].flatten()[0]
    def count = events ? "--events ${events}" : ''   // the first N of the reference's energies
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow dream sample --geometry ${geometry} --energy-model energy --shape-model shape \\
        --energies ${ref} ${count} --seed ${seed} --out samples_calodream.hdf5 \\
        --session-id ${workflow.sessionId}
    icaloflow info --versions-yml ${task.process} > versions.yml
    """

    stub:
    """
    touch samples_calodream.hdf5 && echo '{}' > samples_calodream.manifest.json
    printf '"%s":\\n  icaloflow: "stub"\\n' ${task.process} > versions.yml
    """
}
