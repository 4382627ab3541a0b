package org.icaloflow.preprocess;

import org.icaloflow.data.Geometry;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class ShowerEncodingTest {

    @Test
    void incidentConditionSpansMinusToPlusOneAndAHalf() {
        assertEquals(-1.5, ShowerEncoding.incidentCondition(1e3), 1e-12);
        assertEquals(1.5, ShowerEncoding.incidentCondition(1e6), 1e-12);
        assertEquals(0.0, ShowerEncoding.incidentCondition(Math.pow(10, 4.5)), 1e-12);
        for (double e : new double[]{1234.5, 5e4, 9.9e5}) {
            assertEquals(e, ShowerEncoding.incidentFromCondition(ShowerEncoding.incidentCondition(e)), 1e-9 * e);
        }
    }

    @Test
    void logitUsesTheOffsetAndInverts() {
        double a = ShowerEncoding.ALPHA;
        assertEquals(Math.log(a / (1 - a)), ShowerEncoding.logit(0), 1e-12);
        assertEquals(-Math.log(a / (1 - a)), ShowerEncoding.logit(1), 1e-9);
        for (double x : new double[]{0, 1e-7, 0.01, 0.5, 0.999, 1}) {
            assertEquals(x, ShowerEncoding.inverseLogit(ShowerEncoding.logit(x)), 1e-12);
        }
    }

    @Test
    void layerEnergyRoundTripsUpToTheNoise() {
        for (double e : new double[]{0, 0.02, 12.5, 3000, 60000}) {
            double y = ShowerEncoding.layerEnergyTarget(e, 0.003);
            assertEquals(e + 0.003, ShowerEncoding.layerEnergyFromTarget(y), 1e-9 * Math.max(1, e));
        }
        assertEquals(0.0, ShowerEncoding.layerEnergyFromTarget(-40), 0.0, "never negative");
        double above = ShowerEncoding.layerEnergyTarget(80_000, 0.001);
        assertTrue(Double.isFinite(above), "a layer above 65 GeV is clipped, not NaN");
        assertEquals(ShowerEncoding.LAYER_SCALE_MEV, ShowerEncoding.layerEnergyFromTarget(above), 1e-3);
    }

    @Test
    void encodeBuildsTheFlowsInputsAndDecodeInvertsThem() {
        Geometry g = Geometry.ds2();
        int rows = 3, v = g.voxels(), vpl = g.voxelsPerLayer();
        SplittableRandom r = new SplittableRandom(7);
        double[] inc = {2e3, 5e4, 8e5};
        float[] showers = new float[rows * v];
        for (int i = 0; i < showers.length; i++) showers[i] = r.nextDouble() < 0.6 ? 0f : (float) (r.nextDouble() * 50);
        ShowerEncoding.Encoded e = ShowerEncoding.encode(g, inc, showers, new SplittableRandom(1));

        // Flow-1 condition and target
        assertEquals(ShowerEncoding.incidentCondition(5e4), e.flow1Condition()[1], 1e-6);
        double layer7 = 0;
        for (int k = 0; k < vpl; k++) layer7 += showers[v + 7 * vpl + k];
        double back = ShowerEncoding.layerEnergyFromTarget(e.flow1Target()[45 + 7]);
        assertTrue(back >= layer7 - 1e-3 && back <= layer7 + ShowerEncoding.NOISE_MEV + 1e-3, back + " vs " + layer7);

        // normalised voxels of each layer sum to one after inverting the logit
        float[] t = e.layerTarget(12);
        for (int n = 0; n < rows; n++) {
            double s = 0;
            for (int k = 0; k < vpl; k++) s += ShowerEncoding.inverseLogit(t[n * vpl + k]);
            assertEquals(1.0, s, 1e-4);
        }

        // Flow-2: E_1 divided by 4
        float[] c2 = e.flow2Condition();
        assertEquals(e.flow1Target()[2 * 45] / 4.0, c2[2 * 2 + 1], 1e-6);

        // Flow-3: 191 wide, layout E_inc, E_i, E_{i-1}, previous layer, one-hot
        assertEquals(191, e.flow3ConditionWidth());
        assertEquals(947, ShowerEncoding.flow3ConditionWidth(45, 900));
        int l = 10;
        float[] c3 = e.flow3Condition(l);
        int o = 191;   // row 1
        assertEquals(e.incident(1), c3[o]);
        assertEquals(e.flow1Target()[45 + l], c3[o + 1]);
        assertEquals(e.flow1Target()[45 + l - 1], c3[o + 2]);
        assertArrayEquals(java.util.Arrays.copyOfRange(e.layerTarget(l - 1), vpl, 2 * vpl),
                java.util.Arrays.copyOfRange(c3, o + 3, o + 3 + vpl));
        double hot = 0;
        for (int k = 0; k < 44; k++) hot += c3[o + 3 + vpl + k];
        assertEquals(1.0, hot);
        assertEquals(1f, c3[o + 3 + vpl + l - 1]);
        assertThrows(IllegalArgumentException.class, () -> e.flow3Condition(0));

        // decode: normalised voxels x layer energy, thresholded, recovers the shower within the noise
        float[] out = new float[vpl];
        double proxy = ShowerEncoding.layerEnergyFromTarget(e.flow1Target()[45 + l]);
        ShowerEncoding.decodeLayer(t = e.layerTarget(l), vpl, vpl, proxy, ShowerEncoding.THRESHOLD_MEV, false, out, 0);
        for (int k = 0; k < vpl; k++) {
            float truth = showers[v + l * vpl + k];
            if (out[k] == 0f) assertTrue(truth < ShowerEncoding.THRESHOLD_MEV + 0.01, "zeroed only small voxels");
            else assertEquals(truth, out[k], 0.02 + 1e-4 * truth);
        }
    }

    @Test
    void decodeThresholdsAndOptionallyRenormalises() {
        float[] y = {(float) ShowerEncoding.logit(0.5), (float) ShowerEncoding.logit(0.3), (float) ShowerEncoding.logit(1e-5)};
        float[] out = new float[3];
        ShowerEncoding.decodeLayer(y, 0, 3, 100.0, ShowerEncoding.THRESHOLD_MEV, false, out, 0);
        assertEquals(50.0, out[0], 1e-3);
        assertEquals(30.0, out[1], 1e-3);
        assertEquals(0f, out[2], "1 keV is below the 15.15 keV threshold");
        ShowerEncoding.decodeLayer(y, 0, 3, 100.0, ShowerEncoding.THRESHOLD_MEV, true, out, 0);
        assertEquals(62.5, out[0], 1e-2);
        assertEquals(15.15e-3, ShowerEncoding.THRESHOLD_MEV, 1e-5);
    }
}
