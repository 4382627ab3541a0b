package org.icaloflow.preprocess;

import org.icaloflow.data.Geometry;

import java.util.SplittableRandom;

/**
 * The paper's Appendix A: forward transforms from physical showers (MeV) to the flows' spaces, and
 * their inverses used by the sampler. Pure functions on flat row-major arrays.
 *
 * <ul>
 *   <li>(A1) incident energy: {@code log10(E_inc / 10^4.5 MeV)}, in [-1.5, 1.5] for 1 GeV - 1 TeV;</li>
 *   <li>(A2, A3) layer energies: {@code logit((E_i + U[0, 5 keV]) / 65 GeV)};</li>
 *   <li>(A4) voxels: {@code I + U[0, 5 keV]}, divided by the (noisy) layer sum, then the same logit;</li>
 *   <li>(A5) Flow-2's E_1 condition: the Flow-1 value divided by 4;</li>
 *   <li>Flow-3's condition for layer i: E_inc, E_i, E_{i-1} (as Flow-1), layer i-1's normalised voxels
 *       after the logit, one-hot(i) over the 44 layers 2..45.</li>
 * </ul>
 * The logit is {@code log(u/(1-u))}, {@code u = alpha + (1 - 2 alpha) x}, alpha = 1e-6.
 */
public final class ShowerEncoding {
    /** (A1) reference scale of the incident energy. */
    public static final double INCIDENT_SCALE_MEV = Math.pow(10, 4.5);
    /** (A2) divisor of layer energies: 65 GeV, slightly above any layer's deposit in the datasets. */
    public static final double LAYER_SCALE_MEV = 65_000.0;
    /** (A2, A4) width of the uniform dequantisation noise: 5 keV. */
    public static final double NOISE_MEV = 5e-3;
    /** (A3) logit offset. */
    public static final double ALPHA = 1e-6;
    /** (A5) extra divisor of Flow-2's E_1 condition. */
    public static final double FLOW2_LAYER_DIVISOR = 4.0;
    /** Readout threshold of the CaloChallenge evaluator: 0.5e-3 / 0.033 MeV (about 15.15 keV). */
    public static final double THRESHOLD_MEV = 0.5e-3 / 0.033;

    private ShowerEncoding() {
    }

    // ---------------------------------------------------------------- scalar maps

    /** (A1) */
    public static double incidentCondition(double incidentMeV) {
        return Math.log10(incidentMeV / INCIDENT_SCALE_MEV);
    }

    /** Inverse of (A1). */
    public static double incidentFromCondition(double c) {
        return INCIDENT_SCALE_MEV * Math.pow(10, c);
    }

    /** (A3): x in [0, 1] to the real line. */
    public static double logit(double x) {
        double u = ALPHA + (1 - 2 * ALPHA) * x;
        return Math.log(u / (1 - u));
    }

    /** Inverse of (A3). Not clipped: a flow may produce values outside [0, 1]. */
    public static double inverseLogit(double y) {
        double u = 1 / (1 + Math.exp(-y));
        return (u - ALPHA) / (1 - 2 * ALPHA);
    }

    /**
     * (A2, A3) for one layer energy with its noise draw (MeV). A layer above 65 GeV (none in the CaloChallenge
     * files, by the choice of the constant) is clipped to 65 GeV rather than becoming NaN; the preprocess stage
     * counts and reports such layers.
     */
    public static double layerEnergyTarget(double layerMeV, double noiseMeV) {
        return logit(Math.min(1.0, (layerMeV + noiseMeV) / LAYER_SCALE_MEV));
    }

    /** Inverse of (A2, A3): a Flow-1 output back to MeV (noise not removed), never negative. */
    public static double layerEnergyFromTarget(double y) {
        return Math.max(0, inverseLogit(y) * LAYER_SCALE_MEV);
    }

    // ---------------------------------------------------------------- a batch of showers

    /**
     * A batch of showers in the flows' spaces, row-major: each row is {@code 1 + layers + layers*voxelsPerLayer}
     * floats, the incident-energy condition (A1), the Flow-1 targets (A2, A3), then the normalised voxels after
     * the logit (A4), layer-major as in the files. (The files of {@link EncodedShowers} hold MeV instead; the
     * training loaders encode them with fresh noise every pass: {@link Dequantisation}.)
     */
    public record Encoded(int rows, int layers, int voxelsPerLayer, float[] data) {

        public Encoded {
            if (data.length != rows * EncodedShowers.width(layers, voxelsPerLayer))
                throw new IllegalArgumentException("data length != rows x width");
        }

        public int width() {
            return EncodedShowers.width(layers, voxelsPerLayer);
        }

        /** Incident-energy condition of row n (A1). */
        public float incident(int n) {
            return data[n * width()];
        }

        /** Flow-1 target of row n, zero-based layer l (A2, A3). */
        public float layerEnergy(int n, int l) {
            return data[n * width() + 1 + l];
        }

