package org.icaloflow.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.icaloflow.BuildInfo;
import org.icaloflow.UserError;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Csv;
import org.icaloflow.data.Json;
import org.icaloflow.data.Sha256;
import org.icaloflow.data.StageManifest;
import org.icaloflow.train.ModelFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The run report: one self-contained HTML page (images embedded) and its Markdown twin, with the
 * configuration, Table IV (classifier AUC/JSD, low and high level, per sample), Table V (time per shower vs
 * batch size), the separation powers, the training curves and every evaluation plot, and the paper's numbers
 * beside ours where they exist.
 */
public final class Report {
    /** The paper's Table IV: {sample key → {low AUC, low JSD, high AUC, high JSD}} as printed. */
    static final Map<String, String[]> PAPER_TABLE_IV = new LinkedHashMap<>();
    /** The paper's Table V (ms per shower): {model → {batch → "GPU / CPU"}}. */
    static final Map<String, Map<Integer, String>> PAPER_TABLE_V = new LinkedHashMap<>();

    static {
        PAPER_TABLE_IV.put("ds2 teacher", new String[]{"0.797(5)", "0.210(7)", "0.798(3)", "0.214(5)"});
        PAPER_TABLE_IV.put("ds2 student", new String[]{"0.840(3)", "0.286(5)", "0.838(2)", "0.283(4)"});
        PAPER_TABLE_IV.put("ds3 teacher", new String[]{"0.911(3)", "0.465(6)", "0.941(1)", "0.561(3)"});
        PAPER_TABLE_IV.put("ds3 student", new String[]{"0.910(8)", "0.462(18)", "0.951(1)", "0.601(5)"});
        // CaloDREAM: the CaloChallenge 2022 final results (arXiv:2410.21611) as quoted in the CaloDREAM paper and issue 16,
        // made with the challenge's evaluator (high level: its 2 + 8L set); no JSD given
        PAPER_TABLE_IV.put("ds2 calodream", new String[]{"0.531", "", "0.521", ""});
        PAPER_TABLE_IV.put("ds3 calodream", new String[]{"0.630", "", "0.524", ""});
        PAPER_TABLE_V.put("ds2 teacher", Map.of(1, "7.12e4 / 8.84e4", 10, "7.10e3 / 1.21e4", 100, "7.75e2 / 3.47e3", 1000, "1.65e2 / –", 10000, "1.21e2 / –"));
        PAPER_TABLE_V.put("ds2 student", Map.of(1, "1.06e3 / 4.08e3", 10, "2.79e2 / 4.08e2", 100, "2.99e1 / 4.93e1", 1000, "2.18 / –", 10000, "1.34 / –"));
    }

    /** What goes in. Any may be null or empty. */
    public record Inputs(String runName, String geometry, Path config, Path evaluationDir, List<Path> timingCsvs,
                         List<Path> trainingDirs, List<Path> sampleManifests) {
        public Inputs(String runName, String geometry, Path config, Path evaluationDir, List<Path> timingCsvs,
                      List<Path> trainingDirs) {
            this(runName, geometry, config, evaluationDir, timingCsvs, trainingDirs, List.of());
        }
    }

    private final Inputs in;
    private final StringBuilder html = new StringBuilder();
    private final StringBuilder md = new StringBuilder();

    /** Where the fidelity-against-speed figure goes: beside the report, {@code <stem>_auc_vs_time.png}. */
    private Path figure;

    private Report(Inputs in) {
        this.in = in;
    }

    /** Writes {@code out} (HTML) and its twin with extension .md; returns both paths. */
    public static List<Path> write(Inputs in, Path out) {
        Report r = new Report(in);
        r.figure = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.html?$", "") + "_auc_vs_time.png");
        r.build();
        Path mdPath = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.html?$", "") + ".md");
        AtomicFiles.writeString(out, r.html.toString());
        AtomicFiles.writeString(mdPath, r.md.toString());
        return List.of(out, mdPath);
    }

