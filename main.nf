#!/usr/bin/env nextflow
/*
 * icaloflow: Inductive CaloFlow as a Nextflow pipeline.
 * Every process calls bin/icaloflow (Nextflow puts bin/ on the PATH of each task).
 * This first version runs the data stages: SYNTH (when no --input is given) -> VALIDATE.
 * Training, distillation, sampling and evaluation stages join as they land.
 */
nextflow.enable.dsl = 2

include { SYNTH    } from './stages/synth'
include { VALIDATE } from './stages/validate'

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

workflow {
    if (params.input) {
        def files = file(params.input, checkIfExists: true)
        showers = Channel.value(files instanceof List ? files : [files])
    } else {
        SYNTH(Channel.of([params.geometry, params.events, params.seed]))
        showers = SYNTH.out.showers.map { [it] }
    }
    VALIDATE(showers.map { [params.geometry, it] })
}
