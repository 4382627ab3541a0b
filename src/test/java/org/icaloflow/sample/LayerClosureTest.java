package org.icaloflow.sample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.icaloflow.data.ShowerBatch;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LayerClosureTest {

    /**
     * Showers whose layer sums are known by construction: layer l of shower i holds r_il x Ẽ_il spread over a few
     * voxels, with r drawn log-uniformly in [1/4, 4] (so a known share lies beyond 1/2 and 2), some layers with
     * Ẽ = 0 (skipped) and some dead layers (r = 0). Quantiles are checked against the sorted ratios (the empirical
     * quantile), fractions exactly; batches of different sizes give the same answer.
     */
    @Test
    void quantilesAndOffFractionsMatchTheRatiosTheShowersWereBuiltWith() {
        int layers = 3, vpl = 4, n = 4000;
        SplittableRandom rnd = new SplittableRandom(11);
        float[] showers = new float[n * layers * vpl];
        float[] proxy = new float[n * layers];
        List<List<Double>> ratios = new ArrayList<>();
        for (int l = 0; l < layers; l++) ratios.add(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < layers; l++) {
                if (l == 2 && i % 5 == 0) continue; // Ẽ = 0: not counted
                double e = Math.exp(rnd.nextDouble(0, 8));
                proxy[i * layers + l] = (float) e;
                double r = l == 1 && i % 10 == 0 ? 0 : Math.pow(2, rnd.nextDouble(-2, 2));
                // split r e over the voxels unevenly; the float sum is what the closure sees
                double w0 = rnd.nextDouble(0.1, 1), w1 = rnd.nextDouble(0.1, 1);
                int o = (i * layers + l) * vpl;
                showers[o] = (float) (r * e * w0 / (w0 + w1));
                showers[o + 2] = (float) (r * e * w1 / (w0 + w1));
                double sum = (double) showers[o] + showers[o + 2];
                ratios.get(l).add(sum / proxy[i * layers + l]);
            }
        }
        LayerClosure whole = new LayerClosure(layers, vpl);
        whole.add(new ShowerBatch(new double[n], showers, layers * vpl), proxy);
        LayerClosure parts = new LayerClosure(layers, vpl);
        for (int from = 0; from < n; from += 1500) {
            int m = Math.min(1500, n - from);
            parts.add(new ShowerBatch(new double[m], Arrays.copyOfRange(showers, from * layers * vpl, (from + m) * layers * vpl),
                    layers * vpl), Arrays.copyOfRange(proxy, from * layers, (from + m) * layers));
        }
        long allPairs = 0, allOff = 0;
        for (int l = 0; l < layers; l++) {
            double[] r = ratios.get(l).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            long low = Arrays.stream(r).filter(x -> x < 0.5).count(), high = Arrays.stream(r).filter(x -> x > 2).count();
            allPairs += r.length;
            allOff += low + high;
            for (LayerClosure c : List.of(whole, parts)) {
                LayerClosure.Layer got = c.layers().get(l);
                assertEquals(l + 1, got.layer());
                assertEquals(r.length, got.showers(), "layer " + (l + 1));
                assertEquals(low / (double) r.length, got.belowHalf(), 1e-12);
                assertEquals(high / (double) r.length, got.aboveDouble(), 1e-12);
                assertClose(empirical(r, 0.1), got.q10(), "q10 layer " + (l + 1));
                assertClose(empirical(r, 0.5), got.median(), "median layer " + (l + 1));
                assertClose(empirical(r, 0.9), got.q90(), "q90 layer " + (l + 1));
            }
        }
        // layer 2 has 10 % dead layers: its q10 is 0 or just above
        assertTrue(whole.layers().get(1).q10() < 0.3, "q10 of layer 2 with 10 % dead layers");
        assertEquals(allOff / (double) allPairs, whole.offFraction(), 1e-12);
        // log-uniform in [1/4, 4]: a quarter below 1/2, a quarter above 2, plus the dead ones
        assertEquals(0.5, whole.layers().get(0).belowHalf() + whole.layers().get(0).aboveDouble(), 0.04);
        assertEquals(2, whole.worstLayer(), "layer 2 has the dead layers on top");
        Map<String, Object> d = whole.describe();
        assertEquals(2, d.get("worst_layer"));
        assertEquals(layers, ((List<?>) d.get("layers")).size());
    }

    @Test
    void aPerfectClosureHasAllQuantilesAtOneAndNothingOff() {
        LayerClosure c = new LayerClosure(2, 1);
        c.add(new ShowerBatch(new double[2], new float[] {3f, 0f, 5f, 7f}, 2), new float[] {3f, 0f, 5f, 7f});
        assertEquals(0.0, c.offFraction());
        assertEquals(1.0, c.layers().get(0).median(), 0.005);
        assertEquals(1, c.layers().get(1).showers(), "the layer with zero Flow-1 energy is skipped");
        LayerClosure empty = new LayerClosure(2, 1);
        assertTrue(Double.isNaN(empty.offFraction()));
        assertNull(empty.describe().get("off_fraction"));
        assertThrows(IllegalArgumentException.class, () -> c.add(new ShowerBatch(new double[1], new float[3], 3), new float[2]));
    }

    /** The smallest x with at least q n values <= x. */
    private static double empirical(double[] sorted, double q) {
        int k = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, k)];
    }

    private static void assertClose(double want, double got, String what) {
        if (want < Math.pow(2, -16)) {
            assertEquals(0, got, what);
        } else {
            // one histogram bin is 1/128 of an octave: 0.55 %
            assertEquals(want, got, want * 0.006, what);
        }
    }
}
