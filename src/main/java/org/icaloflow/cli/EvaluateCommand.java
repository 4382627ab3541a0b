package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.evaluate.EvaluateStage;
import org.icaloflow.evaluate.Evaluation;
import org.icaloflow.evaluate.classifier.ClassifierControl;
import org.icaloflow.evaluate.classifier.ClassifierInputs;
import org.icaloflow.evaluate.classifier.ClassifierSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code icaloflow evaluate}: histograms, separation powers and figures of generated vs reference showers. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Compare generated showers with a reference: histograms, separation powers, plots.",
        descriptionHeading = "%n",
        description = {
                "Computes the CaloChallenge high-level features (E_tot/E_inc; per layer energy, centres of "
                        + "energy and widths in eta, phi and r, sparsity) and voxel-energy spectra of the reference "
                        + "and every generated sample, fills density-normalised histograms on binnings fixed by the "
                        + "reference (the official ones where they exist; docs/evaluation.md) and reports the "
                        + "separation power 1/2 sum (p1-p2)^2/(p1+p2) of each (0: identical, 1: disjoint).",
                "",
                "Writes into --out: histograms.csv (observable, bin edges, reference and sample densities), "
                        + "separation_power.csv (observable, sample, separation power), summary.json (per-group "
                        + "means, shower counts, files), manifest.json (inputs with SHA-256, settings) and plots/*.png (step histograms with ratio panels, mean "
                        + "energy per layer, voxel spectra, average shower images and per-ring box plots for layers "
                        + "1, 10, 20 and 45). Prints a table of the mean separation power per feature group.",
                "",
                "Files are streamed in batches: the reference is read twice (binning, then filling), every "
                        + "generated file once."},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n",
        footer = {"Example (teacher and student on the same axes):",
                "  icaloflow evaluate --geometry ds2 --reference dataset_2_2.hdf5 \\",
                "      --generated teacher=teacher.hdf5 --generated student=student.hdf5 --out evaluation"})
