package org.icaloflow.flow;

import org.icaloflow.nn.Adam;
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