    private void build() {
        String title = "icaloflow run " + (in.runName() == null ? "" : in.runName());
        html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>")
                .append(esc(title)).append("</title><style>")
                .append("body{font-family:sans-serif;max-width:1100px;margin:1.5em auto;padding:0 1em;color:#222;font-size:15px}")
                .append(".scroll{overflow-x:auto;max-width:100%}")
                .append("table{border-collapse:collapse;margin:0.6em 0;font-size:13px}td,th{border:1px solid #bbb;padding:3px 7px;text-align:right}")
                .append("th{background:#eee}td:first-child,th:first-child{text-align:left}img{max-width:100%;height:auto;margin:4px 0}")
                .append(".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:8px}")
                .append("figure{margin:0}figcaption{font-size:12px;color:#555}pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}")
                .append(".paper{color:#777}</style></head><body>");
        html.append("<h1>").append(esc(title)).append("</h1>");
        md.append("# ").append(title).append("\n\n");
        String meta = "icaloflow " + BuildInfo.version() + " (commit " + BuildInfo.commit() + "), geometry "
                + (in.geometry() == null ? "?" : in.geometry()) + ", written " + Instant.now();
        para(meta);

        // read like a paper's results section: the summary, the figures, then the tables behind them
        summarySection();
        classifierSection();
        plotsSection();
        fidelitySpeedSection();
        timingSection();
        fpdKpdSection();
        separationSection();
        closureSection();
        trainingSection();
        configSection();
        html.append("</body></html>\n");
    }

    // ----------------------------------------------------------------- sections

    /** The reserved sample name of the classifier's control row and the AUC a working test reaches on it. */
    static final String CONTROL = org.icaloflow.evaluate.classifier.ClassifierControl.NAME;
    static final double CONTROL_MIN_AUC = org.icaloflow.evaluate.classifier.ClassifierControl.MIN_AUC;

    /**
     * evaluation/classifier.csv (sample, level, run, auc, jsd) grouped by "sample\0level", classifier_info.csv
     * (sample, level, hlf_set, showers_per_class; absent in older outputs) by the same key, and the control row's mean
     * AUC per level (the reference against the truth sample or the other reference half, voxel energies x 1.1).
     */
    record ClassifierResults(Map<String, List<double[]>> groups, Map<String, String[]> info, Map<String, Double> controlAuc) {
        static ClassifierResults read(Path csv) {
            Map<String, List<double[]>> groups = new LinkedHashMap<>();
            List<String[]> rows = Csv.read(csv);
            for (String[] r : rows.subList(1, rows.size())) {
                if (r.length < 5) continue;
                groups.computeIfAbsent(r[0] + "\u0000" + r[1], k -> new ArrayList<>()).add(new double[]{Csv.number(r[3]), Csv.number(r[4])});
            }
            Map<String, String[]> info = new LinkedHashMap<>();
            Path infoCsv = csv.resolveSibling("classifier_info.csv");
            if (Files.isRegularFile(infoCsv)) {
                List<String[]> ir = Csv.read(infoCsv);
                for (String[] r : ir.subList(1, ir.size())) if (r.length >= 4) info.put(r[0] + "\u0000" + r[1], r);
            }
            Map<String, Double> controlAuc = new LinkedHashMap<>();
            for (Map.Entry<String, List<double[]>> g : groups.entrySet()) {
                String[] key = g.getKey().split("\u0000");
                if (key[0].equals(CONTROL)) controlAuc.put(key[1], g.getValue().stream().mapToDouble(v -> v[0]).average().orElse(Double.NaN));
            }
            return new ClassifierResults(groups, info, controlAuc);
        }

        /** True when this level's control row exists and is not separated: its AUCs say nothing. */
        boolean underPowered(String sample, String level) {
            Double ctl = controlAuc.get(level);
            return !sample.equals(CONTROL) && ctl != null && !(ctl >= CONTROL_MIN_AUC);
        }

        /** The high-level input set of a (sample, level): voxels for the low level, else classifier_info's. */
        String inputSet(String key) {
            boolean high = key.split("\u0000")[1].toLowerCase(Locale.ROOT).startsWith("high");
            String[] inf = info.get(key);
            // older outputs without classifier_info.csv: the challenge set was the only one
            return high ? (inf == null ? "challenge" : inf[2]) : "voxels";
        }
    }

