package org.icaloflow.evaluate;

import org.icaloflow.data.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small Java2D plotting kit for evaluation figures (headless): step histograms with a ratio panel, line
 * plots with a fractional-difference panel, polar heat maps of (alpha, r) layers and box plots, each a
 * {@link Panel} that {@link #save} lays out in a grid. Axes may be linear or logarithmic; the reference is drawn
 * in black and every sample in its own colour, with a legend of names.
 */
public final class Plot {
    private Plot() {
    }

    public static final Color REFERENCE = Color.BLACK;
    /** matplotlib's tab10 without the grey, for generated samples in the order given. */
    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(255, 127, 14), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
            new Color(188, 189, 34), new Color(23, 190, 207)};

    public static Color sampleColour(int i) {
        return PALETTE[i % PALETTE.length];
    }

    /** One curve: a name for the legend, a colour and its values (per bin or per point). */
    public record Series(String name, Color colour, double[] values) {
    }

    /** Something drawn into a rectangle of a figure. */
    public interface Panel {
        void draw(Graphics2D g, Rectangle area);
    }

    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 13);

    /** Draws the panels in a grid of {@code cols} columns under an optional title and writes a PNG atomically. */
    public static void save(Path png, String title, int cols, int panelW, int panelH, List<Panel> panels) {
        System.setProperty("java.awt.headless", "true");
        int rows = (panels.size() + cols - 1) / cols;
        int top = title == null ? 0 : 30;
        int w = cols * panelW, h = top + rows * panelH;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        if (title != null) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            centred(g, title, w / 2, 21);
        }
        for (int i = 0; i < panels.size(); i++) {
            Rectangle r = new Rectangle((i % cols) * panelW, top + (i / cols) * panelH, panelW, panelH);
            Graphics2D pg = (Graphics2D) g.create();
            pg.setClip(r);
            panels.get(i).draw(pg, r);
            pg.dispose();
        }
        g.dispose();
        AtomicFiles.write(png, tmp -> ImageIO.write(img, "png", tmp.toFile()));
    }

    // ---------------------------------------------------------------- axes

    /** A linear or logarithmic map from data values to pixels. */
    static final class Axis {
        final double lo, hi;
        final boolean log;
        final int p0, p1;

        Axis(double lo, double hi, boolean log, int p0, int p1) {
            if (log) {
                if (!(lo > 0)) lo = hi > 0 ? hi * 1e-6 : 1e-6;
                if (!(hi > lo)) hi = lo * 10;
            } else if (!(hi > lo)) {
                double d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
                lo -= d;
                hi += d;
            }
            this.lo = lo;
            this.hi = hi;
            this.log = log;
            this.p0 = p0;
            this.p1 = p1;
        }

        double px(double v) {
            double f = log ? (Math.log10(Math.max(v, lo * 1e-3)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
                    : (v - lo) / (hi - lo);
            return p0 + f * (p1 - p0);
        }

        /** Tick values: 1-2-5 steps on a linear axis, decades (with 2 and 5 when few) on a log axis. */
        List<Double> ticks() {
            List<Double> t = new ArrayList<>();
            if (log) {
                int a = (int) Math.floor(Math.log10(lo)), b = (int) Math.ceil(Math.log10(hi));
                int[] mult = b - a <= 2 ? new int[]{1, 2, 5} : new int[]{1};
                int every = Math.max(1, (b - a) / 8);
                for (int k = a; k <= b; k++) {
                    if ((k - a) % every != 0) continue;
                    for (int m : mult) {
                        double v = m * Math.pow(10, k);
                        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) t.add(v);
                    }
                }
            } else {
                double raw = (hi - lo) / 6, mag = Math.pow(10, Math.floor(Math.log10(raw))), step = mag;
                for (double m : new double[]{1, 2, 5, 10}) {
                    step = m * mag;
                    if (step >= raw) break;
                }
                for (double v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step)
                    t.add(Math.abs(v) < 1e-12 * step ? 0.0 : v);
            }
            return t;
        }
    }

    static String fmt(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e4 || a < 1e-2) {
            String s = String.format(Locale.ROOT, "%.1e", v);
            int e = s.indexOf('e');
            String mant = s.substring(0, e), exp = s.substring(e + 1);
            if (mant.contains(".")) mant = mant.replaceAll("0+$", "").replaceAll("\\.$", "");
            int ex = Integer.parseInt(exp.startsWith("+") ? exp.substring(1) : exp);
            return mant + "e" + ex;
        }
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        String s = String.format(Locale.ROOT, "%.3g", v);
        if (s.contains(".")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s;
    }

    static void centred(Graphics2D g, String s, int x, int y) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, x - fm.stringWidth(s) / 2, y);
    }

    /** Frame, ticks and labels of a plot area; the y label is written vertically. */
    static void frame(Graphics2D g, Rectangle a, Axis x, Axis y, String xLabel, String yLabel, boolean xTickLabels) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(a.x, a.y, a.width, a.height);
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        for (double v : x.ticks()) {
            int p = (int) Math.round(x.px(v));
            g.drawLine(p, a.y + a.height, p, a.y + a.height - 4);
            if (xTickLabels) centred(g, fmt(v), p, a.y + a.height + 13);
        }
        for (double v : y.ticks()) {
            int p = (int) Math.round(y.px(v));
            g.drawLine(a.x, p, a.x + 4, p);
            String s = fmt(v);
            g.drawString(s, a.x - 4 - fm.stringWidth(s), p + 4);
        }
        g.setFont(FONT);
        if (xLabel != null) centred(g, xLabel, a.x + a.width / 2, a.y + a.height + 30);
        if (yLabel != null) {
            Graphics2D r = (Graphics2D) g.create();
            r.rotate(-Math.PI / 2);
            r.setFont(FONT);
            FontMetrics f2 = r.getFontMetrics();
            r.drawString(yLabel, -(a.y + a.height / 2) - f2.stringWidth(yLabel) / 2, a.x - 42);
            r.dispose();
        }
    }

    static void legend(Graphics2D g, Rectangle a, List<Series> series) {
        legend(g, a, series, false);
    }

    /** The legend box in the top right corner, or top left when {@code left}. */
    static void legend(Graphics2D g, Rectangle a, List<Series> series, boolean left) {
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        int wMax = 0;
        for (Series s : series) wMax = Math.max(wMax, fm.stringWidth(s.name()));
        int bw = wMax + 36, bh = 14 * series.size() + 6, x = left ? a.x + 6 : a.x + a.width - bw - 6, y = a.y + 6;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(x, y, bw, bh);
        g.setColor(Color.LIGHT_GRAY);
        g.drawRect(x, y, bw, bh);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            int yy = y + 12 + 14 * i;
            g.setColor(s.colour());
            g.setStroke(new BasicStroke(2f));
            g.drawLine(x + 5, yy - 4, x + 25, yy - 4);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), x + 30, yy);
        }
    }

    private static void title(Graphics2D g, Rectangle area, String title) {
        g.setColor(Color.BLACK);
        g.setFont(TITLE);
        centred(g, title, area.x + area.width / 2, area.y + 16);
    }

    // ---------------------------------------------------------------- step histograms

    /**
     * Step histograms over {@code edges} (series 0 is the reference), with a lower panel of the ratio of each
     * other series to the reference (clipped to [0.5, 1.5]).
     */
    public static Panel histograms(String title, String xLabel, String yLabel, double[] edges, List<Series> series,
                                   boolean logX, boolean logY) {
        return (g, area) -> {
            title(g, area, title);
            int l = area.x + 62, r = area.x + area.width - 14, t = area.y + 24, b = area.y + area.height - 44;
            int split = t + (int) ((b - t) * 0.72);
            Rectangle main = new Rectangle(l, t, r - l, split - t - 4), ratio = new Rectangle(l, split + 4, r - l, b - split - 4);
            double yMax = 0, yMinPos = Double.MAX_VALUE;
            for (Series s : series)
                for (double v : s.values()) {
                    if (v > yMax) yMax = v;
                    if (v > 0 && v < yMinPos) yMinPos = v;
                }
            if (yMax <= 0) yMax = 1;
            if (yMinPos == Double.MAX_VALUE) yMinPos = yMax * 1e-3;
            Axis x = new Axis(edges[0], edges[edges.length - 1], logX, main.x, main.x + main.width);
            Axis y = logY ? new Axis(Math.max(yMinPos * 0.5, yMax * 1e-7), yMax * 3, true, main.y + main.height, main.y)
                    : new Axis(0, yMax * 1.15, false, main.y + main.height, main.y);
            frame(g, main, x, y, null, yLabel, false);
            Shape clip = g.getClip();
            g.clip(main);
            for (int k = series.size() - 1; k >= 0; k--) step(g, x, y, edges, series.get(k), k == 0 ? 2f : 1.6f);
            g.setClip(clip);
            legend(g, main, series, rightHeavy(series, logY));
            Axis ry = new Axis(0.5, 1.5, false, ratio.y + ratio.height, ratio.y);
            frame(g, ratio, x, ry, xLabel, "ratio", true);
            g.clip(ratio);
            dashedLine(g, ratio.x, (int) ry.px(1), ratio.x + ratio.width, (int) ry.px(1));
            double[] ref = series.get(0).values();
            for (int k = 1; k < series.size(); k++) {
                double[] q = series.get(k).values(), rv = new double[q.length];
                for (int i = 0; i < q.length; i++) rv[i] = ref[i] > 0 ? Math.max(0.45, Math.min(1.55, q[i] / ref[i])) : Double.NaN;
                step(g, x, ry, edges, new Series("", series.get(k).colour(), rv), 1.4f);
            }
            g.setClip(clip);
        };
    }

    /** True when the curves reach higher in the right quarter than in the left one: the legend goes left. */
    private static boolean rightHeavy(List<Series> series, boolean log) {
        double left = 0, right = 0;
        for (Series s : series) {
            double[] v = s.values();
            int q = Math.max(1, v.length / 4);
            for (int i = 0; i < q; i++) left = Math.max(left, v[i]);
            for (int i = v.length - q; i < v.length; i++) right = Math.max(right, v[i]);
        }
        return right > left;
    }

    private static void dashedLine(Graphics2D g, int x0, int y0, int x1, int y1) {
        Stroke old = g.getStroke();
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{4f, 4f}, 0f));
        g.drawLine(x0, y0, x1, y1);
        g.setStroke(old);
    }

    /** A step curve; NaN values leave a gap, values at or below a log axis' floor drop to the frame. */
    private static void step(Graphics2D g, Axis x, Axis y, double[] edges, Series s, float width) {
        g.setColor(s.colour());
        g.setStroke(new BasicStroke(width));
        double[] v = s.values();
        double floor = y.log ? y.lo * 0.5 : y.lo;
        double prevY = Double.NaN;
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                prevY = Double.NaN;
                continue;
            }
            double val = y.log && !(v[i] > 0) ? floor : v[i];
            int xa = (int) Math.round(x.px(edges[i])), xb = (int) Math.round(x.px(edges[i + 1]));
            int yy = (int) Math.round(y.px(val));
            if (!Double.isNaN(prevY)) g.drawLine(xa, (int) Math.round(prevY), xa, yy);
            g.drawLine(xa, yy, xb, yy);
            prevY = yy;
        }
    }

    // ---------------------------------------------------------------- points with fractional difference

    /**
     * Markers joined by lines at {@code x} (series 0 is the reference), with a lower panel of the fractional
     * difference (sample − reference)/reference.
     */
    public static Panel points(String title, String xLabel, String yLabel, double[] x, List<Series> series, boolean logY) {
        return (g, area) -> {
            title(g, area, title);
            int l = area.x + 62, r = area.x + area.width - 14, t = area.y + 24, b = area.y + area.height - 44;
            int split = t + (int) ((b - t) * 0.72);
            Rectangle main = new Rectangle(l, t, r - l, split - t - 4), lower = new Rectangle(l, split + 4, r - l, b - split - 4);
            double yMax = 0, yMin = Double.MAX_VALUE, dMax = 0.05;
            double[] ref = series.get(0).values();
            for (Series s : series)
                for (int i = 0; i < s.values().length; i++) {
                    double v = s.values()[i];
                    if (v > yMax) yMax = v;
                    if (v > 0 && v < yMin) yMin = v;
                    if (ref[i] > 0) dMax = Math.max(dMax, Math.min(1, Math.abs(v / ref[i] - 1)));
                }
            if (yMax <= 0) yMax = 1;
            if (yMin == Double.MAX_VALUE) yMin = yMax * 1e-3;
            double span = x[x.length - 1] - x[0];
            Axis ax = new Axis(x[0] - 0.02 * span, x[x.length - 1] + 0.02 * span, false, main.x, main.x + main.width);
            Axis ay = logY ? new Axis(yMin * 0.5, yMax * 2, true, main.y + main.height, main.y)
                    : new Axis(0, yMax * 1.15, false, main.y + main.height, main.y);
            frame(g, main, ax, ay, null, yLabel, false);
            Shape clip = g.getClip();
            g.clip(main);
            for (int k = series.size() - 1; k >= 0; k--) polyline(g, ax, ay, x, series.get(k).values(), series.get(k).colour());
            g.setClip(clip);
            legend(g, main, series);
            Axis dy = new Axis(-dMax * 1.1, dMax * 1.1, false, lower.y + lower.height, lower.y);
            frame(g, lower, ax, dy, xLabel, "(gen-ref)/ref", true);
            g.clip(lower);
            dashedLine(g, lower.x, (int) dy.px(0), lower.x + lower.width, (int) dy.px(0));
            for (int k = 1; k < series.size(); k++) {
                double[] q = series.get(k).values(), d = new double[q.length];
                for (int i = 0; i < q.length; i++) d[i] = ref[i] > 0 ? q[i] / ref[i] - 1 : Double.NaN;
                polyline(g, ax, dy, x, d, series.get(k).colour());
            }
            g.setClip(clip);
        };
    }

    private static void polyline(Graphics2D g, Axis ax, Axis ay, double[] x, double[] y, Color c) {
        g.setColor(c);
        g.setStroke(new BasicStroke(1.5f));
        int px = Integer.MIN_VALUE, py = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isNaN(y[i]) || (ay.log && !(y[i] > 0))) {
                px = Integer.MIN_VALUE;
                continue;
            }
            int cx = (int) Math.round(ax.px(x[i])), cy = (int) Math.round(ay.px(y[i]));
            if (px != Integer.MIN_VALUE) g.drawLine(px, py, cx, cy);
            g.fillOval(cx - 3, cy - 3, 6, 6);
            px = cx;
            py = cy;
        }
    }

    // ---------------------------------------------------------------- polar heat maps

    /** viridis, sampled at 0, .25, .5, .75, 1. */
    private static final int[][] VIRIDIS = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};

    static Color viridis(double f) {
        f = Math.max(0, Math.min(1, f)) * (VIRIDIS.length - 1);
        int i = Math.min((int) f, VIRIDIS.length - 2);
        double t = f - i;
        int[] a = VIRIDIS[i], b = VIRIDIS[i + 1];
        return new Color((int) (a[0] + t * (b[0] - a[0])), (int) (a[1] + t * (b[1] - a[1])), (int) (a[2] + t * (b[2] - a[2])));
    }

    /**
     * A layer's mean voxel energies as a polar heat map: voxel {@code alpha * nR + r} is the annular sector
     * between radial edges r and r+1 and angles -pi + 2 pi alpha/nA ..; colour on a log scale from {@code vmin}
     * to {@code vmax} (lower values white), with a colour bar.
     */
    public static Panel polar(String title, double[] radialEdges, int alphaBins, double[] values, double vmin, double vmax) {
        return (g, area) -> {
            title(g, area, title);
            int bar = 60;
            int size = Math.min(area.width - bar - 20, area.height - 40);
            int cx = area.x + 10 + size / 2, cy = area.y + 26 + size / 2;
            double outer = radialEdges[radialEdges.length - 1], scale = size / 2.0 / outer;
            int nR = radialEdges.length - 1;
            double lmin = Math.log10(vmin), lmax = Math.log10(Math.max(vmax, vmin * 10));
            for (int a = 0; a < alphaBins; a++) {
                double a0 = -Math.PI + 2 * Math.PI * a / alphaBins, a1 = -Math.PI + 2 * Math.PI * (a + 1) / alphaBins;
                for (int k = 0; k < nR; k++) {
                    double v = values[a * nR + k];
                    g.setColor(v >= vmin ? viridis((Math.log10(v) - lmin) / (lmax - lmin)) : Color.WHITE);
                    Polygon p = new Polygon();
                    int seg = Math.max(2, 64 / alphaBins);
                    for (int s = 0; s <= seg; s++) {
                        double ang = a0 + (a1 - a0) * s / seg;
                        p.addPoint((int) Math.round(cx + radialEdges[k + 1] * scale * Math.cos(ang)),
                                (int) Math.round(cy - radialEdges[k + 1] * scale * Math.sin(ang)));
                    }
                    for (int s = seg; s >= 0; s--) {
                        double ang = a0 + (a1 - a0) * s / seg;
                        p.addPoint((int) Math.round(cx + radialEdges[k] * scale * Math.cos(ang)),
                                (int) Math.round(cy - radialEdges[k] * scale * Math.sin(ang)));
                    }
                    g.fillPolygon(p);
                }
            }
            g.setColor(Color.GRAY);
            g.drawOval(cx - size / 2, cy - size / 2, size, size);
            int bx = cx + size / 2 + 14, by = area.y + 30, bh = size - 10;
            for (int i = 0; i < bh; i++) {
                g.setColor(viridis(1 - (double) i / bh));
                g.drawLine(bx, by + i, bx + 12, by + i);
            }
            g.setColor(Color.BLACK);
            g.drawRect(bx, by, 12, bh);
            g.setFont(SMALL);
            g.drawString(fmt(vmax), bx + 15, by + 8);
            g.drawString(fmt(vmin), bx + 15, by + bh);
            g.drawString("MeV", bx + 15, by + bh / 2);
        };
    }

    // ---------------------------------------------------------------- box plots

    /** Box statistics of one category: 5%, 25%, 50%, 75%, 95% quantiles and the fraction of zeros. */
    public record Box(double p5, double q1, double median, double q3, double p95, double zeroFraction) {
    }

    /** Per-category boxes of several samples side by side (series 0 the reference) on a log y axis. */
    public static Panel boxes(String title, String xLabel, String yLabel, List<String> categories, List<String> names,
                              List<Color> colours, List<Box[]> boxes) {
        return (g, area) -> {
            title(g, area, title);
            int l = area.x + 62, r = area.x + area.width - 14, t = area.y + 24, b = area.y + area.height - 44;
            int zeroRows = 9 * boxes.size() + 4; // one row of zero fractions per sample above the frame
            Rectangle main = new Rectangle(l, t + zeroRows, r - l, b - t - zeroRows);
            double lo = Double.MAX_VALUE, hi = 0;
            for (Box[] bs : boxes)
                for (Box bx : bs) {
                    if (bx == null) continue;
                    if (bx.p5() > 0) lo = Math.min(lo, bx.p5());
                    hi = Math.max(hi, bx.p95());
                }
            if (hi <= 0) hi = 1;
            if (lo == Double.MAX_VALUE) lo = hi * 1e-3;
            Axis ay = new Axis(lo / 2, hi * 4, true, main.y + main.height, main.y);
            int nc = categories.size(), ns = boxes.size();
            double cw = (double) main.width / nc;
            Axis ax = new Axis(0, nc, false, main.x, main.x + main.width);
            frame(g, main, new Axis(-1e9, -1e9 + 1, false, main.x, main.x + main.width), ay, xLabel, yLabel, false);
            g.setFont(SMALL);
            for (int c = 0; c < nc; c++) centred(g, categories.get(c), (int) (ax.px(c + 0.5)), main.y + main.height + 13);
            Shape clip = g.getClip();
            for (int s = 0; s < ns; s++) {
                double bw = cw * 0.8 / ns;
                for (int c = 0; c < nc; c++) {
                    Box bx = boxes.get(s)[c];
                    if (bx == null) continue;
                    double x0 = main.x + c * cw + cw * 0.1 + s * bw;
                    int xm = (int) (x0 + bw / 2), xa = (int) (x0 + bw * 0.15), xb = (int) (x0 + bw * 0.85);
                    g.setColor(colours.get(s));
                    g.setClip(main);
                    if (bx.q3() > 0) {
                        int y5 = (int) ay.px(bx.p5()), y25 = (int) ay.px(bx.q1()), y50 = (int) ay.px(bx.median()),
                                y75 = (int) ay.px(bx.q3()), y95 = (int) ay.px(bx.p95());
                        g.setStroke(new BasicStroke(1f));
                        g.drawLine(xm, y95, xm, y75);
                        g.drawLine(xm, y25, xm, y5);
                        g.drawLine(xa + 2, y95, xb - 2, y95);
                        g.drawLine(xa + 2, y5, xb - 2, y5);
                        g.drawRect(xa, y75, Math.max(1, xb - xa), Math.max(1, y25 - y75));
                        g.setStroke(new BasicStroke(2f));
                        g.drawLine(xa, y50, xb, y50);
                    }
                    g.setClip(clip);
                    // zero fraction above the frame, one row per sample, in the sample's colour
                    double zf = 100 * bx.zeroFraction();
                    // never round a ring with some hits up to "100%"
                    String z = String.format(Locale.ROOT, zf > 99.5 && zf < 100 ? "%.1f%%" : "%.0f%%", zf);
                    Graphics2D zg = (Graphics2D) g.create();
                    zg.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 8));
                    centred(zg, z, (int) (main.x + (c + 0.5) * cw), main.y - 3 - 9 * (ns - 1 - s));
                    zg.dispose();
                }
            }
            List<Series> leg = new ArrayList<>();
            for (int s = 0; s < ns; s++) leg.add(new Series(names.get(s), colours.get(s), new double[0]));
            legend(g, new Rectangle(main.x, main.y + 2, main.width, main.height), leg);
            g.setFont(SMALL);
            g.setColor(Color.DARK_GRAY);
            g.drawString("box: quartiles, whiskers: 5-95%, above: fraction of zero voxels", main.x + 4, main.y + main.height - 4);
        };
    }
    // ---------------------------------------------------------------- labelled points (x log scale)

    /** One labelled marker; {@code x} NaN draws a dashed horizontal line at {@code y} (a value without an x). */
    public record Marker(String label, double x, double y, Color colour, boolean filled) {
    }

    /**
     * Labelled markers on a logarithmic x axis and a linear y axis from {@code yLo} to {@code yHi}, e.g. AUC
     * against time per shower; markers without an x are dashed horizontal lines labelled at the right.
     */
    public static Panel labelledPoints(String title, String xLabel, String yLabel, double yLo, double yHi, List<Marker> markers) {
        return (g, area) -> {
            title(g, area, title);
            int l = area.x + 62, r = area.x + area.width - 14, t = area.y + 24, b = area.y + area.height - 44;
            Rectangle main = new Rectangle(l, t, r - l, b - t);
            double xMin = Double.MAX_VALUE, xMax = 0;
            for (Marker m : markers)
                if (m.x() > 0) {
                    xMin = Math.min(xMin, m.x());
                    xMax = Math.max(xMax, m.x());
                }
            if (xMax <= 0) {
                xMin = 1;
                xMax = 10;
            }
            Axis ax = new Axis(xMin / 3, xMax * 3, true, main.x, main.x + main.width);
            Axis ay = new Axis(yLo, yHi, false, main.y + main.height, main.y);
            frame(g, main, ax, ay, xLabel, yLabel, true);
            Shape clip = g.getClip();
            g.clip(main);
            g.setFont(SMALL);
            FontMetrics fm = g.getFontMetrics();
            for (Marker m : markers) {
                int py = (int) Math.round(ay.px(m.y()));
                g.setColor(m.colour());
                if (!(m.x() > 0)) {
                    g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[]{4f, 4f}, 0f));
                    g.drawLine(main.x, py, main.x + main.width, py);
                    g.drawString(m.label(), main.x + main.width - fm.stringWidth(m.label()) - 4, py - 3);
                    continue;
                }
                int px = (int) Math.round(ax.px(m.x()));
                g.setStroke(new BasicStroke(1.5f));
                if (m.filled()) g.fillOval(px - 4, py - 4, 9, 9);
                else g.drawRect(px - 4, py - 4, 8, 8);
                // labels in the right part of the plot go to the left of their marker, so they stay inside
                int w = fm.stringWidth(m.label());
                g.drawString(m.label(), px + 7 + w < main.x + main.width ? px + 7 : px - 7 - w, py + 4);
            }
            g.setClip(clip);
        };
    }
}
