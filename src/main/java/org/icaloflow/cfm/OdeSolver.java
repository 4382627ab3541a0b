package org.icaloflow.cfm;

import org.icaloflow.nn.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;

/**
 * Fixed-step explicit solvers of dx/dt = v(x, t) from t = 0 (noise) to t = 1 (data), paper Eqs. 5 and 7:
 * {@link Method#EULER}, {@link Method#MIDPOINT} and {@link Method#RK4} (the paper's sampler, Tables 1 and 2) with
 * N equal steps h = 1/N, using 1, 2 and 4 evaluations of v per step. The midpoint method is the explicit one,
 * x + h·v(x + h/2·v(x, t), t + h/2), the reference solver of the bespoke training (Table 5).
 *
 * <p>The step's intermediates live on x's manager: run a solve inside a sub-manager and keep what it returns.
 */
public final class OdeSolver {
    /** A fixed-step method and its function evaluations per step. */
    public enum Method {
        EULER(1), MIDPOINT(2), RK4(4);

        private final int evaluationsPerStep;

        Method(int evaluationsPerStep) {
            this.evaluationsPerStep = evaluationsPerStep;
        }

        public int evaluationsPerStep() {
            return evaluationsPerStep;
        }
    }

    private final Method method;
    private final int steps;

    public OdeSolver(Method method, int steps) {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        this.method = method;
        this.steps = steps;
    }

    public Method method() {
        return method;
    }

    public int steps() {
        return steps;
    }

    /** Function evaluations of one solve: N, 2N or 4N. */
    public int evaluations() {
        return steps * method.evaluationsPerStep();
    }

    /** x(1) from x(0) = x0. */
    public NDArray solve(VelocityField v, NDArray x0) {
        NDArray x = x0;
        for (int n = 0; n < steps; n++) x = step(v, x, (double) n / steps);
        return x;
    }

    /** The states at t_n = n/N, n = 0..N (N + 1 arrays, the first x0 itself). */
    public List<NDArray> trajectory(VelocityField v, NDArray x0) {
        List<NDArray> xs = new ArrayList<>(steps + 1);
        xs.add(x0);
        NDArray x = x0;
        for (int n = 0; n < steps; n++) {
            x = step(v, x, (double) n / steps);
            xs.add(x);
        }
        return xs;
    }

    private NDArray step(VelocityField v, NDArray x, double t) {
        double h = 1.0 / steps;
        NDManager m = x.getManager();
        NDArray hh = Scalars.like(x, h);
        switch (method) {
            case EULER:
                return x.add(v.velocity(x, time(m, x, t)).mul(hh));
            case MIDPOINT: {
                NDArray k1 = v.velocity(x, time(m, x, t));
                NDArray half = Scalars.like(x, h / 2);
                return x.add(v.velocity(x.add(k1.mul(half)), time(m, x, t + h / 2)).mul(hh));
            }
            case RK4: {
                NDArray half = Scalars.like(x, h / 2);
                NDArray k1 = v.velocity(x, time(m, x, t));
                NDArray k2 = v.velocity(x.add(k1.mul(half)), time(m, x, t + h / 2));
                NDArray k3 = v.velocity(x.add(k2.mul(half)), time(m, x, t + h / 2));
                NDArray k4 = v.velocity(x.add(k3.mul(hh)), time(m, x, t + h));
                // x + h/6 (k1 + 2 k2 + 2 k3 + k4)
                NDArray two = Scalars.like(x, 2);
                NDArray sum = k1.add(k2.mul(two)).add(k3.mul(two)).add(k4);
                return x.add(sum.mul(Scalars.like(x, h / 6)));
            }
            default:
                throw new AssertionError(method);
        }
    }

    private static NDArray time(NDManager m, NDArray x, double t) {
        return Scalars.scalar(m, x.getDataType(), t);
    }
}
