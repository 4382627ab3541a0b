package org.icaloflow.evaluate;

import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.evaluate.classifier.ClassifierControl;
import org.icaloflow.evaluate.classifier.ClassifierInputs;
import org.icaloflow.evaluate.classifier.ClassifierSettings;
import org.icaloflow.evaluate.classifier.TwoSampleClassifier;
import org.icaloflow.evaluate.classifier.ClassifierWeights;
import org.icaloflow.evaluate.classifier.RowSource;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The classifier test of `icaloflow evaluate`: for each generated sample and each level (low: voxels,
 * high: the CaloChallenge high-level features), N independent classifier runs against the reference;
 * then, per level, the control row (the reference against the truth sample, or else against the other reference
 * half, with voxel energies × 1.1, {@link ClassifierControl}); writes classifier.csv (sample, level, run, auc, jsd), the weight histograms and tail fractions.
 */
public final class ClassifierRun {
    private ClassifierRun() {
    }

    public static Map<String, TwoSampleClassifier.Result> run(Geometry g, double thresholdMeV, List<Path> reference,
                                                         List<Evaluation.Sample> samples, List<String> levels,
                                                         ClassifierSettings s, long maxShowers, Path out, PrintStream log) {
        return run(g, thresholdMeV, reference, samples, levels, s, maxShowers, ClassifierInputs.HlfSet.CHALLENGE, out, log);
    }

