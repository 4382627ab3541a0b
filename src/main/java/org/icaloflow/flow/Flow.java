package org.icaloflow.flow;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.icaloflow.nn.Network;
import java.util.Random;

/**
 * Conditional autoregressive rational-quadratic-spline flow (MAF or IAF): a {@link CompositeTransform} from data x
 * to base z plus a standard-normal base distribution, as nflows' {@code Flow(transform, distribution)}.
 *
 * <p>The transform is {@code blocks} {@link AutoregressiveSplineBlock}s (block 0 nearest the data), with a
 * {@link Permutation} before every block but the first (alternately reversed and seeded-random, nflows' order).
 * See {@link Trace} for what a pass returns.
 *
 * <ul>
 *   <li>{@link #forward} x → z: one MADE pass per block for MAF, D passes for IAF.</li>
 *   <li>{@link #inverse} z → x: one pass per block for IAF, D passes for MAF.</li>
 * </ul>
 *
 * <p>Memory: parameters live on a sub-manager of the manager given at creation (its device is used;
 * nothing is hard-coded). Every temporary and every returned array of a pass is attached to the manager
 * of the pass's input array: open a sub-manager per step and close it.
 *
 * <p>Masked weights: in the default training mode they are computed once per pass per block (differentiable).
 * In eval mode ({@link #setEvalMode(boolean) setEvalMode(true)}) they are computed once and cached until the
 * parameters change ({@link #markParametersChanged()}, which the optimiser's step hook and loading call); cached
 * weights carry no gradient. Checkpoints: {@code org.icaloflow.flow.io.FlowCheckpoint}.
 */
public final class Flow implements Network {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final FlowSpec spec;
    private final DataType dataType;
    private final NDManager manager;
    private final int[][] perms; // perms[i]: block i input[:, j] = previous output[:, perms[i][j]]; null for i = 0
    private final List<AutoregressiveSplineBlock> blocks = new ArrayList<>();
    private final CompositeTransform transform;
    private boolean evalMode;

