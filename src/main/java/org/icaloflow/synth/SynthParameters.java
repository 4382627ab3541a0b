package org.icaloflow.synth;

/**
 * Every constant of the synthetic shower model ({@link ShowerGenerator}), with the formulas that use them.
 *
 * <p>The model is GFlash (G. Grindhammer, S. Peters, "The parameterized simulation of electromagnetic
 * showers in homogeneous and sampling calorimeters", hep-ex/0001020) with its homogeneous-medium fits
 * evaluated at an effective Z, applied to a tungsten/silicon sampling calorimeter whose layers are
 * {@link #layerX0} radiation lengths thick. Units: energies in MeV unless a name says GeV, lengths in mm
 * unless they say X0 (radiation lengths) or RM (Molière radii).
 *
 * @param layerX0            thickness of one layer in X0 (0.8)
 * @param radiationLengthMm  X0 of the effective medium in mm (3.5); documentation only: the geometry is in layers
 * @param moliereRadiusMm    Molière radius in mm (9.3): converts the radial profile (in RM) to the rings (in mm)
 * @param criticalEnergyMeV  critical energy E_c in MeV (8); y = E/E_c
 * @param zEff               effective atomic number entering the GFlash fits (74, tungsten)
 * @param longitudinal       the longitudinal (Gamma profile) fits and their correlated fluctuations
 * @param radial             the radial core/tail fits
 * @param spots              number of energy spots per shower and their energy fluctuation
 * @param response           mean visible (sampling-fraction-corrected) energy over incident energy (1.0)
 * @param stochasticTerm     a in sigma/E = a/sqrt(E/GeV) (+) c of the per-shower response (0.10)
 * @param constantTerm       c of the same (0.01)
 * @param trackMipMeV        visible energy (sampling-fraction corrected, MeV) the incident electron deposits as a
 *                           minimum-ionising track in each layer it crosses before the parametrised shower takes
 *                           over (3.0: ~0.1 MeV in 0.3 mm Si over the 0.033 sampling fraction); 0 turns it off
 * @param trackDepthX0       mean depth (X0, exponential) of that track part; it always crosses layer 0 (1.0)
 * @param noiseMeV           Gaussian electronic noise per voxel in MeV, before the readout threshold (0.005;
 *                           0 turns noise off)
 * @param thresholdMeV       readout threshold: voxels below are zero ({@link ShowerGenerator#READOUT_THRESHOLD_MEV})
 */