    /** One table of the headline numbers, the student's speed-up and the run's configuration in a few lines. */
    private void summarySection() {
        heading("Summary");
        Path csv = in.evaluationDir() == null ? null : find(in.evaluationDir(), "classifier.csv");
        if (csv != null) {
            ClassifierResults cr = ClassifierResults.read(csv);
            Map<String, Map<String, String[]>> bySample = new LinkedHashMap<>(); // sample -> level -> {AUC, JSD, paper AUC, paper JSD}
            for (Map.Entry<String, List<double[]>> g : cr.groups().entrySet()) {
                String[] key = g.getKey().split("\u0000");
                if (key[0].equals(CONTROL)) continue;
                boolean high = key[1].toLowerCase(Locale.ROOT).startsWith("high");
                String set = cr.inputSet(g.getKey());
                String[] paper = paperTableIv(key[0], high, set);
                boolean under = cr.underPowered(key[0], key[1]);
                double[] auc = g.getValue().stream().mapToDouble(v -> v[0]).toArray();
                double[] jsd = g.getValue().stream().mapToDouble(v -> v[1]).toArray();
                bySample.computeIfAbsent(key[0], k -> new LinkedHashMap<>()).put(high ? "high" : "low", new String[]{
                        under ? "under-powered" : meanStd(auc), under ? "under-powered" : meanStd(jsd),
                        paper == null ? "" : paper[high ? 2 : 0], paper == null ? "" : paper[high ? 3 : 1]});
            }
            List<List<String>> t = new ArrayList<>();
            String[] none = {"", "", "", ""};
            for (Map.Entry<String, Map<String, String[]>> e : bySample.entrySet()) {
                String[] lo = e.getValue().getOrDefault("low", none), hi = e.getValue().getOrDefault("high", none);
                t.add(List.of(e.getKey(), lo[0], lo[1], hi[0], hi[1], lo[2].isEmpty() ? "" : lo[2] + " / " + lo[3],
                        hi[2].isEmpty() ? "" : hi[2] + " / " + hi[3]));
            }
            if (!t.isEmpty())
                table(List.of("variant", "AUC low", "JSD low", "AUC high", "JSD high", "paper low AUC / JSD", "paper high AUC / JSD"), t);
        } else {
            para("No classifier results in this run.");
        }
        String speed = studentSpeedUp();
        if (speed != null) para(speed);
        for (String line : configSummary()) para(line);
    }

    /**
     * The published {low AUC, low JSD, high AUC, high JSD} for a sample of this run's geometry, or null. The paper's
     * Table IV high-level values were made with the paper's (mid-2023) input set only, CaloDREAM's (the CaloChallenge
     * final results) with the challenge's set only: beside another set they would compare different tests.
     */
    private String[] paperTableIv(String sample, boolean high, String inputSet) {
        String madeWith = sample.equalsIgnoreCase("calodream") ? "challenge" : "paper";
        if (high && !inputSet.equals(madeWith)) return null;
        return PAPER_TABLE_IV.get((in.geometry() + " " + sample).toLowerCase(Locale.ROOT));
    }

    /** "Student speed-up over the teacher: ×a at batch b, ..." from the timing tables, or null. */
    private String studentSpeedUp() {
        if (in.timingCsvs() == null) return null;
        Map<String, Map<String, Double>> ms = new LinkedHashMap<>(); // batch -> variant -> ms
        for (Path p : in.timingCsvs()) {
            List<String[]> rows = Csv.read(p);
            if (rows.isEmpty()) continue;
            List<String> h = List.of(rows.get(0));
            int v = h.indexOf("variant"), m = h.indexOf("ms_per_shower"), b = h.indexOf("batch_size") >= 0 ? h.indexOf("batch_size") : h.indexOf("batch");
            if (v < 0 || m < 0 || b < 0) continue;
            for (String[] r : rows.subList(1, rows.size()))
                if (r.length > Math.max(v, Math.max(m, b)) && Double.isFinite(Csv.number(r[m]))) ms.computeIfAbsent(r[b], k -> new LinkedHashMap<>()).put(r[v], Csv.number(r[m]));
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Map<String, Double>> e : ms.entrySet()) {
            Double t = e.getValue().get("teacher"), s = e.getValue().get("student");
            if (t != null && s != null && s > 0) parts.add(String.format(Locale.ROOT, "×%.3g at batch %s (%.3g → %.3g ms per shower)", t / s, e.getKey(), t, s));
        }
        return parts.isEmpty() ? null : "Student speed-up over the teacher: " + String.join("; ", parts) + ".";
    }

