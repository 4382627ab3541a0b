package org.icaloflow.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.icaloflow.calodream.EnergyCheckpoint;
import org.icaloflow.calodream.EnergyData;
import org.icaloflow.calodream.EnergyModel;
import org.icaloflow.calodream.EnergySampler;
import org.icaloflow.cfm.EnergyRatios;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.Json;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.train.ModelFolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code icaloflow dream train --network energy} end to end on a few hundred synthetic DS2 showers with the tiny
 * configs/test.yaml network: the output folder, resume after a kill, sampling the trained model, bad input.
 */
class DreamCommandTest {
    static {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    static final String CFG = "configs/test.yaml";

    @TempDir
    static Path dir;
    static Path showers;

    @BeforeAll
    static void synth() {
        showers = dir.resolve("showers.hdf5");
        assertEquals(0, Main.execute("synth", "-g", "ds2", "--events", "300", "--seed", "21", "--out", showers.toString()));
    }

    static String[] train(Path out, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("dream", "train", "--network", "energy", "-i", showers.toString(),
                "-c", CFG, "-o", out.toString(), "--threads", "1"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    static double bestSelection(Path out) throws Exception {
        return Json.read(out.resolve(ModelFolder.MANIFEST)).at("/result/best_select_loss").asDouble(Double.NaN);
    }

    @Test
    void trainsResumesAndSamplesTheEnergyNetwork() throws Exception {
        Path a = dir.resolve("a");
        assertEquals(0, Main.execute(train(a)));
        for (String f : List.of("model/energy.json", "model/params.bin", "checkpoint/state.json", "checkpoint/model/energy.json",
                ModelFolder.HISTORY, ModelFolder.LOSS_PNG, ModelFolder.MANIFEST, "dream-train.journal.jsonl"))
            assertTrue(Files.isRegularFile(a.resolve(f)), f);
        JsonNode man = Json.read(a.resolve(ModelFolder.MANIFEST));
        assertEquals("dream-train", man.path("stage").asText());
        assertEquals(60, man.at("/showers/select").asInt());   // valFraction 0.2 of 300
        assertEquals(240, man.at("/showers/train").asInt());
        assertEquals(45, man.at("/settings/positions").asInt());
        assertEquals("cosine", man.at("/training/schedule/type").asText());
        // 3 epochs of ceil(240/64) = 4 batches; one selection row per epoch
        assertEquals(12, man.at("/result/steps").asLong());
        List<String> hist = Files.readAllLines(a.resolve(ModelFolder.HISTORY));
        assertEquals(3, hist.stream().filter(l -> l.startsWith("select,")).count(), String.join("\n", hist));
        double best = bestSelection(a);
        assertTrue(Double.isFinite(best) && best > 0, "best " + best);
        double first = Double.parseDouble(hist.stream().filter(l -> l.startsWith("select,")).findFirst().orElseThrow().split(",")[3]);
        assertTrue(best <= first, "the kept model is the best selection: " + best + " vs first " + first);

        // killed after 5 steps (inside epoch 2; the checkpoint is epoch 1's end), then resumed: the same run
        Path b = dir.resolve("b");
        assertEquals(0, Main.execute(train(b, "--stop-after-steps", "5")));
        assertFalse(Files.exists(b.resolve(ModelFolder.MANIFEST)), "a stopped run writes no manifest");
        assertEquals(0, Main.execute(train(b, "--resume")));
        JsonNode manB = Json.read(b.resolve(ModelFolder.MANIFEST));
        assertTrue(manB.at("/result/resumed").asBoolean());
        assertEquals(12, manB.at("/result/steps").asLong());
        assertEquals(best, bestSelection(b), 1e-4 * best, "resumed vs uninterrupted best selection loss");

        // sampling the trained model: layer energies finite, non-negative, summing to at most f * E_inc
        double[] eInc = new double[40];
        for (int i = 0; i < eInc.length; i++) eInc[i] = 1e3 * Math.pow(1e3, (i + 0.5) / eInc.length);
        double dataU0 = meanU0(showers);
        try (NDManager root = NDManager.newBaseManager();
             EnergyModel m = EnergyCheckpoint.load(a.resolve(ModelFolder.MODEL), root)) {
            double[] e = EnergySampler.sampleLayerEnergies(m, eInc, 5, 8, 16);
            assertEquals(eInc.length * 45, e.length);
            double meanU0 = 0;
            for (int r = 0; r < eInc.length; r++) {
                double sum = 0;
                for (int l = 0; l < 45; l++) {
                    double v = e[r * 45 + l];
                    assertTrue(Double.isFinite(v) && v >= 0, "shower " + r + " layer " + l + ": " + v);
                    sum += v;
                }
                assertTrue(sum <= EnergyRatios.CALODREAM_F * eInc[r] * (1 + 1e-9), "shower " + r + ": " + sum + " > f E_inc");
                meanU0 += sum / (EnergyRatios.CALODREAM_F * eInc[r]) / eInc.length;
            }
            // a stub (zeros, or the inverse without the encoding) fails this: u_0 = sum/(f E_inc) near the data's
            assertEquals(dataU0, meanU0, 0.1, "mean sampled u_0 vs the showers'");
            assertArrayEquals(e, EnergySampler.sampleLayerEnergies(m, eInc, 5, 8, 16), "same seed, same draws");
            assertFalse(java.util.Arrays.equals(e, EnergySampler.sampleLayerEnergies(m, eInc, 6, 8, 16)));
        }
    }

    static double meanU0(Path file) {
        try (ShowerSource s = ShowerSource.open(List.of(file), Geometry.ds2())) {
            EnergyData.Showers sh = EnergyData.read(s);
            double[] u = EnergyRatios.calodream().ratios(sh.layerEnergiesMeV(), sh.eIncMeV());
            double m = 0;
            for (int i = 0; i < sh.size(); i++) m += u[i * 45] / sh.size();
            return m;
        }
    }

    @Test
    void badInputIsOneLineWithExitCodeTwoAndNoOutput() throws Exception {
        String text = Files.readString(Path.of(CFG));
        int at = text.indexOf("\ncalodream:"), end = text.indexOf("\ntracking:");
        assertTrue(at > 0 && end > at);
        Path none = dir.resolve("none.yaml");
        Files.writeString(none, text.substring(0, at) + text.substring(end));
        Path heads = dir.resolve("heads.yaml");
        Files.writeString(heads, text.replace("    heads: 2\n", "    heads: 5\n"));
        Path noTraining = dir.resolve("notraining.yaml");
        Files.writeString(noTraining, text.replace("  training:\n    energy:\n", "  trainingx:\n    energy:\n"));
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        String[] lines;
        try {
            var cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true));
            Path out = dir.resolve("bad");
            lines = new String[5];
            for (int k = 0; k < 5; k++) {
                String[] args = switch (k) {
                    case 0 -> withConfig(none, out);
                    case 1 -> withConfig(heads, out);
                    case 2 -> withConfig(noTraining, out);
                    case 3 -> new String[]{"dream", "train", "--network", "voxels", "-i", showers.toString(), "-c", CFG, "-o", out.toString()};
                    default -> new String[]{"dream", "train", "--network", "energy", "-i", dir.resolve("nope.hdf5").toString(), "-c", CFG, "-o", out.toString()};
                };
                err.reset();
                assertEquals(2, cl.execute(args), "case " + k + ": " + err);
                lines[k] = err.toString().strip();
                assertEquals(1, lines[k].lines().count(), "case " + k + ": one line: " + lines[k]);
                assertFalse(lines[k].contains("Exception"), lines[k]);
                assertFalse(Files.exists(out), "case " + k + ": no output folder");
            }
        } finally {
            System.setErr(old);
        }
        assertTrue(lines[0].contains(none.toString()) && lines[0].contains("calodream"), lines[0]);
        assertTrue(lines[1].contains(heads.toString()) && lines[1].contains("calodream.energy"), lines[1]);
        assertTrue(lines[2].contains(noTraining.toString()) && lines[2].contains("calodream.trainingx"), lines[2]);
        assertTrue(lines[3].contains("--network"), lines[3]);
        assertTrue(lines[4].contains("nope.hdf5"), lines[4]);
    }

    static String[] withConfig(Path cfg, Path out) {
        return new String[]{"dream", "train", "--network", "energy", "-i", showers.toString(), "-c", cfg.toString(), "-o", out.toString()};
    }
}
