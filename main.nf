#!/usr/bin/env nextflow
/*
 * icaloflow: Inductive CaloFlow as a Nextflow pipeline.
 * Every process calls bin/icaloflow (Nextflow puts bin/ on the PATH of each task).
 *
 *   SYNTH (no --input) | --input files -> VALIDATE
 *                                       -> PREPROCESS -> TRAIN_FLOW1, TRAIN_FLOW2, TRAIN_FLOW3 (parallel)
 * Distillation, sampling, evaluation and the report join as they land.
 */
nextflow.enable.dsl = 2

include { CONFIG               } from './stages/config'
include { SYNTH                } from './stages/synth'
include { VALIDATE             } from './stages/validate'
include { PREPROCESS           } from './stages/preprocess'
include { TRAIN as TRAIN_FLOW1 } from './stages/train'
include { TRAIN as TRAIN_FLOW2 } from './stages/train'
include { TRAIN as TRAIN_FLOW3 } from './stages/train'

// ---- parameter checks: before any task runs (no schema plugin is reachable offline) ----
def known = ['input', 'geometry', 'events', 'seed', 'outdir', 'config', 'variants',
             'mlflow_uri', 'experiment', 'gpu_queue', 'cpu_queue', 'help'] as Set
def unknown = params.keySet().findAll { k -> !(k in known) && !k.contains('-') }
if (unknown) {
    error "Unknown parameter(s): ${unknown.collect { '--' + it }.join(', ')}. Known: ${known.collect { '--' + it }.join(', ')}"
}
if (!(params.geometry in ['ds2', 'ds3'])) {
    error "Invalid --geometry '${params.geometry}': use ds2 or ds3"
}
if (!(params.events instanceof Integer) || params.events < 1) {
    error "Invalid --events '${params.events}': a positive integer is required"
}
def config_file = file(params.config ?: "${projectDir}/configs/${params.geometry}.yaml")
if (!config_file.exists()) {
    error "Invalid --config '${params.config}': file not found"
}
if (params.mlflow_uri && !(params.mlflow_uri ==~ /https?:\/\/.+/)) {
    error "Invalid --mlflow_uri '${params.mlflow_uri}': an http(s) URL is required"
}

// the per-stage view NAME.yaml written by CONFIG
def stage_view(views, String name) {
    views.filter { it[0] == name }.map { it[1] }
}

workflow {
    if (params.input) {
        def files = file(params.input, checkIfExists: true)
        showers = Channel.value(files instanceof List ? files : [files])
    } else {
        SYNTH(Channel.of([params.geometry, params.events, params.seed]))
        showers = SYNTH.out.showers.map { [it] }
    }
    CONFIG(config_file)
    views = CONFIG.out.views.flatten().map { [it.baseName, it] }

    inputs = showers.map { [params.geometry, it] }
    VALIDATE(inputs)
    PREPROCESS(inputs, stage_view(views, 'preprocess'))
    data = PREPROCESS.out.data
    TRAIN_FLOW1(stage_view(views, 'train1').map { [1, it] }, data)
    TRAIN_FLOW2(stage_view(views, 'train2').map { [2, it] }, data)
    TRAIN_FLOW3(stage_view(views, 'train3').map { [3, it] }, data)
}
