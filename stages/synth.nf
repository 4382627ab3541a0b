// SYNTH: synthetic CaloChallenge-format showers from the project's GFlash-style generator
// (a stand-in for Geant4 when no --input is given).
process SYNTH {
    tag "${geometry} n=${events}"
    label 'cpu'

    input:
    tuple val(geometry), val(events), val(seed)

    output:
    path "synth_${geometry}.hdf5", emit: showers
    path 'versions.yml', emit: versions

    script:
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow synth --geometry ${geometry} --events ${events} --seed ${seed} --out synth_${geometry}.hdf5
    icaloflow info --versions-yml ${task.process} > versions.yml
    """

    stub:
    """
    touch synth_${geometry}.hdf5
    printf '"%s":\\n  icaloflow: "stub"\\n' ${task.process} > versions.yml
    """
}
