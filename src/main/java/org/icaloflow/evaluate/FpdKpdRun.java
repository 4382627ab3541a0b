package org.icaloflow.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.Json;
import org.icaloflow.evaluate.classifier.ClassifierInputs;
import org.icaloflow.evaluate.classifier.RowSource;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * FPD and KPD of every generated sample against the reference on the high-level classifier rows (the
 * CaloChallenge evaluator feeds jetnet {@code prepare_high_data_for_classifier(...)[:, :-1]}), see
 * {@link FrechetKernelDistances}. Writes fpd_kpd.csv (values ×10³) and adds {@code fpd_kpd} to summary.json.
 */
public final class FpdKpdRun {
    private FpdKpdRun() {
    }

    public static final String HEADER = "sample,fpd,fpd_err,kpd,kpd_err,hlf_set,showers_reference,showers_sample,fpd_min_n,fpd_max_n,kpd_batch";

    public static void run(Geometry g, double thresholdMeV, List<Path> reference, List<Evaluation.Sample> samples,
                           ClassifierInputs.HlfSet hlf, long seed, Path out, PrintStream log) {
        double[][] ref = toDouble(ClassifierRun.inputs(g, thresholdMeV, reference, "high", 0, hlf));
        StringBuilder csv = new StringBuilder(HEADER + "\n");
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("hlf_set", hlf.label());
        node.put("scale", 1e3);
        for (Evaluation.Sample s : samples) {
            long t0 = System.nanoTime();
            double[][] gen = toDouble(ClassifierRun.inputs(g, thresholdMeV, s.files(), "high", 0, hlf));
            if (Math.min(ref.length, gen.length) < 3) {
                // covariances and the unbiased MMD need at least 2 rows per batch; say so rather than print NaN as a result
                log.printf(Locale.ROOT, "fpd/kpd: %s: too few showers (%d reference, %d generated); left out%n", s.name(), ref.length, gen.length);
                continue;
            }
            FrechetKernelDistances.Settings full = FrechetKernelDistances.Settings.evaluator();
            FrechetKernelDistances.Settings st = full.clampedTo(Math.min(ref.length, gen.length));
            if (st.maxSamples() < full.maxSamples() || st.kpdBatchSize() < full.kpdBatchSize())
                log.printf(Locale.ROOT, "fpd/kpd: %s: %d reference and %d generated showers, fewer than the evaluator's FPD batch sizes "
                                + "%d..%d and KPD batch %d: using %d..%d and %d%n", s.name(), ref.length, gen.length,
                        full.minSamples(), full.maxSamples(), full.kpdBatchSize(), st.minSamples(), st.maxSamples(), st.kpdBatchSize());
            FrechetKernelDistances.Indices idx = FrechetKernelDistances.Indices.seeded(seed);
            FrechetKernelDistances.Value fpd = FrechetKernelDistances.fpd(ref, gen, st, idx);
            FrechetKernelDistances.Value kpd = FrechetKernelDistances.kpd(ref, gen, st, idx);
            csv.append(String.format(Locale.ROOT, "%s,%.6g,%.6g,%.6g,%.6g,%s,%d,%d,%d,%d,%d%n", s.name(), fpd.value() * 1e3, fpd.error() * 1e3,
                    kpd.value() * 1e3, kpd.error() * 1e3, hlf.label(), ref.length, gen.length, st.minSamples(), st.maxSamples(), st.kpdBatchSize()));
            ObjectNode o = node.putObject(s.name());
            o.put("fpd_x1e3", fpd.value() * 1e3);
            o.put("fpd_err_x1e3", fpd.error() * 1e3);
            o.put("kpd_x1e3", kpd.value() * 1e3);
            o.put("kpd_err_x1e3", kpd.error() * 1e3);
            o.put("fpd_min_n", st.minSamples());
            o.put("fpd_max_n", st.maxSamples());
            o.put("kpd_batch", st.kpdBatchSize());
            log.printf(Locale.ROOT, "fpd/kpd: %s (%s set, %d features): FPD x10^3 = %.4f ± %.4f, KPD x10^3 = %.4f ± %.4f (%.1f s)%n", s.name(),
                    hlf.label(), ref[0].length, fpd.value() * 1e3, fpd.error() * 1e3, kpd.value() * 1e3, kpd.error() * 1e3,
                    (System.nanoTime() - t0) / 1e9);
        }
        AtomicFiles.writeString(out.resolve("fpd_kpd.csv"), csv.toString());
        Path summary = out.resolve("summary.json");
        try {
            ObjectNode j = Files.isRegularFile(summary) ? (ObjectNode) Json.MAPPER.readTree(summary.toFile())
                    : Json.MAPPER.createObjectNode();
            j.set("fpd_kpd", node);
            JsonNode outs = j.get("outputs");
            if (outs != null && outs.isArray()) ((com.fasterxml.jackson.databind.node.ArrayNode) outs).add("fpd_kpd.csv");
            AtomicFiles.writeString(summary, Json.PRETTY.writeValueAsString(j) + "\n");
        } catch (IOException e) {
            throw new IllegalStateException(summary + ": " + e.getMessage(), e);
        }
    }

    static double[][] toDouble(RowSource rows) {
        double[][] x = new double[rows.rows()][rows.dim()];
        float[] buf = new float[rows.dim()];
        for (int i = 0; i < x.length; i++) {
            rows.copyRow(i, buf, 0);
            for (int j = 0; j < buf.length; j++) x[i][j] = buf[j];
        }
        return x;
    }
}
