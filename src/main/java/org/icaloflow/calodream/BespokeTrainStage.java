package org.icaloflow.calodream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.icaloflow.ProcessStats;
import org.icaloflow.UserError;
import org.icaloflow.cfm.BespokeSolver;
import org.icaloflow.cfm.BespokeTraining;
import org.icaloflow.cfm.EnergyRatios;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.Json;
import org.icaloflow.data.Sha256;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.data.StageManifest;
import org.icaloflow.stage.StageRun;
import org.icaloflow.stage.StageTracking;
import org.icaloflow.track.DatasetInput;
import org.icaloflow.track.ShowerDatasets;
import org.icaloflow.track.Tags;
import org.icaloflow.track.Tracker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CaloDREAM's BNS solver training stage ({@code icaloflow dream train --network bespoke}; paper Sec. 3.4, Table 5):
 * a trained shape network (frozen: its parameters stop requiring gradients), conditions (E_inc and the 45 u, as
 * {@link ShapeCondition} builds them with the network's own standardisation) from the input showers' layer
 * energies, split as the shape network's data (valFraction, splitSeed: the training part for the iterations, the
 * held-out part for the validation batches), each batch's rows drawn uniformly with replacement; then
 * {@link BespokeTraining} (Euler start, midpoint reference, GTE or LTE, Adam, patience, best kept).
 *
 * <p>Output folder: {@code bespoke.json} ({@link BespokeFile}: the solver; the shape network's folder and
 * params.bin SHA-256; the settings; the validation losses of the Euler start, the trained solver, fixed-step
 * solvers of the same evaluations and the reference's own error; iterations run), {@code history.csv}
 * (iteration, training loss, validation loss), {@code manifest.json} and the run's journal. Every input is checked
 * before the folder is created. No resume: a run is short beside the shape network's training.
 */
public final class BespokeTrainStage {
    public static final String STAGE = EnergyTrainStage.STAGE;
    public static final String NAME = "bespoke";
    public static final String HISTORY = "history.csv";
    public static final String MANIFEST = "manifest.json";

    /**
     * @param showers    CaloChallenge shower files (the conditions)
     * @param geometry   their geometry; null: DS2 or DS3 as the shape network's grid says
     * @param shapeModel a shape network folder or a {@code dream train --network shape} output folder
     * @param spec       {@code calodream.bespoke}
     * @param experiment the configuration's MLflow experiment
     * @param config     the configuration file (a manifest input; named in configuration errors)
     * @param out        output folder
     * @param tracking   where the run is tracked
     */
    public record Inputs(List<Path> showers, Geometry geometry, Path shapeModel, BespokeSpec spec, String experiment,
                         Path config, Path out, StageTracking tracking) {
    }

    private BespokeTrainStage() {
    }

    public static BespokeTraining.Result run(Inputs in) {
        BespokeTraining.Settings s;
        try {
            s = in.spec().settings("calodream.bespoke");
        } catch (IllegalArgumentException e) {
            throw new UserError(in.config() + ": " + e.getMessage());
        }
        if (!Files.isDirectory(in.shapeModel())) throw new UserError("--shape-model: no such folder: " + in.shapeModel());
        Path sDir = DreamSampleStage.modelFolder(in.shapeModel(), ShapeCheckpoint.JSON_FILE);
        if (!Files.isRegularFile(sDir.resolve(ShapeCheckpoint.JSON_FILE))
                && Files.isRegularFile(DreamSampleStage.modelFolder(sDir, EnergyCheckpoint.JSON_FILE).resolve(EnergyCheckpoint.JSON_FILE)))
            throw new UserError("--shape-model " + in.shapeModel() + " holds an energy network, not a shape network");
        try (NDManager root = NDManager.newBaseManager(); ShapeModel sm = ShapeCheckpoint.load(sDir, root)) {
            var ns = sm.settings();
            Geometry g = in.geometry() != null ? in.geometry() : DreamSampleStage.geometryOf(ns, sDir);
            if (ns.layers() != g.layers() || !g.isUniform() || ns.alphas() != g.alphaBins(0) || ns.radii() != g.radialBins(0))
                throw new UserError(sDir.resolve(ShapeCheckpoint.JSON_FILE) + ": a network for " + ns.layers() + " × " + ns.alphas() + " × "
                        + ns.radii() + " voxels, not for geometry " + g.name());
            for (NDArray p : sm.parameters()) p.setRequiresGradient(false);   // frozen: no weight gradients
            try (ShowerSource source = ShowerSource.open(in.showers(), g)) {
                EnergyData.Split split = EnergyData.split(EnergyData.read(source), in.spec().valFraction(), in.spec().splitSeed(),
                        source.files().get(0).toString());
                String shapeSha = Sha256.of(sDir.resolve(ShapeCheckpoint.PARAMS_FILE));
                AtomicFiles.createFolder(in.out());
                StageManifest m = new StageManifest(STAGE);
                m.addInput(in.config());
                m.addInput(sDir.resolve(ShapeCheckpoint.PARAMS_FILE));
                List<String> shas = new ArrayList<>();
                for (Path f : source.files()) shas.add(m.addInput(f));
                Map<String, String> tags = new LinkedHashMap<>();
                tags.put(Tags.STAGE, STAGE);
                tags.put(Tags.GEOMETRY, g.name());
                tags.put(Tags.CONFIG_SHA256, Sha256.of(in.config()));
                tags.put(Tags.INPUT_SHA256, Sha256.of(String.join(",", shas)));
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("network", NAME);
                params.put("bespoke", in.spec());
                params.put("shape_model", sDir.toString());
                return StageRun.run(in.tracking(), in.experiment(), in.out().resolve(STAGE + ".journal.jsonl"), STAGE + "-" + NAME,
                        tags, Json.MAPPER.convertValue(params, Map.class), run -> {
                            Tracker tracker = run.tracker();
                            tracker.logArtifact(in.config(), "config");
                            DatasetInput input = ShowerDatasets.of(source.files(), shas, source.size(), g.name(), "conditions",
                                    Map.of("train_showers", (long) split.train().size(), "validation_showers", (long) split.select().size()));
                            tracker.logInput(input);
                            long t0 = System.nanoTime();
                            int every = Math.max(1, s.maxIterations() / 20);
                            BespokeTraining.Result r = BespokeTraining.train(sm.manager(), fields(sm, split.train()), fields(sm, split.select()),
                                    sm.encoding().voxels(), sm.dataType(), s, row -> {
                                        if (row.iteration() > 0) tracker.logMetric("train_loss", row.trainLoss(), row.iteration());
                                        if (!Double.isNaN(row.validationLoss())) tracker.logMetric("validation_loss", row.validationLoss(), row.iteration());
                                        if (row.iteration() % every == 0)
                                            System.err.printf(Locale.ROOT, "icaloflow dream train: bespoke iteration %d/%d train %s %.6g validation %.6g%n",
                                                    row.iteration(), s.maxIterations(), s.loss().key(), row.trainLoss(), row.validationLoss());
                                    });
                            double seconds = (System.nanoTime() - t0) / 1e9, peak = ProcessStats.peakRssMiB();
                            Path json = in.out().resolve(BespokeFile.JSON_FILE), history = in.out().resolve(HISTORY);
                            BespokeFile.write(json, tree(r, s, in, sDir, shapeSha, split, g, seconds, peak));
                            writeHistory(history, r);
                            tracker.logMetric("final_validation_loss", r.bestValidation(), r.iterations());
                            tracker.logMetric("euler_validation_loss", r.eulerValidation(), 0);
                            tracker.logMetric("peak_rss_mib", peak, r.iterations());
                            tracker.logParentMetrics(Map.of("validation_loss_dream_bespoke", r.bestValidation(),
                                    "validation_gte_dream_bespoke", r.comparison().bespokeGte(), "validation_gte_dream_euler", r.comparison().eulerGte()));
                            m.put("network", NAME);
                            m.put("geometry", g.name());
                            m.put("bespoke", in.spec());
                            m.put("conditions", Map.of("train", split.train().size(), "validation", split.select().size()));
                            m.put("result", Map.of("iterations", r.iterations(), "best_iteration", r.bestIteration(),
                                    "stopped_early", r.stoppedEarly(), "euler_validation_loss", r.eulerValidation(),
                                    "best_validation_loss", r.bestValidation(), "seconds", seconds, "peak_rss_mib", peak));
                            m.addOutput(json);
                            m.addOutput(history);
                            run.manifest(m, in.out().resolve(MANIFEST));
                            run.artifact(json, "model");
                            run.artifact(history, null);
                            System.err.printf(Locale.ROOT, "icaloflow dream train: bespoke N = %d (%s): validation %s %.6g (Euler %.6g), GTE %.6g (Euler %.6g, "
                                            + "reference's own %.3g) after %d iterations (best %d%s) in %.1f s -> %s%n",
                                    s.steps(), s.loss().key(), s.loss().key(), r.bestValidation(), r.eulerValidation(), r.comparison().bespokeGte(),
                                    r.comparison().eulerGte(), r.comparison().referenceGte(), r.iterations(), r.bestIteration(),
                                    r.stoppedEarly() ? ", stopped by patience" : "", seconds, json);
                            return r;
                        });
            }
        }
    }

    /** Conditions of rows drawn uniformly (with replacement) from {@code part}: the shape network's field for them. */
    static BespokeTraining.Fields fields(ShapeModel sm, EnergyData.Showers part) {
        int layers = part.layers(), n = part.size();
        double[] u = new EnergyRatios(layers, EnergyRatios.CALODREAM_F).ratios(part.layerEnergiesMeV(), part.eIncMeV());
        return (mgr, rng, batch) -> {
            double[] e = new double[batch], ub = new double[batch * layers];
            for (int i = 0; i < batch; i++) {
                int r = rng.nextInt(n);
                e[i] = part.eIncMeV()[r];
                System.arraycopy(u, r * layers, ub, i * layers, layers);
            }
            float[] c = ShapeCondition.conditions(e, ub, sm.conditionStandardisation());
            NDArray cond = mgr.create(c, new Shape(batch, layers + 1));
            if (sm.dataType() != DataType.FLOAT32) cond = cond.toType(sm.dataType(), false);
            return sm.network().field(cond);
        };
    }

    private static ObjectNode tree(BespokeTraining.Result r, BespokeTraining.Settings s, Inputs in, Path sDir, String shapeSha,
                                   EnergyData.Split split, Geometry g, double seconds, double peak) {
        ObjectNode o = BespokeFile.solverTree(r.best());
        o.put("loss", s.loss().key());
        ObjectNode shape = o.putObject("shapeModel");
        shape.put("folder", sDir.toString());
        shape.put("paramsSha256", shapeSha);
        o.put("geometry", g.name());
        o.set("training", Json.MAPPER.valueToTree(s));
        ObjectNode cond = o.putObject("conditions");
        cond.put("source", "showers");
        cond.put("trainShowers", split.train().size());
        cond.put("validationShowers", split.select().size());
        ObjectNode res = o.putObject("result");
        res.put("iterations", r.iterations());
        res.put("bestIteration", r.bestIteration());
        res.put("stoppedEarly", r.stoppedEarly());
        res.put("badIterations", r.badIterations());
        res.put("seconds", seconds);
        res.put("peakRssMiB", peak);
        ObjectNode v = o.putObject("validation");
        v.put("what", "means over " + s.validationBatches() + " held-out batches of " + s.batchSize() + " showers (fixed x_0 and conditions "
                + "from the validation showers); GTE (Eq. 16) = mean over showers of |x_ref(1) - x_N|^2, the squared norm over the "
                + g.voxels() + " standardised voxel features the network integrates (before decoding); LTE Eq. 17; x_ref: midpoint-"
                + s.referenceSteps());
        v.put("loss", s.loss().key());
        v.put("euler", r.eulerValidation());
        v.put("trained", r.bestValidation());
        v.put("trainedOverEuler", r.bestValidation() / r.eulerValidation());
        ObjectNode gte = v.putObject("gte");
        gte.put("euler", r.comparison().eulerGte());
        gte.put("trained", r.comparison().bespokeGte());
        for (var e : r.comparison().sameEvaluations().entrySet()) gte.put(e.getKey(), e.getValue());
        gte.put("reference", r.comparison().referenceGte());
        gte.put("referenceIs", "midpoint-" + s.referenceSteps() + " against RK4-" + s.referenceSteps() + ": the floor below which the training cannot see");
        gte.put("features", g.voxels());
        gte.put("eulerRmsPerFeature", Math.sqrt(r.comparison().eulerGte() / g.voxels()));
        gte.put("trainedRmsPerFeature", Math.sqrt(r.comparison().bespokeGte() / g.voxels()));
        return o;
    }

    private static void writeHistory(Path file, BespokeTraining.Result r) {
        StringBuilder b = new StringBuilder("iteration,train_loss,validation_loss\n");
        for (BespokeTraining.Row row : r.history())
            b.append(row.iteration()).append(',').append(num(row.trainLoss())).append(',').append(num(row.validationLoss())).append('\n');
        AtomicFiles.writeString(file, b.toString());
    }

    private static String num(double x) {
        return Double.isNaN(x) ? "" : String.format(Locale.ROOT, "%.8g", x);
    }

    /** The solver as saved, for a test or the sampler. */
    public static BespokeSolver.Coefficients coefficients(Path dir) {
        return BespokeFile.load(dir).coefficients();
    }
}
