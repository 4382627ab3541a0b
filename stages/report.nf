// REPORT: one self-contained HTML page (and its Markdown twin) for the run: configuration, Table IV
// (classifier), Table V (timing), separation powers, the samples' layer closure, training curves and all plots, with the paper's
// numbers beside ours; uploaded to the pipeline's MLflow run.
process REPORT {
    tag "${geometry}"
    label 'cpu'

    input:
    val geometry
    path config, stageAs: 'config.yaml'
    path evaluation, stageAs: 'evaluation'
    path timing, stageAs: 'timing/*'
    path training, stageAs: 'training/?/*'
    path samples, stageAs: 'samples/*'

    output:
    path 'report*.{html,md,png}', emit: report
    path 'versions.yml', emit: versions

    script:
    def timings = [timing].flatten().findAll { it.name.endsWith('.csv') }.collect { "--timing ${it}" }.join(' ')
    def trainings = [training].flatten().collect { "--training ${it}" }.join(' ')
    def manifests = [samples].flatten().findAll { it.name.endsWith('.manifest.json') }.collect { "--samples ${it}" }.join(' ')
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow report --geometry ${geometry} --config config.yaml \\
        --evaluation evaluation ${timings} ${trainings} ${manifests} --out report.html \\
        --session-id ${workflow.sessionId}
    icaloflow info --versions-yml ${task.process} > versions.yml
    """

    stub:
    """
    touch report.html report.md
    printf '"%s":\\n  icaloflow: "stub"\\n' ${task.process} > versions.yml
    """
}
