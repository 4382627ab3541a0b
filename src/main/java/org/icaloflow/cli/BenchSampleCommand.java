package org.icaloflow.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.icaloflow.EngineThreads;
import org.icaloflow.UserError;
import org.icaloflow.config.RunConfig;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.Sha256;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.sample.PaperTableV;
import org.icaloflow.sample.SampleModels;
import org.icaloflow.sample.SampleTiming;
import org.icaloflow.sample.Sampler;
import org.icaloflow.stage.StageRun;
import org.icaloflow.track.Tags;
import org.icaloflow.track.Tracker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code icaloflow bench sample}: the paper's Table V (time per shower vs generation batch size). */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Time per shower of inductive generation, teacher and student (the paper's Table V).",
        descriptionHeading = "%n",
        description = {
                "Full generation: Flow-1, Flow-2, 44 Flow-3 layers, postprocessing and the feedback of each layer to the "
                        + "next (Eq. A4), without file writing, on the "
                        + "device DJL picks. Flows have the paper's architectures (--config) with untrained weights: "
                        + "the cost of a pass does not depend on the weights.",
                "Each batch size: warm-up batches for 2 s, then timed batches until --repeats and --min-seconds are both "
                        + "reached. A batch still running after --max-seconds-per-point is stopped after its current "
                        + "layer and its time extrapolated from the Flow-3 layers done (marked 'estimated').",
                "",
                "Prints a table and writes OUT.csv and OUT.md (with the paper's figures beside ours) and an MLflow run."},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n",
        footer = {"Example:",
                "  icaloflow bench sample --geometry ds2 --batch-sizes 1,10,100 --max-seconds-per-point 60 --out table5_ds2.csv"})
public final class BenchSampleCommand implements Runnable {
    @Option(names = {"-g", "--geometry"}, required = true, paramLabel = "ds2|ds3", description = "Dataset geometry.")
    String geometry;

    @Option(names = "--variant", paramLabel = "teacher|student", description = "One variant (default: both).")
    String variant;

    @Option(names = "--batch-sizes", split = ",", paramLabel = "B1,B2,...",
            description = "Generation batch sizes (default: 1,10,100,1000,10000 for ds2; 1,10,100,1000,5000 for ds3).")
    List<Integer> batchSizes;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE.yaml", description = "Run configuration with the architectures (default: configs/GEOMETRY.yaml).")
    Path config;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.csv", description = "CSV output; the Markdown table goes to FILE.md.")
    Path out;

    @Option(names = "--repeats", defaultValue = "1", description = "Least number of timed batches per point (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--min-seconds", defaultValue = "3", description = "Keep timing a point until this many seconds are spent (default: ${DEFAULT-VALUE}).")
    double minSeconds;

    @Option(names = "--max-seconds-per-point", defaultValue = "0", paramLabel = "S",
            description = "Stop a batch after S seconds and extrapolate (0: no cap; default: ${DEFAULT-VALUE}).")
    double maxSeconds;

