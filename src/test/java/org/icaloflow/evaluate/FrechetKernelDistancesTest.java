package org.icaloflow.evaluate;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FPD and KPD against jetnet's formulas as re-implemented with numpy/scipy in fpd_kpd_reference.py (beside this
 * test's resources; its header has the command), replaying the script's bootstrap indices.
 */
class FrechetKernelDistancesTest {

    private static List<String> lines(String name) throws IOException {
        try (InputStream in = FrechetKernelDistancesTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static double[] nums(String line) {
        String[] t = line.trim().split(" ");
        return Arrays.stream(t, 1, t.length).mapToDouble(Double::parseDouble).toArray();
    }

    private record Fixture(double[][] ref, double[][] gen, List<int[]> draws, Map<String, double[]> expected) {
    }

    private static Fixture fixture() throws IOException {
        List<double[]> ref = new ArrayList<>(), gen = new ArrayList<>();
        for (String l : lines("fpd_kpd_features.csv")) {
            String[] t = l.split(",");
            double[] r = Arrays.stream(t, 1, t.length).mapToDouble(Double::parseDouble).toArray();
            (t[0].equals("reference") ? ref : gen).add(r);
        }
        List<int[]> draws = new ArrayList<>();
        for (String l : lines("fpd_kpd_indices.txt")) draws.add(Arrays.stream(l.trim().split(" ")).mapToInt(Integer::parseInt).toArray());
        Map<String, double[]> e = new HashMap<>();
        for (String l : lines("fpd_kpd_expected.txt")) e.put(l.substring(0, l.indexOf(' ')), nums(l));
        return new Fixture(ref.toArray(double[][]::new), gen.toArray(double[][]::new), draws, e);
    }

    /** Replays the script's draws in order, checking each population size. */
    private static FrechetKernelDistances.Indices replay(List<int[]> draws, int[] next) {
        return (n, size) -> {
            int[] a = draws.get(next[0]++);
            assertEquals(size, a.length, "draw size");
            for (int i : a) assertTrue(i < n);
            return a;
        };
    }

    private static void close(double expected, double actual, double rel, String what) {
        assertEquals(expected, actual, rel * Math.abs(expected), what);
    }

    @Test
    void fpdAndKpdMatchJetnetFormulasOnTheScriptsDraws() throws IOException {
        Fixture f = fixture();
        double[] st = f.expected().get("settings");
        var s = new FrechetKernelDistances.Settings((int) st[0], (int) st[1], (int) st[2], (int) st[3], (int) st[4], (int) st[5], (int) st[6]);
        int[] next = {0};
        FrechetKernelDistances.Indices idx = replay(f.draws(), next);
        FrechetKernelDistances.Value fpd = FrechetKernelDistances.fpd(f.ref(), f.gen(), s, idx);
        assertArrayEquals(Arrays.stream(f.expected().get("batch_sizes")).mapToInt(x -> (int) x).toArray(), fpd.batchSizes());
        double[] means = f.expected().get("fpd_means");
        for (int k = 0; k < means.length; k++) close(means[k], fpd.perBatchSize()[k], 1e-9, "mean Frechet distance at N=" + fpd.batchSizes()[k]);
        // the exact least-squares intercept (bounds inactive here); scipy's trf stops within ~1e-8 of it
        close(f.expected().get("lstsq")[0], fpd.value(), 1e-9, "FPD vs lstsq");
        close(f.expected().get("fpd")[0], fpd.value(), 1e-7, "FPD vs curve_fit");
        close(f.expected().get("fpd")[1], fpd.error(), 1e-6, "FPD error vs curve_fit pcov");
        FrechetKernelDistances.Value kpd = FrechetKernelDistances.kpd(f.ref(), f.gen(), s, idx);
        assertEquals(f.draws().size(), next[0], "all draws used, in the script's order");
        double[] kv = f.expected().get("kpd_values");
        for (int b = 0; b < kv.length; b++) close(kv[b], kpd.perBatchSize()[b], 1e-9, "MMD of batch " + b);
        close(f.expected().get("kpd")[0], kpd.value(), 1e-9, "KPD median");
        close(f.expected().get("kpd")[1], kpd.error(), 1e-9, "KPD error");
    }

    @Test
    void traceOfTheMatrixSquareRootMatchesScipy() throws IOException {
        Fixture f = fixture();
        double[] sc = FrechetKernelDistances.scales(f.ref());
        double[][] x = FrechetKernelDistances.divide(f.ref(), sc), y = FrechetKernelDistances.divide(f.gen(), sc);
        int[] ix = java.util.stream.IntStream.range(0, x.length).toArray(), iy = java.util.stream.IntStream.range(0, y.length).toArray();
        double[][] s1 = FrechetKernelDistances.covariance(x, ix, new double[x[0].length]);
        double[][] s2 = FrechetKernelDistances.covariance(y, iy, new double[x[0].length]);
        close(f.expected().get("trace_sqrt")[0], FrechetKernelDistances.traceSqrtProduct(s1, s2), 1e-10, "tr sqrt(S1 S2)");
    }

    @Test
    void eigenvaluesOfARandomSymmetricMatrixReconstructIt() {
        int n = 40;
        Random r = new Random(3);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) a[i][j] = a[j][i] = r.nextGaussian();
        double[][] v = new double[n][];
        for (int i = 0; i < n; i++) v[i] = a[i].clone();
        double[] d = new double[n], e = new double[n];
        SymmetricEigen.tridiagonalise(v, d, e, true);
        SymmetricEigen.ql(d, e, v);
        // A q_k = λ_k q_k for every row q_k of v, and the rows are orthonormal
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += a[i][j] * v[k][j];
                assertEquals(d[k] * v[k][i], s, 1e-10);
            }
            double nn = 0;
            for (int j = 0; j < n; j++) nn += v[k][j] * v[k][j];
            assertEquals(1, nn, 1e-12);
        }
        double[][] w = new double[n][];
        for (int i = 0; i < n; i++) w[i] = a[i].clone();
        double[] d2 = new double[n], e2 = new double[n];
        SymmetricEigen.tridiagonalise(w, d2, e2, false);
        SymmetricEigen.ql(d2, e2, null);
        double[] s1 = d.clone(), s2 = d2.clone();
        Arrays.sort(s1);
        Arrays.sort(s2);
        assertArrayEquals(s1, s2, 1e-10, "eigenvalues without vectors");
    }

    private static double[][] gaussian(int n, int d, long seed, double shift) {
        Random r = new Random(seed);
        double[][] x = new double[n][d];
        for (double[] row : x) {
            double c = r.nextGaussian();
            for (int j = 0; j < d; j++) row[j] = 5 + j + r.nextGaussian() + 0.5 * c + (j == 0 ? shift : 0);
        }
        return x;
    }

    @Test
    void sameDistributionGivesAboutZeroAndAShiftGivesMore() {
        int n = 1500, d = 12;
        double[][] ref = gaussian(n, d, 1, 0), same = gaussian(n, d, 2, 0), shifted = gaussian(n, d, 3, 0.5);
        var s = FrechetKernelDistances.Settings.evaluator().clampedTo(n);
        assertEquals(300, s.minSamples());
        assertEquals(1500, s.maxSamples());
        assertEquals(1500, s.kpdBatchSize());
        var f0 = FrechetKernelDistances.fpd(ref, same, s, FrechetKernelDistances.Indices.seeded(7));
        var f1 = FrechetKernelDistances.fpd(ref, shifted, s, FrechetKernelDistances.Indices.seeded(7));
        // the shift in column 0 is 0.5/max|x_0| ≈ 0.5/9.5: its squared mean difference is ~2.8e-3
        // two finite samples of one distribution still differ by ~ Σ var_j / n (here ~3e-4)
        assertTrue(f0.value() < 1e-3, "same distribution: FPD " + f0.value());
        assertTrue(f1.value() > 2e-3 && f1.value() > f0.value() + 1.5e-3, "shifted: FPD " + f1.value() + " vs " + f0.value());
        var k0 = FrechetKernelDistances.kpd(ref, same, s, FrechetKernelDistances.Indices.seeded(7));
        var k1 = FrechetKernelDistances.kpd(ref, shifted, s, FrechetKernelDistances.Indices.seeded(7));
        assertTrue(Math.abs(k0.value()) < 3 * k0.error() + 1e-5, "same distribution: KPD " + k0.value() + " ± " + k0.error());
        assertTrue(k1.value() > 10 * Math.abs(k0.value()) && k1.value() > 3 * k1.error(), "shifted: KPD " + k1.value() + " vs " + k0.value());
    }
}
