// VALIDATE: checks CaloChallenge HDF5 inputs (structure, widths, finite non-negative energies)
// before anything trains on them, and writes a short summary.
process VALIDATE {
    tag "${geometry}"
    label 'cpu'

    input:
    tuple val(geometry), path(showers)

    output:
    path "validate.txt", emit: summary

    script:
    def inputs = showers.collect { "--input ${it}" }.join(' ')
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow validate --geometry ${geometry} ${inputs} > validate.txt
    """

    stub:
    """
    echo "stub" > validate.txt
    """
}
