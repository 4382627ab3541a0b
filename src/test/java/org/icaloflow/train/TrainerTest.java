package org.icaloflow.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.FlowRole;
import org.icaloflow.UserError;
import org.icaloflow.flow.EvalKernels;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    @TempDir
    Path dir;

    static final FlowSpec SPEC = FlowSpec.create(FlowKind.MAF, 2, 1, 1, 16, 2, 8, 5.0, 7L, null, null, null);

    /** x ~ N(mu(c), sigma(c)) per feature, c uniform in [-1, 1]. */
    static InMemoryData gaussians(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[2 * n], c = new float[n];
        for (int i = 0; i < n; i++) {
            double ci = r.nextDouble(-1, 1);
            c[i] = (float) ci;
            x[2 * i] = (float) (ci + 0.3 * gauss(r));
            x[2 * i + 1] = (float) (-ci + (0.5 + 0.3 * ci) * gauss(r));
        }
        return new InMemoryData(x, 2, c, 1);
    }

    static double gauss(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    static TrainingSettings settings(int epochs, int selectEvery) {
        return new TrainingSettings(epochs, 50, new LearningRateSchedule.OneCycle(1e-3, 1e-2), selectEvery, 0, 5, 3, 10, 11L);
    }

    Trainer.Result train(Path out, TrainingData data, TrainingSettings s, boolean resume, long stopAfter) {
        PrintStream log = new PrintStream(new ByteArrayOutputStream());
        return Trainer.flow(SPEC, data, gaussians(300, 99), new Trainer.Options("t", s, out, resume, stopAfter, log), null).run();
    }

    static float[] logProbs(Path model) {
        try (NDManager m = NDManager.newBaseManager(); Flow f = FlowCheckpoint.load(model, m, SPEC)) {
            InMemoryData probe = gaussians(64, 5);
            TrainingData.Batch b = probe.batches(64, false, 0, 0).next();
            NDArray lp = f.logProb(m.create(b.x(), new Shape(64, 2)), m.create(b.c(), new Shape(64, 1)));
            return lp.toFloatArray();
        }
    }

    @Test
    void learnsKeepsTheBestModelAndWritesItsRecords() throws Exception {
        Path out = dir.resolve("a");
        Trainer.Result r = train(out, gaussians(1000, 1), settings(4, 0), false, 0);
        assertTrue(r.completed());
        assertEquals(80, r.steps());
        List<String> hist = Files.readAllLines(out.resolve(ModelFolder.HISTORY));
        double first = hist.stream().filter(l -> l.startsWith("select")).mapToDouble(l -> Double.parseDouble(l.split(",")[3])).findFirst().orElseThrow();
        assertTrue(r.bestSelectLoss() < first, "selection loss improves: " + first + " -> " + r.bestSelectLoss());
        // a standard normal would give 2.84 nats; the truth is about 1.4 nats: the flow must get well below the former
        assertTrue(r.bestSelectLoss() < 2.2, "learned the conditional density: " + r.bestSelectLoss());
        assertEquals(4, hist.stream().filter(l -> l.startsWith("select")).count(), "selection at each epoch's end");
        assertTrue(Files.size(out.resolve(ModelFolder.LOSS_PNG)) > 1000);
        // the kept model's selection loss is the best one
        try (NDManager m = NDManager.newBaseManager(); Flow f = FlowCheckpoint.load(out.resolve(ModelFolder.MODEL), m, SPEC)) {
            assertEquals(r.bestSelectLoss(), Trainer.meanNll(f, gaussians(300, 99), 50), 1e-4);
        }
    }

    /**
     * An IAF trained by maximum likelihood: its selection pass (the density, the sequential direction in eval mode)
     * runs on the CPU kernels with {@code auto} and on the tensor code a CUDA device runs with {@code tensor}. The same
     * run on both paths gives the same selection losses to float tolerance, and each kept model's selection loss is
     * its mean NLL computed independently in training mode (tensor code, no cached weights, no kernels).
     */
    @Test
    void anIafsSelectionGivesTheSameLossesOnBothEvalPaths() throws Exception {
        FlowSpec iaf = FlowSpec.create(FlowKind.IAF, 2, 1, 1, 16, 2, 8, 5.0, 7L, null, null, null);
        InMemoryData select = gaussians(300, 99);
        double[][] losses = new double[2][];
        for (EvalKernels.Choice path : EvalKernels.Choice.values()) {
            Path out = dir.resolve(path.key());
            Trainer.Result r;
            try (EvalKernels.Selection s = EvalKernels.select(path)) {
                r = Trainer.flow(iaf, gaussians(500, 1), select, new Trainer.Options("t", settings(3, 0), out, false, 0,
                        new PrintStream(new ByteArrayOutputStream())), null).run();
            }
            assertTrue(r.completed());
            losses[path.ordinal()] = Files.readAllLines(out.resolve(ModelFolder.HISTORY)).stream().filter(l -> l.startsWith("select"))
                    .mapToDouble(l -> Double.parseDouble(l.split(",")[3])).toArray();
            assertEquals(3, losses[path.ordinal()].length, "a selection at each epoch's end");
            assertTrue(r.bestSelectLoss() < losses[path.ordinal()][0], path + ": the selection loss improves");
            try (NDManager m = NDManager.newBaseManager(); Flow f = FlowCheckpoint.load(out.resolve(ModelFolder.MODEL), m, iaf)) {
                assertFalse(f.isEvalMode());
                TrainingData.Batch b = select.batches(300, false, 0, 0).next();
                double nll = -f.logProb(m.create(b.x(), new Shape(300, 2)), m.create(b.c(), new Shape(300, 1)))
                        .toType(ai.djl.ndarray.types.DataType.FLOAT64, false).mean().getDouble();
                assertEquals(nll, r.bestSelectLoss(), 1e-4, path + ": selection loss = training-mode mean NLL");
            }
        }
        for (int k = 0; k < 3; k++) {
            assertEquals(losses[0][k], losses[1][k], 1e-4 * Math.max(1, Math.abs(losses[0][k])), "selection " + k + ", auto vs tensor");
        }
    }

    @Test
    void aKilledRunResumesToTheSameResultAsAnUninterruptedOne() {
        Path a = dir.resolve("full"), b = dir.resolve("killed");
        TrainingSettings s = settings(3, 7);
        Trainer.Result full = train(a, gaussians(500, 2), s, false, 0);
        Trainer.Result part = train(b, gaussians(500, 2), s, false, 17);
        assertFalse(part.completed());
        assertEquals(17, part.steps());
        Trainer.Result rest = train(b, gaussians(500, 2), s, true, 0);
        assertTrue(rest.resumed());
        assertEquals(full.steps(), rest.steps());
        assertEquals(full.bestStep(), rest.bestStep());
        assertEquals(full.bestSelectLoss(), rest.bestSelectLoss(), 1e-6);
        assertArrayEquals(logProbs(a.resolve(ModelFolder.MODEL)), logProbs(b.resolve(ModelFolder.MODEL)), 1e-5f);
    }

    /** A Flow-1 file of n showers, 2 layers of 2 voxels (so Flow-1's target matches SPEC), many empty voxels. */
    EncodedShowersFixture noisyFlow1(String name, int n, long seed) {
        return new EncodedShowersFixture(dir.resolve(name), n, 2, 2, seed);
    }

    @Test
    void aKilledRunOnFreshNoiseEveryEpochResumesToTheSameResult() {
        // the dequantisation noise is drawn per (epoch, row) and per (selection step, row): a resumed run must
        // draw the same noise as the uninterrupted one, or it would not end at the same model
        try (var trainFile = noisyFlow1("t.f32", 300, 1).open(); var selectFile = noisyFlow1("s.f32", 100, 2).open()) {
            TrainingData t = DequantisedData.read(FlowRole.LAYER_ENERGIES, trainFile, trainFile.rows());
            TrainingData v = DequantisedData.read(FlowRole.LAYER_ENERGIES, selectFile, selectFile.rows());
            TrainingSettings s = settings(3, 4);
            PrintStream log = new PrintStream(new ByteArrayOutputStream());
            Path a = dir.resolve("nfull"), b = dir.resolve("nkilled");
            Trainer.Result full = Trainer.flow(SPEC, t, v, new Trainer.Options("t", s, a, false, 0, log), null).run();
            Trainer.Result part = Trainer.flow(SPEC, t, v, new Trainer.Options("t", s, b, false, 5, log), null).run();
            assertFalse(part.completed());
            Trainer.Result rest = Trainer.flow(SPEC, t, v, new Trainer.Options("t", s, b, true, 0, log), null).run();
            assertTrue(rest.resumed());
            assertEquals(full.steps(), rest.steps());
            assertEquals(full.bestStep(), rest.bestStep());
            assertEquals(full.bestSelectLoss(), rest.bestSelectLoss(), 1e-6);
            assertArrayEquals(logProbs(a.resolve(ModelFolder.MODEL)), logProbs(b.resolve(ModelFolder.MODEL)), 1e-5f);
        }
    }

    /** Records the noise passes the trainer asks for. */
    record Recording(TrainingData inner, List<Long> passes) implements TrainingData {
        public TrainingData withNoise(long pass) {
            passes.add(pass);
            return inner;
        }

        public int dim() {
            return inner.dim();
        }

        public int conditionDim() {
            return inner.conditionDim();
        }

        public long size() {
            return inner.size();
        }

        public java.util.Iterator<Batch> batches(int batchSize, boolean shuffle, long seed, long skip) {
            return inner.batches(batchSize, shuffle, seed, skip);
        }
    }

    @Test
    void everyEpochAndEverySelectionEvaluationAsksForItsOwnNoisePass() {
        List<Long> t = new java.util.ArrayList<>(), v = new java.util.ArrayList<>();
        PrintStream log = new PrintStream(new ByteArrayOutputStream());
        Trainer.flow(SPEC, new Recording(gaussians(200, 1), t), new Recording(gaussians(100, 2), v),
                new Trainer.Options("t", settings(3, 2), dir.resolve("p"), false, 0, log), null).run();
        assertEquals(3, t.size());
        assertEquals(3, new java.util.HashSet<>(t).size(), "fresh noise every epoch: " + t);
        assertTrue(v.size() > 3);
        assertEquals(v.size(), new java.util.HashSet<>(v).size(), "fresh noise at every selection evaluation: " + v);
        for (long p : v) assertFalse(t.contains(p), "selection and training passes differ");
        assertEquals(Trainer.noisePass(11L, 1), t.get(1));
    }

    @Test
    void fixedNoiseServesOneDrawEveryEpochAndAtEverySelection() {
        // the ablation switch of issue 12 item 2: training.flowN.noise fixed asks for one pass throughout
        List<Long> t = new java.util.ArrayList<>(), v = new java.util.ArrayList<>();
        PrintStream log = new PrintStream(new ByteArrayOutputStream());
        TrainingSettings p = settings(3, 2);
        TrainingSettings fixed = new TrainingSettings(p.epochs(), p.batchSize(), p.schedule(), p.selectEvery(), p.selectShowers(),
                p.logEvery(), p.maxBadBatches(), p.chunkShowers(), p.seed(), TrainingSettings.NOISE_FIXED);
        fixed.validate("training.flow1");
        Trainer.flow(SPEC, new Recording(gaussians(200, 1), t), new Recording(gaussians(100, 2), v),
                new Trainer.Options("t", fixed, dir.resolve("f"), false, 0, log), null).run();
        assertEquals(List.of(Trainer.noisePass(11L, 0), Trainer.noisePass(11L, 0), Trainer.noisePass(11L, 0)), t);
        assertTrue(v.size() > 3);
        assertEquals(1, new java.util.HashSet<>(v).size(), "one selection noise draw: " + v);
        assertFalse(t.contains(v.get(0)), "selection and training passes differ");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainingSettings(1, 10,
                p.schedule(), null, null, null, null, null, null, "sometimes").validate("training.flow2"));
        assertTrue(e.getMessage().startsWith("training.flow2.noise must be perEpoch or fixed"), e.getMessage());
    }

    @Test
    void aRetriedTaskInANewFolderResumesFromTheSharedCheckpointAndStillPublishesTheModel() {
        Path ckpt = dir.resolve("shared/ckpt");
        TrainingSettings s = settings(2, 7);
        PrintStream log = new PrintStream(new ByteArrayOutputStream());
        Trainer.Result killed = Trainer.flow(SPEC, gaussians(500, 4), gaussians(300, 99),
                new Trainer.Options("t", s, dir.resolve("task1"), true, 9, log, ckpt), null).run();
        assertFalse(killed.completed());
        Trainer.Result retried = Trainer.flow(SPEC, gaussians(500, 4), gaussians(300, 99),
                new Trainer.Options("t", s, dir.resolve("task2"), true, 0, log, ckpt), null).run();
        assertTrue(retried.resumed() && retried.completed());
        assertTrue(Files.isRegularFile(dir.resolve("task2").resolve(ModelFolder.MODEL).resolve(FlowCheckpoint.JSON_FILE)));
        // a finished run found again (a pipeline -resume after the task's folder was lost): nothing left to
        // train, and the selected model is still published in the new folder
        Trainer.Result again = Trainer.flow(SPEC, gaussians(500, 4), gaussians(300, 99),
                new Trainer.Options("t", s, dir.resolve("task3"), true, 0, log, ckpt), null).run();
        assertEquals(retried.steps(), again.steps());
        assertEquals(retried.bestSelectLoss(), again.bestSelectLoss(), 0.0);
        assertArrayEquals(logProbs(dir.resolve("task2").resolve(ModelFolder.MODEL)), logProbs(dir.resolve("task3").resolve(ModelFolder.MODEL)), 0f);
    }

    @Test
    void nonFiniteBatchesAreSkippedAndTooManyInARowStop() {
        InMemoryData clean = gaussians(500, 3);
        float[] x = new float[1000];
        float[] c = new float[500];
        TrainingData.Batch all = clean.batches(500, false, 0, 0).next();
        System.arraycopy(all.x(), 0, x, 0, 1000);
        System.arraycopy(all.c(), 0, c, 0, 500);
        x[10] = Float.NaN;  // poisons exactly one batch per epoch
        Trainer.Result r = train(dir.resolve("nan"), new InMemoryData(x, 2, c, 1), settings(2, 0), false, 0);
        assertEquals(2, r.badBatches());
        assertTrue(Double.isFinite(r.bestSelectLoss()));

        float[] bad = x.clone();
        java.util.Arrays.fill(bad, Float.POSITIVE_INFINITY);
        var e = assertThrows(UserError.class, () -> train(dir.resolve("inf"), new InMemoryData(bad, 2, c, 1), settings(2, 0), false, 0));
        assertTrue(e.getMessage().contains("3 batches in a row"), e.getMessage());
    }
}
