package org.icaloflow.calodream;

import ai.djl.ndarray.types.DataType;
import org.icaloflow.ProcessStats;
import org.icaloflow.UserError;
import org.icaloflow.cfm.ShapeEncoding;
import org.icaloflow.cfm.ShapeNetwork;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.Sha256;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.data.StageManifest;
import org.icaloflow.stage.StageRun;
import org.icaloflow.stage.StageTracking;
import org.icaloflow.track.DatasetInput;
import org.icaloflow.track.ShowerDatasets;
import org.icaloflow.track.Tags;
import org.icaloflow.track.Tracker;
import org.icaloflow.train.ModelFolder;
import org.icaloflow.train.Trainer;
import org.icaloflow.train.TrainingSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CaloDREAM's shape-network training stage (paper Sec. 3.2, Table 2): the input showers streamed
 * ({@link ShapeData}: seeded split, the voxels' and the condition's standardisations fitted in one pass over the
 * training part, each batch encoded when served), then the one {@link Trainer} with the flow-matching objective
 * ({@link ShapeObjective}) and the cosine schedule. Output folder as the energy network's
 * ({@link EnergyTrainStage}; {@link ModelFolder}: model/ with shape.json, params.bin and encoding.bin, checkpoint/,
 * history.csv, loss.png, manifest.json) plus the run's journal.
 */
public final class ShapeTrainStage {
    /** The stage's name in manifests, tags and the journal's file name. */
    public static final String STAGE = EnergyTrainStage.STAGE;
    /** Training loop name (progress lines, run name). */
    public static final String NAME = "shape";

    /**
     * @param showers        CaloChallenge shower files (parts expanded)
     * @param geometry       their geometry (L = its layers)
     * @param spec           the network ({@code calodream.shape})
     * @param settings       its training ({@code calodream.training.shape}, before {@code epochs})
     * @param experiment     the configuration's MLflow experiment
     * @param config         the configuration file (a manifest input)
     * @param out            output folder
     * @param resume         continue from the checkpoint when there is one
     * @param checkpointDir  null: OUT/checkpoint
     * @param epochs         null: the configured number
     * @param stopAfterSteps testing: abandon the run after this many steps (0: never)
     * @param tracking       where the run is tracked
     */
    public record Inputs(List<Path> showers, Geometry geometry, ShapeSpec spec, TrainingSettings settings, String experiment,
                         Path config, Path out, boolean resume, Path checkpointDir, Integer epochs, long stopAfterSteps,
                         StageTracking tracking) {
    }

    /** The training loop's result, the data split's sizes and the process's peak resident memory. */
    public record Result(Trainer.Result training, int trainShowers, int selectShowers, double peakRssMiB) {
    }

    private ShapeTrainStage() {
    }

    public static Result run(Inputs in) {
        TrainingSettings settings = in.epochs() == null ? in.settings() : in.settings().withEpochs(in.epochs());
        Geometry g = in.geometry();
        try {
            in.spec().validate("calodream.shape", g);
            settings.validate("calodream.training.shape");
        } catch (IllegalArgumentException e) {
            throw new UserError(in.config() + ": " + e.getMessage());
        }
        ShapeNetwork.Settings ns = in.spec().settings(g);
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(Tags.STAGE, STAGE);
        tags.put(Tags.GEOMETRY, g.name());
        tags.put(Tags.CONFIG_SHA256, Sha256.of(in.config()));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("network", NAME);
        params.put("shape", in.spec());
        params.put("training", settings);
        try (ShowerSource source = ShowerSource.open(in.showers(), g)) {
            AtomicFiles.createFolder(in.out());
            StageManifest m = new StageManifest(STAGE);
            m.addInput(in.config());
            List<String> shas = new ArrayList<>();
            for (Path f : source.files()) shas.add(m.addInput(f));
            tags.put(Tags.INPUT_SHA256, Sha256.of(String.join(",", shas)));
            Result res = StageRun.run(in.tracking(), in.experiment(), in.out().resolve(STAGE + ".journal.jsonl"),
                    STAGE + "-" + NAME, tags, org.icaloflow.data.Json.MAPPER.convertValue(params, Map.class), run -> {
                        Tracker tracker = run.tracker();
                        tracker.logArtifact(in.config(), "config");
                        ShapeEncoding enc = new ShapeEncoding(g.layers(), g.voxelsPerLayer(), ShapeEncoding.ALPHA, in.spec().noiseWidth());
                        ShapeData.Split split = ShapeData.split(source, enc, in.spec().valFraction(), in.spec().splitSeed(),
                                in.spec().noiseSeed());
                        DatasetInput input = ShowerDatasets.of(source.files(), shas, source.size(), g.name(), "training",
                                Map.of("train_showers", (long) (int) split.train().size(), "select_showers", (long) (int) split.select().size()));
                        tracker.logInput(input);
                        tracker.logParentInput(input);
                        ShapeModel.Kind kind = new ShapeModel.Kind(ns, in.spec().seed(), DataType.FLOAT32, enc, split.voxels(),
                                split.conditions());
                        Trainer.Options o = new Trainer.Options(NAME, settings, in.out(), in.resume(), in.stopAfterSteps(),
                                System.err, in.checkpointDir());
                        Trainer.Result r = new Trainer<>(kind, split.train(), split.select(), o, tracker,
                                new ShapeObjective(settings.seed())).run();
                        double peak = ProcessStats.peakRssMiB();
                        tracker.logMetric("peak_rss_mib", peak, r.steps());
                        Result result = new Result(r, (int) split.train().size(), (int) split.select().size(), peak);
                        if (!r.completed()) return result;
                        ModelFolder folder = new ModelFolder(in.out());
                        m.put("network", NAME);
                        m.put("shape", in.spec());
                        m.put("settings", ShapeCheckpoint.settingsTree(ns));
                        m.put("training", settings);
                        m.put("showers", Map.of("train", (int) split.train().size(), "select", (int) split.select().size()));
                        m.put("result", Map.of("best_select_loss", r.bestSelectLoss(), "best_step", r.bestStep(),
                                "steps", r.steps(), "bad_batches", r.badBatches(), "resumed", r.resumed(), "peak_rss_mib", peak));
                        m.addOutput(folder.history());
                        tracker.logMetric("final_best_select_loss", r.bestSelectLoss(), r.steps());
                        tracker.logParentMetrics(Map.of("best_select_loss_dream_" + NAME, r.bestSelectLoss()));
                        run.manifest(m, folder.manifest());
                        run.artifact(folder.lossPlot(), "plots");
                        run.artifact(folder.history(), null);
                        run.artifact(folder.model().resolve(ShapeCheckpoint.JSON_FILE), "model");
                        return result;
                    });
            Trainer.Result r = res.training();
            if (!r.completed()) {
                System.err.printf(Locale.ROOT, "icaloflow dream train: stopped after %d steps (--stop-after-steps); peak RSS %.0f MiB%n",
                        r.steps(), res.peakRssMiB());
            } else {
                System.err.printf(Locale.ROOT, "icaloflow dream train: %s best selection CFM loss %.6g at step %d -> %s; peak RSS %.0f MiB%n",
                        NAME, r.bestSelectLoss(), r.bestStep(), new ModelFolder(in.out()).model(), res.peakRssMiB());
            }
            return res;
        }
    }
}
