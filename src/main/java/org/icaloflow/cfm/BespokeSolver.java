package org.icaloflow.cfm;

import org.icaloflow.nn.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * A bespoke non-stationary (BNS) solver (paper Sec. 3.4, after Shaul et al., refs. [104, 105]): N steps
 * <pre>
 *   x_{i+1} = a_i · x_0 + Σ_{j=0..i} b_ij · v(x_j, t_j),    i = 0 .. N−1            (Eq. 15)
 * </pre>
 * with the velocities cached, so one evaluation of v per step, N in all. This is Eq. 15's form as written: every
 * step restarts from x_0 with its own coefficients (no step size multiplies b; it is absorbed in b).
 *
 * <p>Parameters, N(N+5)/2 + 1 numbers as the paper counts them, in {@link #parameters()} order:
 * <ul>
 *   <li>{@code a}: a_0..a_{N−1}, N numbers;</li>
 *   <li>{@code b}: b_i ∈ R^{i+1} for i = 0..N−1, N(N+1)/2 numbers, flat, row i starting at i(i+1)/2;</li>
 *   <li>{@code τ}: N + 1 raw times τ_0..τ_N, from which t_i = (τ_i − τ_0) / (τ_N − τ_0).</li>
 * </ul>
 * The boundary conditions t_0 = 0 and t_N = 1 hold exactly by that normalisation, whatever the τ; it leaves
 * N − 1 free times (the paper's "t_i not fixed by the boundary conditions"), τ's shift and scale being gauge
 * directions. Storing the two boundary times as parameters is what makes the count N + N(N+1)/2 + (N+1) =
 * N(N+5)/2 + 1; with only the N − 1 interior times the solver has N(N+5)/2 − 1 free numbers. Order
 * 0 &lt; t_1 &lt; … is not enforced (small optimiser steps from evenly spaced times keep it; {@link #times()} shows it).
 *
 * <p>{@link #euler} initialises to Euler's method (Sec. 3.4): a_i = 1, b_ij = 1/N, τ_i = i/N. Training
 * (Table 5: Adam, lr 1e-3, batch 100, midpoint-100 reference) minimises {@link #globalTruncationError} (Eq. 16)
 * or {@link #localTruncationError} (Eq. 17) with the field frozen. The parameters require gradients; they live on
 * a sub-manager the solver owns ({@link #close()}), and what a solve computes goes on x_0's manager.
 */
public final class BespokeSolver implements AutoCloseable {
    private final int steps;
    private final NDManager manager;
    private final NDArray a;
    private final NDArray b;
    private final NDArray tau;

    private BespokeSolver(NDManager parent, double[] a, double[][] b, double[] tau, DataType type) {
        int n = a.length;
        if (n < 1) throw new IllegalArgumentException("a BNS solver needs at least one step");
        if (b.length != n || tau.length != n + 1) throw new IllegalArgumentException("need N rows of b and N + 1 times for N = " + n);
        double[] flat = new double[n * (n + 1) / 2];
        for (int i = 0; i < n; i++) {
            if (b[i].length != i + 1) throw new IllegalArgumentException("b_" + i + " must have " + (i + 1) + " entries");
            System.arraycopy(b[i], 0, flat, i * (i + 1) / 2, i + 1);
        }
        if (!(tau[n] != tau[0])) throw new IllegalArgumentException("τ_N must differ from τ_0");
        this.steps = n;
        this.manager = parent.newSubManager();
        this.a = param(a, type);
        this.b = param(flat, type);
        this.tau = param(tau, type);
    }

    private NDArray param(double[] v, DataType type) {
        NDArray p = manager.create(v).toType(type, false);
        p.setRequiresGradient(true);
        return p;
    }

    /** The solver with the given a (N), b (rows of 1..N entries) and raw times τ (N + 1). */
    public static BespokeSolver of(NDManager parent, double[] a, double[][] b, double[] tau, DataType type) {
        return new BespokeSolver(parent, a, b, tau, type);
    }

    /** Euler's method as an N-step BNS solver: a_i = 1, b_ij = 1/N, t_i = i/N (the paper's initialisation). */
    public static BespokeSolver euler(NDManager parent, int steps, DataType type) {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        double[] a = new double[steps];
        double[][] b = new double[steps][];
        double[] tau = new double[steps + 1];
        for (int i = 0; i < steps; i++) {
            a[i] = 1;
            b[i] = new double[i + 1];
            java.util.Arrays.fill(b[i], 1.0 / steps);
        }
        for (int i = 0; i <= steps; i++) tau[i] = (double) i / steps;
        return new BespokeSolver(parent, a, b, tau, type);
    }

    /** The solver with the given coefficients (as {@link #coefficients()} returns them). */
    public static BespokeSolver of(NDManager parent, Coefficients c, DataType type) {
        return new BespokeSolver(parent, c.a(), c.b(), c.tau(), type);
    }

    /**
     * A solver's numbers as plain doubles: a (N), b (rows of 1..N entries), the raw times τ (N + 1), from which
     * t_i = (τ_i − τ_0)/(τ_N − τ_0). What a trained solver saves and loads.
     */
    public record Coefficients(double[] a, double[][] b, double[] tau) {
        public Coefficients {
            a = a.clone();
            double[][] rows = new double[b.length][];
            for (int i = 0; i < b.length; i++) rows[i] = b[i].clone();
            b = rows;
            tau = tau.clone();
        }

        public int steps() {
            return a.length;
        }

        /** t_0..t_N in double (t_0 = 0 and t_N = 1 exactly). */
        public double[] times() {
            int n = a.length;
            double[] t = new double[n + 1];
            for (int i = 0; i <= n; i++) t[i] = i == n ? 1 : (tau[i] - tau[0]) / (tau[n] - tau[0]);
            return t;
        }
    }

    /** The current a, b and τ as doubles (a copy). */
    public Coefficients coefficients() {
        double[] av = a.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] flat = b.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] tv = tau.toType(DataType.FLOAT64, false).toDoubleArray();
        double[][] rows = new double[steps][];
        for (int i = 0; i < steps; i++) rows[i] = java.util.Arrays.copyOfRange(flat, i * (i + 1) / 2, i * (i + 1) / 2 + i + 1);
        return new Coefficients(av, rows, tv);
    }

    /** The parameters' data type. */
    public DataType dataType() {
        return tau.getDataType();
    }

    /** N(N+5)/2 + 1, the paper's count (Sec. 3.4). */
    public static long parameterCount(int steps) {
        return (long) steps * (steps + 5) / 2 + 1;
    }

    public int steps() {
        return steps;
    }

    /** a (N), b (N(N+1)/2, flat) and τ (N + 1): what an optimiser updates. */
    public List<NDArray> parameters() {
        return List.of(a, b, tau);
    }

    /** t_0..t_N as doubles (t_0 = 0 and t_N = 1 exactly). */
    public double[] times() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.zeros(new ai.djl.ndarray.types.Shape(1), tau.getDataType());
            double[] t = new double[steps + 1];
            for (int i = 0; i <= steps; i++) t[i] = time(i, x).toType(DataType.FLOAT64, false).getDouble();
            return t;
        }
    }

    /** x_N from x_0 (N evaluations of v), differentiable in the solver's parameters; x_0 in the solver's data type. */
    public NDArray solve(VelocityField v, NDArray x0) {
        checkType(x0);
        List<NDArray> cache = new ArrayList<>(steps);
        NDArray x = x0;
        for (int i = 0; i < steps; i++) {
            cache.add(v.velocity(x, time(i, x0)));
            x = combine(i, x0, cache);
        }
        return x;
    }

    /** Eq. 16: ⟨|x_ref(1) − x_N|²⟩ over the batch (squared norm per sample, mean over samples). */
    public NDArray globalTruncationError(VelocityField v, NDArray x0, NDArray xRef1) {
        return meanSquaredNorm(xRef1.sub(solve(v, x0)));
    }

    /**
     * Eq. 17: ⟨Σ_i |x_ref(t_{i+1}) − (a_i x_0 + b_i · V_ref,i)|²⟩, V_ref,i = [v(x_ref(t_0), t_0) .. v(x_ref(t_i), t_i)]:
     * every step taken from the reference trajectory (N evaluations of v), differentiable in a, b and the times.
     */
    public NDArray localTruncationError(VelocityField v, ReferenceTrajectory ref) {
        NDArray x0 = ref.start();
        checkType(x0);
        List<NDArray> cache = new ArrayList<>(steps);
        NDArray loss = null;
        for (int i = 0; i < steps; i++) {
            NDArray ti = time(i, x0);
            NDArray xi = i == 0 ? x0 : ref.at(ti);
            cache.add(v.velocity(xi, ti));
            NDArray term = meanSquaredNorm(ref.at(time(i + 1, x0)).sub(combine(i, x0, cache)));
            loss = loss == null ? term : loss.add(term);
        }
        return loss;
    }

    /** a_i x_0 + Σ_{j ≤ i} b_ij V_j (Eq. 15). */
    private NDArray combine(int i, NDArray x0, List<NDArray> cache) {
        NDArray x = x0.mul(entry(a, i, x0));
        int row = i * (i + 1) / 2;
        for (int j = 0; j <= i; j++) x = x.add(cache.get(j).mul(entry(b, row + j, x0)));
        return x;
    }

    /** t_i = (τ_i − τ_0)/(τ_N − τ_0), a 0-dim array on x's manager. */
    private NDArray time(int i, NDArray x) {
        NDArray t0 = entry(tau, 0, x);
        return entry(tau, i, x).sub(t0).div(entry(tau, steps, x).sub(t0));
    }

    /** p[k] as a 0-dim array moved to x's manager (so a solve's intermediates don't pile up on the solver's). */
    private static NDArray entry(NDArray p, long k, NDArray x) {
        NDArray e = p.get(k);
        e.attach(x.getManager());
        return e;
    }

    private void checkType(NDArray x0) {
        if (x0.getDataType() != tau.getDataType()) {
            throw new IllegalArgumentException("x_0 is " + x0.getDataType() + ", the solver's parameters " + tau.getDataType());
        }
    }

    private static NDArray meanSquaredNorm(NDArray diff) {
        long n = diff.getShape().get(0);
        return diff.square().sum().div(Scalars.like(diff, n));
    }

    @Override
    public void close() {
        manager.close();
    }
}