public record SynthParameters(double layerX0, double radiationLengthMm, double moliereRadiusMm,
                              double criticalEnergyMeV, double zEff,
                              Longitudinal longitudinal, Radial radial, Spots spots,
                              double response, double stochasticTerm, double constantTerm,
                              double trackMipMeV, double trackDepthX0, double noiseMeV, double thresholdMeV) {

    public SynthParameters {
        if (!(layerX0 > 0) || !(moliereRadiusMm > 0) || !(criticalEnergyMeV > 0))
            throw new IllegalArgumentException("layerX0, moliereRadiusMm and criticalEnergyMeV must be positive");
        if (!(response > 0)) throw new IllegalArgumentException("response must be positive");
        if (stochasticTerm < 0 || constantTerm < 0 || noiseMeV < 0 || thresholdMeV < 0 || trackMipMeV < 0 || trackDepthX0 < 0)
            throw new IllegalArgumentException("resolution terms, track, noise and threshold must not be negative");
        if (longitudinal == null || radial == null || spots == null) throw new NullPointerException("sub-records");
    }

    /** The documented defaults: W/Si, 0.8 X0 per layer, X0 = 3.5 mm, RM = 9.3 mm, E_c = 8 MeV. */
    public static SynthParameters defaults() {
        return new SynthParameters(0.8, 3.5, 9.3, 8.0, 74.0,
                Longitudinal.gflash(), Radial.gflash(), Spots.defaults(),
                1.0, 0.10, 0.01, 3.0, 1.0, 0.005, ShowerGenerator.READOUT_THRESHOLD_MEV);
    }

    public SynthParameters withNoise(double noise) {
        return new SynthParameters(layerX0, radiationLengthMm, moliereRadiusMm, criticalEnergyMeV, zEff,
                longitudinal, radial, spots, response, stochasticTerm, constantTerm, trackMipMeV, trackDepthX0, noise, thresholdMeV);
    }

    public SynthParameters withTrack(double mipMeV, double depthX0) {
        return new SynthParameters(layerX0, radiationLengthMm, moliereRadiusMm, criticalEnergyMeV, zEff,
                longitudinal, radial, spots, response, stochasticTerm, constantTerm, mipMeV, depthX0, noiseMeV, thresholdMeV);
    }

    public SynthParameters withSpots(Spots s) {
        return new SynthParameters(layerX0, radiationLengthMm, moliereRadiusMm, criticalEnergyMeV, zEff,
                longitudinal, radial, s, response, stochasticTerm, constantTerm, trackMipMeV, trackDepthX0, noiseMeV, thresholdMeV);
    }

    public SynthParameters withResolution(double response, double stochastic, double constant) {
        return new SynthParameters(layerX0, radiationLengthMm, moliereRadiusMm, criticalEnergyMeV, zEff,
                longitudinal, radial, spots, response, stochastic, constant, trackMipMeV, trackDepthX0, noiseMeV, thresholdMeV);
    }

    /** Relative resolution of the per-shower response at {@code energyMeV}: a/sqrt(E/GeV) (+) c. */
    public double relativeResolution(double energyMeV) {
        double a = stochasticTerm / Math.sqrt(energyMeV / 1000.0);
        return Math.sqrt(a * a + constantTerm * constantTerm);
    }

    /**
     * Longitudinal profile dE/dt = E beta^alpha t^(alpha-1) e^(-beta t) / Gamma(alpha), t in X0, with
     * T = (alpha-1)/beta the shower maximum. Per shower (ln T, ln alpha) is drawn from a 2-D Gaussian:
     * <pre>
     *   mean ln T     = ln(ln y + tOffset)                 sigma ln T     = 1 / (sT0 + sT1 ln y)
     *   mean ln alpha = ln(a0 + (a1 + a2 Z) ln y)          sigma ln alpha = 1 / (sA0 + sA1 ln y)
     *   corr          = rho0 - rho1 ln y    (clamped to [-0.99, 0.99])
     * </pre>
     * (GFlash homogeneous fits: tOffset = -0.812, a0 = 0.81, a1 = 0.458, a2 = 0.00238, sT = (-1.4, 1.26),
     * sA = (-0.58, 0.86), rho = 0.705 - 0.023 ln y.) The sigma denominators are floored at {@link #minSigmaDenominator}
     * so energies below the fitted range stay finite; alpha is floored at {@link #minAlpha}.
     */
    public record Longitudinal(double tOffset, double a0, double a1, double a2,
                               double sT0, double sT1, double sA0, double sA1,
                               double rho0, double rho1, double minSigmaDenominator, double minAlpha) {
        public static Longitudinal gflash() {
            return new Longitudinal(-0.812, 0.81, 0.458, 0.00238, -1.4, 1.26, -0.58, 0.86, 0.705, 0.023, 1.0, 1.2);
        }

        public double meanLnT(double lny) {
            return StrictMath.log(Math.max(lny + tOffset, 0.5));
        }

        public double sigmaLnT(double lny) {
            return 1.0 / Math.max(sT0 + sT1 * lny, minSigmaDenominator);
        }

        public double meanLnAlpha(double lny, double z) {
            return StrictMath.log(Math.max(a0 + (a1 + a2 * z) * lny, 1.0 + 1e-3));
        }

        public double sigmaLnAlpha(double lny) {
            return 1.0 / Math.max(sA0 + sA1 * lny, minSigmaDenominator);
        }

        public double correlation(double lny) {
            return Math.max(-0.99, Math.min(0.99, rho0 - rho1 * lny));
        }
    }

    /**
     * Radial profile at depth tau = t/T (in Molière radii):
     * f(r) = p 2 r R_C^2/(r^2+R_C^2)^2 + (1-p) 2 r R_T^2/(r^2+R_T^2)^2, with (E in GeV)
     * <pre>
     *   R_C = z1 + z2 tau,                       z1 = c0 + c1 ln E,  z2 = c2 + c3 Z
     *   R_T = k1 (exp(k3 (tau - k2)) + exp(k4 (tau - k2))),  k1 = k10 + k11 Z, k4 = k40 + k41 ln E
     *   p   = p1 exp((p2 - tau)/p3 - exp((p2 - tau)/p3)),     p1 = p10 + p11 Z, p2 = p20 + p21 Z, p3 = p30 + p31 ln E
     * </pre>
     * (GFlash homogeneous fits.) p is clamped to [0, 1], R_C and R_T to at least {@link #minRadiusRm};
     * {@link #tauMax} caps tau so the exponential tail growth stays bounded deep in the calorimeter.
     */
    public record Radial(double c0, double c1, double c2, double c3,
                         double k10, double k11, double k2, double k3, double k40, double k41,
                         double p10, double p11, double p20, double p21, double p30, double p31,
                         double minRadiusRm, double tauMax) {
        public static Radial gflash() {
            return new Radial(0.0251, 0.00319, 0.1162, -0.000381,
                    0.659, -0.00309, 0.645, -2.59, 0.3585, 0.0421,
                    2.632, -0.00094, 0.401, 0.00187, 1.313, -0.0686,
                    0.01, 8.0);
        }

        public double coreRadius(double tau, double lnEGeV, double z) {
            tau = Math.min(tau, tauMax);
            return Math.max(c0 + c1 * lnEGeV + (c2 + c3 * z) * tau, minRadiusRm);
        }

        public double tailRadius(double tau, double lnEGeV, double z) {
            tau = Math.min(tau, tauMax);
            double k1 = k10 + k11 * z, k4 = k40 + k41 * lnEGeV;
            return Math.max(k1 * (StrictMath.exp(k3 * (tau - k2)) + StrictMath.exp(k4 * (tau - k2))), minRadiusRm);
        }

        public double coreFraction(double tau, double lnEGeV, double z) {
            tau = Math.min(tau, tauMax);
            double p1 = p10 + p11 * z, p2 = p20 + p21 * z, p3 = Math.max(p30 + p31 * lnEGeV, 0.1);
            double x = (p2 - tau) / p3;
            return Math.max(0.0, Math.min(1.0, p1 * StrictMath.exp(x - StrictMath.exp(x))));
        }
    }

    /**
     * Energy spots: N = min(cap, max(min, round(n0 (E/GeV)^exponent))); each spot carries an Erlang(shape)/shape
     * weight (mean 1, relative spread 1/sqrt(shape)), and the weights of a shower are normalised so that all its
     * spots, contained or not, sum to its visible energy.
     */
    public record Spots(double n0, double exponent, int min, int cap, int shape) {
        public Spots {
            if (!(n0 > 0) || min < 1 || cap < min || shape < 1) throw new IllegalArgumentException("bad spot parameters");
        }

        public static Spots defaults() {
            return new Spots(400, 0.876, 100, 40000, 2);
        }

        public int count(double energyMeV) {
            double n = n0 * StrictMath.pow(energyMeV / 1000.0, exponent);
            return (int) Math.max(min, Math.min(cap, Math.round(n)));
        }
    }
}
