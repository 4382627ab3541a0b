package org.icaloflow.synth;

import org.icaloflow.data.Geometry;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A parametric (GFlash-style) electromagnetic shower generator for a CaloChallenge-like geometry; the
 * stand-in for Geant4 showers. See {@link SynthParameters} for the model and docs/synth.md for its limits.
 *
 * <p>One shower: draw correlated (ln T, ln alpha) and the per-shower response; build the layer CDF of the
 * Gamma longitudinal profile and the per-layer radial core/tail parameters; throw N energy spots, each with
 * a layer (from the CDF), a radius (core or tail), a uniform azimuth and an Erlang weight; spots past the last
 * layer or outside the last ring are lost; normalise weights to the visible energy, add voxel noise and apply
 * the readout threshold; add the primary's minimum-ionising track in the first layers and noise hits in
 * empty voxels.
 *
 * <p>Determinism: a shower's randomness comes only from (seed, shower index), through its own
 * {@link SplittableRandom}, so rows are bit-identical however showers are batched or parallelised
 * (for one JVM build).
 */
public final class ShowerGenerator {

    /** Readout threshold of the CaloChallenge evaluator in MeV: 0.5 keV over the 0.033 sampling fraction. */
    public static final double READOUT_THRESHOLD_MEV = 0.5e-3 / 0.033;
    /** Default incident-energy range in MeV (1 GeV to 1 TeV, log-uniform). */
    public static final double MIN_ENERGY_MEV = 1e3, MAX_ENERGY_MEV = 1e6;

    private final Geometry g;
    private final SynthParameters p;
    private final int nLayers, voxels;
    private final int[] layerOffset, nAlpha, nR;
    private final double[][] edgesRm;   // radial edges in Molière radii
    private final double[] drRm;        // uniform ring width in RM, or 0 when the edges are not uniform
    private final double[] outerRm;
    private final double noiseHitProbability, noiseTailCut;

    public ShowerGenerator(Geometry g, SynthParameters p) {
        this.g = g;
        this.p = p;
        this.nLayers = g.layers();
        this.voxels = g.voxels();
        layerOffset = new int[nLayers];
        nAlpha = new int[nLayers];
        nR = new int[nLayers];
        edgesRm = new double[nLayers][];
        drRm = new double[nLayers];
        outerRm = new double[nLayers];
        for (int l = 0; l < nLayers; l++) {
            layerOffset[l] = g.layerOffset(l);
            nAlpha[l] = g.alphaBins(l);
            nR[l] = g.radialBins(l);
            double[] e = g.layer(l).radialEdgesMm();
            double[] eRm = new double[e.length];
            for (int i = 0; i < e.length; i++) eRm[i] = e[i] / p.moliereRadiusMm();
            edgesRm[l] = eRm;
            outerRm[l] = eRm[eRm.length - 1];
            double dr = eRm[1] - eRm[0];
            boolean uniform = e[0] == 0;
            for (int i = 1; i < eRm.length && uniform; i++)
                uniform = Math.abs(eRm[i] - i * dr) <= 1e-9 * eRm[eRm.length - 1];
            drRm[l] = uniform ? dr : 0;
        }
        if (p.noiseMeV() > 0) {
            noiseTailCut = p.thresholdMeV() / p.noiseMeV();
            noiseHitProbability = 0.5 * erfc(noiseTailCut / Math.sqrt(2));
        } else {
            noiseTailCut = Double.POSITIVE_INFINITY;
            noiseHitProbability = 0;
        }
    }

    public ShowerGenerator(Geometry g) {
        this(g, SynthParameters.defaults());
    }

    public Geometry geometry() {
        return g;
    }

    public SynthParameters parameters() {
        return p;
    }

    /** The per-shower random quantities (for tests and diagnostics). */
    public record Shape(double tMaxX0, double alpha, double beta, double response, int spots) {
    }

