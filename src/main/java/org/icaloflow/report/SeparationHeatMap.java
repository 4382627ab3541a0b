package org.icaloflow.report;

import org.icaloflow.data.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The separation powers of one sample (evaluation/separation_power.csv: observable, sample, separation_power) as a
 * heat map, observable x layer, on a log colour scale; observables without a layer index (E_tot, ...) are returned
 * for a small table instead.
 */
final class SeparationHeatMap {
    private static final Pattern LAYERED = Pattern.compile("(.+)_(\\d+)");
    static final double LOG_MIN = -5, LOG_MAX = 0;   // colour scale: separation power 1e-5 .. 1

    /** Observable -> layer -> value, and the observables without a layer, for one sample. */
    record Values(Map<String, TreeMap<Integer, Double>> layered, Map<String, Double> global) {
        int layers() {
            int n = 0;
            for (TreeMap<Integer, Double> m : layered.values()) if (!m.isEmpty()) n = Math.max(n, m.lastKey() + 1);
            return n;
        }
    }

    /** Splits the CSV rows (header first) of {@code sample}. */
    static Values of(List<String[]> csv, String sample) {
        Map<String, TreeMap<Integer, Double>> layered = new LinkedHashMap<>();
        Map<String, Double> global = new LinkedHashMap<>();
        if (csv.isEmpty()) return new Values(layered, global);
        List<String> h = List.of(csv.get(0));
        int o = h.indexOf("observable"), s = h.indexOf("sample"), v = h.indexOf("separation_power");
        if (o < 0 || s < 0 || v < 0) return new Values(layered, global);
        for (String[] r : csv.subList(1, csv.size())) {
            if (r.length <= Math.max(o, Math.max(s, v)) || !r[s].equals(sample)) continue;
            double x;
            try {
                x = Double.parseDouble(r[v]);
            } catch (NumberFormatException e) {
                continue;
            }
            Matcher m = LAYERED.matcher(r[o]);
            if (m.matches()) layered.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), x);
            else global.put(r[o], x);
        }
        return new Values(layered, global);
    }

    /** The samples of the CSV in order of appearance. */
    static List<String> samples(List<String[]> csv) {
        List<String> out = new ArrayList<>();
        if (csv.isEmpty()) return out;
        int s = List.of(csv.get(0)).indexOf("sample");
        if (s < 0) return out;
        for (String[] r : csv.subList(1, csv.size())) if (r.length > s && !out.contains(r[s])) out.add(r[s]);
        return out;
    }

    /** Writes the heat map PNG; false when the sample has no per-layer observables. */
    static boolean write(Path png, String title, Values values) {
        int layers = values.layers();
        if (layers == 0) return false;
        List<String> names = new ArrayList<>(values.layered().keySet());
        int cell = Math.max(10, Math.min(18, 900 / layers)), left = 110, top = 34, right = 90, bottom = 36;
        int w = left + cell * layers + right, h = top + cell * names.size() + bottom;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.drawString(title, left, 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        for (int i = 0; i < names.size(); i++) {
            TreeMap<Integer, Double> row = values.layered().get(names.get(i));
            g.setColor(Color.BLACK);
            g.drawString(names.get(i), 4, top + i * cell + cell - 3);
            for (int l = 0; l < layers; l++) {
                Double x = row.get(l);
                g.setColor(x == null ? new Color(0.92f, 0.92f, 0.92f) : colour(x));
                g.fillRect(left + l * cell, top + i * cell, cell - 1, cell - 1);
            }
        }
        g.setColor(Color.BLACK);
        for (int l = 0; l < layers; l += 5)
            g.drawString(String.valueOf(l), left + l * cell + 1, top + names.size() * cell + 12);
        g.drawString("layer", left + cell * layers / 2 - 12, top + names.size() * cell + 28);
        // colour bar
        int bx = left + cell * layers + 20, bh = Math.max(60, cell * names.size());
        for (int y = 0; y < bh; y++) {
            double lg = LOG_MAX - (LOG_MAX - LOG_MIN) * y / (bh - 1.0);
            g.setColor(colour(Math.pow(10, lg)));
            g.fillRect(bx, top + y, 14, 1);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawRect(bx, top, 14, bh);
        for (int e = (int) LOG_MIN; e <= LOG_MAX; e++) {
            int y = top + (int) Math.round((LOG_MAX - e) / (LOG_MAX - LOG_MIN) * (bh - 1));
            g.drawString("1e" + e, bx + 17, y + 4);
        }
        g.dispose();
        AtomicFiles.write(png, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
        });
        return true;
    }

    /** log10 of the separation power on [LOG_MIN, LOG_MAX] mapped from dark blue (agreement) to yellow. */
    static Color colour(double x) {
        double t = x > 0 ? (Math.log10(x) - LOG_MIN) / (LOG_MAX - LOG_MIN) : 0;
        t = Math.max(0, Math.min(1, t));
        // a viridis-like ramp through four anchors
        double[][] a = {{0.27, 0.00, 0.33}, {0.19, 0.41, 0.56}, {0.21, 0.72, 0.47}, {0.99, 0.91, 0.14}};
        double p = t * 3;
        int i = Math.min((int) p, 2);
        double f = p - i;
        return new Color((float) (a[i][0] + f * (a[i + 1][0] - a[i][0])), (float) (a[i][1] + f * (a[i + 1][1] - a[i][1])),
                (float) (a[i][2] + f * (a[i + 1][2] - a[i][2])));
    }

    static String format(double x) {
        return String.format(Locale.ROOT, "%.3g", x);
    }
}