public final class EvaluateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions.ReadGeometry geometry;

    @Option(names = {"-r", "--reference"}, required = true, arity = "1", paramLabel = "FILE.hdf5",
            description = "Reference (Geant4) showers; repeat for several files (read in order as one sample).")
    List<Path> reference;

    @Option(names = "--generated", required = true, arity = "1", paramLabel = "NAME=FILE.hdf5",
            description = "A generated sample and its legend name; repeat for several samples (e.g. teacher=..., student=...). "
                    + "Several files of one sample: NAME=A.hdf5,B.hdf5.")
    List<String> generated;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Mixin
    CommonOptions.ShowerReading reading;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads filling histograms (default: the available processors).")
    Integer threads;

    @Option(names = "--no-plots", description = "Skip the PNG figures.")
    boolean noPlots;

    @Option(names = "--classifier", paramLabel = "low,high", split = ",",
            description = "Also train classifiers on voxels (low) and/or high-level features (high) to tell generated from reference; "
                    + "at each level a 'control' row (the reference vs the sample named 'truth', else vs the other reference half, with voxel energies x 1.1) checks that the test has the power to see a difference.")
    List<String> classifier;

    @Option(names = "--runs", paramLabel = "N", description = "Classifier: independent trainings to average (default 10).")
    Integer runs;

    @Option(names = "--epochs", paramLabel = "E", description = "Classifier: training epochs (default 50).")
    Integer epochs;

    @Option(names = "--classifier-batch", paramLabel = "B", description = "Classifier: training samples per Adam step "
            + "(default 1000, as the CaloChallenge; with a few thousand showers per class a smaller batch gives the network "
            + "enough steps to pass the control row).")
    Integer classifierBatch;

    @Option(names = "--classifier-width", paramLabel = "W", description = "Classifier: hidden width (default 2048, as the CaloChallenge).")
    Integer classifierWidth;

    @Option(names = "--classifier-layers", paramLabel = "N", description = "Classifier: hidden layers (default 3).")
    Integer classifierLayers;

    @Option(names = "--classifier-showers", paramLabel = "N", defaultValue = "0",
            description = "Classifier: use at most N showers of each sample (default: all).")
    long classifierShowers;

    @Option(names = "--hlf-set", paramLabel = "challenge|paper", defaultValue = "challenge",
            description = "High-level classifier inputs: challenge (the CaloChallenge evaluator since 27 Nov 2023: 2 + 8L, 362 for ds2) "
                    + "or paper (the mid-2023 evaluator of the iCaloFlow paper's Table IV: 1 + 5L, 226 for ds2). Default ${DEFAULT-VALUE}.")
    String hlfSet;

    @Option(names = "--fpd-kpd", paramLabel = "true|false", defaultValue = "true", arity = "1",
            description = "Also compute FPD and KPD (x10^3) on the high-level features of the --hlf-set, as the CaloChallenge "
                    + "evaluator does with jetnet; writes fpd_kpd.csv (default ${DEFAULT-VALUE}).")
    boolean fpdKpd;

    @Mixin
    TrackingOptions tracking;

    @Override
    public void run() {
        ClassifierInputs.HlfSet hlf = ClassifierInputs.HlfSet.parse(hlfSet, "--hlf-set");
        if (classifier == null && (runs != null || epochs != null || classifierBatch != null || classifierWidth != null || classifierLayers != null))
            throw new UserError("--runs, --epochs and --classifier-* need --classifier low,high");
        if (classifier != null)
            for (String l : classifier)
                if (!l.equals("low") && !l.equals("high")) throw new UserError("--classifier: levels are low and high, got '" + l + "'");
        int batch = reading.batch();
        double threshold = reading.threshold;
        if (!(threshold > 0)) throw new UserError("--threshold must be > 0 (it starts the log binnings), got " + threshold);
        Geometry g = geometry.get();
        List<Evaluation.Sample> samples = parseSamples(generated);
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) throw new UserError("--threads must be at least 1, got " + t);
        Evaluation.Result r = EvaluateStage.run(new EvaluateStage.Inputs(g, reference, samples, out, threshold, batch, t,
                !noPlots, classifier, classifierSettings(), classifierShowers, hlf, fpdKpd, tracking.inputs()));
        PrintWriter w = spec.commandLine().getOut();
        w.print(Evaluation.table(r));
        w.println("results in " + out);
        w.flush();
    }

    /** The classifier's settings from --runs, --epochs and --classifier-*, checked; null without --classifier. */
    private ClassifierSettings classifierSettings() {
        if (classifier == null) return null;
        ClassifierSettings cs = ClassifierSettings.defaults();
        if (classifierLayers != null || classifierWidth != null)
            cs = cs.withNetwork(classifierLayers != null ? classifierLayers : cs.hiddenLayers(), classifierWidth != null ? classifierWidth : cs.hiddenWidth());
        if (epochs != null || classifierBatch != null)
            cs = cs.withTraining(epochs != null ? epochs : cs.epochs(), classifierBatch != null ? classifierBatch : cs.batchSize(),
                    cs.learningRate());
        if (runs != null) cs = cs.withRuns(runs, cs.seed());
        cs.validate("--classifier");
        return cs;
    }

    static List<Evaluation.Sample> parseSamples(List<String> specs) {
        List<Evaluation.Sample> s = new ArrayList<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1)
                throw new UserError("--generated '" + spec + "': expected NAME=FILE.hdf5 (e.g. teacher=teacher.hdf5)");
            String name = spec.substring(0, eq).strip();
            if (!name.matches("[A-Za-z0-9_.+-]+"))
                throw new UserError("--generated '" + spec + "': NAME may use letters, digits and _ . + - only");
            if (name.equalsIgnoreCase(ClassifierControl.NAME))
                throw new UserError("--generated '" + spec + "': the name '" + name + "' is reserved for the classifier test's control row");
            List<Path> files = new ArrayList<>();
            for (String f : spec.substring(eq + 1).split(",")) if (!f.isBlank()) files.add(Path.of(f.strip()));
            if (files.isEmpty()) throw new UserError("--generated '" + spec + "': no file after NAME=");
            s.add(new Evaluation.Sample(name, files));
        }
        return s;
    }
}