    /** One shower row of {@link Geometry#voxels()} voxel energies in MeV. */
    public float[] generate(double energyMeV, long seed, long index) {
        float[] row = new float[voxels];
        generateInto(energyMeV, seed, index, row, 0);
        return row;
    }

    /**
     * Showers {@code firstIndex, firstIndex+1, ...} for {@code energiesMeV}, written row after row into
     * {@code out} (length at least energies x voxels), in parallel; identical to one-by-one generation.
     */
    public void generate(double[] energiesMeV, long seed, long firstIndex, float[] out) {
        long need = (long) energiesMeV.length * voxels;
        if (out.length < need) throw new IllegalArgumentException("out holds " + out.length + " floats, needs " + need);
        IntStream.range(0, energiesMeV.length).parallel()
                .forEach(i -> generateInto(energiesMeV[i], seed, firstIndex + i, out, i * voxels));
    }

    /** Log-uniform incident energies in [minMeV, maxMeV); value i depends only on (seed, i). */
    public static double[] sampleEnergies(int n, long seed, double minMeV, double maxMeV) {
        if (!(minMeV > 0) || !(maxMeV >= minMeV)) throw new IllegalArgumentException("need 0 < min <= max");
        double[] e = new double[n];
        double lr = StrictMath.log(maxMeV / minMeV);
        long s = mix64(seed ^ 0x5DEECE66DL) + 0x632BE59BD9B4E019L;
        for (int i = 0; i < n; i++) {
            double u = new SplittableRandom(streamSeed(s, i)).nextDouble();
            e[i] = minMeV * StrictMath.exp(lr * u);
        }
        return e;
    }

    /** Log-uniform incident energies in 1 GeV - 1 TeV. */
    public static double[] sampleEnergies(int n, long seed) {
        return sampleEnergies(n, seed, MIN_ENERGY_MEV, MAX_ENERGY_MEV);
    }

    /** The per-shower shape of shower (seed, index) at {@code energyMeV}, as {@link #generate} draws it. */
    public Shape shape(double energyMeV, long seed, long index) {
        return drawShape(energyMeV, new Rng(streamSeed(seed, index)));
    }

    private Shape drawShape(double energyMeV, Rng rng) {
        if (!(energyMeV > 0) || Double.isInfinite(energyMeV))
            throw new IllegalArgumentException("incident energy must be positive and finite: " + energyMeV);
        SynthParameters.Longitudinal lp = p.longitudinal();
        double lny = StrictMath.log(energyMeV / p.criticalEnergyMeV());
        double z1 = rng.gaussian(), z2 = rng.gaussian();
        double rho = lp.correlation(lny);
        double lnT = lp.meanLnT(lny) + lp.sigmaLnT(lny) * z1;
        double lnA = lp.meanLnAlpha(lny, p.zEff()) + lp.sigmaLnAlpha(lny) * (rho * z1 + Math.sqrt(1 - rho * rho) * z2);
        double tMax = StrictMath.exp(lnT);
        double alpha = Math.max(StrictMath.exp(lnA), lp.minAlpha());
        double beta = (alpha - 1) / tMax;
        // per-shower response: Gaussian truncated at 3 sigma (and at 0)
        double sigma = p.relativeResolution(energyMeV);
        double zs;
        do {
            zs = rng.gaussian();
        } while (Math.abs(zs) > 3);
        double response = Math.max(p.response() * (1 + sigma * zs), 0);
        return new Shape(tMax, alpha, beta, response, p.spots().count(energyMeV));
    }

