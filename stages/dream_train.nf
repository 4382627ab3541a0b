// DREAM_TRAIN: one CaloDREAM network by conditional flow matching on the showers themselves (docs/cfm.md):
// the energy network (transfusion, p(u | E_inc)) or the shape network (ViT, p(voxels | E_inc, u)). Included twice
// (DREAM_TRAIN_ENERGY, DREAM_TRAIN_SHAPE), which run in parallel. `--resume` continues from the task's own
// checkpoint when Nextflow retries it, as the flows' TRAIN.
process DREAM_TRAIN {
    tag "${network}"
    label 'gpu'
    cache 'deep'   // the config view is compared by content: an unchanged network is not retrained

    input:
    tuple val(network), path(config)
    path showers

    output:
    tuple val(network), path('out'), emit: model
    path 'versions.yml', emit: versions

    script:
    def inputs = [showers].flatten().join(' ')   // every file, parts included (each part is a complete file)
    """
    export ICALOFLOW_THREADS=${task.cpus}
    icaloflow dream train --network ${network} --config ${config} --input ${inputs} --out out \\
        --resume --checkpoint-dir \$ICALOFLOW_CHECKPOINTS/dream-${network}-\$(md5sum < ${config} | cut -c1-12) \\
        --session-id ${workflow.sessionId}
    icaloflow info --versions-yml ${task.process} > versions.yml
    """

    stub:
    """
    mkdir -p out/model && touch out/model/${network}.json out/model/params.bin out/history.csv
    printf '"%s":\\n  icaloflow: "stub"\\n' ${task.process} > versions.yml
    """
}
