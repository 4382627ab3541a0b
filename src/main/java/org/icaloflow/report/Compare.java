package org.icaloflow.report;

import org.icaloflow.UserError;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Csv;
import org.icaloflow.evaluate.Plot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Several published pipeline runs side by side (an ablation, seeds, configs): one page with their headline numbers
 * in one table, the configuration keys that differ between them, and the same histograms of one generated sample
 * from every run overlaid on the first run's reference.
 *
 * <p>A run folder is what the pipeline publishes under {@code --outdir/RUN}: {@code evaluation/classifier.csv},
 * {@code evaluation/histograms.csv}, {@code timing/timing.csv} and {@code config.yaml}, any of which may be missing.
 */
public final class Compare {
    /** The observables overlaid, when every run has them. */
    static final List<String> OBSERVABLES = List.of("Etot_Einc", "voxel_E", "E_layer_0", "E_layer_9", "E_layer_19", "E_layer_44",
            "EC_eta_19", "width_eta_19", "sparsity_19");

    private Compare() {}

    record Run(String name, Path dir, Report.ClassifierResults classifier, Map<String, Double> timing, Map<String, String> config,
               Map<String, Histogram> histograms) {
    }

    /** One observable of histograms.csv: bin edges, the reference's and each sample's densities. */
    record Histogram(double[] edges, double[] reference, Map<String, double[]> samples) {
    }

