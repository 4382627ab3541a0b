package org.icaloflow.distill;

import ai.djl.ndarray.NDManager;
import org.icaloflow.FlowRole;
import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.Json;
import org.icaloflow.data.StageManifest;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.icaloflow.flow.io.FlowSpecJson;
import org.icaloflow.preprocess.EncodedShowers;
import org.icaloflow.preprocess.Preprocessor;
import org.icaloflow.stage.StageRun;
import org.icaloflow.stage.StageTracking;
import org.icaloflow.track.Tracker;
import org.icaloflow.train.FlowData;
import org.icaloflow.train.FlowStageInputs;
import org.icaloflow.train.ModelFolder;
import org.icaloflow.train.Trainer;
import org.icaloflow.train.TrainingData;
import org.icaloflow.train.TrainingSettings;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The distill stage: one IAF student from its trained, frozen MAF teacher (probability density distillation). */
public final class DistillStage {
    /**
     * @param flow         Flow-2 or Flow-3 (Flow-1 has no student)
     * @param teacherSpec  the teacher's architecture (the config's {@code architecture.flowN_teacher})
     * @param studentSpec  the student's ({@code architecture.flowN_student})
     * @param distillation the config's {@code distillation.flowN}, resolved for this flow, before {@code run.epochs()}
     * @param geometry     the config's geometry name (null: none given; the physics loss then infers it)
     * @param experiment   the MLflow experiment of the config
     * @param teacher      the output folder of the train stage (its model/ is used) or a model folder
     * @param run          folders and run controls
     * @param tracking     where the run is tracked
     */
    public record Inputs(FlowRole flow, FlowSpec teacherSpec, FlowSpec studentSpec, DistillationSettings distillation,
                         String geometry, String experiment, Path teacher, FlowStageInputs run, StageTracking tracking) {
    }

    private DistillStage() {
    }

    /** The model folder of a teacher given as a train output folder or as the model folder itself. */
    static Path teacherModel(Path dir) {
        Path m = ModelFolder.findModel(dir);
        if (m != null) return m;
        throw new UserError(dir + ": not a trained teacher (no " + FlowCheckpoint.JSON_FILE + " in it or in its " + ModelFolder.MODEL + "/)");
    }

    /** The (α, r) binning of one layer: the config's geometry, else the CaloChallenge one with this layer size. */
    static LayerAggregates aggregates(String geometry, int dim) {
        String g = geometry;
        if (g == null) {
            if (dim == Geometry.ds2().voxelsPerLayer()) g = "ds2";
            else if (dim == Geometry.ds3().voxelsPerLayer()) g = "ds3";
            else throw new UserError("geometry: needed by distillation physicsLoss for a layer of " + dim + " voxels");
        }
        return LayerAggregates.of(Geometry.forName(g), dim);
    }

    public static Trainer.Result run(Inputs in) {
        FlowStageInputs s = in.run();
        FlowRole flow = in.flow();
        int flowNumber = flow.number();
        Path config = s.config();
        DistillationSettings ds = s.epochs() != null ? in.distillation().withEpochs(s.epochs()) : in.distillation();
        TrainingSettings settings = ds.training();
        FlowSpec teacherSpec = in.teacherSpec();
        FlowSpec studentSpec = in.studentSpec();
        Path teacherModel = teacherModel(in.teacher());
        String name = "flow" + flowNumber + "-student";
        Path dataManifest = s.preprocessManifest();

        Map<String, String> tags = s.tags("distill", flow, in.geometry(), dataManifest);
        s.createOutput();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("teacher", FlowSpecJson.toTree(teacherSpec));
        params.put("student", FlowSpecJson.toTree(studentSpec));
        params.put("distillation", ds);
        params.put("flow", flowNumber);
        Trainer.Result r = StageRun.run(in.tracking(), in.experiment(), s.out().resolve("distill.journal.jsonl"),
                "distill-" + name, tags, Json.MAPPER.convertValue(params, Map.class), run -> {
                    Tracker tracker = run.tracker();
                    s.logInputs(tracker, dataManifest);
                    try (EncodedShowers trainFile = EncodedShowers.open(s.data().resolve(Preprocessor.TRAIN));
                         EncodedShowers selectFile = EncodedShowers.open(s.data().resolve(Preprocessor.SELECT));
                         NDManager teacherManager = NDManager.newBaseManager();
                         Flow teacher = FlowCheckpoint.load(teacherModel, teacherManager, teacherSpec)) {
                        TrainingData train = FlowData.of(flow, trainFile, settings, 0);
                        TrainingData select = FlowData.of(flow, selectFile, settings, settings.selectShowers());
                        LayerAggregates agg = ds.physicsLoss().enabled() ? aggregates(in.geometry(), studentSpec.dim()) : null;
                        DiversityWeights div = null;
                        if (ds.diversityWeighting().enabled()) {
                            var dw = ds.diversityWeighting();
                            div = DiversityWeights.measure(train, dw.bins(), dw.epsilon(), dw.maxSamples(), settings.batchSize());
                            System.err.println("icaloflow distill: diversity weights per incident-energy bin " + Arrays.toString(div.binWeights()));
                        }
                        DistillationObjective objective = new DistillationObjective(teacher, ds, flow, agg, div);
                        Trainer.Result t = Trainer.flow(studentSpec, train, select, s.trainerOptions(name, settings), tracker, objective).run();
                        if (!t.completed()) return t;
                        StageManifest m = new StageManifest("distill");
                        m.addInput(config);
                        m.addInput(dataManifest);
                        m.addInput(teacherModel.resolve(FlowCheckpoint.JSON_FILE));
                        m.addInput(teacherModel.resolve(FlowCheckpoint.PARAMS_FILE));
                        m.put("flow", flowNumber);
                        m.put("teacher", FlowSpecJson.toTree(teacherSpec));
                        m.put("student", FlowSpecJson.toTree(studentSpec));
                        m.put("distillation", ds);
                        m.put("result", Map.of("best_kl", t.bestSelectLoss(), "best_step", t.bestStep(),
                                "steps", t.steps(), "bad_batches", t.badBatches(), "resumed", t.resumed()));
                        tracker.logMetric("final_best_kl", t.bestSelectLoss(), t.steps());
                        tracker.logParentMetrics(Map.of("best_kl_student_flow" + flowNumber, t.bestSelectLoss()));
                        tracker.logParentParams(Map.of("student_flow" + flowNumber, Map.of("hidden_width", studentSpec.hiddenWidth(),
                                "blocks", studentSpec.blocks(), "epochs", settings.epochs(), "weights",
                                Json.MAPPER.convertValue(ds.weights(), Map.class))));
                        s.finish(run, m);
                        return t;
                    }
                });
        if (!r.completed()) {
            System.err.println("icaloflow distill: stopped after " + r.steps() + " steps (--stop-after-steps)");
        } else {
            System.err.printf("icaloflow distill: %s best KL(student||teacher) estimate %.6g nats at step %d -> %s%n", name,
                    r.bestSelectLoss(), r.bestStep(), new ModelFolder(s.out()).model());
        }
        return r;
    }
}