    @Option(names = "--paper", paramLabel = "FILE.md", description = "Paper text to read Table V from (default: the copy of Table V shipped with icaloflow).")
    Path paper;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the energies and base samples (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    CommonOptions.Threads threads;

    @Mixin
    TrackingOptions tracking;

    record Row(String variant, SampleTiming.Point p) {
    }

    @Override
    public void run() {
        Geometry g = Geometry.forName(geometry);
        if (!g.name().equals("ds2") && !g.name().equals("ds3")) throw new UserError("--geometry must be ds2 or ds3");
        List<String> variants;
        if (variant == null) variants = List.of("teacher", "student");
        else if (variant.equals("teacher") || variant.equals("student")) variants = List.of(variant);
        else throw new UserError("--variant must be teacher or student, got '" + variant + "'");
        List<Integer> sizes = batchSizes != null ? batchSizes
                : g.name().equals("ds2") ? List.of(1, 10, 100, 1000, 10000) : List.of(1, 10, 100, 1000, 5000);
        for (int b : sizes) if (b < 1) throw new UserError("--batch-sizes: " + b + " is not a positive batch size");
        if (repeats < 1) throw new UserError("--repeats must be at least 1");
        if (!(minSeconds >= 0) || !(maxSeconds >= 0)) throw new UserError("--min-seconds and --max-seconds-per-point must be >= 0");
        if (!out.getFileName().toString().endsWith(".csv")) throw new UserError("--out must name a .csv file, got " + out);
        Path cfgPath = config != null ? config : defaultConfig(g.name());
        RunConfig cfg = RunConfig.load(cfgPath);
        PaperTableV table = paperTable();
        String stem = out.getFileName().toString().replaceFirst("\\.csv$", "");
        Path md = out.resolveSibling(stem + ".md");

        int threads = this.threads.get();
        EngineThreads.set(threads);
        Engine engine = Engine.getInstance();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(Tags.STAGE, "bench-sample");
        tags.put(Tags.GEOMETRY, g.name());
        tags.put(Tags.CONFIG_SHA256, Sha256.of(cfgPath));
        List<Row> rows = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager()) {
            String device = root.getDevice().toString();
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("geometry", g.name());
            params.put("variants", String.join(",", variants));
            params.put("batch_sizes", sizes.toString());
            params.put("device", device);
            params.put("engine", engine.getEngineName() + " " + engine.getVersion());
            params.put("repeats", repeats);
            params.put("min_seconds", minSeconds);
            params.put("max_seconds_per_point", maxSeconds);
            params.put("threads", threads);
            StageRun.run(tracking.inputs(), cfg.tracking().experiment(), out.resolveSibling(stem + ".journal.jsonl"),
                    "bench-sample-" + g.name(), tags, params, run -> {
                        System.out.printf("icaloflow bench sample: %s on %s (%s %s), architectures from %s%n", g.name(), device,
                                engine.getEngineName(), engine.getVersion(), cfgPath);
                        for (String v : variants) time(g, cfg, cfgPath, v, sizes, root, rows, run.tracker());
                        String markdown = markdown(g, device, engine, threads, rows, table, cfgPath);
                        AtomicFiles.writeString(out, csv(g, device, rows, table));
                        AtomicFiles.writeString(md, markdown);
                        System.out.println();
                        System.out.print(markdown);
                        run.artifact(out, null);
                        run.artifact(md, null);
                        return null;
                    });
        }
    }

    /** Times one variant at every batch size. */
    private void time(Geometry g, RunConfig cfg, Path cfgPath, String v, List<Integer> sizes, NDManager root, List<Row> rows,
                      Tracker tracker) {
        FlowSpec s2 = v.equals("teacher") ? cfg.architecture().flow2Teacher() : cfg.architecture().flow2Student();
        FlowSpec s3 = v.equals("teacher") ? cfg.architecture().flow3Teacher() : cfg.architecture().flow3Student();
        if (s2 == null || s3 == null) throw new UserError(cfgPath + ": architecture has no flow2_" + v + "/flow3_" + v);
        try (Flow f1 = Flow.create(cfg.architecture().flow1(), root); Flow f2 = Flow.create(s2, root);
             Flow f3 = Flow.create(s3, root)) {
            SampleModels models = SampleModels.of(g, f1, f2, f3);
            Sampler sampler = new Sampler(models, root, Sampler.Options.defaults(seed));
            SampleTiming timing = new SampleTiming(sampler, g.layers());
            for (int b : sizes) {
                SampleTiming.Point p = timing.time(b, new SampleTiming.Budget(repeats, minSeconds, maxSeconds), seed,
                        System.out::println);
                rows.add(new Row(v, p));
                System.out.printf(Locale.ROOT, "  %s %-7s batch %6d: %12.4g ms per shower%s  (Flow-1+2 %.4g ms, Flow-3 %.4g ms per layer-batch, %d run%s)%n",
                        g.name(), v, b, p.msPerShower(), p.estimated() ? " (estimated)" : "", p.msFlow12(),
                        p.msPerFlow3(), p.runs(), p.runs() == 1 ? "" : "s");
                tracker.logMetric("ms_per_shower_" + v, p.msPerShower(), b);
                tracker.logMetric("estimated_" + v, p.estimated() ? 1 : 0, b);
            }
        }
    }

    private PaperTableV paperTable() {
        return paper != null ? PaperTableV.read(paper) : PaperTableV.embedded();
    }

