package org.icaloflow.synth;

import org.icaloflow.data.Geometry;
import org.icaloflow.data.IncidentEnergies;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.*;

class ShowerGeneratorTest {

    static final Geometry DS2 = Geometry.ds2();
    static final ShowerGenerator GEN = new ShowerGenerator(DS2, SynthParameters.defaults());
    static final int N = 300;
    static final double THR = ShowerGenerator.READOUT_THRESHOLD_MEV;
    static final double RM = SynthParameters.defaults().stack().moliereRadiusMm();

    /** Summary of N showers at one fixed energy (cached: several tests share them). */
    record Sample(double energyMeV, float[] rows, double[] ratio, double[][] layerE, double[] zeroFrac,
                  double[] meanLayerE, double[] radialW, int maxLayer) {
        double meanRatio() {
            return Arrays.stream(ratio).average().orElseThrow();
        }

        double relSpread() {
            double m = meanRatio(), s2 = 0;
            for (double r : ratio) s2 += (r - m) * (r - m);
            return Math.sqrt(s2 / (ratio.length - 1)) / m;
        }

        /** Energy-weighted mean layer, averaged over showers. */
        double meanDepth() {
            double d = 0;
            for (double[] le : layerE) {
                double w = 0, t = 0;
                for (int l = 0; l < le.length; l++) {
                    w += l * le[l];
                    t += le[l];
                }
                d += w / t;
            }
            return d / layerE.length;
        }
    }

    static final Map<Double, Sample> CACHE = new ConcurrentHashMap<>();

    static Sample sample(double energyGeV) {
        return CACHE.computeIfAbsent(energyGeV, e -> make(DS2, GEN, e * 1000, N, 42));
    }

    static Sample make(Geometry g, ShowerGenerator gen, double eMeV, int n, long seed) {
        int v = g.voxels(), nl = g.layers(), vl = g.voxelsPerLayer();
        double[] es = new double[n];
        Arrays.fill(es, eMeV);
        float[] out = new float[n * v];
        gen.generate(es, seed, 0, out);
        double[] rc = g.centreR(0);
        double[] ratio = new double[n], zero = new double[nl], mean = new double[nl], radial = new double[nl];
        double[][] layerE = new double[n][nl];
        for (int i = 0; i < n; i++) {
            double tot = 0;
            for (int l = 0; l < nl; l++) {
                for (int k = 0; k < vl; k++) {
                    float x = out[i * v + l * vl + k];
                    tot += x;
                    layerE[i][l] += x;
                    radial[l] += x * rc[k];
                    if (x == 0f) zero[l]++;
                }
                mean[l] += layerE[i][l] / n;
            }
            ratio[i] = tot / eMeV;
        }
        int lmax = 0;
        for (int l = 0; l < nl; l++) {
            zero[l] /= (double) n * vl;
            radial[l] /= mean[l] * n;
            if (mean[l] > mean[lmax]) lmax = l;
        }
        return new Sample(eMeV, out, ratio, layerE, zero, mean, radial, lmax);
    }

    // ---- determinism ----

    @Test
    void sameSeedGivesIdenticalRowsAndBatchingDoesNotMatter() {
        double[] es = IncidentEnergies.logUniform(23, 5);
        int v = DS2.voxels();
        float[] all = new float[es.length * v];
        GEN.generate(es, 99, 1000, all);
        float[] again = new float[es.length * v];
        GEN.generate(es, 99, 1000, again);
        assertArrayEquals(all, again);
        // one by one, and in two uneven batches starting at the right indices
        for (int i = 0; i < es.length; i++)
            assertArrayEquals(GEN.generate(es[i], 99, 1000 + i), Arrays.copyOfRange(all, i * v, (i + 1) * v), "shower " + i);
        float[] b1 = new float[7 * v], b2 = new float[16 * v];
        GEN.generate(Arrays.copyOfRange(es, 0, 7), 99, 1000, b1);
        GEN.generate(Arrays.copyOfRange(es, 7, 23), 99, 1007, b2);
        assertArrayEquals(Arrays.copyOfRange(all, 0, 7 * v), b1);
        assertArrayEquals(Arrays.copyOfRange(all, 7 * v, 23 * v), b2);
        // a reused, dirty output buffer is overwritten completely
        float[] dirty = new float[es.length * v];
        Arrays.fill(dirty, 3f);
        GEN.generate(es, 99, 1000, dirty);
        assertArrayEquals(all, dirty);
    }

