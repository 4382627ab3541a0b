package org.icaloflow.cfm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReferenceTrajectoryTest {

    @Test
    void interpolatesBetweenTheGridPointsAndIsDifferentiableInTime() {
        // dx/dt = −x·t: x(t) = x0·exp(−t²/2), dx/dt known in closed form
        VelocityField decay = (x, t) -> x.mul(t).neg();
        double[] x0 = {1.0, -0.5, 2.0};
        try (NDManager m = NDManager.newBaseManager()) {
            ReferenceTrajectory ref = ReferenceTrajectory.solve(decay, m.create(x0).reshape(3, 1), new OdeSolver(OdeSolver.Method.RK4, 50));
            assertEquals(50, ref.steps());
            for (double t : new double[] {0, 0.013, 0.5, 0.537, 0.9999, 1}) {
                NDArray tt = m.create(t);
                tt.setRequiresGradient(true);
                double[] got;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = ref.at(tt);
                    got = x.toDoubleArray();
                    gc.backward(x.sum());
                }
                double sum0 = x0[0] + x0[1] + x0[2];
                for (int i = 0; i < 3; i++) assertEquals(x0[i] * Math.exp(-t * t / 2), got[i], 1e-8, "x(" + t + ")");
                // d/dt Σ x(t) = −t·exp(−t²/2)·Σ x0
                assertEquals(-t * Math.exp(-t * t / 2) * sum0, tt.getGradient().getDouble(), 1e-5, "dx/dt at " + t);
            }
        }
    }
}