    /** Writes shower (seed, index) into {@code out[offset, offset + voxels)}. */
    public void generateInto(double energyMeV, long seed, long index, float[] out, int offset) {
        Rng rng = new Rng(streamSeed(seed, index));
        Shape s = drawShape(energyMeV, rng);
        java.util.Arrays.fill(out, offset, offset + voxels, 0f);

        // longitudinal CDF at the layer boundaries; u >= cdf[nLayers] leaks out of the back
        double[] cdf = new double[nLayers + 1];
        double lnGammaA = lnGamma(s.alpha());
        for (int l = 1; l <= nLayers; l++)
            cdf[l] = regularizedGammaP(s.alpha(), s.beta() * l * p.layerX0(), lnGammaA);
        // per-layer radial parameters at the layer centre
        double lnE = StrictMath.log(energyMeV / 1000.0);
        double[] rCore = new double[nLayers], rTail = new double[nLayers], pCore = new double[nLayers];
        SynthParameters.Radial rp = p.radial();
        for (int l = 0; l < nLayers; l++) {
            double tau = (l + 0.5) * p.layerX0() / s.tMaxX0();
            rCore[l] = rp.coreRadius(tau, lnE, p.zEff());
            rTail[l] = rp.tailRadius(tau, lnE, p.zEff());
            pCore[l] = rp.coreFraction(tau, lnE, p.zEff());
        }

        int n = s.spots();
        int shape = p.spots().shape();
        double inv = 1.0 / shape;
        double contained = cdf[nLayers];
        double wSum = 0;
        for (int i = 0; i < n; i++) {
            // Erlang(shape)/shape weight
            double prod = rng.nextDoubleOpen();
            for (int k = 1; k < shape; k++) prod *= rng.nextDoubleOpen();
            double w = -Math.log(prod) * inv;
            wSum += w;
            double u = rng.nextDouble();
            double v = rng.nextDouble();
            double q = rng.nextDouble();
            double a = rng.nextDouble();
            if (u >= contained) continue; // back leakage
            int l = layerOf(cdf, u);
            double radius = v < pCore[l] ? rCore[l] : rTail[l];
            double r = radius * Math.sqrt(q / (1 - q));
            if (!(r < outerRm[l])) continue; // lateral leakage
            int rb;
            if (drRm[l] > 0) {
                rb = Math.min((int) (r / drRm[l]), nR[l] - 1);
            } else {
                rb = java.util.Arrays.binarySearch(edgesRm[l], r);
                rb = rb >= 0 ? rb : -rb - 2;
                if (rb < 0) continue;
                rb = Math.min(rb, nR[l] - 1);
            }
            int ab = Math.min((int) (a * nAlpha[l]), nAlpha[l] - 1);
            out[offset + layerOffset[l] + ab * nR[l] + rb] += (float) w;
        }

        double scale = wSum > 0 ? energyMeV * s.response() / wSum : 0;
        double noise = p.noiseMeV(), thr = p.thresholdMeV();
        int end = offset + voxels;
        for (int j = offset; j < end; j++) {
            float w = out[j];
            if (w == 0f) continue;
            double e = w * scale;
            if (noise > 0) e += noise * rng.gaussian();
            out[j] = e >= thr ? (float) e : 0f;
        }
        // the incident electron's own ionisation before the shower develops: a MIP-like deposit on the axis
        // (innermost ring, random azimuth bin) in layer 0 and in the layers down to an exponential depth
        if (p.trackMipMeV() > 0) {
            double depth = -p.trackDepthX0() * Math.log(rng.nextDoubleOpen());
            int layers = (int) Math.min(nLayers, 1 + Math.floor(depth / p.layerX0()));
            for (int l = 0; l < layers; l++) {
                double e = p.trackMipMeV() * -Math.log(rng.nextDoubleOpen() * rng.nextDoubleOpen()) * 0.5;
                int j = offset + layerOffset[l] + Math.min((int) (rng.nextDouble() * nAlpha[l]), nAlpha[l] - 1) * nR[l];
                double sum = out[j] + e;
                if (sum >= thr) out[j] = (float) sum;
            }
        }
        // noise above threshold in empty voxels: Poisson count, uniform position, Gaussian-tail value
        if (noiseHitProbability > 0) {
            int hits = rng.poisson(voxels * noiseHitProbability);
            for (int h = 0; h < hits; h++) {
                int j = offset + (int) (rng.nextDouble() * voxels);
                double e = noise * rng.gaussianTail(noiseTailCut);
                if (out[j] == 0f) out[j] = (float) Math.max(e, thr);
            }
        }
    }

