package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.calodream.DreamBenchmark;
import org.icaloflow.cfm.OdeSolver;
import org.icaloflow.config.CalodreamConfig;
import org.icaloflow.config.RunConfig;
import org.icaloflow.data.Geometry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code icaloflow bench dream}: CaloDREAM's timing (the paper's Table 6, and ms per shower by batch size and NFE). */
@Command(name = "dream", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "CaloDREAM timing: one network forward pass (the paper's Table 6) and ms per shower by batch size and NFE.",
        descriptionHeading = "%n",
        description = {
                "(a) One forward pass of the shape network (ViT), of the energy network (all positions at once) and of "
                        + "its CFM head (one ODE evaluation of sampling) at each --batch-sizes, per call and per shower, "
                        + "beside the paper's H100 figures at batch 100 (17 ms DS2, 84 ms DS3, energy 0.37 ms).",
                "(b) The whole generation (the energy network's RK4 sampling, position by position, then the shape "
                        + "network's solve and the decoding; no file writing) at each --generation-batch-sizes, for each "
                        + "--solvers method at each --nfe it divides (RK4: NFE/4 steps, midpoint NFE/2, Euler NFE); the "
                        + "shape network's evaluations are counted.",
                "Networks: the configuration's calodream sizes (--config) with random parameters (the cost of a pass "
                        + "does not depend on the weights), or trained folders (--energy-model, --shape-model). Each point: "
                        + "--warmup calls (at least 1 s), then timed calls until --repeats and --min-seconds are both "
                        + "reached, or --max-seconds-per-point is spent after one.",
                "",
                "The defaults finish in a few minutes on 2 CPU cores: the ViT has 26 M parameters and 135 patches for "
                        + "ds2 (one pass at batch 100: seconds on such a CPU, 17 ms on the paper's H100), 5.9 M parameters but "
                        + "1350 patches for ds3 (a pass at batch 10 already takes seconds); the energy network's RK4 "
                        + "sampling (50 steps × 4 × 45 head evaluations) costs seconds per batch. On a GPU raise "
                        + "--batch-sizes, --generation-batch-sizes (e.g. 1,10,100,1000) and --solvers.",
                "",
                "Prints the tables and writes OUT.csv and OUT.md (temporary names, then renamed) and a tracked run "
                        + "(journal OUT_STEM.journal.jsonl)."},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n",
        footer = {"Example:",
                "  icaloflow bench dream --geometry ds2 --threads 2 --out bench/results/table6_ds2_cpu.csv"})
