package org.icaloflow.evaluate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.icaloflow.UserError;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.Json;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares generated showers with a reference the way the CaloChallenge evaluator does: density-normalised
 * histograms of the high-level features and voxel energies on binnings fixed by the reference, their
 * separation powers, and figures (see docs/evaluation.md).
 *
 * <p>Streamed: the reference is read twice (maxima for the binnings, then filling), every generated file once;
 * memory is one batch plus the histograms and per-voxel sums.
 */
public final class Evaluation {

    /** A generated sample: its legend name and file(s). */
    public record Sample(String name, List<Path> files) {
    }

    /** Layers (0-based) shown individually in figures: the physicist's layers 1, 10, 20 and 45 (1-based). */
    public static int[] plotLayers(Geometry g) {
        int n = g.layers();
        int[] wanted = {0, 9, 19, 44};
        return java.util.Arrays.stream(wanted).map(l -> Math.min(l, n - 1)).distinct().toArray();
    }

    /** Feature groups, in output order; each has one histogram per layer except E_tot/E_inc and voxel_E. */
    public static final List<String> GROUPS = List.of("Etot_Einc", "E_layer", "EC_eta", "EC_phi", "width_eta", "width_phi",
            "sparsity", "EC_r", "width_r", "voxel_E", "voxel_E_layer");

    /** The outcome: separation power per observable and sample, and per group the mean over its observables. */
    public record Result(Map<String, Map<String, Double>> separationPower, Map<String, Map<String, Double>> groupMeans,
                         long referenceShowers, Map<String, Long> sampleShowers) {
    }

    private final Geometry g;
    private final double threshold;
    private final int batchRows;
    private final PrintStream log;
    private final int threads;

    /**
     * @param batchRows showers read at a time (0: about 4 million voxels' worth per thread)
     * @param threads   threads filling histograms (each batch is split between them); results do not depend on
     *                  the batch size and, up to the last bits of the mean energies, not on the threads
     */
    public Evaluation(Geometry g, double thresholdMeV, int batchRows, int threads, PrintStream log) {
        this.g = g;
        this.threshold = thresholdMeV;
        this.threads = Math.max(1, threads);
        this.batchRows = batchRows > 0 ? batchRows : Math.max(this.threads, this.threads * 4_000_000 / g.voxels());
        this.log = log;
    }