    private static int layerOf(double[] cdf, double u) {
        int lo = 0, hi = cdf.length - 1; // cdf[lo] <= u < cdf[hi]
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] <= u) lo = mid;
            else hi = mid;
        }
        return lo;
    }

    // ---- random streams ----

    static long streamSeed(long seed, long index) {
        return mix64(mix64(seed ^ 0x9E3779B97F4A7C15L) + index * 0xD1B54A32D192ED03L + 0x2545F4914F6CDD1DL);
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** SplittableRandom plus the few distributions the model needs, implemented here for reproducibility. */
    static final class Rng {
        private final SplittableRandom r;
        private double spare;
        private boolean hasSpare;

        Rng(long seed) {
            r = new SplittableRandom(seed);
        }

        double nextDouble() {
            return r.nextDouble();
        }

        /** Uniform in (0, 1). */
        double nextDoubleOpen() {
            double u;
            do {
                u = r.nextDouble();
            } while (u == 0);
            return u;
        }

        /** Standard normal (Marsaglia polar method). */
        double gaussian() {
            if (hasSpare) {
                hasSpare = false;
                return spare;
            }
            double x, y, s;
            do {
                x = 2 * r.nextDouble() - 1;
                y = 2 * r.nextDouble() - 1;
                s = x * x + y * y;
            } while (s >= 1 || s == 0);
            double f = Math.sqrt(-2 * Math.log(s) / s);
            spare = y * f;
            hasSpare = true;
            return x * f;
        }

        /** Standard normal conditioned on x > a (a > 0), Marsaglia's tail method. */
        double gaussianTail(double a) {
            double x;
            do {
                x = Math.sqrt(a * a - 2 * Math.log(nextDoubleOpen()));
            } while (r.nextDouble() * x >= a);
            return x;
        }

        int poisson(double mean) {
            if (mean <= 0) return 0;
            if (mean > 200) return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian()));
            double limit = Math.exp(-mean), prod = r.nextDouble();
            int k = 0;
            while (prod > limit) {
                prod *= r.nextDouble();
                k++;
            }
            return k;
        }
    }

    // ---- special functions ----

    /** ln Gamma(x) for x > 0 (Lanczos, g = 7, n = 9). */
    static double lnGamma(double x) {
        if (x < 0.5) return StrictMath.log(Math.PI / StrictMath.sin(Math.PI * x)) - lnGamma(1 - x);
        final double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
                1.5056327351493116e-7};
        x -= 1;
        double a = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) a += c[i] / (x + i);
        return 0.5 * StrictMath.log(2 * Math.PI) + (x + 0.5) * StrictMath.log(t) - t + StrictMath.log(a);
    }

    /** Regularised lower incomplete gamma P(a, x), series below a+1, continued fraction above. */
    static double regularizedGammaP(double a, double x, double lnGammaA) {
        if (x <= 0) return 0;
        double pre = StrictMath.exp(-x + a * StrictMath.log(x) - lnGammaA);
        if (x < a + 1) {
            double ap = a, del = 1.0 / a, sum = del;
            for (int n = 0; n < 1000; n++) {
                ap += 1;
                del *= x / ap;
                sum += del;
                if (Math.abs(del) < Math.abs(sum) * 1e-15) break;
            }
            return Math.min(1.0, sum * pre);
        }
        // Lentz continued fraction for Q(a, x)
        final double tiny = 1e-300;
        double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
        for (int i = 1; i < 1000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < tiny) d = tiny;
            c = b + an / c;
            if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < 1e-15) break;
        }
        return Math.max(0.0, 1.0 - pre * h);
    }

    /** Complementary error function (Numerical Recipes erfcc, relative error below 1.2e-7). */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double ans = t * StrictMath.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2 - ans;
    }
}
