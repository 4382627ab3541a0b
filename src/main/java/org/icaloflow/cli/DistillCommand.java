package org.icaloflow.cli;

import ai.djl.ndarray.NDManager;
import org.icaloflow.FlowRole;
import org.icaloflow.UserError;
import org.icaloflow.config.RunConfig;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.StageManifest;
import org.icaloflow.distill.DistillationObjective;
import org.icaloflow.distill.DistillationSettings;
import org.icaloflow.distill.DiversityWeights;
import org.icaloflow.distill.LayerAggregates;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.icaloflow.flow.io.FlowSpecJson;
import org.icaloflow.preprocess.EncodedShowers;
import org.icaloflow.preprocess.Preprocessor;
import org.icaloflow.track.Tags;
import org.icaloflow.track.Tracker;
import org.icaloflow.train.FlowData;
import org.icaloflow.train.ModelFolder;
import org.icaloflow.train.Trainer;
import org.icaloflow.train.TrainingData;
import org.icaloflow.train.TrainingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code icaloflow distill}: one IAF student from its trained MAF teacher. */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Distil a trained teacher (MAF) into a fast-sampling student (IAF).",
        descriptionHeading = "%n",
        description = {
                "Probability density distillation (CaloFlow II; iCaloFlow Sec. III C 2): the student has the teacher's "
                        + "blocks and permutations and learns to invert it, as in the authors' code: chi2 sums over features "
                        + "of x vs f_IAF^-1(f_MAF(x)) on training showers (L_x) and of z vs f_MAF(f_IAF^-1(z)) on base "
                        + "samples (L_z), each with every block's intermediate state and MADE outputs; L = beta L_x + "
                        + "(1 - beta) L_z, beta 0.5 for Flow-2 (Eq. 10), 1 for Flow-3 (x-pass only, Eq. 11); weights, schedule, and "
                        + "the optional physics loss and diversity weighting come from the config's 'distillation' section.",
                "The teacher is frozen. The student with the lowest estimated KL(student||teacher) on the selection "
                        + "set's conditions is kept (each epoch's end and every selectEvery batches).",
                "",
                "Writes OUT/model (the selected student), OUT/checkpoint (for --resume), OUT/history.csv, OUT/loss.png, "
                        + "OUT/manifest.json and OUT/distill.journal.jsonl (MLflow events)."},
        optionListHeading = "%nOptions:%n")
public final class DistillCommand implements Runnable {

    @Option(names = "--flow", required = true, paramLabel = "2|3", description = "Which flow's student.")
    int flowNumber;

    @Option(names = {"-t", "--teacher"}, required = true, paramLabel = "DIR",
            description = "The teacher: the output folder of `icaloflow train` (its model/ is used) or a model folder.")
    Path teacherDir;

    @Mixin
    FlowStage.Options stage;

    @Mixin
    TrackingOptions tracking;

    /** The model folder of a teacher given as a train output folder or as the model folder itself. */
    static Path teacherModel(Path dir) {
        Path m = ModelFolder.findModel(dir);
        if (m != null) return m;
        throw new UserError(dir + ": not a trained teacher (no " + FlowCheckpoint.JSON_FILE + " in it or in its " + ModelFolder.MODEL + "/)");
    }

    /** The (α, r) binning of one layer: the config's geometry, else the CaloChallenge one with this layer size. */
    static LayerAggregates aggregates(RunConfig cfg, int dim) {
        String g = cfg.geometry();
        if (g == null) {
            if (dim == Geometry.ds2().voxelsPerLayer()) g = "ds2";
            else if (dim == Geometry.ds3().voxelsPerLayer()) g = "ds3";
            else throw new UserError("geometry: needed by distillation physicsLoss for a layer of " + dim + " voxels");
        }
        return LayerAggregates.of(Geometry.forName(g), dim);
    }

