package org.icaloflow.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress: a line per logging interval (epoch, step, loss, learning rate, samples/s, ETA), or a
 * live progress bar redrawn in place when attached to a terminal.
 */
final class Progress {
    private final PrintStream out;
    private final String name;
    private final long total;
    private final long firstStep;
    private final long start = System.nanoTime();
    private final boolean tty = System.console() != null && System.getenv("ICALOFLOW_NO_PROGRESS_BAR") == null;
    private boolean barShown;

    Progress(PrintStream out, String name, long total, long firstStep) {
        this.out = out;
        this.name = name;
        this.total = total;
        this.firstStep = firstStep;
    }

    void update(long step, int epoch, int epochs, double loss, double lr, double rate) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        long done = step - firstStep;
        double eta = done > 0 ? elapsed / done * (total - step) : Double.NaN;
        String line = String.format(Locale.ROOT, "%s epoch %d/%d step %d/%d loss %.5g lr %.3g %.0f samples/s ETA %s",
                name, epoch, epochs, step, total, loss, lr, rate, hms(eta));
        if (tty) {
            int width = 30;
            int filled = (int) Math.round(width * (double) step / Math.max(1, total));
            out.print("\r[" + "=".repeat(filled) + " ".repeat(width - filled) + "] " + line + "   ");
            out.flush();
            barShown = true;
        } else {
            out.println(line);
        }
    }

    void selection(long step, double loss, boolean better) {
        selection(step, "selection loss", loss, better);
    }

    /** A selection result; {@code what} names the value (e.g. "selection loss", "KL estimate"). */
    void selection(long step, String what, double loss, boolean better) {
        String line = String.format(Locale.ROOT, "%s step %d %s %.6g%s", name, step, what, loss, better ? " (best so far: kept)" : "");
        if (barShown) {
            out.println();
            barShown = false;
        }
        out.println(line);
    }

    void done() {
        if (barShown) out.println();
        out.printf(Locale.ROOT, "%s: done in %s%n", name, hms((System.nanoTime() - start) / 1e9));
    }

    static String hms(double secs) {
        if (!Double.isFinite(secs)) return "?";
        long s = Math.round(secs);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
