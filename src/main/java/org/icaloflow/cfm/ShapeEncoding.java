package org.icaloflow.cfm;

import java.util.random.RandomGenerator;

/**
 * The shape network's voxel preprocessing (paper Sec. 2, Eq. 3) and its inverse, on batch-major showers
 * (n × V, V = layers · voxels per layer, a layer's voxels contiguous, as the project's voxel index), following the
 * order of calo_dreamer's transform chain for the full-space ViT ({@code NormalizeByElayer},
 * {@code SelectiveUniformNoise}, {@code ExclusiveLogitTransform}, {@code StandardizeFromFile}):
 * <ol>
 *   <li>each voxel divided by its layer's energy, x / (E_layer + 10⁻¹⁰): a layer's voxels sum to 1, an empty
 *       layer is all 0 (the u ratios, {@link EnergyRatios}, keep the layer energies);</li>
 *   <li>optionally uniform noise U(0, w) added to every normalised voxel (w = 5·10⁻⁷ in the authors' DS2 and
 *       5·10⁻⁶ in their DS3 configurations; the paper does not mention it);</li>
 *   <li>the logit of Eq. 3: x_α = (1 − 2α)x + α, x' = log(x_α / (1 − x_α)), α = 10⁻⁶;</li>
 *   <li>standardised per feature by the training set's mean and standard deviation ({@link Standardisation},
 *       torch's {@code std}: the unbiased one).</li>
 * </ol>
 * The inverse undoes 4 and 3 ((σ(x') − α)/(1 − 2α)), sets voxels below the noise width to 0 (the authors'
 * {@code cut}; with w = 0, negative values), and then the postprocessing step the paper names: each layer is
 * rescaled so that its generated voxels sum to the layer energy, x · E_layer / (Σ_layer x + 10⁻¹⁰), the layer
 * energies coming from the energy network's u (a zero layer energy gives an empty layer).
 *
 * <p>Arithmetic in double; float[] overloads convert at the edges.
 */
public final class ShapeEncoding {
    /** Eq. 3's α. */
    public static final double ALPHA = 1e-6;
    /** The authors' ε in the layer normalisation and the rescaling. */
    public static final double LAYER_EPS = 1e-10;
    /** The authors' noise widths for DS2 and DS3 (their configurations {@code d2_shape_model*}, {@code d3_shape_model}). */
    public static final double DS2_NOISE = 5e-7;
    public static final double DS3_NOISE = 5e-6;

    /** Per-feature mean and standard deviation of the training set's logits (V values each). */
    public record Standardisation(double[] mean, double[] std) {
        public Standardisation {
            if (mean.length != std.length) throw new IllegalArgumentException(mean.length + " means but " + std.length + " deviations");
            for (double s : std) {
                if (!(s > 0) || Double.isInfinite(s)) throw new IllegalArgumentException("standard deviation " + s + " is not positive");
            }
            mean = mean.clone();
            std = std.clone();
        }

        @Override
        public double[] mean() {
            return mean.clone();
        }

        @Override
        public double[] std() {
            return std.clone();
        }
    }

    private final int layers;
    private final int voxelsPerLayer;
    private final double alpha;
    private final double noiseWidth;

    /**
     * @param noiseWidth w of the uniform noise (0: none); also the cut of the inverse
     */
    public ShapeEncoding(int layers, int voxelsPerLayer, double alpha, double noiseWidth) {
        if (layers < 1 || voxelsPerLayer < 1) throw new IllegalArgumentException("bad grid " + layers + " × " + voxelsPerLayer);
        if (!(alpha >= 0 && alpha < 0.5)) throw new IllegalArgumentException("α must be in [0, 0.5), got " + alpha);
        if (!(noiseWidth >= 0 && noiseWidth < 1)) throw new IllegalArgumentException("noise width must be in [0, 1), got " + noiseWidth);
        this.layers = layers;
        this.voxelsPerLayer = voxelsPerLayer;
        this.alpha = alpha;
        this.noiseWidth = noiseWidth;
    }

    /** DS2: 45 layers of 16 × 9 voxels, α = 10⁻⁶, noise 5·10⁻⁷. */
    public static ShapeEncoding ds2() {
        return new ShapeEncoding(45, 16 * 9, ALPHA, DS2_NOISE);
    }

    /** DS3: 45 layers of 50 × 18 voxels, α = 10⁻⁶, noise 5·10⁻⁶. */
    public static ShapeEncoding ds3() {
        return new ShapeEncoding(45, 50 * 18, ALPHA, DS3_NOISE);
    }

    public int voxels() {
        return layers * voxelsPerLayer;
    }

    public double noiseWidth() {
        return noiseWidth;
    }

    public int layers() {
        return layers;
    }

    public int voxelsPerLayer() {
        return voxelsPerLayer;
    }

    /** Eq. 3's α of this encoding. */
    public double alpha() {
        return alpha;
    }

