package org.icaloflow.cli;

import org.icaloflow.track.Tracker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the evaluate stage puts in MLflow: on its own run every AUC and JSD (step = classifier run), every separation
 * power, FPD/KPD and every figure; on the pipeline's parent run the headline numbers, AUC and JSD mean and standard
 * deviation per sample and level, FPD and KPD per sample (the runs table compares pipeline runs by them).
 */
final class EvaluationTracking {
    private EvaluationTracking() {}

    static void log(Tracker tracker, Path out, Map<String, Object> settings) {
        tracker.logParams(settings);
        Map<String, Double> parent = new LinkedHashMap<>();
        Path cls = out.resolve("classifier.csv");
        if (Files.isRegularFile(cls)) {
            Map<String, List<double[]>> groups = new LinkedHashMap<>();
            List<String[]> rows = csv(cls);
            for (String[] r : rows.subList(1, rows.size())) {
                if (r.length < 5) continue;
                long run = parseLong(r[2]);
                double auc = parse(r[3]), jsd = parse(r[4]);
                tracker.logMetric("auc_" + r[1] + "_" + r[0], auc, run);
                tracker.logMetric("jsd_" + r[1] + "_" + r[0], jsd, run);
                groups.computeIfAbsent(r[1] + "_" + r[0], k -> new ArrayList<>()).add(new double[]{auc, jsd});
            }
            groups.forEach((k, v) -> {
                double[] auc = v.stream().mapToDouble(x -> x[0]).toArray(), jsd = v.stream().mapToDouble(x -> x[1]).toArray();
                parent.put("auc_" + k + "_mean", mean(auc));
                parent.put("auc_" + k + "_std", std(auc));
                parent.put("jsd_" + k + "_mean", mean(jsd));
                parent.put("jsd_" + k + "_std", std(jsd));
            });
        }
        Path sep = out.resolve("separation_power.csv");
        if (Files.isRegularFile(sep)) {
            List<String[]> rows = csv(sep);
            for (String[] r : rows.subList(1, rows.size()))
                if (r.length >= 3) tracker.logMetric("sep_" + r[0] + "_" + r[1], parse(r[2]), 0);
            tracker.logArtifact(sep, null);
        }
        Path fk = out.resolve("fpd_kpd.csv");
        if (Files.isRegularFile(fk)) {
            List<String[]> rows = csv(fk);
            List<String> h = List.of(rows.get(0));
            int s = h.indexOf("sample"), f = h.indexOf("fpd"), k = h.indexOf("kpd");
            if (s >= 0 && f >= 0 && k >= 0)
                for (String[] r : rows.subList(1, rows.size()))
                    if (r.length > Math.max(s, Math.max(f, k))) {
                        parent.put("fpd_" + r[s], parse(r[f]));
                        parent.put("kpd_" + r[s], parse(r[k]));
                    }
            tracker.logArtifact(fk, null);
        }
        for (String f : List.of("classifier.csv", "classifier_info.csv", "summary.json"))
            if (Files.isRegularFile(out.resolve(f))) tracker.logArtifact(out.resolve(f), null);
        try (Stream<Path> pngs = Files.walk(out)) {
            for (Path p : pngs.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
                Path rel = out.relativize(p).getParent();
                tracker.logArtifact(p, rel == null ? "plots" : rel.toString().replace('\\', '/'));
            }
        } catch (IOException e) {
            // figures stay in the folder; the journal just lacks them
        }
        parent.values().removeIf(v -> !Double.isFinite(v));
        tracker.logParentMetrics(parent);
    }

    private static List<String[]> csv(Path p) {
        try {
            List<String[]> out = new ArrayList<>();
            for (String line : Files.readAllLines(p)) if (!line.isBlank()) out.add(line.split(",", -1));
            return out;
        } catch (IOException e) {
            throw new org.icaloflow.UserError(p + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static double mean(double[] v) {
        double m = 0;
        for (double x : v) m += x;
        return m / v.length;
    }

    static double std(double[] v) {
        if (v.length < 2) return 0;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }
}
