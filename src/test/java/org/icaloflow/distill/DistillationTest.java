package org.icaloflow.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.train.InMemoryData;
import org.icaloflow.train.LearningRateSchedule;
import org.icaloflow.train.Objective;
import org.icaloflow.train.Trainer;
import org.icaloflow.train.TrainingData;
import org.icaloflow.train.TrainingSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Distillation of a tiny trained 2-D teacher through the Trainer, and the objective's terms. */
class DistillationTest {
    static {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    static final FlowSpec TEACHER = FlowSpec.create(FlowKind.MAF, 2, 1, 1, 16, 2, 8, 5.0, 7L, null, null, null);
    static final FlowSpec STUDENT = FlowSpec.create(FlowKind.IAF, 2, 1, 1, 24, 2, 8, 5.0, 8L, null, null, null);

    @TempDir
    static Path shared;
    static Path teacherModel;

    @TempDir
    Path dir;

    /** x ~ N(mu(c), sigma(c)) per feature, c uniform in [-1, 1]. */
    static InMemoryData gaussians(int n, int dim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[dim * n], c = new float[n];
        for (int i = 0; i < n; i++) {
            double ci = r.nextDouble(-1, 1);
            c[i] = (float) ci;
            for (int j = 0; j < dim; j++) {
                double g = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
                x[dim * i + j] = (float) ((j % 2 == 0 ? ci : -ci) + (0.5 + 0.3 * ci * (j % 2 == 0 ? 1 : -1)) * g);
            }
        }
        return new InMemoryData(x, dim, c, 1);
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }

    static TrainingSettings settings(int epochs, int selectEvery) {
        return new TrainingSettings(epochs, 50, new LearningRateSchedule.OneCycle(1e-3, 1e-2), selectEvery, 0, 5, 3, 10, 11L);
    }

    @BeforeAll
    static void trainTeacher() {
        Path out = shared.resolve("teacher");
        new Trainer(TEACHER, gaussians(600, 2, 1), gaussians(200, 2, 2),
                new Trainer.Options("teacher", settings(4, 0), out, false, 0, quiet()), null).run();
        teacherModel = out.resolve(Trainer.MODEL);
    }

    static DistillationSettings distill(int epochs, int selectEvery, DistillationSettings.Weights w) {
        return new DistillationSettings(settings(epochs, selectEvery), w, null, null);
    }

    static List<float[]> snapshot(Flow f) {
        List<float[]> l = new ArrayList<>();
        for (NDArray p : f.parameters()) l.add(p.toFloatArray());
        return l;
    }

    Trainer.Result run(Path out, DistillationSettings ds, int flow, boolean resume, long stopAfter, Flow teacher) {
        DistillationObjective obj = new DistillationObjective(teacher, ds, flow, null, null);
        return new Trainer(STUDENT, gaussians(500, 2, 3), gaussians(200, 2, 4),
                new Trainer.Options("s", ds.training(), out, resume, stopAfter, quiet()), null, obj).run();
    }

    @Test
    void aStudentLearnsItsFrozenTeacher() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Flow teacher = Flow.load(teacherModel, m, TEACHER)) {
            List<float[]> before = snapshot(teacher);
            DistillationSettings ds = distill(8, 0, null);
            DistillationObjective obj = new DistillationObjective(teacher, ds, 2, null, null);
            double klFresh;
            try (Flow fresh = obj.create(STUDENT, m)) {
                klFresh = obj.selectionMetric(fresh, gaussians(200, 2, 4), 50);
            }
            Path out = dir.resolve("s");
            Trainer.Result r = new Trainer(STUDENT, gaussians(500, 2, 3), gaussians(200, 2, 4),
                    new Trainer.Options("s", ds.training(), out, false, 0, quiet()), null, obj).run();
            assertTrue(r.completed());

            List<String> hist = Files.readAllLines(out.resolve(Trainer.HISTORY));
            assertEquals("kind,epoch,step,loss,lr,samples_per_s,lx,lx_made,lz,lz_made", hist.get(0));
            List<double[]> train = hist.stream().filter(l -> l.startsWith("train,"))
                    .map(l -> java.util.Arrays.stream(l.split(",")).skip(3).mapToDouble(Double::parseDouble).toArray()).toList();
            for (double[] row : train) {
                for (int k : new int[] {0, 3, 4, 5, 6}) assertTrue(Double.isFinite(row[k]) && row[k] >= 0, "finite, >= 0: " + row[k]);
                assertEquals(row[0], row[3] + row[4] + row[5] + row[6], 1e-4 * row[0], "total = sum of the unit-weight terms");
            }
            double first = train.get(0)[0], last = train.get(train.size() - 1)[0];
            assertTrue(last < 0.2 * first, "distillation loss falls: " + first + " -> " + last);

            double[] kls = hist.stream().filter(l -> l.startsWith("select,")).mapToDouble(l -> Double.parseDouble(l.split(",")[3])).toArray();
            assertEquals(8, kls.length);
            assertTrue(kls[kls.length - 1] < kls[0], "KL estimate decreases: " + java.util.Arrays.toString(kls));
            assertTrue(r.bestSelectLoss() < 0.3 * klFresh && r.bestSelectLoss() < 0.05,
                    "student density close to the teacher's: KL " + klFresh + " -> " + r.bestSelectLoss());
            assertTrue(Files.size(out.resolve(Trainer.LOSS_PNG)) > 1000);

            // the kept student is the best one and has the teacher's permutations
            try (Flow s = Flow.load(out.resolve(Trainer.MODEL), m, STUDENT)) {
                assertEquals(r.bestSelectLoss(), obj.selectionMetric(s, gaussians(200, 2, 4), 50), 1e-5);
                assertArrayEquals(teacher.permutation(1), s.permutation(1));
            }
            // the teacher is untouched
            List<float[]> after = snapshot(teacher);
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), after.get(i), "teacher parameter " + i);
            for (NDArray p : teacher.parameters()) assertFalse(p.hasGradient(), "no gradient into the frozen teacher");
        }
    }

    @Test
    void aKilledDistillationResumesToTheSameResult() {
        try (NDManager m = NDManager.newBaseManager(); Flow teacher = Flow.load(teacherModel, m, TEACHER)) {
            DistillationSettings ds = distill(3, 7, null);
            Trainer.Result full = run(dir.resolve("full"), ds, 2, false, 0, teacher);
            Trainer.Result part = run(dir.resolve("killed"), ds, 2, false, 13, teacher);
            assertFalse(part.completed());
            Trainer.Result rest = run(dir.resolve("killed"), ds, 2, true, 0, teacher);
            assertTrue(rest.resumed());
            assertEquals(full.steps(), rest.steps());
            assertEquals(full.bestStep(), rest.bestStep());
            assertEquals(full.bestSelectLoss(), rest.bestSelectLoss(), 1e-6);
            try (Flow a = Flow.load(dir.resolve("full").resolve(Trainer.MODEL), m, STUDENT);
                 Flow b = Flow.load(dir.resolve("killed").resolve(Trainer.MODEL), m, STUDENT)) {
                List<float[]> pa = snapshot(a), pb = snapshot(b);
                for (int i = 0; i < pa.size(); i++) assertArrayEquals(pa.get(i), pb.get(i), 1e-5f);
            }
        }
    }

    /** The objective's loss and terms of one batch, outside any collector. */
    static double[] evaluate(Objective obj, Flow student, TrainingData data) {
        TrainingData.Batch b = data.batches(64, false, 0, 0).next();
        try (NDManager m = student.manager().newSubManager()) {
            NDArray x = m.create(b.x(), new Shape(b.n(), data.dim()));
            NDArray c = m.create(b.c(), new Shape(b.n(), data.conditionDim()));
            Objective.Loss l = obj.loss(student, x, c, b, 5);
            double[] v = new double[1 + l.terms().length];
            v[0] = l.total().getFloat();
            for (int k = 0; k < l.terms().length; k++) v[k + 1] = l.terms()[k].getFloat();
            return v;
        }
    }

    @Test
    void flowThreeUsesTheXPassOnlyAndWeightsScaleTheTerms() {
        try (NDManager m = NDManager.newBaseManager(); Flow teacher = Flow.load(teacherModel, m, TEACHER)) {
            DistillationObjective f3 = new DistillationObjective(teacher, distill(1, 0, null), 3, null, null);
            assertEquals(List.of("lx", "lx_made"), f3.terms());
            DistillationObjective f2 = new DistillationObjective(teacher, distill(1, 0, null), 2, null, null);
            assertEquals(List.of("lx", "lx_made", "lz", "lz_made"), f2.terms());
            DistillationObjective weighted = new DistillationObjective(teacher,
                    distill(1, 0, new DistillationSettings.Weights(2.0, 0.5, 3.0, null)), 2, null, null);
            try (Flow s = f2.create(STUDENT, m)) {
                InMemoryData d = gaussians(64, 2, 8);
                double[] v3 = evaluate(f3, s, d), v2 = evaluate(f2, s, d), vw = evaluate(weighted, s, d);
                assertEquals(v3[0], v3[1] + v3[2], 1e-6 * v3[0]);
                assertEquals(v3[1], v2[1], 1e-7, "same x-pass");
                assertTrue(v2[3] > 0 && v2[4] > 0, "an untrained student has z-terms");
                assertEquals(2 * vw[1] + 0.5 * vw[2] + 3 * vw[3] + vw[4], vw[0], 1e-5 * vw[0]);
            }
        }
    }

    @Test
    void physicsTermAndWeightingChangeTheLossOnlyWhenEnabled() {
        FlowSpec t4 = FlowSpec.create(FlowKind.MAF, 4, 1, 1, 8, 2, 8, 5.0, 21L, null, null, null);
        FlowSpec s4 = FlowSpec.create(FlowKind.IAF, 4, 1, 1, 8, 2, 8, 5.0, 22L, null, null, null);
        try (NDManager m = NDManager.newBaseManager(); Flow teacher = Flow.create(t4, m)) {
            // a non-trivial teacher: perturb its parameters
            SplittableRandom r = new SplittableRandom(1);
            for (NDArray p : teacher.parameters()) {
                float[] v = new float[(int) p.size()];
                for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-0.3, 0.3);
                p.set(v);
            }
            teacher.markParametersChanged();
            LayerAggregates agg = new LayerAggregates(4, 1);
            DiversityWeights div = new DiversityWeights(-1, 1, new double[] {0.2, 1.8});
            TrainingSettings ts = settings(1, 0);
            var off = new DistillationSettings(ts, null, new DistillationSettings.PhysicsLoss(false, 5.0),
                    new DistillationSettings.DiversityWeighting(false, null, null, null));
            var phys = new DistillationSettings(ts, null, new DistillationSettings.PhysicsLoss(true, 5.0), null);
            var weigh = new DistillationSettings(ts, null, null, new DistillationSettings.DiversityWeighting(true, null, null, null));
            InMemoryData d = gaussians(64, 4, 9);
            try (Flow s = Flow.studentOf(teacher, s4, m)) {
                double[] base = evaluate(new DistillationObjective(teacher, off, 2, null, null), s, d);
                double[] offGiven = evaluate(new DistillationObjective(teacher, off, 2, agg, div), s, d);
                assertArrayEquals(base, offGiven, 0.0, "switched off: identical loss even when given the pieces");
                DistillationObjective po = new DistillationObjective(teacher, phys, 2, agg, null);
                assertEquals("physics", po.terms().get(4));
                double[] p = evaluate(po, s, d);
                assertTrue(p[5] > 0);
                assertEquals(base[0] + 5 * p[5], p[0], 1e-5 * p[0]);
                double[] w = evaluate(new DistillationObjective(teacher, weigh, 2, null, div), s, d);
                assertEquals(base.length, w.length);
                assertTrue(Math.abs(w[0] - base[0]) > 1e-4 * base[0], "weighting changes the loss: " + base[0] + " vs " + w[0]);
            }
        }
    }

    @Test
    void diversityWeightsFavourFrequentRegularConditions() {
        // c < 0: 90% of the samples, small spread; c > 0: 10%, large spread
        int n = 1000, dim = 3;
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[n * dim], c = new float[n];
        for (int i = 0; i < n; i++) {
            boolean rare = i % 10 == 0;
            c[i] = (float) (rare ? r.nextDouble(0.01, 1) : r.nextDouble(-1, -0.01));
            for (int j = 0; j < dim; j++) x[i * dim + j] = (float) ((rare ? 3.0 : 0.2) * (r.nextDouble() - 0.5) - 4);
        }
        InMemoryData data = new InMemoryData(x, dim, c, 1);
        DiversityWeights w = DiversityWeights.measure(data, 2, 0.1, n, 100);
        assertTrue(w.weight(-0.5) > 3 * w.weight(0.5), "rare, diverse samples down-weighted: " + w.weight(-0.5) + " vs " + w.weight(0.5));
        double mean = 0;
        for (float ci : c) mean += w.weight(ci);
        assertEquals(1.0, mean / n, 1e-9, "mean weight 1");
        assertEquals(w.weight(0.99), w.weight(5.0), "outside the range: edge bin");
    }

    @Test
    void layerAggregatesAreTotalRingsAndQuadrants() {
        LayerAggregates a = new LayerAggregates(8, 2);
        assertEquals(1 + 2 + 4, a.count());
        float[] u = new float[16];
        u[3 * 2 + 1] = 1f;  // alpha bin 3 (quadrant 1), ring 1
        u[6 * 2] = 2f;      // alpha bin 6 (quadrant 3), ring 0
        double[] g = a.aggregate(u, 1);
        assertArrayEquals(new double[] {3, 2, 1, 0, 1, 0, 2}, g, 1e-5);
        try (NDManager m = NDManager.newBaseManager()) {
            SplittableRandom r = new SplittableRandom(2);
            float[] ya = new float[32], yb = new float[32], ua = new float[32], ub = new float[32];
            for (int i = 0; i < 32; i++) {
                ya[i] = (float) r.nextDouble(-8, 2);
                yb[i] = (float) r.nextDouble(-8, 2);
                ua[i] = (float) org.icaloflow.preprocess.Preprocessing.inverseLogit(ya[i]);
                ub[i] = (float) org.icaloflow.preprocess.Preprocessing.inverseLogit(yb[i]);
            }
            double[] ga = a.aggregate(ua, 2), gb = a.aggregate(ub, 2);
            float[] mse = a.perSampleMse(m.create(ya, new Shape(2, 16)), m.create(yb, new Shape(2, 16))).toFloatArray();
            for (int i = 0; i < 2; i++) {
                double s = 0;
                for (int k = 0; k < 7; k++) s += Math.pow(ga[i * 7 + k] - gb[i * 7 + k], 2) / 7;
                assertEquals(s, mse[i], 1e-5 * s + 1e-9);
            }
        }
    }
}
