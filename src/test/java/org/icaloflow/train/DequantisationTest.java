package org.icaloflow.train;

import org.icaloflow.FlowRole;
import org.icaloflow.UserError;
import org.icaloflow.preprocess.Dequantisation;
import org.icaloflow.preprocess.EncodedShowers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fresh dequantisation noise every pass (the authors' data.py {@code __getitem__}), checked against Appendix A
 * written out here: x = logit_alpha((I + u) / sum(I + u)), E -> logit_alpha((E + u) / 65 GeV), u ~ U[0, 5 keV],
 * with the draws keyed by (file seed, pass, row, layer, part) as documented in docs/preprocess.md.
 */
class DequantisationTest {
    @TempDir
    Path dir;

    static final int L = 4, V = 5, N = 300;
    static final long PASS = 12345;

    static double logitA(double x) {
        double u = 1e-6 + (1 - 2e-6) * x;
        return Math.log(u) - Math.log(1 - u);
    }

    static double sigmoidA(double y) {
        return (1 / (1 + Math.exp(-y)) - 1e-6) / (1 - 2e-6);
    }

    static double[] draws(long pass, int row, int layer, int part, int count) {
        SplittableRandom r = Dequantisation.stream(EncodedShowersFixture.NOISE_SEED, pass, row, layer, part);
        double[] u = new double[count];
        for (int k = 0; k < count; k++) u[k] = 5e-3 * r.nextDouble();
        return u;
    }

    /** Appendix A (A4) for one layer of the fixture with the given noise. */
    static double[] layer(float[] raw, int w, int s, int l, double[] u) {
        double sum = 0;
        double[] q = new double[V];
        for (int v = 0; v < V; v++) sum += q[v] = raw[s * w + 1 + L + l * V + v] + u[v];
        for (int v = 0; v < V; v++) q[v] = logitA(q[v] / sum);
        return q;
    }

    static double energy(float[] raw, int w, int s, int l, double u) {
        return logitA((raw[s * w + 1 + l] + u) / 65000.0);
    }

    static void near(double want, float got, String what) {
        assertEquals(want, got, 2e-5 * Math.max(1, Math.abs(want)), what);
    }

    EncodedShowersFixture fixture() {
        return new EncodedShowersFixture(dir.resolve("f.f32"), N, L, V, 5);
    }

    /** (shower, layer) -> {x, c} of one Flow-3 pass. */
    static Map<Long, float[][]> pairs(TrainingData d, int batch, boolean shuffle) {
        Map<Long, float[][]> m = new HashMap<>();
        int cw = d.conditionDim();
        for (Iterator<TrainingData.Batch> it = d.batches(batch, shuffle, 3, 0); it.hasNext(); ) {
            TrainingData.Batch b = it.next();
            for (int i = 0; i < b.n(); i++) {
                float[] c = java.util.Arrays.copyOfRange(b.c(), i * cw, (i + 1) * cw);
                int s = (int) c[0], l = 0;
                for (int k = 0; k < L - 1; k++) if (c[3 + V + k] == 1f) l = k + 1;
                assertNull(m.put((long) s * L + l, new float[][]{java.util.Arrays.copyOfRange(b.x(), i * V, (i + 1) * V), c}));
            }
        }
        return m;
    }

    @Test
    void flow3PairsAreAppendixAWithFourIndependentDrawsPerPair() {
        EncodedShowersFixture fx = fixture();
        float[] raw = fx.data();
        int w = EncodedShowers.width(L, V);
        try (EncodedShowers f = fx.open()) {
            Map<Long, float[][]> m = pairs(new NextLayerData(f, 7, 0).withNoise(PASS), 9, true);
            assertEquals(N * (L - 1), m.size());
            double sxy = 0, sxx = 0, syy = 0, sx = 0, sy = 0, sumU = 0;
            int k = 0, emptyTargets = 0, differ = 0;
            for (int s = 0; s < N; s++) {
                for (int l = 1; l < L; l++) {
                    float[][] p = m.get((long) s * L + l);
                    double[] x = layer(raw, w, s, l, draws(PASS, s, l, Dequantisation.TARGET, V));
                    double[] prev = layer(raw, w, s, l - 1, draws(PASS, s, l, Dequantisation.PREVIOUS, V));
                    for (int v = 0; v < V; v++) near(x[v], p[0][v], "target " + s + "," + l);
                    for (int v = 0; v < V; v++) near(prev[v], p[1][3 + v], "previous layer " + s + "," + l);
                    near(s, p[1][0], "incident");
                    near(energy(raw, w, s, l, draws(PASS, s, l, Dequantisation.LAYER_ENERGY, 1)[0]), p[1][1], "E_i");
                    near(energy(raw, w, s, l - 1, draws(PASS, s, l, Dequantisation.PREVIOUS_LAYER_ENERGY, 1)[0]), p[1][2], "E_i-1");
                    // the previous layer in the condition has its own draw, not the one of pair (s, l-1)'s target
                    if (l >= 2) {
                        float[] other = m.get((long) s * L + l - 1)[0];
                        boolean same = true;
                        for (int v = 0; v < V; v++) same &= Math.abs(other[v] - p[1][3 + v]) < 1e-6;
                        if (!same) differ++;
                    }
                    // an empty layer: E_i and E_{i-1} are pure noise, recovered from the served values
                    if (raw[s * w + 1 + l] == 0f) {
                        double ui = sigmoidA(p[1][1]) * 65000;
                        assertTrue(ui >= -1e-6 && ui <= 5e-3 + 1e-6, "noise in [0, 5 keV]: " + ui);
                        sumU += ui;
                        emptyTargets++;
                        if (l + 1 < L) {  // the same E_l as the next pair's E_{i-1}: an independent draw
                            double uj = sigmoidA(m.get((long) s * L + l + 1)[1][2]) * 65000;
                            sx += ui; sy += uj; sxx += ui * ui; syy += uj * uj; sxy += ui * uj; k++;
                        }
                    }
                }
            }
            assertEquals(N * (L - 2), differ, "previous-layer condition and target of layer i-1 are independent draws");
            assertEquals(2.5e-3, sumU / emptyTargets, 0.4e-3, "mean of U[0, 5 keV]");
            double r = (sxy - sx * sy / k) / Math.sqrt((sxx - sx * sx / k) * (syy - sy * sy / k));
            assertTrue(k > 100 && Math.abs(r) < 0.3, "E_i and E_{i-1} of the same layer uncorrelated: r = " + r + " over " + k);
        }
    }

    @Test
    void sameNoiseWhateverTheBatchOrderAndChunkAndFreshNoiseEveryPass() {
        try (EncodedShowers f = fixture().open()) {
            Map<Long, float[][]> a = pairs(new NextLayerData(f, 7, 0).withNoise(PASS), 9, true);
            Map<Long, float[][]> b = pairs(new NextLayerData(f, 1000, 0).withNoise(PASS), 100, false);
            Map<Long, float[][]> c = pairs(new NextLayerData(f, 7, 0).withNoise(PASS + 2), 9, true);
            int same = 0, n = 0;   // a float can round two close draws alike: count, do not forbid
            for (long key : a.keySet()) {
                assertArrayEquals(a.get(key)[0], b.get(key)[0], 1e-6f);
                assertArrayEquals(a.get(key)[1], b.get(key)[1], 1e-6f);
                for (int v = 0; v < V; v++, n++) if (a.get(key)[0][v] == c.get(key)[0][v]) same++;
                n++;
                if (a.get(key)[1][1] == c.get(key)[1][1]) same++;
            }
            assertTrue(same < 0.01 * n, "another pass draws other noise: " + same + " of " + n + " values unchanged");
        }
    }

    @Test
    void flow1AndFlow2SamplesAreAppendixAWithFreshNoiseEveryPass() {
        EncodedShowersFixture fx = fixture();
        float[] raw = fx.data();
        int w = EncodedShowers.width(L, V);
        try (EncodedShowers f = fx.open()) {
            TrainingData d1 = DequantisedData.read(FlowRole.LAYER_ENERGIES, f, N);
            TrainingData.Batch all = d1.withNoise(PASS).batches(N, false, 0, 0).next();
            TrainingData.Batch other = d1.withNoise(PASS + 2).batches(N, false, 0, 0).next();
            Map<Integer, float[]> shuffled = new HashMap<>();
            for (Iterator<TrainingData.Batch> it = d1.withNoise(PASS).batches(7, true, 9, 0); it.hasNext(); ) {
                TrainingData.Batch b = it.next();
                for (int i = 0; i < b.n(); i++) shuffled.put((int) b.c()[i], java.util.Arrays.copyOfRange(b.x(), i * L, (i + 1) * L));
            }
            int same = 0;
            for (int s = 0; s < N; s++) {
                near(s, all.c()[s], "Flow-1 condition");
                for (int l = 0; l < L; l++) {
                    near(energy(raw, w, s, l, draws(PASS, s, l, Dequantisation.LAYER_ENERGY, 1)[0]), all.x()[s * L + l], "Flow-1 " + s + "," + l);
                    assertEquals(all.x()[s * L + l], shuffled.get(s)[l], 1e-6f, "batch size and order do not change the noise");
                    if (all.x()[s * L + l] == other.x()[s * L + l]) same++;   // a float can round close draws alike
                    if (raw[s * w + 1 + l] == 0f) {
                        double u = sigmoidA(all.x()[s * L + l]) * 65000;
                        assertTrue(u >= -1e-6 && u <= 5e-3 + 1e-6, "noise in [0, 5 keV]: " + u);
                    }
                }
            }
            assertTrue(same < 0.02 * N * L, "fresh noise every pass: " + same + " unchanged");
            TrainingData.Batch b2 = DequantisedData.read(FlowRole.FIRST_LAYER, f, N).withNoise(PASS).batches(N, false, 0, 0).next();
            for (int s = 0; s < N; s++) {
                double[] x = layer(raw, w, s, 0, draws(PASS, s, 0, Dequantisation.TARGET, V));
                for (int v = 0; v < V; v++) near(x[v], b2.x()[s * V + v], "Flow-2 target");
                near(s, b2.c()[2 * s], "Flow-2 incident");
                near(energy(raw, w, s, 0, draws(PASS, s, 0, Dequantisation.LAYER_ENERGY, 1)[0]) / 4, b2.c()[2 * s + 1], "Flow-2 E_1 / 4");
            }
        }
    }

    @Test
    void filesOfTheOldFormatAskToRerunPreprocess() throws Exception {
        Path p = dir.resolve("f.f32");
        fixture().open().close();
        byte[] bytes = Files.readAllBytes(p);
        System.arraycopy("ICFENC01".getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 8);
        Files.write(p, bytes);
        var e = assertThrows(UserError.class, () -> EncodedShowers.open(p));
        assertTrue(e.getMessage().contains("re-run preprocess") && e.getMessage().contains("f.f32"), e.getMessage());
    }
}
