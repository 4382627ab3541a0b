package org.icaloflow.flow;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.icaloflow.UserError;
import org.icaloflow.data.Json;

/**
 * Conditional autoregressive rational-quadratic-spline flow (MAF or IAF) with a standard-normal base.
 *
 * <p>Data x ↔ base z through {@code blocks} blocks; block i (0 nearest the data) first permutes its input
 * (no permutation before block 0; then alternately reversed and seeded-random), then applies the
 * elementwise spline z_k = s(x_k; θ_k) whose parameters θ_k come from a conditional MADE of the block's
 * data side (MAF) or base side (IAF). See {@link Trace} for what a pass returns.
 *
 * <ul>
 *   <li>{@link #forward} x → z: one MADE pass per block for MAF, D passes for IAF.</li>
 *   <li>{@link #inverse} z → x: one pass per block for IAF, D passes for MAF.</li>
 * </ul>
 *
 * <p>Memory: parameters live on a sub-manager of the manager given at creation (its device is used;
 * nothing is hard-coded). Every temporary and every returned array of a pass is attached to the manager
 * of the pass's input array: open a sub-manager per step and close it. The sequential (D-pass) directions
 * free their per-feature temporaries as they go; they are differentiable too (no in-place writes).
 *
 * <p>Masked weights: in the default training mode they are computed once per pass per block (differentiable).
 * In eval mode ({@link #setEvalMode(boolean) setEvalMode(true)}) they are computed once and cached until the
 * parameters change ({@link #markParametersChanged()}, called by {@link Adam#step()} and loading); cached
 * weights carry no gradient.
 *
 * <p>Save format ({@link #save(Path)}): a directory with {@code flow.json} ({@code format}, {@code formatVersion},
 * {@code dataType}, {@code spec}, {@code permutations}, {@code parameters}: names and shapes) and
 * {@code params.bin} (the parameters as a DJL {@link NDList} encoding, in the order of {@code parameters}).
 */
public final class Flow implements AutoCloseable {
    public static final String FORMAT = "icaloflow-flow";
    /**
     * 3: nflows 0.14's parameterisation (condition layer with its own bias and a ReLU, interior knot derivatives
     * {@code minD + softplus(u)}). Versions 1 and 2 (no condition bias or ReLU, derivatives
     * {@code minD + softplus(u + log(e^{1−minD} − 1))}) are refused with a request to retrain: the ReLU makes
     * an exact conversion impossible.
     */
    public static final int FORMAT_VERSION = 3;
    public static final String JSON_FILE = "flow.json";
    public static final String PARAMS_FILE = "params.bin";

    private static final double LOG_2PI = Math.log(2 * Math.PI);
    /** On the CPU, {@link #sampleFrom} works in row chunks whose MADE outputs hold at most this many values (16 MB in float32). */
    static final long SAMPLE_CHUNK_ELEMENTS = 4L << 20;
    /** Rows per thread at least, for the Java spline of a sequential step (about 0.1 ms of work). */
    static final int SEQUENTIAL_ROW_GRAIN = 256;

    private final FlowSpec spec;
    private final DataType dataType;
    private final NDManager manager;
    private final List<Made> mades = new ArrayList<>();
    private final int[][] perms; // perms[i]: block i input[:, j] = previous output[:, perms[i][j]]; null for i = 0
    private final NDArray[] permIdx;
    private final NDArray[] invPermIdx;
    private final RationalQuadraticSpline spline;
    private final List<NDArray> parameters = new ArrayList<>();
    private final List<String> parameterNames = new ArrayList<>();

    private boolean evalMode;
    private long version;
    private long cacheVersion = -1;
    private NDManager cacheManager;
    private Made.Weights[] cache;

