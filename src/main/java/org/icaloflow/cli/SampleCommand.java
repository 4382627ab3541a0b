package org.icaloflow.cli;

import ai.djl.ndarray.NDManager;
import org.icaloflow.UserError;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.IncidentEnergies;
import org.icaloflow.data.ShowerWriter;
import org.icaloflow.data.StageManifest;
import org.icaloflow.preprocess.ShowerEncoding;
import org.icaloflow.sample.LayerClosure;
import org.icaloflow.sample.SampleModels;
import org.icaloflow.sample.Sampler;
import org.icaloflow.track.Tags;
import org.icaloflow.track.Tracker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code icaloflow sample}: inductive shower generation with trained flows. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Generate showers with trained flows (teacher or student) in the CaloChallenge format.",
        descriptionHeading = "%n",
        description = {
                "Inductive generation (paper Sec. III A): Flow-1 draws the layer energies given E_inc, Flow-2 the "
                        + "normalised voxels of layer 1, Flow-3 layer i from layer i-1 for i = 2..45. Flow-2 and "
                        + "Flow-3 may each be a teacher (MAF) or a student (IAF), as their checkpoints say.",
                "Postprocessing (Eq. 2): inverse logit, times Flow-1's layer energy, voxels below --threshold set to "
                        + "zero; layers are not renormalised unless --renormalise. Each layer is fed back to Flow-3 as "
                        + "in training, as the authors' code does (Eq. A4): its voxels in MeV plus U[0, 5 keV] noise, "
                        + "divided by their sum, logit.",
                "",
                "Deterministic: a shower's random draws depend only on --seed and its index. The same seed and "
                        + "--batch on the same machine give the same bytes; another --batch gives the same showers up "
                        + "to float32 rounding (see docs/sample.md). Memory is bounded by --batch and --rows-per-part. "
                        + "Writes OUT (or its parts), "
                        + "a manifest (models with SHA-256 of their parameters, seed, variants, counts) and an MLflow "
                        + "run (journal OUT_STEM.journal.jsonl)."},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n",
        footer = {"Examples:",
                "  icaloflow sample --geometry ds2 --flow1 t1/model --flow2 t2/model --flow3 t3/model --events 100000 --out samples.hdf5",
                "  icaloflow sample --geometry ds2 --flow1 t1 --flow2 s2 --flow3 s3 --energies reference.hdf5 --batch 5000 --out student.hdf5"})
public final class SampleCommand implements Runnable {

    @Option(names = {"-g", "--geometry"}, required = true, paramLabel = "ds2|ds3|FILE.xml", description = "Calorimeter geometry.")
    String geometry;

    @Option(names = "--flow1", required = true, paramLabel = "DIR", description = "Flow-1 model folder (or a train output folder holding model/).")
    Path flow1;

    @Option(names = "--flow2", required = true, paramLabel = "DIR", description = "Flow-2 model folder, teacher or student.")
    Path flow2;

    @Option(names = "--flow3", required = true, paramLabel = "DIR", description = "Flow-3 model folder, teacher or student.")
    Path flow3;

    @Option(names = {"-n", "--events"}, paramLabel = "N",
            description = "Number of showers, incident energies log-uniform in 1 GeV - 1 TeV (with --energies: the first N).")
    Integer events;

    @Option(names = "--energies", paramLabel = "LIST|FILE",
            description = "Incident energies in MeV: a comma-separated list, a text file (one per line) or a CaloChallenge HDF5 file.")
    String energies;

