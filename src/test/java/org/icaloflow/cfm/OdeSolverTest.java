package org.icaloflow.cfm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OdeSolverTest {
    /** dx/dt = −x·t: x(1) = x(0)·exp(−1/2). Non-autonomous, so the stages' times matter. */
    private static final VelocityField DECAY = (x, t) -> x.mul(t).neg();

    private static final double[] X0 = {1.0, -0.5, 2.0};

    private static double maxError(OdeSolver.Method method, int steps, NDManager m) {
        NDArray x1 = new OdeSolver(method, steps).solve(DECAY, m.create(X0).reshape(3, 1));
        double[] got = x1.toDoubleArray();
        double err = 0;
        for (int i = 0; i < X0.length; i++) err = Math.max(err, Math.abs(got[i] - X0[i] * Math.exp(-0.5)));
        return err;
    }

    @Test
    void halvingTheStepDividesTheErrorByTwoFourAndSixteen() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (var c : List.of(new Object[] {OdeSolver.Method.EULER, 1.0}, new Object[] {OdeSolver.Method.MIDPOINT, 2.0},
                    new Object[] {OdeSolver.Method.RK4, 4.0})) {
                OdeSolver.Method method = (OdeSolver.Method) c[0];
                double expected = (double) c[1];
                double e1 = maxError(method, 16, m), e2 = maxError(method, 32, m), e3 = maxError(method, 64, m);
                double order1 = Math.log(e1 / e2) / Math.log(2), order2 = Math.log(e2 / e3) / Math.log(2);
                System.out.printf("%s: errors %.3e %.3e %.3e, orders %.3f %.3f%n", method, e1, e2, e3, order1, order2);
                assertEquals(expected, order1, 0.3, method + " order 16 -> 32");
                assertEquals(expected, order2, 0.3, method + " order 32 -> 64");
            }
        }
    }

    @Test
    void rk4OnARotationMatchesTheExactRotation() {
        // dx/dt = J x with J = [[0, -1], [1, 0]]: a rotation by one radian at t = 1
        VelocityField rotation = (x, t) -> TestFields.rotate(x);
        try (NDManager m = NDManager.newBaseManager()) {
            double[] got = new OdeSolver(OdeSolver.Method.RK4, 20).solve(rotation, m.create(new double[][] {{1, 0}, {0.3, -2}})).toDoubleArray();
            double c = Math.cos(1), s = Math.sin(1);
            double[] exact = {c, s, 0.3 * c + 2 * s, 0.3 * s - 2 * c};
            for (int i = 0; i < 4; i++) assertEquals(exact[i], got[i], 1e-7, "entry " + i);
        }
    }

    @Test
    void countsNTwoNAndFourNEvaluationsAtTheStepTimes() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 5;
            for (OdeSolver.Method method : OdeSolver.Method.values()) {
                java.util.List<Double> times = new java.util.ArrayList<>();
                VelocityField.Counting v = VelocityField.counting((x, t) -> {
                    assertEquals(DataType.FLOAT32, t.getDataType());
                    assertEquals(0, t.getShape().dimension());
                    times.add((double) t.getFloat());
                    return x.zerosLike();
                });
                OdeSolver solver = new OdeSolver(method, n);
                List<NDArray> xs = solver.trajectory(v, m.ones(new ai.djl.ndarray.types.Shape(4, 2)));
                assertEquals(n + 1, xs.size());
                int per = method == OdeSolver.Method.EULER ? 1 : method == OdeSolver.Method.MIDPOINT ? 2 : 4;
                assertEquals((long) per * n, v.evaluations(), method.toString());
                assertEquals(per * n, solver.evaluations());
                assertEquals(0.0, times.get(0), 0);
                double last = method == OdeSolver.Method.RK4 ? 1.0 : method == OdeSolver.Method.MIDPOINT ? 0.9 : 0.8;
                assertEquals(last, times.get(times.size() - 1), 1e-6, method + " evaluates its last stage at t = " + last);
                assertTrue(times.stream().allMatch(t -> t >= 0 && t <= 1));
            }
        }
    }
}
