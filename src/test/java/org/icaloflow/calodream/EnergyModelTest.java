package org.icaloflow.calodream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.UserError;
import org.icaloflow.cfm.EnergyEncoding;
import org.icaloflow.cfm.EnergyNetwork;
import org.icaloflow.data.Seeds;
import org.icaloflow.train.InMemoryData;
import org.icaloflow.train.TrainingData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The energy model's checkpoint folder and the flow-matching objective, on a tiny network. */
class EnergyModelTest {
    static {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    static final int L = 5;
    static final EnergyNetwork.Settings TINY = new EnergyNetwork.Settings(L, 1, 8, 2, 1, 1, 16, 8, 30, 16, 3);
    static final EnergyEncoding ENC = new EnergyEncoding(new double[]{0.3, -1, -2, -3, -4}, new double[]{0.02, 1, 2, 3, 4});

    @TempDir
    Path dir;

    static float[] random(SplittableRandom r, int n, boolean gaussian) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (gaussian ? r.nextGaussian() : r.nextDouble());
        return a;
    }

    /** Velocities of all positions for fixed inputs (the network's forward pass). */
    static float[] velocities(EnergyModel m) {
        SplittableRandom r = new SplittableRandom(9);
        int b = 7;
        try (NDManager s = m.manager().newSubManager()) {
            NDArray ut = s.create(random(r, b * L, true), new Shape(b, L));
            NDArray t = s.create(random(r, b, false));
            NDArray u = s.create(random(r, b * L, true), new Shape(b, L));
            NDArray c = s.create(random(r, b, false), new Shape(b, 1));
            return m.network().forward(ut, t, u, c).toFloatArray();
        }
    }

    @Test
    void aSavedModelLoadsBackWithTheSameVelocitiesAndEncoding() throws Exception {
        try (NDManager root = NDManager.newBaseManager()) {
            EnergyModel.Kind kind = new EnergyModel.Kind(TINY, 11, DataType.FLOAT32, ENC);
            Path folder = dir.resolve("m");
            float[] before;
            float[] freq;
            try (EnergyModel m = kind.create(root)) {
                // move the parameters off their initial values, so a load that re-initialised from the seed would fail
                for (NDArray p : m.parameters()) p.addi(0.01f);
                before = velocities(m);
                freq = m.network().buffers().get("time_embedding.frequencies").toFloatArray();
                kind.save(m, folder);
            }
            assertTrue(Files.isRegularFile(folder.resolve(EnergyCheckpoint.JSON_FILE)));
            try (EnergyModel back = kind.load(folder, root)) {
                assertArrayEquals(before, velocities(back), 1e-6f);
                assertArrayEquals(freq, back.network().buffers().get("time_embedding.frequencies").toFloatArray());
                assertArrayEquals(ENC.mean(), back.encoding().mean());
                assertArrayEquals(ENC.std(), back.encoding().std());
                assertEquals(11, back.seed());
            }
            try (EnergyModel fresh = kind.create(root)) {
                float[] v = velocities(fresh);
                assertFalse(java.util.Arrays.equals(before, v), "the saved parameters, not the seed's");
            }
            // the settings must match the configured ones
            EnergyNetwork.Settings other = new EnergyNetwork.Settings(L, 1, 8, 2, 1, 1, 16, 8, 30, 24, 3);
            UserError e = assertThrows(UserError.class, () -> new EnergyModel.Kind(other, 11, DataType.FLOAT32, ENC).load(folder, root));
            assertTrue(e.getMessage().contains(folder.resolve("energy.json").toString()), e.getMessage());
            // and the encoding (resuming on other data)
            EnergyEncoding enc2 = new EnergyEncoding(new double[]{0.3, -1, -2, -3, -4.5}, new double[]{0.02, 1, 2, 3, 4});
            e = assertThrows(UserError.class, () -> new EnergyModel.Kind(TINY, 11, DataType.FLOAT32, enc2).load(folder, root));
            assertTrue(e.getMessage().contains("energy.json") && e.getMessage().contains("encoding"), e.getMessage());
        }
    }