    /** The configuration in a few lines: file and digest, architectures, epochs, distillation weights. */
    private List<String> configSummary() {
        List<String> out = new ArrayList<>();
        if (in.config() == null || !Files.isRegularFile(in.config())) return out;
        try {
            byte[] bytes = Files.readAllBytes(in.config());
            String sha = Sha256.of(bytes);
            out.add("Configuration " + in.config().getFileName() + " (SHA-256 " + sha.substring(0, 16) + "…, in full at the end).");
            JsonNode c = org.icaloflow.config.Yaml.mapper().readTree(bytes);
            List<String> arch = new ArrayList<>();
            c.path("architecture").fields().forEachRemaining(e -> arch.add(e.getKey() + " " + e.getValue().path("kind").asText("?") + " "
                    + e.getValue().path("blocks").asText("?") + "×(" + e.getValue().path("hiddenLayers").asText("?") + "×"
                    + e.getValue().path("hiddenWidth").asText("?") + ")"));
            if (!arch.isEmpty()) out.add("Architectures (blocks × (hidden layers × width)): " + String.join(", ", arch) + ".");
            List<String> ep = new ArrayList<>();
            c.path("training").fields().forEachRemaining(e -> ep.add(e.getKey() + " " + e.getValue().path("epochs").asText("?")
                    + " (batch " + e.getValue().path("batchSize").asText("?") + ")"));
            c.path("distillation").fields().forEachRemaining(e -> ep.add("student " + e.getKey() + " "
                    + e.getValue().path("training").path("epochs").asText("?") + " (batch " + e.getValue().path("training").path("batchSize").asText("?")
                    + ", β " + e.getValue().path("weights").path("beta").asText("?") + ")"));
            if (!ep.isEmpty()) out.add("Epochs: " + String.join(", ", ep) + ".");
        } catch (IOException | RuntimeException e) {
            out.add("Configuration " + in.config().getFileName() + " (not summarised: " + e.getMessage() + ").");
        }
        return out;
    }

    private void classifierSection() {
        Path csv = in.evaluationDir() == null ? null : find(in.evaluationDir(), "classifier.csv");
        heading("Classifier test (Table IV)");
        if (csv == null) {
            para("No classifier results in this run (evaluate without --classifier).");
            return;
        }
        ClassifierResults cr = ClassifierResults.read(csv);
        Map<String, List<double[]>> groups = cr.groups();
        Map<String, String[]> info = cr.info();
        Map<String, Double> controlAuc = cr.controlAuc();
        List<String> header = List.of("sample", "level", "input set", "showers per class", "runs", "AUC", "JSD", "paper AUC", "paper JSD");
        List<List<String>> table = new ArrayList<>();
        boolean anyUnderPowered = false;
        for (Map.Entry<String, List<double[]>> g : groups.entrySet()) {
            String[] key = g.getKey().split("\u0000");
            double[] auc = g.getValue().stream().mapToDouble(v -> v[0]).toArray();
            double[] jsd = g.getValue().stream().mapToDouble(v -> v[1]).toArray();
            Double ctl = controlAuc.get(key[1]);
            // not separated from a known distortion: this level's test cannot see differences of that size
            boolean underPowered = cr.underPowered(key[0], key[1]);
            anyUnderPowered |= underPowered;
            String flag = underPowered ? String.format(Locale.ROOT, "under-powered (control AUC %.2f)", ctl) : null;
            boolean high = key[1].toLowerCase(Locale.ROOT).startsWith("high");
            String[] inf = info.get(g.getKey());
            String set = cr.inputSet(g.getKey());
            String[] paper = paperTableIv(key[0], high, set);
            table.add(List.of(key[0], key[1], set, inf == null ? "" : inf[3], String.valueOf(auc.length),
                    flag != null ? flag : meanStd(auc), flag != null ? "under-powered" : meanStd(jsd),
                    paper == null ? "" : paper[high ? 2 : 0], paper == null ? "" : paper[high ? 3 : 1]));
        }
        table(header, table);
        para("AUC 0.5 and JSD 0 mean the classifier cannot tell generated from reference showers. Mean ± standard deviation over runs; the paper's values are for Geant4 references of 100k showers."
                + " Each test uses the same number of showers from both classes (the smaller count; the larger class subsampled with the run's seed), given in 'showers per class'."
                + " High-level input set: 'paper' = the mid-2023 evaluator of the paper's Table IV (1 + 5L inputs), 'challenge' = the CaloChallenge evaluator since 27 Nov 2023 (2 + 8L);"
                + " the paper's high-level values are printed only beside the 'paper' set."
                + " CaloDREAM's published values (row 'calodream') are the CaloChallenge 2022 final results, made with the 'challenge' set and printed only beside it.");
        if (!controlAuc.isEmpty()) {
            para("Control row ('control'): the simulation tested against itself distorted in a known way — the reference against the truth sample"
                    + " (where the run has one; else reference half A against the disjoint half B) with every voxel energy multiplied by 1.1 (E_inc unchanged),"
                    + " with the same classifier, runs and epochs and as many showers per class as the smallest test (halves: at most half the reference). A working test separates it (AUC ≥ 0.9). Where the control's mean AUC at a level is below 0.9,"
                    + " that level's classifier is under-powered (too few showers for its inputs): an AUC near 0.5 there would say nothing about the"
                    + " generator, so its AUCs and JSDs are marked 'under-powered' instead of printed as results."
                    + (anyUnderPowered ? " Some levels of this run are under-powered." : ""));
        }
    }

