package org.icaloflow.evaluate;

import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.data.StageManifest;
import org.icaloflow.evaluate.classifier.ClassifierInputs;
import org.icaloflow.evaluate.classifier.ClassifierSettings;
import org.icaloflow.stage.StageRun;
import org.icaloflow.stage.StageTracking;
import org.icaloflow.track.DatasetInput;
import org.icaloflow.track.ShowerDatasets;
import org.icaloflow.track.Tags;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluate stage: histograms and separation powers of generated vs reference showers, optionally the classifier
 * test and FPD/KPD; outputs, manifest.json and an MLflow run (evaluate.journal.jsonl) in one folder.
 */
public final class EvaluateStage {
    /** The FPD/KPD bootstrap's seed, fixed so that reruns agree. */
    static final long FPD_KPD_SEED = 42;

    /**
     * @param batch             showers read per batch (0: about 4 million voxels' worth)
     * @param threads           threads filling histograms
     * @param classifierLevels  null: no classifier test; else "low" and/or "high"
     * @param classifier        the classifier's settings, checked (ignored without levels)
     * @param classifierShowers at most this many showers of each sample (0: all)
     */
    public record Inputs(Geometry geometry, List<Path> reference, List<Evaluation.Sample> samples, Path out,
                         double thresholdMeV, int batch, int threads, boolean plots, List<String> classifierLevels,
                         ClassifierSettings classifier, long classifierShowers, ClassifierInputs.HlfSet hlfSet,
                         boolean fpdKpd, StageTracking tracking) {
    }

    private EvaluateStage() {
    }

    public static Evaluation.Result run(Inputs in) {
        Geometry g = in.geometry();
        Path out = in.out();
        AtomicFiles.createFolder(out);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("geometry", g.name());
        settings.put("threshold_mev", in.thresholdMeV());
        settings.put("samples", in.samples().stream().map(Evaluation.Sample::name).toList());
        settings.put("plots", in.plots());
        settings.put("hlf_set", in.hlfSet().label());
        settings.put("fpd_kpd", in.fpdKpd());
        return StageRun.run(in.tracking(), null, out.resolve("evaluate.journal.jsonl"), "evaluate",
                Map.of(Tags.STAGE, "evaluate", Tags.GEOMETRY, g.name()), settings, run -> {
                    Evaluation.Result r = evaluate(in, run, settings);
                    EvaluationTracking.log(run, out);
                    return r;
                });
    }

    private static Evaluation.Result evaluate(Inputs in, StageRun run, Map<String, Object> settings) {
        Geometry g = in.geometry();
        Path out = in.out();
        List<Path> reference = in.reference();
        Evaluation ev = new Evaluation(g, in.thresholdMeV(), in.batch(), in.threads(), System.err);
        Evaluation.Result r = ev.run(reference, in.samples(), out, in.plots());
        if (in.classifierLevels() != null)
            ClassifierRun.run(g, in.thresholdMeV(), reference, in.samples(), in.classifierLevels(), in.classifier(),
                    in.classifierShowers(), in.hlfSet(), out, System.err);
        if (in.fpdKpd()) FpdKpdRun.run(g, in.thresholdMeV(), reference, in.samples(), in.hlfSet(), FPD_KPD_SEED, out, System.err);
        StageManifest m = new StageManifest("evaluate");
        List<Path> referenceFiles = new ArrayList<>();
        List<String> referenceSha = new ArrayList<>();
        for (Path p : reference) {
            for (Path q : ShowerSource.expand(p)) {
                referenceFiles.add(q);
                referenceSha.add(m.addInput(q));
            }
        }
        long referenceShowers;
        try (ShowerSource src = ShowerSource.open(reference, g)) {
            referenceShowers = src.size();
        }
        // the reference as the run's (and the pipeline's) evaluation dataset: MLflow's runs table shows which one
        DatasetInput referenceInput = ShowerDatasets.of(referenceFiles, referenceSha, referenceShowers, g.name(), "evaluation", null);
        run.tracker().logInput(referenceInput);
        run.tracker().logParentInput(referenceInput);
        for (Evaluation.Sample s : in.samples()) for (Path p : s.files()) for (Path q : ShowerSource.expand(p)) m.addInput(q);
        for (String f : List.of("histograms.csv", "separation_power.csv", "summary.json")) m.addOutput(out.resolve(f));
        if (in.classifierLevels() != null) {
            m.addOutput(out.resolve("classifier.csv"));
            m.addOutput(out.resolve("classifier_info.csv"));
        }
        if (in.fpdKpd()) m.addOutput(out.resolve("fpd_kpd.csv"));
        m.put("settings", settings);
        run.manifest(m, out.resolve("manifest.json"));
        return r;
    }
}