    @Test
    void differentSeedOrIndexGivesDifferentShowers() {
        float[] a = GEN.generate(50_000, 1, 0);
        assertFalse(Arrays.equals(a, GEN.generate(50_000, 2, 0)));
        assertFalse(Arrays.equals(a, GEN.generate(50_000, 1, 1)));
        assertNotEquals(GEN.shape(50_000, 1, 0).tMaxX0(), GEN.shape(50_000, 2, 0).tMaxX0());
    }

    @Test
    void sampledEnergiesAreDeterministicLogUniformAndInRange() {
        double[] e = IncidentEnergies.logUniform(4000, 3);
        assertArrayEquals(e, IncidentEnergies.logUniform(4000, 3));
        assertFalse(Arrays.equals(e, IncidentEnergies.logUniform(4000, 4)));
        assertArrayEquals(Arrays.copyOf(e, 10), IncidentEnergies.logUniform(10, 3)); // prefix-stable
        int[] decade = new int[3];
        for (double x : e) {
            assertTrue(x >= 1e3 && x < 1e6, "energy " + x);
            decade[(int) Math.floor(Math.log10(x) - 3)]++;
        }
        for (int d : decade) assertEquals(4000 / 3.0, d, 150, "log-uniform: equal counts per decade " + Arrays.toString(decade));
        double[] f = IncidentEnergies.logUniform(100, 3, 5e3, 5e3);
        for (double x : f) assertEquals(5e3, x, 1e-9);
    }

    // ---- longitudinal ----

    @Test
    void showerMaximumMovesDeeperWithEnergy() {
        Sample lo = sample(2), mid = sample(30), hi = sample(500);
        assertTrue(lo.meanDepth() + 1.5 < mid.meanDepth(), lo.meanDepth() + " vs " + mid.meanDepth());
        assertTrue(mid.meanDepth() + 1.5 < hi.meanDepth(), mid.meanDepth() + " vs " + hi.meanDepth());
        assertTrue(lo.maxLayer() < mid.maxLayer() && mid.maxLayer() < hi.maxLayer(),
                lo.maxLayer() + " " + mid.maxLayer() + " " + hi.maxLayer());
        // roughly ln(E) scaling: T = ln(E/Ec) + C in X0, 0.8 X0 per layer -> ~ln(250)/0.8 ~ 6.9 layers from 2 to 500 GeV
        double shift = hi.meanDepth() - lo.meanDepth();
        assertTrue(shift > 4 && shift < 10, "depth shift " + shift);
        // the shower starts at the front: maximum within the first third at these energies
        assertTrue(hi.maxLayer() > 3 && hi.maxLayer() < 20, "max layer " + hi.maxLayer());
    }

    @Test
    void profileParametersFluctuateWithPositiveCorrelationShrinkingWithEnergy() {
        double[] relSpread = new double[2];
        double[] energies = {2e3, 500e3};
        for (int k = 0; k < 2; k++) {
            int n = 2000;
            double[] lt = new double[n], la = new double[n];
            for (int i = 0; i < n; i++) {
                ShowerGenerator.Shape s = GEN.shape(energies[k], 11, i);
                lt[i] = Math.log(s.tMaxX0());
                la[i] = Math.log(s.alpha());
                assertEquals(s.alpha() - 1, s.beta() * s.tMaxX0(), 1e-9);
            }
            double mt = Arrays.stream(lt).average().orElseThrow(), ma = Arrays.stream(la).average().orElseThrow();
            double ct = 0, ca = 0, cta = 0;
            for (int i = 0; i < n; i++) {
                ct += (lt[i] - mt) * (lt[i] - mt);
                ca += (la[i] - ma) * (la[i] - ma);
                cta += (lt[i] - mt) * (la[i] - ma);
            }
            double rho = cta / Math.sqrt(ct * ca);
            assertTrue(rho > 0.3 && rho < 0.8, "corr(ln T, ln alpha) = " + rho);
            relSpread[k] = Math.sqrt(ct / n);
            // mean T ~ ln y + C (GFlash: ln y - 0.812, minus the sampling shift -0.55/F_S - 0.69 (1 - e^) ~ 0.43)
            double y = energies[k] / SynthParameters.defaults().stack().criticalEnergyMeV();
            assertEquals(Math.log(y) - 0.812 - 0.43, Math.exp(mt), 0.5);
        }
        assertTrue(relSpread[0] > 1.8 * relSpread[1], "sigma(ln T) " + Arrays.toString(relSpread));
    }