    /** Low-level AUC against ms per shower, this run's samples beside the published entries (issue 12 item 7). */
    private void fidelitySpeedSection() {
        Path csv = in.evaluationDir() == null ? null : find(in.evaluationDir(), "classifier.csv");
        if (csv == null || figure == null) return;
        List<List<String[]>> timings = new ArrayList<>();
        if (in.timingCsvs() != null) for (Path p : in.timingCsvs()) timings.add(Csv.read(p));
        List<FidelitySpeedFigure.Ours> ours = FidelitySpeedFigure.ours(Csv.read(csv), timings);
        ours.removeIf(o -> o.sample().equals("control"));
        heading("Fidelity against speed");
        if (!FidelitySpeedFigure.write(figure, in.geometry(), ours)) {
            para("No low-level classifier results to place against the published entries.");
            return;
        }
        image(figure, "Low-level classifier AUC against time per shower: this run (filled) and published entries (open, "
                + "dashed where no time is given)");
        para("Our time per shower is the fastest batch of this run's timing benchmark, on the device it ran on; the published "
                + "times are GPU times (paper Table V, CaloChallenge 2022 final results). Published AUCs are against Geant4 with "
                + "100k showers per class, ours against this run's reference. Sources: " + FidelitySpeedFigure.RESOURCE + " in the jar.");
    }

    /** FPD / KPD (×10³) from evaluation/fpd_kpd.csv when the evaluate stage wrote one. */
    private void fpdKpdSection() {
        Path csv = in.evaluationDir() == null ? null : find(in.evaluationDir(), "fpd_kpd.csv");
        if (csv == null) return;
        heading("FPD and KPD (high-level features)");
        List<String[]> rows = Csv.read(csv);
        List<String> h = List.of(rows.get(0));
        List<List<String>> t = new ArrayList<>();
        for (String[] r : rows.subList(1, rows.size())) {
            if (r.length < h.size()) continue;
            java.util.function.Function<String, String> c = k -> r[h.indexOf(k)];
            t.add(List.of(c.apply("sample"), c.apply("hlf_set"), c.apply("fpd") + " ± " + c.apply("fpd_err"), c.apply("kpd") + " ± " + c.apply("kpd_err"),
                    c.apply("showers_reference") + " / " + c.apply("showers_sample"), c.apply("fpd_min_n") + "–" + c.apply("fpd_max_n"), c.apply("kpd_batch")));
        }
        table(List.of("sample", "input set", "FPD ×10³", "KPD ×10³", "showers ref / sample", "FPD batch N", "KPD batch"), t);
        para("As the CaloChallenge evaluator with jetnet: features divided by max|x| over the reference; FPD = Fréchet distance extrapolated to N → ∞"
                + " (fit a + b/N over 10 batch sizes, 20 draws each), KPD = median unbiased MMD with the polynomial kernel (x·y/d + 1)^4 over 10 batches."
                + " The evaluator's batch sizes (FPD 10000–50000, KPD 10000) are clamped to the smaller sample where it is smaller (see 'FPD batch N').");
    }

    private void timingSection() {
        heading("Time per shower (Table V)");
        if (in.timingCsvs() == null || in.timingCsvs().isEmpty()) {
            para("No timing benchmark in this run (icaloflow bench sample).");
        } else {
            for (Path p : in.timingCsvs()) csvTable(p, true);
        }
        List<String> header = List.of("paper (TITAN V GPU / i9 CPU), ms", "1", "10", "100", "1000", "10000");
        List<List<String>> t = new ArrayList<>();
        for (Map.Entry<String, Map<Integer, String>> e : PAPER_TABLE_V.entrySet()) {
            List<String> row = new ArrayList<>(List.of(e.getKey()));
            for (int b : new int[]{1, 10, 100, 1000, 10000}) row.add(e.getValue().getOrDefault(b, ""));
            t.add(row);
        }
        table(header, t);
    }