        private int voxelOffset(int n, int l) {
            return n * width() + 1 + layers + l * voxelsPerLayer;
        }

        /** Flow-1 condition: (rows x 1). */
        public float[] flow1Condition() {
            float[] c = new float[rows];
            for (int n = 0; n < rows; n++) c[n] = incident(n);
            return c;
        }

        /** Flow-1 targets: (rows x layers). */
        public float[] flow1Target() {
            float[] t = new float[rows * layers];
            for (int n = 0; n < rows; n++) System.arraycopy(data, n * width() + 1, t, n * layers, layers);
            return t;
        }

        /** Flow-2 condition (rows x 2): E_inc, E_1 / 4. */
        public float[] flow2Condition() {
            float[] c = new float[rows * 2];
            for (int n = 0; n < rows; n++) {
                c[2 * n] = incident(n);
                c[2 * n + 1] = (float) (layerEnergy(n, 0) / FLOW2_LAYER_DIVISOR);
            }
            return c;
        }

        /** Flow-2 targets: layer 1's normalised voxels (rows x voxelsPerLayer). */
        public float[] flow2Target() {
            return layerTarget(0);
        }

        /** Normalised voxels of zero-based layer {@code l} (rows x voxelsPerLayer). */
        public float[] layerTarget(int l) {
            float[] t = new float[rows * voxelsPerLayer];
            for (int n = 0; n < rows; n++) System.arraycopy(data, voxelOffset(n, l), t, n * voxelsPerLayer, voxelsPerLayer);
            return t;
        }

        /** Width of Flow-3's condition: 3 + voxelsPerLayer + (layers - 1); 191 for DS2, 947 for DS3. */
        public int flow3ConditionWidth() {
            return ShowerEncoding.flow3ConditionWidth(layers, voxelsPerLayer);
        }

        /** Flow-3 condition for zero-based layer {@code l} in 1..layers-1: (rows x flow3ConditionWidth). */
        public float[] flow3Condition(int l) {
            float[] c = new float[rows * flow3ConditionWidth()];
            for (int n = 0; n < rows; n++) flow3Condition(n, l, c, n * flow3ConditionWidth());
            return c;
        }

        /** Writes row n's Flow-3 condition for layer l into {@code out} at {@code at}. */
        public void flow3Condition(int n, int l, float[] out, int at) {
            if (l < 1 || l >= layers) throw new IllegalArgumentException("Flow-3 layer " + l + " outside 1.." + (layers - 1));
            out[at] = incident(n);
            out[at + 1] = layerEnergy(n, l);
            out[at + 2] = layerEnergy(n, l - 1);
            System.arraycopy(data, voxelOffset(n, l - 1), out, at + 3, voxelsPerLayer);
            java.util.Arrays.fill(out, at + 3 + voxelsPerLayer, at + flow3ConditionWidth(), 0f);
            out[at + 3 + voxelsPerLayer + (l - 1)] = 1f;
        }

        /** Writes row n's normalised voxels of layer l into {@code out} at {@code at}. */
        public void layerTarget(int n, int l, float[] out, int at) {
            System.arraycopy(data, voxelOffset(n, l), out, at, voxelsPerLayer);
        }
    }

    /** Width of Flow-3's condition for a uniform geometry. */
    public static int flow3ConditionWidth(int layers, int voxelsPerLayer) {
        return 3 + voxelsPerLayer + (layers - 1);
    }

    /**
     * Encodes a batch of showers (Appendix A) with fresh uniform noise from {@code rng}.
     *
     * @param incidentMeV (rows) incident energies
     * @param showersMeV  (rows x g.voxels()) voxel energies
     */
    public static Encoded encode(Geometry g, double[] incidentMeV, float[] showersMeV, SplittableRandom rng) {
        return encode(g, incidentMeV, showersMeV, n -> rng);
    }

    /** As {@link #encode(Geometry, double[], float[], SplittableRandom)} with a noise source per row. */
    public static Encoded encode(Geometry g, double[] incidentMeV, float[] showersMeV,
                                 java.util.function.IntFunction<SplittableRandom> rowNoise) {
        int rows = incidentMeV.length, layers = g.layers(), vpl = g.voxelsPerLayer(), voxels = g.voxels();
        if (showersMeV.length != rows * voxels) throw new IllegalArgumentException("showers size != rows x voxels");
        int w = EncodedShowers.width(layers, vpl);
        float[] out = new float[rows * w];
        double[] noisy = new double[vpl];
        for (int n = 0; n < rows; n++) {
            SplittableRandom rng = rowNoise.apply(n);
            int o = n * w;
            out[o] = (float) incidentCondition(incidentMeV[n]);
            for (int l = 0; l < layers; l++) {
                int base = n * voxels + l * vpl;
                double layerSum = 0, noisySum = 0;
                for (int v = 0; v < vpl; v++) {
                    double e = showersMeV[base + v];
                    layerSum += e;
                    noisy[v] = e + rng.nextDouble() * NOISE_MEV;
                    noisySum += noisy[v];
                }
                out[o + 1 + l] = (float) layerEnergyTarget(layerSum, rng.nextDouble() * NOISE_MEV);
                int vo = o + 1 + layers + l * vpl;
                for (int v = 0; v < vpl; v++) out[vo + v] = (float) logit(noisy[v] / noisySum);
            }
        }
        return new Encoded(rows, layers, vpl, out);
    }

