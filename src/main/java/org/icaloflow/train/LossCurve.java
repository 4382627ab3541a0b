package org.icaloflow.train;

import org.icaloflow.data.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The loss-curve PNG of a training run: training loss per interval and selection loss vs step. */
public final class LossCurve {
    private LossCurve() {
    }

    /** Plots the rows of a history.csv ({@code kind,epoch,step,loss,...}). */
    public static void write(Path png, String title, List<String> history) {
        System.setProperty("java.awt.headless", "true");
        List<double[]> tr = new ArrayList<>(), se = new ArrayList<>();
        for (String row : history) {
            String[] f = row.split(",");
            if (f.length < 4 || f[0].equals("kind")) continue;
            double step = Double.parseDouble(f[2]), loss = Double.parseDouble(f[3]);
            if (!Double.isFinite(loss)) continue;
            (f[0].equals("select") ? se : tr).add(new double[]{step, loss});
        }
        int w = 800, h = 500, l = 80, r = 20, t = 40, b = 60;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (List<double[]> s : List.of(tr, se))
            for (double[] p : s) {
                x0 = Math.min(x0, p[0]);
                x1 = Math.max(x1, p[0]);
                y0 = Math.min(y0, p[1]);
                y1 = Math.max(y1, p[1]);
            }
        if (x0 > x1) {
            x0 = 0;
            x1 = 1;
            y0 = 0;
            y1 = 1;
        }
        if (x1 == x0) x1 = x0 + 1;
        if (y1 == y0) y1 = y0 + 1;
        double pad = 0.05 * (y1 - y0);
        y0 -= pad;
        y1 += pad;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(l, t, w - l - r, h - t - b);
        for (int i = 0; i <= 5; i++) {
            double yv = y0 + (y1 - y0) * i / 5;
            int py = (int) (h - b - (h - t - b) * i / 5.0);
            g.drawLine(l - 4, py, l, py);
            g.drawString(String.format(Locale.ROOT, "%.4g", yv), 5, py + 4);
            double xv = x0 + (x1 - x0) * i / 5;
            int px = (int) (l + (w - l - r) * i / 5.0);
            g.drawLine(px, h - b, px, h - b + 4);
            g.drawString(String.format(Locale.ROOT, "%.0f", xv), px - 10, h - b + 18);
        }
        g.drawString("step", w / 2, h - 15);
        g.drawString("loss (negative log-likelihood, nats)", 5, t - 8);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, w / 2 - 40, 20);
        g.setStroke(new BasicStroke(1.5f));
        Color[] colours = {new Color(31, 119, 180), new Color(214, 39, 40)};
        String[] names = {"training", "selection"};
        List<List<double[]>> series = List.of(tr, se);
        for (int k = 0; k < 2; k++) {
            g.setColor(colours[k]);
            double[] prev = null;
            for (double[] p : series.get(k)) {
                int px = (int) (l + (p[0] - x0) / (x1 - x0) * (w - l - r));
                int py = (int) (h - b - (p[1] - y0) / (y1 - y0) * (h - t - b));
                if (prev != null) g.drawLine((int) prev[0], (int) prev[1], px, py);
                if (k == 1) g.fillOval(px - 3, py - 3, 6, 6);
                prev = new double[]{px, py};
            }
            g.drawLine(w - r - 140, t + 15 + 18 * k, w - r - 110, t + 15 + 18 * k);
            g.drawString(names[k], w - r - 100, t + 20 + 18 * k);
        }
        g.dispose();
        AtomicFiles.write(png, tmp -> ImageIO.write(img, "png", tmp.toFile()));
    }
}