    /** Separation powers as an observable × layer heat map per sample (files beside the report), the CSV linked. */
    private void separationSection() {
        heading("Separation powers");
        Path dir = in.evaluationDir();
        List<Path> csvs = dir == null ? List.of() : files(dir, p -> p.getFileName().toString().toLowerCase(Locale.ROOT).contains("separation")
                && p.toString().endsWith(".csv"));
        if (csvs.isEmpty()) {
            para("No separation powers in this run.");
            return;
        }
        for (Path p : csvs) {
            List<String[]> rows = Csv.read(p);
            String link = p.toAbsolutePath().toUri().toString();
            html.append("<p>Full table: <a href=\"").append(esc(link)).append("\">").append(esc(p.getFileName().toString()))
                    .append("</a> (").append(rows.size() - 1).append(" rows).</p>");
            md.append("Full table: [").append(p.getFileName()).append("](").append(p.toAbsolutePath()).append(") (")
                    .append(rows.size() - 1).append(" rows).\n\n");
            for (String sample : SeparationHeatMap.samples(rows)) {
                SeparationHeatMap.Values v = SeparationHeatMap.of(rows, sample);
                if (figure != null) {
                    Path png = figure.resolveSibling(figure.getFileName().toString().replace("_auc_vs_time.png", "")
                            + "_separation_" + sample.replaceAll("[^A-Za-z0-9_.-]", "_") + ".png");
                    if (SeparationHeatMap.write(png, "separation power, " + sample + " vs reference (log scale)", v))
                        image(png, sample + ": separation power per observable and layer (grey: not computed)");
                }
                if (!v.global().isEmpty()) {
                    List<List<String>> t = new ArrayList<>();
                    v.global().forEach((k, x) -> t.add(List.of(k, SeparationHeatMap.format(x))));
                    table(List.of(sample + ": observable", "separation power"), t);
                }
            }
        }
    }

    private void trainingSection() {
        heading("Training");
        if (in.trainingDirs() == null || in.trainingDirs().isEmpty()) {
            para("No training outputs given.");
            return;
        }
        for (Path d : in.trainingDirs()) {
            ModelFolder folder = new ModelFolder(d);
            Path manifest = folder.manifest();
            String title = d.getParent() == null ? d.getFileName().toString() : d.getParent().getFileName() + "/" + d.getFileName();
            String result = null;
            if (Files.isRegularFile(manifest)) {
                try {
                    var j = org.icaloflow.data.StageManifest.read(manifest);
                    if (j.has("stage") && j.has("flow")) title = j.get("stage").asText() + " flow " + j.get("flow").asText();
                    else if (j.has("stage") && j.has("network")) title = "CaloDREAM " + j.get("network").asText() + " network (" + j.get("stage").asText() + ")";
                    if (j.has("result")) result = j.get("result").toString();
                } catch (UserError ignored) {
                    // not readable: the folder name stays the title
                }
            }
            subheading(title);
            if (result != null) para(result);
            Path png = folder.lossPlot();
            if (Files.isRegularFile(png)) image(png, title + ": loss");
        }
    }

    /** The evaluation plots, grouped as a results section reads them. */
    static final List<String[]> PLOT_GROUPS = List.of(
            new String[]{"Energies", "etot", "e_layer", "mean_layer_energy"},
            new String[]{"Shower shapes", "ec_", "width_", "sparsity", "average_showers", "ring_boxes"},
            new String[]{"Voxel spectra", "voxel"},
            new String[]{"Classifier", "classifier", "weights", "auc", "roc"});

    private void plotsSection() {
        heading("Figures");
        Path dir = in.evaluationDir();
        List<Path> pngs = dir == null ? List.of() : files(dir, p -> p.toString().toLowerCase(Locale.ROOT).endsWith(".png"));
        if (pngs.isEmpty()) {
            para("No plots in this run.");
            return;
        }
        Map<String, List<Path>> groups = new LinkedHashMap<>();
        for (String[] g : PLOT_GROUPS) groups.put(g[0], new ArrayList<>());
        groups.put("Other", new ArrayList<>());
        for (Path p : pngs) {
            String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
            String group = "Other";
            for (String[] g : PLOT_GROUPS)
                for (int i = 1; i < g.length && group.equals("Other"); i++) if (name.startsWith(g[i]) || name.contains("_" + g[i])) group = g[0];
            groups.get(group).add(p);
        }
        for (Map.Entry<String, List<Path>> g : groups.entrySet()) {
            if (g.getValue().isEmpty()) continue;
            subheading(g.getKey());
            html.append("<div class=\"grid\">");
            for (Path p : g.getValue()) image(p, dir.relativize(p).toString());
            html.append("</div>");
        }
    }