    @Test
    void backLeakageGrowsWithEnergy() {
        double[] tail = new double[2];
        int k = 0;
        for (double e : new double[]{10, 1000}) {
            Sample s = sample(e);
            double last = 0, all = 0;
            for (int l = 0; l < 45; l++) {
                all += s.meanLayerE()[l];
                if (l >= 35) last += s.meanLayerE()[l];
            }
            tail[k++] = last / all;
        }
        assertTrue(tail[1] > 2 * tail[0], "energy fraction in the last 10 layers: " + Arrays.toString(tail));
    }

    // ---- energy response ----

    @Test
    void resolutionShrinksWithEnergyAndMatchesStochasticPlusConstant() {
        double s2 = sample(2).relSpread(), s10 = sample(10).relSpread(), s100 = sample(100).relSpread(),
                s1000 = sample(1000).relSpread();
        assertTrue(s2 > s10 && s10 > s100 && s100 > s1000, s2 + " " + s10 + " " + s100 + " " + s1000);
        double expected = Math.sqrt(0.11 * 0.11 / 10 + 0.01 * 0.01); // GFlash's 11%/sqrt(E) (+) 1% at 10 GeV
        assertTrue(s10 > expected / 2 && s10 < expected * 2, "sigma/E at 10 GeV " + s10 + " expected ~" + expected);
        assertTrue(s2 > 0.04, "2 GeV spread " + s2);
    }

    @Test
    void voxelValuesArePhysicalAndEnergyIsConserved() {
        int n = 300, v = DS2.voxels();
        double[] es = IncidentEnergies.logUniform(n, 8);
        float[] out = new float[n * v];
        GEN.generate(es, 8, 0, out);
        double sumRatio = 0;
        for (int i = 0; i < n; i++) {
            double tot = 0;
            int nonzero = 0;
            for (int j = i * v; j < (i + 1) * v; j++) {
                float x = out[j];
                assertFalse(Float.isNaN(x) || Float.isInfinite(x), "finite");
                assertTrue(x >= 0, "non-negative");
                if (x != 0) {
                    assertTrue(x >= THR, "voxel " + x + " below the readout threshold");
                    nonzero++;
                }
                tot += x;
            }
            double r = tot / es[i];
            double sig = Math.sqrt(0.2 * 0.2 / (es[i] / 1000) + 0.02 * 0.02);
            assertTrue(r <= 1 + 4 * sig + 0.01, "E_tot/E_inc " + r + " at " + es[i]);
            assertTrue(r > 0.5, "E_tot/E_inc " + r + " at " + es[i]);
            assertTrue(nonzero > 20, "a shower fills voxels: " + nonzero);
            sumRatio += r;
        }
        double mean = sumRatio / n;
        assertTrue(mean > 0.85 && mean < 1.05, "mean E_tot/E_inc " + mean);
        assertEquals(0.5e-3 / 0.033, THR, 1e-15);
    }

    @Test
    void leakageMakesResponseSlightlyBelowOne() {
        for (double e : new double[]{2, 100, 1000}) {
            double m = sample(e).meanRatio();
            assertTrue(m > 0.93 && m < 1.0, "mean E_tot/E_inc at " + e + " GeV: " + m);
        }
    }

    // ---- sparsity ----

    @Test
    void firstAndLastLayersAreSparse() {
        for (double e : new double[]{2, 100}) {
            Sample s = sample(e);
            double atMax = s.zeroFrac()[s.maxLayer()];
            assertTrue(s.zeroFrac()[0] > 0.9, "layer 0 zero fraction " + s.zeroFrac()[0]);
            assertTrue(s.zeroFrac()[44] > 0.95, "layer 44 zero fraction " + s.zeroFrac()[44]);
            assertTrue(atMax < 0.9, "zero fraction at the maximum " + atMax);
            assertTrue(s.zeroFrac()[0] - atMax > 0.08 && s.zeroFrac()[44] - atMax > 0.08, e + " GeV");
        }
        Sample s = sample(100);
        assertTrue(s.zeroFrac()[s.maxLayer()] < 0.6, "100 GeV maximum layer zero fraction " + s.zeroFrac()[s.maxLayer()]);
    }

