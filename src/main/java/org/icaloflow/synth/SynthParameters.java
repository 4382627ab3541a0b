package org.icaloflow.synth;

/**
 * Every constant of the synthetic shower model ({@link ShowerGenerator}), with the formulas that use them.
 *
 * <p>The model is GFlash (G. Grindhammer, S. Peters, "The parameterized simulation of electromagnetic showers in
 * homogeneous and sampling calorimeters", hep-ex/0001020, "GP" below; as implemented in Geant4's
 * {@code GFlashSamplingShowerParameterisation}) for the CaloChallenge W/Si stack, plus three things GFlash does not
 * have and iCaloFlow needs: energy deposited by individual charged-particle hits with a continuous spectrum,
 * sub-shower clumps that persist over several layers, and a radial width that fluctuates coherently with depth.
 * Units: energies in MeV, lengths in mm, depths in effective radiation lengths (X0_eff) unless a name says otherwise.
 *
 * @param stack        the sampling structure (materials, thicknesses) and the effective quantities derived from it
 * @param longitudinal the longitudinal (Gamma profile) fits and their correlated fluctuations (docs/synth.md, L1-L4)
 * @param radial       the radial core/tail fits with their sampling corrections (docs/synth.md, R1-R4)
 * @param hits         visible energy of a single charged-particle hit
 * @param clumps       sub-shower clumps: count, energies, production depth, direction
 * @param coherence    layer-to-layer coherent fluctuation of the radial width
 * @param constantTerm per-shower Gaussian response spread (calibration, 0.01); the stochastic term emerges from hits
 * @param trackDepthX0 mean depth (X0_eff, exponential) of the incident electron's own track before the shower takes
 *                     over; it leaves one axial hit per layer it crosses, always layer 0 (1.0; 0 turns it off)
 * @param noiseMeV     Gaussian electronic noise per voxel before the threshold (0 by default: the CaloChallenge
 *                     Geant4 files have none; {@link #withNoise} keeps it for robustness tests)
 * @param thresholdMeV readout threshold: voxels below are zero ({@link ShowerGenerator#READOUT_THRESHOLD_MEV})
 */
