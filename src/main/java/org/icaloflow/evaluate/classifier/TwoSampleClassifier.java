package org.icaloflow.evaluate.classifier;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.BufferedWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.icaloflow.UserError;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Csv;
import org.icaloflow.nn.Adam;

/**
 * The CaloChallenge classifier test: a neural network is trained to tell generated showers (label 0) from
 * reference showers (label 1); the better it does, the worse the generator. Protocol (per run):
 * <ol>
 * <li>each class is shuffled (seeded) and split 60:20:20 into train / test / validation;</li>
 * <li>an {@link Mlp} is trained with BCE-with-logits and Adam for {@code epochs} epochs on the (shuffled
 * each epoch) train split; after every epoch the test accuracy is measured and the weights of the best
 * epoch are kept;</li>
 * <li>its sigmoid outputs are calibrated by {@link IsotonicCalibration isotonic regression} fitted on the test
 * split;</li>
 * <li>on the untouched validation split: AUC of the calibrated outputs (as the evaluator reports; the raw
 * AUC is kept too), JSD = (ln 2 − BCE(calibrated))/ln 2, and the
 * per-shower weights w = C/(1 − C) of the calibrated output C ≈ p_ref/(p_ref + p_gen) — CaloDREAM's
 * diagnostic: w ≈ p_ref/p_gen, far from 1 where the generator is wrong.</li>
 * </ol>
 * {@code runs} independent runs (seed, seed+1, …) give mean and sample standard deviation (n − 1, {@link Csv#std};
 * the report and MLflow's {@code auc_*_std} use the same) of AUC and JSD, as the iCaloFlow paper's Table IV. The network runs on DJL's default device (a GPU when
 * present); the inputs stay on the host and go over per batch.
 */
public final class TwoSampleClassifier {
    public static final double TRAIN_FRACTION = 0.6;
    public static final double TEST_FRACTION = 0.2;
    /** Evaluation batches hold about this many input values. */
    private static final int EVAL_VALUES = 1 << 24;

    private TwoSampleClassifier() {
    }

    /**
     * One run.
     *
     * @param run              run number (0-based)
     * @param seed             its seed
     * @param bestEpoch        the kept epoch (1-based)
     * @param testAccuracy     its test accuracy
     * @param auc              validation AUC of the calibrated outputs (the number the evaluator reports)
     * @param aucRaw           validation AUC of the raw outputs; differs from {@code auc} only through scores
     *                         the monotone calibration merged into ties
     * @param jsd              (ln 2 − validation BCE of the calibrated outputs) / ln 2
     * @param weightsGenerated w = C/(1−C) of each generated validation shower
     * @param weightsReference w of each reference validation shower
     */
    public record RunResult(int run, long seed, int bestEpoch, double testAccuracy, double auc, double aucRaw,
                            double jsd, double[] weightsGenerated, double[] weightsReference) {
    }

    public record Result(List<RunResult> runs, double aucMean, double aucStd, double jsdMean, double jsdStd) {
    }

    /** One line of the results table: which sample, which input level (e.g. "low", "high"), which run. */
    public record Row(String sample, String level, int run, double auc, double jsd) {
    }

    /** {@link #run(RowSource, RowSource, ClassifierSettings, PrintStream)} on rows held in one array each. */
    public static Result run(float[] reference, float[] generated, int dim, ClassifierSettings s, PrintStream log) {
        return run(RowSource.of(reference, dim), RowSource.of(generated, dim), s, log);
    }

