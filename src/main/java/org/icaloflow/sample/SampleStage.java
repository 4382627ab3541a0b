package org.icaloflow.sample;

import ai.djl.ndarray.NDManager;
import org.icaloflow.EngineThreads;
import org.icaloflow.UserError;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerWriter;
import org.icaloflow.data.StageManifest;
import org.icaloflow.flow.EvalKernels;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.icaloflow.stage.StageRun;
import org.icaloflow.stage.StageTracking;
import org.icaloflow.track.Tags;
import org.icaloflow.track.Tracker;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sample stage: showers from three trained flows in batches, written to OUT (or its parts) with, optionally,
 * Flow-1's layer energies as CSV; a manifest (models with the SHA-256 of their parameters, settings, counts, layer
 * closure) and an MLflow run (journal OUT_STEM.journal.jsonl).
 */
public final class SampleStage {
    /** What the manifest says of energies drawn rather than given. */
    static final String DRAWN_ENERGIES = "log-uniform 1 GeV - 1 TeV";

    /**
     * @param energies       incident energies (MeV), one shower each
     * @param energiesSource how they were given (recorded in the manifest); null: drawn log-uniform in 1 GeV - 1 TeV
     * @param thresholdMeV   voxels and Flow-1's layer energies below this are set to zero
     * @param proxies        null, or the CSV of Flow-1's layer energies per shower
     * @param manifest       null: OUT_STEM.manifest.json
     * @param threads        PyTorch intra-op threads (0: engine default)
     */
    public record Inputs(Geometry geometry, Path flow1, Path flow2, Path flow3, double[] energies, String energiesSource,
                         long seed, int batch, Path out, double thresholdMeV, boolean renormalise, Path proxies,
                         Path manifest, ShowerWriter.Precision precision, long rowsPerPart, int threads,
                         StageTracking tracking) {
    }

    /** The shower files written (one, or the parts) and the manifest. */
    public record Result(List<Path> files, Path manifest) {
    }

    private SampleStage() {
    }

    public static Result run(Inputs in) {
        Geometry g = in.geometry();
        double[] e = in.energies();
        String stem = stem(in.out());
        Path manifestPath = in.manifest() != null ? in.manifest() : in.out().resolveSibling(stem + ".manifest.json");
        Path journal = in.out().resolveSibling(stem + ".journal.jsonl");
        Sampler.Options opts = new Sampler.Options(in.seed(), in.thresholdMeV(), in.renormalise());

        EngineThreads.set(in.threads());
        try (NDManager root = NDManager.newBaseManager();
             SampleModels models = SampleModels.load(g, in.flow1(), in.flow2(), in.flow3(), root)) {
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put(Tags.STAGE, "sample");
            tags.put(Tags.GEOMETRY, g.name());
            tags.put("icaloflow.variants", models.variants());
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("seed", in.seed());
            params.put("batch", in.batch());
            params.put("events", e.length);
            params.put("threshold_mev", in.thresholdMeV());
            params.put("renormalise", in.renormalise());
            params.put("device", root.getDevice().toString());
            params.put("kernels", kernels(root));
            params.put("models", models.describe());
            Stats st = StageRun.run(in.tracking(), "icaloflow", journal, "sample-" + variantName(models), tags, params, run -> {
                Stats s = generate(in, models, root, opts);
                log(run.tracker(), s, e.length);
                run.manifest(manifest(in, models, root, s), manifestPath);
                run.artifact(manifestPath, null);
                return s;
            });
            double msPer = st.generateNanos / 1e6 / e.length;
            System.err.printf(Locale.ROOT, "icaloflow sample: %d %s showers (%s) in %.1f s, %.3g ms per shower -> %s%n",
                    e.length, g.name(), models.variants(), st.totalNanos / 1e9, msPer,
                    st.files.size() == 1 ? st.files.get(0) : st.files.size() + " parts " + st.files.get(0) + " ...");
            if (Double.isFinite(st.closure.offFraction())) {
                int w = st.closure.worstLayer();
                LayerClosure.Layer wl = st.closure.layers().get(w - 1);
                System.err.printf(Locale.ROOT, "icaloflow sample: layer closure (generated sum / Flow-1 energy): "
                                + "%.2f %% of layers below 1/2 or above 2; worst layer %d (%.1f %%, median %.3f)%n",
                        100 * st.closure.offFraction(), w, 100 * (wl.belowHalf() + wl.aboveDouble()), wl.median());
            }
            if (st.nonFinite > 0)
                System.err.printf("icaloflow sample: warning: %d non-finite flow outputs were set to zero energy%n", st.nonFinite);
            return new Result(st.files, manifestPath);
        }
    }

    /**
     * The eval-mode path the flows took on root's device: {@code cpu} (the CPU's kernels) or {@code tensor} (a CUDA
     * device, or {@code icaloflow.kernels=tensor}; docs/gpu.md).
     */
    static String kernels(NDManager root) {
        return EvalKernels.forDevice(root.getDevice()) != null ? "cpu" : "tensor";
    }

    private static final class Stats {
        long generateNanos;
        long totalNanos;
        long nonFinite;
        long zeroVoxels;
        LayerClosure closure;
        List<Path> files;
    }

