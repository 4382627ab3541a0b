package org.icaloflow.cfm;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnergyRatiosTest {

    @Test
    void aHandComputedFourLayerShower() {
        // E = (2, 0, 3, 5), E_inc = 4, f = 2.5: total 10, tails from layer 0: 10, 8, 8, 5
        EnergyRatios r = new EnergyRatios(4, 2.5);
        double[] u = r.ratios(new double[] {2, 0, 3, 5}, new double[] {4});
        assertArrayEquals(new double[] {10.0 / 10.0, 2.0 / 10, 0.0 / 8, 3.0 / 8}, u, 1e-15);
        assertArrayEquals(new double[] {2, 0, 3, 5}, r.layerEnergies(u, new double[] {4}), 1e-14);
    }

    @Test
    void emptyTailsGiveZeroRatiosAndTheInverseGivesZeros() {
        EnergyRatios r = new EnergyRatios(5, 2.85);
        // layers 2.. empty: u[3] = E[2]/0 and u[4] = E[3]/0 are 0 by convention; u[2] = E[1]/E[1] = 1
        double[] u = r.ratios(new double[] {1, 4, 0, 0, 0, 0, 0, 0, 0, 0}, new double[] {10, 10});
        assertArrayEquals(new double[] {5 / 28.5, 0.2, 1, 0, 0, 0, 0, 0, 0, 0}, u, 1e-15);
        // whatever u says past an empty tail, the layers there are empty
        double[] e = r.layerEnergies(new double[] {5 / 28.5, 0.2, 1, 0.7, 0.3}, new double[] {10});
        assertArrayEquals(new double[] {1, 4, 0, 0, 0}, e, 1e-14);
    }

    @Test
    void roundTripsRandomShowersWithEmptyLayersAndTailsAndKeepsUInTheUnitInterval() {
        EnergyRatios r = EnergyRatios.calodream();
        int n = 500, l = r.layers();
        SplittableRandom rng = new SplittableRandom(16);
        double[] e = new double[n * l];
        double[] eInc = new double[n];
        for (int i = 0; i < n; i++) {
            eInc[i] = Math.exp(Math.log(1e3) + rng.nextDouble() * Math.log(1e3));
            int last = rng.nextInt(l + 1); // layers >= last are an empty tail (last = 0: an empty shower)
            double[] w = new double[l];
            double sum = 0;
            for (int k = 0; k < last; k++) {
                w[k] = rng.nextDouble() < 0.3 ? 0 : rng.nextDouble() * Math.exp(-0.1 * k);
                sum += w[k];
            }
            double total = rng.nextDouble() * r.f() * eInc[i]; // ≤ f·E_inc
            for (int k = 0; k < l; k++) e[i * l + k] = sum > 0 ? total * w[k] / sum : 0;
        }
        double[] u = r.ratios(e, eInc);
        for (double v : u) assertTrue(v >= 0 && v <= 1, "u = " + v);
        double[] back = r.layerEnergies(u, eInc);
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], back[i], 1e-9 * (1 + Math.abs(e[i])), "entry " + i);
            if (e[i] == 0 && isEmptyTail(e, i, l)) assertEquals(0.0, back[i], "an empty tail stays exactly empty");
        }
        // each u against its definition, summed independently
        for (int i = 0; i < n; i++) {
            double total = 0;
            for (int k = 0; k < l; k++) total += e[i * l + k];
            assertEquals(total / (r.f() * eInc[i]), u[i * l], 1e-12);
            for (int k = 1; k < l; k++) {
                double tail = 0;
                for (int j = k - 1; j < l; j++) tail += e[i * l + j];
                assertEquals(tail > 0 ? e[i * l + k - 1] / tail : 0, u[i * l + k], 1e-12, "u_" + k);
            }
        }
        // float overloads agree to float precision
        float[] uf = r.ratios(toFloat(e), toFloat(eInc));
        for (int i = 0; i < u.length; i++) assertEquals(u[i], uf[i], 1e-5);
    }

    @Test
    void theIncidentEnergyConditionIsLogScaledToTheUnitInterval() {
        assertEquals(0.0, EnergyRatios.condition(1e3), 1e-15);
        assertEquals(1.0, EnergyRatios.condition(1e6), 1e-15);
        assertEquals(1.0 / 3, EnergyRatios.condition(1e4), 1e-15); // one decade of three
        assertEquals(0.5, EnergyRatios.condition(Math.sqrt(1e9)), 1e-15);
        assertEquals(31622.8, EnergyRatios.incidentEnergy(0.5, 1e3, 1e6), 0.1);
        assertEquals(2.0 / 3, EnergyRatios.conditions(new float[] {1e5f})[0], 1e-7);
    }

    @Test
    void rejectsAMismatchedBatch() {
        assertThrows(IllegalArgumentException.class, () -> EnergyRatios.calodream().ratios(new double[44], new double[1]));
    }

    private static boolean isEmptyTail(double[] e, int i, int l) {
        int row = i / l;
        for (int k = i; k < (row + 1) * l; k++) if (e[k] != 0) return false;
        return true;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }
}
