package org.icaloflow.sample;

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
import org.icaloflow.stage.StageRun;
import org.icaloflow.stage.StageTracking;
import org.icaloflow.track.Tags;
import org.icaloflow.track.Tracker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's Table V: time per shower of full inductive generation (no file writing) vs batch size, teacher and
 * student, with untrained flows of the configured architectures; a CSV, a Markdown table with the paper's figures
 * beside ours, and an MLflow run.
 */
public final class SampleBenchmark {
    /**
     * @param config  the configuration file (recorded) and {@code cfg} loaded from it (the architectures)
     * @param csv     the CSV output; {@code markdown} the Markdown table
     * @param table   the paper's Table V, or null
     * @param threads PyTorch intra-op threads (0: engine default)
     */
    public record Inputs(Geometry geometry, List<String> variants, List<Integer> sizes, Path config, RunConfig cfg, Path csv,
                         Path markdown, int repeats, double minSeconds, double maxSeconds, PaperTableV table, long seed,
                         int threads, StageTracking tracking) {
    }

    record Row(String variant, SampleTiming.Point p) {
    }

    private SampleBenchmark() {
    }

    public static void run(Inputs in) {
        Geometry g = in.geometry();
        int threads = in.threads();
        EngineThreads.set(threads);
        Engine engine = Engine.getInstance();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(Tags.STAGE, "bench-sample");
        tags.put(Tags.GEOMETRY, g.name());
        tags.put(Tags.CONFIG_SHA256, Sha256.of(in.config()));
        List<Row> rows = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager()) {
            String device = root.getDevice().toString();
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("geometry", g.name());
            params.put("variants", String.join(",", in.variants()));
            params.put("batch_sizes", in.sizes().toString());
            params.put("device", device);
            params.put("engine", engine.getEngineName() + " " + engine.getVersion());
            params.put("repeats", in.repeats());
            params.put("min_seconds", in.minSeconds());
            params.put("max_seconds_per_point", in.maxSeconds());
            params.put("threads", threads);
            String stem = in.csv().getFileName().toString().replaceFirst("\\.csv$", "");
            StageRun.run(in.tracking(), in.cfg().tracking().experiment(), in.csv().resolveSibling(stem + ".journal.jsonl"),
                    "bench-sample-" + g.name(), tags, params, run -> {
                        System.out.printf("icaloflow bench sample: %s on %s (%s %s), architectures from %s%n", g.name(), device,
                                engine.getEngineName(), engine.getVersion(), in.config());
                        for (String v : in.variants()) time(in, v, root, rows, run.tracker());
                        String markdown = markdown(g, device, engine, threads, rows, in.table(), in.config());
                        AtomicFiles.writeString(in.csv(), csv(g, device, rows, in.table()));
                        AtomicFiles.writeString(in.markdown(), markdown);
                        System.out.println();
                        System.out.print(markdown);
                        run.artifact(in.csv(), null);
                        run.artifact(in.markdown(), null);
                        return null;
                    });
        }
    }

    /** Times one variant at every batch size. */
    private static void time(Inputs in, String v, NDManager root, List<Row> rows, Tracker tracker) {
        Geometry g = in.geometry();
        RunConfig cfg = in.cfg();
        long seed = in.seed();
        FlowSpec s2 = v.equals("teacher") ? cfg.architecture().flow2Teacher() : cfg.architecture().flow2Student();
        FlowSpec s3 = v.equals("teacher") ? cfg.architecture().flow3Teacher() : cfg.architecture().flow3Student();
        if (s2 == null || s3 == null) throw new UserError(in.config() + ": architecture has no flow2_" + v + "/flow3_" + v);
        try (Flow f1 = Flow.create(cfg.architecture().flow1(), root); Flow f2 = Flow.create(s2, root);
             Flow f3 = Flow.create(s3, root)) {
            SampleModels models = SampleModels.of(g, f1, f2, f3);
            Sampler sampler = new Sampler(models, root, Sampler.Options.defaults(seed));
            SampleTiming timing = new SampleTiming(sampler, g.layers());
            for (int b : in.sizes()) {
                SampleTiming.Point p = timing.time(b, new SampleTiming.Budget(in.repeats(), in.minSeconds(), in.maxSeconds()), seed,
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
