package org.icaloflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.icaloflow.data.Json;
import org.icaloflow.data.TestFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class EvaluateCommandTest {

    @TempDir
    static Path dir;
    static Path a, b, high;

    @BeforeAll
    static void synth() {
        a = dir.resolve("a.hdf5");
        b = dir.resolve("b.hdf5");
        high = dir.resolve("high.hdf5");
        assertEquals(0, Main.execute("synth", "-g", "ds2", "-n", "80", "--seed", "1", "--out", a.toString()));
        assertEquals(0, Main.execute("synth", "-g", "ds2", "-n", "80", "--seed", "2", "--out", b.toString()));
        assertEquals(0, Main.execute("synth", "-g", "ds2", "-n", "80", "--seed", "3", "--min-energy", "100000",
                "--out", high.toString()));
    }

    /** observable → sample → separation power, from separation_power.csv. */
    static Map<String, Map<String, Double>> read(Path csv) throws Exception {
        Map<String, Map<String, Double>> m = new HashMap<>();
        List<String> lines = Files.readAllLines(csv);
        assertEquals("observable,sample,separation_power", lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            m.computeIfAbsent(f[0], k -> new HashMap<>()).put(f[1], Double.parseDouble(f[2]));
        }
        return m;
    }

    @Test
    void writesHistogramsSeparationPowersPlotsAndSummary() throws Exception {
        Path out = dir.resolve("eval");
        PrintStream old = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int rc;
        System.setOut(new PrintStream(printed, true));
        try {
            rc = Main.execute("evaluate", "-g", "ds2", "--reference", a.toString(), "--generated", "self=" + a,
                    "--generated", "other=" + b, "--generated", "high=" + high, "--batch", "50", "--out", out.toString());
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc);
        assertTrue(printed.toString().contains("E_layer"), "prints the table: " + printed);

        Map<String, Map<String, Double>> sp = read(out.resolve("separation_power.csv"));
        assertEquals(1 + 45 * 8 + 1 + 45, sp.size(), "E_tot/E_inc, 8 features x 45 layers, voxel spectra");
        double other = 0, hi = 0;
        for (var e : sp.values()) {
            assertEquals(0.0, e.get("self"), 0.0, "a sample against itself");
            other += e.get("other");
            hi += e.get("high");
        }
        assertTrue(other > 0, "another seed differs by statistical fluctuations");
        assertTrue(hi > 1.5 * other, "a visibly different energy range separates more: " + hi + " vs " + other);
        assertTrue(sp.get("Etot_Einc").get("other") < 0.5);

        // histograms: densities integrate to one over the range, reference and every sample
        List<String> h = Files.readAllLines(out.resolve("histograms.csv"));
        assertEquals("observable,bin_low,bin_high,reference,self,other,high", h.get(0));
        double[] integral = new double[4];
        int rows = 0;
        for (String line : h) {
            String[] f = line.split(",");
            if (!f[0].equals("EC_eta_10")) continue;
            rows++;
            double w = Double.parseDouble(f[2]) - Double.parseDouble(f[1]);
            for (int k = 0; k < 4; k++) integral[k] += Double.parseDouble(f[3 + k]) * w;
        }
        assertEquals(100, rows, "EC: linspace(-30, 30, 101)");
        for (double v : integral) assertEquals(1.0, v, 1e-9);

        JsonNode s = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
        assertEquals("ds2", s.get("geometry").asText());
        assertEquals(80, s.get("reference").get("showers").asLong());
        assertEquals(0.0, s.get("samples").get("self").get("separation_power_mean_all").asDouble(), 0.0);
        assertTrue(s.get("samples").get("high").get("separation_power_mean").get("E_layer").asDouble()
                > s.get("samples").get("other").get("separation_power_mean").get("E_layer").asDouble());

        // FPD/KPD (x10^3) on the challenge high-level rows, batch sizes clamped to the 80 showers
        List<String> fk = Files.readAllLines(out.resolve("fpd_kpd.csv"));
        assertEquals(org.icaloflow.evaluate.FpdKpdRun.HEADER, fk.get(0));
        assertEquals(4, fk.size(), "one row per sample: " + fk);
        Map<String, String[]> fkRows = new java.util.HashMap<>();
        for (String line : fk.subList(1, fk.size())) fkRows.put(line.split(",")[0], line.split(","));
        assertEquals("challenge", fkRows.get("high")[5]);
        assertEquals("80", fkRows.get("high")[9], "FPD's largest batch clamped to the available showers");
        assertTrue(Double.parseDouble(fkRows.get("high")[1]) > Double.parseDouble(fkRows.get("other")[1]),
                "another energy range is further in FPD than another seed: " + fk);
        assertTrue(Double.parseDouble(fkRows.get("high")[3]) > Double.parseDouble(fkRows.get("other")[3]), "and in KPD: " + fk);
        assertEquals(Double.parseDouble(fkRows.get("high")[1]), s.get("fpd_kpd").get("high").get("fpd_x1e3").asDouble(), 1e-5 * Math.abs(Double.parseDouble(fkRows.get("high")[1])));

        JsonNode m = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        assertEquals("evaluate", m.get("stage").asText());
        assertEquals(4, m.get("inputs").size(), "reference and three samples, with hashes");
        assertEquals(64, m.get("inputs").get(0).get("sha256").asText().length());

        for (String png : List.of("Etot_Einc", "E_layer", "E_layer_all", "mean_layer_energy", "voxel_E", "sparsity", "EC_eta",
                "EC_phi", "width_eta", "width_phi", "EC_r", "width_r", "average_showers", "ring_boxes")) {
            BufferedImage img = ImageIO.read(out.resolve("plots").resolve(png + ".png").toFile());
            assertNotNull(img, png + ".png is a readable image");
            assertTrue(img.getWidth() > 300 && img.getHeight() > 300);
            assertTrue(colours(img) > 5, png + ".png has content");
        }
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temp files left");
        }
    }

    private static int colours(BufferedImage img) {
        java.util.Set<Integer> c = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) for (int x = 0; x < img.getWidth(); x += 3) c.add(img.getRGB(x, y));
        return c.size();
    }

    @Test
    void histogramsDoNotDependOnThreadsOrBatchSize() throws Exception {
        Path one = dir.resolve("t1"), three = dir.resolve("t3");
        assertEquals(0, Main.execute("evaluate", "--fpd-kpd", "false", "-g", "ds2", "--reference", a.toString(), "--generated", "x=" + high,
                "--threads", "1", "--batch", "80", "--no-plots", "--out", one.toString()));
        assertEquals(0, Main.execute("evaluate", "--fpd-kpd", "false", "-g", "ds2", "--reference", a.toString(), "--generated", "x=" + high,
                "--threads", "3", "--batch", "13", "--no-plots", "--out", three.toString()));
        for (String f : List.of("histograms.csv", "separation_power.csv"))
            assertEquals(Files.readString(one.resolve(f)), Files.readString(three.resolve(f)), f);
        assertFalse(Files.exists(one.resolve("plots")), "--no-plots");
    }

    @Test
    void badInputIsOneLineExitTwo() throws Exception {
        Path out = dir.resolve("bad");
        String missing = dir.resolve("missing.hdf5").toString();
        assertBad("missing.hdf5", "evaluate", "-g", "ds2", "--reference", missing, "--generated", "x=" + a, "--no-plots", "--out", out.toString());
        assertBad("missing.hdf5", "evaluate", "-g", "ds2", "--reference", a.toString(), "--generated", "x=" + missing, "--out", out.toString());
        assertBad("needs 40500", "evaluate", "-g", "ds3", "--reference", a.toString(), "--generated", "x=" + b, "--out", out.toString());
        assertBad("NAME=FILE", "evaluate", "-g", "ds2", "--reference", a.toString(), "--generated", b.toString(), "--out", out.toString());
        assertBad("twice", "evaluate", "-g", "ds2", "--reference", a.toString(), "--generated", "x=" + b, "--generated", "x=" + high, "--out", out.toString());
        assertBad("levels are low and high", "evaluate", "-g", "ds2", "--reference", a.toString(), "--generated", "x=" + b,
                "--classifier", "low,medium", "--no-plots", "--out", out.toString());
        assertBad("need --classifier", "evaluate", "-g", "ds2", "--reference", a.toString(), "--generated", "x=" + b,
                "--runs", "3", "--out", out.toString());
        assertBad("reserved", "evaluate", "-g", "ds2", "--reference", a.toString(), "--generated", "control=" + b,
                "--no-plots", "--out", out.toString());
        assertBad("geometry", "features", "-g", "ds4", "--input", a.toString(), "--out", dir.resolve("f.csv").toString());
        Path bad = TestFiles.raw(dir.resolve("narrow.hdf5"), TestFiles.column(1000, 2000), TestFiles.showers(2, 100, 1f));
        assertBad("narrow.hdf5", "features", "-g", "ds2", "--input", bad.toString(), "--out", dir.resolve("f.csv").toString());
        assertFalse(Files.exists(out.resolve("summary.json")));
    }

    static void assertBad(String mention, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        int rc;
        try {
            var cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true));
            rc = cl.execute(args);
        } finally {
            System.setErr(old);
        }
        String e = err.toString().strip();
        assertEquals(2, rc, e);
        assertTrue(e.startsWith("icaloflow: error: ") && e.contains(mention), e);
        assertEquals(1, e.lines().count(), "one line: " + e);
    }

    @Test
    void classifierTestWritesTableFourRowsAndTellsDifferentSamplesApart() throws Exception {
        Path out = dir.resolve("cls");
        assertEquals(0, Main.execute("evaluate", "--fpd-kpd", "false", "-g", "ds2", "--reference", a.toString(), "--generated", "other=" + b,
                "--generated", "high=" + high, "--no-plots", "--classifier", "low,high", "--runs", "2", "--epochs", "8",
                "--classifier-width", "32", "--classifier-layers", "2", "--out", out.toString()));
        List<String> rows = Files.readAllLines(out.resolve("classifier.csv"));
        assertEquals("sample,level,run,auc,jsd", rows.get(0));
        assertEquals(1 + 3 * 2 * 2, rows.size(), "two samples and the control row x two levels x two runs");
        assertEquals(2, rows.stream().filter(r -> r.startsWith("control,low,")).count(), "the control row at each level, same runs");
        assertEquals("sample,level,hlf_set,showers_per_class,control_auc", Files.readAllLines(out.resolve("classifier_info.csv")).get(0));
        // control: n = min(floor(80 / 2), 80) = 40 showers per half
        assertTrue(Files.readAllLines(out.resolve("classifier_info.csv")).stream().anyMatch(l -> l.startsWith("control,high,challenge,40,")));
        double highAuc = rows.stream().filter(r -> r.startsWith("high,high,")).mapToDouble(r -> Double.parseDouble(r.split(",")[3])).average().orElseThrow();
        // a third of the reference lies in 100 GeV - 1 TeV too, so the best possible AUC is about 0.83
        assertTrue(highAuc > 0.7, "showers of 100 GeV - 1 TeV only are told apart from 1 GeV - 1 TeV: AUC " + highAuc);
        assertTrue(Files.exists(out.resolve("classifier_weight_tails.csv")));
        assertTrue(Files.exists(out.resolve("classifier_weights_other_low.csv")));
        assertNotNull(ImageIO.read(out.resolve("plots/classifier_weights.png").toFile()), "the weights plot is a valid PNG");
    }
}