    // ---- lateral ----

    @Test
    void meanRadiusGrowsWithDepthAfterTheMaximum() {
        for (double e : new double[]{10, 500}) {
            Sample s = sample(e);
            double prev = -1;
            for (int b = 0; b < 4; b++) {
                double w = 0, r = 0;
                for (int l = s.maxLayer() + 4 * b; l < s.maxLayer() + 4 * b + 4; l++) {
                    w += s.meanLayerE()[l];
                    r += s.meanLayerE()[l] * s.radialW()[l];
                }
                double mr = r / w;
                assertTrue(mr > prev, e + " GeV: mean radius " + mr + " after " + prev + " (block " + b + ")");
                prev = mr;
            }
            double rFirst = s.radialW()[s.maxLayer()], rLate = s.radialW()[s.maxLayer() + 12];
            assertTrue(rLate > 1.5 * rFirst, "radius at max " + rFirst + ", 12 layers later " + rLate);
        }
    }

    @Test
    void mostEnergyWithinTwoMoliereRadiiInTheMiddleLayers() {
        Sample s = sample(50);
        int v = DS2.voxels(), vl = DS2.voxelsPerLayer();
        double[] rc = DS2.centreR(0);
        double in = 0, all = 0;
        for (int i = 0; i < N; i++)
            for (int l = 8; l <= 20; l++)
                for (int k = 0; k < vl; k++) {
                    double x = s.rows()[i * v + l * vl + k];
                    all += x;
                    if (rc[k] < 2 * RM) in += x;
                }
        assertTrue(in / all > 0.8, "containment in 2 RM " + in / all);
        assertTrue(in / all < 0.999, "some lateral tail beyond 2 RM " + in / all);
        // the core: the innermost ring holds more energy per unit area than the fourth
        double r0 = 0, r3 = 0;
        for (int i = 0; i < N; i++)
            for (int a = 0; a < 16; a++) {
                r0 += s.rows()[i * v + DS2.voxelIndex(10, a, 0)];
                r3 += s.rows()[i * v + DS2.voxelIndex(10, a, 3)];
            }
        assertTrue(r0 / 1 > 5 * r3 / 7, "core density ring0 " + r0 + " ring3 " + r3);
    }

    @Test
    void azimuthIsUniformOnAverage() {
        Sample s = sample(100);
        int v = DS2.voxels();
        double[] perAlpha = new double[16];
        for (int i = 0; i < N; i++)
            for (int l = 0; l < 45; l++)
                for (int a = 0; a < 16; a++)
                    for (int r = 0; r < 9; r++) perAlpha[a] += s.rows()[i * v + DS2.voxelIndex(l, a, r)];
        double mean = Arrays.stream(perAlpha).average().orElseThrow();
        for (double x : perAlpha) assertEquals(mean, x, 0.02 * mean);
    }

    // ---- other geometry, parameters, helpers ----

    @Test
    void ds3Smoke() {
        Geometry g = Geometry.ds3();
        ShowerGenerator gen = new ShowerGenerator(g, SynthParameters.defaults());
        Sample s = make(g, gen, 20_000, 12, 3);
        assertEquals(12 * 40500, s.rows().length);
        for (float x : s.rows()) assertTrue(x == 0f || x >= THR);
        assertTrue(s.meanRatio() > 0.85 && s.meanRatio() < 1.1, "ratio " + s.meanRatio());
        assertTrue(s.maxLayer() > 3 && s.maxLayer() < 15);
        assertTrue(s.zeroFrac()[0] > s.zeroFrac()[s.maxLayer()] && s.zeroFrac()[44] > s.zeroFrac()[s.maxLayer()]);
        assertArrayEquals(gen.generate(20_000, 3, 5), Arrays.copyOfRange(s.rows(), 5 * 40500, 6 * 40500));
    }

