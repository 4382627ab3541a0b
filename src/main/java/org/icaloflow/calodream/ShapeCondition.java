package org.icaloflow.calodream;

import org.icaloflow.cfm.EnergyRatios;
import org.icaloflow.cfm.ShapeEncoding;

/**
 * The shape network's condition (46 values for 45 layers), built as calo_dreamer's transform chain for the ViT
 * ({@code NormalizeByElayer} appends the L ratios u to the voxels, {@code ExclusiveLogitTransform} with
 * {@code exclusions: [-45]} takes the logit of u_1..u_{L−1} but not u_0, {@code StandardizeFromFile} standardises
 * them per feature with the training set's statistics, {@code LogEnergy} + {@code ScaleEnergy} map E_inc to
 * [0, 1], and {@code AddFeaturesToCond} puts them behind E_inc):
 * <pre>
 *   c = [ (ln E_inc − ln 10³)/(ln 10⁶ − ln 10³),  (f_i − mean_i)/std_i  for i = 0..L−1 ],
 *   f_0 = u_0,   f_i = logit_α(u_i) (Eq. 3, α = 10⁻⁶) for i ≥ 1.
 * </pre>
 */
public final class ShapeCondition {
    private ShapeCondition() {
    }

    /** The features f (n × L) of ratios u (n × L). */
    public static double[] features(double[] u, int layers) {
        double[] f = new double[u.length];
        for (int i = 0; i < u.length; i++) f[i] = i % layers == 0 ? u[i] : ShapeEncoding.logit(u[i], ShapeEncoding.ALPHA);
        return f;
    }

    /** The conditions (n × (L + 1)) for incident energies (n, MeV) and ratios u (n × L). */
    public static float[] conditions(double[] eIncMeV, double[] u, ShapeEncoding.Standardisation s) {
        int n = eIncMeV.length, layers = s.mean().length;
        if (u.length != n * layers) throw new IllegalArgumentException(u.length + " ratios for " + n + " showers of " + layers + " layers");
        double[] f = features(u, layers), mean = s.mean(), std = s.std();
        float[] c = new float[n * (layers + 1)];
        for (int r = 0; r < n; r++) {
            c[r * (layers + 1)] = (float) EnergyRatios.condition(eIncMeV[r]);
            for (int l = 0; l < layers; l++) c[r * (layers + 1) + 1 + l] = (float) ((f[r * layers + l] - mean[l]) / std[l]);
        }
        return c;
    }
}