public final class BenchDreamCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-g", "--geometry"}, required = true, paramLabel = "ds2|ds3", description = "Dataset geometry.")
    String geometry;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE.yaml",
            description = "Run configuration with the calodream section (default: configs/GEOMETRY.yaml).")
    Path config;

    @Option(names = "--energy-model", paramLabel = "DIR",
            description = "Trained energy network folder (or a dream train output folder); default: random parameters.")
    Path energyModel;

    @Option(names = "--shape-model", paramLabel = "DIR",
            description = "Trained shape network folder (or a dream train output folder); default: random parameters.")
    Path shapeModel;

    @Option(names = "--batch-sizes", split = ",", paramLabel = "B1,B2,...",
            description = "Batch sizes of the forward passes (default: 1,10,100 for ds2; 1,10 for ds3, whose pass at batch 100 "
                    + "takes minutes and several GB on a CPU).")
    List<Integer> batchSizes;

    @Option(names = "--generation-batch-sizes", split = ",", paramLabel = "B1,B2,...", defaultValue = "1",
            description = "Batch sizes of the whole generation (default: ${DEFAULT-VALUE}; 0: skip the generation).")
    List<Integer> generationSizes;

    @Option(names = "--nfe", split = ",", paramLabel = "N1,N2,...", defaultValue = "8,16,32,80",
            description = "Function evaluations of the shape solver (default: ${DEFAULT-VALUE}; 80 = Table 2's RK4 with 20 steps).")
    List<Integer> nfe;

    @Option(names = "--solvers", split = ",", paramLabel = "rk4,midpoint,euler",
            description = "Shape solvers, each at every --nfe it divides (default: rk4,midpoint,euler for ds2; rk4 for ds3).")
    List<String> solvers;

    @Option(names = "--energy-steps", paramLabel = "N",
            description = "RK4 steps of the energy network in the generation (default: calodream.energy.sampleSteps, 50).")
    Integer energySteps;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "N",
            description = "Untimed calls per point, at least 1 s (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "N",
            description = "Least number of timed calls per point (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--min-seconds", defaultValue = "1", paramLabel = "S",
            description = "Keep timing a point until this many seconds are spent (default: ${DEFAULT-VALUE}).")
    double minSeconds;

    @Option(names = "--max-seconds-per-point", defaultValue = "10", paramLabel = "S",
            description = "Stop timing a point after S seconds once one call is timed (0: no cap; default: ${DEFAULT-VALUE}).")
    double maxSeconds;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of the inputs, energies and noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.csv", description = "CSV output; the Markdown tables go to FILE.md.")
    Path out;

    @Mixin
    CommonOptions.Threads threads;

    @Mixin
    TrackingOptions tracking;

    @Override
    public void run() {
        Geometry g = Geometry.forName(geometry);
        if (!g.name().equals("ds2") && !g.name().equals("ds3")) throw new UserError("--geometry must be ds2 or ds3");
        boolean ds2 = g.name().equals("ds2");
        List<Integer> batchSizes = this.batchSizes != null ? this.batchSizes : ds2 ? List.of(1, 10, 100) : List.of(1, 10);
        List<String> solvers = this.solvers != null ? this.solvers : ds2 ? List.of("rk4", "midpoint", "euler") : List.of("rk4");
        for (int b : batchSizes) if (b < 1) throw new UserError("--batch-sizes: " + b + " is not a positive batch size");
        List<Integer> gen = generationSizes.equals(List.of(0)) ? List.of() : generationSizes;
        for (int b : gen) if (b < 1) throw new UserError("--generation-batch-sizes: " + b + " is not a positive batch size (0 alone: skip)");
        List<OdeSolver.Method> methods = new ArrayList<>();
        for (String s : solvers) {
            try {
                methods.add(OdeSolver.Method.valueOf(s.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UserError("--solvers: '" + s + "' is not euler, midpoint or rk4");
            }
        }
        List<OdeSolver> shapeSolvers = DreamBenchmark.solvers(nfe, methods);
        if (energySteps != null && energySteps < 1) throw new UserError("--energy-steps must be at least 1, got " + energySteps);
        if (warmup < 0) throw new UserError("--warmup must be >= 0, got " + warmup);
        if (repeats < 1) throw new UserError("--repeats must be at least 1, got " + repeats);
        if (!(minSeconds >= 0) || !(maxSeconds >= 0) || Double.isInfinite(minSeconds) || Double.isInfinite(maxSeconds))
            throw new UserError("--min-seconds and --max-seconds-per-point must be finite and >= 0");
        if (!out.getFileName().toString().endsWith(".csv")) throw new UserError("--out must name a .csv file, got " + out);
        int th = threads.get();
        Path cfgPath = config != null ? config : BenchSampleCommand.defaultConfig(g.name());
        RunConfig cfg = RunConfig.load(cfgPath);
        String stem = out.getFileName().toString().replaceFirst("\\.csv$", "");
        Path md = out.resolveSibling(stem + ".md");
        CalodreamConfig dream = cfg.calodream();
        if (dream == null && (energyModel == null || shapeModel == null))
            throw new UserError(cfgPath + ": no 'calodream' section (CaloDREAM's networks: see configs/ds2.yaml)");
        DreamBenchmark.run(new DreamBenchmark.Inputs(g, cfgPath, dream == null ? null : dream.energy(), dream == null ? null : dream.shape(),
                cfg.tracking().experiment(), energyModel, shapeModel, batchSizes, gen, shapeSolvers,
                energySteps, warmup, repeats, minSeconds, maxSeconds, seed, th, out, md, commandLine(), tracking.inputs()));
    }

    /** The command as given, from "icaloflow" on. */
    private String commandLine() {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        List<String> words = new ArrayList<>(List.of("icaloflow"));
        if (args.isEmpty() || !args.get(0).equals("bench")) words.addAll(List.of("bench", "dream"));
        for (String a : args) words.add(a.matches("[A-Za-z0-9_./,=:+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        return String.join(" ", words);
    }
}
