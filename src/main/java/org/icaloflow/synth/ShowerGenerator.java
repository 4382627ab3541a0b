package org.icaloflow.synth;

import org.icaloflow.data.Geometry;
import org.icaloflow.data.Seeds;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A parametric (GFlash-based) electromagnetic shower generator for a CaloChallenge-like geometry; the stand-in for
 * Geant4 showers. See {@link SynthParameters} for the model and docs/synth.md for its equations and limits.
 *
 * <p>One shower: draw the per-shower response, the correlated (ln T, ln alpha) of the GFlash sampling fits and the
 * sub-shower clumps; the shower is the sum of components (the main shower on its wandering axis and the clumps on
 * their own straight lines), each with a Gamma longitudinal profile integrated per layer. A component's energy in a
 * layer is carried by a Poisson number of hits with a continuous visible-energy spectrum, thrown at a radius from the
 * GFlash core/tail profile (with a width that fluctuates coherently from layer to layer) and a uniform azimuth
 * around the component's centre in that layer; hits past the last layer or the last ring are lost. The primary's own
 * track adds axial hits in the first layers, optional noise is added and the readout threshold is applied.
 *
 * <p>Determinism: a shower's randomness comes only from (seed, shower index), through its own
 * {@link SplittableRandom}, so rows are bit-identical however showers are batched or parallelised
 * (for one JVM build).
 */
public final class ShowerGenerator {

    /** Readout threshold of the CaloChallenge evaluator in MeV: 0.5 keV over the 0.033 sampling fraction. */
    public static final double READOUT_THRESHOLD_MEV = 0.5e-3 / 0.033;
    private static final double TWO_PI = 2 * Math.PI;

    private final Geometry g;
    private final SynthParameters p;
    private final SynthParameters.Stack stack;
    private final int nLayers, voxels;
    private final int[] layerOffset, nAlpha, nR;
    private final double[][] edgesMm;
    private final double[] drMm;        // uniform ring width in mm, or 0 when the edges are not uniform
    private final double[] outerMm;
    private final double layerX0, x0Mm, rmMm, ecMeV, meanHitMeV, lnSoftRange;
    private final double noiseHitProbability, noiseTailCut;

