package org.icaloflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.icaloflow.data.Sha256;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerFile;
import org.icaloflow.data.StageManifest;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.preprocess.ShowerEncoding;
import org.icaloflow.sample.SamplerTestAccess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SampleCommandTest {
    static {
        SamplerTestAccess.singleThreaded();
    }

    @TempDir
    static Path models;

    @TempDir
    Path dir;

    static Path f1, t2, s2, t3, s3;

    @BeforeAll
    static void saveModels() {
        f1 = SamplerTestAccess.save(models.resolve("f1"), 1, FlowKind.MAF, 1);
        t2 = SamplerTestAccess.save(models.resolve("t2"), 2, FlowKind.MAF, 2);
        s2 = SamplerTestAccess.save(models.resolve("s2"), 2, FlowKind.IAF, 3);
        t3 = SamplerTestAccess.save(models.resolve("t3"), 3, FlowKind.MAF, 4);
        s3 = SamplerTestAccess.save(models.resolve("s3"), 3, FlowKind.IAF, 5);
    }

    private static String[] args(Path flow2, Path flow3, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("sample", "--geometry", "ds2", "--flow1", f1.toString(),
                "--flow2", flow2.toString(), "--flow3", flow3.toString(), "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static ShowerBatch read(Path p, int n) throws Exception {
        try (ShowerFile f = ShowerFile.open(p, Geometry.ds2())) {
            assertEquals(n, f.size());
            return f.read(0, n);
        }
    }

    private static void assertValid(ShowerBatch b, double threshold) {
        for (float v : b.showersMeV()) {
            assertTrue(Float.isFinite(v) && v >= 0, "finite and non-negative");
            assertTrue(v == 0 || v >= threshold, "thresholded");
        }
    }

    @Test
    void studentRunIsReproducibleAndWritesManifestAndProxies() throws Exception {
        Path a = dir.resolve("a.hdf5"), b = dir.resolve("b.hdf5"), c = dir.resolve("c.hdf5");
        Path prox = dir.resolve("proxies.csv");
        assertEquals(0, Main.execute(args(s2, s3, a, "--events", "10", "--seed", "9", "--batch", "3",
                "--proxies", prox.toString())));
        assertEquals(0, Main.execute(args(s2, s3, b, "--events", "10", "--seed", "9", "--batch", "3")));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "same seed and batch: same bytes");
        assertEquals(0, Main.execute(args(s2, s3, c, "--events", "10", "--seed", "9", "--batch", "7", "--renormalise")));
        ShowerBatch x = read(a, 10), y = read(c, 10);
        assertValid(x, ShowerEncoding.THRESHOLD_MEV);
        assertArrayEquals(x.incidentEnergyMeV(), y.incidentEnergyMeV());
        for (double e : x.incidentEnergyMeV()) assertTrue(e >= 1e3 && e <= 1e6);

        // proxies: one row per shower; with --renormalise (batch 7) the layer sums are the proxies, up to
        // the threshold cut and float32 rounding of the other batch size
        List<String> lines = Files.readAllLines(prox);
        assertEquals(11, lines.size());
        for (int i = 0; i < 10; i++) {
            String[] f = lines.get(i + 1).split(",");
            assertEquals(46, f.length);
            assertEquals(x.incidentEnergyMeV()[i], Double.parseDouble(f[0]));
            for (int l = 0; l < 45; l++) {
                double sum = 0;
                for (int v = 0; v < 144; v++) sum += y.voxel(i, l * 144 + v);
                double p = Double.parseDouble(f[1 + l]);
                assertTrue(sum <= p * (1 + 1e-4) + 1e-3 && sum >= p * 0.999 - 144 * ShowerEncoding.THRESHOLD_MEV,
                        "row " + i + " layer " + l + ": " + sum + " vs proxy " + p);
            }
        }

        JsonNode m = StageManifest.read(dir.resolve("a.manifest.json"));
        assertEquals("sample", m.path("stage").asText());
        assertEquals(9, m.path("settings").path("seed").asLong());
        assertEquals("student", m.path("variants").path("flow3").asText());
        assertEquals(10, m.path("counts").path("showers").asInt());
        assertEquals(Sha256.of(s3.resolve("model/params.bin")),
                m.path("models").path("flow3").path("params_sha256").asText());
        assertEquals("MAF", m.path("models").path("flow1").path("kind").asText());
        // layer closure (generated layer sum / Flow-1 energy): every layer listed, counts within the showers;
        // renormalised layers never exceed Flow-1's energy, so none of them is above twice it
        JsonNode closure = m.path("layer_closure");
        assertEquals(45, closure.path("layers").size());
        double off = closure.path("off_fraction").asDouble(-1);
        assertTrue(off >= 0 && off <= 1, "off fraction " + off);
        for (JsonNode l : closure.path("layers")) assertTrue(l.path("showers").asInt() <= 10);
        for (JsonNode l : StageManifest.read(dir.resolve("c.manifest.json")).path("layer_closure").path("layers")) {
            if (l.path("showers").asInt() > 0) assertEquals(0.0, l.path("above_double").asDouble(), "layer " + l.path("layer"));
        }
        assertTrue(Files.isRegularFile(dir.resolve("a.journal.jsonl")), "tracking journal");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary files left");
        }
    }

    @Test
    void teacherStudentMixesRunWithEnergiesFromAFile() throws Exception {
        Path golden = Path.of("src/test/resources/golden/ds2_first50.hdf5");
        double[] want;
        try (ShowerFile f = ShowerFile.open(golden, Geometry.ds2())) {
            want = f.read(0, 2).incidentEnergyMeV();
        }
        Path a = dir.resolve("ts.hdf5"), b = dir.resolve("st.hdf5");
        assertEquals(0, Main.execute(args(t2, s3, a, "--energies", golden.toString(), "--events", "2", "--threshold", "0.1")));
        assertEquals(0, Main.execute(args(s2, t3, b, "--energies", golden.toString(), "--events", "2")));
        ShowerBatch x = read(a, 2), y = read(b, 2);
        assertArrayEquals(want, x.incidentEnergyMeV());
        assertValid(x, 0.1);
        assertValid(y, ShowerEncoding.THRESHOLD_MEV);
        assertEquals("teacher", StageManifest.read(dir.resolve("ts.manifest.json")).path("variants").path("flow2").asText());
        assertEquals("teacher", StageManifest.read(dir.resolve("st.manifest.json")).path("variants").path("flow3").asText());
    }

    @Test
    void badModelsAreOneLineErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        Path out = dir.resolve("bad.hdf5");
        // Flow-3 given as Flow-2: condition width 191 expected
        assertEquals(2, cl.execute(args(s2, s2, out, "--events", "2")));
        String msg = err.toString();
        assertTrue(msg.contains("icaloflow: error:") && msg.contains("flow3") && msg.contains("191"), msg);
        err.reset();
        assertEquals(2, cl.execute(args(s2, dir.resolve("nothing"), out, "--events", "2")));
        assertTrue(err.toString().contains("--flow3") && err.toString().contains("not a flow model folder"), err.toString());
        err.reset();
        assertEquals(2, cl.execute(args(s2, s3, out, "--events", "2", "--geometry", "ds3")));
        assertTrue(err.toString().contains("ds3"), err.toString());
        err.reset();
        assertEquals(2, cl.execute(args(s2, s3, out, "--events", "2", "--threshold", "-1")));
        assertTrue(err.toString().contains("--threshold"), err.toString());
        assertFalse(Files.exists(out));
    }
}
