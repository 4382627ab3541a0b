// EVALUATE: histograms of the CaloChallenge high-level features and voxel energies of every generated
// sample against the reference, their separation powers and the figures (docs/evaluation.md).
// All samples are compared in one task so that they share axes and binnings: `samples` is a list of
// [name, file] pairs, e.g. [['teacher', t.hdf5], ['student', s.hdf5]], staged as gen1/, gen2/, ...
process EVALUATE {
    tag "${geometry}"
    label 'cpu'

    input:
    val geometry
    val settings   // [classifier: 'low,high' or false, runs, epochs, width, batch (or null), hlf_set, fpd_kpd]
    path reference, stageAs: 'reference/*'
    tuple val(names), path(generated, stageAs: 'gen?/*')

    output:
    path 'evaluation', emit: evaluation
    path 'versions.yml', emit: versions

    script:
    def refs = [reference].flatten().collect { "--reference ${it}" }.join(' ')
    def genFiles = [generated].flatten()
    def genNames = [names].flatten()
    if (genFiles.size() != genNames.size()) error "EVALUATE: ${genNames.size()} names for ${genFiles.size()} generated files"
    def gens = (0..<genFiles.size()).collect { i -> "--generated ${genNames[i]}=${genFiles[i]}" }.join(' ')
    def s = settings
    def cls = s.classifier ? "--classifier ${s.classifier} --runs ${s.runs} --epochs ${s.epochs} --classifier-width ${s.width}${s.batch ? ' --classifier-batch ' + s.batch : ''}" : ''
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow evaluate --geometry ${geometry} ${refs} ${gens} ${cls} --hlf-set ${s.hlf_set} --fpd-kpd ${s.fpd_kpd ? 'true' : 'false'} --out evaluation \\
        --session-id ${workflow.sessionId}
    icaloflow info --versions-yml ${task.process} > versions.yml
    """

    stub:
    """
    mkdir -p evaluation/plots && (cd evaluation && touch plots/Etot_Einc.png histograms.csv separation_power.csv && echo "{}" > summary.json && echo "{}" > manifest.json)
    printf '"%s":\\n  icaloflow: "stub"\\n' ${task.process} > versions.yml
    """
}
