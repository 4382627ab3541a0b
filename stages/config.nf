// CONFIG: validate the run configuration and split it into per-stage views, so that -resume
// re-runs only the stages whose settings changed (the views are compared by content).
process CONFIG {
    tag "${config.name}"
    label 'cpu'

    input:
    path config

    output:
    path 'views/*.yaml', emit: views
    path 'versions.yml', emit: versions

    script:
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow config split --config ${config} --out views
    icaloflow info --versions-yml ${task.process} > versions.yml
    """

    stub:
    """
    mkdir -p views
    for s in preprocess train1 train2 train3 distill2 distill3 dream_energy dream_shape full; do cp ${config} views/\$s.yaml; done
    printf '"%s":\\n  icaloflow: "stub"\\n' ${task.process} > versions.yml
    """
}
