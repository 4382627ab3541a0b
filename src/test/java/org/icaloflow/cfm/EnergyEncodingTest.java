package org.icaloflow.cfm;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The energy network's preprocessing (the authors' ExclusiveLogitTransform + StandardizeFromFile), by hand. */
class EnergyEncodingTest {
    static final double D = 1e-6;

    static double logit(double u) {
        double p = u * (1 - 2 * D) + D;
        return Math.log(p / (1 - p));
    }

    @Test
    void fitsTheMeanAndTheUnbiasedStdOfTheLogitsAndEncodesByHand() {
        // three showers, three ratios each
        double[] u = {
                0.2, 0.5, 0.0,
                0.4, 0.25, 1.0,
                0.9, 0.75, 0.5};
        EnergyEncoding e = EnergyEncoding.fit(u, 3);
        // u_0 is not logit-transformed: mean 0.5, std sqrt((0.09 + 0.01 + 0.16) / (3 - 1)) (torch's unbiased std)
        assertEquals(0.5, e.mean()[0], 1e-15);
        assertEquals(Math.sqrt(0.13), e.std()[0], 1e-15);
        // u_1: logits 0, ln(1/3), ln(3) (up to δ): mean 0, std sqrt(2 ln(3)^2 / 2) = ln 3
        assertEquals(0, e.mean()[1], 1e-12);
        assertEquals(Math.log(3), e.std()[1], 1e-5);
        double[] y2 = {logit(0), logit(1), logit(0.5)};
        double m2 = (y2[0] + y2[1] + y2[2]) / 3;
        double s2 = Math.sqrt(((y2[0] - m2) * (y2[0] - m2) + (y2[1] - m2) * (y2[1] - m2) + (y2[2] - m2) * (y2[2] - m2)) / 2);
        assertEquals(m2, e.mean()[2], 1e-12);
        assertEquals(s2, e.std()[2], 1e-9);
        assertEquals(Math.log(1e6 - 1), logit(1), 1e-6, "logit(1) is ln((1-δ)/δ) with δ = 1e-6");
        double[] z = e.encode(u);
        assertEquals((0.4 - 0.5) / Math.sqrt(0.13), z[3], 1e-12);
        assertEquals((logit(0.25) - e.mean()[1]) / e.std()[1], z[4], 1e-12);
        assertEquals((logit(1) - m2) / s2, z[5], 1e-9);
    }

    @Test
    void theFirstRatioIsLinearTheOthersAreNot() {
        EnergyEncoding e = new EnergyEncoding(new double[]{0.1, 0.2}, new double[]{2, 4});
        // z_0 = (u_0 - 0.1)/2 exactly, even outside [0, 1]
        double[] z = e.encode(new double[]{1.5, 0.5, -0.3, 0.9});
        assertEquals(0.7, z[0], 1e-15);
        assertEquals(-0.2, z[2], 1e-15);
        assertEquals((logit(0.5) - 0.2) / 4, z[1], 1e-15);
        assertEquals((logit(0.9) - 0.2) / 4, z[3], 1e-12);
        // decoding clips every ratio to [0, 1]
        double[] u = e.decode(new double[]{5, 100, -5, -100});
        assertArrayEquals(new double[]{1, 1, 0, 0}, u, 1e-12);
    }

    @Test
    void decodeInvertsEncode() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 200, dim = 6;
        double[] u = new double[n * dim];
        for (int i = 0; i < u.length; i++) u[i] = i % dim == 0 ? 0.3 + 0.1 * r.nextDouble() : r.nextDouble();
        u[1] = 0;
        u[2] = 1;   // the edges survive the round trip through δ
        EnergyEncoding e = EnergyEncoding.fit(u, dim);
        double[] z = e.encode(u);
        // standardised on its own training set: mean 0, unbiased std 1 per feature
        for (int j = 0; j < dim; j++) {
            double m = 0, s = 0;
            for (int i = 0; i < n; i++) m += z[i * dim + j] / n;
            for (int i = 0; i < n; i++) s += (z[i * dim + j] - m) * (z[i * dim + j] - m) / (n - 1);
            assertEquals(0, m, 1e-12);
            assertEquals(1, s, 1e-12);
        }
        assertArrayEquals(u, e.decode(z), 1e-9);
        float[] uf = new float[u.length];
        for (int i = 0; i < u.length; i++) uf[i] = (float) u[i];
        float[] back = e.decode(e.encode(uf));
        for (int i = 0; i < u.length; i++) assertEquals(uf[i], back[i], 1e-5);
    }

    @Test
    void aConstantFeatureGetsUnitStdAndBadInputIsRefused() {
        double[] u = {0.3, 0, 0.4, 0, 0.5, 0};
        EnergyEncoding e = EnergyEncoding.fit(u, 2);
        assertEquals(1, e.std()[1]);
        assertEquals(logit(0), e.mean()[1], 1e-9);
        assertThrows(IllegalArgumentException.class, () -> EnergyEncoding.fit(new double[]{0.1, 0.2}, 2), "one row");
        assertThrows(IllegalArgumentException.class, () -> e.encode(new double[]{0.1, 0.2, 0.3}));
        assertThrows(IllegalArgumentException.class, () -> new EnergyEncoding(new double[]{0}, new double[]{0}));
    }
}
