// EVALUATE: histograms of the CaloChallenge high-level features and voxel energies of every generated
// sample against the reference, their separation powers and the figures (docs/evaluation.md).
// All samples are compared in one task so that they share axes and binnings: `samples` is a list of
// [name, file] pairs, e.g. [['teacher', t.hdf5], ['student', s.hdf5]], staged as gen1/, gen2/, ...
process EVALUATE {
    tag "${geometry}"
    label 'cpu'
    beforeScript "${Tracking.exports(workflow, params)}"
    publishDir "${params.outdir}/${workflow.runName}", mode: 'copy'

    input:
    val geometry
    path reference, stageAs: 'reference/*'
    tuple val(names), path(generated, stageAs: 'gen?/*')

    output:
    path 'evaluation', emit: evaluation

    script:
    def refs = [reference].flatten().collect { "--reference ${it}" }.join(' ')
    def genFiles = [generated].flatten()
    def genNames = [names].flatten()
    if (genFiles.size() != genNames.size()) error "EVALUATE: ${genNames.size()} names for ${genFiles.size()} generated files"
    def gens = (0..<genFiles.size()).collect { i -> "--generated ${genNames[i]}=${genFiles[i]}" }.join(' ')
    def cls = params.classifier ? "--classifier ${params.classifier} --runs ${params.classifier_runs} --epochs ${params.classifier_epochs} --classifier-width ${params.classifier_width}${params.classifier_batch ? ' --classifier-batch ' + params.classifier_batch : ''}" : ''
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow evaluate --geometry ${geometry} ${refs} ${gens} ${cls} --hlf-set ${params.hlf_set} --fpd-kpd ${params.fpd_kpd ? 'true' : 'false'} --out evaluation \\
        --session-id ${workflow.sessionId}
    """

    stub:
    """
    mkdir -p evaluation/plots && cd evaluation && touch plots/Etot_Einc.png histograms.csv separation_power.csv && echo '{}' > summary.json && echo '{}' > manifest.json
    """
}
