package org.icaloflow.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.jhdf.HdfFile;
import org.icaloflow.calodream.DreamSampleStage;
import org.icaloflow.calodream.DreamSampler;
import org.icaloflow.calodream.EnergyCheckpoint;
import org.icaloflow.calodream.EnergyModel;
import org.icaloflow.calodream.ShapeCheckpoint;
import org.icaloflow.calodream.ShapeModel;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.IncidentEnergies;
import org.icaloflow.data.Json;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.preprocess.ShowerEncoding;
import org.icaloflow.train.ModelFolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code icaloflow dream train --network shape} and {@code icaloflow dream sample} end to end on 300 synthetic DS2
 * showers with the tiny configs/test.yaml networks: the training folder, resume after a kill, 20 sampled showers
 * (CaloChallenge keys and shapes, layer sums, threshold, the evaluator's reader), and bad input.
 */
class DreamShapeCommandTest {
    static {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    static final String CFG = "configs/test.yaml";

    @TempDir
    static Path dir;
    static Path showers, energy, shape;

    @BeforeAll
    static void synthAndTrain() {
        showers = dir.resolve("showers.hdf5");
        assertEquals(0, Main.execute("synth", "-g", "ds2", "--events", "300", "--seed", "22", "--out", showers.toString()));
        energy = dir.resolve("energy");
        assertEquals(0, Main.execute(train("energy", energy)));
        shape = dir.resolve("shape");
        assertEquals(0, Main.execute(train("shape", shape)));
    }

    static String[] train(String network, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("dream", "train", "--network", network, "-i", showers.toString(),
                "-c", CFG, "-o", out.toString(), "--threads", "1"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void trainsAndResumesTheShapeNetwork() throws Exception {
        for (String f : List.of("model/shape.json", "model/params.bin", "model/encoding.bin", "checkpoint/state.json",
                "checkpoint/model/shape.json", ModelFolder.HISTORY, ModelFolder.LOSS_PNG, ModelFolder.MANIFEST, "dream-train.journal.jsonl"))
            assertTrue(Files.isRegularFile(shape.resolve(f)), f);
        JsonNode man = Json.read(shape.resolve(ModelFolder.MANIFEST));
        assertEquals("dream-train", man.path("stage").asText());
        assertEquals("shape", man.path("network").asText());
        assertEquals(60, man.at("/showers/select").asInt());
        assertEquals(240, man.at("/showers/train").asInt());
        assertEquals(45, man.at("/settings/layers").asInt());
        assertEquals(46, man.at("/settings/conditionDim").asInt());
        assertEquals(8, man.at("/result/steps").asLong());   // 2 epochs of ceil(240/64) = 4 batches
        double best = man.at("/result/best_select_loss").asDouble(Double.NaN);
        assertTrue(Double.isFinite(best) && best > 0, "best " + best);

        Path b = dir.resolve("b");
        assertEquals(0, Main.execute(train("shape", b, "--stop-after-steps", "5")));
        assertFalse(Files.exists(b.resolve(ModelFolder.MANIFEST)), "a stopped run writes no manifest");
        assertEquals(0, Main.execute(train("shape", b, "--resume")));
        JsonNode manB = Json.read(b.resolve(ModelFolder.MANIFEST));
        assertTrue(manB.at("/result/resumed").asBoolean());
        assertEquals(8, manB.at("/result/steps").asLong());
        assertEquals(best, manB.at("/result/best_select_loss").asDouble(), 1e-4 * best, "resumed vs uninterrupted best selection loss");
    }

    @Test
    void samplesShowersInTheCaloChallengeFormat() throws Exception {
        Path out = dir.resolve("gen.hdf5");
        int n = 20, batch = 8;
        assertEquals(0, Main.execute("dream", "sample", "--energy-model", energy.toString(), "--shape-model", shape.toString(),
                "-n", "" + n, "--seed", "7", "--batch", "" + batch, "--energy-steps", "8", "--shape-steps", "4", "-o", out.toString(),
                "--threads", "1"));
        assertTrue(Files.isRegularFile(dir.resolve("gen.manifest.json")));
        assertEquals("dream-sample", Json.read(dir.resolve("gen.manifest.json")).path("stage").asText());
        Geometry g = Geometry.ds2();
        int v = g.voxels();
        double thr = ShowerEncoding.THRESHOLD_MEV;
        try (HdfFile h = new HdfFile(out)) {
            assertArrayEquals(new int[]{n, 1}, h.getDatasetByPath("incident_energies").getDimensions());
            assertArrayEquals(new int[]{n, v}, h.getDatasetByPath("showers").getDimensions());
        }
        ShowerBatch file;
        try (ShowerSource src = ShowerSource.open(ShowerSource.expand(out), g)) {   // the evaluator's reader (checks values)
            assertEquals(n, src.size());
            file = src.read(0, n);
        }
        double[] eInc = IncidentEnergies.logUniform(n, 7);
        assertArrayEquals(eInc, file.incidentEnergyMeV(), 1e-9 * 1e6);
        try (NDManager root = NDManager.newBaseManager();
             EnergyModel em = EnergyCheckpoint.load(energy.resolve("model"), root);
             ShapeModel sm = ShapeCheckpoint.load(shape.resolve("model"), root)) {
            DreamSampler sampler = new DreamSampler(em, sm, 8, 4, 7);
            int nonEmpty = 0;
            for (int from = 0, k = 0; from < n; from += batch, k++) {
                double[] eb = Arrays.copyOfRange(eInc, from, Math.min(n, from + batch));
                DreamSampler.Batch b = sampler.generate(eb, k);
                for (int r = 0; r < eb.length; r++) {
                    for (int l = 0; l < 45; l++) {
                        double sum = 0, want = b.layerEnergiesMeV()[r * 45 + l];
                        for (int q = 0; q < 144; q++) {
                            double pre = b.showersMeV()[r * v + l * 144 + q];
                            float got = file.showersMeV()[(from + r) * v + l * 144 + q];
                            assertTrue(Double.isFinite(pre) && pre >= 0, "voxel " + pre);
                            sum += pre;
                            if (got == 0f) assertTrue(pre < thr * (1 + 1e-4), "zeroed voxel " + pre + " above the threshold");
                            else {
                                assertTrue(got >= thr, "voxel " + got + " below the threshold survived");
                                assertEquals(pre, got, 1e-4 * pre, "the file holds the sampled voxel");
                            }
                        }
                        assertEquals(want, sum, 1e-6 * want + 1e-9, "shower " + (from + r) + " layer " + l + ": sum vs sampled layer energy");
                        if (want > 0) nonEmpty++;
                    }
                }
            }
            assertTrue(nonEmpty > n * 10, "layers with energy: " + nonEmpty);
        }
        float[] s = file.showersMeV();
        double total = 0;
        for (float x : s) {
            assertTrue(Float.isFinite(x) && x >= 0);
            total += x;
        }
        assertTrue(total > 0, "some energy");
    }

    /** configs/ds2.yaml and ds3.yaml hold Table 2's networks and training (batch 64, 800 / 600 epochs, cosine from 1e-3). */
    @Test
    void thePaperConfigurationsHoldTable2() {
        for (String name : List.of("ds2", "ds3")) {
            var cfg = org.icaloflow.config.RunConfig.load(Path.of("configs/" + name + ".yaml")).calodream();
            Geometry g = Geometry.forName(name);
            assertEquals(name.equals("ds2") ? org.icaloflow.cfm.ShapeNetwork.Settings.ds2() : org.icaloflow.cfm.ShapeNetwork.Settings.ds3(),
                    cfg.shape().settings(g), name);
            assertEquals(name.equals("ds2") ? 5e-7 : 5e-6, cfg.shape().noiseWidth(), name);
            assertEquals(20, cfg.shape().sampleSteps());
            assertEquals(64, cfg.shapeTraining().batchSize());
            assertEquals(name.equals("ds2") ? 800 : 600, cfg.shapeTraining().epochs());
        }
    }

    @Test
    void badInputIsOneLineWithExitCodeTwoAndNoOutput() throws Exception {
        String text = Files.readString(Path.of(CFG));
        Path noShape = dir.resolve("noshape.yaml");
        Files.writeString(noShape, text.replace("  shape:\n    patch:", "  shapex:\n    patch:"));
        Path badPatch = dir.resolve("badpatch.yaml");
        Files.writeString(badPatch, text.replace("patch: [3, 16, 3]", "patch: [4, 16, 3]"));
        Path out = dir.resolve("bad.hdf5"), outDir = dir.resolve("badtrain");
        String[][] cases = {
                sample(dir.resolve("nope"), shape, out),
                sample(energy, dir.resolve("nope2"), out),
                sample(energy, energy, out),                       // an energy network as the shape network
                sample(shape, shape, out),                         // a shape network as the energy network
                concat(sample(energy, shape, out), "-g", "ds3"),   // the wrong geometry
                {"dream", "train", "--network", "shape", "-i", showers.toString(), "-c", noShape.toString(), "-o", outDir.toString()},
                {"dream", "train", "--network", "shape", "-i", showers.toString(), "-c", badPatch.toString(), "-o", outDir.toString()},
        };
        String[] must = {"nope", "nope2", "energy network", "shape network", "ds3", "calodream", "calodream.shape"};
        BadInputCases.assertEachRefused(cases, must, java.util.Set.of(), out, dir.resolve("bad.manifest.json"), outDir);
    }

    static String[] sample(Path e, Path s, Path out) {
        return new String[]{"dream", "sample", "--energy-model", e.toString(), "--shape-model", s.toString(), "-n", "4", "-o", out.toString()};
    }

    static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(new String[0]);
    }
}
