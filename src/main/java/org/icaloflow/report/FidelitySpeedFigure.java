package org.icaloflow.report;

import org.icaloflow.evaluate.Plot;

import java.awt.Color;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's fidelity-against-speed figure: low-level classifier AUC against ms per shower, this run's
 * samples beside the published entries for the same dataset ({@code published_fidelity_speed.csv}, with its
 * sources). Our time per shower is the fastest batch of the run's Table V benchmark, on the device it ran on.
 */
final class FidelitySpeedFigure {
    /** A published entry: AUCs (NaN when not given) and time per shower (NaN when not given). */
    record Entry(String geometry, String name, double aucLow, double aucHigh, double msPerShower, String device, String batch,
                 String source) {
    }

    /** One of our samples: mean low-level AUC, fastest time per shower (NaN: not timed) and where it was timed. */
    record Ours(String sample, double aucLow, double msPerShower, String timedAt) {
    }

    private FidelitySpeedFigure() {
    }

    static final String RESOURCE = "published_fidelity_speed.csv";

    /** The published entries for {@code geometry} (all when null). */
    static List<Entry> published(String geometry) {
        List<Entry> out = new ArrayList<>();
        try (InputStream in = FidelitySpeedFigure.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " missing from the jar");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            boolean header = true;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) continue;
                if (header) {
                    header = false;
                    continue;
                }
                String[] c = line.split(",", -1);
                Entry e = new Entry(c[0], c[1], num(c[2]), num(c[3]), num(c[4]), c[5], c[6], c[7]);
                if (geometry == null || e.geometry().equalsIgnoreCase(geometry)) out.add(e);
            }
        } catch (IOException e) {
            throw new IllegalStateException(RESOURCE + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Our samples from the classifier table (columns named {@code sample}, {@code level}, {@code auc}: the mean
     * over runs of the low level) and the timing tables (columns {@code variant}, {@code ms_per_shower},
     * {@code batch_size}, {@code device}: the fastest row per variant).
     */
    static List<Ours> ours(List<String[]> classifier, List<List<String[]>> timings) {
        Map<String, double[]> auc = new LinkedHashMap<>(); // sample -> {sum, count}
        if (classifier != null && !classifier.isEmpty()) {
            String[] h = classifier.get(0);
            int s = col(h, "sample"), l = col(h, "level"), a = col(h, "auc");
            if (s >= 0 && l >= 0 && a >= 0) {
                for (String[] row : classifier.subList(1, classifier.size())) {
                    if (row.length <= Math.max(s, Math.max(l, a))) continue;
                    if (!row[l].trim().toLowerCase(Locale.ROOT).startsWith("low")) continue;
                    // the control row checks the test's power; it is no generator to place on the figure
                    if (row[s].trim().equals(org.icaloflow.evaluate.classifier.ClassifierControl.NAME)) continue;
                    double v = num(row[a]);
                    if (Double.isNaN(v)) continue;
                    double[] acc = auc.computeIfAbsent(row[s].trim(), k -> new double[2]);
                    acc[0] += v;
                    acc[1]++;
                }
            }
        }
        Map<String, String[]> fastest = new LinkedHashMap<>(); // variant -> {ms, batch, device}
        for (List<String[]> t : timings == null ? List.<List<String[]>>of() : timings) {
            if (t.isEmpty()) continue;
            String[] h = t.get(0);
            int v = col(h, "variant"), ms = col(h, "ms_per_shower"), b = col(h, "batch_size"), d = col(h, "device");
            if (v < 0 || ms < 0) continue;
            for (String[] row : t.subList(1, t.size())) {
                if (row.length <= Math.max(v, ms)) continue;
                double x = num(row[ms]);
                if (!(x > 0)) continue;
                String[] best = fastest.get(row[v].trim());
                if (best == null || x < num(best[0]))
                    fastest.put(row[v].trim(), new String[]{row[ms].trim(), b >= 0 && b < row.length ? row[b].trim() : "?",
                            d >= 0 && d < row.length ? row[d].trim() : "?"});
            }
        }
        List<Ours> out = new ArrayList<>();
        for (Map.Entry<String, double[]> e : auc.entrySet()) {
            String[] f = fastest.get(e.getKey());
            out.add(new Ours(e.getKey(), e.getValue()[0] / e.getValue()[1], f == null ? Double.NaN : num(f[0]),
                    f == null ? "" : "batch " + f[1] + ", " + f[2]));
        }
        return out;
    }

    /** Draws the figure; returns false (nothing written) when there is nothing of ours to show. */
    static boolean write(Path png, String geometry, List<Ours> ours) {
        if (ours.isEmpty()) return false;
        List<Plot.Marker> markers = new ArrayList<>();
        Color grey = new Color(110, 110, 110);
        for (Entry e : published(geometry))
            if (!Double.isNaN(e.aucLow()))
                markers.add(new Plot.Marker(e.name() + (Double.isNaN(e.msPerShower()) ? " (no time given)" : " " + e.device()),
                        e.msPerShower(), e.aucLow(), grey, false));
        int i = 0;
        for (Ours o : ours)
            markers.add(new Plot.Marker("this run: " + o.sample() + (o.timedAt().isEmpty() ? " (not timed)" : " (" + o.timedAt() + ")"),
                    o.msPerShower(), o.aucLow(), Plot.sampleColour(i++), true));
        double lo = 0.45, hi = 1.02;
        for (Plot.Marker m : markers) {
            lo = Math.min(lo, m.y() - 0.02);
            hi = Math.max(hi, m.y() + 0.02);
        }
        Plot.save(png, null, 1, 900, 520, List.of(Plot.labelledPoints(
                "Low-level classifier AUC against time per shower (" + (geometry == null ? "?" : geometry) + ")",
                "ms per shower (log scale)", "AUC (low level)", lo, hi, markers)));
        return true;
    }

    private static int col(String[] header, String name) {
        for (int i = 0; i < header.length; i++) if (header[i].trim().equalsIgnoreCase(name)) return i;
        return -1;
    }

    private static double num(String s) {
        if (s == null || s.isBlank()) return Double.NaN;
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