    @Override
    public void run() {
        Path config = stage.config, data = stage.data, out = stage.out, checkpointDir = stage.checkpointDir;
        ModelFolder folder = new ModelFolder(out);
        boolean resume = stage.resume;
        long stopAfterSteps = stage.stopAfterSteps;
        if (flowNumber < 2 || flowNumber > 3) throw new UserError("--flow must be 2 or 3 (Flow-1 has no student), got " + flowNumber);
        FlowRole flow = FlowRole.of(flowNumber);
        RunConfig cfg = RunConfig.load(config);
        if (cfg.distillation() == null) throw new UserError(config + ": no 'distillation' section");
        DistillationSettings ds = cfg.distillation().flow(flow).resolved(flow);   // recorded with every weight written out
        if (stage.epochs() != null) ds = ds.withEpochs(stage.epochs());
        TrainingSettings settings = ds.training();
        FlowSpec teacherSpec = cfg.architecture().teacher(flow);
        FlowSpec studentSpec = cfg.architecture().student(flow);
        if (studentSpec == null) throw new UserError(config + ": architecture.flow" + flowNumber + "_student is required for distillation");
        Path teacherModel = teacherModel(teacherDir);
        String name = "flow" + flowNumber + "-student";
        Path dataManifest = FlowStage.preprocessManifest(data);

        Map<String, String> tags = FlowStage.tags("distill", flow, cfg, config, dataManifest);
        FlowStage.createOutput(out);
        try (Tracker tracker = tracking.start(cfg.tracking().experiment(), out.resolve("distill.journal.jsonl"), "distill-" + name, tags);
             EncodedShowers trainFile = EncodedShowers.open(data.resolve(Preprocessor.TRAIN));
             EncodedShowers selectFile = EncodedShowers.open(data.resolve(Preprocessor.SELECT));
             NDManager teacherManager = NDManager.newBaseManager();
             Flow teacher = FlowCheckpoint.load(teacherModel, teacherManager, teacherSpec)) {
            try {
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("teacher", FlowSpecJson.toTree(teacherSpec));
                params.put("student", FlowSpecJson.toTree(studentSpec));
                params.put("distillation", ds);
                params.put("flow", flowNumber);
                tracker.logParams(org.icaloflow.config.Yaml.mapper().convertValue(params, Map.class));
                tracker.logArtifact(config, "config");
                org.icaloflow.track.DatasetInput input = ShowerDatasets.training(dataManifest);
                tracker.logInput(input);
                tracker.logParentInput(input);
                TrainingData train = FlowData.of(flow, trainFile, settings, 0);
                TrainingData select = FlowData.of(flow, selectFile, settings, settings.selectShowers());
                LayerAggregates agg = ds.physicsLoss().enabled() ? aggregates(cfg, studentSpec.dim()) : null;
                DiversityWeights div = null;
                if (ds.diversityWeighting().enabled()) {
                    var dw = ds.diversityWeighting();
                    div = DiversityWeights.measure(train, dw.bins(), dw.epsilon(), dw.maxSamples(), settings.batchSize());
                    System.err.println("icaloflow distill: diversity weights per incident-energy bin " + java.util.Arrays.toString(div.binWeights()));
                }
                DistillationObjective objective = new DistillationObjective(teacher, ds, flow, agg, div);
                Trainer.Result r = new Trainer(studentSpec, train, select,
                        new Trainer.Options(name, settings, out, resume, stopAfterSteps, System.err, checkpointDir), tracker, objective).run();
                if (!r.completed()) {
                    System.err.println("icaloflow distill: stopped after " + r.steps() + " steps (--stop-after-steps)");
                    return;
                }
                StageManifest m = new StageManifest("distill");
                m.addInput(config);
                m.addInput(dataManifest);
                m.addInput(teacherModel.resolve(FlowCheckpoint.JSON_FILE));
                m.addInput(teacherModel.resolve(FlowCheckpoint.PARAMS_FILE));
                m.put("flow", flowNumber);
                m.put("teacher", FlowSpecJson.toTree(teacherSpec));
                m.put("student", FlowSpecJson.toTree(studentSpec));
                m.put("distillation", ds);
                m.put("result", Map.of("best_kl", r.bestSelectLoss(), "best_step", r.bestStep(),
                        "steps", r.steps(), "bad_batches", r.badBatches(), "resumed", r.resumed()));
                m.addOutput(folder.history());
                m.write(folder.manifest());
                tracker.logMetric("final_best_kl", r.bestSelectLoss(), r.steps());
                tracker.logParentMetrics(Map.of("best_kl_student_flow" + flowNumber, r.bestSelectLoss()));
                tracker.logParentParams(Map.of("student_flow" + flowNumber, Map.of("hidden_width", studentSpec.hiddenWidth(),
                        "blocks", studentSpec.blocks(), "epochs", settings.epochs(), "weights",
                        org.icaloflow.config.Yaml.mapper().convertValue(ds.weights(), Map.class))));
                tracker.logArtifact(folder.lossPlot(), "plots");
                tracker.logArtifact(folder.history(), null);
                tracker.logArtifact(folder.model().resolve(FlowCheckpoint.JSON_FILE), "model");
                System.err.printf("icaloflow distill: %s best KL(student||teacher) estimate %.6g nats at step %d -> %s%n", name,
                        r.bestSelectLoss(), r.bestStep(), folder.model());
            } catch (RuntimeException e) {
                tracker.fail();
                throw e;
            }
        }
    }
}