    public ShowerGenerator(Geometry g, SynthParameters p) {
        this.g = g;
        this.p = p;
        this.stack = p.stack();
        this.nLayers = g.layers();
        this.voxels = g.voxels();
        layerOffset = new int[nLayers];
        nAlpha = new int[nLayers];
        nR = new int[nLayers];
        edgesMm = new double[nLayers][];
        drMm = new double[nLayers];
        outerMm = new double[nLayers];
        for (int l = 0; l < nLayers; l++) {
            layerOffset[l] = g.layerOffset(l);
            nAlpha[l] = g.alphaBins(l);
            nR[l] = g.radialBins(l);
            double[] e = g.layer(l).radialEdgesMm();
            edgesMm[l] = e;
            outerMm[l] = e[e.length - 1];
            double dr = e[1] - e[0];
            boolean uniform = e[0] == 0;
            for (int i = 1; i < e.length && uniform; i++) uniform = Math.abs(e[i] - i * dr) <= 1e-9 * e[e.length - 1];
            drMm[l] = uniform ? dr : 0;
        }
        layerX0 = stack.layerX0();
        x0Mm = stack.x0EffMm();
        rmMm = stack.moliereRadiusMm();
        ecMeV = stack.criticalEnergyMeV();
        meanHitMeV = p.hits().meanMeV();
        lnSoftRange = StrictMath.log(p.hits().mipMpvMeV() / p.hits().softMinMeV());
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

    /** The per-shower random quantities of the main shower (for tests and diagnostics); T in X0_eff. */
    public record Shape(double tMaxX0, double alpha, double beta, double response, int clumps) {
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

    /** The per-shower shape of shower (seed, index) at {@code energyMeV}, as {@link #generate} draws it. */
    public Shape shape(double energyMeV, long seed, long index) {
        return drawShape(energyMeV, new Rng(Seeds.stream(seed, index)));
    }

    private Shape drawShape(double energyMeV, Rng rng) {
        if (!(energyMeV > 0) || Double.isInfinite(energyMeV))
            throw new IllegalArgumentException("incident energy must be positive and finite: " + energyMeV);
        SynthParameters.Longitudinal lp = p.longitudinal();
        double lny = StrictMath.log(energyMeV / ecMeV);
        double z1 = rng.gaussian(), z2 = rng.gaussian();
        double rho = lp.correlation(lny);
        double lnT = lp.meanLnT(lny, stack) + lp.sigmaLnT(lny) * z1;
        double lnA = lp.meanLnAlpha(lny, stack) + lp.sigmaLnAlpha(lny) * (rho * z1 + Math.sqrt(1 - rho * rho) * z2);
        double tMax = Math.max(StrictMath.exp(lnT), lp.minT());
        double alpha = Math.max(StrictMath.exp(lnA), lp.minAlpha());
        double beta = (alpha - 1) / tMax;
        // per-shower response (calibration constant term): Gaussian truncated at 3 sigma
        double zs;
        do {
            zs = rng.gaussian();
        } while (Math.abs(zs) > 3);
        double response = Math.max(1 + p.constantTerm() * zs, 0);
        SynthParameters.Clumps cp = p.clumps();
        double meanClumps = energyMeV > cp.minMeV() ? cp.perLog() * StrictMath.log(energyMeV / cp.minMeV()) : 0;
        return new Shape(tMax, alpha, beta, response, rng.poisson(meanClumps));
    }

    /** Writes shower (seed, index) into {@code out[offset, offset + voxels)}. */
    public void generateInto(double energyMeV, long seed, long index, float[] out, int offset) {
        Rng rng = new Rng(Seeds.stream(seed, index));
        Shape s = drawShape(energyMeV, rng);
        java.util.Arrays.fill(out, offset, offset + voxels, 0f);
        double visible = energyMeV * s.response();

        // coherent radial width factor per layer (AR(1) in the layer index)
        SynthParameters.Coherence co = p.coherence();
        double[] width = new double[nLayers];
        double u = rng.gaussian(), innov = Math.sqrt(1 - co.rho() * co.rho());
        for (int l = 0; l < nLayers; l++) {
            if (l > 0) u = co.rho() * u + innov * rng.gaussian();
            width[l] = StrictMath.exp(co.sigma() * u);
        }
        // the main shower's axis at each layer centre: the leading particle's multiple scattering, an angle random
        // walk per plane (variance (E_s/E)^2 per X0) integrated over depth
        double[] axisX = new double[nLayers + 1], axisY = new double[nLayers + 1];   // at the layer boundaries
        double kick = co.wander() * SynthParameters.Stack.SCALE_ENERGY_MEV / energyMeV * Math.sqrt(layerX0);
        double thx = 0, thy = 0;
        for (int l = 0; l < nLayers; l++) {
            double step = layerX0 * x0Mm;
            double nthx = thx + kick * rng.gaussian(), nthy = thy + kick * rng.gaussian();
            axisX[l + 1] = axisX[l] + 0.5 * (thx + nthx) * step;
            axisY[l + 1] = axisY[l] + 0.5 * (thy + nthy) * step;
            thx = nthx;
            thy = nthy;
        }

        // sub-shower clumps: energy, production depth, direction
        SynthParameters.Clumps cp = p.clumps();
        int nc = s.clumps();
        double[] cE = new double[nc], cStart = new double[nc], cThX = new double[nc], cThY = new double[nc];
        double taken = 0, maxClump = Math.max(cp.minMeV(), cp.maxFraction() * energyMeV);
        double lnClumpRange = StrictMath.log(maxClump / cp.minMeV());
        int kept = 0;
        for (int j = 0; j < nc; j++) {
            double e = cp.minMeV() * StrictMath.exp(lnClumpRange * rng.nextDouble());
            // Heitler: a secondary of energy e appears where the cascade has degraded E to e, t ~ ln(E/e) X0;
            // Gamma(2) fluctuation around it
            double depth = cp.productionX0() * StrictMath.log(energyMeV / e) * 0.5
                    * -Math.log(rng.nextDoubleOpen() * rng.nextDoubleOpen());
            double theta = Math.min(cp.angleScale() * SynthParameters.Stack.SCALE_ENERGY_MEV / e, cp.maxAngle());
            double gx = rng.gaussian(), gy = rng.gaussian();
            if (taken + e > cp.totalFraction() * energyMeV) continue;
            taken += e;
            cE[kept] = e * s.response();
            cStart[kept] = depth;
            cThX[kept] = theta * gx;
            cThY[kept] = theta * gy;
            kept++;
        }

        // the incident electron's own ionisation before the shower develops: one minimum-ionising hit per layer on
        // the axis in layer 0 and in the layers down to an exponential depth; its energy is part of the shower's
        int trackLayers = 0;
        double trackEnergy = 0;
        if (p.trackDepthX0() > 0) {
            double depth = -p.trackDepthX0() * Math.log(rng.nextDoubleOpen());
            trackLayers = (int) Math.min(nLayers, 1 + Math.floor(depth / layerX0));
            trackEnergy = trackLayers * p.hits().mipMeanMeV();
        }
        double[] cdf = new double[nLayers + 1];
        Tracks tracks = new Tracks();
        SynthParameters.Longitudinal lp = p.longitudinal();
        // the main shower: GFlash's tau = t/T scaled as Geant4 does for a fluctuated profile
        double meanAlpha = StrictMath.exp(lp.meanLnAlpha(StrictMath.log(energyMeV / ecMeV), stack));
        double tauScale = (s.alpha() - 1) / s.alpha() * meanAlpha / (meanAlpha - 1) / s.tMaxX0();
        deposit(rng, tracks, out, offset, cdf, visible - taken * s.response() - trackEnergy, energyMeV, 0, s.alpha(), s.beta(), tauScale,
                width, axisX, axisY, 0, 0, 0, 0);
        for (int j = 0; j < kept; j++) {
            double lny = StrictMath.log(cE[j] / ecMeV);
            double t = Math.max(StrictMath.exp(lp.meanLnT(lny, stack)), cp.minTX0());
            double a = Math.max(StrictMath.exp(lp.meanLnAlpha(lny, stack)), cp.minAlpha());
            // the clump leaves the main axis at its production depth (axis interpolated between layer boundaries)
            double fl = Math.min(cStart[j] / layerX0, nLayers);
            int il = Math.min((int) fl, nLayers - 1);
            double w = fl - il;
            double x0 = axisX[il] + w * (axisX[il + 1] - axisX[il]), y0 = axisY[il] + w * (axisY[il + 1] - axisY[il]);
            deposit(rng, tracks, out, offset, cdf, cE[j], cE[j], cStart[j], a, (a - 1) / t, 1 / t, width, null, null,
                    x0, y0, cThX[j], cThY[j]);
        }

        double thr = p.thresholdMeV();
        for (int l = 0; l < trackLayers; l++) {
            double x = 0.5 * (axisX[l] + axisX[l + 1]), y = 0.5 * (axisY[l] + axisY[l + 1]);
            if (x == 0 && y == 0) x = 1e-3 * (rng.nextDouble() - 0.5); // on the axis exactly: a random alpha bin
            addHit(out, offset, l, x, y, mipHit(rng));
        }
        double noise = p.noiseMeV();
        int end = offset + voxels;
        for (int j = offset; j < end; j++) {
            float w = out[j];
            if (w == 0f) continue;
            double e = w;
            if (noise > 0) e += noise * rng.gaussian();
            out[j] = e >= thr ? (float) e : 0f;
        }
        // noise above threshold in empty voxels (only with noise on): Poisson count, uniform position, Gaussian tail
        if (noiseHitProbability > 0) {
            int hits = rng.poisson(voxels * noiseHitProbability);
            for (int h = 0; h < hits; h++) {
                int j = offset + (int) (rng.nextDouble() * voxels);
                double e = noise * rng.gaussianTail(noiseTailCut);
                if (out[j] == 0f) out[j] = (float) Math.max(e, thr);
            }
        }
    }

    /**
     * Throws the hits of one component: {@code energy} (MeV, visible) with a Gamma(alpha, beta) profile starting at
     * depth {@code start} (X0_eff); its centre in a layer is the main axis (axisX/Y at the layer boundaries) or,
     * for a clump, (x0, y0) plus the direction (thX, thY) times the distance from {@code start}.
     */
    private void deposit(Rng rng, Tracks tracks, float[] out, int offset, double[] cdf, double energy, double profileEnergyMeV,
                         double start, double alpha, double beta, double tauPerX0, double[] width,
                         double[] axisX, double[] axisY, double x0, double y0, double thX, double thY) {
        if (!(energy > 0)) return;
        double lnGammaA = lnGamma(alpha);
        for (int l = 0; l <= nLayers; l++) {
            double t = l * layerX0 - start;
            cdf[l] = t <= 0 ? 0 : regularizedGammaP(alpha, beta * t, lnGammaA);
        }
        SynthParameters.Radial rp = p.radial();
        SynthParameters.Hits hp = p.hits();
        double lnE = StrictMath.log(profileEnergyMeV / 1000.0);
        tracks.n = 0;
        double previousMean = 0;
        for (int l = 0; l < nLayers; l++) {
            double frac = cdf[l + 1] - cdf[l];
            // hits are charged tracks: each track of the previous layer crosses this one with probability c (at
            // most the ratio of the expected counts, so the count follows the profile), the rest are new tracks
            // from the radial profile; E[n_l] = mean = (energy in the layer) / (mean hit energy)
            double mean = frac > 0 ? energy * frac / meanHitMeV : 0;
            double c = previousMean > 0 ? Math.min(hp.continuation(), mean / previousMean) : 0;
            double freshMean = Math.max(mean - c * previousMean, 0);
            previousMean = mean;
            int alive = 0;
            for (int k = 0; k < tracks.n; k++) {
                if (rng.nextDouble() >= c) continue;
                tracks.set(alive++, tracks.x[k] + tracks.dx[k], tracks.y[k] + tracks.dy[k], tracks.dx[k], tracks.dy[k]);
            }
            int fresh = rng.poisson(freshMean);
            int n = alive + fresh;
            tracks.n = n;
            if (n == 0) continue;
            tracks.ensure(n);
            double centre = (l + 0.5) * layerX0;
            double tau = Math.max(centre - start, 0.25 * layerX0) * tauPerX0; // a clump starting inside the layer
            double rc = rp.coreRadius(tau, lnE, stack) * rmMm * width[l];
            double rt = rp.tailRadius(tau, lnE, stack) * rmMm * width[l];
            double pc = rp.coreFraction(tau, lnE, stack);
            double cx, cy;
            if (axisX != null) {
                cx = 0.5 * (axisX[l] + axisX[l + 1]);
                cy = 0.5 * (axisY[l] + axisY[l + 1]);
            } else {
                double d = Math.max(centre - start, 0) * x0Mm;
                cx = x0 + thX * d;
                cy = y0 + thY * d;
            }
            for (int k = 0; k < n; k++) {
                double x, y;
                if (k < alive) {
                    x = tracks.x[k];
                    y = tracks.y[k];
                } else {
                    double radius = rng.nextDouble() < pc ? rc : rt;
                    double q = rng.nextDouble();
                    double r = radius * Math.sqrt(q / (1 - q));
                    // a uniform direction without trigonometry: a point uniform in the unit disc
                    double vx, vy, vv;
                    do {
                        vx = 2 * rng.nextDouble() - 1;
                        vy = 2 * rng.nextDouble() - 1;
                        vv = vx * vx + vy * vy;
                    } while (vv >= 1 || vv == 0);
                    double f = r / Math.sqrt(vv);
                    x = cx + vx * f;
                    y = cy + vy * f;
                    tracks.set(k, x, y, hp.stepMm() * rng.gaussian(), hp.stepMm() * rng.gaussian());
                }
                double e = rng.nextDouble() < hp.softFraction()
                        ? hp.softMinMeV() * StrictMath.exp(lnSoftRange * rng.nextDouble()) : mipHit(rng);
                addHit(out, offset, l, x, y, e);
            }
        }
    }

    /** Live charged tracks of one component: position in the last layer and lateral step per layer (mm). */
    static final class Tracks {
        double[] x = new double[64], y = new double[64], dx = new double[64], dy = new double[64];
        int n;

        void ensure(int size) {
            if (size <= x.length) return;
            int c = Math.max(size, 2 * x.length);
            x = java.util.Arrays.copyOf(x, c);
            y = java.util.Arrays.copyOf(y, c);
            dx = java.util.Arrays.copyOf(dx, c);
            dy = java.util.Arrays.copyOf(dy, c);
        }

        void set(int k, double px, double py, double sx, double sy) {
            x[k] = px;
            y[k] = py;
            dx[k] = sx;
            dy[k] = sy;
        }
    }

    /** A minimum-ionising crossing: Moyal(mpv, width) = mpv - width ln(Z^2), Z standard normal. */
    private double mipHit(Rng rng) {
        double z = rng.gaussian();
        SynthParameters.Hits hp = p.hits();
        return hp.mipMpvMeV() - hp.mipWidthMeV() * Math.log(Math.max(z * z, 1e-300));
    }

    /** Adds a hit at (x, y) mm in layer l to its voxel; hits outside the last ring are lost. */
    private void addHit(float[] out, int offset, int l, double x, double y, double e) {
        double r = Math.sqrt(x * x + y * y);
        if (!(r < outerMm[l])) return;
        int rb;
        if (drMm[l] > 0) {
            rb = Math.min((int) (r / drMm[l]), nR[l] - 1);
        } else {
            rb = java.util.Arrays.binarySearch(edgesMm[l], r);
            rb = rb >= 0 ? rb : -rb - 2;
            if (rb < 0) return;
            rb = Math.min(rb, nR[l] - 1);
        }
        // alpha bins as the evaluator's: bin a covers [-pi + a 2pi/n, -pi + (a+1) 2pi/n)
        int na = nAlpha[l];
        int ab = na == 1 ? 0 : Math.min((int) ((atan2(y, x) + Math.PI) * (na / TWO_PI)), na - 1);
        out[offset + layerOffset[l] + ab * nR[l] + rb] += (float) e;
    }

    /**
     * atan2 in [-pi, pi] from a polynomial (Abramowitz-Stegun 4.4.49, |error| below 2e-8 rad): plain double
     * arithmetic, so identical in every JVM mode, and several times faster than StrictMath.atan2.
     */
    static double atan2(double y, double x) {
        double ax = Math.abs(x), ay = Math.abs(y);
        if (ax == 0 && ay == 0) return 0;
        boolean swap = ay > ax;
        double z = swap ? ax / ay : ay / ax;
        double z2 = z * z;
        double a = z * (1 + z2 * (-0.3333314528 + z2 * (0.1999355085 + z2 * (-0.1420889944 + z2 * (0.1065626393
                + z2 * (-0.0752896400 + z2 * (0.0429096138 + z2 * (-0.0161657367 + z2 * 0.0028662257))))))));
        if (swap) a = Math.PI / 2 - a;
        if (x < 0) a = Math.PI - a;
        return y < 0 ? -a : a;
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
