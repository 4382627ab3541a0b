// VALIDATE: checks CaloChallenge HDF5 inputs (structure, widths, finite non-negative energies)
// before anything trains on them, and writes a short summary.
process VALIDATE {
    tag "${geometry}"
    label 'cpu'

    input:
    tuple val(geometry), path(showers)

    output:
    path "validate.txt", emit: summary
    path 'versions.yml', emit: versions

    script:
    def inputs = showers.collect { "--input ${it}" }.join(' ')
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow validate --geometry ${geometry} ${inputs} > validate.txt
    icaloflow info --versions-yml ${task.process} > versions.yml
    """

    stub:
    """
    echo "stub" > validate.txt
    printf '"%s":\\n  icaloflow: "stub"\\n' ${task.process} > versions.yml
    """
}
