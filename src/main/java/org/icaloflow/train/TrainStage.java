package org.icaloflow.train;

import org.icaloflow.FlowRole;
import org.icaloflow.ProcessStats;
import org.icaloflow.data.Json;
import org.icaloflow.data.StageManifest;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.flow.io.FlowSpecJson;
import org.icaloflow.preprocess.EncodedShowers;
import org.icaloflow.preprocess.Preprocessor;
import org.icaloflow.stage.StageRun;
import org.icaloflow.stage.StageTracking;
import org.icaloflow.track.Tracker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The train stage: one teacher flow (MAF) by maximum likelihood on preprocessed showers. */
public final class TrainStage {
    /**
     * @param flow       which flow
     * @param spec       its architecture (the config's {@code architecture.flowN[_teacher]})
     * @param settings   its training (the config's {@code training.flowN}, before {@code run.epochs()})
     * @param geometry   the config's geometry name, for the run's tags (null: none given)
     * @param experiment the MLflow experiment of the config
     * @param run        folders and run controls
     * @param tracking   where the run is tracked
     */
    public record Inputs(FlowRole flow, FlowSpec spec, TrainingSettings settings, String geometry, String experiment,
                         FlowStageInputs run, StageTracking tracking) {
    }

    /** The training loop's result and the process's peak resident memory. */
    public record Result(Trainer.Result training, double peakRssMiB) {
    }

    private TrainStage() {
    }

    public static Result run(Inputs in) {
        FlowStageInputs s = in.run();
        FlowRole flow = in.flow();
        TrainingSettings settings = s.withEpochs(in.settings());
        FlowSpec spec = in.spec();
        String name = "flow" + flow.number();
        Path dataManifest = s.preprocessManifest();

        Map<String, String> tags = s.tags("train", flow, in.geometry(), dataManifest);
        s.createOutput();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("architecture", FlowSpecJson.toTree(spec));
        params.put("training", settings);
        params.put("flow", flow.number());
        Result res = StageRun.run(in.tracking(), in.experiment(), s.out().resolve("train.journal.jsonl"),
                "train-" + name, tags, Json.MAPPER.convertValue(params, Map.class), run -> {
                    Tracker tracker = run.tracker();
                    s.logInputs(tracker, dataManifest);
                    try (EncodedShowers trainFile = EncodedShowers.open(s.data().resolve(Preprocessor.TRAIN));
                         EncodedShowers selectFile = EncodedShowers.open(s.data().resolve(Preprocessor.SELECT))) {
                        TrainingData train = FlowData.of(flow, trainFile, settings, 0);
                        TrainingData select = FlowData.of(flow, selectFile, settings, settings.selectShowers());
                        Trainer.Result r = Trainer.flow(spec, train, select, s.trainerOptions(name, settings), tracker).run();
                        double peak = ProcessStats.peakRssMiB();
                        tracker.logMetric("peak_rss_mib", peak, r.steps());
                        if (!r.completed()) return new Result(r, peak);
                        StageManifest m = new StageManifest("train");
                        m.addInput(s.config());
                        m.addInput(dataManifest);
                        m.put("flow", flow.number());
                        m.put("architecture", FlowSpecJson.toTree(spec));
                        m.put("training", settings);
                        m.put("result", Map.of("best_select_loss", r.bestSelectLoss(), "best_step", r.bestStep(),
                                "steps", r.steps(), "bad_batches", r.badBatches(), "resumed", r.resumed(), "peak_rss_mib", peak));
                        tracker.logMetric("final_best_select_loss", r.bestSelectLoss(), r.steps());
                        tracker.logParentMetrics(Map.of("best_select_loss_teacher_" + name, r.bestSelectLoss()));
                        tracker.logParentParams(Map.of("teacher_" + name, Map.of("hidden_width", spec.hiddenWidth(),
                                "blocks", spec.blocks(), "epochs", settings.epochs())));
                        s.finish(run, m);
                        return new Result(r, peak);
                    }
                });
        Trainer.Result r = res.training();
        if (!r.completed()) {
            System.err.printf(Locale.ROOT, "icaloflow train: stopped after %d steps (--stop-after-steps); peak RSS %.0f MiB%n",
                    r.steps(), res.peakRssMiB());
        } else {
            System.err.printf(Locale.ROOT, "icaloflow train: %s best selection loss %.6g at step %d -> %s; peak RSS %.0f MiB%n",
                    name, r.bestSelectLoss(), r.bestStep(), new ModelFolder(s.out()).model(), res.peakRssMiB());
        }
        return res;
    }
}
