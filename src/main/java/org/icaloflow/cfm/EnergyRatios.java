package org.icaloflow.cfm;

/**
 * CaloDREAM's energy-ratio variables (paper Eq. 2) and the incident-energy condition, on batch-major arrays.
 *
 * <p>Layers are stored 0-based, {@code E[0..L-1]} (L = 45 for CaloChallenge DS2/DS3), and the L ratios are
 * <pre>
 *   u[0] = Σ_j E[j] / (f · E_inc)
 *   u[i] = E[i-1] / Σ_{j ≥ i-1} E[j]        i = 1 .. L-1
 * </pre>
 * i.e. Eq. 2 read with the paper's layers numbered 1..45: u_i = E_i / Σ_{j≥i} E_j for i = 1..44, and no ratio
 * for the last layer, whose energy is what the tail has left. Reading Eq. 2 with layers numbered from 0 instead
 * would make u_44 ≡ 1 and leave the first layer's energy undetermined; this reading is the one that is
 * "analytically invertible" as the paper says, with as many u's as layers.
 *
 * <p>Empty tails: where Σ_{j ≥ i-1} E[j] = 0, u[i] = 0 (and u[0] = 0 for an empty shower); the inverse then
 * gives zeros for that layer and all later ones (it walks the tail as T_{k+1} = T_k·(1 − u), so a zero tail
 * stays zero whatever u says). Every u[i ≥ 1] lies in [0, 1] for non-negative energies; u[0] does when the
 * shower's total is at most f·E_inc (f = 2.85 rescales it so, Sec. 2).
 *
 * <p>The condition: networks see log E_inc scaled to [0, 1] over the dataset's range (Sec. 2), for DS2/DS3
 * 1 GeV .. 1 TeV = 1e3 .. 1e6 MeV ({@link #E_INC_MIN_MEV}, {@link #E_INC_MAX_MEV}).
 *
 * <p>Arithmetic is in double; float[] overloads convert at the edges.
 */
public final class EnergyRatios {
    /** The paper's scale factor f in u_0 (Sec. 2). */
    public static final double CALODREAM_F = 2.85;
    /** CaloChallenge DS2/DS3 calorimeter layers. */
    public static final int CALOCHALLENGE_LAYERS = 45;
    /** DS2/DS3 incident-energy range, MeV (1 GeV .. 1 TeV). */
    public static final double E_INC_MIN_MEV = 1e3;
    public static final double E_INC_MAX_MEV = 1e6;

    private final int layers;
    private final double f;

    public EnergyRatios(int layers, double f) {
        if (layers < 1) throw new IllegalArgumentException("layers must be at least 1, got " + layers);
        if (!(f > 0) || Double.isInfinite(f)) throw new IllegalArgumentException("f must be positive, got " + f);
        this.layers = layers;
        this.f = f;
    }

    /** 45 layers, f = 2.85. */
    public static EnergyRatios calodream() {
        return new EnergyRatios(CALOCHALLENGE_LAYERS, CALODREAM_F);
    }

    public int layers() {
        return layers;
    }

    public double f() {
        return f;
    }

    /** u (n × L, row-major) from layer energies (n × L) and incident energies (n). */
    public double[] ratios(double[] layerEnergies, double[] eInc) {
        int n = rows(layerEnergies, eInc);
        double[] u = new double[layerEnergies.length];
        for (int r = 0; r < n; r++) {
            int o = r * layers;
            // suffix sums from the back, so an empty tail is exactly zero
            double[] tail = new double[layers + 1];
            for (int k = layers - 1; k >= 0; k--) tail[k] = tail[k + 1] + layerEnergies[o + k];
            u[o] = tail[0] == 0 ? 0 : tail[0] / (f * eInc[r]);
            for (int k = 0; k < layers - 1; k++) {
                u[o + k + 1] = tail[k] > 0 ? layerEnergies[o + k] / tail[k] : 0;
            }
        }
        return u;
    }

    /** Layer energies (n × L) from u (n × L) and incident energies (n): the exact inverse of {@link #ratios}. */
    public double[] layerEnergies(double[] u, double[] eInc) {
        int n = rows(u, eInc);
        double[] e = new double[u.length];
        for (int r = 0; r < n; r++) {
            int o = r * layers;
            double tail = u[o] * f * eInc[r];
            for (int k = 0; k < layers - 1; k++) {
                double uk = u[o + k + 1];
                e[o + k] = tail * uk;
                tail = tail * (1 - uk);
            }
            e[o + layers - 1] = tail;
        }
        return e;
    }

    public float[] ratios(float[] layerEnergies, float[] eInc) {
        return toFloat(ratios(toDouble(layerEnergies), toDouble(eInc)));
    }

    public float[] layerEnergies(float[] u, float[] eInc) {
        return toFloat(layerEnergies(toDouble(u), toDouble(eInc)));
    }

    /** (ln E_inc − ln min) / (ln max − ln min): the network's condition, in [0, 1] over [min, max]. */
    public static double condition(double eInc, double min, double max) {
        return (Math.log(eInc) - Math.log(min)) / (Math.log(max) - Math.log(min));
    }

    /** {@link #condition(double, double, double)} over DS2/DS3's 1e3 .. 1e6 MeV. */
    public static double condition(double eIncMeV) {
        return condition(eIncMeV, E_INC_MIN_MEV, E_INC_MAX_MEV);
    }

    /** The inverse of {@link #condition(double, double, double)}. */
    public static double incidentEnergy(double condition, double min, double max) {
        return Math.exp(Math.log(min) + condition * (Math.log(max) - Math.log(min)));
    }

    public static float[] conditions(float[] eIncMeV) {
        float[] c = new float[eIncMeV.length];
        for (int i = 0; i < c.length; i++) c[i] = (float) condition(eIncMeV[i]);
        return c;
    }

    private int rows(double[] perLayer, double[] eInc) {
        if (perLayer.length != (long) eInc.length * layers) {
            throw new IllegalArgumentException(perLayer.length + " values are not " + eInc.length + " rows of " + layers + " layers");
        }
        return eInc.length;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    private static float[] toFloat(double[] a) {
        float[] d = new float[a.length];
        for (int i = 0; i < a.length; i++) d[i] = (float) a[i];
        return d;
    }
}
