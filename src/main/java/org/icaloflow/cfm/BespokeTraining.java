package org.icaloflow.cfm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.icaloflow.nn.Adam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Training of a bespoke non-stationary solver ({@link BespokeSolver}, paper Sec. 3.4, Table 5) against a frozen
 * velocity field: initialised to Euler, each iteration draws a batch of x_0 ~ N(0, 1) and of conditions
 * ({@link Fields}), solves the reference (midpoint, {@code referenceSteps} steps; outside the gradient collector:
 * the reference is a constant of the loss), takes the loss (GTE, Eq. 16, or LTE, Eq. 17) and one Adam step
 * (β = (0.9, 0.999), ε = 1e-6 as the authors' code, no schedule). Every {@code validateEvery} iterations the same loss is evaluated on a
 * fixed validation set ({@code validationBatches} batches drawn once, before training, with their references);
 * training stops after {@code maxIterations} or when {@code patience} iterations passed without a lower validation
 * loss, and the parameters of the lowest validation loss are kept (the Euler start counts: a run that never
 * improves returns Euler).
 *
 * <p>Draws: {@code new SplittableRandom(seed)} is split once per validation batch (in order), then once per
 * training iteration; each batch's generator gives first the conditions ({@link Fields#draw}), then the B·d
 * values of x_0 ({@code nextGaussian}, row-major). The same seed, field and settings give the same solver.
 *
 * <p>Memory: the validation set holds per batch x_0 and the reference's end state (GTE), or the whole reference
 * trajectory, M + 1 states and velocities (LTE: 2(M + 1)·B·d numbers per batch, e.g. 0.5 GB of float32 for DS2's
 * 6480 voxels at B = 100, M = 100). A training iteration's arrays live on a sub-manager closed after the step.
 */
public final class BespokeTraining {
    /** Adam's ε (calo_dreamer's bespoke solvers: 1e-6, as their network training). */
    public static final double ADAM_EPS = 1e-6;

    /** The training loss. */
    public enum Loss {
        /** Eq. 16: ⟨|x_ref(1) − x_N|²⟩. */
        GTE,
        /** Eq. 17: ⟨Σ_i |x_ref(t_{i+1}) − (a_i x_0 + b_i · V_ref,i)|²⟩. */
        LTE;

        /** "gte" or "lte" (any case). */
        public static Loss parse(String s) {
            if (s != null) {
                for (Loss l : values()) if (l.name().equalsIgnoreCase(s.strip())) return l;
            }
            throw new IllegalArgumentException("loss must be gte or lte, got '" + s + "'");
        }

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param steps             N, the solver's steps (= function evaluations)
     * @param loss              GTE or LTE
     * @param learningRate      Adam's (Table 5: 1e-3)
     * @param batchSize         B (Table 5: 100)
     * @param maxIterations     at most this many Adam steps (Table 5: 5000)
     * @param patience          stop when this many iterations passed without a lower validation loss (Table 5: 200)
     * @param validationBatches the held-out batches (of B) the validation loss averages
     * @param validateEvery     validation every this many iterations (1: every one)
     * @param referenceSteps    M of the midpoint reference (Table 5: 100)
     * @param seed              the draws
     */
    public record Settings(int steps, Loss loss, double learningRate, int batchSize, int maxIterations, int patience,
                           int validationBatches, int validateEvery, int referenceSteps, long seed) {
        public Settings {
            if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            if (loss == null) throw new IllegalArgumentException("loss must be gte or lte");
            if (!(learningRate > 0) || Double.isInfinite(learningRate))
                throw new IllegalArgumentException("learningRate must be a finite number > 0, got " + learningRate);
            if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            if (maxIterations < 1) throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
            if (patience < 1) throw new IllegalArgumentException("patience must be >= 1, got " + patience);
            if (validationBatches < 1) throw new IllegalArgumentException("validationBatches must be >= 1, got " + validationBatches);
            if (validateEvery < 1) throw new IllegalArgumentException("validateEvery must be >= 1, got " + validateEvery);
            if (referenceSteps < 1) throw new IllegalArgumentException("referenceSteps must be >= 1, got " + referenceSteps);
        }

        /** Table 5 for N steps: lr 1e-3, batch 100, 5000 iterations, patience 200, midpoint-100; 4 validation batches. */
        public static Settings table5(int steps, Loss loss, long seed) {
            return new Settings(steps, loss, 1e-3, 100, 5000, 200, 4, 1, 100, seed);
        }
    }

    /** The conditions of one batch: the field v(x, t) the solver integrates for these B rows. */
    @FunctionalInterface
    public interface Fields {
        /** Draws B conditions from {@code rng} (arrays on {@code m}) and returns their field. */
        VelocityField draw(NDManager m, SplittableRandom rng, int batch);
    }

    /** One iteration: the training loss (NaN at iteration 0, the Euler start) and the validation loss (NaN when not validated). */
    public record Row(int iteration, double trainLoss, double validationLoss) {
    }

    /**
     * The validation set's end-state errors (Eq. 16's GTE) of the Euler start, the trained solver, fixed-step
     * solvers with the same N evaluations (midpoint N/2 and RK4 N/4 steps, where N divides), and the reference's
     * own: midpoint-M against RK4-M.
     */
    public record Comparison(double eulerGte, double bespokeGte, Map<String, Double> sameEvaluations, double referenceGte) {
    }

    /**
     * @param euler          the start (Euler)
     * @param best           the kept solver (lowest validation loss)
     * @param iterations     Adam steps taken
     * @param bestIteration  the iteration of the kept solver (0: the Euler start)
     * @param stoppedEarly   by patience (else: maxIterations reached)
     * @param eulerValidation the validation loss of the start
     * @param bestValidation  of the kept solver
     * @param badIterations  iterations whose loss was not finite (no step taken)
     * @param history        iteration 0 (the start) and every iteration
     * @param comparison     the validation set's GTEs
     */
    public record Result(BespokeSolver.Coefficients euler, BespokeSolver.Coefficients best, int iterations, int bestIteration,
                         boolean stoppedEarly, double eulerValidation, double bestValidation, int badIterations,
                         List<Row> history, Comparison comparison) {
    }

    private record ValidationBatch(NDArray x0, VelocityField field, NDArray end, ReferenceTrajectory trajectory) {
    }

    private BespokeTraining() {
    }

    /**
     * Trains an N-step solver for {@code fields} on rows of {@code dim} values of type {@code type}; arrays on
     * sub-managers of {@code manager}, all closed on return. {@code progress} (may be null) gets every row.
     */
    public static Result train(NDManager manager, Fields fields, int dim, DataType type, Settings s, Consumer<Row> progress) {
        return train(manager, fields, fields, dim, type, s, progress);
    }

    /**
     * As {@link #train(NDManager, Fields, int, DataType, Settings, Consumer)}, the training batches' conditions from
     * {@code fields} and the validation batches' from {@code validationFields} (e.g. held-out showers).
     */
    public static Result train(NDManager manager, Fields fields, Fields validationFields, int dim, DataType type, Settings s,
                               Consumer<Row> progress) {
        if (dim < 1) throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        SplittableRandom master = new SplittableRandom(s.seed());
        OdeSolver reference = new OdeSolver(OdeSolver.Method.MIDPOINT, s.referenceSteps());
        List<Row> history = new ArrayList<>();
        try (NDManager valManager = manager.newSubManager();
             BespokeSolver solver = BespokeSolver.euler(manager, s.steps(), type);
             Adam adam = new Adam(solver.parameters(), s.learningRate(), 0.9, 0.999, ADAM_EPS, null)) {
            List<ValidationBatch> val = new ArrayList<>();
            for (int j = 0; j < s.validationBatches(); j++) {
                SplittableRandom rng = master.split();
                VelocityField f = validationFields.draw(valManager, rng, s.batchSize());
                try (NDManager scope = valManager.newSubManager()) {   // the solves' intermediates go with it
                    NDArray x0 = gaussian(scope, rng, s.batchSize(), dim, type);
                    if (s.loss() == Loss.GTE) {
                        NDArray end = reference.solve(f, x0);
                        x0.attach(valManager);
                        end.attach(valManager);
                        val.add(new ValidationBatch(x0, f, end, null));
                    } else {
                        ReferenceTrajectory r = ReferenceTrajectory.solve(f, x0, reference).attach(valManager);
                        x0.attach(valManager);
                        val.add(new ValidationBatch(x0, f, r.end(), r));
                    }
                }
            }
            BespokeSolver.Coefficients euler = solver.coefficients(), best = euler;
            double eulerVal = validate(solver, val, s.loss()), bestVal = eulerVal;
            int bestIt = 0, it = 0, bad = 0;
            boolean early = false;
            emit(history, progress, new Row(0, Double.NaN, eulerVal));
            while (it < s.maxIterations()) {
                it++;
                SplittableRandom rng = master.split();
                double loss;
                try (NDManager step = manager.newSubManager()) {
                    VelocityField f = fields.draw(step, rng, s.batchSize());
                    NDArray x0 = gaussian(step, rng, s.batchSize(), dim, type);
                    NDArray end = null;
                    ReferenceTrajectory traj = null;
                    if (s.loss() == Loss.GTE) end = reference.solve(f, x0);
                    else traj = ReferenceTrajectory.solve(f, x0, reference);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray l = s.loss() == Loss.GTE ? solver.globalTruncationError(f, x0, end) : solver.localTruncationError(f, traj);
                        loss = l.toType(DataType.FLOAT64, false).getDouble();
                        if (Double.isFinite(loss)) gc.backward(l);
                    }
                    if (Double.isFinite(loss)) adam.step();
                    else bad++;
                }
                double v = Double.NaN;
                if (it % s.validateEvery() == 0 || it == s.maxIterations()) {
                    v = validate(solver, val, s.loss());
                    if (v < bestVal) {
                        bestVal = v;
                        bestIt = it;
                        best = solver.coefficients();
                    }
                }
                emit(history, progress, new Row(it, loss, v));
                if (it - bestIt >= s.patience()) {
                    early = true;
                    break;
                }
            }
            Comparison cmp = compare(manager, val, euler, best, type, s);
            return new Result(euler, best, it, bestIt, early, eulerVal, bestVal, bad, List.copyOf(history), cmp);
        }
    }

    private static void emit(List<Row> history, Consumer<Row> progress, Row r) {
        history.add(r);
        if (progress != null) progress.accept(r);
    }

    /** The mean over the validation batches of the loss (each batch on a scope closed after it). */
    private static double validate(BespokeSolver solver, List<ValidationBatch> val, Loss loss) {
        double sum = 0;
        for (ValidationBatch b : val) {
            try (NDManager scope = b.x0().getManager().newSubManager()) {
                b.x0().tempAttach(scope);
                b.end().tempAttach(scope);
                NDArray l = loss == Loss.GTE ? solver.globalTruncationError(b.field(), b.x0(), b.end())
                        : solver.localTruncationError(b.field(), b.trajectory());
                sum += l.toType(DataType.FLOAT64, false).getDouble();
            }
        }
        return sum / val.size();
    }

    private static Comparison compare(NDManager manager, List<ValidationBatch> val, BespokeSolver.Coefficients euler,
                                      BespokeSolver.Coefficients best, DataType type, Settings s) {
        int n = s.steps();
        Map<String, OdeSolver> same = new LinkedHashMap<>();
        if (n % 2 == 0) same.put("midpoint-" + n / 2, new OdeSolver(OdeSolver.Method.MIDPOINT, n / 2));
        if (n % 4 == 0) same.put("rk4-" + n / 4, new OdeSolver(OdeSolver.Method.RK4, n / 4));
        OdeSolver fine = new OdeSolver(OdeSolver.Method.RK4, s.referenceSteps());
        double e = 0, b = 0, ref = 0;
        double[] sums = new double[same.size()];
        try (BespokeSolver se = BespokeSolver.of(manager, euler, type); BespokeSolver sb = BespokeSolver.of(manager, best, type)) {
            for (ValidationBatch v : val) {
                try (NDManager scope = v.x0().getManager().newSubManager()) {
                    v.x0().tempAttach(scope);
                    v.end().tempAttach(scope);
                    e += scalar(se.globalTruncationError(v.field(), v.x0(), v.end()));
                    b += scalar(sb.globalTruncationError(v.field(), v.x0(), v.end()));
                    int k = 0;
                    for (OdeSolver o : same.values()) sums[k++] += scalar(squaredNorm(o.solve(v.field(), v.x0()).sub(v.end())));
                    ref += scalar(squaredNorm(fine.solve(v.field(), v.x0()).sub(v.end())));
                }
            }
        }
        int m = val.size();
        Map<String, Double> sameOut = new LinkedHashMap<>();
        int k = 0;
        for (String name : same.keySet()) sameOut.put(name, sums[k++] / m);
        return new Comparison(e / m, b / m, sameOut, ref / m);
    }

    private static NDArray squaredNorm(NDArray diff) {
        return diff.square().sum().div(diff.getShape().get(0));
    }

    private static double scalar(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }

    /** B × d standard normal values from {@code rng}, row-major, of type {@code type}. */
    static NDArray gaussian(NDManager m, SplittableRandom rng, int rows, int dim, DataType type) {
        int n = rows * dim;
        if (type == DataType.FLOAT64) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = rng.nextGaussian();
            return m.create(v, new Shape(rows, dim));
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
        NDArray a = m.create(v, new Shape(rows, dim));
        return type == DataType.FLOAT32 ? a : a.toType(type, false);
    }
}