    /** Writes {@code out} (HTML) and its .md twin; returns both. */
    public static List<Path> write(List<Path> runDirs, String sample, Path out) {
        if (runDirs.size() < 2) throw new UserError("compare needs at least two run folders");
        List<Run> runs = new ArrayList<>();
        for (Path d : runDirs) runs.add(read(d, sample));
        StringBuilder html = new StringBuilder(), md = new StringBuilder();
        html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
                .append("<title>icaloflow comparison</title><style>body{font-family:sans-serif;max-width:1100px;margin:1.5em auto;padding:0 1em;color:#222}")
                .append(".scroll{overflow-x:auto}table{border-collapse:collapse;font-size:13px;margin:0.6em 0}td,th{border:1px solid #bbb;padding:3px 7px;text-align:right}")
                .append("th{background:#eee}td:first-child,th:first-child{text-align:left}img{max-width:100%;height:auto}</style></head><body>");
        html.append("<h1>icaloflow: ").append(runs.size()).append(" runs compared</h1>");
        md.append("# icaloflow: ").append(runs.size()).append(" runs compared\n\n");

        // headline numbers
        Set<String> keys = new LinkedHashSet<>();
        for (Run r : runs) if (r.classifier() != null) for (String k : r.classifier().groups().keySet()) if (!k.startsWith(Report.CONTROL + "\u0000")) keys.add(k);
        Set<String> timingKeys = new LinkedHashSet<>();
        for (Run r : runs) timingKeys.addAll(r.timing().keySet());
        List<String> header = new ArrayList<>(List.of("run"));
        for (String k : keys) header.add("AUC " + k.replace('\u0000', ' '));
        for (String k : timingKeys) header.add(k);
        List<List<String>> rows = new ArrayList<>();
        for (Run r : runs) {
            List<String> row = new ArrayList<>(List.of(r.name()));
            for (String k : keys) {
                List<double[]> v = r.classifier() == null ? null : r.classifier().groups().get(k);
                String[] kk = k.split("\u0000");
                row.add(v == null ? "" : r.classifier().underPowered(kk[0], kk[1]) ? "under-powered"
                        : Report.meanStd(v.stream().mapToDouble(x -> x[0]).toArray()));
            }
            for (String k : timingKeys) row.add(r.timing().containsKey(k) ? Report.threeFigures(String.valueOf(r.timing().get(k))) : "");
            rows.add(row);
        }
        Markup.heading(html, md, "Headline numbers");
        Markup.table(html, md, header, rows);
        Markup.para(html, md, "AUC: mean ± standard deviation over classifier runs (0.5: indistinguishable from the reference); "
                + "ms per shower from each run's timing benchmark, by variant and batch size.");

        // configuration differences
        Set<String> all = new java.util.TreeSet<>();
        for (Run r : runs) all.addAll(r.config().keySet());
        List<String> differing = new ArrayList<>();
        for (String k : all) {
            Set<String> values = new LinkedHashSet<>();
            for (Run r : runs) values.add(Objects.toString(r.config().get(k), "–"));
            if (values.size() > 1) differing.add(k);
        }
        Markup.heading(html, md, "Configuration differences");
        if (differing.isEmpty()) {
            Markup.para(html, md, "The runs' configurations are identical (or missing).");
        } else {
            List<String> h = new ArrayList<>(List.of("key"));
            for (Run r : runs) h.add(r.name());
            List<List<String>> t = new ArrayList<>();
            for (String k : differing) {
                List<String> row = new ArrayList<>(List.of(k));
                for (Run r : runs) row.add(Objects.toString(r.config().get(k), "–"));
                t.add(row);
            }
            Markup.table(html, md, h, t);
        }

        // overlaid histograms
        Markup.heading(html, md, "Figures: " + sample + " of every run against the first run's reference");
        List<Plot.Panel> panels = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String obs : OBSERVABLES) {
            Histogram first = runs.get(0).histograms().get(obs);
            boolean ok = first != null;
            for (Run r : runs) {
                Histogram h = r.histograms().get(obs);
                ok &= h != null && h.samples().containsKey(sample) && java.util.Arrays.equals(h.edges(), first.edges());
            }
            if (!ok) {
                skipped.add(obs);
                continue;
            }
            List<Plot.Series> series = new ArrayList<>();
            series.add(new Plot.Series("reference (" + runs.get(0).name() + ")", Plot.REFERENCE, first.reference()));
            for (int i = 0; i < runs.size(); i++)
                series.add(new Plot.Series(runs.get(i).name(), Plot.sampleColour(i), runs.get(i).histograms().get(obs).samples().get(sample)));
            boolean log = obs.startsWith("voxel_E") || obs.startsWith("E_layer");
            panels.add(Plot.histograms(obs, obs, "density", first.edges(), series, log, log));
        }
        Path png = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.html?$", "") + "_" + sample + ".png");
        if (!panels.isEmpty()) {
            Plot.save(png, null, 3, 420, 340, panels);
            try {
                html.append("<img alt=\"overlaid histograms\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(Files.readAllBytes(png))).append("\">");
            } catch (IOException e) {
                throw new UserError(png + ": cannot read (" + e.getMessage() + ")");
            }
            md.append("![overlaid histograms](").append(png.toAbsolutePath()).append(")\n\n");
        }
        if (!skipped.isEmpty())
            Markup.para(html, md, "Not overlaid (missing in a run, or binned differently): " + String.join(", ", skipped) + ".");
        html.append("</body></html>\n");
        Path mdPath = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.html?$", "") + ".md");
        AtomicFiles.writeString(out, html.toString());
        AtomicFiles.writeString(mdPath, md.toString());
        return List.of(out, mdPath);
    }

    static Run read(Path dir, String sample) {
        if (!Files.isDirectory(dir)) throw new UserError(dir + ": not a run folder");
        Path cls = dir.resolve("evaluation/classifier.csv");
        Report.ClassifierResults cr = Files.isRegularFile(cls) ? Report.ClassifierResults.read(cls) : null;
        Map<String, Double> timing = new LinkedHashMap<>();
        try (Stream<Path> s = Files.isDirectory(dir.resolve("timing")) ? Files.list(dir.resolve("timing")) : Stream.empty()) {
            List<Path> csvs = s.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
            timing.putAll(Report.timingMetrics(csvs));
        } catch (IOException e) {
            throw new UserError(dir.resolve("timing") + ": cannot list (" + e.getMessage() + ")");
        }
        Map<String, String> config = new TreeMap<>();
        Path cfg = dir.resolve("config.yaml");
        if (Files.isRegularFile(cfg)) {
            try {
                flatten("", org.icaloflow.config.Yaml.mapper().readTree(cfg.toFile()), config);
            } catch (IOException e) {
                throw new UserError(cfg + ": not readable YAML (" + e.getMessage() + ")");
            }
        }
        return new Run(dir.toAbsolutePath().normalize().getFileName().toString(), dir, cr, timing, config, histograms(dir.resolve("evaluation/histograms.csv")));
    }

    private static void flatten(String prefix, com.fasterxml.jackson.databind.JsonNode n, Map<String, String> out) {
        if (n.isObject()) n.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        else out.put(prefix, n.isTextual() ? n.asText() : n.toString());
    }

    static Map<String, Histogram> histograms(Path csv) {
        Map<String, Histogram> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(csv)) return out;
        List<String[]> rows = Csv.read(csv);
        if (rows.isEmpty()) return out;
        String[] h = rows.get(0);
        Map<String, List<String[]>> byObs = new LinkedHashMap<>();
        for (String[] r : rows.subList(1, rows.size())) if (r.length == h.length) byObs.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r);
        for (Map.Entry<String, List<String[]>> e : byObs.entrySet()) {
            List<String[]> bins = e.getValue();
            int n = bins.size();
            double[] edges = new double[n + 1], ref = new double[n];
            Map<String, double[]> samples = new LinkedHashMap<>();
            for (int c = 4; c < h.length; c++) samples.put(h[c], new double[n]);
            for (int i = 0; i < n; i++) {
                String[] r = bins.get(i);
                edges[i] = Double.parseDouble(r[1]);
                edges[i + 1] = Double.parseDouble(r[2]);
                ref[i] = Double.parseDouble(r[3]);
                for (int c = 4; c < h.length; c++) samples.get(h[c])[i] = Double.parseDouble(r[c]);
            }
            out.put(e.getKey(), new Histogram(edges, ref, samples));
        }
        return out;
    }
}