    /**
     * Postprocessing (Eq. 2): normalised voxels back to MeV for one layer of one shower, in place.
     * {@code logitVoxels} are a flow's outputs; {@code proxyLayerMeV} is Flow-1's proxy for this layer.
     * Voxels below {@code thresholdMeV} become zero. With {@code renormalise} the unit-normalised pattern
     * is first forced to sum to one (the choice of earlier CaloFlows; off in iCaloFlow).
     */
    public static void decodeLayer(float[] logitVoxels, int from, int count, double proxyLayerMeV,
                                   double thresholdMeV, boolean renormalise, float[] outMeV, int outFrom) {
        double sum = 0;
        for (int v = 0; v < count; v++) {
            double x = Math.max(0, inverseLogit(logitVoxels[from + v]));
            outMeV[outFrom + v] = (float) x;
            sum += x;
        }
        double scale = renormalise && sum > 0 ? proxyLayerMeV / sum : proxyLayerMeV;
        for (int v = 0; v < count; v++) {
            double e = outMeV[outFrom + v] * scale;
            outMeV[outFrom + v] = e < thresholdMeV ? 0f : (float) e;
        }
    }

    // ---------------------------------------------------------------- generation, as the authors' run.py

    /**
     * A Flow-1 output y_i to the proxy layer energy Ẽ_i as the authors' {@code generate_flow_1}: inverse of (A3)
     * clamped to [0, 1], times 65 GeV (A2), below {@code thresholdMeV} set to zero.
     */
    public static double proxyLayerEnergy(double y, double thresholdMeV) {
        double e = Math.min(1, Math.max(0, inverseLogit(y))) * LAYER_SCALE_MEV;
        return e < thresholdMeV ? 0 : e;
    }

    /**
     * (A2, A3) without noise: Ẽ_i as a condition, {@code logit(Ẽ_i / 65 GeV)}. The authors' {@code generate_flow_2/3}
     * feed Flow-1's decoded (clamped, thresholded) energies back this way, not Flow-1's raw outputs.
     */
    public static double layerEnergyCondition(double layerMeV) {
        return logit(Math.min(1.0, Math.max(0, layerMeV) / LAYER_SCALE_MEV));
    }

    /**
     * Postprocessing (Eq. 2) of one generated layer in double precision, as the authors' {@code generate_flow_2/3}:
     * inverse logit clamped to [0, 1], times {@code proxyLayerMeV}, voxels below {@code thresholdMeV} set to zero.
     * With {@code renormalise} the clamped pattern is first scaled to sum to one (not in iCaloFlow).
     */
    public static void decodeGeneratedLayer(double[] logitVoxels, int from, int count, double proxyLayerMeV,
                                            double thresholdMeV, boolean renormalise, double[] outMeV, int outFrom) {
        double sum = 0;
        for (int v = 0; v < count; v++) {
            double x = Math.min(1, Math.max(0, inverseLogit(logitVoxels[from + v])));
            outMeV[outFrom + v] = x;
            sum += x;
        }
        double scale = renormalise && sum > 0 ? proxyLayerMeV / sum : proxyLayerMeV;
        for (int v = 0; v < count; v++) {
            double e = outMeV[outFrom + v] * scale;
            outMeV[outFrom + v] = e < thresholdMeV ? 0 : e;
        }
    }

    /**
     * (A4) for one generated layer (MeV, after postprocessing) as the next layer's Flow-3 condition, as the authors'
     * {@code generate_flow_3} re-encodes it: fresh U[0, 5 keV] per voxel from {@code noise} (voxel order), divided
     * by the noisy layer sum, logit. An empty layer (all voxels zero) becomes its noise pattern; should every draw
     * be exactly zero (probability 2^-53 per voxel) the pattern is uniform rather than 0/0.
     */
    public static void encodeLayerCondition(double[] layerMeV, int from, int count, SplittableRandom noise,
                                            double[] out, int at) {
        double sum = 0;
        for (int v = 0; v < count; v++) {
            double e = layerMeV[from + v] + noise.nextDouble() * NOISE_MEV;
            out[at + v] = e;
            sum += e;
        }
        if (!(sum > 0)) {
            java.util.Arrays.fill(out, at, at + count, 1.0);
            sum = count;
        }
        for (int v = 0; v < count; v++) out[at + v] = logit(out[at + v] / sum);
    }
}
