package org.icaloflow.calodream;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.EngineThreads;
import org.icaloflow.UserError;
import org.icaloflow.cfm.EnergyEncoding;
import org.icaloflow.cfm.EnergyNetwork;
import org.icaloflow.cfm.OdeSolver;
import org.icaloflow.cfm.ShapeEncoding;
import org.icaloflow.cfm.VelocityField;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.IncidentEnergies;
import org.icaloflow.data.Sha256;
import org.icaloflow.nn.Network;
import org.icaloflow.stage.StageRun;
import org.icaloflow.stage.StageTracking;
import org.icaloflow.track.Tags;
import org.icaloflow.track.Tracker;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * CaloDREAM's timing table (paper Table 6 and the cost side of Sec. 4.4): (a) one forward pass of the shape network
 * (ViT), of the energy network (all positions, the training pass) and of its CFM head (one ODE evaluation of
 * sampling) by batch size, per call and per shower, beside the paper's H100 figures at batch 100; (b) the time per
 * shower of the whole generation ({@link DreamSampler#generate}: the energy network's autoregressive RK4 sampling,
 * Eq. 2's inverse, then the shape network's solve and the decoding, no file writing) by batch size and by the
 * shape solver's number of function evaluations (Euler, midpoint, RK4 with NFE/1, NFE/2, NFE/4 steps), the
 * evaluations counted on the field.
 *
 * <p>The networks are those of the configuration's {@code calodream} section with random parameters (the cost of a
 * pass does not depend on the weights; identity standardisations), or trained folders. Each point: warm-up calls
 * ({@code warmup}, and at least {@link #WARMUP_SECONDS}), then timed calls until {@code repeats} and
 * {@code minSeconds} are both reached, or {@code maxSeconds} is spent after at least one.
 */
public final class DreamBenchmark {
    /** The paper's Table 6 (one forward pass, batch 100, one NVIDIA H100), ms. */
    public static final double PAPER_SHAPE_DS2_MS = 17, PAPER_SHAPE_DS3_MS = 84, PAPER_ENERGY_MS = 0.37;
    /** The paper's Table 6 batch size. */
    public static final int PAPER_BATCH = 100;
    /** Least warm-up time per point (kernels, allocator at this size, the JIT of the Java side). */
    public static final double WARMUP_SECONDS = 1.0;

    /** The networks timed in part (a). */
    public enum Pass {
        SHAPE("shape", "Shape (ViT)"),
        ENERGY("energy", "Energy (all positions)"),
        ENERGY_HEAD("energy-head", "Energy CFM head (one ODE evaluation)");

        private final String key, label;

        Pass(String key, String label) {
            this.key = key;
            this.label = label;
        }

        public String key() {
            return key;
        }

        public String label() {
            return label;
        }
    }

    /**
     * @param config      the configuration file (recorded; named in messages)
     * @param energySpec  its calodream.energy (null when absent: then {@code energyModel} is needed)
     * @param shapeSpec   its calodream.shape (null when absent: then {@code shapeModel} is needed)
     * @param experiment  the MLflow experiment of the configuration
     * @param energyModel a trained energy network folder (or a dream train folder), null: random parameters
     * @param shapeModel  a trained shape network folder (or a dream train folder), null: random parameters
     * @param forwardSizes    batch sizes of part (a)
     * @param generationSizes batch sizes of part (b)
     * @param solvers     the shape solvers of part (b)
     * @param energySteps RK4 steps of the energy network in part (b); null: calodream.energy.sampleSteps
     * @param command     the command line, written into the Markdown
     * @param threads     PyTorch intra-op threads (0: engine default)
     */
    public record Inputs(Geometry geometry, Path config, EnergySpec energySpec, ShapeSpec shapeSpec, String experiment,
                         Path energyModel, Path shapeModel,
                         List<Integer> forwardSizes, List<Integer> generationSizes, List<OdeSolver> solvers, Integer energySteps,
                         int warmup, int repeats, double minSeconds, double maxSeconds, long seed, int threads,
                         Path csv, Path markdown, String command, StageTracking tracking) {
    }

    /** How a point's timed calls went: mean and standard deviation of one call (ms), and their number. */
    public record Stats(double meanMs, double stdMs, int runs) {
    }

    /** One forward-pass point. */
    public record ForwardRow(Pass pass, int batch, Stats call) {
        public double msPerShower() {
            return call.meanMs() / batch;
        }
    }

    /** One generation point: the whole batch, and its energy and shape parts (means over the runs, ms). */
    public record GenerationRow(int batch, OdeSolver solver, long nfeCounted, int energySteps, Stats call, double energyMs,
                                double shapeMs) {
        public double msPerShower() {
            return call.meanMs() / batch;
        }
    }

    /** What a run measured. */
    public record Result(List<ForwardRow> forward, List<GenerationRow> generation) {
    }

    private DreamBenchmark() {
    }

    public static Result run(Inputs in) {
        Geometry g = in.geometry();
        if (in.energyModel() == null && in.energySpec() == null)
            throw new UserError(in.config() + ": no calodream.energy (the energy network's sizes: see configs/ds2.yaml)");
        if (in.shapeModel() == null && in.shapeSpec() == null)
            throw new UserError(in.config() + ": no calodream.shape (the shape network's sizes: see configs/ds2.yaml)");
        if (in.energyModel() != null && !Files.isDirectory(in.energyModel())) throw new UserError("--energy-model: no such folder: " + in.energyModel());
        if (in.shapeModel() != null && !Files.isDirectory(in.shapeModel())) throw new UserError("--shape-model: no such folder: " + in.shapeModel());
        int energySteps = in.energySteps() != null ? in.energySteps()
                : in.energySpec() != null ? in.energySpec().sampleSteps() : 50;
        EngineThreads.set(in.threads());
        Engine engine = Engine.getInstance();
        String loadBefore = loadAverage();
        try (NDManager root = NDManager.newBaseManager();
             EnergyModel em = energyModel(in, g, root);
             ShapeModel sm = shapeModel(in, g, root)) {
            var ss = sm.settings();
            if (ss.layers() != g.layers() || ss.alphas() != g.alphaBins(0) || ss.radii() != g.radialBins(0))
                throw new UserError("the shape network is for " + ss.layers() + " × " + ss.alphas() + " × " + ss.radii()
                        + " voxels, not for geometry " + g.name());
            if (em.settings().positions() != g.layers())
                throw new UserError("the energy network is for " + em.settings().positions() + " layers, not for geometry " + g.name());
            String device = root.getDevice().toString();
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put(Tags.STAGE, "bench-dream");
            tags.put(Tags.GEOMETRY, g.name());
            tags.put(Tags.CONFIG_SHA256, Sha256.of(in.config()));
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("geometry", g.name());
            params.put("forward_batch_sizes", in.forwardSizes().toString());
            params.put("generation_batch_sizes", in.generationSizes().toString());
            params.put("solvers", describe(in.solvers()));
            params.put("energy_steps", energySteps);
            params.put("device", device);
            params.put("engine", engine.getEngineName() + " " + engine.getVersion());
            params.put("warmup", in.warmup());
            params.put("repeats", in.repeats());
            params.put("min_seconds", in.minSeconds());
            params.put("max_seconds_per_point", in.maxSeconds());
            params.put("threads", in.threads());
            params.put("trained", in.energyModel() != null || in.shapeModel() != null);
            String stem = in.csv().getFileName().toString().replaceFirst("\\.csv$", "");
            return StageRun.run(in.tracking(), in.experiment(), in.csv().resolveSibling(stem + ".journal.jsonl"),
                    "bench-dream-" + g.name(), tags, params, run -> {
                        Tracker tracker = run.tracker();
                        System.out.printf(Locale.ROOT, "icaloflow bench dream: %s on %s (%s %s); shape network %s parameters, energy network %s%n",
                                g.name(), device, engine.getEngineName(), engine.getVersion(), millions(sm), millions(em));
                        List<ForwardRow> fw = new ArrayList<>();
                        for (Pass p : Pass.values()) {
                            for (int b : in.forwardSizes()) {
                                ForwardRow r = new ForwardRow(p, b, forward(p, em, sm, b, in));
                                fw.add(r);
                                System.out.printf(Locale.ROOT, "  forward %-12s batch %5d: %10.4g ms per call (± %.2g, %d run%s), %10.4g ms per shower%n",
                                        p.key(), b, r.call().meanMs(), r.call().stdMs(), r.call().runs(), r.call().runs() == 1 ? "" : "s", r.msPerShower());
                                tracker.logMetric("forward_ms_" + p.key().replace('-', '_'), r.call().meanMs(), b);
                            }
                        }
                        List<GenerationRow> gen = new ArrayList<>();
                        for (int b : in.generationSizes()) {
                            double[] e = IncidentEnergies.logUniform(b, in.seed());
                            warmGeneration(em, sm, energySteps, cheapest(in.solvers()), e, in);
                            for (OdeSolver s : in.solvers()) {
                                GenerationRow r = generation(em, sm, energySteps, s, e, in);
                                gen.add(r);
                                System.out.printf(Locale.ROOT, "  generation batch %5d, %-8s %3d steps (NFE %3d): %10.4g ms per shower "
                                                + "(energy %.4g, shape %.4g; %d run%s)%n", b, name(s), s.steps(), s.evaluations(),
                                        r.msPerShower(), r.energyMs() / b, r.shapeMs() / b, r.call().runs(), r.call().runs() == 1 ? "" : "s");
                                tracker.logMetric("generation_ms_per_shower_" + name(s) + "_nfe" + s.evaluations(), r.msPerShower(), b);
                            }
                        }
                        String loadAfter = loadAverage();
                        String info = String.format(Locale.ROOT, "%s, %s %s, %d CPU cores visible, %s", device, engine.getEngineName(),
                                engine.getVersion(), Runtime.getRuntime().availableProcessors(),
                                in.threads() > 0 ? in.threads() + " intra-op thread" + (in.threads() == 1 ? "" : "s") : "default threads");
                        String networks = (in.energyModel() == null && in.shapeModel() == null ? "untrained networks with the sizes of "
                                + in.config().getFileName() + "'s calodream section"
                                : "energy network " + (in.energyModel() == null ? "untrained (" + in.config().getFileName() + ")" : in.energyModel())
                                + ", shape network " + (in.shapeModel() == null ? "untrained (" + in.config().getFileName() + ")" : in.shapeModel()))
                                + String.format(Locale.ROOT, " (shape %s parameters, %d patches of %d voxels; energy %s)", millions(sm),
                                ss.patches().count(), ss.patches().dim(), millions(em));
                        String markdown = markdown(g, info, networks, energySteps, fw, gen, in.command(), loadBefore, loadAfter);
                        AtomicFiles.writeString(in.csv(), csv(g, device, in.threads(), fw, gen));
                        AtomicFiles.writeString(in.markdown(), markdown);
                        System.out.println();
                        System.out.print(markdown);
                        run.artifact(in.csv(), null);
                        run.artifact(in.markdown(), null);
                        return new Result(List.copyOf(fw), List.copyOf(gen));
                    });
        }
    }

    private static EnergyModel energyModel(Inputs in, Geometry g, NDManager root) {
        if (in.energyModel() != null) {
            Path dir = DreamSampleStage.modelFolder(in.energyModel(), EnergyCheckpoint.JSON_FILE);
            if (!Files.isRegularFile(dir.resolve(EnergyCheckpoint.JSON_FILE)))
                throw new UserError("--energy-model " + in.energyModel() + " holds no energy network (" + EnergyCheckpoint.JSON_FILE + ")");
            return EnergyCheckpoint.load(dir, root);
        }
        EnergySpec spec = in.energySpec();
        try {
            spec.validate("calodream.energy", g.layers());
        } catch (IllegalArgumentException e) {
            throw new UserError(in.config() + ": " + e.getMessage());
        }
        int l = g.layers();
        double[] zero = new double[l], one = new double[l];
        Arrays.fill(one, 1);
        return new EnergyModel(root, spec.settings(l), spec.seed(), DataType.FLOAT32, new EnergyEncoding(zero, one));
    }

    private static ShapeModel shapeModel(Inputs in, Geometry g, NDManager root) {
        if (in.shapeModel() != null) {
            Path dir = DreamSampleStage.modelFolder(in.shapeModel(), ShapeCheckpoint.JSON_FILE);
            if (!Files.isRegularFile(dir.resolve(ShapeCheckpoint.JSON_FILE)))
                throw new UserError("--shape-model " + in.shapeModel() + " holds no shape network (" + ShapeCheckpoint.JSON_FILE + ")");
            return ShapeCheckpoint.load(dir, root);
        }
        ShapeSpec spec = in.shapeSpec();
        try {
            spec.validate("calodream.shape", g);
        } catch (IllegalArgumentException e) {
            throw new UserError(in.config() + ": " + e.getMessage());
        }
        int v = g.voxels(), l = g.layers();
        return new ShapeModel(root, spec.settings(g), spec.seed(), DataType.FLOAT32,
                new ShapeEncoding(l, g.voxelsPerLayer(), ShapeEncoding.ALPHA, spec.noiseWidth()), identity(v), identity(l));
    }

    private static ShapeEncoding.Standardisation identity(int n) {
        double[] one = new double[n];
        Arrays.fill(one, 1);
        return new ShapeEncoding.Standardisation(new double[n], one);
    }

    /** Times one forward pass of {@code p} at batch {@code b} on Gaussian inputs. */
    static Stats forward(Pass p, EnergyModel em, ShapeModel sm, int b, Inputs in) {
        SplittableRandom rng = new SplittableRandom(in.seed());
        Network owner = p == Pass.SHAPE ? sm : em;
        try (NDManager m = owner.manager().newSubManager()) {
            LongSupplier call;
            switch (p) {
                case SHAPE: {
                    var s = sm.settings();
                    NDArray x = gaussian(m, rng, b, s.layers() * s.alphas() * s.radii());
                    NDArray c = gaussian(m, rng, b, s.conditionDim());
                    NDArray t = m.create(0.5f);
                    VelocityField field = sm.network().field(c);
                    call = () -> timed(() -> {
                        try (NDManager scope = m.newSubManager()) {
                            x.tempAttach(scope);
                            sync(field.velocity(x, t));
                        }
                    });
                    break;
                }
                case ENERGY: {
                    EnergyNetwork net = em.network();
                    int l = net.settings().positions();
                    NDArray ut = gaussian(m, rng, b, l), u = uniform(m, rng, b, l), t = uniform(m, rng, b, 1).reshape(b);
                    NDArray cond = uniform(m, rng, b, 1);
                    call = () -> timed(() -> {
                        try (NDManager scope = m.newSubManager()) {
                            for (NDArray a : List.of(ut, u, t, cond)) a.tempAttach(scope);
                            sync(net.forward(ut, t, u, cond));
                        }
                    });
                    break;
                }
                case ENERGY_HEAD: {
                    // as one evaluation of EnergyNetwork.sample's field: the head on u_k(t), γ(t) and c_k
                    EnergyNetwork net = em.network();
                    NDArray x = gaussian(m, rng, b, 1), ck = gaussian(m, rng, b, net.settings().embedding());
                    NDArray t = m.create(0.5f);
                    call = () -> timed(() -> {
                        try (NDManager scope = m.newSubManager()) {
                            for (NDArray a : List.of(x, ck, t)) a.tempAttach(scope);
                            sync(net.velocity(x, net.timeEmbedding(x.zerosLike().add(t)), ck));
                        }
                    });
                    break;
                }
                default:
                    throw new AssertionError(p);
            }
            return measure(call, in);
        }
    }

    private static void warmGeneration(EnergyModel em, ShapeModel sm, int energySteps, OdeSolver solver, double[] e, Inputs in) {
        DreamSampler s = new DreamSampler(em, sm, energySteps, solver, in.seed());
        long start = System.nanoTime();
        int calls = 0;
        while (calls < in.warmup() || (System.nanoTime() - start) / 1e9 < WARMUP_SECONDS) {
            s.generate(e, 0);
            calls++;
        }
    }

    /** Times {@link DreamSampler#generate} with shape solver {@code solver} at the batch of {@code e}. */
    static GenerationRow generation(EnergyModel em, ShapeModel sm, int energySteps, OdeSolver solver, double[] e, Inputs in) {
        DreamSampler s = new DreamSampler(em, sm, energySteps, solver, in.seed());
        List<Double> ms = new ArrayList<>();
        double energy = 0, shape = 0;
        long counted = -1;
        long start = System.nanoTime();
        while (true) {
            long t0 = System.nanoTime();
            DreamSampler.Batch r = s.generate(e, ms.size());
            ms.add((System.nanoTime() - t0) / 1e6);
            energy += r.energyNanos() / 1e6;
            shape += r.shapeNanos() / 1e6;
            if (counted >= 0 && counted != r.shapeEvaluations())
                throw new IllegalStateException("shape evaluations changed between runs: " + counted + ", " + r.shapeEvaluations());
            counted = r.shapeEvaluations();
            if (done(ms.size(), (System.nanoTime() - start) / 1e9, in)) break;
        }
        Stats st = stats(ms);
        return new GenerationRow(e.length, solver, counted, energySteps, st, energy / st.runs(), shape / st.runs());
    }

    private static Stats measure(LongSupplier call, Inputs in) {
        long start = System.nanoTime();
        int calls = 0;
        while (calls < in.warmup() || (System.nanoTime() - start) / 1e9 < WARMUP_SECONDS) {
            call.getAsLong();
            calls++;
        }
        List<Double> ms = new ArrayList<>();
        start = System.nanoTime();
        do {
            ms.add(call.getAsLong() / 1e6);
        } while (!done(ms.size(), (System.nanoTime() - start) / 1e9, in));
        return stats(ms);
    }

    private static boolean done(int runs, double spent, Inputs in) {
        boolean enough = runs >= in.repeats() && spent >= in.minSeconds();
        boolean capped = in.maxSeconds() > 0 && spent >= in.maxSeconds();
        return enough || capped;
    }

    private static long timed(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return System.nanoTime() - t0;
    }

    /** Waits for the result (a device may run asynchronously): one value read back. */
    private static void sync(NDArray a) {
        a.sum().toType(DataType.FLOAT64, false).getDouble();
    }

    static Stats stats(List<Double> ms) {
        double mean = 0;
        for (double x : ms) mean += x;
        mean /= ms.size();
        double var = 0;
        for (double x : ms) var += (x - mean) * (x - mean);
        double std = ms.size() > 1 ? Math.sqrt(var / (ms.size() - 1)) : 0;
        return new Stats(mean, std, ms.size());
    }

    private static NDArray gaussian(NDManager m, SplittableRandom rng, int rows, int cols) {
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextGaussian();
        return m.create(a, new Shape(rows, cols));
    }

    private static NDArray uniform(NDManager m, SplittableRandom rng, int rows, int cols) {
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextDouble();
        return m.create(a, new Shape(rows, cols));
    }

    private static OdeSolver cheapest(List<OdeSolver> solvers) {
        OdeSolver best = solvers.get(0);
        for (OdeSolver s : solvers) if (s.evaluations() < best.evaluations()) best = s;
        return best;
    }

    /** euler, midpoint or rk4. */
    public static String name(OdeSolver s) {
        return s.method().name().toLowerCase(Locale.ROOT);
    }

    private static String describe(List<OdeSolver> solvers) {
        List<String> l = new ArrayList<>();
        for (OdeSolver s : solvers) l.add(name(s) + "x" + s.steps());
        return String.join(",", l);
    }

    /**
     * The shape solvers for NFE values and methods: each method at each NFE it divides (steps = NFE / evaluations
     * per step), ordered by NFE then method; a UserError when a pair leaves nothing.
     */
    public static List<OdeSolver> solvers(List<Integer> nfe, List<OdeSolver.Method> methods) {
        List<OdeSolver> out = new ArrayList<>();
        nfe = nfe.stream().distinct().toList();
        methods = methods.stream().distinct().toList();
        for (int n : nfe) {
            if (n < 1) throw new UserError("--nfe: " + n + " is not a positive number of function evaluations");
            for (OdeSolver.Method m : methods) {
                if (n % m.evaluationsPerStep() == 0) out.add(new OdeSolver(m, n / m.evaluationsPerStep()));
            }
        }
        if (out.isEmpty()) throw new UserError("--nfe " + nfe + " with --solvers " + methods + ": no solver has a whole number of steps");
        return out;
    }

    /** The paper's Table 6 figure for a pass at batch 100 (null at other batch sizes and for the head alone). */
    public static Double paperMs(Geometry g, Pass p, int batch) {
        if (batch != PAPER_BATCH) return null;
        return switch (p) {
            case SHAPE -> g.name().equals("ds3") ? PAPER_SHAPE_DS3_MS : PAPER_SHAPE_DS2_MS;
            case ENERGY -> PAPER_ENERGY_MS;
            case ENERGY_HEAD -> null;
        };
    }

    private static String millions(Network n) {
        long count = 0;
        for (NDArray a : n.parameters()) count += a.getShape().size();
        return String.format(Locale.ROOT, "%.3g M", count / 1e6);
    }

    /** The 1-, 5- and 15-minute load averages (/proc/loadavg), or "unknown". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String fmt(Double v) {
        if (v == null) return "";
        if (!Double.isFinite(v)) return Double.toString(v);
        if (v == 0) return "0";
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /** One CSV for both parts: {@code part} forward or generation; ms_per_shower = ms_per_call / batch_size. */
    static String csv(Geometry g, String device, int threads, List<ForwardRow> fw, List<GenerationRow> gen) {
        StringBuilder sb = new StringBuilder("geometry,part,network,solver,steps,nfe,nfe_counted,energy_steps,batch_size,runs,"
                + "ms_per_call,ms_per_call_std,ms_per_shower,ms_energy_per_shower,ms_shape_per_shower,device,threads,paper_h100_ms\n");
        for (ForwardRow r : fw) {
            Double paper = paperMs(g, r.pass(), r.batch());
            sb.append(String.join(",", g.name(), "forward", r.pass().key(), "", "", "1", "", "", Integer.toString(r.batch()),
                    Integer.toString(r.call().runs()), fmt(r.call().meanMs()), fmt(r.call().stdMs()), fmt(r.msPerShower()), "", "",
                    device, Integer.toString(threads), fmt(paper))).append('\n');
        }
        for (GenerationRow r : gen) {
            sb.append(String.join(",", g.name(), "generation", "energy+shape", name(r.solver()), Integer.toString(r.solver().steps()),
                    Integer.toString(r.solver().evaluations()), Long.toString(r.nfeCounted()), Integer.toString(r.energySteps()),
                    Integer.toString(r.batch()), Integer.toString(r.call().runs()), fmt(r.call().meanMs()), fmt(r.call().stdMs()),
                    fmt(r.msPerShower()), fmt(r.energyMs() / r.batch()), fmt(r.shapeMs() / r.batch()), device,
                    Integer.toString(threads), "")).append('\n');
        }
        return sb.toString();
    }

    static String markdown(Geometry g, String info, String networks, int energySteps, List<ForwardRow> fw, List<GenerationRow> gen,
                           String command, String loadBefore, String loadAfter) {
        StringBuilder sb = new StringBuilder();
        String name = g.name().toUpperCase(Locale.ROOT);
        sb.append(String.format(Locale.ROOT, "## CaloDREAM timing, %s (paper Table 6)%n%n", g.name()));
        if (command != null) sb.append("Command: `").append(command).append("`\n\n");
        sb.append("Ours: ").append(info).append("; ").append(networks).append(".\n");
        sb.append("Load average (1, 5, 15 min) at the start: ").append(loadBefore).append("; at the end: ").append(loadAfter).append(".\n");
        sb.append("Paper: one NVIDIA H100, batch size 100 (Table 6: one network forward pass).\n\n");
        sb.append("### One forward pass\n\n");
        sb.append("| Network | Batch size | ms per call | ± (std) | ms per shower | Paper H100 (ms per call, batch 100) | Runs |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (ForwardRow r : fw) {
            Double paper = paperMs(g, r.pass(), r.batch());
            sb.append(String.format(Locale.ROOT, "| %s %s | %d | %s | %s | %s | %s | %d |%n", name, r.pass().label(), r.batch(),
                    fmt(r.call().meanMs()), fmt(r.call().stdMs()), fmt(r.msPerShower()), paper == null ? "..." : fmt(paper), r.call().runs()));
        }
        if (!gen.isEmpty()) {
            int l = g.layers();
            sb.append(String.format(Locale.ROOT, "%n### Whole generation, ms per shower%n%n"
                    + "Energy network: RK4 with %d steps, position by position: %d head evaluations and %d decoder passes per batch; "
                    + "then the shape network's solver (NFE = its evaluations, counted) and the decoding; no file writing.%n%n",
                    energySteps, 4 * energySteps * l, l));
            sb.append("| Batch size | Shape solver | Steps | NFE | ms per shower | ± (std) | Energy part | Shape part | Runs |\n");
            sb.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (GenerationRow r : gen) {
                sb.append(String.format(Locale.ROOT, "| %d | %s | %d | %d | %s | %s | %s | %s | %d |%n", r.batch(), name(r.solver()),
                        r.solver().steps(), r.nfeCounted(), fmt(r.msPerShower()), fmt(r.call().stdMs() / r.batch()),
                        fmt(r.energyMs() / r.batch()), fmt(r.shapeMs() / r.batch()), r.call().runs()));
            }
        }
        return sb.toString();
    }
}