    @Test
    void noiseIsOffByDefaultAndAnOptionAddsIsolatedHits() {
        assertEquals(0, SynthParameters.defaults().noiseMeV());
        ShowerGenerator quiet = new ShowerGenerator(DS2, SynthParameters.defaults().withTrack(0));
        ShowerGenerator noisy = new ShowerGenerator(DS2, SynthParameters.defaults().withNoise(0.005).withTrack(0));
        int n = 100, v = DS2.voxels(), vl = DS2.voxelsPerLayer();
        double[] es = new double[n];
        Arrays.fill(es, 2e3);
        float[] withNoise = new float[n * v], clean = new float[n * v], byDefault = new float[n * v];
        noisy.generate(es, 4, 0, withNoise);
        quiet.generate(es, 4, 0, clean);
        new ShowerGenerator(DS2, SynthParameters.defaults().withTrack(0).withNoise(0)).generate(es, 4, 0, byDefault);
        assertArrayEquals(clean, byDefault);
        int hitsNoisy = 0, hitsClean = 0;
        for (int i = 0; i < n; i++)
            for (int j = i * v + 35 * vl; j < (i + 1) * v; j++) { // layers 35-44: far behind a 2 GeV shower
                if (withNoise[j] != 0) hitsNoisy++;
                if (clean[j] != 0) hitsClean++;
            }
        assertTrue(hitsNoisy > hitsClean + 20, "noise hits " + hitsNoisy + " vs " + hitsClean);
        float[] row = quiet.generate(1e6, 4, 0);
        double tot = 0;
        for (float x : row) tot += x;
        assertTrue(tot > 0.9e6 && tot < 1.1e6, "1 TeV total " + tot);
        assertArrayEquals(row, quiet.generate(1e6, 4, 0));
    }

    @Test
    void primaryTrackLeavesAnAxialHitInLayerZero() {
        ShowerGenerator noTrack = new ShowerGenerator(DS2, SynthParameters.defaults().withTrack(0));
        ShowerGenerator track = new ShowerGenerator(DS2, SynthParameters.defaults());
        int withHit = 0, withHitNoTrack = 0;
        double extra = 0;
        for (int i = 0; i < 100; i++) {
            float[] a = track.generate(100e3, 6, i), b = noTrack.generate(100e3, 6, i);
            double ring0 = 0, ring0b = 0;
            for (int al = 0; al < 16; al++) {
                ring0 += a[DS2.voxelIndex(0, al, 0)];
                ring0b += b[DS2.voxelIndex(0, al, 0)];
            }
            if (ring0 > 0) withHit++;
            if (ring0b > 0) withHitNoTrack++;
            extra += (ring0 - ring0b) / 100;
        }
        // one minimum-ionising crossing (Moyal mean ~5.7 MeV visible) in the innermost ring, not a shower
        assertTrue(extra > 3 && extra < 12, "mean extra energy in layer 0's innermost ring " + extra);
        assertTrue(withHit >= 99, "layer 0 hit in " + withHit + " of 100 showers");
        assertTrue(withHitNoTrack < 90, "without the track layer 0 is more often empty: " + withHitNoTrack);
    }

