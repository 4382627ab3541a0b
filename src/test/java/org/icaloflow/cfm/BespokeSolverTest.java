package org.icaloflow.cfm;

import org.icaloflow.nn.Scalars;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.icaloflow.nn.Adam;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BespokeSolverTest {

    @Test
    void hasThePapersParameterCount() {
        long[][] cases = {{1, 4}, {2, 8}, {4, 19}, {8, 53}, {10, 76}}; // N(N+5)/2 + 1 by hand
        try (NDManager m = NDManager.newBaseManager()) {
            for (long[] c : cases) {
                try (BespokeSolver s = BespokeSolver.euler(m, (int) c[0], DataType.FLOAT32)) {
                    long size = s.parameters().stream().mapToLong(NDArray::size).sum();
                    assertEquals(c[1], size, "N = " + c[0]);
                    assertEquals(c[1], BespokeSolver.parameterCount((int) c[0]));
                    assertEquals(3, s.parameters().size());
                    assertTrue(s.parameters().stream().allMatch(NDArray::hasGradient), "learnable");
                }
            }
        }
    }

    @Test
    void initialisedToEulerItIsEulerToFloatPrecision() {
        int n = 7;
        try (NDManager m = NDManager.newBaseManager(); BespokeSolver s = BespokeSolver.euler(m, n, DataType.FLOAT32)) {
            double[] t = s.times();
            assertEquals(0.0, t[0], 0);
            assertEquals(1.0, t[n], 0);
            for (int i = 0; i <= n; i++) assertEquals((double) i / n, t[i], 1e-7);
            NDArray x0 = gaussian(m, 64, 2, 3);
            for (VelocityField f : new VelocityField[] {TestFields.SPEEDING_ROTATION, (x, tt) -> x.mul(tt).neg().add(x.square().mul(Scalars.like(x, 0.1)))}) {
                VelocityField.Counting v = VelocityField.counting(f);
                float[] bns = s.solve(v, x0).toFloatArray();
                assertEquals(n, v.evaluations(), "one evaluation per step");
                float[] euler = new OdeSolver(OdeSolver.Method.EULER, n).solve(f, x0).toFloatArray();
                for (int i = 0; i < bns.length; i++) assertEquals(euler[i], bns[i], 2e-5 * (1 + Math.abs(euler[i])), "entry " + i);
            }
        }
    }

    @Test
    void takesEquationFifteensStepsWithItsOwnCoefficients() {
        // N = 2, a = (0.5, 2), b_0 = (0.3), b_1 = (−0.2, 0.7), τ = (0.1, 0.4, 1.1) → t = (0, 0.3, 1); v(x, t) = x·t + 1
        try (NDManager m = NDManager.newBaseManager();
             BespokeSolver s = BespokeSolver.of(m, new double[] {0.5, 2}, new double[][] {{0.3}, {-0.2, 0.7}},
                     new double[] {0.1, 0.4, 1.1}, DataType.FLOAT64)) {
            double[] t = s.times();
            assertEquals(0.0, t[0], 0);
            assertEquals(0.3, t[1], 1e-15);
            assertEquals(1.0, t[2], 0);
            double[] x0 = {1, -2};
            double[] got = s.solve((x, tt) -> x.mul(tt).add(1.0), m.create(x0).reshape(2, 1)).toDoubleArray();
            for (int k = 0; k < 2; k++) {
                double v0 = x0[k] * 0 + 1;
                double x1 = 0.5 * x0[k] + 0.3 * v0;
                double v1 = x1 * 0.3 + 1;
                double x2 = 2 * x0[k] + -0.2 * v0 + 0.7 * v1;
                assertEquals(x2, got[k], 1e-12, "sample " + k);
            }
        }
    }

    @Test
    void oneAdamStepOnTheGlobalTruncationErrorReducesItAndTheBoundaryTimesStay() {
        int n = 4;
        try (NDManager m = NDManager.newBaseManager(); BespokeSolver s = BespokeSolver.euler(m, n, DataType.FLOAT32);
             Adam adam = new Adam(s.parameters(), 1e-3, null)) {
            VelocityField v = TestFields.SPEEDING_ROTATION;
            NDArray x0 = gaussian(m, 100, 2, 5);
            NDArray ref = ReferenceTrajectory.midpoint100(v, x0).end();
            Function<Boolean, Double> step = check -> {
                try (NDManager sm = m.newSubManager()) {
                    NDArray x = x0.duplicate();
                    x.attach(sm);
                    double loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray l = s.globalTruncationError(v, x, ref);
                        loss = l.getFloat();
                        gc.backward(l);
                    }
                    if (check) {
                        for (NDArray p : s.parameters()) assertTrue(p.getGradient().abs().sum().getFloat() > 0, "a gradient for " + p.getShape());
                        // the interior times get a gradient of their own
                        assertTrue(Math.abs(s.parameters().get(2).getGradient().toFloatArray()[1]) > 0, "τ_1");
                    }
                    adam.step();
                    return loss;
                }
            };
            double before = step.apply(true);
            double after = gte(s, v, x0, ref);
            System.out.printf("GTE Euler %.5f, after one Adam step %.5f%n", before, after);
            assertTrue(before > 0.5, "Euler is visibly wrong on the speeding rotation: " + before);
            assertTrue(after < before, after + " < " + before);
            for (int k = 0; k < 200; k++) step.apply(false);
            double trained = gte(s, v, x0, ref);
            System.out.printf("GTE after 201 steps %.5f%n", trained);
            assertTrue(trained < 0.5 * before, "training keeps reducing it: " + trained);
            double[] t = s.times();
            assertEquals(0.0, t[0], 0);
            assertEquals(1.0, t[n], 0);
        }
    }

    @Test
    void theLocalTruncationErrorOfOneStepIsTheGlobalOneAndAnAdamStepReducesIt() {
        VelocityField v = TestFields.SPEEDING_ROTATION;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = gaussian(m, 50, 2, 7);
            ReferenceTrajectory ref = ReferenceTrajectory.midpoint100(v, x0);
            try (BespokeSolver one = BespokeSolver.euler(m, 1, DataType.FLOAT32)) {
                double lte = one.localTruncationError(v, ref).getFloat();
                double gte = one.globalTruncationError(v, x0, ref.end()).getFloat();
                assertEquals(gte, lte, 1e-5 * gte);
            }
            // an independent sum for N = 3 from the Euler init: Σ_i |x_ref(t_{i+1}) − x_0 − (1/3) Σ_{j≤i} v(x_ref(t_j), t_j)|²
            try (BespokeSolver s = BespokeSolver.euler(m, 3, DataType.FLOAT32); Adam adam = new Adam(s.parameters(), 1e-3, null)) {
                double expected = 0;
                double[] x0d = x0.toType(DataType.FLOAT64, false).toDoubleArray();
                double[][] refAt = new double[4][];
                for (int i = 0; i <= 3; i++) refAt[i] = exactSpeedingRotation(x0d, i / 3.0);
                for (int i = 0; i < 3; i++) {
                    for (int r = 0; r < 50; r++) {
                        for (int c = 0; c < 2; c++) {
                            double sum = 0;
                            for (int j = 0; j <= i; j++) {
                                double tj = j / 3.0, w = Math.PI * (1 + tj);
                                // v = ω(t)·J x: (−y, x)·ω
                                sum += c == 0 ? -w * refAt[j][2 * r + 1] : w * refAt[j][2 * r];
                            }
                            double d = refAt[i + 1][2 * r + c] - x0d[2 * r + c] - sum / 3;
                            expected += d * d / 50;
                        }
                    }
                }
                double before;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray l = s.localTruncationError(v, ref);
                    before = l.getFloat();
                    gc.backward(l);
                }
                assertEquals(expected, before, 2e-3 * expected, "Eq. 17 against the exact trajectory");
                adam.step();
                double after = s.localTruncationError(v, ref).getFloat();
                System.out.printf("LTE Euler %.5f, after one Adam step %.5f%n", before, after);
                assertTrue(after < before, after + " < " + before);
            }
        }
    }

    /** x(t) for dx/dt = π(1 + t)·J x: a rotation by π(t + t²/2). */
    static double[] exactSpeedingRotation(double[] x0, double t) {
        double th = Math.PI * (t + t * t / 2), c = Math.cos(th), s = Math.sin(th);
        double[] x = new double[x0.length];
        for (int r = 0; r < x0.length / 2; r++) {
            x[2 * r] = c * x0[2 * r] - s * x0[2 * r + 1];
            x[2 * r + 1] = s * x0[2 * r] + c * x0[2 * r + 1];
        }
        return x;
    }

    private static double gte(BespokeSolver s, VelocityField v, NDArray x0, NDArray ref) {
        try (NDManager sm = x0.getManager().newSubManager()) {
            NDArray x = x0.duplicate();
            x.attach(sm);
            return s.globalTruncationError(v, x, ref).getFloat();
        }
    }

    static NDArray gaussian(NDManager m, int rows, int cols, long seed) {
        Random r = new Random(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return m.create(v).reshape(rows, cols);
    }
}