    @Option(names = "--seed", defaultValue = "1234", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch", defaultValue = "1000", paramLabel = "ROWS", description = "Showers per generation batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.hdf5", description = "Output file.")
    Path out;

    @Option(names = "--threshold", paramLabel = "MeV",
            description = "Voxels and Flow-1's layer energies below this are set to zero, also in the layer fed back to "
                    + "Flow-3 (default: the evaluator's 0.5e-3/0.033 = 0.01515 MeV; the authors' code: 0.015).")
    Double threshold;

    @Option(names = "--renormalise", description = "Scale each layer's voxels to sum exactly to Flow-1's layer energy (off in iCaloFlow).")
    boolean renormalise;

    @Option(names = "--proxies", paramLabel = "FILE.csv", description = "Also write Flow-1's layer energies (MeV, after --threshold) per shower.")
    Path proxies;

    @Option(names = "--manifest", paramLabel = "FILE.json", description = "Manifest path (default: OUT_STEM.manifest.json).")
    Path manifest;

    @Option(names = "--precision", defaultValue = "float32", paramLabel = "float32|float64", description = "Storage type of the showers (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--rows-per-part", defaultValue = "100000", paramLabel = "ROWS",
            description = "Largest number of rows in one output file before writing parts (default: ${DEFAULT-VALUE}).")
    long rowsPerPart;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "PyTorch intra-op threads on CPU (0: engine default). 1 avoids OpenMP spinning on a shared or busy machine.")
    int threads;

    @Mixin
    TrackingOptions tracking;

    @Override
    public void run() {
        Geometry g = Geometry.forName(geometry);
        if (batch < 1) throw new UserError("--batch must be at least 1, got " + batch);
        if (rowsPerPart < 1) throw new UserError("--rows-per-part must be at least 1, got " + rowsPerPart);
        double thr = threshold == null ? ShowerEncoding.THRESHOLD_MEV : threshold;
        if (!(thr >= 0) || Double.isInfinite(thr)) throw new UserError("--threshold must be a finite number >= 0 MeV, got " + threshold);
        ShowerWriter.Precision prec = ShowerWriter.Precision.parse(precision, "--precision");
        double[] e = EnergyOptions.resolve(energies, events, seed, IncidentEnergies.MIN_ENERGY_MEV,
                IncidentEnergies.MAX_ENERGY_MEV, g);
        String stem = stem(out);
        Path manifestPath = manifest != null ? manifest : out.resolveSibling(stem + ".manifest.json");
        Path journal = out.resolveSibling(stem + ".journal.jsonl");
        Sampler.Options opts = new Sampler.Options(seed, thr, renormalise);

        BenchSampleCommand.setThreads(threads);
        try (NDManager root = NDManager.newBaseManager();
             SampleModels models = SampleModels.load(g, flow1, flow2, flow3, root)) {
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put(Tags.STAGE, "sample");
            tags.put(Tags.GEOMETRY, g.name());
            tags.put("icaloflow.variants", models.variants());
            try (Tracker tracker = tracking.start("icaloflow", journal, "sample-" + variantName(models), tags)) {
                try {
                    Map<String, Object> params = new LinkedHashMap<>();
                    params.put("seed", seed);
                    params.put("batch", batch);
                    params.put("events", e.length);
                    params.put("threshold_mev", thr);
                    params.put("renormalise", renormalise);
                    params.put("device", root.getDevice().toString());
                    params.put("models", models.describe());
                    tracker.logParams(params);
                    Stats st = generate(g, models, root, opts, e, prec);
                    double msPer = st.generateNanos / 1e6 / e.length;
                    tracker.logMetric("ms_per_shower", msPer, 0);
                    tracker.logMetric("showers", e.length, 0);
                    tracker.logMetric("non_finite_outputs", st.nonFinite, 0);
                    tracker.logMetric("seconds_total", st.totalNanos / 1e9, 0);
                    double off = st.closure.offFraction();
                    if (Double.isFinite(off)) tracker.logMetric("layer_closure_off_fraction", off, 0);

                    StageManifest m = new StageManifest("sample");
                    for (SampleModels.Model x : models.models()) {
                        m.addInput(x.dir().resolve(org.icaloflow.flow.io.FlowCheckpoint.PARAMS_FILE));
                    }
                    m.put("geometry", g.name());
                    m.put("models", models.describe());
                    m.put("variants", Map.of("flow2", models.models().get(1).variant(), "flow3", models.models().get(2).variant()));
                    Map<String, Object> settings = new LinkedHashMap<>();
                    settings.put("seed", seed);
                    settings.put("batch", batch);
                    settings.put("threshold_mev", thr);
                    settings.put("renormalise", renormalise);
                    settings.put("energies", energies == null ? "log-uniform 1 GeV - 1 TeV" : energies);
                    settings.put("precision", prec.name().toLowerCase(Locale.ROOT));
                    settings.put("device", root.getDevice().toString());
                    m.put("settings", settings);
                    Map<String, Object> counts = new LinkedHashMap<>();
                    counts.put("showers", e.length);
                    counts.put("batches", (e.length + batch - 1) / batch);
                    counts.put("non_finite_outputs", st.nonFinite);
                    counts.put("zero_voxel_fraction", st.zeroVoxels / ((double) e.length * g.voxels()));
                    counts.put("ms_per_shower_generation", msPer);
                    counts.put("seconds_total", st.totalNanos / 1e9);
                    m.put("counts", counts);
                    m.put("layer_closure", st.closure.describe());
                    for (Path f : st.files) m.addOutput(f);
                    if (proxies != null) m.addOutput(proxies);
                    m.write(manifestPath);
                    tracker.logArtifact(manifestPath, null);
                    System.err.printf(Locale.ROOT, "icaloflow sample: %d %s showers (%s) in %.1f s, %.3g ms per shower -> %s%n",
                            e.length, g.name(), models.variants(), st.totalNanos / 1e9, msPer,
                            st.files.size() == 1 ? st.files.get(0) : st.files.size() + " parts " + st.files.get(0) + " ...");
                    if (Double.isFinite(off)) {
                        int w = st.closure.worstLayer();
                        LayerClosure.Layer wl = st.closure.layers().get(w - 1);
                        System.err.printf(Locale.ROOT, "icaloflow sample: layer closure (generated sum / Flow-1 energy): "
                                        + "%.2f %% of layers below 1/2 or above 2; worst layer %d (%.1f %%, median %.3f)%n",
                                100 * off, w, 100 * (wl.belowHalf() + wl.aboveDouble()), wl.median());
                    }
                    if (st.nonFinite > 0)
                        System.err.printf("icaloflow sample: warning: %d non-finite flow outputs were set to zero energy%n", st.nonFinite);
                } catch (RuntimeException ex) {
                    tracker.fail();
                    throw ex;
                }
            }
        }
    }