    /**
     * Runs the test {@code s.runs()} times on DJL's default device. {@code log} (may be null) gets one line
     * per epoch and per run. Non-finite inputs, mismatched dimensions or fewer than 5 showers in a class are
     * {@link UserError}s.
     */
    public static Result run(RowSource reference, RowSource generated, ClassifierSettings s, PrintStream log) {
        s.validate("classifier");
        check(reference, generated);
        List<RunResult> runs = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager()) {
            if (log != null) {
                log.printf(Locale.ROOT, "classifier: %d reference and %d generated showers, %d of each used, %d inputs, %d runs on %s%n",
                        reference.rows(), generated.rows(), showersPerClass(reference.rows(), generated.rows()), reference.dim(), s.runs(), root.getDevice());
            }
            for (int r = 0; r < s.runs(); r++) {
                RunResult rr = runOnce(root, reference, generated, s, r, s.seed() + r, log);
                runs.add(rr);
                if (log != null) {
                    log.printf(Locale.ROOT, "classifier run %d/%d: best epoch %d (test accuracy %.4f), AUC %.4f, JSD %.4f%n",
                            r + 1, s.runs(), rr.bestEpoch(), rr.testAccuracy(), rr.auc(), rr.jsd());
                }
            }
        }
        double[] auc = runs.stream().mapToDouble(RunResult::auc).toArray();
        double[] jsd = runs.stream().mapToDouble(RunResult::jsd).toArray();
        Result res = new Result(List.copyOf(runs), Csv.mean(auc), Csv.std(auc), Csv.mean(jsd), Csv.std(jsd));
        if (log != null) {
            log.printf(Locale.ROOT, "classifier: AUC %.4f ± %.4f, JSD %.4f ± %.4f over %d runs%n",
                    res.aucMean(), res.aucStd(), res.jsdMean(), res.jsdStd(), runs.size());
        }
        return res;
    }

    private static void check(RowSource reference, RowSource generated) {
        if (reference.dim() != generated.dim()) {
            throw new UserError("classifier inputs differ in width: reference " + reference.dim() + ", generated " + generated.dim());
        }
        for (RowSource src : List.of(reference, generated)) {
            String name = src == reference ? "reference" : "generated";
            if (src.rows() < 5) throw new UserError("classifier test needs at least 5 " + name + " showers, got " + src.rows());
            float[] row = new float[src.dim()];
            for (int i = 0; i < src.rows(); i++) {
                src.copyRow(i, row, 0);
                for (int j = 0; j < row.length; j++) {
                    if (!Float.isFinite(row[j])) {
                        throw new UserError(name + " classifier input of shower " + i + ", column " + j + " is " + row[j]);
                    }
                }
            }
        }
    }

    /** The three splits of both classes: each entry codes (label << 32 | row). */
    record Splits(long[] train, long[] test, long[] validation) {
    }

    /**
     * Showers each class contributes: the smaller class's count. The evaluator refuses unequal classes (an
     * unbalanced test makes AUC and JSD = (ln 2 − BCE)/ln 2 meaningless); we use the same number from both.
     */
    public static int showersPerClass(int referenceRows, int generatedRows) {
        return Math.min(referenceRows, generatedRows);
    }

    /**
     * Per class: seeded shuffle, keep the first {@link #showersPerClass} rows (so the larger class is subsampled
     * with the run's seed, a fresh subset each run), then the first 60 % train, next 20 % test, rest validation
     * (the evaluator's np.split).
     */
    static Splits split(int referenceRows, int generatedRows, SplittableRandom rng) {
        List<long[]> tr = new ArrayList<>(), te = new ArrayList<>(), va = new ArrayList<>();
        int n = showersPerClass(referenceRows, generatedRows);
        for (int label = 1; label >= 0; label--) {
            int[] perm = permutation(label == 1 ? referenceRows : generatedRows, rng);
            int nTrain = (int) (n * TRAIN_FRACTION), nTest = (int) (n * TEST_FRACTION);
            tr.add(code(label, perm, 0, nTrain));
            te.add(code(label, perm, nTrain, nTrain + nTest));
            va.add(code(label, perm, nTrain + nTest, n));
        }
        return new Splits(concat(tr), concat(te), concat(va));
    }

    private static long[] code(int label, int[] rows, int from, int to) {
        long[] out = new long[to - from];
        for (int i = from; i < to; i++) out[i - from] = ((long) label << 32) | rows[i];
        return out;
    }

    private static long[] concat(List<long[]> parts) {
        long[] out = new long[parts.stream().mapToInt(a -> a.length).sum()];
        int o = 0;
        for (long[] a : parts) {
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }

    static int label(long code) {
        return (int) (code >>> 32);
    }

    static int row(long code) {
        return (int) code;
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static void shuffle(long[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** One complete run (split, train with best-epoch selection, calibrate, score) with its own seed. */
    static RunResult runOnce(NDManager root, RowSource reference, RowSource generated, ClassifierSettings s,
                             int run, long seed, PrintStream log) {
        SplittableRandom rng = new SplittableRandom(seed);
        Splits sp = split(reference.rows(), generated.rows(), rng.split());
        long netSeed = rng.nextLong();
        SplittableRandom order = rng.split();
        int dim = reference.dim();
        RowSource[] byLabel = {generated, reference};
        int[] testLabels = labels(sp.test());
        try (NDManager runManager = root.newSubManager();
             Mlp net = new Mlp(runManager, dim, s.hiddenLayers(), s.hiddenWidth(), s.leakySlope(), netSeed, DataType.FLOAT32);
             Adam adam = new Adam(net.parameters(), s.learningRate(), 0.9, 0.999, 1e-8, null);
             NDManager bestManager = runManager.newSubManager()) {
            List<NDArray> best = null;
            double bestAcc = -1;
            int bestEpoch = 0;
            long[] train = sp.train().clone();
            int batch = s.batchSize();
            for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                shuffle(train, order);
                double lossSum = 0;
                try (Gatherer g = new Gatherer(byLabel, train, batch)) {
                    for (Gatherer.Batch b = g.next(); b != null; b = g.next()) {
                        lossSum += step(runManager, net, adam, b.x(), b.y(), b.n(), dim) * b.n();
                    }
                }
                double trainLoss = lossSum / train.length;
                if (!Double.isFinite(trainLoss)) {
                    throw new UserError("classifier training diverged (loss " + trainLoss + ") in run " + (run + 1)
                            + ", epoch " + epoch + "; try a lower classifier.learningRate");
                }
                double acc = ClassifierMetrics.accuracy(logits(runManager, net, byLabel, sp.test()), testLabels);
                boolean improved = acc > bestAcc; // strict: the first of equal epochs is kept, as the evaluator
                if (improved) {
                    bestAcc = acc;
                    bestEpoch = epoch;
                    if (best != null) best.forEach(NDArray::close);
                    best = net.snapshot(bestManager);
                }
                boolean perfect = acc == 1.0; // as the evaluator: nothing left to select, stop early
                if (log != null) {
                    log.printf(Locale.ROOT, "classifier run %d epoch %d/%d: train BCE %.5f, test accuracy %.4f%s%n",
                            run + 1, epoch, s.epochs(), trainLoss, acc, improved ? " (best)" : "");
                }
                if (perfect) break;
            }
            net.restore(best);
            double[] testProb = sigmoid(logits(runManager, net, byLabel, sp.test()));
            double[] testY = new double[testLabels.length];
            for (int i = 0; i < testY.length; i++) testY[i] = testLabels[i];
            double clip = s.probabilityClip();
            IsotonicCalibration cal = IsotonicCalibration.fit(testProb, testY, clip, 1 - clip);

            int[] valLabels = labels(sp.validation());
            double[] valProb = sigmoid(logits(runManager, net, byLabel, sp.validation()));
            double[] valCal = cal.apply(valProb);
            for (int i = 0; i < valCal.length; i++) valCal[i] = Math.min(1 - clip, Math.max(clip, valCal[i]));
            double aucRaw = ClassifierMetrics.auc(valProb, valLabels);
            double auc = ClassifierMetrics.auc(valCal, valLabels);
            double jsd = ClassifierMetrics.jsd(ClassifierMetrics.bce(valCal, valLabels));
            int nRef = 0;
            for (int l : valLabels) nRef += l;
            double[] wGen = new double[valLabels.length - nRef], wRef = new double[nRef];
            int a = 0, b = 0;
            for (int i = 0; i < valCal.length; i++) {
                double w = valCal[i] / (1 - valCal[i]);
                if (valLabels[i] == 1) wRef[b++] = w; else wGen[a++] = w;
            }
            return new RunResult(run, seed, bestEpoch, bestAcc, auc, aucRaw, jsd, wGen, wRef);
        }
    }

    /** One Adam step on the first n rows of the batch buffers; returns the batch's mean BCE. */
    private static double step(NDManager parent, Mlp net, Adam adam, float[] xb, float[] yb, int n, int dim) {
        try (NDManager m = parent.newSubManager()) {
            NDArray x = m.create(n == yb.length ? xb : Arrays.copyOf(xb, n * dim), new Shape(n, dim));
            NDArray y = m.create(n == yb.length ? yb : Arrays.copyOf(yb, n));
            double loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = Mlp.bceWithLogits(net.logits(x, false), y);
                loss = l.getFloat();
                gc.backward(l);
            }
            adam.step();
            return loss;
        }
    }

    /** Logits of the given (label, row) entries, in order, without gradients. */
    static float[] logits(NDManager parent, Mlp net, RowSource[] byLabel, long[] entries) {
        int dim = net.inputDim();
        int per = Math.max(1, Math.min(entries.length, EVAL_VALUES / dim));
        float[] out = new float[entries.length];
        int from = 0;
        try (Gatherer g = new Gatherer(byLabel, entries, per)) {
            for (Gatherer.Batch b = g.next(); b != null; b = g.next()) {
                try (NDManager m = parent.newSubManager()) {
                    NDArray x = m.create(b.n() * dim == b.x().length ? b.x() : Arrays.copyOf(b.x(), b.n() * dim), new Shape(b.n(), dim));
                    float[] z = net.logits(x, true).toFloatArray();
                    System.arraycopy(z, 0, out, from, b.n());
                }
                from += b.n();
            }
        }
        return out;
    }

    /**
     * Copies the rows of consecutive batches into host buffers on a background thread, one batch ahead of
     * the consumer (double buffering), so that gathering rows (about 160 MB per batch of dataset-3 low-level
     * input) overlaps the device's work on the previous batch. The order of rows is that of {@code entries}.
     */
    static final class Gatherer implements AutoCloseable {
        record Batch(float[] x, float[] y, int n) {
        }

        private final RowSource[] byLabel;
        private final long[] entries;
        private final int batch;
        private final int dim;
        private final float[][] xs = new float[2][];
        private final float[][] ys = new float[2][];
        private final ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "classifier-gather");
            t.setDaemon(true);
            return t;
        });
        private Future<Batch> pending;
        private int nextFrom;
        private int slot;

        Gatherer(RowSource[] byLabel, long[] entries, int batch) {
            this.byLabel = byLabel;
            this.entries = entries;
            this.batch = batch;
            this.dim = byLabel[0].dim();
            submit();
        }

        private void submit() {
            if (nextFrom >= entries.length) {
                pending = null;
                return;
            }
            final int from = nextFrom, n = Math.min(batch, entries.length - from), k = slot;
            nextFrom += n;
            slot ^= 1;
            pending = exec.submit(() -> {
                if (xs[k] == null) {
                    xs[k] = new float[batch * dim];
                    ys[k] = new float[batch];
                }
                float[] x = xs[k], y = ys[k];
                for (int i = 0; i < n; i++) {
                    long c = entries[from + i];
                    byLabel[label(c)].copyRow(row(c), x, i * dim);
                    y[i] = label(c);
                }
                return new Batch(x, y, n);
            });
        }

        /** The next batch (its buffers are valid until the call after next), or null at the end. */
        Batch next() {
            if (pending == null) return null;
            Batch b;
            try {
                b = pending.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while gathering classifier batches", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IllegalStateException(e.getCause());
            }
            submit();
            return b;
        }

        @Override
        public void close() {
            exec.shutdownNow();
        }
    }

    private static int[] labels(long[] entries) {
        int[] y = new int[entries.length];
        for (int i = 0; i < y.length; i++) y[i] = label(entries[i]);
        return y;
    }

    /** σ(z) in double precision (keeps distinct large logits distinct, unlike a float sigmoid near 1). */
    private static double[] sigmoid(float[] z) {
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) p[i] = ClassifierMetrics.sigmoid(z[i]);
        return p;
    }

    /** Table rows of one result: one per run. */
    public static List<Row> rows(String sample, String level, Result r) {
        List<Row> out = new ArrayList<>();
        for (RunResult rr : r.runs()) out.add(new Row(sample, level, rr.run(), rr.auc(), rr.jsd()));
        return out;
    }

    /** Writes {@code sample,level,run,auc,jsd} rows (atomically). Sample and level must not contain commas. */
    public static void writeCsv(Path file, List<Row> rows) {
        for (Row r : rows) {
            if (r.sample().contains(",") || r.level().contains(",") || r.sample().contains("\n") || r.level().contains("\n")) {
                throw new IllegalArgumentException("sample/level names must not contain commas or newlines: " + r);
            }
        }
        AtomicFiles.write(file, tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write("sample,level,run,auc,jsd\n");
                for (Row r : rows) {
                    w.write(String.format(Locale.ROOT, "%s,%s,%d,%.17g,%.17g%n", r.sample(), r.level(), r.run(), r.auc(), r.jsd()));
                }
            }
        });
    }
}
