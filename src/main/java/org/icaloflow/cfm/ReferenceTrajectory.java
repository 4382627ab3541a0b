package org.icaloflow.cfm;

import org.icaloflow.nn.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;

/**
 * A precisely solved trajectory x_ref(t) on t ∈ [0, 1] (the bespoke solvers' reference, Sec. 3.4; Table 5 takes
 * midpoint with 100 steps): the states and velocities at the M + 1 grid times k/M, and between them the cubic
 * Hermite interpolant of both, O(1/M⁴) accurate, so x_ref can be read at a bespoke solver's learnable times
 * (Eq. 17) and is differentiable in t (t enters through the Hermite basis; the segment is picked by t's value).
 *
 * <p>Build it outside a GradientCollector: the grid is a constant of the bespoke training.
 */
public final class ReferenceTrajectory {
    private final List<NDArray> states;
    private final List<NDArray> velocities;
    private final int steps;

    private ReferenceTrajectory(List<NDArray> states, List<NDArray> velocities) {
        this.states = List.copyOf(states);
        this.velocities = List.copyOf(velocities);
        this.steps = states.size() - 1;
    }

    /** Solves from x0 with {@code solver} and evaluates v at its M + 1 grid states (M + 1 more evaluations). */
    public static ReferenceTrajectory solve(VelocityField v, NDArray x0, OdeSolver solver) {
        List<NDArray> xs = solver.trajectory(v, x0);
        List<NDArray> vs = new ArrayList<>(xs.size());
        NDManager m = x0.getManager();
        for (int k = 0; k < xs.size(); k++) {
            vs.add(v.velocity(xs.get(k), Scalars.scalar(m, x0.getDataType(), (double) k / solver.steps())));
        }
        return new ReferenceTrajectory(xs, vs);
    }

    /** The paper's reference: midpoint, 100 steps (Table 5). */
    public static ReferenceTrajectory midpoint100(VelocityField v, NDArray x0) {
        return solve(v, x0, new OdeSolver(OdeSolver.Method.MIDPOINT, 100));
    }

    public int steps() {
        return steps;
    }

    /** Moves the grid's states and velocities to {@code m} (e.g. out of the scope the solve ran in). */
    public ReferenceTrajectory attach(NDManager m) {
        for (NDArray x : states) x.attach(m);
        for (NDArray v : velocities) v.attach(m);
        return this;
    }

    /** x_ref(0), the start. */
    public NDArray start() {
        return states.get(0);
    }

    /** x_ref(1), the reference end state (Eq. 16). */
    public NDArray end() {
        return states.get(steps);
    }

    /** x_ref(t) for a 0-dim t in [0, 1], differentiable in t; the result is on t's manager. */
    public NDArray at(NDArray t) {
        double tv = t.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
        if (!(tv >= -1e-6 && tv <= 1 + 1e-6)) throw new IllegalArgumentException("t = " + tv + " is outside [0, 1]");
        int k = Math.min(Math.max((int) Math.floor(tv * steps), 0), steps - 1);
        double h = 1.0 / steps;
        NDArray x0 = states.get(k), x1 = states.get(k + 1);
        // s = (t − t_k)/h; Hermite basis h00 = 2s³ − 3s² + 1, h10 = s³ − 2s² + s, h01 = −2s³ + 3s², h11 = s³ − s²
        NDArray s = t.sub((double) k * h).mul(Scalars.like(t, steps));
        NDArray s2 = s.mul(s), s3 = s2.mul(s);
        NDArray two = Scalars.like(t, 2), three = Scalars.like(t, 3), hh = Scalars.like(t, h);
        NDArray h00 = s3.mul(two).sub(s2.mul(three)).add(1.0);
        NDArray h10 = s3.sub(s2.mul(two)).add(s);
        NDArray h01 = s2.mul(three).sub(s3.mul(two));
        NDArray h11 = s3.sub(s2);
        NDArray r = h00.mul(x0).add(h10.mul(hh).mul(velocities.get(k))).add(h01.mul(x1)).add(h11.mul(hh).mul(velocities.get(k + 1)));
        return r;
    }
}