public record SynthParameters(Stack stack, Longitudinal longitudinal, Radial radial, Hits hits, Clumps clumps,
                              Coherence coherence, double constantTerm, double trackDepthX0, double noiseMeV,
                              double thresholdMeV) {

    public SynthParameters {
        if (stack == null || longitudinal == null || radial == null || hits == null || clumps == null || coherence == null)
            throw new NullPointerException("sub-records");
        if (constantTerm < 0 || noiseMeV < 0 || thresholdMeV < 0 || trackDepthX0 < 0)
            throw new IllegalArgumentException("constant term, track depth, noise and threshold must not be negative");
    }

    /** The documented defaults (docs/synth.md): the CaloChallenge W/Si stack, GFlash's sampling fits, no noise. */
    public static SynthParameters defaults() {
        return new SynthParameters(Stack.caloChallenge(), Longitudinal.gflash(), Radial.gflash(), Hits.silicon(),
                Clumps.defaults(), Coherence.defaults(), 0.01, 1.0, 0.0, ShowerGenerator.READOUT_THRESHOLD_MEV);
    }

    public SynthParameters withNoise(double noise) {
        return new SynthParameters(stack, longitudinal, radial, hits, clumps, coherence, constantTerm, trackDepthX0, noise, thresholdMeV);
    }

    public SynthParameters withTrack(double depthX0) {
        return new SynthParameters(stack, longitudinal, radial, hits, clumps, coherence, constantTerm, depthX0, noiseMeV, thresholdMeV);
    }

    public SynthParameters withClumps(Clumps c) {
        return new SynthParameters(stack, longitudinal, radial, hits, c, coherence, constantTerm, trackDepthX0, noiseMeV, thresholdMeV);
    }

    public SynthParameters withCoherence(Coherence c) {
        return new SynthParameters(stack, longitudinal, radial, hits, clumps, c, constantTerm, trackDepthX0, noiseMeV, thresholdMeV);
    }

    /** A material of the stack: Z, A (g/mol), density (g/cm^3), radiation length (g/cm^2). */
    public record Material(String name, double z, double a, double density, double x0GramPerCm2) {
        public static final Material TUNGSTEN = new Material("W", 74, 183.84, 19.30, 6.76);
        public static final Material SILICON = new Material("Si", 14, 28.0855, 2.329, 21.82);

        public double x0Mm() {
            return 10 * x0GramPerCm2 / density;
        }

        /** Critical energy as Geant4's GFlash computes it, E_c = 2.66 (X0 Z/A)^1.1 MeV (X0 in g/cm^2): 8.0 MeV for W. */
        public double criticalEnergyMeV() {
            return 2.66 * StrictMath.pow(x0GramPerCm2 * z / a, 1.1);
        }
    }

    /**
     * The sampling structure: {@code pairsPerLayer} times (absorber {@code absorberMm} + active {@code activeMm})
     * per readout layer. CaloChallenge datasets 2 and 3 (iCaloFlow paper Sec. II): 1.4 mm W + 0.3 mm Si, two pairs
     * per 3.4 mm readout layer. Effective quantities (docs/synth.md, S1-S6; Geant4 ComputeZAX0EFFetc) with mass fractions w_i:
     * 1/X0_eff = sum w_i/X0_i (g/cm^2), E_c,eff = X0_eff sum w_i E_c,i/X0_i, R_M,eff = E_s / (sum w_i E_c,i/X0_i)
     * (E_s = 21.2 MeV), Z_eff = sum w_i Z_i, sampling frequency F_S = X0_eff/(d_a + d_p), e/mip ratio
     * ê = 1/(1 + 0.007 (Z_a - Z_p)). (Geant4 mixes mass fractions with radiation lengths in mm in E_c,eff and
     * R_M,eff; here every sum is in g/cm^2, then divided by the mean density.)
     */
    public record Stack(Material absorber, Material active, double absorberMm, double activeMm, int pairsPerLayer,
                        double samplingFraction) {
        public static final double SCALE_ENERGY_MEV = 21.2;

        public Stack {
            if (!(absorberMm > 0) || !(activeMm > 0) || pairsPerLayer < 1 || !(samplingFraction > 0))
                throw new IllegalArgumentException("stack thicknesses, pairs and sampling fraction must be positive");
        }

        public static Stack caloChallenge() {
            return new Stack(Material.TUNGSTEN, Material.SILICON, 1.4, 0.3, 2, 0.033);
        }

        private double massA() {
            return absorberMm * absorber.density();
        }

        private double massP() {
            return activeMm * active.density();
        }

        public double absorberMassFraction() {
            return massA() / (massA() + massP());
        }

        public double meanDensity() {
            return (massA() + massP()) / (absorberMm + activeMm);
        }

        public double zEff() {
            double w = absorberMassFraction();
            return w * absorber.z() + (1 - w) * active.z();
        }

        /** sum w_i E_c,i / X0_i in MeV per g/cm^2. */
        private double criticalOverX0() {
            double w = absorberMassFraction();
            return w * absorber.criticalEnergyMeV() / absorber.x0GramPerCm2()
                    + (1 - w) * active.criticalEnergyMeV() / active.x0GramPerCm2();
        }

        public double x0EffGramPerCm2() {
            double w = absorberMassFraction();
            return 1.0 / (w / absorber.x0GramPerCm2() + (1 - w) / active.x0GramPerCm2());
        }

        public double x0EffMm() {
            return 10 * x0EffGramPerCm2() / meanDensity();
        }

        public double criticalEnergyMeV() {
            return x0EffGramPerCm2() * criticalOverX0();
        }

        public double moliereRadiusMm() {
            return 10 * SCALE_ENERGY_MEV / criticalOverX0() / meanDensity();
        }

        /** F_S = X0_eff / (d_a + d_p). */
        public double samplingFrequency() {
            return x0EffMm() / (absorberMm + activeMm);
        }

        /** ê = 1 / (1 + 0.007 (Z_absorber - Z_active)). */
        public double eHat() {
            return 1.0 / (1 + 0.007 * (absorber.z() - active.z()));
        }

        /** Thickness of one readout layer in X0_eff (0.805 for the CaloChallenge stack). */
        public double layerX0() {
            return pairsPerLayer * (absorberMm + activeMm) / x0EffMm();
        }
    }

    /**
     * Longitudinal profile dE/dt = E beta^alpha t^(alpha-1) e^(-beta t) / Gamma(alpha), t in X0_eff, shower maximum
     * T = (alpha-1)/beta, y = E/E_c,eff. Homogeneous means at Z_eff, then the sampling shifts (docs/synth.md L1-L4; Geant4
     * ComputeLongitudinalParameters):
     * <pre>
     *   T_hom = ln y + t1                           alpha_hom = a1 + (a2 + a3/Z) ln y
     *   mean ln T     = ln(T_hom + ts1/F_S + ts2 (1 - ê))
     *   mean ln alpha = ln(alpha_hom + as1/F_S)
     *   sigma ln T    = 1/(sT1 + sT2 ln y)           sigma ln alpha = 1/(sA1 + sA2 ln y)   (both at most sigmaMax)
     *   corr          = r1 + r2 ln y
     * </pre>
     * with t1 = -0.812, a1 = 0.81, a2 = 0.458, a3 = 2.26; ts1 = -0.55, ts2 = -0.69, as1 = -0.476; sampling
     * fluctuations sT = (-2.5, 1.25), sA = (-0.82, 0.79), r = (0.784, -0.023). T is floored at minT (1) and alpha at
     * minAlpha (1.1), as in Geant4.
     */
    public record Longitudinal(double t1, double a1, double a2, double a3, double ts1, double ts2, double as1,
                               double sT1, double sT2, double sA1, double sA2, double r1, double r2,
                               double sigmaMax, double minT, double minAlpha) {
        public static Longitudinal gflash() {
            return new Longitudinal(-0.812, 0.81, 0.458, 2.26, -0.55, -0.69, -0.476,
                    -2.5, 1.25, -0.82, 0.79, 0.784, -0.023, 0.5, 1.0, 1.1);
        }

        public double meanLnT(double lny, Stack s) {
            double tHom = Math.max(lny + t1, 0.1);
            return StrictMath.log(Math.max(tHom + ts1 / s.samplingFrequency() + ts2 * (1 - s.eHat()), 0.1));
        }

        public double meanLnAlpha(double lny, Stack s) {
            double aHom = Math.max(a1 + (a2 + a3 / s.zEff()) * lny, 0.1);
            return StrictMath.log(Math.max(aHom + as1 / s.samplingFrequency(), 1.0 + 1e-3));
        }

        public double sigmaLnT(double lny) {
            return sigma(sT1 + sT2 * lny);
        }

        public double sigmaLnAlpha(double lny) {
            return sigma(sA1 + sA2 * lny);
        }

        private double sigma(double denominator) {
            return denominator > 1 / sigmaMax ? 1 / denominator : sigmaMax;
        }

        public double correlation(double lny) {
            return Math.max(-0.99, Math.min(0.99, r1 + r2 * lny));
        }
    }

    /**
     * Radial profile at depth tau (in Molière radii R_M,eff):
     * f(r) = p 2 r R_C^2/(r^2+R_C^2)^2 + (1-p) 2 r R_T^2/(r^2+R_T^2)^2, with (E in GeV; homogeneous, docs/synth.md R1-R3)
     * <pre>
     *   R_C = z1 + z2 tau,                       z1 = c1 + c2 ln E,  z2 = c3 + c4 Z
     *   R_T = k1 (exp(k3 (tau - k2)) + exp(k4 (tau - k2))),  k1 = k10 + k11 Z, k4 = k40 + k41 ln E
     *   p   = p1 exp((p2 - tau)/p3 - exp((p2 - tau)/p3)),     p1 = p10 + p11 Z, p2 = p20 + p21 Z, p3 = p30 + p31 ln E
     * </pre>
     * plus the sampling corrections (docs/synth.md R4; Geant4 ComputeRadialParameters):
     * R_C += sc1 (1-ê) + sc2/F_S e^(-tau); R_T += st1 (1-ê) + st2/F_S e^(-tau);
     * p += (1-ê)(sw1 + sw2/F_S e^(-(tau-1)^2)), with sc = (-0.0203, 0.0397), st = (-0.14, -0.495), sw = (0.348, -0.642).
     * k41 is 0.0421 as in GP (Geant4's GVFlashHomoShowerTuning has 0.0412). p is clamped to [0, 1], R_C and R_T to
     * at least minRadiusRm; tauMax caps tau so the exponential tail growth stays bounded deep in the calorimeter.
     */
    public record Radial(double c1, double c2, double c3, double c4,
                         double k10, double k11, double k2, double k3, double k40, double k41,
                         double p10, double p11, double p20, double p21, double p30, double p31,
                         double sc1, double sc2, double st1, double st2, double sw1, double sw2,
                         double minRadiusRm, double tauMax) {
        public static Radial gflash() {
            return new Radial(0.0251, 0.00319, 0.1162, -0.000381,
                    0.659, -0.00309, 0.645, -2.59, 0.3585, 0.0421,
                    2.632, -0.00094, 0.401, 0.00187, 1.313, -0.0686,
                    -0.0203, 0.0397, -0.14, -0.495, 0.348, -0.642,
                    0.01, 8.0);
        }

        public double coreRadius(double tau, double lnEGeV, Stack s) {
            tau = Math.min(tau, tauMax);
            double hom = c1 + c2 * lnEGeV + (c3 + c4 * s.zEff()) * tau;
            return Math.max(hom + sc1 * (1 - s.eHat()) + sc2 / s.samplingFrequency() * StrictMath.exp(-tau), minRadiusRm);
        }

        public double tailRadius(double tau, double lnEGeV, Stack s) {
            tau = Math.min(tau, tauMax);
            double k1 = k10 + k11 * s.zEff(), k4 = k40 + k41 * lnEGeV;
            double hom = k1 * (StrictMath.exp(k3 * (tau - k2)) + StrictMath.exp(k4 * (tau - k2)));
            return Math.max(hom + st1 * (1 - s.eHat()) + st2 / s.samplingFrequency() * StrictMath.exp(-tau), minRadiusRm);
        }

        public double coreFraction(double tau, double lnEGeV, Stack s) {
            tau = Math.min(tau, tauMax);
            double p1 = p10 + p11 * s.zEff(), p2 = p20 + p21 * s.zEff(), p3 = Math.max(p30 + p31 * lnEGeV, 0.1);
            double x = (p2 - tau) / p3;
            double hom = p1 * StrictMath.exp(x - StrictMath.exp(x));
            double sam = (1 - s.eHat()) * (sw1 + sw2 / s.samplingFrequency() * StrictMath.exp(-(tau - 1) * (tau - 1)));
            return Math.max(0.0, Math.min(1.0, hom + sam));
        }
    }

    /**
     * Visible energy (deposit / sampling fraction) of one hit: a charged particle crossing a readout layer's silicon.
     * With probability 1 - softFraction a minimum-ionising crossing of both 0.3 mm sensors: a Moyal (Landau-like)
     * deposit with most probable value {@code mipMpvMeV} (2 x 84 keV / 0.033 = 5.1 MeV) and width {@code mipWidthMeV}
     * (2 x Landau xi = 2 x 5.35 keV / 0.033 = 0.32 MeV); with probability softFraction a soft electron that stops in or
     * clips the silicon, log-uniform between {@code softMinMeV} (5 keV, below the 15 keV threshold) and the MPV.
     * The number of hits is Poisson with mean (energy)/{@link #meanMeV()}, so the sampling term of the resolution
     * emerges: sigma/E = sqrt(mean(e^2)/mean(e) / E). A minimum-ionising particle that crossed one layer crosses
     * the next with probability {@code continuation} (0.65: tracks of about 3 layers, 2.3 X0), moved laterally by its
     * own Gaussian step per plane of rms {@code stepMm} (1 mm per 3.4 mm layer, an angle of about 0.3 rad); a soft
     * hit ends its track. So deposits persist from layer to layer as in Geant4 showers, where the same particles
     * cross consecutive layers.
     */
    public record Hits(double mipMpvMeV, double mipWidthMeV, double softFraction, double softMinMeV,
                       double continuation, double stepMm) {
        static final double EULER_GAMMA = 0.5772156649015329;

        public Hits {
            if (!(mipMpvMeV > 0) || !(mipWidthMeV >= 0) || !(softFraction >= 0 && softFraction < 1)
                    || !(softMinMeV > 0 && softMinMeV < mipMpvMeV) || !(continuation >= 0 && continuation < 1) || !(stepMm >= 0))
                throw new IllegalArgumentException("bad hit spectrum");
        }

        public static Hits silicon() {
            return new Hits(5.1, 0.32, 0.3, 0.005, 0.7, 0.7);
        }

        /** Mean visible energy of a minimum-ionising crossing (the Moyal mean). */
        public double mipMeanMeV() {
            return mipMpvMeV + mipWidthMeV * (EULER_GAMMA + Math.log(2));
        }

        /** Mean visible energy of one hit. */
        public double meanMeV() {
            double soft = softFraction;
            double mip = mipMpvMeV + mipWidthMeV * (EULER_GAMMA + Math.log(2));
            double low = (mipMpvMeV - softMinMeV) / Math.log(mipMpvMeV / softMinMeV);
            return (1 - soft) * mip + soft * low;
        }

        /** Mean squared visible energy of one hit. */
        public double meanSquareMeV2() {
            double soft = softFraction;
            double m = mipMpvMeV + mipWidthMeV * (EULER_GAMMA + Math.log(2));
            double mip = m * m + mipWidthMeV * mipWidthMeV * Math.PI * Math.PI / 2;
            double low = (mipMpvMeV * mipMpvMeV - softMinMeV * softMinMeV) / (2 * Math.log(mipMpvMeV / softMinMeV));
            return (1 - soft) * mip + soft * low;
        }

        /** The sampling term a of sigma/E = a / sqrt(E/GeV) of independent hits (tracks make it larger). */
        public double stochasticTerm() {
            return Math.sqrt(meanSquareMeV2() / meanMeV() / 1000.0);
        }
    }

    /**
     * Sub-shower clumps: energetic secondaries (bremsstrahlung photons and the electrons they convert into) that
     * carry a part of the shower away from its axis and deposit it over a few layers with their own GFlash
     * development. Per shower the count is Poisson with mean perLog * ln(E/minMeV); each clump's energy is
     * log-uniform in [minMeV, maxFraction E], kept while the clumps' sum stays below totalFraction E. It is produced
     * where the cascade has degraded E to its energy (Heitler: depth productionX0 ln(E/E_clump) X0_eff, with a Gamma(2)
     * fluctuation around it) on the parent's axis and moves away from it in
     * a straight line at a Gaussian angle per plane of rms angleScale E_s/E_clump (the multiple-scattering angle
     * after one radiation length, E_s = 21.2 MeV), capped at maxAngle. Its profile is GFlash's mean profile at its
     * energy, with T at least minTX0 and alpha at least minAlpha (GFlash's fits are for y >> 1; a 20 MeV clump must
     * still deposit within a couple of radiation lengths).
     */
    public record Clumps(double perLog, double minMeV, double maxFraction, double totalFraction,
                         double productionX0, double angleScale, double maxAngle, double minTX0, double minAlpha) {
        public Clumps {
            if (perLog < 0 || !(minMeV > 0) || !(maxFraction > 0 && maxFraction <= 1) || !(totalFraction >= 0 && totalFraction < 1)
                    || !(productionX0 >= 0) || !(angleScale >= 0) || !(maxAngle > 0) || !(minTX0 > 0) || !(minAlpha > 1))
                throw new IllegalArgumentException("bad clump parameters");
        }

        public static Clumps defaults() {
            return new Clumps(1.5, 20, 0.3, 0.6, 1.0, 1.0, 0.6, 0.7, 2.0);
        }

        public static Clumps none() {
            return new Clumps(0, 20, 0.3, 0.0, 1.0, 1.0, 0.6, 0.7, 2.0);
        }
    }

    /**
     * The shower's radial width fluctuates coherently with depth: R_C and R_T of layer l are multiplied by
     * exp(sigma u_l), u an AR(1) sequence over layers with correlation rho between neighbours (u_0 standard normal).
     * The shower axis itself wanders like the leading particle: a Gaussian random walk per plane with variance
     * (E_s/E)^2 X0_eff^2 t^3/3 at depth t (multiple scattering), times wander.
     */
    public record Coherence(double sigma, double rho, double wander) {
        public Coherence {
            if (!(sigma >= 0) || !(rho >= 0 && rho < 1) || !(wander >= 0)) throw new IllegalArgumentException("bad coherence");
        }

        public static Coherence defaults() {
            return new Coherence(0.15, 0.8, 1.0);
        }

        public static Coherence none() {
            return new Coherence(0, 0, 0);
        }
    }
}