    private static final class Stats {
        long generateNanos;
        long totalNanos;
        long nonFinite;
        long zeroVoxels;
        LayerClosure closure;
        List<Path> files;
    }

    private Stats generate(Geometry g, SampleModels models, NDManager root, Sampler.Options opts, double[] e,
                           ShowerWriter.Precision prec) {
        Stats st = new Stats();
        st.closure = new LayerClosure(g.layers(), g.voxelsPerLayer());
        long t0 = System.nanoTime();
        Sampler sampler = new Sampler(models, root, opts);
        Path proxyTmp = proxies == null ? null : AtomicFiles.tempFor(proxies);
        BufferedWriter pw = null;
        try (ShowerWriter w = new ShowerWriter(out, g, prec, rowsPerPart)) {
            if (proxyTmp != null) {
                pw = Files.newBufferedWriter(proxyTmp, StandardCharsets.UTF_8);
                StringBuilder h = new StringBuilder("incident_energy_mev");
                for (int l = 1; l <= g.layers(); l++) h.append(",e").append(l).append("_mev");
                pw.write(h.append('\n').toString());
            }
            long lastReport = t0;
            for (int from = 0; from < e.length; from += batch) {
                int n = Math.min(batch, e.length - from);
                double[] eb = java.util.Arrays.copyOfRange(e, from, from + n);
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
            throw new UserError((proxies != null ? proxies : out) + ": cannot write (" + ex.getMessage() + ")", ex);
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

    /** teacher, student, or e.g. flow2-teacher_flow3-student for a mix. */
    static String variantName(SampleModels m) {
        String a = m.models().get(1).variant();
        String b = m.models().get(2).variant();
        return a.equals(b) ? a : "flow2-" + a + "_flow3-" + b;
    }

    static String stem(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
