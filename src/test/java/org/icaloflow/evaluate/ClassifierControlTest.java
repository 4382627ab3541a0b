package org.icaloflow.evaluate;

import org.icaloflow.UserError;
import org.icaloflow.cli.Main;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.evaluate.classifier.ClassifierControl;
import org.icaloflow.evaluate.classifier.ClassifierInputs;
import org.icaloflow.evaluate.classifier.ClassifierSettings;
import org.icaloflow.evaluate.classifier.TwoSampleClassifier;
import org.icaloflow.evaluate.classifier.RowSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The classifier test's control row: the reference against the truth sample or the other reference half, voxel energies x 1.1. */
class ClassifierControlTest {
    @TempDir
    static Path dir;
    static Path ref, gen;
    static final Geometry G = Geometry.forName("ds2");
    static final double THR = 0.5e-3 / 0.033;

    @BeforeAll
    static void synth() {
        ref = dir.resolve("ref.hdf5");
        gen = dir.resolve("gen.hdf5");
        assertEquals(0, Main.execute("synth", "-g", "ds2", "-n", "600", "--seed", "11", "--out", ref.toString()));
        assertEquals(0, Main.execute("synth", "-g", "ds2", "-n", "20", "--seed", "12", "--out", gen.toString()));
    }

    @Test
    void halvesAreDisjointSeededAndOfTheControlSize() {
        assertEquals(300, ClassifierControl.showersPerClass(601, 1000), "floor(N_ref / 2)");
        assertEquals(250, ClassifierControl.showersPerClass(601, 250), "no more than the smallest sample's count");
        int[][] h = ClassifierControl.halves(601, 300, 7);
        assertEquals(300, h[0].length);
        assertEquals(300, h[1].length);
        Set<Integer> a = new HashSet<>();
        for (int x : h[0]) assertTrue(a.add(x) && x >= 0 && x < 601);
        for (int x : h[1]) assertFalse(a.contains(x), "reference row " + x + " is in both halves");
        assertEquals(300, java.util.Arrays.stream(h[1]).distinct().count());
        assertArrayEquals(h[0], ClassifierControl.halves(601, 300, 7)[0], "a seed gives the same halves");
        assertFalse(java.util.Arrays.equals(h[0], ClassifierControl.halves(601, 300, 8)[0]), "another seed other halves");
        assertThrows(UserError.class, () -> ClassifierControl.halves(8, 4, 1), "too few showers for a control");
    }

    @Test
    void distortionIsVoxelEnergiesTimes1p1BeforeTheThreshold() {
        int[] rows = {0, 3, 4, 250, 599};
        RowSource low = ClassifierRun.distortedInputs(G, THR, List.of(ref), "low", ClassifierInputs.HlfSet.CHALLENGE, rows);
        RowSource high = ClassifierRun.distortedInputs(G, THR, List.of(ref), "high", ClassifierInputs.HlfSet.PAPER, rows);
        assertEquals(rows.length, low.rows());
        assertEquals(G.voxels() + 1, low.dim());
        assertEquals(1 + 5 * G.layers(), high.dim());
        float[] l = new float[low.dim()], h = new float[high.dim()];
        try (ShowerSource src = ShowerSource.open(List.of(ref), G)) {
            for (int i = 0; i < rows.length; i++) {
                ShowerBatch b = src.read(rows[i], 1);
                double e = b.incidentEnergyMeV()[0];
                low.copyRow(i, l, 0);
                high.copyRow(i, h, 0);
                assertEquals(Math.log10(e), l[0], 1e-6, "E_inc unchanged");
                assertEquals(Math.log10(e), h[0], 1e-6, "E_inc unchanged");
                for (int v = 0; v < G.voxels(); v++) {
                    double x = b.showersMeV()[v] * 1.1; // the documented distortion, then the evaluator's cut
                    double want = x < THR ? 0 : x / e;
                    assertEquals(want, l[1 + v], 1e-6 * Math.abs(want) + 1e-30, "row " + rows[i] + " voxel " + v);
                }
                // high level, paper set: log10(E_layer + 1e-8) of the scaled voxels that pass the threshold
                int perLayer = G.voxels() / G.layers();
                for (int layer = 0; layer < G.layers(); layer++) {
                    double sum = 0;
                    for (int v = layer * perLayer; v < (layer + 1) * perLayer; v++) {
                        double x = b.showersMeV()[v] * 1.1;
                        if (x >= THR) sum += x;
                    }
                    assertEquals(Math.log10(sum + 1e-8), h[1 + layer], 1e-5, "layer " + layer);
                }
            }
        }
    }

    /**
     * Toy showers on a 3-layer, 36-voxel geometry: E_inc uniform in 10-10.5 GeV, deposited fraction
     * 0.9 ± 0.02 (Gaussian), shared between voxels by a fixed profile with 10 % noise per voxel. A 10 % energy
     * scale is then 4.5 standard deviations of E_tot/E_inc: a working test must see it at both levels.
     */
    static Path toy(Path file, int n, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        int perLayer = TOY.voxels() / TOY.layers();
        double[] e = new double[n];
        float[][] sh = new float[n][TOY.voxels()];
        for (int i = 0; i < n; i++) {
            e[i] = 1e4 * (1 + 0.05 * rng.nextDouble());
            double f = 0.9 + 0.02 * gauss(rng);
            double[] w = new double[TOY.voxels()];
            double total = 0;
            for (int v = 0; v < w.length; v++) {
                double layerShare = new double[]{0.3, 0.5, 0.2}[v / perLayer];
                w[v] = layerShare * (1 + (v % perLayer)) * (1 + 0.1 * gauss(rng));
                total += w[v];
            }
            for (int v = 0; v < w.length; v++) sh[i][v] = (float) (f * e[i] * w[v] / total);
        }
        return org.icaloflow.data.TestFiles.raw(file, org.icaloflow.data.TestFiles.column(e), sh);
    }

