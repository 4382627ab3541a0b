package org.icaloflow.calodream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.cfm.EnergyRatios;
import org.icaloflow.cfm.OdeSolver;
import org.icaloflow.data.Seeds;

import java.util.SplittableRandom;

/**
 * Layer energies from a trained {@link EnergyModel} (paper Sec. 3.1): for each incident energy, the network's
 * autoregressive sample of the encoded ratios (RK4 with {@code steps} steps from ε ~ N(0, 1) at t = 0 to t = 1,
 * position by position), the encoding's inverse (u clipped to [0, 1]) and {@link EnergyRatios}' inverse with
 * f = 2.85. The result is finite, non-negative, and sums per shower to at most f·E_inc.
 *
 * <p>Showers go in batches of {@code batchSize}; batch k draws its noise from
 * {@code new SplittableRandom(Seeds.stream(seed, k))}: the same (seed, batchSize) gives the same draws.
 */
public final class EnergySampler {
    private EnergySampler() {
    }

    /** Sampled ratios u (n × L, in [0, 1]) for incident energies {@code eIncMeV}. */
    public static double[] sampleRatios(EnergyModel model, double[] eIncMeV, long seed, int steps, int batchSize) {
        if (batchSize < 1 || steps < 1) throw new IllegalArgumentException("batchSize and steps must be >= 1");
        int l = model.settings().positions(), n = eIncMeV.length;
        double[] u = new double[n * l];
        OdeSolver solver = new OdeSolver(OdeSolver.Method.RK4, steps);
        DataType type = model.dataType();
        for (int from = 0, k = 0; from < n; from += batchSize, k++) {
            int b = Math.min(batchSize, n - from);
            double[] c = new double[b];
            for (int i = 0; i < b; i++) c[i] = EnergyRatios.condition(eIncMeV[from + i]);
            try (NDManager m = model.manager().newSubManager()) {
                NDArray cond = type == DataType.FLOAT64 ? m.create(c, new Shape(b, 1)) : m.create(toFloat(c), new Shape(b, 1));
                NDArray z = model.network().sample(cond, new SplittableRandom(Seeds.stream(seed, k)), solver);
                double[] zd = z.toType(DataType.FLOAT64, false).toDoubleArray();
                System.arraycopy(model.encoding().decode(zd), 0, u, from * l, b * l);
            }
        }
        return u;
    }

    /** Sampled layer energies (n × L, MeV) for incident energies {@code eIncMeV}. */
    public static double[] sampleLayerEnergies(EnergyModel model, double[] eIncMeV, long seed, int steps, int batchSize) {
        double[] u = sampleRatios(model, eIncMeV, seed, steps, batchSize);
        return new EnergyRatios(model.settings().positions(), EnergyRatios.CALODREAM_F).layerEnergies(u, eIncMeV);
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }
}
