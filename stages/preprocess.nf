// PREPROCESS: split the showers (70:30 by default) and apply the paper's Appendix A
// (noise, per-layer normalisation, logit), streamed into float32 row files.
process PREPROCESS {
    tag "${geometry}"
    label 'cpu'
    cache 'deep'
    publishDir "${params.outdir}/${workflow.runName}/preprocess", mode: 'copy', pattern: 'manifest.json'

    input:
    tuple val(geometry), path(showers)
    path config

    output:
    path 'preprocessed', emit: data
    path 'manifest.json', emit: manifest

    script:
    def inputs = showers.collect { "--input ${it}" }.join(' ')
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow preprocess --geometry ${geometry} ${inputs} --config ${config} --out preprocessed
    cp preprocessed/manifest.json manifest.json
    """

    stub:
    """
    mkdir -p preprocessed && touch preprocessed/train.f32 preprocessed/select.f32 && echo '{}' > preprocessed/manifest.json && cp preprocessed/manifest.json manifest.json
    """
}
