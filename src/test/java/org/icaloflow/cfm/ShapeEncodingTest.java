package org.icaloflow.cfm;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The voxel preprocessing (Sec. 2, Eq. 3) by hand and its inverse with the layer-energy rescaling. */
class ShapeEncodingTest {

    @Test
    void layerNormalisationAndTheLogitOfEquation3ByHand() {
        ShapeEncoding enc = new ShapeEncoding(2, 3, 1e-6, 0);
        // layer 0: 1, 2, 1 (energy 4) → 0.25, 0.5, 0.25; layer 1 empty → 0, 0, 0
        double[] logits = enc.logits(new double[] {1, 2, 1, 0, 0, 0}, null);
        // 30-digit values of log(x_α/(1 − x_α)), x_α = (1 − 2·10⁻⁶)x + 10⁻⁶, for x = 0.25 + O(10⁻¹⁰), 0.5, 0.25 and 0
        double quarter = -1.09860962200322079974, empty = -13.8155095579637741038;
        assertArrayEquals(new double[] {quarter, 0, quarter, empty, empty, empty}, logits, 1e-9);
        assertEquals(13.8155095579637741038, ShapeEncoding.logit(1, 1e-6), 1e-12);
        assertEquals(0.3, ShapeEncoding.inverseLogit(ShapeEncoding.logit(0.3, 1e-6), 1e-6), 1e-15);
        assertEquals(-1e-6 / (1 - 2e-6), ShapeEncoding.inverseLogit(-800, 1e-6), 1e-18); // σ → 0 stays finite
        assertArrayEquals(new double[] {4, 0}, enc.layerEnergies(new double[] {1, 2, 1, 0, 0, 0}), 0);
    }

    @Test
    void standardisationByHandUnbiasedAndConstantFeatures() {
        ShapeEncoding enc = new ShapeEncoding(1, 2, 1e-6, 0);
        // feature 0: 1, 2, 3 → mean 2, unbiased std 1; feature 1 constant → std 1
        ShapeEncoding.Standardisation s = enc.fit(new double[] {1, 5, 2, 5, 3, 5});
        assertArrayEquals(new double[] {2, 5}, s.mean(), 1e-15);
        assertArrayEquals(new double[] {1, 1}, s.std(), 1e-15);
        // encode = (logit − mean)/std: a shower (1, 3) is (0.25, 0.75) of its layer
        ShapeEncoding.Standardisation t = new ShapeEncoding.Standardisation(new double[] {-1, 1}, new double[] {2, 4});
        double[] z = enc.encode(new double[] {1, 3}, t, null);
        assertEquals((-1.09860962200322079974 + 1) / 2, z[0], 1e-9);
        assertEquals((1.09860962200322079974 - 1) / 4, z[1], 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new ShapeEncoding.Standardisation(new double[] {0}, new double[] {0}));
        assertThrows(IllegalArgumentException.class, () -> enc.fit(new double[] {1, 2}));
    }

    /** Showers with empty voxels and empty layers, 4 layers × 6 voxels. */
    static double[] showers(SplittableRandom r, int n) {
        double[] x = new double[n * 24];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < 4; l++) {
                if (r.nextDouble() < 0.2) continue; // empty layer
                for (int k = 0; k < 6; k++) if (r.nextDouble() < 0.7) x[i * 24 + l * 6 + k] = Math.exp(4 * r.nextGaussian());
            }
        }
        return x;
    }

    @Test
    void withoutNoiseDecodeInvertsEncode() {
        ShapeEncoding enc = new ShapeEncoding(4, 6, ShapeEncoding.ALPHA, 0);
        SplittableRandom r = new SplittableRandom(1);
        double[] x = showers(r, 300);
        ShapeEncoding.Standardisation s = enc.fit(enc.logits(x, null));
        double[] back = enc.decode(enc.encode(x, s, null), s, enc.layerEnergies(x));
        double[] e = enc.layerEnergies(x);
        for (int i = 0; i < x.length; i++) {
            double layer = e[(i / 24) * 4 + (i % 24) / 6];
            assertEquals(x[i], back[i], 1e-8 * layer + 1e-12, "voxel " + i);
        }
    }

    @Test
    void withNoiseTheCutRemovesItAndEveryLayerSumsToItsEnergy() {
        double w = ShapeEncoding.DS2_NOISE;
        ShapeEncoding enc = new ShapeEncoding(4, 6, ShapeEncoding.ALPHA, w);
        SplittableRandom r = new SplittableRandom(2);
        double[] x = showers(r, 300);
        double[] e = enc.layerEnergies(x);
        double[] logits = enc.logits(x, new SplittableRandom(3));
        // the noise moved empty voxels off logit(0): inside (logit(0), logit(w)]
        for (int i = 0; i < x.length; i++) {
            if (x[i] == 0) {
                assertTrue(logits[i] > ShapeEncoding.logit(0, ShapeEncoding.ALPHA) && logits[i] <= ShapeEncoding.logit(w, ShapeEncoding.ALPHA) + 1e-9);
            }
        }
        ShapeEncoding.Standardisation s = enc.fit(logits);
        double[] back = enc.decode(enc.encode(x, s, new SplittableRandom(4)), s, e);
        for (int i = 0; i < x.length; i++) {
            double layer = e[(i / 24) * 4 + (i % 24) / 6];
            if (x[i] == 0) assertEquals(0, back[i], 0, "an empty voxel comes back empty");
            // a kept voxel moves by at most the noise relative to its layer (and the rescaling of the others)
            else if (x[i] > 2 * w * layer) assertEquals(x[i], back[i], 8 * w * layer, "voxel " + i);
        }
        // the postprocessing: arbitrary network outputs are rescaled so that each layer has its energy
        double[] generated = enc.encode(x, s, new SplittableRandom(5));
        for (int i = 0; i < generated.length; i++) generated[i] += 0.5 * r.nextGaussian();
        double[] y = enc.decode(generated, s, e);
        double[] sums = enc.layerEnergies(y);
        for (int j = 0; j < e.length; j++) {
            assertEquals(e[j], sums[j], 1e-6 * e[j], "layer " + j); // up to the authors' ε = 10⁻¹⁰ in the rescaling
            if (e[j] == 0) for (int k = 0; k < 6; k++) assertEquals(0, y[(j / 4) * 24 + (j % 4) * 6 + k], 0);
        }
        for (double v : y) assertTrue(v >= 0);
        // float overloads agree
        float[] yf = enc.decode(toFloat(generated), s, toFloat(e));
        for (int i = 0; i < y.length; i++) assertEquals(y[i], yf[i], 1e-5 * (1 + y[i]));
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }
}