    /** Runs the comparison and writes histograms.csv, separation_power.csv, summary.json and plots/ into {@code out}. */
    public Result run(List<Path> reference, List<Sample> samples, Path out, boolean plots) {
        if (samples.isEmpty()) throw new UserError("give at least one --generated NAME=FILE");
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Sample s : samples) {
            if (s.name().equals("reference") || !names.add(s.name()))
                throw new UserError("--generated: sample name '" + s.name() + "' is used twice or is reserved");
        }
        // open everything first so that a bad file fails before any long pass
        List<ShowerSource> sources = new ArrayList<>();
        try {
            sources.add(ShowerSource.open(reference, g));
            for (Sample s : samples) sources.add(ShowerSource.open(s.files(), g));
            for (int i = 0; i < sources.size(); i++)
                if (sources.get(i).size() == 0)
                    throw new UserError(sources.get(i).files().get(0) + ": no showers");
            Binning bins = binning(sources.get(0));
            Accumulator ref = fill(sources.get(0), bins, "reference");
            List<Accumulator> gen = new ArrayList<>();
            for (int i = 0; i < samples.size(); i++) gen.add(fill(sources.get(i + 1), bins, samples.get(i).name()));
            Result result = compare(ref, samples, gen);
            write(out, reference, samples, sources, ref, gen, result);
            if (plots) new EvaluationPlots(g, ref, samples, gen).writeAll(out.resolve("plots"));
            return result;
        } finally {
            for (ShowerSource s : sources) s.close();
        }
    }

    // ---------------------------------------------------------------- binning (pass 1)

    /** The histogram binnings: fixed ones and those set by the reference's maxima. */
    record Binning(Map<String, double[]> edges) {
    }

    Binning binning(ShowerSource refSource) {
        int nl = g.layers();
        double[] maxLayer = new double[nl];
        double maxVoxel = 0;
        for (long from = 0; from < refSource.size(); from += batchRows) {
            ShowerBatch b = refSource.read(from, (int) Math.min(batchRows, refSource.size() - from));
            float[] s = b.showersMeV();
            int v = g.voxels();
            for (int i = 0; i < b.size(); i++)
                for (int l = 0; l < nl; l++) {
                    double sum = 0;
                    for (int k = i * v + g.layerOffset(l), end = k + g.voxelsInLayer(l); k < end; k++) {
                        double e = s[k];
                        if (e >= threshold) {
                            sum += e;
                            if (e > maxVoxel) maxVoxel = e;
                        }
                    }
                    if (sum > maxLayer[l]) maxLayer[l] = sum;
                }
        }
        double lt = Math.log10(threshold);
        Map<String, double[]> e = new LinkedHashMap<>();
        e.put("Etot_Einc", Histogram.linspace(0.5, 1.5, 101));
        for (int l = 0; l < nl; l++)
            e.put("E_layer_" + l, Histogram.logspace(lt, maxLayer[l] > threshold * 1.01 ? Math.log10(maxLayer[l]) : lt + 1, 40));
        double outer = 0;
        for (int l = 0; l < nl; l++) outer = Math.max(outer, g.outerRadiusMm(l));
        for (int l = 0; l < nl; l++) {
            e.put("EC_eta_" + l, Histogram.linspace(-30, 30, 101));
            e.put("EC_phi_" + l, Histogram.linspace(-30, 30, 101));
            e.put("width_eta_" + l, Histogram.linspace(0, 30, 101));
            e.put("width_phi_" + l, Histogram.linspace(0, 30, 101));
            e.put("sparsity_" + l, Histogram.linspace(0, 1, 21));
            e.put("EC_r_" + l, Histogram.linspace(0, outer, 101));
            e.put("width_r_" + l, Histogram.linspace(0, 30, 101));
        }
        double[] vox = Histogram.logspace(lt, maxVoxel > threshold * 1.01 ? Math.log10(maxVoxel) : lt + 1, 50);
        e.put("voxel_E", vox);
        for (int l = 0; l < nl; l++) e.put("voxel_E_layer_" + l, vox);
        return new Binning(e);
    }

    // ---------------------------------------------------------------- filling (pass 2)

    /**
     * One pass over a source: batches are read in order and split into one contiguous slice per thread, each
     * thread filling its own accumulator; they are merged at the end in a fixed order.
     */
    private Accumulator fill(ShowerSource src, Binning bins, String name) {
        long n = src.size(), t0 = System.nanoTime();
        List<Accumulator> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) parts.add(new Accumulator(g, bins, threshold, plotLayers(g)));
        java.util.concurrent.ExecutorService pool = threads > 1 ? java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread th = new Thread(r, "evaluate-fill");
            th.setDaemon(true);
            return th;
        }) : null;
        try {
            for (long from = 0; from < n; from += batchRows) {
                ShowerBatch b = src.read(from, (int) Math.min(batchRows, n - from));
                if (pool == null || b.size() < 2 * threads) {
                    parts.get(0).add(b);
                    continue;
                }
                List<java.util.concurrent.Future<?>> jobs = new ArrayList<>();
                int per = (b.size() + threads - 1) / threads;
                for (int t = 0; t < threads; t++) {
                    int lo = t * per, cnt = Math.min(per, b.size() - lo);
                    if (cnt <= 0) break;
                    Accumulator acc = parts.get(t);
                    ShowerBatch slice = b.slice(lo, cnt);
                    jobs.add(pool.submit(() -> acc.add(slice)));
                }
                for (var j : jobs) {
                    try {
                        j.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (e.getCause() instanceof RuntimeException re) throw re;
                        throw new IllegalStateException(e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
            }
        } finally {
            if (pool != null) pool.shutdownNow();
        }
        Accumulator acc = parts.get(0);
        for (int t = 1; t < threads; t++) acc.merge(parts.get(t));
        if (log != null)
            log.printf(Locale.ROOT, "icaloflow evaluate: %s: %d showers (%.1f s)%n", name, n, (System.nanoTime() - t0) / 1e9);
        return acc;
    }

    /** The group of an observable name ("EC_eta_3" → "EC_eta"). */
    static String group(String observable) {
        if (observable.startsWith("voxel_E_layer_")) return "voxel_E_layer";
        int i = observable.lastIndexOf('_');
        if (i > 0 && observable.substring(i + 1).chars().allMatch(Character::isDigit)) return observable.substring(0, i);
        return observable;
    }

    private Result compare(Accumulator ref, List<Sample> samples, List<Accumulator> gen) {
        Map<String, Map<String, Double>> sep = new LinkedHashMap<>();
        for (String obs : ref.hists.keySet()) {
            Map<String, Double> m = new LinkedHashMap<>();
            for (int i = 0; i < samples.size(); i++)
                m.put(samples.get(i).name(), Histogram.separationPower(ref.hists.get(obs), gen.get(i).hists.get(obs)));
            sep.put(obs, m);
        }
        Map<String, Map<String, Double>> groups = new LinkedHashMap<>();
        for (String grp : GROUPS) {
            Map<String, Double> m = new LinkedHashMap<>();
            for (Sample s : samples) {
                double sum = 0;
                int k = 0;
                for (var en : sep.entrySet())
                    if (group(en.getKey()).equals(grp)) {
                        sum += en.getValue().get(s.name());
                        k++;
                    }
                m.put(s.name(), k == 0 ? Double.NaN : sum / k);
            }
            groups.put(grp, m);
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < samples.size(); i++) counts.put(samples.get(i).name(), gen.get(i).showers);
        return new Result(sep, groups, ref.showers, counts);
    }

    // ---------------------------------------------------------------- outputs

    private void write(Path out, List<Path> reference, List<Sample> samples, List<ShowerSource> sources, Accumulator ref,
                       List<Accumulator> gen, Result r) {
        StringBuilder h = new StringBuilder("observable,bin_low,bin_high,reference");
        for (Sample s : samples) h.append(',').append(s.name());
        h.append('\n');
        for (var en : ref.hists.entrySet()) {
            double[] e = en.getValue().edges(), rd = en.getValue().density();
            List<double[]> gd = new ArrayList<>();
            for (Accumulator a : gen) gd.add(a.hists.get(en.getKey()).density());
            for (int i = 0; i < rd.length; i++) {
                h.append(en.getKey()).append(',').append(e[i]).append(',').append(e[i + 1]).append(',').append(rd[i]);
                for (double[] d : gd) h.append(',').append(d[i]);
                h.append('\n');
            }
        }
        AtomicFiles.writeString(out.resolve("histograms.csv"), h.toString());

        StringBuilder sp = new StringBuilder("observable,sample,separation_power\n");
        for (var en : r.separationPower().entrySet())
            for (var s : en.getValue().entrySet())
                sp.append(en.getKey()).append(',').append(s.getKey()).append(',').append(s.getValue()).append('\n');
        AtomicFiles.writeString(out.resolve("separation_power.csv"), sp.toString());

        ObjectNode j = Json.MAPPER.createObjectNode();
        j.put("geometry", g.name());
        j.put("threshold_mev", threshold);
        ObjectNode rn = j.putObject("reference");
        rn.put("showers", r.referenceShowers());
        var rf = rn.putArray("files");
        for (Path p : sources.get(0).files()) rf.add(p.toString());
        ObjectNode sn = j.putObject("samples");
        for (int i = 0; i < samples.size(); i++) {
            ObjectNode o = sn.putObject(samples.get(i).name());
            var f = o.putArray("files");
            for (Path p : sources.get(i + 1).files()) f.add(p.toString());
            o.put("showers", gen.get(i).showers);
            ObjectNode gm = o.putObject("separation_power_mean");
            double all = 0;
            int k = 0;
            for (var en : r.groupMeans().entrySet()) {
                double v = en.getValue().get(samples.get(i).name());
                gm.put(en.getKey(), v);
            }
            for (var en : r.separationPower().entrySet()) {
                all += en.getValue().get(samples.get(i).name());
                k++;
            }
            o.put("separation_power_mean_all", all / k);
            o.put("mean_total_energy_mev", gen.get(i).eTotSum / Math.max(1, gen.get(i).showers));
        }
        j.put("reference_mean_total_energy_mev", ref.eTotSum / Math.max(1, ref.showers));
        var outs = j.putArray("outputs");
        for (String s : List.of("histograms.csv", "separation_power.csv", "plots/")) outs.add(s);
        try {
            AtomicFiles.writeString(out.resolve("summary.json"), Json.PRETTY.writeValueAsString(j) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The per-group table of mean separation powers, one column per sample. */
    public static String table(Result r) {
        StringBuilder b = new StringBuilder();
        List<String> names = new ArrayList<>(r.sampleShowers().keySet());
        b.append(String.format(Locale.ROOT, "%-16s", "observable"));
        for (String n : names) b.append(String.format(Locale.ROOT, " %14s", n.length() > 14 ? n.substring(0, 14) : n));
        b.append('\n');
        for (var en : r.groupMeans().entrySet()) {
            b.append(String.format(Locale.ROOT, "%-16s", en.getKey()));
            for (String n : names) b.append(String.format(Locale.ROOT, " %14.5f", en.getValue().get(n)));
            b.append('\n');
        }
        b.append("(separation power, mean over layers; 0 = identical, 1 = disjoint; per layer in separation_power.csv)\n");
        return b.toString();
    }
}