    private static void log(Tracker tracker, Stats st, int showers) {
        tracker.logMetric("ms_per_shower", st.generateNanos / 1e6 / showers, 0);
        tracker.logMetric("showers", showers, 0);
        tracker.logMetric("non_finite_outputs", st.nonFinite, 0);
        tracker.logMetric("seconds_total", st.totalNanos / 1e9, 0);
        double off = st.closure.offFraction();
        if (Double.isFinite(off)) tracker.logMetric("layer_closure_off_fraction", off, 0);
    }

    private static StageManifest manifest(Inputs in, SampleModels models, NDManager root, Stats st) {
        Geometry g = in.geometry();
        int n = in.energies().length;
        StageManifest m = new StageManifest("sample");
        for (SampleModels.Model x : models.models()) m.addInput(x.dir().resolve(FlowCheckpoint.PARAMS_FILE));
        m.put("geometry", g.name());
        m.put("models", models.describe());
        m.put("variants", Map.of("flow1", models.flow1Cfm() == null ? "maf" : "cfm", "flow2", models.flow2Variant(), "flow3", models.flow3Variant()));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("seed", in.seed());
        settings.put("batch", in.batch());
        settings.put("threshold_mev", in.thresholdMeV());
        settings.put("renormalise", in.renormalise());
        settings.put("energies", in.energiesSource() == null ? DRAWN_ENERGIES : in.energiesSource());
        settings.put("precision", in.precision().name().toLowerCase(Locale.ROOT));
        settings.put("device", root.getDevice().toString());
        settings.put("kernels", kernels(root));
        m.put("settings", settings);
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("showers", n);
        counts.put("batches", (n + in.batch() - 1) / in.batch());
        counts.put("non_finite_outputs", st.nonFinite);
        counts.put("zero_voxel_fraction", st.zeroVoxels / ((double) n * g.voxels()));
        counts.put("ms_per_shower_generation", st.generateNanos / 1e6 / n);
        counts.put("seconds_total", st.totalNanos / 1e9);
        m.put("counts", counts);
        m.put("layer_closure", st.closure.describe());
        for (Path f : st.files) m.addOutput(f);
        if (in.proxies() != null) m.addOutput(in.proxies());
        return m;
    }

    private static Stats generate(Inputs in, SampleModels models, NDManager root, Sampler.Options opts) {
        Geometry g = in.geometry();
        double[] e = in.energies();
        Path proxies = in.proxies();
        Stats st = new Stats();
        st.closure = new LayerClosure(g.layers(), g.voxelsPerLayer());
        long t0 = System.nanoTime();
        Sampler sampler = new Sampler(models, root, opts);
        Path proxyTmp = proxies == null ? null : AtomicFiles.tempFor(proxies);
        BufferedWriter pw = null;
        try (ShowerWriter w = new ShowerWriter(in.out(), g, in.precision(), in.rowsPerPart())) {
            if (proxyTmp != null) {
                pw = Files.newBufferedWriter(proxyTmp, StandardCharsets.UTF_8);
                StringBuilder h = new StringBuilder("incident_energy_mev");
                for (int l = 1; l <= g.layers(); l++) h.append(",e").append(l).append("_mev");
                pw.write(h.append('\n').toString());
            }
            long lastReport = t0;
            for (int from = 0; from < e.length; from += in.batch()) {
                int n = Math.min(in.batch(), e.length - from);
                double[] eb = Arrays.copyOfRange(e, from, from + n);
                long a = System.nanoTime();
                Sampler.Result r = sampler.generate(eb, from);
                st.generateNanos += System.nanoTime() - a;
                st.nonFinite += r.nonFinite();
                for (float v : r.showers().showersMeV()) if (v == 0f) st.zeroVoxels++;
                st.closure.add(r.showers(), r.proxyMeV());
                w.append(r.showers());
                if (pw != null) writeProxies(pw, eb, r.proxyMeV(), g.layers());
                long now = System.nanoTime();
                if (now - lastReport > 10e9 || from + n == e.length) {
                    lastReport = now;
                    System.err.printf(Locale.ROOT, "icaloflow sample: %d/%d showers, %.3g ms per shower%n", from + n,
                            e.length, st.generateNanos / 1e6 / (from + n));
                }
            }
            if (pw != null) {
                pw.close();
                pw = null;
                AtomicFiles.commit(proxyTmp, proxies);
            }
            st.files = w.commit();
        } catch (IOException ex) {
            throw new UserError((proxies != null ? proxies : in.out()) + ": cannot write (" + ex.getMessage() + ")", ex);
        } finally {
            if (pw != null) {
                try {
                    pw.close();
                } catch (IOException ignored) {
                    // cleanup path
                }
            }
            if (proxyTmp != null) AtomicFiles.deleteQuietly(proxyTmp);
        }
        st.totalNanos = System.nanoTime() - t0;
        return st;
    }

    private static void writeProxies(BufferedWriter pw, double[] e, float[] proxy, int layers) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < e.length; i++) {
            sb.append(e[i]);
            for (int l = 0; l < layers; l++) sb.append(',').append(proxy[i * layers + l]);
            sb.append('\n');
        }
        pw.write(sb.toString());
    }

    /** teacher, student, or e.g. flow2-teacher_flow3-student for a mix; "_cfm" appended with CaloDREAM's energy network as Flow-1. */
    static String variantName(SampleModels m) {
        String a = m.flow2Variant();
        String b = m.flow3Variant();
        return (a.equals(b) ? a : "flow2-" + a + "_flow3-" + b) + (m.flow1Cfm() == null ? "" : "_cfm");
    }

    /** The file name without its extension. */
    static String stem(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
