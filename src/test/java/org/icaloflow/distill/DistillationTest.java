package org.icaloflow.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.FlowRole;
import org.icaloflow.flow.EvalKernels;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.icaloflow.train.InMemoryData;
import org.icaloflow.train.LearningRateSchedule;
import org.icaloflow.train.ModelFolder;
import org.icaloflow.train.Objective;
import org.icaloflow.train.Flows;
import org.icaloflow.train.Trainer;
import org.icaloflow.train.TrainingData;
import org.icaloflow.train.TrainingSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
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
        Trainer.flow(TEACHER, gaussians(600, 2, 1), gaussians(200, 2, 2),
                new Trainer.Options("teacher", settings(4, 0), out, false, 0, quiet()), null).run();
        teacherModel = out.resolve(ModelFolder.MODEL);
    }

    static DistillationSettings distill(int epochs, int selectEvery, DistillationSettings.Weights w) {
        return new DistillationSettings(settings(epochs, selectEvery), w, null, null, null);
    }

    static List<float[]> snapshot(Flow f) {
        List<float[]> l = new ArrayList<>();
        for (NDArray p : f.parameters()) l.add(p.toFloatArray());
        return l;
    }

    Trainer.Result run(Path out, DistillationSettings ds, int flow, boolean resume, long stopAfter, Flow teacher) {
        DistillationObjective obj = new DistillationObjective(teacher, ds, FlowRole.of(flow), null, null);
        return Trainer.flow(STUDENT, gaussians(500, 2, 3), gaussians(200, 2, 4),
                new Trainer.Options("s", ds.training(), out, resume, stopAfter, quiet()), null, obj).run();
    }

    /**
     * On both eval-mode paths (the CPU kernels; the tensor code a CUDA device runs). Distillation itself takes no
     * device branch (FlowDistillationTest.distillationTakesNoDeviceBranch); the kept student's KL is re-evaluated on
     * the other path.
     */
    @ParameterizedTest
    @EnumSource(EvalKernels.Choice.class)
    void aStudentLearnsItsFrozenTeacher(EvalKernels.Choice path) throws Exception {
        try (EvalKernels.Selection selected = EvalKernels.select(path);
             NDManager m = NDManager.newBaseManager(); Flow teacher = FlowCheckpoint.load(teacherModel, m, TEACHER)) {
            List<float[]> before = snapshot(teacher);
            DistillationSettings ds = distill(8, 0, null);
            DistillationObjective obj = new DistillationObjective(teacher, ds, FlowRole.FIRST_LAYER, null, null);
            double klFresh;
            try (Flow fresh = obj.create(Flows.of(STUDENT), m)) {
                klFresh = obj.selectionMetric(fresh, gaussians(200, 2, 4), 50);
            }
            Path out = dir.resolve("s");
            Trainer.Result r = Trainer.flow(STUDENT, gaussians(500, 2, 3), gaussians(200, 2, 4),
                    new Trainer.Options("s", ds.training(), out, false, 0, quiet()), null, obj).run();
            assertTrue(r.completed());

            List<String> hist = Files.readAllLines(out.resolve(ModelFolder.HISTORY));
            assertEquals("kind,epoch,step,loss,lr,samples_per_s,lx,lx_states,lx_made,lz,lz_states,lz_made", hist.get(0));
            List<double[]> train = hist.stream().filter(l -> l.startsWith("train,"))
                    .map(l -> java.util.Arrays.stream(l.split(",")).skip(3).mapToDouble(Double::parseDouble).toArray()).toList();
            for (double[] row : train) {
                for (int k : new int[] {0, 3, 4, 5, 6, 7, 8}) assertTrue(Double.isFinite(row[k]) && row[k] >= 0, "finite, >= 0: " + row[k]);
                // the default Flow-2 loss: beta 0.5, end points and states twice, MADE outputs once
                double expected = 0.5 * (2 * row[3] + 2 * row[4] + row[5]) + 0.5 * (2 * row[6] + 2 * row[7] + row[8]);
                assertEquals(expected, row[0], 1e-4 * row[0], "total from the logged terms");
            }
            double first = train.get(0)[0], last = train.get(train.size() - 1)[0];
            assertTrue(last < 0.2 * first, "distillation loss falls: " + first + " -> " + last);

            double[] kls = hist.stream().filter(l -> l.startsWith("select,")).mapToDouble(l -> Double.parseDouble(l.split(",")[3])).toArray();
            assertEquals(8, kls.length);
            assertTrue(kls[kls.length - 1] < kls[0], "KL estimate decreases: " + java.util.Arrays.toString(kls));
            assertTrue(r.bestSelectLoss() < 0.3 * klFresh && r.bestSelectLoss() < 0.05,
                    "student density close to the teacher's: KL " + klFresh + " -> " + r.bestSelectLoss());
            assertTrue(Files.size(out.resolve(ModelFolder.LOSS_PNG)) > 1000);

            // the kept student is the best one and has the teacher's permutations
            try (Flow s = FlowCheckpoint.load(out.resolve(ModelFolder.MODEL), m, STUDENT);
                 EvalKernels.Selection other = EvalKernels.select(path == EvalKernels.Choice.AUTO
                         ? EvalKernels.Choice.TENSOR : EvalKernels.Choice.AUTO)) {
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
        try (NDManager m = NDManager.newBaseManager(); Flow teacher = FlowCheckpoint.load(teacherModel, m, TEACHER)) {
            DistillationSettings ds = distill(3, 7, null);
            Trainer.Result full = run(dir.resolve("full"), ds, 2, false, 0, teacher);
            Trainer.Result part = run(dir.resolve("killed"), ds, 2, false, 13, teacher);
            assertFalse(part.completed());
            Trainer.Result rest = run(dir.resolve("killed"), ds, 2, true, 0, teacher);
            assertTrue(rest.resumed());
            assertEquals(full.steps(), rest.steps());
            assertEquals(full.bestStep(), rest.bestStep());
            assertEquals(full.bestSelectLoss(), rest.bestSelectLoss(), 1e-6);
            try (Flow a = FlowCheckpoint.load(dir.resolve("full").resolve(ModelFolder.MODEL), m, STUDENT);
                 Flow b = FlowCheckpoint.load(dir.resolve("killed").resolve(ModelFolder.MODEL), m, STUDENT)) {
                List<float[]> pa = snapshot(a), pb = snapshot(b);
                for (int i = 0; i < pa.size(); i++) assertArrayEquals(pa.get(i), pb.get(i), 1e-5f);
            }
        }
    }

    /** The objective's loss and terms of one batch, outside any collector. */
    static double[] evaluate(Objective<Flow> obj, Flow student, TrainingData data) {
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

    /** Row-major values of an array (N, ...) as doubles. */
    static double[] values(NDArray a) {
        float[] f = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /**
     * The authors' {@code chi2_loss(a, b)} in plain Java: per row the sum over all its values of (a − b)², then the
     * batch mean, or with per-row weights w the weighted mean Σ w_r χ²_r / Σ w_r.
     */
    static double chi2(double[] a, double[] b, int rows, double[] w) {
        assertEquals(a.length, b.length);
        int per = a.length / rows;
        double sum = 0, wsum = 0;
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < per; j++) s += (a[r * per + j] - b[r * per + j]) * (a[r * per + j] - b[r * per + j]);
            double wr = w == null ? 1 : w[r];
            sum += wr * s;
            wsum += wr;
        }
        return sum / wsum;
    }

    /**
     * The reference's list of intermediate steps of one pass ({@code GuidedCompositeTransform._cascade} with
     * {@code return_steps}): the input, then the value after every transform in the order they are applied,
     * permutations included. A teacher forward pass runs M_0, P_0, M_1, ..., M_{N−1}: [x, out_0, in_1, out_1, ...,
     * in_{N−1}, out_{N−1}]; a student inverse pass runs M_{N−1}⁻¹, P_{N−2}⁻¹, ..., M_0⁻¹: [z, in_{N−1}, out_{N−2},
     * in_{N−2}, ..., out_0, in_0].
     */
    static List<double[]> steps(org.icaloflow.flow.Trace t, boolean forward) {
        int n = t.blocks().size();
        List<double[]> s = new ArrayList<>();
        if (forward) {
            s.add(values(t.x()));
            for (int k = 0; k < n; k++) {
                if (k > 0) s.add(values(t.blocks().get(k).input()));
                s.add(values(t.blocks().get(k).output()));
            }
        } else {
            s.add(values(t.z()));
            for (int k = n - 1; k >= 0; k--) {
                if (k < n - 1) s.add(values(t.blocks().get(k).output()));
                s.add(values(t.blocks().get(k).input()));
            }
        }
        return s;
    }

    /** The reference's list of MADE outputs of a pass ({@code return_p}), one per block in the order the blocks ran. */
    static List<double[]> madeOutputs(org.icaloflow.flow.Trace t, boolean forward) {
        int n = t.blocks().size();
        List<double[]> p = new ArrayList<>();
        for (int i = 0; i < n; i++) p.add(values(t.blocks().get(forward ? i : n - 1 - i).params()));
        return p;
    }

    /**
     * One pass's loss as the reference's student training writes it: {@code loss = chi2_loss(end_S, end_T)}, then
     * for every step i of the student {@code loss += chi2_loss(step, steps_teacher[-i-1])}, and the same for the
     * MADE outputs. {@code student} ran inverse (z → x), {@code teacher} forward (x → z).
     */
    static double referencePass(org.icaloflow.flow.Trace student, org.icaloflow.flow.Trace teacher, double[] endS,
                                double[] endT, int rows, double[] w) {
        double l = chi2(endS, endT, rows, w);
        List<double[]> ss = steps(student, false), ts = steps(teacher, true);
        assertEquals(ss.size(), ts.size());
        for (int i = 0; i < ss.size(); i++) l += chi2(ss.get(i), ts.get(ts.size() - 1 - i), rows, w);
        List<double[]> sp = madeOutputs(student, false), tp = madeOutputs(teacher, true);
        for (int i = 0; i < sp.size(); i++) l += chi2(sp.get(i), tp.get(tp.size() - 1 - i), rows, w);
        return l;
    }

    /** Uniform values in [-a, a] for every parameter: a flow whose blocks all differ. */
    static void perturb(Flow f, long seed, double a) {
        SplittableRandom r = new SplittableRandom(seed);
        for (NDArray p : f.parameters()) {
            float[] v = new float[(int) p.size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-a, a);
            p.set(v);
        }
        f.markParametersChanged();
    }

    /** The terms and the total of one batch: {total, terms...}, at global step {@code step}. */
    static double[] evaluate(Objective<Flow> obj, Flow student, NDArray x, NDArray c, TrainingData.Batch b, long step) {
        Objective.Loss l = obj.loss(student, x, c, b, step);
        double[] v = new double[1 + l.terms().length];
        v[0] = l.total().getFloat();
        for (int k = 0; k < l.terms().length; k++) v[k + 1] = l.terms()[k].getFloat();
        return v;
    }

    /**
     * The loss against the reference's computation, re-done here from the flows' per-block traces: the x-pass
     * (teacher forward on data, student inverse on the teacher's z) and the z-pass (student inverse on the objective's
     * base samples, teacher forward on the result), each with all its steps and MADE outputs, combined as
     * (1 − β)·L_z + β·L_x. Fails if a MADE or state term is dropped, if blocks are paired wrongly, if χ² is a mean
     * over features instead of a sum, or if β weights the wrong pass.
     */
    @Test
    void lossEqualsTheReferenceChi2SumsOverEveryStep() {
        FlowSpec ts = FlowSpec.create(FlowKind.MAF, 3, 1, 1, 8, 4, 6, 4.0, 31L, null, null, null);
        FlowSpec ss = FlowSpec.create(FlowKind.IAF, 3, 1, 1, 12, 4, 6, 4.0, 32L, null, null, null);
        try (NDManager m = NDManager.newBaseManager(); Flow teacher = Flow.create(ts, m)) {
            perturb(teacher, 1, 0.4);
            try (Flow s = DistillationObjective.studentOf(teacher, ss, m)) {
                perturb(s, 2, 0.4);
                InMemoryData d = gaussians(32, 3, 8);
                TrainingData.Batch b = d.batches(32, false, 0, 0).next();
                int n = b.n();
                long step = 17;
                NDArray x = m.create(b.x(), new Shape(n, 3)), c = m.create(b.c(), new Shape(n, 1));
                DiversityWeights div = new DiversityWeights(-1, 1, new double[] {0.3, 1.7});
                double[] w = new double[n];
                for (int r = 0; r < n; r++) w[r] = div.weight(b.c()[r]);

                var defaults = new DistillationObjective(teacher, distill(1, 0, null), FlowRole.FIRST_LAYER, null, null);
                var flow3 = new DistillationObjective(teacher, distill(1, 0, null), FlowRole.NEXT_LAYER, null, null);
                var custom = new DistillationObjective(teacher,
                        distill(1, 0, new DistillationSettings.Weights(0.3, 0.7, 1.3, 0.4)), FlowRole.FIRST_LAYER, null, null);
                var weighted = new DistillationObjective(teacher, new DistillationSettings(settings(1, 0),
                        new DistillationSettings.Weights(0.3, null, null, null), null, null,
                        new DistillationSettings.DiversityWeighting(true, null, null, null)), FlowRole.FIRST_LAYER, null, div);
                assertEquals(List.of("lx", "lx_states", "lx_made", "lz", "lz_states", "lz_made"), defaults.terms());
                assertEquals(List.of("lx", "lx_states", "lx_made"), flow3.terms(), "Flow-3: beta 1, no z-pass");
                double[] v2, v3, vc, vw;
                double lx, lz, lxW, lzW;
                double[] xTerms, zTerms;
                try (NDManager g = m.newSubManager()) {
                    NDArray xg = x.duplicate(), cg = c.duplicate();
                    xg.attach(g);
                    cg.attach(g);
                    v2 = evaluate(defaults, s, xg, cg, b, step);
                    v3 = evaluate(flow3, s, xg, cg, b, step);
                    vc = evaluate(custom, s, xg, cg, b, step);
                    vw = evaluate(weighted, s, xg, cg, b, step);
                    // the reference, from the traces
                    var tx = teacher.forward(xg, cg);
                    var sx = s.inverse(tx.z(), cg);
                    double[] xv = values(xg), xs = values(sx.x());
                    lx = referencePass(sx, tx, xs, xv, n, null);
                    lxW = referencePass(sx, tx, xs, xv, n, w);
                    NDArray z = defaults.zPassBase(g, n, 3, xg.getDataType(), step);
                    var sz = s.inverse(z, cg);
                    var tz = teacher.forward(sz.x(), cg);
                    double[] zv = values(z), zt = values(tz.z());
                    lz = referencePass(sz, tz, zt, zv, n, null);
                    lzW = referencePass(sz, tz, zt, zv, n, w);
                    // the separately logged terms: end point, states between blocks, MADE outputs
                    xTerms = terms(sx, tx, chi2(xs, xv, n, null), n);
                    zTerms = terms(sz, tz, chi2(zt, zv, n, null), n);
                }
                assertTrue(lx > 0 && lz > 0);
                assertEquals(0.5 * lx + 0.5 * lz, v2[0], 1e-4 * v2[0], "Flow-2 default: beta 0.5");
                assertEquals(lx, v3[0], 1e-4 * v3[0], "Flow-3 default: beta 1, x-pass only");
                assertTrue(Math.abs(lxW - lx) > 1e-3 * lx, "the sample weights matter here");
                assertEquals(0.3 * lxW + 0.7 * lzW, vw[0], 1e-4 * vw[0], "per-sample weights: weighted batch means");
                for (int k = 0; k < 3; k++) {
                    assertEquals(xTerms[k], v2[1 + k], 1e-4 * xTerms[k] + 1e-7, "x term " + k);
                    assertEquals(zTerms[k], v2[4 + k], 1e-4 * zTerms[k] + 1e-7, "z term " + k);
                    assertEquals(xTerms[k], v3[1 + k], 1e-4 * xTerms[k] + 1e-7, "Flow-3 x term " + k);
                }
                double cx = 0.7 * xTerms[0] + 1.3 * xTerms[1] + 0.4 * xTerms[2];
                double cz = 0.7 * zTerms[0] + 1.3 * zTerms[1] + 0.4 * zTerms[2];
                assertEquals(0.3 * cx + 0.7 * cz, vc[0], 1e-4 * vc[0], "custom beta and term weights");
                // the reference's step loop counts the end point and every state twice, the MADE outputs once
                assertEquals(lx, 2 * xTerms[0] + 2 * xTerms[1] + xTerms[2], 1e-9 * lx);
            }
        }
    }

    /** {end, Σ_{k≥1} χ²(in_k), Σ_k χ²(MADE outputs_k)} of a pass, block k paired with block k. */
    static double[] terms(org.icaloflow.flow.Trace student, org.icaloflow.flow.Trace teacher, double end, int rows) {
        double states = 0, made = 0;
        for (int k = 0; k < student.blocks().size(); k++) {
            made += chi2(values(student.blocks().get(k).params()), values(teacher.blocks().get(k).params()), rows, null);
            if (k > 0) states += chi2(values(student.blocks().get(k).input()), values(teacher.blocks().get(k).input()), rows, null);
        }
        return new double[] {end, states, made};
    }

    @Test
    void zPassBaseSamplesHaveTheConfiguredWidthAndFollowTheStep() {
        try (NDManager m = NDManager.newBaseManager(); Flow teacher = Flow.create(TEACHER, m)) {
            var one = new DistillationObjective(teacher, distill(1, 0, null), FlowRole.FIRST_LAYER, null, null);
            var two = new DistillationObjective(teacher, new DistillationSettings(settings(1, 0), null, 2.0, null, null), FlowRole.FIRST_LAYER, null, null);
            double[] a = values(one.zPassBase(m, 4000, 2, ai.djl.ndarray.types.DataType.FLOAT32, 5));
            double[] b = values(two.zPassBase(m, 4000, 2, ai.djl.ndarray.types.DataType.FLOAT32, 5));
            double[] c = values(one.zPassBase(m, 4000, 2, ai.djl.ndarray.types.DataType.FLOAT32, 6));
            double sq = 0, diff = 0;
            for (int i = 0; i < a.length; i++) {
                assertEquals(2 * a[i], b[i], 1e-6 * Math.abs(a[i]) + 1e-7);
                sq += a[i] * a[i];
                diff += Math.abs(a[i] - c[i]);
            }
            assertEquals(1.0, sq / a.length, 0.05, "standard normal at width 1");
            assertTrue(diff > 0.5 * a.length, "a new draw at every step");
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
            var off = new DistillationSettings(ts, null, null, new DistillationSettings.PhysicsLoss(false, 5.0),
                    new DistillationSettings.DiversityWeighting(false, null, null, null));
            var phys = new DistillationSettings(ts, null, null, new DistillationSettings.PhysicsLoss(true, 5.0), null);
            var weigh = new DistillationSettings(ts, null, null, null, new DistillationSettings.DiversityWeighting(true, null, null, null));
            InMemoryData d = gaussians(64, 4, 9);
            try (Flow s = DistillationObjective.studentOf(teacher, s4, m)) {
                double[] base = evaluate(new DistillationObjective(teacher, off, FlowRole.FIRST_LAYER, null, null), s, d);
                double[] offGiven = evaluate(new DistillationObjective(teacher, off, FlowRole.FIRST_LAYER, agg, div), s, d);
                assertArrayEquals(base, offGiven, 0.0, "switched off: identical loss even when given the pieces");
                DistillationObjective po = new DistillationObjective(teacher, phys, FlowRole.FIRST_LAYER, agg, null);
                assertEquals("physics", po.terms().get(6));
                double[] p = evaluate(po, s, d);
                assertTrue(p[7] > 0);
                assertEquals(base[0] + 5 * p[7], p[0], 1e-5 * p[0]);
                double[] w = evaluate(new DistillationObjective(teacher, weigh, FlowRole.FIRST_LAYER, null, div), s, d);
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
                ua[i] = (float) org.icaloflow.preprocess.ShowerEncoding.inverseLogit(ya[i]);
                ub[i] = (float) org.icaloflow.preprocess.ShowerEncoding.inverseLogit(yb[i]);
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
