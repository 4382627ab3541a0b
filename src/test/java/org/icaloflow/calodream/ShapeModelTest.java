package org.icaloflow.calodream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.UserError;
import org.icaloflow.cfm.EnergyRatios;
import org.icaloflow.cfm.ShapeEncoding;
import org.icaloflow.cfm.ShapeNetwork;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.Seeds;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.data.ShowerWriter;
import org.icaloflow.train.TrainingData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The shape model's checkpoint folder, the flow-matching objective against a plain-Java recomputation, the
 * condition by hand, and the streamed data against ShapeEncoding's in-memory fit and encoding.
 */
class ShapeModelTest {
    static {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    /** 6 layers of 4 × 2 voxels, patch (3, 2, 1): 8 patches of 6 voxels; condition 7 = E_inc + 6 u. */
    static final ShapeNetwork.Settings TINY = new ShapeNetwork.Settings(6, 4, 2, 3, 2, 1, 12, 2, 8, 1, 7);
    static final int V = 48, L = 6;
    static final ShapeEncoding ENC = new ShapeEncoding(L, 8, ShapeEncoding.ALPHA, 5e-7);

    @TempDir
    Path dir;

    static double[] random(SplittableRandom r, int n, double lo, double hi) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * r.nextDouble();
        return a;
    }

    static ShapeModel.Kind kind(long seed) {
        SplittableRandom r = new SplittableRandom(5);
        ShapeEncoding.Standardisation vs = new ShapeEncoding.Standardisation(random(r, V, -3, 3), random(r, V, 0.5, 2));
        ShapeEncoding.Standardisation cs = new ShapeEncoding.Standardisation(random(r, L, -1, 1), random(r, L, 0.5, 2));
        return new ShapeModel.Kind(TINY, seed, DataType.FLOAT32, ENC, vs, cs);
    }

    /** Moves every parameter off its start (where the velocity is exactly 0) by seeded normal values of width 0.3. */
    static void perturb(ShapeModel m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (NDArray p : m.parameters()) {
            float[] d = new float[(int) p.size()];
            for (int i = 0; i < d.length; i++) d[i] = (float) (0.3 * r.nextGaussian());
            try (NDManager s = m.manager().newSubManager()) {
                p.addi(s.create(d, p.getShape()));
            }
        }
        m.markParametersChanged();
    }

