// EVALUATE: histograms of the CaloChallenge high-level features and voxel energies of every generated
// sample against the reference, their separation powers and the figures (docs/evaluation.md).
// All samples are compared in one task so that they share axes and binnings: `samples` is a list of
// [name, file] pairs, e.g. [['teacher', t.hdf5], ['student', s.hdf5]], staged as gen1/, gen2/, ...
process EVALUATE {
    tag "${geometry}"
    label 'cpu'
    publishDir "${params.outdir}/${workflow.runName}/evaluation", mode: 'copy'

    input:
    val geometry
    path reference, stageAs: 'reference/*'
    tuple val(names), path(generated, stageAs: 'gen?/*')

    output:
    path 'summary.json', emit: summary
    path '{histograms,separation_power}.csv', emit: tables
    path 'plots', emit: plots
    path 'manifest.json', emit: manifest

    script:
    def refs = [reference].flatten().collect { "--reference ${it}" }.join(' ')
    def genFiles = [generated].flatten()
    def genNames = [names].flatten()
    if (genFiles.size() != genNames.size()) error "EVALUATE: ${genNames.size()} names for ${genFiles.size()} generated files"
    def gens = (0..<genFiles.size()).collect { i -> "--generated ${genNames[i]}=${genFiles[i]}" }.join(' ')
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow evaluate --geometry ${geometry} ${refs} ${gens} --out .
    """

    stub:
    """
    mkdir -p plots && touch plots/Etot_Einc.png histograms.csv separation_power.csv && echo '{}' > summary.json && echo '{}' > manifest.json
    """
}