    /**
     * As above with the high-level input set {@code hlf}. Besides classifier.csv (unchanged format) it writes
     * classifier_info.csv: {@code sample,level,hlf_set,showers_per_class,control_auc} (the equal number of showers each
     * class contributed, {@link TwoSampleClassifier#showersPerClass}; the mean AUC of the level's control); the hlf_set is
     * "-" for the low level. At every level, after the samples, the control row ({@link ClassifierControl}: the reference
     * against the "truth" sample when there is one, else reference half A against half B, with voxel energies × 1.1)
     * runs with the same settings, as sample "control".
     */
    public static Map<String, TwoSampleClassifier.Result> run(Geometry g, double thresholdMeV, List<Path> reference,
                                                         List<Evaluation.Sample> samples, List<String> levels,
                                                         ClassifierSettings s, long maxShowers, ClassifierInputs.HlfSet hlf,
                                                         Path out, PrintStream log) {
        StringBuilder info = new StringBuilder("sample,level,hlf_set,showers_per_class,control_auc\n");
        for (Evaluation.Sample sample : samples)
            if (sample.name().equalsIgnoreCase(ClassifierControl.NAME))
                throw new UserError("--generated: the sample name '" + ClassifierControl.NAME + "' is reserved for the classifier's control row");
        for (String l : levels)
            if (!l.equals("low") && !l.equals("high")) throw new UserError("--classifier: levels are low and high, got '" + l + "'");
        Map<String, TwoSampleClassifier.Result> results = new LinkedHashMap<>();
        List<Plot.Panel> weightPanels = new ArrayList<>();
        double[] edges = ClassifierWeights.logEdges(1e-3, 1e3, 60);
        List<TwoSampleClassifier.Row> rows = new ArrayList<>();
        StringBuilder tails = new StringBuilder("sample,level,run,generated_above2,generated_above5,generated_below0p5,generated_below0p2\n");
        for (String level : levels) {
            RowSource ref = inputs(g, thresholdMeV, reference, level, maxShowers, hlf);
            int smallest = ref.rows();
            int truthRows = -1;
            List<String> levelInfo = new ArrayList<>();
            for (Evaluation.Sample sample : samples) {
                log.printf(Locale.ROOT, "classifier: %s vs reference, %s level, %d run(s)%n", sample.name(), level, s.runs());
                RowSource gen = inputs(g, thresholdMeV, sample.files(), level, maxShowers, hlf);
                int perClass = TwoSampleClassifier.showersPerClass(ref.rows(), gen.rows());
                smallest = Math.min(smallest, perClass);
                if (sample.name().equals(ClassifierControl.TRUTH)) truthRows = gen.rows();
                log.printf(Locale.ROOT, "classifier: %s %s level%s: %d showers of each class (reference %d, %s %d; the larger drawn with the run's seed)%n",
                        sample.name(), level, level.equals("high") ? " (" + hlf.label() + " set, " + ref.dim() + " inputs)" : "",
                        perClass, ref.rows(), sample.name(), gen.rows());
                levelInfo.add(String.format(Locale.ROOT, "%s,%s,%s,%d", sample.name(), level, level.equals("high") ? hlf.label() : "-", perClass));
                TwoSampleClassifier.Result r = TwoSampleClassifier.run(ref, gen, s, log);
                results.put(sample.name() + "/" + level, r);
                rows.addAll(TwoSampleClassifier.rows(sample.name(), level, r));
                ClassifierWeights.writeHistogramCsv(out.resolve("classifier_weights_" + sample.name() + "_" + level + ".csv"), r.runs(), 1e-3, 1e3, 60);
                TwoSampleClassifier.RunResult first = r.runs().get(0);
                weightPanels.add(Plot.histograms(sample.name() + ", " + level + " level: w = C/(1-C)", "classifier weight w", "density",
                        edges, List.of(new Plot.Series("reference", Plot.REFERENCE, density(first.weightsReference(), edges)),
                                new Plot.Series(sample.name(), Plot.sampleColour(0), density(first.weightsGenerated(), edges))),
                        true, true));
                for (TwoSampleClassifier.RunResult rr : r.runs()) {
                    ClassifierWeights.Tails t = ClassifierWeights.tails(rr.weightsGenerated());
                    tails.append(String.format(Locale.ROOT, "%s,%s,%d,%.6g,%.6g,%.6g,%.6g%n", sample.name(), level, rr.run(),
                            t.above2(), t.above5(), t.below0p5(), t.below0p2()));
                }
                log.printf(Locale.ROOT, "classifier: %s %s: AUC %.4f ± %.4f, JSD %.4f ± %.4f%n", sample.name(), level,
                        r.aucMean(), r.aucStd(), r.jsdMean(), r.jsdStd());
            }
            // the control row: can this test, with these settings and this many showers, see a known distortion?
            int n;
            RowSource a, b;
            if (truthRows >= 0) {
                // the truth sample distorted, as many showers per class as the smallest test (smallest <= truthRows)
                n = Math.min(smallest, truthRows);
                Evaluation.Sample truth = samples.stream().filter(x -> x.name().equals(ClassifierControl.TRUTH)).findFirst().orElseThrow();
                log.printf(Locale.ROOT, "classifier: control %s level: reference vs the truth sample with voxel energies x %.2f, %d showers each%n",
                        level, ClassifierControl.ENERGY_SCALE, n);
                a = ref;
                b = distortedInputs(g, thresholdMeV, truth.files(), level, hlf, ClassifierControl.draw(truthRows, n, s.seed()));
            } else {
                n = ClassifierControl.showersPerClass(ref.rows(), smallest);
                int[][] halves = ClassifierControl.halves(ref.rows(), n, s.seed());
                log.printf(Locale.ROOT, "classifier: control %s level: reference half A vs half B with voxel energies x %.2f, %d showers each%n",
                        level, ClassifierControl.ENERGY_SCALE, n);
                a = ClassifierControl.subset(ref, halves[0]);
                b = distortedInputs(g, thresholdMeV, reference, level, hlf, halves[1]);
            }
            TwoSampleClassifier.Result c = TwoSampleClassifier.run(a, b, s, log);
            results.put(ClassifierControl.NAME + "/" + level, c);
            rows.addAll(TwoSampleClassifier.rows(ClassifierControl.NAME, level, c));
            levelInfo.add(String.format(Locale.ROOT, "%s,%s,%s,%d", ClassifierControl.NAME, level, level.equals("high") ? hlf.label() : "-", n));
            for (String line : levelInfo) info.append(line).append(String.format(Locale.ROOT, ",%.6f%n", c.aucMean()));
            boolean powered = c.aucMean() >= ClassifierControl.MIN_AUC;
            log.printf(Locale.ROOT, "classifier: control %s: AUC %.4f ± %.4f%s%n", level, c.aucMean(), c.aucStd(),
                    powered ? "" : " < " + ClassifierControl.MIN_AUC + ": this level's test is UNDER-POWERED, its AUCs are no result");
        }
        TwoSampleClassifier.writeCsv(out.resolve("classifier.csv"), rows);
        org.icaloflow.data.AtomicFiles.writeString(out.resolve("classifier_info.csv"), info.toString());
        // CaloDREAM's diagnostic: where the classifier finds generated showers too rare (w > 1) or too common (w < 1)
        Plot.save(out.resolve("plots").resolve("classifier_weights.png"), "Classifier weights on the validation showers (run 0)",
                2, 560, 380, weightPanels);
        org.icaloflow.data.AtomicFiles.writeString(out.resolve("classifier_weight_tails.csv"), tails.toString());
        return results;
    }