    static float[] velocities(ShapeModel m) {
        SplittableRandom r = new SplittableRandom(9);
        int b = 5;
        try (NDManager s = m.manager().newSubManager()) {
            NDArray x = s.create(toFloat(random(r, b * V, -2, 2)), new Shape(b, V));
            NDArray t = s.create(toFloat(random(r, b, 0, 1)));
            NDArray c = s.create(toFloat(random(r, b * 7, -1, 1)), new Shape(b, 7));
            return m.network().velocity(x, t, c).toFloatArray();
        }
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    @Test
    void aSavedModelLoadsBackWithTheSameVelocitiesAndStatistics() {
        try (NDManager root = NDManager.newBaseManager()) {
            ShapeModel.Kind kind = kind(11);
            Path folder = dir.resolve("m");
            float[] before;
            try (ShapeModel m = kind.create(root)) {
                perturb(m, 3);
                before = velocities(m);
                kind.save(m, folder);
            }
            for (String f : List.of(ShapeCheckpoint.JSON_FILE, ShapeCheckpoint.PARAMS_FILE, ShapeCheckpoint.ENCODING_FILE))
                assertTrue(Files.isRegularFile(folder.resolve(f)), f);
            boolean nonZero = false;
            for (float v : before) nonZero |= v != 0;
            assertTrue(nonZero, "a perturbed network has a non-zero velocity");
            try (ShapeModel back = kind.load(folder, root)) {
                assertArrayEquals(before, velocities(back), 1e-6f);
                assertArrayEquals(kind.voxels().mean(), back.voxelStandardisation().mean());
                assertArrayEquals(kind.voxels().std(), back.voxelStandardisation().std());
                assertArrayEquals(kind.conditions().mean(), back.conditionStandardisation().mean());
                assertArrayEquals(kind.conditions().std(), back.conditionStandardisation().std());
                assertEquals(5e-7, back.encoding().noiseWidth());
                assertEquals(11, back.seed());
                assertEquals(TINY, back.settings());
            }
            try (ShapeModel fresh = kind.create(root)) {
                assertFalse(Arrays.equals(before, velocities(fresh)), "the saved parameters, not the seed's");
            }
        }
    }

    @Test
    void corruptOrMismatchedFoldersAreUserErrorsNamingTheFile() throws Exception {
        try (NDManager root = NDManager.newBaseManager()) {
            ShapeModel.Kind kind = kind(11);
            Path good = dir.resolve("good");
            try (ShapeModel m = kind.create(root)) {
                kind.save(m, good);
            }
            String json = Files.readString(good.resolve("shape.json"));
            byte[] bin = Files.readAllBytes(good.resolve("params.bin")), enc = Files.readAllBytes(good.resolve("encoding.bin"));

            Path trunc = copy(good, "trunc");
            Files.write(trunc.resolve("params.bin"), Arrays.copyOf(bin, bin.length / 2));
            assertNames(trunc.resolve("params.bin"), () -> ShapeCheckpoint.load(trunc, root));

            Path encTrunc = copy(good, "enctrunc");
            Files.write(encTrunc.resolve("encoding.bin"), Arrays.copyOf(enc, enc.length - 8));
            assertNames(encTrunc.resolve("encoding.bin"), () -> ShapeCheckpoint.load(encTrunc, root));

            Path encMagic = copy(good, "encmagic");
            byte[] bad = enc.clone();
            bad[0] = 'X';
            Files.write(encMagic.resolve("encoding.bin"), bad);
            assertNames(encMagic.resolve("encoding.bin"), () -> ShapeCheckpoint.load(encMagic, root));

            Path noEnc = copy(good, "noenc");
            Files.delete(noEnc.resolve("encoding.bin"));
            assertNames(noEnc, () -> ShapeCheckpoint.load(noEnc, root));

            Path format = copy(good, "format");
            Files.writeString(format.resolve("shape.json"), json.replace("icaloflow-calodream-shape", "icaloflow-calodream-energy"));
            assertNames(format.resolve("shape.json"), () -> ShapeCheckpoint.load(format, root));

            Path version = copy(good, "version");
            Files.writeString(version.resolve("shape.json"), json.replace("\"formatVersion\" : 1", "\"formatVersion\" : 2"));
            assertNames(version.resolve("shape.json"), () -> ShapeCheckpoint.load(version, root));

            Path name = copy(good, "name");
            Files.writeString(name.resolve("shape.json"), json.replaceFirst("\"patchEmbedding", "\"patchEmbeding"));
            assertNames(name.resolve("shape.json"), () -> ShapeCheckpoint.load(name, root));

            Path notJson = copy(good, "notjson");
            Files.writeString(notJson.resolve("shape.json"), "{ not json");
            assertNames(notJson.resolve("shape.json"), () -> ShapeCheckpoint.load(notJson, root));

            // other settings than the configured ones (a resume with another configuration)
            ShapeNetwork.Settings other = new ShapeNetwork.Settings(6, 4, 2, 3, 2, 1, 12, 2, 8, 2, 7);
            assertNames(good.resolve("shape.json"), () -> ShapeCheckpoint.load(good, root, other));
            // other statistics than the ones fitted now (other data)
            ShapeModel.Kind otherData = new ShapeModel.Kind(TINY, 11, DataType.FLOAT32, ENC,
                    new ShapeEncoding.Standardisation(new double[V], filled(V)), kind.conditions());
            assertNames(good.resolve("shape.json"), () -> otherData.load(good, root));

            // an energy network's folder
            Path energy = dir.resolve("energy");
            try (EnergyModel em = new EnergyModel.Kind(EnergyModelTest.TINY, 1, DataType.FLOAT32, EnergyModelTest.ENC).create(root)) {
                EnergyCheckpoint.save(em, energy);
            }
            assertNames(energy, () -> ShapeCheckpoint.load(energy, root));
            assertNames(dir.resolve("missing"), () -> ShapeCheckpoint.load(dir.resolve("missing"), root));
        }
    }

    static double[] filled(int n) {
        double[] a = new double[n];
        Arrays.fill(a, 1);
        return a;
    }

    static void assertNames(Path file, org.junit.jupiter.api.function.Executable load) {
        UserError e = assertThrows(UserError.class, load);
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    private Path copy(Path from, String to) throws Exception {
        Path d = dir.resolve(to);
        Files.createDirectories(d);
        for (String f : new String[]{"shape.json", "params.bin", "encoding.bin"}) Files.copy(from.resolve(f), d.resolve(f));
        return d;
    }

    /**
     * The objective's loss against a recomputation in Java: t then ε from Seeds.stream(seed, step), x_t =
     * (1 − t)ε + t x by hand, the network's velocity there, mean of (v − (x − ε))² in double.
     */
    @Test
    void theObjectiveIsTheMeanSquaredVelocityErrorAtTheDocumentedDraws() {
        try (NDManager root = NDManager.newBaseManager(); ShapeModel m = kind(3).create(root)) {
            perturb(m, 8);
            SplittableRandom r = new SplittableRandom(4);
            int n = 6;
            float[] xs = toFloat(random(r, n * V, -2, 2)), cs = toFloat(random(r, n * 7, -1, 1));
            ShapeObjective obj = new ShapeObjective(42);
            try (NDManager s = m.manager().newSubManager()) {
                NDArray x = s.create(xs, new Shape(n, V)), c = s.create(cs, new Shape(n, 7));
                double got = obj.loss(m, x, c, new TrainingData.Batch(xs, cs, n), 17).total().toType(DataType.FLOAT64, false).getDouble();
                SplittableRandom d = new SplittableRandom(Seeds.stream(42, 17));
                float[] t = new float[n], eps = new float[n * V], xt = new float[n * V];
                for (int i = 0; i < n; i++) t[i] = (float) d.nextDouble();
                for (int i = 0; i < n * V; i++) eps[i] = (float) d.nextGaussian();
                for (int i = 0; i < n * V; i++) xt[i] = (1 - t[i / V]) * eps[i] + t[i / V] * xs[i];
                float[] v = m.network().velocity(s.create(xt, new Shape(n, V)), s.create(t), c).toFloatArray();
                double want = 0, zeroVelocity = 0;
                for (int i = 0; i < n * V; i++) {
                    double target = (double) xs[i] - eps[i];
                    want += (v[i] - target) * (v[i] - target) / (n * V);
                    zeroVelocity += target * target / (n * V);
                }
                assertEquals(want, got, 1e-5 * want);
                assertTrue(Math.abs(want - zeroVelocity) > 1e-3 * want, "the network's velocity matters: " + want + " vs " + zeroVelocity);
                double other = obj.loss(m, x, c, new TrainingData.Batch(xs, cs, n), 18).total().toType(DataType.FLOAT64, false).getDouble();
                assertNotEquals(got, other, "another step draws other times and noise");
            }
        }
    }

    @Test
    void theConditionIsEincThenTheStandardisedUFeatures() {
        ShapeEncoding.Standardisation cs = new ShapeEncoding.Standardisation(new double[]{0.5, -1, -2}, new double[]{0.1, 2, 4});
        double[] u = {0.6, 0.25, 0.5};
        float[] c = ShapeCondition.conditions(new double[]{1e4}, u, cs);
        assertEquals(4, c.length);
        assertEquals(1.0 / 3, c[0], 1e-6);                                  // ln(10⁴/10³)/ln(10³)
        assertEquals((0.6 - 0.5) / 0.1, c[1], 1e-5);                        // u_0 as it is
        assertEquals((-1.0986096220 - -1) / 2, c[2], 1e-6);                 // logit(0.25) with α = 1e-6
        assertEquals((0 - -2) / 4.0, c[3], 1e-6);                           // logit(0.5) = 0
    }

    /** A DS2 file of n sparse random showers (a few hundred non-zero voxels each, some empty layers). */
    static Path showers(Path file, int n, long seed) {
        Geometry g = Geometry.ds2();
        SplittableRandom r = new SplittableRandom(seed);
        double[] e = new double[n];
        float[] s = new float[n * g.voxels()];
        for (int i = 0; i < n; i++) {
            e[i] = 1e3 * Math.pow(1e3, r.nextDouble());
            for (int k = 0; k < 300; k++) s[i * g.voxels() + r.nextInt(g.voxels() - 2 * 144)] += (float) (e[i] * 1e-3 * r.nextDouble());
        }
        ShowerWriter.writeAll(file, g, new ShowerBatch(e, s, g.voxels()), ShowerWriter.Precision.FLOAT32);
        return file;
    }

    /**
     * The streamed data against the in-memory ShapeEncoding: the standardisation equals ShapeEncoding.fit (two
     * passes) of the training rows' logits with each row's documented noise; every served x equals
     * ShapeEncoding.encode of its shower and c the condition of its u; a pass serves every row of the part once, in
     * chunks across chunk boundaries; skipping k batches serves the rest of the same pass.
     */
    @Test
    void theStreamedDataEqualTheInMemoryEncoding() {
        Geometry g = Geometry.ds2();
        Path file = showers(dir.resolve("s.hdf5"), 40, 2);
        ShapeEncoding enc = new ShapeEncoding(45, 144, ShapeEncoding.ALPHA, 5e-7);
        try (ShowerSource src = ShowerSource.open(List.of(file), g)) {
            ShapeData.Split split = ShapeData.split(src, enc, 0.25, 7, 99, 7);
            assertEquals(30, split.train().size());
            assertEquals(10, split.select().size());
            int[] train = split.train().rows();
            ShowerBatch all = src.read(0, 40);
            int v = g.voxels();
            double[] logits = new double[train.length * v];
            double[] feats = new double[train.length * 45];
            for (int i = 0; i < train.length; i++) {
                double[] row = new double[v];
                for (int k = 0; k < v; k++) row[k] = all.showersMeV()[train[i] * v + k];
                System.arraycopy(enc.logits(row, new SplittableRandom(Seeds.stream(99, train[i]))), 0, logits, i * v, v);
                double[] u = EnergyRatios.calodream().ratios(enc.layerEnergies(row), new double[]{all.incidentEnergyMeV()[train[i]]});
                System.arraycopy(ShapeCondition.features(u, 45), 0, feats, i * 45, 45);
            }
            ShapeEncoding.Standardisation want = enc.fit(logits);
            assertArrayEquals(want.mean(), split.voxels().mean(), 1e-9);
            assertArrayEquals(want.std(), split.voxels().std(), 1e-9);
            ShapeEncoding.Standardisation fitC = new ShapeEncoding(45, 1, ShapeEncoding.ALPHA, 0).fit(feats);
            // u_44 is constant (layers 44 and 45 are empty): the two-pass fit leaves a rounding-size deviation there,
            // the streamed one exactly 0, and both mean "constant": deviation 1
            double[] sdC = fitC.std();
            for (int k = 0; k < sdC.length; k++) if (sdC[k] < 1e-10) sdC[k] = 1;
            ShapeEncoding.Standardisation wantC = new ShapeEncoding.Standardisation(fitC.mean(), sdC);
            assertEquals(1.0, split.conditions().std()[44]);
            assertArrayEquals(wantC.mean(), split.conditions().mean(), 1e-9);
            assertArrayEquals(wantC.std(), split.conditions().std(), 1e-9);

            // one shuffled pass of batches of 4 (chunks of 7 rows): every training row once, each encoded as in memory
            List<TrainingData.Batch> batches = new ArrayList<>();
            split.train().batches(4, true, 5, 0).forEachRemaining(batches::add);
            assertEquals(8, batches.size());
            int[] seen = new int[40];
            int matched = 0;
            for (TrainingData.Batch b : batches) {
                for (int j = 0; j < b.n(); j++) {
                    float[] x = Arrays.copyOfRange(b.x(), j * v, (j + 1) * v);
                    for (int row : train) {
                        double[] sh = new double[v];
                        for (int k = 0; k < v; k++) sh[k] = all.showersMeV()[row * v + k];
                        double[] z = enc.encode(sh, want, new SplittableRandom(Seeds.stream(99, row)));
                        if (Math.abs(z[0] - x[0]) + Math.abs(z[v - 1] - x[v - 1]) + Math.abs(z[1000] - x[1000]) > 1e-3) continue;
                        for (int k = 0; k < v; k++) assertEquals(z[k], x[k], 1e-4 * (1 + Math.abs(z[k])), "row " + row + " voxel " + k);
                        double[] u = EnergyRatios.calodream().ratios(enc.layerEnergies(sh), new double[]{all.incidentEnergyMeV()[row]});
                        float[] c = ShapeCondition.conditions(new double[]{all.incidentEnergyMeV()[row]}, u, wantC);
                        assertArrayEquals(c, Arrays.copyOfRange(b.c(), j * 46, (j + 1) * 46), 1e-5f);
                        seen[row]++;
                        matched++;
                        break;
                    }
                }
            }
            assertEquals(30, matched);
            for (int row : train) assertEquals(1, seen[row], "row " + row);
            // skip 3 batches: the same pass's remaining batches
            Iterator<TrainingData.Batch> rest = split.train().batches(4, true, 5, 3);
            for (int k = 3; k < batches.size(); k++) assertArrayEquals(batches.get(k).x(), rest.next().x(), "batch " + k);
            assertFalse(rest.hasNext());
            // another seed, another order
            assertFalse(Arrays.equals(batches.get(0).x(), split.train().batches(4, true, 6, 0).next().x()));
        }
    }
}
