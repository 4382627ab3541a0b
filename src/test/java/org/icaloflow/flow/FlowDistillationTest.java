package org.icaloflow.flow;

import org.icaloflow.FlowRole;
import org.icaloflow.distill.DistillationObjective;
import org.icaloflow.distill.DistillationSettings;
import org.icaloflow.nn.Adam;
import org.icaloflow.train.InMemoryData;
import org.icaloflow.train.LearningRateSchedule;
import org.icaloflow.train.TrainingData;
import org.icaloflow.train.TrainingSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * The traces support probability-density distillation: a student IAF fitted to a frozen teacher MAF with the
 * x-pass loss of the authors' code (χ² = Σ over features, mean over the batch), L = χ²(x, f_IAF⁻¹(f_MAF(x)))
 * + Σ_blocks [χ²(MADE outputs) + χ²(block inputs)], block i of the student paired with block i of the teacher,
 * through the student's one-pass inverse inside a GradientCollector. (The full objective, with its weights, is
 * {@code org.icaloflow.distill.DistillationObjective}, tested in DistillationTest.)
 */
class FlowDistillationTest {
    static {
        FlowTestSupport.singleThreaded();
    }

    /** Σ over all but the batch axis of (a − b)², averaged over the batch. */
    private static NDArray chi2(NDArray a, NDArray b) {
        NDArray sq = a.sub(b).square();
        return sq.reshape(sq.getShape().get(0), -1).sum(new int[] {1}).mean();
    }

    private static float loss(Flow teacher, Flow student, NDManager root, NDArray xs, NDArray cs, Adam adam) {
        try (NDManager s = root.newSubManager()) {
            NDArray x = xs.duplicate();
            x.attach(s);
            NDArray c = cs.duplicate();
            c.attach(s);
            Trace t = teacher.forward(x, c); // outside the collector: no teacher gradients
            float value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Trace st = student.inverse(t.z(), c);
                NDArray l = chi2(st.x(), x);
                for (int i = 0; i < t.blocks().size(); i++) {
                    l = l.add(chi2(st.blocks().get(i).params(), t.blocks().get(i).params()));
                    l = l.add(chi2(st.blocks().get(i).input(), t.blocks().get(i).input()));
                }
                value = l.getFloat();
                if (adam != null) {
                    gc.backward(l);
                }
            }
            if (adam != null) {
                for (NDArray p : student.parameters()) {
                    assertTrue(p.getGradient().isNaN().sum().getLong() == 0, "finite student gradients");
                }
                adam.step();
            }
            return value;
        }
    }

    /**
     * Distillation takes no device branch: the objective's x- and z-passes (student in training mode, frozen teacher
     * in eval mode, both one pass per block), its gradients and its KL selection estimate (eval mode, one pass per
     * block) never reach the eval-mode kernels, even on the CPU with {@code auto}: on a CUDA device they run the code
     * these tests run (docs/gpu.md). A counting stand-in for the CPU kernels sees no call.
     */
    @Test
    void distillationTakesNoDeviceBranch() {
        EvalKernelsTest.Counting counting = new EvalKernelsTest.Counting(3);
        Engine.getInstance().setRandomSeed(4);
        try (NDManager root = NDManager.newBaseManager();
                EvalKernels.Selection auto = EvalKernels.select(EvalKernels.Choice.AUTO);
                EvalKernels.Selection standIn = KernelSelection.standIn(counting)) {
            Flow teacher = Flow.create(new FlowSpec(FlowKind.MAF, 3, 1, 1, 8, 2, 8, 6, 1, 1e-6, 1e-6, 1e-6), root);
            FlowTestSupport.randomize(teacher, 6, 0.3);
            Flow student = DistillationObjective.studentOf(teacher,
                    new FlowSpec(FlowKind.IAF, 3, 1, 1, 8, 2, 8, 6, 2, 1e-6, 1e-6, 1e-6), root);
            TrainingSettings ts = new TrainingSettings(1, 16, new LearningRateSchedule.OneCycle(1e-3, 1e-2), 0, 0, 5, 3, 10, 11L);
            // beta 0.5: both passes
            DistillationObjective objective = new DistillationObjective(teacher,
                    new DistillationSettings(ts, null, null, null, null), FlowRole.FIRST_LAYER, null, null);
            java.util.Random rng = new java.util.Random(7);
            float[] x = new float[16 * 3];
            float[] c = new float[16];
            for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
            for (int i = 0; i < c.length; i++) c[i] = (float) rng.nextGaussian();
            InMemoryData data = new InMemoryData(x, 3, c, 1);
            TrainingData.Batch b = data.batches(16, false, 0, 0).next();
            try (NDManager s = root.newSubManager()) {
                NDArray xa = s.create(b.x(), new Shape(16, 3));
                NDArray ca = s.create(b.c(), new Shape(16, 1));
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray l = objective.loss(student, xa, ca, b, 0).total();
                    assertTrue(Float.isFinite(l.getFloat()));
                    gc.backward(l);
                }
            }
            assertTrue(Double.isFinite(objective.selectionMetric(student, data, 8)));
            assertTrue(teacher.isEvalMode(), "the frozen teacher is in eval mode, where the kernels could take over");
            assertEquals(0, counting.calls(), "no eval-mode kernel call in distillation");
        }
    }

    @Test
    void studentLearnsTeacherThroughTraces() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager root = NDManager.newBaseManager()) {
            Flow teacher = Flow.create(new FlowSpec(FlowKind.MAF, 4, 1, 1, 16, 2, 8, 6, 1, 1e-6, 1e-6, 1e-6), root);
            FlowTestSupport.randomize(teacher, 5, 0.3);
            Flow student = Flow.create(new FlowSpec(FlowKind.IAF, 4, 1, 1, 24, 2, 8, 6, 1, 1e-6, 1e-6, 1e-6), root);
            NDArray xs = root.randomNormal(new Shape(256, 4));
            NDArray cs = root.randomUniform(-1, 1, new Shape(256, 1));
            float before = loss(teacher, student, root, xs, cs, null);
            Adam adam = new Adam(student.parameters(), 3e-3, student::markParametersChanged);
            for (int i = 0; i < 150; i++) {
                loss(teacher, student, root, xs, cs, adam);
            }
            float after = loss(teacher, student, root, xs, cs, null);
            assertTrue(after < 0.3 * before, "distillation loss falls: " + before + " -> " + after);
        }
    }
}