    /** Layer energies (n × L) of showers (n × V). */
    public double[] layerEnergies(double[] showers) {
        int n = rows(showers);
        double[] e = new double[n * layers];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < layers; l++) {
                double s = 0;
                int o = i * voxels() + l * voxelsPerLayer;
                for (int k = 0; k < voxelsPerLayer; k++) s += showers[o + k];
                e[i * layers + l] = s;
            }
        }
        return e;
    }

    /** Steps 1–3: the logits x' of the layer-normalised (and, with {@code noise} non-null and w > 0, noised) voxels. */
    public double[] logits(double[] showers, RandomGenerator noise) {
        int n = rows(showers);
        double[] e = layerEnergies(showers);
        double[] out = new double[showers.length];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < layers; l++) {
                double el = e[i * layers + l];
                int o = i * voxels() + l * voxelsPerLayer;
                for (int k = 0; k < voxelsPerLayer; k++) {
                    double x = showers[o + k] / (el + LAYER_EPS);
                    if (noise != null && noiseWidth > 0) x += noiseWidth * noise.nextDouble();
                    out[o + k] = logit(x, alpha);
                }
            }
        }
        return out;
    }

    /**
     * The mean and unbiased standard deviation of each feature over the rows of {@code logits} (n ≥ 2); a constant
     * feature gets deviation 1 (it stays at 0).
     */
    public Standardisation fit(double[] logits) {
        int n = rows(logits), v = voxels();
        if (n < 2) throw new IllegalArgumentException("need at least 2 showers to standardise, got " + n);
        double[] mean = new double[v], std = new double[v];
        for (int i = 0; i < n; i++) for (int k = 0; k < v; k++) mean[k] += logits[i * v + k];
        for (int k = 0; k < v; k++) mean[k] /= n;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < v; k++) {
                double d = logits[i * v + k] - mean[k];
                std[k] += d * d;
            }
        }
        for (int k = 0; k < v; k++) {
            std[k] = Math.sqrt(std[k] / (n - 1));
            if (std[k] == 0) std[k] = 1; // a constant feature (an always-empty voxel without noise): the authors' code divides by 0
        }
        return new Standardisation(mean, std);
    }

    /** Steps 1–4: what the shape network learns, (x' − mean)/std. */
    public double[] encode(double[] showers, Standardisation s, RandomGenerator noise) {
        double[] z = logits(showers, noise);
        checkWidth(s);
        double[] mean = s.mean, std = s.std;
        int v = voxels();
        for (int i = 0; i < z.length; i++) z[i] = (z[i] - mean[i % v]) / std[i % v];
        return z;
    }

    /**
     * The inverse and the postprocessing: network output (n × V) → voxel energies whose layers sum to
     * {@code layerEnergies} (n × L).
     */
    public double[] decode(double[] encoded, Standardisation s, double[] layerEnergies) {
        int n = rows(encoded);
        if (layerEnergies.length != n * layers) {
            throw new IllegalArgumentException(layerEnergies.length + " layer energies for " + n + " showers of " + layers + " layers");
        }
        checkWidth(s);
        double[] mean = s.mean, std = s.std;
        int v = voxels();
        double[] out = new double[encoded.length];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < layers; l++) {
                int o = i * v + l * voxelsPerLayer;
                double sum = 0;
                for (int k = 0; k < voxelsPerLayer; k++) {
                    double x = inverseLogit(encoded[o + k] * std[l * voxelsPerLayer + k] + mean[l * voxelsPerLayer + k], alpha);
                    if (x < noiseWidth) x = 0; // the cut; with no noise, negative values
                    out[o + k] = x;
                    sum += x;
                }
                double scale = layerEnergies[i * layers + l] / (sum + LAYER_EPS);
                for (int k = 0; k < voxelsPerLayer; k++) out[o + k] *= scale;
            }
        }
        return out;
    }

    public float[] encode(float[] showers, Standardisation s, RandomGenerator noise) {
        return toFloat(encode(toDouble(showers), s, noise));
    }

    public float[] decode(float[] encoded, Standardisation s, float[] layerEnergies) {
        return toFloat(decode(toDouble(encoded), s, toDouble(layerEnergies)));
    }

    /** Eq. 3: log(x_α / (1 − x_α)), x_α = (1 − 2α)x + α. */
    public static double logit(double x, double alpha) {
        double xa = (1 - 2 * alpha) * x + alpha;
        double rest = (1 - 2 * alpha) * (1 - x) + alpha; // 1 − x_α without the cancellation near x = 1
        return Math.log(xa / rest);
    }

    /** The inverse of {@link #logit}: (σ(y) − α)/(1 − 2α). */
    public static double inverseLogit(double y, double alpha) {
        double sigmoid = y >= 0 ? 1 / (1 + Math.exp(-y)) : Math.exp(y) / (1 + Math.exp(y));
        return (sigmoid - alpha) / (1 - 2 * alpha);
    }

    private void checkWidth(Standardisation s) {
        if (s.mean.length != voxels()) throw new IllegalArgumentException("standardisation of " + s.mean.length + " features for " + voxels() + " voxels");
    }

    private int rows(double[] a) {
        if (a.length % voxels() != 0) throw new IllegalArgumentException(a.length + " values are not rows of " + voxels() + " voxels");
        return a.length / voxels();
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