    private Flow(FlowSpec spec, NDManager parent, DataType dataType, int[][] permutations) {
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT64) {
            throw new IllegalArgumentException("flow data type must be float32 or float64, got " + dataType);
        }
        this.spec = spec;
        this.dataType = dataType;
        this.manager = parent.newSubManager();
        this.spline = RationalQuadraticSpline.of(spec);
        int d = spec.dim();
        this.perms = permutations != null ? permutations : defaultPermutations(spec);
        permIdx = new NDArray[spec.blocks()];
        invPermIdx = new NDArray[spec.blocks()];
        for (int i = 1; i < spec.blocks(); i++) {
            long[] p = new long[d];
            long[] q = new long[d];
            for (int j = 0; j < d; j++) {
                p[j] = perms[i][j];
                q[perms[i][j]] = j;
            }
            permIdx[i] = manager.create(p, new Shape(1, d));
            invPermIdx[i] = manager.create(q, new Shape(1, d));
        }
        Random rng = new Random(spec.seed());
        int[] widths = new int[spec.hiddenLayers() + 1];
        Arrays.fill(widths, spec.hiddenWidth());
        for (int i = 0; i < spec.blocks(); i++) {
            Made made = new Made(manager, d, spec.conditionDim(), widths, spec.paramsPerFeature(), dataType, rng,
                    "block" + i + ".made.", spec.outputInit());
            mades.add(made);
            parameters.addAll(made.parameters());
            parameterNames.addAll(made.parameterNames());
        }
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
            boolean[] seen = new boolean[spec.dim()];
            if (permutations[i] == null || permutations[i].length != spec.dim()) {
                throw new IllegalArgumentException("permutation " + i + " must have " + spec.dim() + " entries");
            }
            for (int v : permutations[i]) {
                if (v < 0 || v >= spec.dim() || seen[v]) {
                    throw new IllegalArgumentException("permutation " + i + " is not a permutation of 0.." + (spec.dim() - 1));
                }
                seen[v] = true;
            }
            p[i] = permutations[i].clone();
        }
        return new Flow(spec, manager, dataType, p);
    }

    /**
     * A fresh student for probability density distillation (CaloFlow II; iCaloFlow Sec. III C 2): the
     * student's spec may differ in kind and hidden sizes, but must have the teacher's dim, condition dim and
     * number of blocks, and takes the teacher's permutations and data type.
     */
    public static Flow studentOf(Flow teacher, FlowSpec studentSpec, NDManager manager) {
        FlowSpec t = teacher.spec();
        if (studentSpec.dim() != t.dim() || studentSpec.conditionDim() != t.conditionDim()
                || studentSpec.blocks() != t.blocks()) {
            throw new UserError("student architecture must match its teacher in dim, conditionDim and blocks: teacher "
                    + t.dim() + "/" + t.conditionDim() + "/" + t.blocks() + ", student " + studentSpec.dim() + "/"
                    + studentSpec.conditionDim() + "/" + studentSpec.blocks());
        }
        return create(studentSpec, manager, teacher.dataType(), teacher.perms);
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

    /** All learnable parameters (require gradients), in a fixed order. */
    public List<NDArray> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    public List<String> parameterNames() {
        return Collections.unmodifiableList(parameterNames);
    }

    /** The MADE of block i. */
    public Made made(int block) {
        return mades.get(block);
    }

    public RationalQuadraticSpline spline() {
        return spline;
    }

    /** Permutation applied before block i (block input[:, j] = previous output[:, p[j]]); null for block 0. */
    public int[] permutation(int block) {
        return perms[block] == null ? null : perms[block].clone();
    }

    public long parameterCount() {
        long n = 0;
        for (NDArray p : parameters) {
            n += p.size();
        }
        return n;
    }

    /** In eval mode masked weights are cached across calls (no gradients through them). */
    public void setEvalMode(boolean eval) {
        this.evalMode = eval;
        if (!eval) {
            dropCache();
        }
    }

    public boolean isEvalMode() {
        return evalMode;
    }

    /** Invalidates cached masked weights; call after changing parameters by hand. */
    public void markParametersChanged() {
        version++;
    }

    private void dropCache() {
        if (cacheManager != null) {
            cacheManager.close();
            cacheManager = null;
            cache = null;
        }
    }

    private Made.Weights weights(int block, NDManager step) {
        if (!evalMode) {
            return mades.get(block).maskedWeights(step);
        }
        if (cache == null || cacheVersion != version) {
            dropCache();
            cacheManager = manager.newSubManager();
            cache = new Made.Weights[mades.size()];
            cacheVersion = version;
        }
        if (cache[block] == null) {
            cache[block] = mades.get(block).cachedWeights(cacheManager);
        }
        return cache[block];
    }

    private Number num(double v) {
        return dataType == DataType.FLOAT64 ? (Number) v : (Number) (float) v;
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

    /** log N(z; 0, I) summed over features, shape (N). */
    public NDArray baseLogProb(NDArray z) {
        NDArray sq = z.square().sum(new int[] {1});
        return sq.mul(RationalQuadraticSpline.cst(z.getManager(), dataType, -0.5))
                .sub(num(0.5 * LOG_2PI * spec.dim()));
    }

    /** log p(x | cond), shape (N). One pass per block for MAF, D passes per block for IAF. */
    public NDArray logProb(NDArray x, NDArray cond) {
        return forward(x, cond).logProb();
    }

    /** x → z with all per-block values. */
    public Trace forward(NDArray x, NDArray cond) {
        check(x, cond, "x");
        NDManager m = x.getManager();
        List<Trace.Block> blocks = new ArrayList<>();
        NDArray h = x;
        NDArray logDet = null;
        for (int i = 0; i < mades.size(); i++) {
            NDArray in = i == 0 ? h : permute(h, permIdx[i]);
            Trace.Block b = block(i, in, cond, true, m);
            blocks.add(b);
            logDet = logDet == null ? b.logDet() : logDet.add(b.logDet());
            h = b.output();
        }
        return new Trace(x, h, logDet, baseLogProb(h).add(logDet), blocks);
    }

    /** z → x with all per-block values (log-dets still oriented x → z). */
    public Trace inverse(NDArray z, NDArray cond) {
        check(z, cond, "z");
        NDManager m = z.getManager();
        Trace.Block[] blocks = new Trace.Block[mades.size()];
        NDArray h = z;
        NDArray logDet = null;
        for (int i = mades.size() - 1; i >= 0; i--) {
            Trace.Block b = block(i, h, cond, false, m);
            blocks[i] = b;
            logDet = logDet == null ? b.logDet() : logDet.add(b.logDet());
            h = i == 0 ? b.input() : permute(b.input(), invPermIdx[i]);
        }
        return new Trace(h, z, logDet, baseLogProb(z).add(logDet), Arrays.asList(blocks));
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
     * and, where the direction is one pass (IAF), without computing log-determinants.
     */
    public NDArray sampleFrom(NDArray z, NDArray cond) {
        // on a GPU, large batches are the point (and there is no page-faulting allocator): one chunk
        long rows = onCpu(z.getManager())
                ? Math.max(1, SAMPLE_CHUNK_ELEMENTS / ((long) spec.paramsPerFeature() * spec.dim()))
                : Long.MAX_VALUE;
        return sampleFrom(z, cond, rows);
    }

    /** {@link #sampleFrom(NDArray, NDArray)} in chunks of at most {@code rows} rows. */
    NDArray sampleFrom(NDArray z, NDArray cond, long rows) {
        check(z, cond, "z");
        long n = z.getShape().get(0);
        if (n <= rows) {
            return sampleRows(z, cond);
        }
        // row chunks keep every temporary below the allocator's mmap threshold: fresh multi-10-MB arrays per op
        // are page-faulted in each time (DS3 at batch 1000: half the time in the kernel)
        NDManager m = z.getManager();
        List<NDArray> parts = new ArrayList<>();
        for (long from = 0; from < n; from += rows) {
            long to = Math.min(n, from + rows);
            try (NDManager chunk = m.newSubManager()) {
                NDArray zc = z.get(chunk, new NDIndex("{}:{}", from, to));
                NDArray cc = cond == null ? null : cond.get(chunk, new NDIndex("{}:{}", from, to));
                NDArray x = sampleRows(zc, cc);
                x.attach(m);
                parts.add(x);
            }
        }
        NDArray x = concat(parts.toArray(new NDArray[0]), 0);
        parts.forEach(NDArray::close);
        return x;
    }

    private NDArray sampleRows(NDArray z, NDArray cond) {
        NDManager m = z.getManager();
        NDArray h = z;
        for (int i = mades.size() - 1; i >= 0; i--) {
            NDArray in;
            if (spec.kind() == FlowKind.IAF) {
                Made made = mades.get(i);
                NDArray params = made.forward(h, made.conditionTerm(cond, m), weights(i, m));
                // on the CPU the spline runs as one exp in libtorch plus a Java loop (SplineInverseKernel)
                in = onCpu(m)
                        ? SplineInverseKernel.inverseValues(spline, h, params)
                        : spline.inverseValues(h, params);
            } else {
                in = block(i, h, cond, false, m, false).input();
            }
            h = i == 0 ? in : permute(in, invPermIdx[i]);
        }
        return h;
    }

    /** Whether {@code m}'s arrays live on the CPU, where the Java paths of sampling and the sequential direction apply. */
    private static boolean onCpu(NDManager m) {
        return m.getDevice().getDeviceType().equals(Device.Type.CPU);
    }

    private NDArray permute(NDArray h, NDArray idx) {
        NDArray view = idx.broadcast(h.getShape());
        NDArray ix = view.duplicate(); // contiguous index
        view.close();
        ix.attach(h.getManager());
        return h.gather(ix, 1);
    }

    /**
     * One block. {@code known} is the block's input (x side) when {@code toBase}, else its output (z side).
     */
    private Trace.Block block(int i, NDArray known, NDArray cond, boolean toBase, NDManager m) {
        return block(i, known, cond, toBase, m, true);
    }

    /**
     * One block; with {@code trace} false (sampling) the sequential CPU path leaves out the block's MADE outputs
     * and log-det (the block's params and logDet are then null).
     */
    private Trace.Block block(int i, NDArray known, NDArray cond, boolean toBase, NDManager m, boolean trace) {
        Made made = mades.get(i);
        Made.Weights w = weights(i, m);
        NDArray condTerm = made.conditionTerm(cond, m);
        boolean oneShot = (spec.kind() == FlowKind.MAF) == toBase;
        if (oneShot) {
            NDArray params = made.forward(known, condTerm, w);
            if (toBase) {
                RationalQuadraticSpline.Result r = spline.forward(known, params);
                return new Trace.Block(known, r.outputs(), params, r.logAbsDet().sum(new int[] {1}));
            }
            RationalQuadraticSpline.Result r = spline.inverse(known, params);
            return new Trace.Block(r.outputs(), known, params, r.logAbsDet().sum(new int[] {1}).neg());
        }
        if (evalMode && onCpu(m)) {
            return sequentialOnCpu(made, w, condTerm, known, toBase, m, trace);
        }
        // sequential: build the unknown side feature by feature; the MADE reads the unknown side.
        // No in-place writes (column k is added as out_k * e_k, exact), so this stays differentiable;
        // each feature's temporaries live on a sub-manager closed at once.
        int d = spec.dim();
        long n = known.getShape().get(0);
        NDArray unknown = m.zeros(new Shape(n, d), dataType);
        NDArray eye = m.eye(d, d, 0, dataType);
        NDArray[] ps = new NDArray[d];
        NDArray[] lds = new NDArray[d];
        for (int k = 0; k < d; k++) {
            try (NDManager it = m.newSubManager()) {
                unknown.attach(it);
                NDArray pk = made.forwardFeature(unknown, condTerm, w, k);
                NDArray kn = known.get(it, new NDIndex(":, {}:{}", k, k + 1));
                RationalQuadraticSpline.Result r = toBase ? spline.forward(kn, pk) : spline.inverse(kn, pk);
                NDArray next = unknown.add(r.outputs().mul(eye.get(it, new NDIndex("{}:{}", k, k + 1))));
                next.attach(m);
                pk.attach(m);
                r.logAbsDet().attach(m);
                ps[k] = pk;
                lds[k] = r.logAbsDet();
                unknown = next;
            }
        }
        eye.close();
        NDArray params = concat(ps, 2);
        NDArray ld = concat(lds, 1).sum(new int[] {1});
        for (int k = 0; k < d; k++) {
            ps[k].close();
            lds[k].close();
        }
        if (toBase) {
            return new Trace.Block(known, unknown, params, ld);
        }
        return new Trace.Block(unknown, known, params, ld.neg());
    }

    /**
     * The sequential direction in eval mode on the CPU (not differentiable): the unknown side lives in a Java array,
     * each step runs the MADE for one feature as tensors (the matrix products) and the spline of that single
     * feature in Java ({@link ScalarSpline}), which saves some sixty JNI calls per step. Same values as the tensor
     * path up to rounding (the spline is evaluated in double precision).
     */
    private Trace.Block sequentialOnCpu(Made made, Made.Weights w, NDArray condTerm, NDArray known, boolean toBase,
            NDManager m, boolean trace) {
        int d = spec.dim();
        int p = spec.paramsPerFeature();
        int n = (int) known.getShape().get(0);
        double[] kn = HostArrays.asDoubles(known);
        // the unknown side in the flow's own type, so each step hands it to the MADE without a conversion pass
        boolean single = dataType == DataType.FLOAT32;
        float[] unknownF = single ? new float[n * d] : null;
        double[] unknownD = single ? null : new double[n * d];
        Shape shape = new Shape(n, d);
        double[] params = trace ? new double[n * p * d] : null;
        double[] ld = new double[n];
        // the rows' splines are independent: on as many threads as libtorch uses, in row blocks
        int threads = JniUtils.getNumThreads();
        for (int k = 0; k < d; k++) {
            double[] pk;
            try (NDManager it = m.newSubManager()) {
                NDArray u = single ? it.create(unknownF, shape) : it.create(unknownD, shape);
                pk = HostArrays.asDoubles(made.forwardFeature(u, condTerm, w, k)); // (N, P, 1)
            }
            final int feature = k;
            HostArrays.inRowBlocks(n, threads, SEQUENTIAL_ROW_GRAIN, (from, to) -> {
                double[] res = new double[2];
                ScalarSpline s = new ScalarSpline(spline);
                for (int r = from; r < to; r++) {
                    s.apply(kn[r * d + feature], pk, r * p, 1, !toBase, res);
                    if (single) {
                        unknownF[r * d + feature] = (float) res[0];
                    } else {
                        unknownD[r * d + feature] = res[0];
                    }
                    ld[r] += res[1];
                    for (int j = 0; trace && j < p; j++) {
                        params[(r * p + j) * d + feature] = pk[r * p + j];
                    }
                }
            });
        }
        NDArray unk = single ? m.create(unknownF, shape) : m.create(unknownD, shape);
        NDArray par = trace ? HostArrays.create(m, params, new Shape(n, p, d), dataType) : null;
        NDArray logDet = trace ? HostArrays.create(m, ld, new Shape(n), dataType) : null;
        return toBase ? new Trace.Block(known, unk, par, logDet) : new Trace.Block(unk, known, par, logDet);
    }

    private static NDArray concat(NDArray[] arrays, int axis) {
        return ai.djl.ndarray.NDArrays.concat(new NDList(arrays), axis);
    }

    // ------------------------------------------------------------------------------------------ save / load

    /** Writes {@code dir/flow.json} and {@code dir/params.bin} (directory created if needed). */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.put("format", FORMAT);
            root.put("formatVersion", FORMAT_VERSION);
            root.put("dataType", dataType == DataType.FLOAT64 ? "float64" : "float32");
            root.set("spec", spec.toTree());
            ArrayNode pa = root.putArray("permutations");
            for (int[] p : perms) {
                if (p == null) {
                    pa.addNull();
                } else {
                    ArrayNode a = pa.addArray();
                    for (int v : p) {
                        a.add(v);
                    }
                }
            }
            ArrayNode params = root.putArray("parameters");
            for (int i = 0; i < parameters.size(); i++) {
                ObjectNode o = params.addObject();
                o.put("name", parameterNames.get(i));
                ArrayNode sh = o.putArray("shape");
                for (long v : parameters.get(i).getShape().getShape()) {
                    sh.add(v);
                }
            }
            try (NDManager tmp = manager.newSubManager()) {
                NDList list = new NDList();
                for (int i = 0; i < parameters.size(); i++) {
                    NDArray c = parameters.get(i).toDevice(Device.cpu(), true);
                    c.attach(tmp);
                    c.setName(parameterNames.get(i));
                    list.add(c);
                }
                try (OutputStream os = Files.newOutputStream(dir.resolve(PARAMS_FILE))) {
                    list.encode(os);
                }
            }
            Json.PRETTY.writeValue(dir.resolve(JSON_FILE).toFile(), root);
        } catch (IOException e) {
            throw new UserError("cannot write flow checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Loads a checkpoint written by {@link #save(Path)}, whatever its architecture. */
    public static Flow load(Path dir, NDManager manager) {
        return load(dir, manager, null);
    }

    /**
     * Loads a checkpoint; if {@code expected} is not null, its architecture must equal it, else a
     * {@link UserError} naming the path and the differing keys.
     */
    public static Flow load(Path dir, NDManager manager, FlowSpec expected) {
        Path json = dir.resolve(JSON_FILE);
        Path bin = dir.resolve(PARAMS_FILE);
        if (!Files.isRegularFile(json) || !Files.isRegularFile(bin)) {
            throw new UserError("not a flow checkpoint: " + dir + " (needs " + JSON_FILE + " and " + PARAMS_FILE + ")");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json.toFile());
        } catch (IOException e) {
            throw new UserError("cannot read " + json + ": " + e.getMessage(), e);
        }
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new UserError(json + ": not a flow checkpoint (format '" + root.path("format").asText()
                    + "', expected '" + FORMAT + "')");
        }
        int v = root.path("formatVersion").asInt(-1);
        if (v == 1 || v == 2) {
            throw new UserError(json + ": flow checkpoint format version " + v + " was trained with the old spline/MADE"
                    + " parameterisation (condition layer without bias and ReLU, shifted knot derivatives) and cannot"
                    + " be converted; retrain it with this build (format " + FORMAT_VERSION + ")");
        }
        if (v != FORMAT_VERSION) {
            throw new UserError(json + ": flow checkpoint format version " + v + " is not supported (this build reads "
                    + FORMAT_VERSION + ")");
        }
        FlowSpec spec = FlowSpec.fromTree(root.get("spec"), json + ": spec");
        if (expected != null && !spec.sameArchitecture(expected)) {
            throw new UserError(json + ": checkpoint architecture differs from the expected one ("
                    + String.join("; ", spec.differences(expected)) + ", checkpoint vs expected)");
        }
        String dt = root.path("dataType").asText();
        DataType dataType;
        if (dt.equals("float32")) {
            dataType = DataType.FLOAT32;
        } else if (dt.equals("float64")) {
            dataType = DataType.FLOAT64;
        } else {
            throw new UserError(json + ": unknown dataType '" + dt + "'");
        }
        int[][] perms = new int[spec.blocks()][];
        JsonNode pa = root.path("permutations");
        if (!pa.isArray() || pa.size() != spec.blocks()) {
            throw new UserError(json + ": 'permutations' must list " + spec.blocks() + " entries");
        }
        for (int i = 1; i < spec.blocks(); i++) {
            JsonNode p = pa.get(i);
            perms[i] = new int[spec.dim()];
            boolean[] seen = new boolean[spec.dim()];
            if (!p.isArray() || p.size() != spec.dim()) {
                throw new UserError(json + ": permutation " + i + " must have " + spec.dim() + " entries");
            }
            for (int j = 0; j < spec.dim(); j++) {
                int q = p.get(j).asInt(-1);
                if (q < 0 || q >= spec.dim() || seen[q]) {
                    throw new UserError(json + ": permutation " + i + " is not a permutation of 0.." + (spec.dim() - 1));
                }
                seen[q] = true;
                perms[i][j] = q;
            }
        }
        Flow flow = new Flow(spec, manager, dataType, perms);
        try (NDManager tmp = manager.newSubManager(); InputStream is = Files.newInputStream(bin)) {
            NDList list = NDList.decode(tmp, is);
            if (list.size() != flow.parameters.size()) {
                throw new UserError(bin + ": holds " + list.size() + " arrays, architecture needs "
                        + flow.parameters.size());
            }
            for (int i = 0; i < list.size(); i++) {
                NDArray src = list.get(i);
                NDArray dst = flow.parameters.get(i);
                if (!src.getShape().equals(dst.getShape())) {
                    throw new UserError(bin + ": parameter " + flow.parameterNames.get(i) + " has shape "
                            + src.getShape() + ", architecture needs " + dst.getShape());
                }
                if (dataType == DataType.FLOAT64) {
                    dst.set(src.toType(DataType.FLOAT64, false).toDoubleArray());
                } else {
                    dst.set(src.toType(DataType.FLOAT32, false).toFloatArray());
                }
            }
        } catch (IOException | RuntimeException e) {
            flow.close();
            if (e instanceof UserError u) {
                throw u;
            }
            throw new UserError("cannot read flow parameters " + bin + ": " + e.getMessage(), e);
        }
        flow.markParametersChanged();
        return flow;
    }

    @Override
    public void close() {
        dropCache();
        manager.close();
    }
}