    private Flow(FlowSpec spec, NDManager parent, DataType dataType, int[][] permutations) {
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT64) {
            throw new IllegalArgumentException("flow data type must be float32 or float64, got " + dataType);
        }
        this.spec = spec;
        this.dataType = dataType;
        this.manager = parent.newSubManager();
        this.perms = permutations != null ? permutations : defaultPermutations(spec);
        RationalQuadraticSpline spline = RationalQuadraticSpline.of(spec);
        Random rng = new Random(spec.seed());
        int[] widths = new int[spec.hiddenLayers() + 1];
        Arrays.fill(widths, spec.hiddenWidth());
        List<Transform> parts = new ArrayList<>();
        for (int i = 0; i < spec.blocks(); i++) {
            if (i > 0) {
                parts.add(new Permutation(perms[i], manager));
            }
            Made made = new Made(manager, spec.dim(), spec.conditionDim(), widths, spec.paramsPerFeature(), dataType,
                    rng, "block" + i + ".made.", spec.outputInit());
            AutoregressiveSplineBlock block = new AutoregressiveSplineBlock(made, spline, spec.kind(), manager);
            blocks.add(block);
            parts.add(block);
        }
        transform = new CompositeTransform(parts);
    }

    /** A freshly initialised flow (deterministic for the spec's seed on CPU) on {@code manager}'s device. */
    public static Flow create(FlowSpec spec, NDManager manager, DataType dataType) {
        return new Flow(spec, manager, dataType, null);
    }

    /** A freshly initialised float32 flow. */
    public static Flow create(FlowSpec spec, NDManager manager) {
        return create(spec, manager, DataType.FLOAT32);
    }

    /**
     * A freshly initialised flow whose block permutations are the given ones ({@code permutations[0]} ignored,
     * one permutation of 0..dim-1 per later block), e.g. a distillation student that must permute exactly as
     * its teacher does so that block i of both computes the same map.
     */
    public static Flow create(FlowSpec spec, NDManager manager, DataType dataType, int[][] permutations) {
        if (permutations == null || permutations.length != spec.blocks()) {
            throw new IllegalArgumentException("need " + spec.blocks() + " permutations, got "
                    + (permutations == null ? "none" : permutations.length));
        }
        int[][] p = new int[spec.blocks()][];
        for (int i = 1; i < spec.blocks(); i++) {
            String problem = Permutation.problem(permutations[i], spec.dim());
            if (problem != null) throw new IllegalArgumentException("permutation " + i + " " + problem);
            p[i] = permutations[i].clone();
        }
        return new Flow(spec, manager, dataType, p);
    }

    /** Permutations before each block: none before block 0, then reversed, random, reversed, ... */
    static int[][] defaultPermutations(FlowSpec spec) {
        int d = spec.dim();
        int[][] p = new int[spec.blocks()][];
        Random rng = new Random(spec.seed() ^ 0x5DEECE66DL);
        for (int i = 1; i < spec.blocks(); i++) {
            p[i] = new int[d];
            if (i % 2 == 1) {
                for (int j = 0; j < d; j++) {
                    p[i][j] = d - 1 - j;
                }
            } else {
                List<Integer> l = new ArrayList<>();
                for (int j = 0; j < d; j++) {
                    l.add(j);
                }
                Collections.shuffle(l, rng);
                for (int j = 0; j < d; j++) {
                    p[i][j] = l.get(j);
                }
            }
        }
        return p;
    }

    public FlowSpec spec() {
        return spec;
    }

    public DataType dataType() {
        return dataType;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** The manager holding the parameters. */
    public NDManager manager() {
        return manager;
    }

    /** The flow's transform, data → base: block 0, permutation 1, block 1, ... */
    public CompositeTransform transform() {
        return transform;
    }

    /** All learnable parameters (require gradients), in a fixed order. */
    public List<NDArray> parameters() {
        return transform.parameters();
    }

    public List<String> parameterNames() {
        return transform.parameterNames();
    }

    /** Block i (MADE + spline). */
    public AutoregressiveSplineBlock block(int i) {
        return blocks.get(i);
    }

    /** The MADE of block i. */
    public Made made(int block) {
        return blocks.get(block).made();
    }

    public RationalQuadraticSpline spline() {
        return blocks.get(0).spline();
    }

    /** Permutation applied before block i (block input[:, j] = previous output[:, p[j]]); null for block 0. */
    public int[] permutation(int block) {
        return perms[block] == null ? null : perms[block].clone();
    }

    public long parameterCount() {
        long n = 0;
        for (NDArray p : parameters()) {
            n += p.size();
        }
        return n;
    }

    /** In eval mode masked weights are cached across calls (no gradients through them). */
    public void setEvalMode(boolean eval) {
        this.evalMode = eval;
        blocks.forEach(b -> b.setEvalMode(eval));
    }

    public boolean isEvalMode() {
        return evalMode;
    }

    /** Invalidates cached masked weights; call after changing parameters by hand. */
    public void markParametersChanged() {
        blocks.forEach(AutoregressiveSplineBlock::markParametersChanged);
    }

    private void check(NDArray a, NDArray cond, String what) {
        Shape s = a.getShape();
        if (s.dimension() != 2 || s.get(1) != spec.dim()) {
            throw new IllegalArgumentException(what + " must have shape (N, " + spec.dim() + "), got " + s);
        }
        if (a.getDataType() != dataType) {
            throw new IllegalArgumentException(what + " has type " + a.getDataType() + ", flow uses " + dataType);
        }
        if (spec.conditionDim() > 0) {
            if (cond == null || cond.getShape().dimension() != 2 || cond.getShape().get(1) != spec.conditionDim()
                    || cond.getShape().get(0) != s.get(0)) {
                throw new IllegalArgumentException("condition must have shape (" + s.get(0) + ", "
                        + spec.conditionDim() + "), got " + (cond == null ? "null" : cond.getShape()));
            }
        }
    }

    /** log N(z; 0, I) summed over features, shape (N): the base distribution. */
    public NDArray baseLogProb(NDArray z) {
        NDArray sq = z.square().sum(new int[] {1});
        return sq.mul(RationalQuadraticSpline.cst(z.getManager(), dataType, -0.5))
                .sub(dataType == DataType.FLOAT64 ? (Number) (0.5 * LOG_2PI * spec.dim())
                        : (Number) (float) (0.5 * LOG_2PI * spec.dim()));
    }

    /** log p(x | cond), shape (N). One pass per block for MAF, D passes per block for IAF. */
    public NDArray logProb(NDArray x, NDArray cond) {
        Trace t = forward(x, cond);
        // the blocks' raw MADE outputs are for distillation: closing their handles lets libtorch free them now, as
        // no backward node keeps them whole (DS3 Flow-3 training at batch 500: 41 MB per block until the step's end)
        for (Trace.Block b : t.blocks()) {
            if (b.params() != null) {
                b.params().close();
            }
        }
        return t.logProb();
    }

    /** x → z with all per-block values: the blocks' steps of the transform's forward pass. */
    public Trace forward(NDArray x, NDArray cond) {
        check(x, cond, "x");
        CompositeTransform.Pass pass = transform.forwardPass(x, cond);
        List<Trace.Block> traced = new ArrayList<>(blocks.size());
        for (CompositeTransform.Step s : pass.steps()) {
            if (s.transform() instanceof AutoregressiveSplineBlock) {
                Transform.Result r = s.result();
                traced.add(new Trace.Block(s.input(), r.outputs(), r.params(), r.logAbsDet()));
            }
        }
        NDArray z = pass.result().outputs();
        NDArray logDet = pass.result().logAbsDet();
        return new Trace(x, z, logDet, baseLogProb(z).add(logDet), traced);
    }

    /** z → x with all per-block values, turned to the data → base orientation of {@link Trace} (log-dets negated). */
    public Trace inverse(NDArray z, NDArray cond) {
        check(z, cond, "z");
        CompositeTransform.Pass pass = transform.inversePass(z, cond);
        List<Trace.Block> traced = new ArrayList<>(blocks.size());
        for (CompositeTransform.Step s : pass.steps()) { // last block first
            if (s.transform() instanceof AutoregressiveSplineBlock) {
                Transform.Result r = s.result();
                traced.add(new Trace.Block(r.outputs(), s.input(), r.params(), r.logAbsDet().neg()));
            }
        }
        Collections.reverse(traced);
        NDArray logDet = pass.result().logAbsDet().neg();
        return new Trace(pass.result().outputs(), z, logDet, baseLogProb(z).add(logDet), traced);
    }

    /**
     * Draws n samples: z ~ N(0, I) on {@code m} (DJL's random generator, seed it with
     * {@code Engine.getInstance().setRandomSeed}), then {@link #inverse}. The trace's logProb is log p(x|c).
     */
    public Trace sample(NDManager m, int n, NDArray cond) {
        NDArray z = m.randomNormal(0, 1, new Shape(n, spec.dim()), dataType);
        return inverse(z, cond);
    }

    /**
     * z → x only, for sampling: the same values as {@link #inverse}{@code (z, cond).x()} without the per-block trace
     * and, where the direction is one pass (IAF), without computing log-determinants. Where
     * {@link EvalKernels#forDevice} gives kernels for the device it works in row chunks they choose (on the CPU:
     * bounded temporaries); otherwise (a CUDA device, or {@code icaloflow.kernels=tensor}) in one batch.
     */
    public NDArray sampleFrom(NDArray z, NDArray cond) {
        EvalKernels kernels = EvalKernels.forDevice(z.getDevice());
        long rows = kernels != null ? kernels.sampleChunkRows((long) spec.paramsPerFeature() * spec.dim()) : Long.MAX_VALUE;
        return sampleFrom(z, cond, rows);
    }

    /** {@link #sampleFrom(NDArray, NDArray)} in chunks of at most {@code rows} rows. */
    NDArray sampleFrom(NDArray z, NDArray cond, long rows) {
        check(z, cond, "z");
        long n = z.getShape().get(0);
        if (n <= rows) {
            return transform.inverseOutputs(z, cond);
        }
        NDManager m = z.getManager();
        List<NDArray> parts = new ArrayList<>();
        for (long from = 0; from < n; from += rows) {
            long to = Math.min(n, from + rows);
            try (NDManager chunk = m.newSubManager()) {
                NDArray zc = z.get(chunk, new NDIndex("{}:{}", from, to));
                NDArray cc = cond == null ? null : cond.get(chunk, new NDIndex("{}:{}", from, to));
                NDArray x = transform.inverseOutputs(zc, cc);
                x.attach(m);
                parts.add(x);
            }
        }
        NDArray x = NDArrays.concat(new NDList(parts.toArray(new NDArray[0])), 0);
        parts.forEach(NDArray::close);
        return x;
    }

    @Override
    public void close() {
        blocks.forEach(AutoregressiveSplineBlock::dropCache);
        manager.close();
    }
}