    /** configs/NAME.yaml in the working folder, else beside the jar's project (target/../configs). */
    static Path defaultConfig(String name) {
        Path local = Path.of("configs", name + ".yaml");
        if (Files.isRegularFile(local)) return local;
        try {
            Path jar = Path.of(BenchSampleCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path p = jar.getParent().getParent().resolve("configs").resolve(name + ".yaml");
            if (Files.isRegularFile(p)) return p;
        } catch (Exception ignored) {
            // fall through to the error
        }
        throw new UserError("no configs/" + name + ".yaml here: give --config FILE.yaml");
    }

    private static String paperModel(Geometry g, String v) {
        return g.name().toUpperCase(Locale.ROOT) + " " + v;
    }

    private static String fmt(Double v) {
        if (v == null) return "";
        if (!Double.isFinite(v)) return Double.toString(v);
        // 4 significant digits, no trailing zeros (7.12e4 -> 71200, 2.18 -> 2.18)
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    static String csv(Geometry g, String device, List<Row> rows, PaperTableV table) {
        StringBuilder sb = new StringBuilder("geometry,variant,batch_size,ms_per_shower,status,runs,flow3_layers_timed,"
                + "ms_flow1_flow2_per_batch,ms_per_flow3_layer_batch,device,paper_gpu_ms,paper_cpu_ms\n");
        for (Row r : rows) {
            SampleTiming.Point p = r.p();
            PaperTableV.Entry e = table == null ? null : table.get(paperModel(g, r.variant()), p.batch());
            sb.append(String.join(",", g.name(), r.variant(), Integer.toString(p.batch()), fmt(p.msPerShower()),
                    p.estimated() ? "estimated" : "measured", Integer.toString(p.runs()), Integer.toString(p.flow3Layers()),
                    fmt(p.msFlow12()), fmt(p.msPerFlow3()), device,
                    e == null ? "" : fmt(e.gpuMs()), e == null ? "" : fmt(e.cpuMs()))).append('\n');
        }
        return sb.toString();
    }

    static String markdown(Geometry g, String device, Engine engine, int threads, List<Row> rows, PaperTableV table, Path architectures) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "## Time per shower, %s (paper Table V)%n%n", g.name()));
        sb.append(String.format(Locale.ROOT, "Ours: %s, %s %s, %d CPU cores visible, %s, untrained flows with the "
                        + "architectures of %s; full generation without file writing.%n", device, engine.getEngineName(),
                engine.getVersion(), Runtime.getRuntime().availableProcessors(),
                threads > 0 ? threads + " intra-op thread" + (threads == 1 ? "" : "s") : "default threads",
                architectures.getFileName()));
        sb.append("Paper: TITAN V GPU and Intel Core i9-7900X CPU. Estimated = stopped early, extrapolated from the Flow-3 layers timed.\n\n");
        sb.append("| Model | Batch size | Ours (ms) | Paper GPU (ms) | Paper CPU (ms) | Note |\n");
        sb.append("|---|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            SampleTiming.Point p = r.p();
            PaperTableV.Entry e = table == null ? null : table.get(paperModel(g, r.variant()), p.batch());
            String note = p.estimated() ? "estimated (" + p.flow3Layers() + "/" + (g.layers() - 1) + " Flow-3 layers)"
                    : p.runs() + " run" + (p.runs() == 1 ? "" : "s");
            sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%n", paperModel(g, r.variant()), p.batch(),
                    fmt(p.msPerShower()), e == null || e.gpuMs() == null ? "..." : fmt(e.gpuMs()),
                    e == null || e.cpuMs() == null ? "..." : fmt(e.cpuMs()), note));
        }
        // student speed-up where both variants were timed at the same batch size
        List<String> speed = new ArrayList<>();
        for (Row t : rows) {
            if (!t.variant().equals("teacher")) continue;
            for (Row s : rows) {
                if (s.variant().equals("student") && s.p().batch() == t.p().batch())
                    speed.add(String.format(Locale.ROOT, "batch %d: %.3g×%s", t.p().batch(),
                            t.p().msPerShower() / s.p().msPerShower(),
                            t.p().estimated() || s.p().estimated() ? " (estimated)" : ""));
            }
        }
        if (!speed.isEmpty()) sb.append("\nStudent speed-up over the teacher: ").append(String.join("; ", speed)).append(".\n");
        return sb.toString();
    }
}