    static double gauss(java.util.SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    static final Geometry TOY = Geometry.uniform("toy", 3, new double[]{0, 5, 10, 20}, 4);

    @Test
    void aSmallClassifierSeparatesTheControlAtBothLevelsAndWritesTheRow(@TempDir Path out) throws Exception {
        Path tref = toy(out.resolve("toy_ref.hdf5"), 800, 21), tgen = toy(out.resolve("toy_gen.hdf5"), 700, 22);
        ClassifierSettings s = ClassifierSettings.defaults().withNetwork(2, 32).withTraining(40, 100, 3e-3).withRuns(1, 3);
        long t0 = System.nanoTime();
        Map<String, TwoSampleClassifier.Result> r = ClassifierRun.run(TOY, THR, List.of(tref), List.of(new Evaluation.Sample("other", List.of(tgen))),
                List.of("low", "high"), s, 0, ClassifierInputs.HlfSet.CHALLENGE, out, new PrintStream(OutputStream.nullOutputStream()));
        double seconds = (System.nanoTime() - t0) / 1e9;
        double low = r.get("control/low").aucMean(), high = r.get("control/high").aucMean();
        System.out.printf("toy control AUC low %.4f high %.4f, other low %.4f high %.4f, in %.1f s%n", low, high,
                r.get("other/low").aucMean(), r.get("other/high").aucMean(), seconds);
        assertTrue(low >= 0.9, "low-level control separated: AUC " + low + " (" + seconds + " s)");
        assertTrue(high >= 0.9, "high-level control separated: AUC " + high + " (" + seconds + " s)");
        List<String> csv = Files.readAllLines(out.resolve("classifier.csv"));
        assertEquals("sample,level,run,auc,jsd", csv.get(0));
        assertEquals(1 + 2 * 2, csv.size(), "other and control x low and high x 1 run");
        assertTrue(csv.stream().anyMatch(x -> x.startsWith("control,low,0,")) && csv.stream().anyMatch(x -> x.startsWith("control,high,0,")));
        List<String> info = Files.readAllLines(out.resolve("classifier_info.csv"));
        assertEquals("sample,level,hlf_set,showers_per_class,control_auc", info.get(0));
        // n = min(floor(800 / 2), min(800, 700)) = 400
        assertTrue(info.contains(String.format(java.util.Locale.ROOT, "control,low,-,400,%.6f", low)), info.toString());
        assertTrue(info.contains(String.format(java.util.Locale.ROOT, "other,high,challenge,700,%.6f", high)), info.toString());
    }

    /**
     * With a truth sample the control is the reference against the truth sample distorted, with as many showers per
     * class as the smallest test (600 here, where the halves would give floor(800 / 2) = 400); the draw is seeded,
     * sorted and within the truth sample.
     */
    @Test
    void withATruthSampleTheControlHasTheTestsShowersPerClass(@TempDir Path out) throws Exception {
        int[] d = ClassifierControl.draw(700, 600, 5);
        assertEquals(600, java.util.Arrays.stream(d).distinct().count());
        for (int i = 0; i < d.length; i++) assertTrue(d[i] >= 0 && d[i] < 700 && (i == 0 || d[i] > d[i - 1]), "sorted, in range");
        assertArrayEquals(d, ClassifierControl.draw(700, 600, 5), "a seed gives the same draw");
        assertFalse(java.util.Arrays.equals(ClassifierControl.draw(700, 100, 5), ClassifierControl.draw(700, 100, 6)), "another seed, another draw");
        assertThrows(UserError.class, () -> ClassifierControl.draw(700, 4, 1), "too few showers for a control");

        Path tref = toy(out.resolve("toy_ref.hdf5"), 800, 21), truth = toy(out.resolve("toy_truth.hdf5"), 700, 23),
                other = toy(out.resolve("toy_gen.hdf5"), 600, 22);
        ClassifierSettings s = ClassifierSettings.defaults().withNetwork(2, 32).withTraining(40, 100, 3e-3).withRuns(1, 3);
        Map<String, TwoSampleClassifier.Result> r = ClassifierRun.run(TOY, THR, List.of(tref),
                List.of(new Evaluation.Sample("other", List.of(other)), new Evaluation.Sample(ClassifierControl.TRUTH, List.of(truth))),
                List.of("low", "high"), s, 0, ClassifierInputs.HlfSet.CHALLENGE, out, new PrintStream(OutputStream.nullOutputStream()));
        double low = r.get("control/low").aucMean(), high = r.get("control/high").aucMean();
        assertTrue(low >= 0.9 && high >= 0.9, "control separated: AUC low " + low + ", high " + high);
        assertTrue(r.get("truth/low").aucMean() < 0.75, "the truth sample undistorted is not separated: " + r.get("truth/low").aucMean());
        List<String> info = Files.readAllLines(out.resolve("classifier_info.csv"));
        assertTrue(info.contains(String.format(java.util.Locale.ROOT, "control,low,-,600,%.6f", low)), info.toString());
        assertTrue(info.contains(String.format(java.util.Locale.ROOT, "control,high,challenge,600,%.6f", high)), info.toString());
    }

    @Test
    void controlIsAReservedSampleName(@TempDir Path out) {
        var e = assertThrows(UserError.class, () -> ClassifierRun.run(G, THR, List.of(ref), List.of(new Evaluation.Sample("control", List.of(gen))),
                List.of("low"), ClassifierSettings.defaults(), 0, ClassifierInputs.HlfSet.CHALLENGE, out, System.err));
        assertTrue(e.getMessage().contains("reserved"), e.getMessage());
    }
}
