package org.icaloflow.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.flow.Trace;
import org.icaloflow.train.Objective;
import org.icaloflow.train.TrainingData;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Probability density distillation of a frozen MAF teacher into an IAF student (CaloFlow II, Krause &amp; Shih;
 * iCaloFlow Sec. III C 2, Eqs. 8-11), as a {@link Objective} for the {@link org.icaloflow.train.Trainer}.
 *
 * <ul>
 *   <li>x-pass: the teacher maps data x to z_T = f_MAF(x) (one pass per block, no graph: frozen teacher and
 *       data); the student inverts it in one pass per block. L_x = MSE(x, f_IAF⁻¹(z_T)); L_x-MADE = mean over
 *       blocks of MSE(student MADE outputs, teacher's) + MSE(student block input, teacher's) (block 0's input
 *       is x, already in L_x).</li>
 *   <li>z-pass (skipped when its weights are 0, as for Flow-3, Eq. 11): base samples z (seeded by the step, so
 *       resumed runs agree), x_S = f_IAF⁻¹(z), then the teacher forward on x_S inside the graph (gradients flow
 *       through the teacher's operations into the student, never into the teacher's parameters, which do not
 *       require gradients). L_z = MSE(z, f_MAF(x_S)); L_z-MADE = mean over blocks of MSE of the MADE outputs and
 *       of the block outputs (the last block's is z, already in L_z).</li>
 *   <li>optional physics term on the x-pass: MSE of the layer aggregates ({@link LayerAggregates}) of the
 *       student's output and the teacher's (x itself, since f_MAF⁻¹(z_T) = x).</li>
 *   <li>optional per-sample weights ({@link DiversityWeights}) on every term.</li>
 * </ul>
 *
 * Selection: the estimate KL(student‖teacher) = mean of log s(x) − log t(x) over x ~ student, one draw per
 * selection-set condition, with the same base samples at every evaluation (common random numbers make
 * successive estimates comparable).
 */
public final class DistillationObjective implements Objective {
    public static final String LX = "lx", LX_MADE = "lx_made", LZ = "lz", LZ_MADE = "lz_made", PHYSICS = "physics";

    private final Flow teacher;
    private final DistillationSettings.Weights w;
    private final LayerAggregates physics;     // null: off
    private final double physicsWeight;
    private final DiversityWeights diversity;  // null: off
    private final long seed;
    private final boolean xPass, zPass;
    private final List<String> terms = new ArrayList<>();

    /**
     * @param teacher   the teacher; frozen here (eval mode, parameters no longer require gradients)
     * @param flow      2 or 3 (default loss weights: Eq. 10 or 11)
     * @param physics   aggregates for the physics term, or null; used only when enabled in {@code settings}
     * @param diversity sample weights, or null; used only when enabled in {@code settings}
     */
    public DistillationObjective(Flow teacher, DistillationSettings settings, int flow, LayerAggregates physics,
                                 DiversityWeights diversity) {
        this.teacher = teacher;
        this.w = settings.weights().resolved(flow);
        this.physics = settings.physicsLoss().enabled() ? physics : null;
        if (settings.physicsLoss().enabled() && physics == null)
            throw new IllegalArgumentException("physics loss enabled but no layer aggregates given");
        this.physicsWeight = settings.physicsLoss().weight();
        this.diversity = settings.diversityWeighting().enabled() ? diversity : null;
        if (settings.diversityWeighting().enabled() && diversity == null)
            throw new IllegalArgumentException("diversity weighting enabled but no weights given");
        this.seed = settings.training().seed();
        this.xPass = w.lx() > 0 || w.lxMade() > 0 || this.physics != null;
        this.zPass = w.lz() > 0 || w.lzMade() > 0;
        if (xPass) {
            terms.add(LX);
            terms.add(LX_MADE);
        }
        if (zPass) {
            terms.add(LZ);
            terms.add(LZ_MADE);
        }
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

    @Override
    public Flow create(FlowSpec spec, NDManager manager) {
        return Flow.studentOf(teacher, spec, manager);
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

    /** Per-sample mean of squares of a - b over all but the first axis: shape (N). */
    private static NDArray perSample(NDArray a, NDArray b) {
        NDArray sq = a.sub(b).square();
        if (sq.getShape().dimension() > 2) sq = sq.reshape(sq.getShape().get(0), -1);   // one-axis means only
        return sq.mean(new int[] {1});
    }

    @Override
    public Loss loss(Flow student, NDArray x, NDArray c, TrainingData.Batch b, long step) {
        NDManager m = x.getManager();
        DataType t = x.getDataType();
        NDArray weights = diversity == null ? null
                : m.create(diversity.weights(b, student.spec().conditionDim()), new Shape(b.n())).toType(t, false);
        int blocks = student.spec().blocks();
        NDArray total = null;
        List<NDArray> values = new ArrayList<>();
        if (xPass) {
            Trace tt = teacher.forward(x, c);
            Trace st = student.inverse(tt.z(), c);
            NDArray lx = perSample(st.x(), x);
            NDArray made = null;
            for (int i = 0; i < blocks; i++) {
                NDArray term = perSample(st.blocks().get(i).params(), tt.blocks().get(i).params());
                if (i > 0) term = term.add(perSample(st.blocks().get(i).input(), tt.blocks().get(i).input()));
                made = made == null ? term : made.add(term);
            }
            made = made.div(cst(m, t, blocks));
            NDArray lxm = reduce(lx, weights), lmm = reduce(made, weights);
            values.add(lxm);
            values.add(lmm);
            total = add(add(total, lxm, w.lx(), m, t), lmm, w.lxMade(), m, t);
            if (physics != null) {
                NDArray ph = reduce(physics.perSampleMse(st.x(), x), weights);
                total = add(total, ph, physicsWeight, m, t);
                values.add(ph);   // logged last, after the z terms
            }
        }
        if (zPass) {
            NDArray z = baseSamples(m, b.n(), student.spec().dim(), t, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step));
            Trace st = student.inverse(z, c);
            Trace tt = teacher.forward(st.x(), c);
            NDArray lz = perSample(tt.z(), z);
            NDArray made = null;
            for (int i = 0; i < blocks; i++) {
                NDArray term = perSample(st.blocks().get(i).params(), tt.blocks().get(i).params());
                if (i < blocks - 1) term = term.add(perSample(st.blocks().get(i).output(), tt.blocks().get(i).output()));
                made = made == null ? term : made.add(term);
            }
            made = made.div(cst(m, t, blocks));
            NDArray lzm = reduce(lz, weights), lmm = reduce(made, weights);
            total = add(add(total, lzm, w.lz(), m, t), lmm, w.lzMade(), m, t);
            int at = physics != null ? values.size() - 1 : values.size();
            values.add(at, lzm);
            values.add(at + 1, lmm);
        }
        return new Loss(total, values.toArray(new NDArray[0]));
    }

    private static NDArray reduce(NDArray perSample, NDArray weights) {
        return weights == null ? perSample.mean() : perSample.mul(weights).sum().div(weights.sum());
    }

    private static NDArray add(NDArray total, NDArray term, double weight, NDManager m, DataType t) {
        if (weight == 0) return total == null ? term.mul(cst(m, t, 0)) : total;
        NDArray v = weight == 1 ? term : term.mul(cst(m, t, weight));
        return total == null ? v : total.add(v);
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