    /** Density of {@code w} over {@code edges} (under- and overflow left out). */
    static double[] density(double[] w, double[] edges) {
        double[] h = ClassifierWeights.histogram(w, edges);
        double[] d = new double[edges.length - 1];
        double total = 0;
        for (int i = 0; i < d.length; i++) total += h[i + 1];
        for (int i = 0; i < d.length; i++) d[i] = total > 0 ? h[i + 1] / total / (edges[i + 1] - edges[i]) : 0;
        return d;
    }

    /**
     * The classifier's input rows of the showers {@code rows} of {@code files} (sorted, indices as {@link #inputs}
     * reads them), each distorted by {@link ClassifierControl#distort} before the inputs are formed.
     */
    static RowSource distortedInputs(Geometry g, double thr, List<Path> files, String level, ClassifierInputs.HlfSet hlf, int[] rows) {
        try (ShowerSource src = ShowerSource.open(files, g)) {
            int voxels = g.voxels();
            int step = Math.max(1, Math.min(2000, (1 << 24) / voxels));
            List<float[]> blocks = new ArrayList<>();
            int k = 0;
            while (k < rows.length) {
                // read the next span of step rows from the next selected one, keep the selected rows in it
                long from = rows[k];
                int span = (int) Math.min(step, src.size() - from);
                ShowerBatch read = src.read(from, span);
                int count = 0;
                while (k + count < rows.length && rows[k + count] < from + span) count++;
                double[] inc = new double[count];
                float[] sh = new float[count * voxels];
                for (int i = 0; i < count; i++) {
                    int local = (int) (rows[k + i] - from);
                    inc[i] = read.incidentEnergyMeV()[local];
                    System.arraycopy(read.showersMeV(), local * voxels, sh, i * voxels, voxels);
                }
                ShowerBatch b = ClassifierControl.distort(new ShowerBatch(inc, sh, voxels));
                if (level.equals("low")) {
                    blocks.add(ClassifierInputs.lowLevel(b.incidentEnergyMeV(), b.showersMeV(), voxels, thr));
                } else {
                    ShowerFeatures f = ShowerFeatures.compute(g, b.showersMeV(), count, thr);
                    blocks.add(ClassifierInputs.select(ClassifierInputs.highLevel(b.incidentEnergyMeV(), f.eTot(), f.eLayer(), f.ecEta(), f.ecPhi(),
                            f.widthEta(), f.widthPhi(), f.sparsity(), f.ecR(), f.widthR()), g.layers(), hlf));
                }
                k += count;
            }
            return RowSource.ofBlocks(blocks, level.equals("low") ? voxels + 1 : hlf.dim(g.layers()));
        }
    }

    /** The classifier's input rows of some files at one level. */
    static RowSource inputs(Geometry g, double thr, List<Path> files, String level, long maxShowers, ClassifierInputs.HlfSet hlf) {
        try (ShowerSource src = ShowerSource.open(files, g)) {
            if (level.equals("low")) return ClassifierInputs.lowLevelRows(src, thr, maxShowers, 1 << 26);
            long n = maxShowers > 0 ? Math.min(maxShowers, src.size()) : src.size();
            int dim = hlf.dim(g.layers());
            List<float[]> blocks = new ArrayList<>();
            int step = Math.max(1, Math.min(2000, (1 << 24) / g.voxels()));
            for (long from = 0; from < n; from += step) {
                int c = (int) Math.min(step, n - from);
                ShowerBatch b = src.read(from, c);
                ShowerFeatures f = ShowerFeatures.compute(g, b.showersMeV(), c, thr);
                blocks.add(ClassifierInputs.select(ClassifierInputs.highLevel(b.incidentEnergyMeV(), f.eTot(), f.eLayer(), f.ecEta(), f.ecPhi(),
                        f.widthEta(), f.widthPhi(), f.sparsity(), f.ecR(), f.widthR()), g.layers(), hlf));
            }
            return RowSource.ofBlocks(blocks, dim);
        }
    }
}