    private void configSection() {
        heading("Configuration");
        if (in.config() == null || !Files.isRegularFile(in.config())) {
            para("(not given)");
            return;
        }
        try {
            String text = Files.readString(in.config());
            html.append("<pre>").append(esc(text)).append("</pre>");
            md.append("```yaml\n").append(text).append("\n```\n\n");
        } catch (IOException e) {
            para("(unreadable: " + e.getMessage() + ")");
        }
    }

    /** Layers shown in the closure table (1-based); the manifests hold all of them. */
    private static final int[] CLOSURE_LAYERS = {1, 2, 3, 5, 10, 15, 20, 25, 30, 35, 40, 45};

    /**
     * The layer closure of each generated sample (sample manifests' {@code layer_closure}, sample.LayerClosure):
     * generated layer sum / Flow-1's energy, which a well-trained shape flow keeps near 1.
     */
    private void closureSection() {
        List<Path> manifests = in.sampleManifests() == null ? List.of() : in.sampleManifests();
        List<String[]> samples = new ArrayList<>(); // variant, manifest
        List<JsonNode> closures = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (Path m : manifests) {
            JsonNode root;
            try {
                root = Json.MAPPER.readTree(m.toFile());
            } catch (IOException | RuntimeException e) {
                unreadable.add(m.toString());
                continue;
            }
            JsonNode c = root.path("layer_closure");
            if (!c.isObject()) continue; // older manifests or a stub
            JsonNode v = root.path("variants");
            String name = (v.path("flow2").asText("?").equals(v.path("flow3").asText("?")) ? v.path("flow2").asText("?")
                    : "flow2 " + v.path("flow2").asText("?") + ", flow3 " + v.path("flow3").asText("?"))
                    + (v.path("flow1").asText("").equals("cfm") ? "_cfm" : "");
            samples.add(new String[]{name, m.getFileName().toString()});
            closures.add(c);
        }
        if (closures.isEmpty() && unreadable.isEmpty()) return;
        heading("Layer closure");
        for (String u : unreadable) para("(sample manifest " + u + " unreadable)");
        if (closures.isEmpty()) return;
        para("r = generated layer sum / Flow-1's layer energy, per shower and layer with a non-zero Flow-1 energy. The shape "
                + "flows (Flow-2, Flow-3) generate voxel fractions that are not renormalised (as the authors' code), so a "
                + "well-trained flow keeps r near 1; \"off\": r < 1/2 or r > 2. A dead layer (every voxel at the noise level) "
                + "gives r ≈ 0.");
        List<List<String>> summary = new ArrayList<>();
        for (int i = 0; i < closures.size(); i++) {
            JsonNode c = closures.get(i);
            int worst = c.path("worst_layer").asInt();
            String w = "";
            for (JsonNode l : c.path("layers")) {
                if (l.path("layer").asInt() == worst) {
                    w = String.format(Locale.ROOT, "%d (%.1f %% off, median %.3f)", worst,
                            100 * (l.path("below_half").asDouble() + l.path("above_double").asDouble()), l.path("median").asDouble());
                }
            }
            summary.add(List.of(samples.get(i)[0], percent(c.path("off_fraction")), w));
        }
        table(List.of("sample", "layers off", "worst layer"), summary);
        List<String> header = new ArrayList<>(List.of("layer"));
        for (String[] sm : samples) header.add(sm[0] + ": median [q10, q90], below 1/2 / above 2");
        List<List<String>> rows = new ArrayList<>();
        for (int layer : CLOSURE_LAYERS) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(layer)));
            boolean any = false;
            for (JsonNode c : closures) {
                String cell = "";
                for (JsonNode l : c.path("layers")) {
                    if (l.path("layer").asInt() == layer && l.path("showers").asLong() > 0) {
                        any = true;
                        cell = String.format(Locale.ROOT, "%.3f [%.3f, %.3f], %s / %s", l.path("median").asDouble(),
                                l.path("q10").asDouble(), l.path("q90").asDouble(), percent(l.path("below_half")), percent(l.path("above_double")));
                    }
                }
                row.add(cell);
            }
            if (any) rows.add(row);
        }
        table(header, rows);
    }

    private static String percent(JsonNode v) {
        return v.isNumber() ? String.format(Locale.ROOT, "%.1f %%", 100 * v.asDouble()) : "–";
    }

    // ----------------------------------------------------------------- helpers

    private void heading(String s) {
        Markup.heading(html, md, s);
    }

    private void subheading(String s) {
        Markup.subheading(html, md, s);
    }

    private void para(String s) {
        Markup.para(html, md, s);
    }

    private void image(Path png, String caption) {
        try {
            String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(png));
            html.append("<figure><img alt=\"").append(esc(caption)).append("\" src=\"data:image/png;base64,").append(b64)
                    .append("\"><figcaption>").append(esc(caption)).append("</figcaption></figure>");
            md.append("![").append(caption).append("](").append(png.toAbsolutePath()).append(")\n\n");
        } catch (IOException e) {
            para("(image " + png + " unreadable)");
        }
    }

    private void table(List<String> header, List<List<String>> rows) {
        Markup.table(html, md, header, rows);
    }

    /** A CSV as a table (at most 200 rows); {@code significant}: non-integer numbers at 3 significant figures. */
    private void csvTable(Path csv, boolean significant) {
        List<String[]> rows = Csv.read(csv);
        if (rows.isEmpty()) return;
        subheading(csv.getFileName().toString());
        List<List<String>> body = new ArrayList<>();
        for (String[] r : rows.subList(1, Math.min(rows.size(), 201))) {
            List<String> cells = new ArrayList<>();
            for (String c : r) cells.add(significant ? threeFigures(c) : c);
            body.add(cells);
        }
        table(List.of(rows.get(0)), body);
        if (rows.size() > 201) para("(" + (rows.size() - 201) + " more rows in " + csv.getFileName() + ")");
    }

    /** ms_per_shower_VARIANT_bBATCH from timing tables (columns variant, batch_size or batch, ms_per_shower). */
    public static Map<String, Double> timingMetrics(List<Path> timing) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Path p : timing) {
            if (!Files.isRegularFile(p)) continue;
            List<String[]> rows = Csv.read(p);
            if (rows.isEmpty()) continue;
            List<String> h = List.of(rows.get(0));
            int v = h.indexOf("variant"), ms = h.indexOf("ms_per_shower"), b = h.indexOf("batch_size") >= 0 ? h.indexOf("batch_size") : h.indexOf("batch");
            if (v < 0 || ms < 0 || b < 0) continue;
            for (String[] c : rows.subList(1, rows.size()))
                if (c.length > Math.max(v, Math.max(ms, b)) && Double.isFinite(Csv.number(c[ms]))) m.put("ms_per_shower_" + c[v] + "_b" + c[b], Csv.number(c[ms]));
        }
        return m;
    }

    /** A number that is not an integer, at 3 significant figures; anything else unchanged. */
    static String threeFigures(String cell) {
        String t = cell.trim();
        if (t.isEmpty() || t.matches("-?\\d+")) return cell;
        try {
            double x = Double.parseDouble(t);
            if (!Double.isFinite(x)) return cell;
            double a = Math.abs(x);
            if (a != 0 && (a >= 1e5 || a < 1e-3)) return String.format(Locale.ROOT, "%.2e", x);
            return new java.math.BigDecimal(x).round(new java.math.MathContext(3)).toPlainString();
        } catch (NumberFormatException e) {
            return cell;
        }
    }

    private static Path find(Path dir, String name) {
        List<Path> l = files(dir, p -> p.getFileName().toString().equals(name));
        return l.isEmpty() ? null : l.get(0);
    }

    private static List<Path> files(Path dir, java.util.function.Predicate<Path> keep) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {   // staged inputs are links
            return s.filter(Files::isRegularFile).filter(keep).sorted().toList();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list (" + e.getMessage() + ")");
        }
    }

    static String meanStd(double[] v) {
        return String.format(Locale.ROOT, "%.3f ± %.3f", Csv.mean(v), Csv.std(v));
    }

    static String esc(String s) {
        return Markup.esc(s);
    }
}
