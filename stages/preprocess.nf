// PREPROCESS: split the showers (70:30 by default) and stream them, in MeV, into float32 row files
// (format ICFENC02); the training loader applies Appendix A with fresh noise every epoch.
process PREPROCESS {
    tag "${geometry}"
    label 'cpu'
    cache 'deep'

    input:
    tuple val(geometry), path(showers)
    path config

    output:
    path 'preprocessed', emit: data
    path 'manifest.json', emit: manifest
    path 'versions.yml', emit: versions

    script:
    def inputs = showers.collect { "--input ${it}" }.join(' ')
    """
    export ICALOFLOW_THREADS=${task.cpus}
    # format ICFENC02 (MeV rows; noise drawn by the loader): this line changes the task hash, so that
    # -resume does not reuse files of the older ICFENC01 format, which train refuses
    icaloflow preprocess --geometry ${geometry} ${inputs} --config ${config} --out preprocessed
    cp preprocessed/manifest.json manifest.json
    icaloflow info --versions-yml ${task.process} > versions.yml
    """

    stub:
    """
    mkdir -p preprocessed && touch preprocessed/train.f32 preprocessed/select.f32 && echo '{}' > preprocessed/manifest.json && cp preprocessed/manifest.json manifest.json
    printf '"%s":\\n  icaloflow: "stub"\\n' ${task.process} > versions.yml
    """
}
