package org.icaloflow.cli;

import org.icaloflow.FlowRole;
import org.icaloflow.UserError;
import org.icaloflow.config.RunConfig;
import org.icaloflow.data.StageManifest;
import org.icaloflow.flow.FlowSpec;
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

/** {@code icaloflow train}: one teacher flow by maximum likelihood. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Train a teacher flow (MAF) on preprocessed showers.",
        descriptionHeading = "%n",
        description = {
                "Flow-1 learns p(E_1..E_45 | E_inc), Flow-2 p(normalised layer 1 | E_inc, E_1), Flow-3 "
                        + "p(normalised layer i | E_inc, E_i, E_i-1, normalised layer i-1, one-hot(i)) for i = 2..45.",
                "Architecture and schedule come from --config (paper Tables II and III). The model with the lowest "
                        + "selection-set loss is kept (evaluated at each epoch's end and every selectEvery batches).",
                "",
                "Writes OUT/model (the selected flow), OUT/checkpoint (for --resume), OUT/history.csv, OUT/loss.png, "
                        + "OUT/manifest.json and OUT/train.journal.jsonl (MLflow events, also sent to the server when "
                        + "one is reachable)."},
        optionListHeading = "%nOptions:%n")
public final class TrainCommand implements Runnable {

    @Option(names = "--flow", required = true, paramLabel = "1|2|3", description = "Which flow.")
    int flowNumber;

    @Mixin
    FlowStage.Options stage;

    @Mixin
    TrackingOptions tracking;

    @Override
    public void run() {
        Path config = stage.config, data = stage.data, out = stage.out, checkpointDir = stage.checkpointDir;
        ModelFolder folder = new ModelFolder(out);
        boolean resume = stage.resume;
        long stopAfterSteps = stage.stopAfterSteps;
        if (flowNumber < 1 || flowNumber > 3) throw new UserError("--flow must be 1, 2 or 3, got " + flowNumber);
        FlowRole flow = FlowRole.of(flowNumber);
        RunConfig cfg = RunConfig.load(config);
        if (cfg.training() == null) throw new UserError(config + ": no 'training' section");
        TrainingSettings settings = stage.withEpochs(cfg.training().flow(flow));
        FlowSpec spec = cfg.architecture().teacher(flow);
        String name = "flow" + flowNumber;
        Path dataManifest = FlowStage.preprocessManifest(data);

        Map<String, String> tags = FlowStage.tags("train", flow, cfg, config, dataManifest);
        FlowStage.createOutput(out);
        try (Tracker tracker = tracking.start(cfg.tracking().experiment(), out.resolve("train.journal.jsonl"), "train-" + name, tags);
             EncodedShowers trainFile = EncodedShowers.open(data.resolve(Preprocessor.TRAIN));
             EncodedShowers selectFile = EncodedShowers.open(data.resolve(Preprocessor.SELECT))) {
            try {
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("architecture", FlowSpecJson.toTree(spec));
                params.put("training", settings);
                params.put("flow", flowNumber);
                tracker.logParams(org.icaloflow.config.Yaml.mapper().convertValue(params, Map.class));
                tracker.logArtifact(config, "config");
                org.icaloflow.track.DatasetInput input = ShowerDatasets.training(dataManifest);
                tracker.logInput(input);
                tracker.logParentInput(input);
                TrainingData train = FlowData.of(flow, trainFile, settings, 0);
                TrainingData select = FlowData.of(flow, selectFile, settings, settings.selectShowers());
                Trainer.Result r = new Trainer(spec, train, select,
                        new Trainer.Options(name, settings, out, resume, stopAfterSteps, System.err, checkpointDir), tracker).run();
                double peak = org.icaloflow.ProcessStats.peakRssMiB();
                tracker.logMetric("peak_rss_mib", peak, r.steps());
                if (!r.completed()) {
                    System.err.printf(java.util.Locale.ROOT, "icaloflow train: stopped after %d steps (--stop-after-steps); peak RSS %.0f MiB%n", r.steps(), peak);
                    return;
                }
                StageManifest m = new StageManifest("train");
                m.addInput(config);
                m.addInput(dataManifest);
                m.put("flow", flowNumber);
                m.put("architecture", FlowSpecJson.toTree(spec));
                m.put("training", settings);
                m.put("result", Map.of("best_select_loss", r.bestSelectLoss(), "best_step", r.bestStep(),
                        "steps", r.steps(), "bad_batches", r.badBatches(), "resumed", r.resumed(), "peak_rss_mib", peak));
                m.addOutput(folder.history());
                m.write(folder.manifest());
                tracker.logMetric("final_best_select_loss", r.bestSelectLoss(), r.steps());
                tracker.logParentMetrics(Map.of("best_select_loss_teacher_" + name, r.bestSelectLoss()));
                tracker.logParentParams(Map.of("teacher_" + name, Map.of("hidden_width", spec.hiddenWidth(), "blocks", spec.blocks(),
                        "epochs", settings.epochs())));
                tracker.logArtifact(folder.lossPlot(), "plots");
                tracker.logArtifact(folder.history(), null);
                tracker.logArtifact(folder.model().resolve(org.icaloflow.flow.io.FlowCheckpoint.JSON_FILE), "model");
                System.err.printf(java.util.Locale.ROOT, "icaloflow train: %s best selection loss %.6g at step %d -> %s; peak RSS %.0f MiB%n", name,
                        r.bestSelectLoss(), r.bestStep(), folder.model(), peak);
            } catch (RuntimeException e) {
                tracker.fail();
                throw e;
            }
        }
    }
}
