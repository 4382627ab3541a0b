package org.icaloflow.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.FlowRole;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.flow.Trace;
import org.icaloflow.UserError;
import org.icaloflow.train.Flows;
import org.icaloflow.train.ModelKind;
import org.icaloflow.train.Objective;
import org.icaloflow.train.TrainingData;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Probability density distillation of a frozen MAF teacher into an IAF student (CaloFlow II, Krause &amp; Shih;
 * iCaloFlow Sec. III C 2, Eqs. 8-11), as a {@link Objective} for the {@link org.icaloflow.train.Trainer}, with the
 * losses of the authors' student training ({@code run.py}, {@code train_flow_2_student} and
 * {@code train_eval_flow_3_student}).
 *
 * <p>χ²(a, b) = Σ over features of (a − b)², averaged over the batch (the code's {@code chi2_loss}). Each pass
 * compares the student's and the teacher's values at every point of the chain, block by block (student block k
 * computes the same map as teacher block k; {@link Trace} indexes both from the data side):
 * <ul>
 *   <li>x-pass: the teacher maps data x to z_T = f_MAF(x) (no graph: frozen teacher and data); the student inverts
 *       it in one pass per block. Terms: {@code lx} = χ²(f_IAF⁻¹(z_T), x) (Eq. 8), {@code lx_states} = Σ over the
 *       N − 1 states between blocks, {@code lx_made} = Σ over the N blocks of χ²(MADE outputs) (together
 *       L_x-MADE).</li>
 *   <li>z-pass (skipped when β = 1, as for Flow-3, Eq. 11): base samples z ~ N(0, baseWidth²) (seeded by the step,
 *       so resumed runs agree), x_S = f_IAF⁻¹(z), then the teacher forward on x_S inside the graph (gradients flow
 *       through the teacher's operations into the student, never into the teacher's parameters, which do not
 *       require gradients). Terms {@code lz} = χ²(f_MAF(x_S), z) (Eq. 9), {@code lz_states}, {@code lz_made}.</li>
 *   <li>L = β·L_x + (1 − β)·L_z, L_pass = w_output·end + w_states·states + w_made·made
 *       ({@link DistillationSettings.Weights}); logged terms are unweighted.</li>
 *   <li>optional physics term on the x-pass, added with its own weight: MSE of the layer aggregates
 *       ({@link LayerAggregates}) of the student's output and the teacher's (x itself, since f_MAF⁻¹(z_T) = x).</li>
 *   <li>optional per-sample weights ({@link DiversityWeights}) on every term (a weighted batch mean).</li>
 * </ul>
 *
 * Selection: the estimate KL(student‖teacher) = mean of log s(x) − log t(x) over x ~ student, one draw per
 * selection-set condition, with the same base samples at every evaluation (common random numbers make
 * successive estimates comparable).
 */
public final class DistillationObjective implements Objective<Flow> {
    public static final String LX = "lx", LX_STATES = "lx_states", LX_MADE = "lx_made",
            LZ = "lz", LZ_STATES = "lz_states", LZ_MADE = "lz_made", PHYSICS = "physics";

    private final Flow teacher;
    private final DistillationSettings.Weights w;
    private final double baseWidth;
    private final LayerAggregates physics;     // null: off
    private final double physicsWeight;
    private final DiversityWeights diversity;  // null: off
    private final long seed;
    private final boolean xPass, zPass;
    private final List<String> terms = new ArrayList<>();

    /**
     * @param teacher   the teacher; frozen here (eval mode, parameters no longer require gradients)
     * @param flow      Flow-2 or Flow-3 (default β: 0.5 or 1)
     * @param physics   aggregates for the physics term, or null; used only when enabled in {@code settings}
     * @param diversity sample weights, or null; used only when enabled in {@code settings}
     */
    public DistillationObjective(Flow teacher, DistillationSettings settings, FlowRole flow, LayerAggregates physics,
                                 DiversityWeights diversity) {
        this.teacher = teacher;
        this.w = settings.weights().resolved(flow);
        this.baseWidth = settings.baseWidth();
        this.physics = settings.physicsLoss().enabled() ? physics : null;
        if (settings.physicsLoss().enabled() && physics == null)
            throw new IllegalArgumentException("physics loss enabled but no layer aggregates given");
        this.physicsWeight = settings.physicsLoss().weight();
        this.diversity = settings.diversityWeighting().enabled() ? diversity : null;
        if (settings.diversityWeighting().enabled() && diversity == null)
            throw new IllegalArgumentException("diversity weighting enabled but no weights given");
        this.seed = settings.training().seed();
        this.xPass = w.beta() > 0 || this.physics != null;
        this.zPass = w.beta() < 1;
        if (xPass) terms.addAll(List.of(LX, LX_STATES, LX_MADE));
        if (zPass) terms.addAll(List.of(LZ, LZ_STATES, LZ_MADE));
        if (this.physics != null) terms.add(PHYSICS);
        freeze(teacher);
    }

    /** Eval mode (cached, detached masked weights) and no gradients into the teacher's parameters. */
    static void freeze(Flow teacher) {
        teacher.setEvalMode(true);
        for (NDArray p : teacher.parameters()) p.setRequiresGradient(false);
    }

    public Flow teacher() {
        return teacher;
    }

    /** The student of the trained spec ({@link #studentOf}): the teacher's permutations and data type. */
    @Override
    public Flow create(ModelKind<Flow> kind, NDManager root) {
        if (!(kind instanceof Flows.Kind k)) throw new IllegalArgumentException("distillation trains flows, not " + kind.describe());
        return studentOf(teacher, k.spec(), root);
    }

    /**
     * A fresh student for probability density distillation (CaloFlow II; iCaloFlow Sec. III C 2): the
     * student's spec may differ in kind and hidden sizes, but must have the teacher's dim, condition dim and
     * number of blocks (else a UserError), and takes the teacher's permutations and data type, so that block i of
     * both computes the same map.
     */
    public static Flow studentOf(Flow teacher, FlowSpec studentSpec, NDManager manager) {
        FlowSpec t = teacher.spec();
        if (studentSpec.dim() != t.dim() || studentSpec.conditionDim() != t.conditionDim()
                || studentSpec.blocks() != t.blocks()) {
            throw new UserError("student architecture must match its teacher in dim, conditionDim and blocks: teacher "
                    + t.dim() + "/" + t.conditionDim() + "/" + t.blocks() + ", student " + studentSpec.dim() + "/"
                    + studentSpec.conditionDim() + "/" + studentSpec.blocks());
        }
        int[][] perms = new int[t.blocks()][];
        for (int i = 0; i < t.blocks(); i++) {
            perms[i] = teacher.permutation(i);
        }
        return Flow.create(studentSpec, manager, teacher.dataType(), perms);
    }

    @Override
    public List<String> terms() {
        return terms;
    }

    @Override
    public String selectionName() {
        return "kl";
    }

    @Override
    public String selectionDescription() {
        return "KL(student||teacher) estimate";
    }

    private static NDArray cst(NDManager m, DataType t, double v) {
        return m.full(new Shape(), (float) v, t);
    }

    /** Per-sample χ²: Σ over all but the first axis of (a − b)², shape (N). */
    static NDArray chi2(NDArray a, NDArray b) {
        NDArray sq = a.sub(b).square();
        if (sq.getShape().dimension() > 2) sq = sq.reshape(sq.getShape().get(0), -1);   // MADE outputs (N, 3K−1, D)
        return sq.sum(new int[] {1});
    }

    @Override
    public Loss loss(Flow student, NDArray x, NDArray c, TrainingData.Batch b, long step) {
        NDManager m = x.getManager();
        DataType t = x.getDataType();
        NDArray weights = diversity == null ? null
                : m.create(diversity.weights(b, student.spec().conditionDim()), new Shape(b.n())).toType(t, false);
        NDArray total = null;
        List<NDArray> values = new ArrayList<>();
        if (xPass) {
            Trace tt = teacher.forward(x, c);
            Trace st = student.inverse(tt.z(), c);
            NDArray[] pass = passTerms(st, tt, chi2(st.x(), x), weights);
            values.addAll(List.of(pass));
            total = add(total, weighted(pass, m, t), w.beta(), m, t);
            if (physics != null) {
                NDArray ph = reduce(physics.perSampleMse(st.x(), x), weights);
                total = add(total, ph, physicsWeight, m, t);
                values.add(ph);   // logged last, after the z terms
            }
        }
        if (zPass) {
            NDArray z = zPassBase(m, b.n(), student.spec().dim(), t, step);
            Trace st = student.inverse(z, c);
            Trace tt = teacher.forward(st.x(), c);
            NDArray[] pass = passTerms(st, tt, chi2(tt.z(), z), weights);
            total = add(total, weighted(pass, m, t), 1 - w.beta(), m, t);
            int at = physics != null ? values.size() - 1 : values.size();
            values.addAll(at, List.of(pass));
        }
        if (total == null) total = values.get(0).mul(cst(m, t, 0));   // all weights 0 (not a valid configuration)
        return new Loss(total, values.toArray(new NDArray[0]));
    }

    /**
     * One pass's batch-reduced terms {end, states, made}: {@code end} = χ² of the pass's end point (given), states =
     * Σ over blocks k ≥ 1 of χ² of block k's data-side input (the state between blocks k − 1 and k; block 0's is x,
     * the x-pass's end point or the z-pass's common start), made = Σ over all blocks of χ² of the MADE outputs.
     * Block k of the student is paired with block k of the teacher (the same map).
     */
    private static NDArray[] passTerms(Trace student, Trace teacher, NDArray end, NDArray weights) {
        NDArray states = null, made = null;
        for (int k = 0; k < student.blocks().size(); k++) {
            Trace.Block s = student.blocks().get(k), tb = teacher.blocks().get(k);
            NDArray p = chi2(s.params(), tb.params());
            made = made == null ? p : made.add(p);
            if (k > 0) {
                NDArray h = chi2(s.input(), tb.input());
                states = states == null ? h : states.add(h);
            }
        }
        if (states == null) states = end.mul(cst(end.getManager(), end.getDataType(), 0));   // one block: no states
        return new NDArray[] {reduce(end, weights), reduce(states, weights), reduce(made, weights)};
    }

    /** w_output·end + w_states·states + w_made·made. */
    private NDArray weighted(NDArray[] pass, NDManager m, DataType t) {
        NDArray l = add(null, pass[0], w.output(), m, t);
        l = add(l, pass[1], w.states(), m, t);
        return add(l, pass[2], w.made(), m, t);
    }

    private static NDArray reduce(NDArray perSample, NDArray weights) {
        return weights == null ? perSample.mean() : perSample.mul(weights).sum().div(weights.sum());
    }

    /** total + weight·term; a zero weight leaves total unchanged (null stays null). */
    private static NDArray add(NDArray total, NDArray term, double weight, NDManager m, DataType t) {
        if (term == null || weight == 0) return total;
        NDArray v = weight == 1 ? term : term.mul(cst(m, t, weight));
        return total == null ? v : total.add(v);
    }

    /** The z-pass's base samples of global step {@code step}: N(0, baseWidth²), n × d. */
    NDArray zPassBase(NDManager m, int n, int d, DataType t, long step) {
        NDArray z = baseSamples(m, n, d, t, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step));
        return baseWidth == 1 ? z : z.mul(cst(m, t, baseWidth));
    }

    private static NDArray baseSamples(NDManager m, int n, int d, DataType t, SplittableRandom r) {
        float[] z = new float[n * d];
        for (int i = 0; i < z.length; i++) {
            // Box-Muller; 1 - u keeps the logarithm finite
            z[i] = (float) (Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
        }
        return m.create(z, new Shape(n, d)).toType(t, false);
    }

    /**
     * KL(student‖teacher) estimated on one student sample per condition of {@code select} (nats per sample):
     * mean of log s(x) − log t(x), x ~ s( · | c); both densities in one pass (the student's from its
     * sampling pass, the teacher's from its density pass).
     */
    @Override
    public double selectionMetric(Flow student, TrainingData select, int batchSize) {
        return klEstimate(student, teacher, select, batchSize, seed ^ 0x5E1EC7L);
    }

    /** The estimate of {@link #selectionMetric}, with base samples drawn from {@code seed}. */
    public static double klEstimate(Flow student, Flow teacher, TrainingData select, int batchSize, long seed) {
        boolean was = student.isEvalMode(), wasT = teacher.isEvalMode();
        student.setEvalMode(true);
        teacher.setEvalMode(true);
        int d = student.spec().dim(), cd = student.spec().conditionDim();
        try {
            double sum = 0;
            long n = 0, k = 0;
            for (Iterator<TrainingData.Batch> it = select.batches(batchSize, false, 0, 0); it.hasNext(); k++) {
                TrainingData.Batch b = it.next();
                try (NDManager m = student.manager().newSubManager()) {
                    NDArray c = cd > 0 ? m.create(b.c(), new Shape(b.n(), cd)).toType(student.dataType(), false) : null;
                    NDArray z = baseSamples(m, b.n(), d, student.dataType(), new SplittableRandom(seed + 0x9E3779B97F4A7C15L * k));
                    Trace s = student.inverse(z, c);
                    NDArray lt = teacher.logProb(s.x(), c);
                    sum += s.logProb().sub(lt).sum().toType(DataType.FLOAT64, false).getDouble();
                    n += b.n();
                }
            }
            return sum / n;
        } finally {
            student.setEvalMode(was);
            teacher.setEvalMode(wasT);
        }
    }
}
