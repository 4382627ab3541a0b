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
 * <p>What a solve returns lives on x0's manager; each step's intermediates are freed when the step ends.
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

    /**
     * x(1) from x(0) = x0, on x0's manager. Each step's stages and temporaries live on a sub-manager closed when the
     * step ends, and the previous state is freed, so a solve holds a few states, not all N steps' intermediates
     * (4 stages and their sums per RK4 step: 20 steps of a DS2 batch of 1000 in float32 would otherwise keep
     * ≈ 20 × 12 × 26 MB). Under a GradientCollector the graph keeps what the backward pass needs.
     */
    public NDArray solve(VelocityField v, NDArray x0) {
        NDArray x = x0;
        for (int n = 0; n < steps; n++) {
            NDArray next = scopedStep(v, x, x0.getManager(), (double) n / steps);
            if (x != x0) x.close();
            x = next;
        }
        return x;
    }

    /** The states at t_n = n/N, n = 0..N (N + 1 arrays on x0's manager, the first x0 itself); steps scoped as {@link #solve}'s. */
    public List<NDArray> trajectory(VelocityField v, NDArray x0) {
        List<NDArray> xs = new ArrayList<>(steps + 1);
        xs.add(x0);
        NDArray x = x0;
        for (int n = 0; n < steps; n++) {
            x = scopedStep(v, x, x0.getManager(), (double) n / steps);
            xs.add(x);
        }
        return xs;
    }

    /** One step computed on a sub-manager of {@code home}; only the new state survives it, attached to {@code home}. */
    private NDArray scopedStep(VelocityField v, NDArray x, NDManager home, double t) {
        try (NDManager scope = home.newSubManager()) {
            x.tempAttach(scope);   // back on its own manager when the scope closes
            NDArray next = step(v, x, t);
            next.attach(home);
            return next;
        }
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
