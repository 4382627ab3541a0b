package org.icaloflow.evaluate.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.icaloflow.UserError;
import org.icaloflow.config.Yaml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole protocol on small Gaussian samples with a tiny network. */
class ClassifierProtocolTest {
    static {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    static final int DIM = 4;
    static final int N = 2500;

    static final ClassifierSettings TINY = ClassifierSettings.defaults().withNetwork(2, 32)
            .withTraining(4, 100, 3e-3).withRuns(2, 17);

    /** N rows of DIM independent Gaussians with the given mean. */
    static float[] gaussian(long seed, double mean) {
        return gaussian(seed, mean, N);
    }

    static float[] gaussian(long seed, double mean, int n) {
        Random r = new Random(seed);
        float[] x = new float[n * DIM];
        for (int i = 0; i < x.length; i++) x[i] = (float) (mean + r.nextGaussian());
        return x;
    }

    /**
     * Same distribution: AUC ≈ 0.5, JSD ≈ 0. The JSD estimate is biased low in small samples: a validation
     * shower beyond the test set's extreme scores gets the clipped probability 1e-6 of an end block of the
     * isotonic fit, and costs ln(1e6) ≈ 13.8 nats; hence 10k showers per class here.
     */
    @Test
    void sameDistributionIsIndistinguishable() {
        int n = 10000;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ClassifierSettings s = TINY.withTraining(3, 200, 3e-3);
        TwoSampleClassifier.Result r = TwoSampleClassifier.run(gaussian(1, 0, n), gaussian(2, 0, n), DIM, s,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(2, r.runs().size());
        for (TwoSampleClassifier.RunResult rr : r.runs()) {
            assertTrue(Math.abs(rr.auc() - 0.5) < 0.06, "AUC " + rr.auc());
            assertTrue(Math.abs(rr.aucRaw() - 0.5) < 0.06, "raw AUC " + rr.aucRaw());
            assertTrue(rr.jsd() > -0.05 && rr.jsd() < 0.02, "JSD " + rr.jsd());
            assertEquals(n - n * 6 / 10 - n * 2 / 10, rr.weightsReference().length);
            assertEquals(n - n * 6 / 10 - n * 2 / 10, rr.weightsGenerated().length);
            ClassifierWeights.Tails t = ClassifierWeights.tails(rr.weightsGenerated());
            assertTrue(t.above5() < 0.02 && t.below0p2() < 0.02, t.toString());
        }
        assertTrue(Math.abs(r.aucMean() - 0.5) < 0.06);
        assertTrue(Math.abs(r.jsdMean()) < 0.05);
        // the spread of the runs is the sample standard deviation (n - 1), as the report and MLflow show it
        double a0 = r.runs().get(0).auc(), a1 = r.runs().get(1).auc();
        assertEquals(Math.abs(a0 - a1) / Math.sqrt(2), r.aucStd(), 1e-12);
        double j0 = r.runs().get(0).jsd(), j1 = r.runs().get(1).jsd();
        assertEquals(Math.abs(j0 - j1) / Math.sqrt(2), r.jsdStd(), 1e-12);
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("epoch 3/3") && log.contains("AUC"), log);
    }

    @Test
    void differentDistributionsAreSeparatedAndWeightsShowIt(@TempDir Path dir) throws Exception {
        TwoSampleClassifier.Result r = TwoSampleClassifier.run(gaussian(1, 0), gaussian(2, 2.0), DIM, TINY.withRuns(1, 5), null);
        TwoSampleClassifier.RunResult rr = r.runs().get(0);
        assertTrue(rr.auc() > 0.95, "AUC " + rr.auc());
        assertTrue(rr.jsd() > 0.5, "JSD " + rr.jsd());
        assertTrue(Math.abs(rr.auc() - rr.aucRaw()) < 0.01, rr.auc() + " vs " + rr.aucRaw());
        assertTrue(rr.testAccuracy() > 0.9);
        // reference showers get large weights p_ref/p_gen, generated ones small
        assertTrue(ClassifierWeights.tails(rr.weightsReference()).above5() > 0.5);
        assertTrue(ClassifierWeights.tails(rr.weightsGenerated()).below0p2() > 0.5);
        assertEquals(0.0, r.aucStd());

        Path hist = dir.resolve("w.csv");
        ClassifierWeights.writeHistogramCsv(hist, r.runs(), 1e-3, 1e3, 60);
        List<String> lines = Files.readAllLines(hist);
        assertEquals("run,bin_low,bin_high,generated,reference", lines.get(0));
        assertEquals(1 + 62, lines.size());
        double sumG = 0, sumR = 0;
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",");
            sumG += Double.parseDouble(f[3]);
            sumR += Double.parseDouble(f[4]);
        }
        assertEquals(1.0, sumG, 1e-6);
        assertEquals(1.0, sumR, 1e-6);
        assertTrue(lines.get(62).contains(",inf,"));
    }

    @Test
    void aSeedGivesTheSameResultAndBlocksEqualOneArray() {
        ClassifierSettings s = TINY.withTraining(2, 200, 3e-3).withRuns(1, 3);
        float[] a = gaussian(4, 0), b = gaussian(5, 0.3);
        TwoSampleClassifier.RunResult r1 = TwoSampleClassifier.run(a, b, DIM, s, null).runs().get(0);
        // the same rows split over several arrays
        int half = (N / 2) * DIM;
        RowSource blocks = RowSource.ofBlocks(List.of(Arrays.copyOf(a, half), Arrays.copyOfRange(a, half, a.length)), DIM);
        TwoSampleClassifier.RunResult r2 = TwoSampleClassifier.run(blocks, RowSource.of(b, DIM), s, null).runs().get(0);
        assertEquals(r1.auc(), r2.auc(), 0);
        assertEquals(r1.jsd(), r2.jsd(), 0);
        assertEquals(r1.bestEpoch(), r2.bestEpoch());
        assertArrayEquals(r1.weightsGenerated(), r2.weightsGenerated(), 0);
        TwoSampleClassifier.RunResult r3 = TwoSampleClassifier.run(a, b, DIM, s.withRuns(1, 4), null).runs().get(0);
        assertTrue(r3.auc() != r1.auc(), "another seed, another run");
    }

    @Test
    void splitIs60_20_20PerClassWithoutOverlap() {
        TwoSampleClassifier.Splits sp = TwoSampleClassifier.split(101, 57, new SplittableRandom(1));
        int[][] count = new int[3][2];
        long[][] parts = {sp.train(), sp.test(), sp.validation()};
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int k = 0; k < 3; k++) {
            for (long c : parts[k]) {
                count[k][TwoSampleClassifier.label(c)]++;
                assertTrue(seen.add(c), "duplicate entry");
            }
        }
        // equal classes (issue 12 item 6): both contribute min(101, 57) = 57 showers → 34/11/12 each
        assertArrayEquals(new int[] {34, 34}, count[0]);
        assertArrayEquals(new int[] {11, 11}, count[1]);
        assertArrayEquals(new int[] {12, 12}, count[2]);
    }

    @Test
    void theLargerClassIsSubsampledToTheSmallerCountWithTheRunSeed() {
        assertEquals(57, TwoSampleClassifier.showersPerClass(101, 57));
        assertEquals(57, TwoSampleClassifier.showersPerClass(57, 101));
        java.util.Set<java.util.Set<Integer>> subsets = new java.util.HashSet<>();
        for (long seed = 0; seed < 5; seed++) {
            TwoSampleClassifier.Splits sp = TwoSampleClassifier.split(101, 57, new SplittableRandom(seed));
            java.util.Set<Integer> ref = new java.util.HashSet<>(), gen = new java.util.HashSet<>();
            for (long[] part : new long[][] {sp.train(), sp.test(), sp.validation()})
                for (long c : part) (TwoSampleClassifier.label(c) == 1 ? ref : gen).add(TwoSampleClassifier.row(c));
            assertEquals(57, ref.size(), "57 distinct reference showers");
            assertEquals(57, gen.size(), "every generated shower");
            assertTrue(ref.stream().allMatch(r -> r >= 0 && r < 101));
            // the same seed gives the same subset
            TwoSampleClassifier.Splits again = TwoSampleClassifier.split(101, 57, new SplittableRandom(seed));
            assertArrayEquals(sp.train(), again.train());
            subsets.add(ref);
        }
        assertTrue(subsets.size() > 1, "different seeds draw different reference subsets");
    }

    @Test
    void badInputsAreUserErrors() {
        float[] a = gaussian(1, 0), b = gaussian(2, 0);
        b[7] = Float.NaN;
        var e = assertThrows(UserError.class, () -> TwoSampleClassifier.run(a, b, DIM, TINY, null));
        assertTrue(e.getMessage().contains("generated") && e.getMessage().contains("shower 1"), e.getMessage());
        assertThrows(UserError.class, () -> TwoSampleClassifier.run(RowSource.of(a, DIM), RowSource.of(new float[8], 2), TINY, null));
        assertThrows(UserError.class, () -> TwoSampleClassifier.run(new float[4 * DIM], new float[4 * DIM], DIM, TINY, null));
        var k = assertThrows(UserError.class, () -> TINY.withTraining(0, 10, 1e-3).validate("classifier"));
        assertTrue(k.getMessage().startsWith("classifier.epochs"), k.getMessage());
    }

    @Test
    void settingsBindFromYamlWithEvaluatorDefaults() {
        ClassifierSettings s = Yaml.parse("hiddenWidth: 64\nepochs: 3\nruns: 2\nseed: 9\n", ClassifierSettings.class, "c.yaml");
        assertEquals(64, s.hiddenWidth());
        assertEquals(3, s.hiddenLayers());
        assertEquals(2e-4, s.learningRate());
        assertEquals(1000, s.batchSize());
        assertEquals(3, s.epochs());
        assertEquals(2, s.runs());
        assertEquals(9L, s.seed());
        assertEquals(0.01, s.leakySlope());
        var e = assertThrows(UserError.class, () -> Yaml.parse("hiddenWidht: 3\n", ClassifierSettings.class, "c.yaml"));
        assertTrue(e.getMessage().contains("hiddenWidht"), e.getMessage());
    }

    @Test
    void writesTheResultsTable(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("cls.csv");
        TwoSampleClassifier.writeCsv(f, List.of(new TwoSampleClassifier.Row("ds2-student", "low", 0, 0.61, 0.05),
                new TwoSampleClassifier.Row("ds2-student", "high", 1, 0.7, 0.125)));
        List<String> lines = Files.readAllLines(f);
        assertEquals("sample,level,run,auc,jsd", lines.get(0));
        assertEquals(3, lines.size());
        String[] row = lines.get(2).split(",");
        assertEquals("high", row[1]);
        assertEquals(0.125, Double.parseDouble(row[4]));
        assertThrows(IllegalArgumentException.class,
                () -> TwoSampleClassifier.writeCsv(f, List.of(new TwoSampleClassifier.Row("a,b", "low", 0, 0.5, 0))));
    }
}
