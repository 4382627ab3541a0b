#!/usr/bin/env nextflow
/*
 * icaloflow: Inductive CaloFlow as a Nextflow pipeline.
 * Every process calls bin/icaloflow (Nextflow puts bin/ on the PATH of each task).
 *
 *   CONFIG (per-stage views of the configuration)
 *   SYNTH (no --input) | --input files -> VALIDATE
 *   --generators icaloflow (the default):
 *     -> PREPROCESS -> TRAIN_FLOW1, TRAIN_FLOW2, TRAIN_FLOW3 (parallel)
 *     -> DISTILL_FLOW2, DISTILL_FLOW3 (students)
 *     -> SAMPLE (teacher, student)
 *   --generators calodream: -> DREAM_TRAIN_ENERGY, DREAM_TRAIN_SHAPE (parallel) -> DREAM_SAMPLE
 *   all samples -> EVALUATE (vs the reference, in one task) -> REPORT
 *   BENCH_SAMPLE (Table V timing, iCaloFlow) -> REPORT
 */
nextflow.enable.dsl = 2

// the tracking exports of every task (conf/modules.config's beforeScript; lib/Tracking.groovy): set before the
// includes, which give each module its own copy of params. Not a user parameter.
if (params.containsKey('tracking_exports')) {
    error "Unknown parameter: --tracking_exports is internal (set by main.nf)"
}
params.tracking_exports = Tracking.exports(workflow, params)

include { CONFIG               } from './stages/config'
include { SYNTH                } from './stages/synth'
include { VALIDATE             } from './stages/validate'
include { PREPROCESS           } from './stages/preprocess'
include { TRAIN as TRAIN_FLOW1 } from './stages/train'
include { TRAIN as TRAIN_FLOW2 } from './stages/train'
include { TRAIN as TRAIN_FLOW3 } from './stages/train'
include { DISTILL as DISTILL_FLOW2 } from './stages/distill'
include { DISTILL as DISTILL_FLOW3 } from './stages/distill'
include { SYNTH as SYNTH_REFERENCE } from './stages/synth'
include { SYNTH as SYNTH_TRUTH     } from './stages/synth'
include { SAMPLE               } from './stages/sample'
include { DREAM_TRAIN as DREAM_TRAIN_ENERGY } from './stages/dream_train'
include { DREAM_TRAIN as DREAM_TRAIN_SHAPE  } from './stages/dream_train'
include { DREAM_SAMPLE         } from './stages/dream_sample'
include { BENCH_SAMPLE         } from './stages/bench_sample'
include { EVALUATE             } from './stages/evaluate'
include { REPORT               } from './stages/report'

