package org.icaloflow.data;

import org.icaloflow.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The stages' small CSV outputs read back (no quoting: they hold names and numbers only). */
public final class Csv {
    private Csv() {
    }

    /** Every non-blank line split on commas, the header first; a UserError when the file cannot be read. */
    public static List<String[]> read(Path csv) {
        try {
            List<String[]> out = new ArrayList<>();
            for (String line : Files.readAllLines(csv)) if (!line.isBlank()) out.add(line.split(",", -1));
            return out;
        } catch (IOException e) {
            throw new UserError(csv + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** A cell as a number; NaN when it is not one (an empty or "nan" cell of an under-filled run). */
    public static double number(String cell) {
        try {
            return Double.parseDouble(cell.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Mean of {@code v}. */
    public static double mean(double[] v) {
        double m = 0;
        for (double x : v) m += x;
        return m / v.length;
    }

    /** Sample standard deviation (n - 1); 0 for fewer than two values. */
    public static double std(double[] v) {
        if (v.length < 2) return 0;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }
}
