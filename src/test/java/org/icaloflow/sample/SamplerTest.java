package org.icaloflow.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.preprocess.EncodedShowers;
import org.icaloflow.preprocess.ShowerEncoding;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SamplerTest {
    static {
        TinyFlows.singleThreaded();
    }

    private static final Geometry G = TinyFlows.DS2;
    private static final double[] E = {1e3, 3e4, 2e5, 1e6, 5e3};

    /**
     * The sampler's layers 1 and 2 recomputed by hand from the base and feedback noise, with Encoded's Flow-3
     * layout (all 45 layers against an independent chain: InductiveChainTest).
     */
    @Test
    void wiringMatchesHandComputedChainAndEncodedLayout() {
        try (NDManager root = NDManager.newBaseManager()) {
            Flow f1 = TinyFlows.create(1, FlowKind.MAF, root, 1);
            Flow f2 = TinyFlows.create(2, FlowKind.IAF, root, 2);
            Flow f3 = TinyFlows.create(3, FlowKind.IAF, root, 3);
            SampleModels models = SampleModels.of(G, f1, f2, f3);
            long seed = 42, first = 100;
            double thr = 1e-4;
            Sampler s = new Sampler(models, root, new Sampler.Options(seed, thr, false));
            Sampler.Result r = s.generate(E, first);
            int n = E.length, L = 45, V = 144;
            assertEquals(L, r.layers());
            assertEquals(0, r.nonFinite());

            try (NDManager m = root.newSubManager()) {
                float[] z1 = new float[n * L], z2 = new float[n * V], z3 = new float[n * V];
                float[] c1 = new float[n];
                for (int i = 0; i < n; i++) {
                    BaseNoise.fill(seed, first + i, BaseNoise.FLOW1, z1, i * L, L);
                    BaseNoise.fill(seed, first + i, 0, z2, i * V, V);
                    BaseNoise.fill(seed, first + i, 1, z3, i * V, V);
                    c1[i] = (float) ShowerEncoding.incidentCondition(E[i]);
                }
                float[] y = f1.inverse(m.create(z1, new Shape(n, L)), m.create(c1, new Shape(n, 1))).x().toFloatArray();
                // proxies: Flow-1 outputs decoded
                for (int k = 0; k < y.length; k++)
                    assertEquals(ShowerEncoding.layerEnergyFromTarget(y[k]), r.proxyMeV()[k], 1e-4 * Math.max(1, r.proxyMeV()[k]));
                // Encoded rows: incident, the energy conditions logit(Ẽ_i / 65 GeV) (as the authors' generate_flow_3:
                // Flow-1's decoded energies re-encoded, no noise), layer 1 as the authors feed it back (Eq. A4)
                int w = EncodedShowers.width(L, V);
                float[] data = new float[n * w];
                float[] c2 = new float[2 * n];
                for (int i = 0; i < n; i++) {
                    data[i * w] = c1[i];
                    for (int l = 0; l < L; l++)
                        data[i * w + 1 + l] = (float) Math.log((r.proxyMeV()[i * L + l] / 65e3 + 1e-6) / (1 - r.proxyMeV()[i * L + l] / 65e3 - 1e-6));
                    c2[2 * i] = c1[i];
                    c2[2 * i + 1] = data[i * w + 1] / 4f;
                }
                float[] x0 = f2.inverse(m.create(z2, new Shape(n, V)), m.create(c2, new Shape(n, 2))).x().toFloatArray();
                float[] want = new float[n * G.voxels()];
                for (int i = 0; i < n; i++) {
                    ShowerEncoding.decodeLayer(x0, i * V, V, r.proxyMeV()[i * L], thr, false, want, i * G.voxels());
                    // layer 1 in MeV + U[0, 5 keV] from the feedback stream, divided by its noisy sum, logit
                    java.util.SplittableRandom u = BaseNoise.feedback(seed, first + i, 0);
                    double[] noisy = new double[V];
                    double sum = 0;
                    for (int v = 0; v < V; v++) sum += noisy[v] = want[i * G.voxels() + v] + 5e-3 * u.nextDouble();
                    for (int v = 0; v < V; v++) data[i * w + 1 + L + v] = (float) ShowerEncoding.logit(noisy[v] / sum);
                }
                ShowerEncoding.Encoded enc = new ShowerEncoding.Encoded(n, L, V, data);
                float[] c3 = enc.flow3Condition(1);
                float[] x1 = f3.inverse(m.create(z3, new Shape(n, V)), m.create(c3, new Shape(n, 191))).x().toFloatArray();
                for (int i = 0; i < n; i++) {
                    ShowerEncoding.decodeLayer(x1, i * V, V, r.proxyMeV()[i * L + 1], thr, false, want, i * G.voxels() + V);
                    for (int v = 0; v < 2 * V; v++) {
                        float wv = want[i * G.voxels() + v], got = r.showers().voxel(i, v);
                        assertEquals(wv, got, 1e-4 * Math.max(1e-3, Math.abs(wv)), "row " + i + " voxel " + v);
                    }
                }
                // the condition really matters: a wrong one-hot changes layer 2
                float[] c3bad = enc.flow3Condition(2);
                float[] x1bad = f3.inverse(m.create(z3, new Shape(n, V)), m.create(c3bad, new Shape(n, 191))).x().toFloatArray();
                double diff = 0;
                for (int k = 0; k < x1.length; k++) diff = Math.max(diff, Math.abs(x1[k] - x1bad[k]));
                assertTrue(diff > 1e-3, "Flow-3 is sensitive to its condition in this test");
            }
            f1.close();
            f2.close();
            f3.close();
        }
    }

    /**
     * Renormalised layers sum to the proxies; the threshold zeroes the voxels and proxies below it. Issue 12 item 0:
     * this test once compared two runs voxel by voxel with the threshold at a voxel's own value; on a CPU where that
     * voxel's double value rounded up to its float, the threshold run cut it and the test failed (here, with the
     * threshold at each of the 80 voxel values around the median, the old check failed for 43). Now one run's
     * voxels are checked against the threshold, and two runs only outside a band around it (passes for all 80).
     */
    @Test
    void renormalisedLayerSumsEqualProxiesAndThresholdApplies() {
        try (NDManager root = NDManager.newBaseManager()) {
            Flow f1 = TinyFlows.create(1, FlowKind.MAF, root, 4);
            Flow f2 = TinyFlows.create(2, FlowKind.IAF, root, 5);
            Flow f3 = TinyFlows.create(3, FlowKind.IAF, root, 6);
            SampleModels models = SampleModels.of(G, f1, f2, f3);
            Sampler.Result r = new Sampler(models, root, new Sampler.Options(7, 0, true)).generate(E, 0);
            int V = 144;
            for (int i = 0; i < E.length; i++) {
                for (int l = 0; l < 45; l++) {
                    double sum = 0;
                    for (int v = 0; v < V; v++) sum += r.showers().voxel(i, l * V + v);
                    double p = r.proxyMeV()[i * 45 + l];
                    assertEquals(p, sum, 1e-4 * p + 1e-6, "row " + i + " layer " + l);
                }
            }
            // a high threshold: the median voxel of layer 1 without one
            Sampler.Result t0 = new Sampler(models, root, new Sampler.Options(7, 0, false)).generate(E, 0);
            float[] b = t0.showers().showersMeV();
            int voxels = G.voxels();
            float[] first = new float[E.length * V];
            for (int i = 0; i < E.length; i++) System.arraycopy(b, i * voxels, first, i * V, V);
            java.util.Arrays.sort(first);
            double thr = first[first.length / 2];
            Sampler.Result t = new Sampler(models, root, new Sampler.Options(7, thr, false)).generate(E, 0);
            float[] a = t.showers().showersMeV();
            // every voxel of every layer is zero or at least the threshold (compared in float: rounding is monotone)
            for (int k = 0; k < a.length; k++) {
                assertTrue(Float.isFinite(a[k]) && a[k] >= 0);
                assertTrue(a[k] == 0 || a[k] >= (float) thr, "voxel " + k + ": " + a[k] + " below " + thr);
            }
            // Two runs agree only up to rounding, and a value at the threshold (the median voxel is one) may fall
            // either side of it in either run: compare outside a band around it. Proxies: zero below, else as before.
            double lo = thr * (1 - 1e-5), hi = thr * (1 + 1e-5);
            for (int k = 0; k < E.length * 45; k++) {
                double p0 = t0.proxyMeV()[k], p = t.proxyMeV()[k];
                if (p0 < lo) assertEquals(0.0, p, "proxy " + k);
                if (p0 > hi) assertEquals(p0, p, 1e-5 * p0, "proxy " + k);
            }
            // Layer 1 (Flow-2 sees E_inc and Ẽ_1 only, unchanged where Ẽ_1 is above the threshold): zero exactly
            // where it was below. Later layers are conditioned on the thresholded layer before them (Eq. A4), so
            // they differ from the run without threshold: InductiveChainTest checks them.
            int cut = 0;
            for (int i = 0; i < E.length; i++) {
                if (t0.proxyMeV()[i * 45] <= hi) continue;
                for (int v = 0; v < V; v++) {
                    float bv = b[i * voxels + v], av = a[i * voxels + v];
                    if (bv < lo) {
                        assertEquals(0f, av, "row " + i + " voxel " + v);
                        if (bv > 0) cut++;
                    } else if (bv > hi) {
                        assertEquals(bv, av, 1e-5 * bv, "row " + i + " voxel " + v);
                    }
                }
            }
            assertTrue(cut > 0, "threshold removed some voxels");
            f1.close();
            f2.close();
            f3.close();
        }
    }

    @Test
    void independentOfBatchingAndLeakFree() {
        try (NDManager root = NDManager.newBaseManager()) {
            // float64 flows: 45 inductive steps through random untrained flows amplify rounding differences by
            // orders of magnitude (float32: up to 1e-2 of a layer's maximum, more on another CPU's kernels)
            Flow f1 = TinyFlows.create(1, FlowKind.MAF, root, 8, DataType.FLOAT64);
            Flow f2 = TinyFlows.create(2, FlowKind.IAF, root, 9, DataType.FLOAT64);
            Flow f3 = TinyFlows.create(3, FlowKind.IAF, root, 10, DataType.FLOAT64);
            Sampler s = new Sampler(SampleModels.of(G, f1, f2, f3), root, Sampler.Options.defaults(3));
            float[] whole = s.generate(E, 0).showers().showersMeV();
            int before = root.getManagedArrays().size();
            float[] parts = new float[whole.length];
            int V = G.voxels();
            for (int from = 0; from < E.length; from += 2) {
                int n = Math.min(2, E.length - from);
                float[] p = s.generate(java.util.Arrays.copyOfRange(E, from, from + n), from).showers().showersMeV();
                System.arraycopy(p, 0, parts, from * V, n * V);
            }
            assertEquals(before, root.getManagedArrays().size(), "no arrays left behind by generate");
            // the same showers: base samples depend only on (seed, index). Not always the same bytes: PyTorch's
            // CPU kernels compute the tail of a tensor (size % vector width) with scalar exp/log, so a row's
            // last bits depend on the batch size; the inductive chain carries that rounding on.
            assertSameShowers(whole, parts);
            // the leak check sees the flows' managers
            NDArray leak = f3.manager().zeros(new Shape(1));
            assertEquals(before + 1, root.getManagedArrays().size());
            leak.close();
            // another seed, other showers
            float[] other = new Sampler(SampleModels.of(G, f1, f2, f3), root, Sampler.Options.defaults(4))
                    .generate(E, 0).showers().showersMeV();
            assertFalse(java.util.Arrays.equals(whole, other));
            double far = 0;
            for (int k = 0; k < whole.length; k++) far = Math.max(far, Math.abs(whole[k] - other[k]) / (Math.abs(whole[k]) + 1e-3));
            assertTrue(far > 0.1, "another seed gives other showers, not rounding noise");
            // the same batch twice: the same bytes
            assertArrayEquals(whole, s.generate(E, 0).showers().showersMeV());
            // a monitor can stop a batch after some layers
            Sampler.Result early = s.generate(E, 0, layer -> layer < 2);
            assertEquals(3, early.layers());
            f1.close();
            f2.close();
            f3.close();
        }
    }

    /**
     * Equal up to rounding: 1e-5 of the layer's largest voxel (float64 flows; the showers are float32). Matrix
     * products of another batch size round differently; another seed differs by order 1.
     */
    static void assertSameShowers(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        int V = 144;
        for (int o = 0; o < a.length; o += V) {
            double max = 0;
            for (int v = 0; v < V; v++) max = Math.max(max, Math.abs(a[o + v]));
            for (int v = 0; v < V; v++) assertEquals(a[o + v], b[o + v], 1e-5 * max + 1e-6, "value " + (o + v));
        }
    }

    @Test
    void wrongDimsAreUserErrors() {
        try (NDManager root = NDManager.newBaseManager()) {
            Flow f1 = TinyFlows.create(1, FlowKind.MAF, root, 1);
            Flow f2 = TinyFlows.create(2, FlowKind.IAF, root, 2);
            Flow f3 = TinyFlows.create(3, FlowKind.IAF, root, 3);
            UserError e = assertThrows(UserError.class, () -> SampleModels.of(G, f2, f1, f3));
            assertTrue(e.getMessage().contains("flow1") && e.getMessage().contains("dim 45"), e.getMessage());
            e = assertThrows(UserError.class, () -> SampleModels.of(Geometry.ds3(), f1, f2, f3));
            assertTrue(e.getMessage().contains("ds3"), e.getMessage());
            e = assertThrows(UserError.class, () -> SampleModels.of(G, f1, f2, f2));
            assertTrue(e.getMessage().contains("flow3") && e.getMessage().contains("191"), e.getMessage());
            f1.close();
            f2.close();
            f3.close();
        }
    }
}