// ---- parameters: described once in nextflow_schema.json, checked before any task runs ----
def schema_file = file("${projectDir}/nextflow_schema.json")
if (params.help) {
    log.info Schema.help(schema_file.toFile(), 'nextflow run main.nf -profile test [--input FILE ...] [--outdir DIR]')
    exit 0
}
def problems = Schema.validate(params, schema_file.toFile(), ['tracking_exports'])
if (problems) {
    error problems.join('\n')
}
// checks the schema cannot express
def config_file = file(params.config ?: "${projectDir}/configs/${params.geometry}.yaml")
if (!config_file.exists()) {
    error "Invalid --config '${params.config}': file not found"
}
def sample_events = params.sample_events ?: params.events
def generators = params.generators.toString().tokenize(',')*.trim()
def variants = 'icaloflow' in generators ? params.variants.toString().tokenize(',')*.trim() : []
if (params.classifier && !params.classifier.toString().tokenize(',').every { it in ['low', 'high'] }) {
    error "Invalid --classifier '${params.classifier}': low, high, or low,high (false to skip)"
}
if (params.truth && params.truth != true && !file(params.truth.toString()).exists()) {
    error "Invalid --truth '${params.truth}': true (an independent synthetic sample) or an existing CaloChallenge HDF5 file"
}
if (params.truth == true && params.input) {
    error "Invalid --truth true with --input: give --truth FILE, a second file of the same simulation the reference does not contain"
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
    samples_in = Channel.empty()
    trainings = Channel.empty()
    if ('icaloflow' in generators) {
        PREPROCESS(inputs, stage_view(views, 'preprocess'))
        data = PREPROCESS.out.data
        TRAIN_FLOW1(stage_view(views, 'train1').map { [1, it] }, data)
        TRAIN_FLOW2(stage_view(views, 'train2').map { [2, it] }, data)
        TRAIN_FLOW3(stage_view(views, 'train3').map { [3, it] }, data)

        // models are [flow, train-or-distill output folder]
        teacher1 = TRAIN_FLOW1.out.model.map { it[1] }
        teacher2 = TRAIN_FLOW2.out.model.map { it[1] }
        teacher3 = TRAIN_FLOW3.out.model.map { it[1] }
        if ('teacher' in variants) {
            samples_in = samples_in.mix(teacher1.combine(teacher2).combine(teacher3).map { f1, f2, f3 -> ['teacher', f1, f2, f3] })
        }
        trainings = TRAIN_FLOW1.out.model.mix(TRAIN_FLOW2.out.model, TRAIN_FLOW3.out.model)
        if (variants.any { v -> v.startsWith('student') }) {
            DISTILL_FLOW2(stage_view(views, 'distill2').combine(teacher2).map { c, t -> [2, c, t] }, data)
            DISTILL_FLOW3(stage_view(views, 'distill3').combine(teacher3).map { c, t -> [3, c, t] }, data)
            student2 = DISTILL_FLOW2.out.model.map { it[1] }
            student3 = DISTILL_FLOW3.out.model.map { it[1] }
            if ('student' in variants) {
                samples_in = samples_in.mix(teacher1.combine(student2).combine(student3).map { f1, f2, f3 -> ['student', f1, f2, f3] })
            }
            trainings = trainings.mix(DISTILL_FLOW2.out.model, DISTILL_FLOW3.out.model)
        }
    }
    // CaloDREAM trains on the showers themselves (its own training/selection split, calodream.*.valFraction); its
    // energy network also stands in for Flow-1 in the *_cfm variants (issue 16's flow1: cfm)
    if ('calodream' in generators || variants.any { v -> v.endsWith('_cfm') }) {
        DREAM_TRAIN_ENERGY(stage_view(views, 'dream_energy').map { ['energy', it] }, showers)
        trainings = trainings.mix(DREAM_TRAIN_ENERGY.out.model)
        energy_net = DREAM_TRAIN_ENERGY.out.model.map { it[1] }
        if ('teacher_cfm' in variants) {
            samples_in = samples_in.mix(energy_net.combine(teacher2).combine(teacher3).map { f1, f2, f3 -> ['teacher_cfm', f1, f2, f3] })
        }
        if ('student_cfm' in variants) {
            samples_in = samples_in.mix(energy_net.combine(student2).combine(student3).map { f1, f2, f3 -> ['student_cfm', f1, f2, f3] })
        }
    }
    if ('calodream' in generators) {
        DREAM_TRAIN_SHAPE(stage_view(views, 'dream_shape').map { ['shape', it] }, showers)
        trainings = trainings.mix(DREAM_TRAIN_SHAPE.out.model)
    }

    // the reference the samples are compared with: --reference, else an independent synthetic sample,
    // else (user input without a reference) the input itself, which flatters the models: a warning says so
    if (params.reference) {
        reference = Channel.value(file(params.reference, checkIfExists: true))
    } else if (!params.input) {
        SYNTH_REFERENCE(Channel.of([params.geometry, sample_events, params.seed + 1]))
        reference = SYNTH_REFERENCE.out.showers.first()
    } else {
        log.warn "No --reference given: evaluating against the training input itself"
        reference = showers.map { it[0] }.first()
    }

    // one shower per reference shower with its incident energy (the CaloChallenge convention); --sample_events
    // caps it at the reference's first N
    def sample_count = params.sample_events ?: 0
    SAMPLE(Channel.value([params.geometry, sample_count, params.seed]), samples_in, reference)
    generated = SAMPLE.out.samples
    sample_manifests = SAMPLE.out.manifest
    if ('calodream' in generators) {
        DREAM_SAMPLE(Channel.value([params.geometry, sample_count, params.seed]), DREAM_TRAIN_ENERGY.out.model.map { it[1] },
            DREAM_TRAIN_SHAPE.out.model.map { it[1] }, reference)
        generated = generated.mix(DREAM_SAMPLE.out.samples)
        sample_manifests = sample_manifests.mix(DREAM_SAMPLE.out.manifest)
    }
    // the truth row: showers of the simulation itself, evaluated as if generated; its AUC is the floor (about 0.5)
    truth = Channel.empty()
    if (params.truth == true) {
        SYNTH_TRUTH(Channel.of([params.geometry, sample_events, params.seed + 2]))
        truth = SYNTH_TRUTH.out.showers.map { ['truth', it] }
    } else if (params.truth) {
        truth = Channel.of(['truth', file(params.truth.toString(), checkIfExists: true)])
    }
    generated = generated.mix(truth).toSortedList { a, b -> a[0] <=> b[0] }
        .map { list -> [list.collect { it[0] }, list.collect { it[1] }.flatten()] }
    def evaluation = [classifier: params.classifier, runs: params.classifier_runs, epochs: params.classifier_epochs,
                      width: params.classifier_width, batch: params.classifier_batch, hlf_set: params.hlf_set,
                      fpd_kpd: params.fpd_kpd]
    EVALUATE(params.geometry, evaluation, reference, generated)

    timing = Channel.of([])
    if (params.timing && 'icaloflow' in generators) {
        BENCH_SAMPLE(params.geometry, params.timing_batch_sizes, stage_view(views, 'full'))
        timing = BENCH_SAMPLE.out.timing.collect()
    }
    REPORT(params.geometry, stage_view(views, 'full'), EVALUATE.out.evaluation, timing, trainings.map { it[1] }.collect().ifEmpty([]),
        sample_manifests.collect().ifEmpty([]))

    // every task's versions.yml (nf-core's habit), one file in pipeline_info/: what ran, on which device
    versions = CONFIG.out.versions.mix(VALIDATE.out.versions, SAMPLE.out.versions, EVALUATE.out.versions, REPORT.out.versions)
    if ('icaloflow' in generators) versions = versions.mix(PREPROCESS.out.versions, TRAIN_FLOW1.out.versions,
        TRAIN_FLOW2.out.versions, TRAIN_FLOW3.out.versions)
    if ('calodream' in generators || variants.any { v -> v.endsWith('_cfm') }) versions = versions.mix(DREAM_TRAIN_ENERGY.out.versions)
    if ('calodream' in generators) versions = versions.mix(DREAM_TRAIN_SHAPE.out.versions, DREAM_SAMPLE.out.versions)
    if (!params.input) versions = versions.mix(SYNTH.out.versions)
    if (!params.reference && !params.input) versions = versions.mix(SYNTH_REFERENCE.out.versions)
    if (params.truth == true) versions = versions.mix(SYNTH_TRUTH.out.versions)
    if (variants.any { v -> v.startsWith('student') }) versions = versions.mix(DISTILL_FLOW2.out.versions, DISTILL_FLOW3.out.versions)
    if (params.timing && 'icaloflow' in generators) versions = versions.mix(BENCH_SAMPLE.out.versions)
    versions.map { it.text.trim() }.unique().collectFile(name: 'software_versions.yml', storeDir: "${params.outdir}/pipeline_info",
        newLine: true, sort: true)
}

// the pipeline's parent run in MLflow gets its status, start and end when the pipeline ends, also when a stage
// failed (journal pipeline_info/pipeline_RUN.journal.jsonl for a later `icaloflow mlflow sync`; docs/tracking.md)
workflow.onComplete {
    def journal = "${params.outdir}/pipeline_info/pipeline_${workflow.runName}.journal.jsonl"
    def cmd = ["${projectDir}/bin/icaloflow", 'mlflow', 'end-pipeline', '--session-id', workflow.sessionId.toString(),
               '--pipeline-run-name', workflow.runName, '--experiment', Tracking.experiment(params, projectDir),
               '--status', workflow.success ? 'FINISHED' : 'FAILED',
               '--start', workflow.start.toInstant().toEpochMilli().toString(),
               '--end', (workflow.complete ?: java.time.OffsetDateTime.now()).toInstant().toEpochMilli().toString(),
               '--journal', journal.toString()]
    if (params.mlflow_uri) cmd += ['--mlflow-uri', params.mlflow_uri.toString()]
    def p = cmd.collect { it.toString() }.execute()
    p.waitForProcessOutput(System.out, System.err)
}

