package org.icaloflow.evaluate;

import org.icaloflow.data.Csv;
import org.icaloflow.stage.StageRun;
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

    /** Metrics now; the CSVs, summary and figures under {@code out} as the run's artifacts. */
    static void log(StageRun run, Path out) {
        Tracker tracker = run.tracker();
        Map<String, Double> parent = new LinkedHashMap<>();
        Path cls = out.resolve("classifier.csv");
        if (Files.isRegularFile(cls)) {
            Map<String, List<double[]>> groups = new LinkedHashMap<>();
            List<String[]> rows = Csv.read(cls);
            for (String[] r : rows.subList(1, rows.size())) {
                if (r.length < 5) continue;
                long step = parseLong(r[2]);
                double auc = Csv.number(r[3]), jsd = Csv.number(r[4]);
                tracker.logMetric("auc_" + r[1] + "_" + r[0], auc, step);
                tracker.logMetric("jsd_" + r[1] + "_" + r[0], jsd, step);
                groups.computeIfAbsent(r[1] + "_" + r[0], k -> new ArrayList<>()).add(new double[]{auc, jsd});
            }
            groups.forEach((k, v) -> {
                double[] auc = v.stream().mapToDouble(x -> x[0]).toArray(), jsd = v.stream().mapToDouble(x -> x[1]).toArray();
                parent.put("auc_" + k + "_mean", Csv.mean(auc));
                parent.put("auc_" + k + "_std", Csv.std(auc));
                parent.put("jsd_" + k + "_mean", Csv.mean(jsd));
                parent.put("jsd_" + k + "_std", Csv.std(jsd));
            });
        }
        Path sep = out.resolve("separation_power.csv");
        if (Files.isRegularFile(sep)) {
            List<String[]> rows = Csv.read(sep);
            for (String[] r : rows.subList(1, rows.size()))
                if (r.length >= 3) tracker.logMetric("sep_" + r[0] + "_" + r[1], Csv.number(r[2]), 0);
            run.artifact(sep, null);
        }
        Path fk = out.resolve("fpd_kpd.csv");
        if (Files.isRegularFile(fk)) {
            List<String[]> rows = Csv.read(fk);
            List<String> h = List.of(rows.get(0));
            int s = h.indexOf("sample"), f = h.indexOf("fpd"), k = h.indexOf("kpd");
            if (s >= 0 && f >= 0 && k >= 0)
                for (String[] r : rows.subList(1, rows.size()))
                    if (r.length > Math.max(s, Math.max(f, k))) {
                        parent.put("fpd_" + r[s], Csv.number(r[f]));
                        parent.put("kpd_" + r[s], Csv.number(r[k]));
                    }
            run.artifact(fk, null);
        }
        for (String f : List.of("classifier.csv", "classifier_info.csv", "summary.json"))
            if (Files.isRegularFile(out.resolve(f))) run.artifact(out.resolve(f), null);
        try (Stream<Path> pngs = Files.walk(out)) {
            for (Path p : pngs.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
                Path rel = out.relativize(p).getParent();
                run.artifact(p, rel == null ? "plots" : rel.toString().replace('\\', '/'));
            }
        } catch (IOException e) {
            // figures stay in the folder; the journal just lacks them
        }
        parent.values().removeIf(v -> !Double.isFinite(v));
        tracker.logParentMetrics(parent);
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