    @Test
    void badInputsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> GEN.generate(-1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> GEN.generate(Double.NaN, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> GEN.generate(new double[3], 0, 0, new float[10]));
        assertThrows(IllegalArgumentException.class, () -> IncidentEnergies.logUniform(3, 0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> SynthParameters.defaults().withNoise(-1));
        assertThrows(IllegalArgumentException.class, () -> SynthParameters.defaults().withTrack(-1));
    }

    @Test
    void gflashSamplingQuantitiesOfTheCaloChallengeStack() {
        // independent hand calculation for 1.4 mm W + 0.3 mm Si (docs/synth.md S1-S6, all sums in g/cm^2)
        double mW = 1.4 * 19.30, mSi = 0.3 * 2.329, w = mW / (mW + mSi);
        double x0 = 1 / (w / 6.76 + (1 - w) / 21.82);                       // g/cm^2
        double rho = (mW + mSi) / 1.7;
        double ecW = 2.66 * Math.pow(6.76 * 74 / 183.84, 1.1), ecSi = 2.66 * Math.pow(21.82 * 14 / 28.0855, 1.1);
        double sum = w * ecW / 6.76 + (1 - w) * ecSi / 21.82;
        SynthParameters.Stack st = SynthParameters.defaults().stack();
        assertEquals(10 * x0 / rho, st.x0EffMm(), 1e-9);
        assertEquals(4.22, st.x0EffMm(), 0.01);
        assertEquals(8.0, ecW, 0.05);
        assertEquals(x0 * sum, st.criticalEnergyMeV(), 1e-9);
        assertEquals(10 * 21.2 / sum / rho, st.moliereRadiusMm(), 1e-9);
        assertEquals(10 * x0 / rho / 1.7, st.samplingFrequency(), 1e-9);
        assertEquals(1 / 1.42, st.eHat(), 1e-12);
        assertEquals(w * 74 + (1 - w) * 14, st.zEff(), 1e-9);
        assertEquals(3.4 / (10 * x0 / rho), st.layerX0(), 1e-9);
        // GFlash homogeneous alpha has the 2.26/Z term (not 0.00238 Z): at 100 GeV the mean alpha is
        // 0.81 + (0.458 + 2.26/Z) ln y, shifted by -0.476/F_S for sampling
        SynthParameters.Longitudinal lp = SynthParameters.defaults().longitudinal();
        double lny = Math.log(1e5 / st.criticalEnergyMeV());
        assertEquals(0.81 + (0.458 + 2.26 / st.zEff()) * lny - 0.476 / st.samplingFrequency(), Math.exp(lp.meanLnAlpha(lny, st)), 1e-9);
        assertEquals(lny - 0.812 - 0.55 / st.samplingFrequency() - 0.69 * (1 - st.eHat()), Math.exp(lp.meanLnT(lny, st)), 1e-9);
        assertEquals(1 / (-2.5 + 1.25 * lny), lp.sigmaLnT(lny), 1e-12);
        assertEquals(0.784 - 0.023 * lny, lp.correlation(lny), 1e-12);
    }

    @Test
    void hitSpectrumMomentsMatchSampling() {
        SynthParameters.Hits h = SynthParameters.defaults().hits();
        // sample the Moyal + log-uniform mixture independently of the generator
        java.util.Random r = new java.util.Random(5);
        int n = 400_000;
        double s1 = 0, s2 = 0;
        for (int i = 0; i < n; i++) {
            double e;
            if (r.nextDouble() < h.softFraction()) e = h.softMinMeV() * Math.pow(h.mipMpvMeV() / h.softMinMeV(), r.nextDouble());
            else {
                double z = r.nextGaussian();
                e = h.mipMpvMeV() - h.mipWidthMeV() * Math.log(z * z);
            }
            s1 += e;
            s2 += e * e;
        }
        assertEquals(s1 / n, h.meanMeV(), 0.01 * h.meanMeV());
        assertEquals(s2 / n, h.meanSquareMeV2(), 0.02 * h.meanSquareMeV2());
    }

    @Test
    void fastAtan2AgreesWithTheLibrary() {
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 100_000; i++) {
            double x = r.nextGaussian() * Math.pow(10, r.nextInt(6) - 3), y = r.nextGaussian() * Math.pow(10, r.nextInt(6) - 3);
            assertEquals(Math.atan2(y, x), ShowerGenerator.atan2(y, x), 1e-7);
        }
        assertEquals(Math.PI, ShowerGenerator.atan2(0, -1), 1e-12);
        assertEquals(-Math.PI / 2, ShowerGenerator.atan2(-1, 0), 1e-12);
    }

    @Test
    void specialFunctions() {
        assertEquals(Math.log(24), ShowerGenerator.lnGamma(5), 1e-12);
        assertEquals(0.5 * Math.log(Math.PI), ShowerGenerator.lnGamma(0.5), 1e-12);
        for (double x : new double[]{0.1, 1, 3, 20})
            assertEquals(1 - Math.exp(-x), ShowerGenerator.regularizedGammaP(1, x, 0), 1e-12);
        assertEquals(1 - Math.exp(-2) * 5, ShowerGenerator.regularizedGammaP(3, 2, Math.log(2)), 1e-12);
        assertEquals(1 - Math.exp(-10) * (1 + 10 + 50), ShowerGenerator.regularizedGammaP(3, 10, Math.log(2)), 1e-12);
        assertEquals(0.0455003, ShowerGenerator.erfc(2 / Math.sqrt(2)), 1e-6);
        assertEquals(1.0, ShowerGenerator.erfc(0), 1e-7);
    }
}
