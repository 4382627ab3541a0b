package org.icaloflow.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.jhdf.HdfFile;
import org.icaloflow.calodream.BespokeFile;
import org.icaloflow.calodream.DreamSampler;
import org.icaloflow.calodream.DreamSampleStage;
import org.icaloflow.calodream.EnergyCheckpoint;
import org.icaloflow.calodream.EnergyModel;
import org.icaloflow.calodream.ShapeCheckpoint;
import org.icaloflow.calodream.ShapeModel;
import org.icaloflow.cfm.BespokeSolver;
import org.icaloflow.config.RunConfig;
import org.icaloflow.data.Csv;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.IncidentEnergies;
import org.icaloflow.data.Json;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.preprocess.ShowerEncoding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code icaloflow dream train --network bespoke} and {@code dream sample --solver bespoke} end to end on 300
 * synthetic DS2 showers with the tiny configs/test.yaml networks (calodream.bespoke: N = 3, GTE, batch 8, 12
 * iterations, patience 4, midpoint-10 reference): bespoke.json, history, manifest; sampling with the trained solver;
 * the paper configurations' Table 5 values; bad input.
 */
class DreamBespokeCommandTest {
    static {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    static final String CFG = "configs/test.yaml";

    @TempDir
    static Path dir;
    static Path showers, energy, shape, bespoke;

    @BeforeAll
    static void synthAndTrain() {
        showers = dir.resolve("showers.hdf5");
        assertEquals(0, Main.execute("synth", "-g", "ds2", "--events", "300", "--seed", "23", "--out", showers.toString()));
        energy = dir.resolve("energy");
        assertEquals(0, Main.execute("dream", "train", "--network", "energy", "-i", showers.toString(), "-c", CFG, "-o", energy.toString(), "--threads", "1"));
        shape = dir.resolve("shape");
        assertEquals(0, Main.execute("dream", "train", "--network", "shape", "-i", showers.toString(), "-c", CFG, "-o", shape.toString(), "--threads", "1"));
        bespoke = dir.resolve("bespoke");
        assertEquals(0, Main.execute(bespokeArgs(CFG, shape, bespoke)));
    }

    static String[] bespokeArgs(String cfg, Path shapeModel, Path out) {
        return new String[]{"dream", "train", "--network", "bespoke", "--shape-model", shapeModel.toString(), "-i", showers.toString(),
                "-c", cfg, "-o", out.toString(), "--threads", "1"};
    }

    @Test
    void trainsASolverAndSaysWhatItBought() throws Exception {
        for (String f : List.of("bespoke.json", "history.csv", "manifest.json", "dream-train.journal.jsonl"))
            assertTrue(Files.isRegularFile(bespoke.resolve(f)), f);
        JsonNode b = Json.read(bespoke.resolve("bespoke.json"));
        assertEquals(BespokeFile.FORMAT, b.path("format").asText());
        assertEquals(3, b.path("steps").asInt());
        assertEquals(BespokeSolver.parameterCount(3), b.path("parameters").asLong());
        assertEquals("gte", b.path("loss").asText());
        assertEquals(3, b.path("a").size());
        assertEquals(3, b.path("b").get(2).size());
        assertEquals(0.0, b.path("times").get(0).asDouble(), 0);
        assertEquals(1.0, b.path("times").get(3).asDouble(), 0);
        int iterations = b.at("/result/iterations").asInt(), best = b.at("/result/bestIteration").asInt();
        assertTrue(iterations >= 1 && iterations <= 12, "iterations " + iterations);
        if (b.at("/result/stoppedEarly").asBoolean()) assertEquals(best + 4, iterations, "patience 4");
        else assertEquals(12, iterations);
        double euler = b.at("/validation/euler").asDouble(), trained = b.at("/validation/trained").asDouble();
        assertTrue(Double.isFinite(euler) && euler > 0, "Euler " + euler);
        assertTrue(trained < 0.7 * euler, "the trained solver beats Euler on the tiny network: " + trained + " vs " + euler);
        assertEquals(euler, b.at("/validation/gte/euler").asDouble(), 1e-6 * euler, "the GTE loss is the GTE");
        assertEquals(trained, b.at("/validation/gte/trained").asDouble(), 1e-6 * euler);
        assertTrue(b.at("/validation/gte/reference").asDouble() >= 0);
        assertEquals(6480, b.at("/validation/gte/features").asInt());
        assertEquals(240, b.at("/conditions/trainShowers").asInt());
        assertEquals(60, b.at("/conditions/validationShowers").asInt());
        assertEquals(org.icaloflow.data.Sha256.of(shape.resolve("model").resolve(ShapeCheckpoint.PARAMS_FILE)),
                b.at("/shapeModel/paramsSha256").asText());
        // history: the start and every iteration, the kept validation loss its minimum
        List<String[]> rows = Csv.read(bespoke.resolve("history.csv"));
        assertEquals(iterations + 1, rows.size() - (rows.get(0)[0].equals("iteration") ? 1 : 0));
        double min = Double.POSITIVE_INFINITY;
        for (String[] r : rows) if (!r[0].equals("iteration") && r.length > 2 && !r[2].isEmpty()) min = Math.min(min, Double.parseDouble(r[2]));
        assertEquals(trained, min, 1e-6 * trained);
        JsonNode man = Json.read(bespoke.resolve("manifest.json"));
        assertEquals("dream-train", man.path("stage").asText());
        assertEquals("bespoke", man.path("network").asText());
        // the file's solver is the saved one
        BespokeFile.Loaded l = BespokeFile.load(bespoke);
        assertArrayEquals(l.coefficients().times(), new double[]{b.path("times").get(0).asDouble(), b.path("times").get(1).asDouble(),
                b.path("times").get(2).asDouble(), b.path("times").get(3).asDouble()}, 1e-15);
    }

    @Test
    void samplesWithTheTrainedSolver() throws Exception {
        Path out = dir.resolve("gen.hdf5");
        int n = 12, batch = 5;
        assertEquals(0, Main.execute("dream", "sample", "--energy-model", energy.toString(), "--shape-model", shape.toString(),
                "--solver", "bespoke", "--bespoke-model", bespoke.toString(), "-n", "" + n, "--seed", "3", "--batch", "" + batch,
                "--energy-steps", "8", "-o", out.toString(), "--threads", "1"));
        JsonNode man = Json.read(dir.resolve("gen.manifest.json"));
        assertEquals("bespoke", man.at("/settings/solver").asText());
        assertEquals(3, man.at("/settings/shape_steps").asInt());
        Geometry g = Geometry.ds2();
        try (HdfFile h = new HdfFile(out)) {
            assertArrayEquals(new int[]{n, 1}, h.getDatasetByPath("incident_energies").getDimensions());
            assertArrayEquals(new int[]{n, g.voxels()}, h.getDatasetByPath("showers").getDimensions());
        }
        ShowerBatch file;
        try (ShowerSource src = ShowerSource.open(ShowerSource.expand(out), g)) {
            file = src.read(0, n);
        }
        double[] eInc = IncidentEnergies.logUniform(n, 3);
        // the file holds what DreamSampler gives with the saved solver, and not what RK4 gives
        try (NDManager root = NDManager.newBaseManager();
             EnergyModel em = EnergyCheckpoint.load(energy.resolve("model"), root);
             ShapeModel sm = ShapeCheckpoint.load(shape.resolve("model"), root)) {
            DreamSampler bns = new DreamSampler(em, sm, 8, 20, 3, BespokeFile.load(bespoke).coefficients());
            DreamSampler rk4 = new DreamSampler(em, sm, 8, 20, 3);
            double maxDiffRk4 = 0;
            for (int from = 0, k = 0; from < n; from += batch, k++) {
                double[] eb = Arrays.copyOfRange(eInc, from, Math.min(n, from + batch));
                float[] want = DreamSampleStage.threshold(bns.generate(eb, k).showersMeV(), ShowerEncoding.THRESHOLD_MEV);
                float[] other = DreamSampleStage.threshold(rk4.generate(eb, k).showersMeV(), ShowerEncoding.THRESHOLD_MEV);
                for (int i = 0; i < want.length; i++) {
                    float got = file.showersMeV()[from * g.voxels() + i];
                    assertEquals(want[i], got, 1e-5f * Math.abs(want[i]) + 1e-9f, "voxel " + (from * g.voxels() + i));
                    maxDiffRk4 = Math.max(maxDiffRk4, Math.abs(other[i] - got));
                }
            }
            assertTrue(maxDiffRk4 > 0, "the BNS solver's showers differ from RK4-20's");
        }
        for (float x : file.showersMeV()) assertTrue(Float.isFinite(x) && x >= 0);
    }

    /** configs/ds2.yaml and ds3.yaml hold Table 5 (lr 1e-3, batch 100, 5000 iterations, patience 200, midpoint-100). */
    @Test
    void thePaperConfigurationsHoldTable5() {
        for (String name : List.of("ds2", "ds3")) {
            var s = RunConfig.load(Path.of("configs/" + name + ".yaml")).calodream().bespoke().settings("calodream.bespoke");
            assertEquals(1e-3, s.learningRate(), name);
            assertEquals(100, s.batchSize());
            assertEquals(5000, s.maxIterations());
            assertEquals(200, s.patience());
            assertEquals(100, s.referenceSteps());
            assertEquals(8, s.steps());
        }
    }

    @Test
    void badInputIsOneLineWithExitCodeTwoAndNoOutput() throws Exception {
        String text = Files.readString(Path.of(CFG));
        Path badKey = dir.resolve("badkey.yaml");
        Files.writeString(badKey, text.replace("    patience: 4\n", "    patiense: 4\n"));
        Path badLoss = dir.resolve("badloss.yaml");
        Files.writeString(badLoss, text.replace("    loss: gte\n", "    loss: mse\n"));
        Path noBespoke = dir.resolve("nobespoke.yaml");
        Files.writeString(noBespoke, text.replace("  bespoke:\n", "  bespokex:\n"));
        Path badSteps = dir.resolve("badsteps.yaml");
        Files.writeString(badSteps, text.replace("  bespoke:\n    steps: 3\n", "  bespoke:\n    steps: 0\n"));
        Path outDir = dir.resolve("badtrain"), out = dir.resolve("bad.hdf5");
        String[][] cases = {
                bespokeArgs(CFG, dir.resolve("noshape"), outDir),                 // missing shape model folder
                bespokeArgs(CFG, energy, outDir),                                 // an energy network as the shape model
                bespokeArgs(badKey.toString(), shape, outDir),                    // misspelt key
                bespokeArgs(badLoss.toString(), shape, outDir),
                bespokeArgs(badSteps.toString(), shape, outDir),
                {"dream", "train", "--network", "bespoke", "-i", showers.toString(), "-c", CFG, "-o", outDir.toString()},
                {"dream", "train", "--network", "bespoke", "--shape-model", shape.toString(), "-i", dir.resolve("nope.hdf5").toString(),
                        "-c", CFG, "-o", outDir.toString()},
                {"dream", "sample", "--energy-model", energy.toString(), "--shape-model", shape.toString(), "--solver", "bespoke",
                        "-n", "4", "-o", out.toString()},
                {"dream", "sample", "--energy-model", energy.toString(), "--shape-model", shape.toString(), "--solver", "bespoke",
                        "--bespoke-model", dir.resolve("nobns").toString(), "-n", "4", "-o", out.toString()},
                {"dream", "sample", "--energy-model", energy.toString(), "--shape-model", shape.toString(), "--solver", "bespoke",
                        "--bespoke-model", shape.toString(), "-n", "4", "-o", out.toString()},   // not a BNS folder
        };
        String[] must = {"noshape", "energy network", "patiense", "calodream.bespoke.loss", "calodream.bespoke.steps",
                "--shape-model", "nope.hdf5", "--bespoke-model", "nobns", "bespoke.json"};
        BadInputCases.assertEachRefused(cases, must, java.util.Set.of(), outDir, out, dir.resolve("bad.manifest.json"));
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // without calodream.bespoke: says so
        err.reset();
        System.setErr(new PrintStream(err, true));
        try {
            var cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true));
            assertEquals(2, cl.execute(bespokeArgs(noBespoke.toString(), shape, outDir)));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().contains("bespokex") || err.toString().contains("calodream.bespoke"), err.toString());
        assertFalse(Files.exists(outDir));
    }

    static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(new String[0]);
    }
}