    @Test
    void corruptOrMismatchedFoldersAreUserErrorsNamingTheFile() throws Exception {
        try (NDManager root = NDManager.newBaseManager()) {
            EnergyModel.Kind kind = new EnergyModel.Kind(TINY, 11, DataType.FLOAT32, ENC);
            Path good = dir.resolve("good");
            try (EnergyModel m = kind.create(root)) {
                kind.save(m, good);
            }
            String json = Files.readString(good.resolve("energy.json"));
            byte[] bin = Files.readAllBytes(good.resolve("params.bin"));

            Path trunc = copy(good, "trunc");
            Files.write(trunc.resolve("params.bin"), java.util.Arrays.copyOf(bin, bin.length / 2));
            UserError e = assertThrows(UserError.class, () -> EnergyCheckpoint.load(trunc, root));
            assertTrue(e.getMessage().contains(trunc.resolve("params.bin").toString()), e.getMessage());

            Path shape = copy(good, "shape");
            // the first parameter's first dimension
            int at = json.indexOf("\"shape\" : [ ") + "\"shape\" : [ ".length();
            int end = json.indexOf(',', at);
            Files.writeString(shape.resolve("energy.json"), json.substring(0, at) + "999" + json.substring(end));
            e = assertThrows(UserError.class, () -> EnergyCheckpoint.load(shape, root));
            assertTrue(e.getMessage().startsWith(shape.resolve("energy.json").toString()) && e.getMessage().contains("shape"), e.getMessage());

            Path name = copy(good, "name");
            Files.writeString(name.resolve("energy.json"), json.replaceFirst("\"transformer\\.", "\"transformr."));
            e = assertThrows(UserError.class, () -> EnergyCheckpoint.load(name, root));
            assertTrue(e.getMessage().contains("energy.json") && e.getMessage().contains("names"), e.getMessage());

            Path format = copy(good, "format");
            Files.writeString(format.resolve("energy.json"), json.replace("icaloflow-calodream-energy", "icaloflow-flow"));
            e = assertThrows(UserError.class, () -> EnergyCheckpoint.load(format, root));
            assertTrue(e.getMessage().contains("energy.json") && e.getMessage().contains("format"), e.getMessage());

            Path notJson = copy(good, "notjson");
            Files.writeString(notJson.resolve("energy.json"), "{ not json");
            e = assertThrows(UserError.class, () -> EnergyCheckpoint.load(notJson, root));
            assertTrue(e.getMessage().contains("energy.json"), e.getMessage());

            e = assertThrows(UserError.class, () -> EnergyCheckpoint.load(dir.resolve("missing"), root));
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
        }
    }

    private Path copy(Path from, String to) throws Exception {
        Path d = dir.resolve(to);
        Files.createDirectories(d);
        for (String f : new String[]{"energy.json", "params.bin"}) Files.copy(from.resolve(f), d.resolve(f));
        return d;
    }

    /** The objective's loss is EnergyNetwork.loss at the documented draws: t then ε from Seeds.stream(seed, step). */
    @Test
    void theObjectiveDrawsItsTimesAndNoiseFromTheSeedAndStep() {
        try (NDManager root = NDManager.newBaseManager();
             EnergyModel m = new EnergyModel.Kind(TINY, 3, DataType.FLOAT32, ENC).create(root)) {
            SplittableRandom r = new SplittableRandom(4);
            int n = 9;
            float[] xs = random(r, n * L, true), cs = random(r, n, false);
            FlowMatchingObjective obj = new FlowMatchingObjective(42);
            try (NDManager s = m.manager().newSubManager()) {
                NDArray x = s.create(xs, new Shape(n, L)), c = s.create(cs, new Shape(n, 1));
                float got = obj.loss(m, x, c, new TrainingData.Batch(xs, cs, n), 17).total().getFloat();
                SplittableRandom d = new SplittableRandom(Seeds.stream(42, 17));
                float[] t = new float[n], eps = new float[n * L];
                for (int i = 0; i < n; i++) t[i] = (float) d.nextDouble();
                for (int i = 0; i < n * L; i++) eps[i] = (float) d.nextGaussian();
                float want = m.network().loss(x, c, s.create(eps, new Shape(n, L)), s.create(t)).getFloat();
                assertEquals(want, got, 1e-6 * Math.abs(want));
                // another step draws other times and noise
                float other = obj.loss(m, x, c, new TrainingData.Batch(xs, cs, n), 18).total().getFloat();
                assertNotEquals(got, other);
                assertEquals(got, obj.loss(m, x, c, new TrainingData.Batch(xs, cs, n), 17).total().getFloat(), 1e-6 * Math.abs(got));
            }

            // selection: the row-weighted mean over unshuffled batches, batch k's draws from Seeds.stream(seed, -1 - k)
            int rows = 23, batch = 10;
            float[] sx = random(r, rows * L, true), sc = random(r, rows, false);
            InMemoryData select = new InMemoryData(sx, L, sc, 1);
            double metric = obj.selectionMetric(m, select, batch);
            double sum = 0;
            Iterator<TrainingData.Batch> it = select.batches(batch, false, 0, 0);
            for (int k = 0; it.hasNext(); k++) {
                TrainingData.Batch b = it.next();
                SplittableRandom d = new SplittableRandom(Seeds.stream(42, -1 - k));
                float[] t = new float[b.n()], eps = new float[b.n() * L];
                for (int i = 0; i < b.n(); i++) t[i] = (float) d.nextDouble();
                for (int i = 0; i < eps.length; i++) eps[i] = (float) d.nextGaussian();
                try (NDManager s = m.manager().newSubManager()) {
                    sum += b.n() * m.network().loss(s.create(b.x(), new Shape(b.n(), L)), s.create(b.c(), new Shape(b.n(), 1)),
                            s.create(eps, new Shape(b.n(), L)), s.create(t)).getFloat();
                }
            }
            assertEquals(sum / rows, metric, 1e-6 * Math.abs(metric));
            assertEquals(metric, obj.selectionMetric(m, select, batch), 1e-6 * Math.abs(metric), "the same draws at every selection");
        }
    }
}
