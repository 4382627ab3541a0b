package org.icaloflow.flow;

import org.icaloflow.nn.Init;
import org.icaloflow.nn.OutputInit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MadeTest {
    static {
        FlowTestSupport.singleThreaded();
    }

    static final int P = 5;

    private static Made randomMade(NDManager m, int d, int c, int[] widths, long seed) {
        Made made = new Made(m, d, c, widths, P, DataType.FLOAT64, new Random(seed), "t.");
        Random rng = new Random(seed + 1);
        for (NDArray p : made.parameters()) {
            p.set(Init.uniform(rng, (int) p.size(), 0.7));
        }
        return made;
    }

    @Test
    void outputsOfFeatureKDependOnlyOnEarlierInputs() {
        int d = 5;
        int n = 7;
        try (NDManager m = NDManager.newBaseManager()) {
            Made made = randomMade(m, d, 3, new int[] {16, 16, 16}, 11);
            Random rng = new Random(5);
            NDArray x = m.create(FlowTestSupport.gaussian(rng, n * d, 1), new Shape(n, d));
            NDArray c = m.create(FlowTestSupport.gaussian(rng, n * 3, 1), new Shape(n, 3));
            double[] base = made.forward(x, c).toDoubleArray();
            assertEquals(n * d * P, base.length);
            for (int k = 0; k < d; k++) {
                double[] xv = x.toDoubleArray();
                for (int i = 0; i < n; i++) {
                    xv[i * d + k] += 1.0 + rng.nextDouble();
                }
                double[] out = made.forward(m.create(xv, new Shape(n, d)), c).toDoubleArray();
                boolean laterChanged = false;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < d; j++) {
                        for (int p = 0; p < P; p++) {
                            int at = (i * P + p) * d + j;
                            if (j <= k) {
                                assertEquals(base[at], out[at], 0.0,
                                        "feature " + j + " must not depend on input " + k);
                            } else if (Math.abs(base[at] - out[at]) > 1e-9) {
                                laterChanged = true;
                            }
                        }
                    }
                }
                if (k < d - 1) {
                    assertTrue(laterChanged, "perturbing input " + k + " changes later features");
                }
            }
            // the condition changes the outputs
            NDArray c2 = c.add(1.0);
            double[] outC = made.forward(x, c2).toDoubleArray();
            double diff = 0;
            for (int i = 0; i < base.length; i++) {
                diff = Math.max(diff, Math.abs(base[i] - outC[i]));
            }
            assertTrue(diff > 1e-3, "condition changes outputs");
        }
    }

    @Test
    void singleFeatureDependsOnConditionOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Made made = randomMade(m, 1, 2, new int[] {8}, 3);
            NDArray c = m.create(new double[] {0.3, -0.2}, new Shape(1, 2));
            double[] a = made.forward(m.create(new double[] {0.5}, new Shape(1, 1)), c).toDoubleArray();
            double[] b = made.forward(m.create(new double[] {-3.0}, new Shape(1, 1)), c).toDoubleArray();
            assertArrayEquals(a, b, 0.0);
            double[] e = made.forward(m.create(new double[] {0.5}, new Shape(1, 1)), c.mul(-2)).toDoubleArray();
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - e[i]));
            }
            assertTrue(diff > 1e-3);
        }
    }

    @Test
    void featureSliceMatchesFullOutput() {
        int d = 4;
        try (NDManager m = NDManager.newBaseManager()) {
            Made made = randomMade(m, d, 2, new int[] {12, 12}, 21);
            Random rng = new Random(8);
            NDArray x = m.create(FlowTestSupport.gaussian(rng, 3 * d, 1), new Shape(3, d));
            NDArray c = m.create(FlowTestSupport.gaussian(rng, 3 * 2, 1), new Shape(3, 2));
            NDArray full = made.forward(x, c);
            Made.Weights w = made.maskedWeights(m);
            NDArray ct = made.conditionTerm(c, m);
            for (int k = 0; k < d; k++) {
                NDArray one = made.forwardFeature(x, ct, w, k);
                assertEquals(new Shape(3, P, 1), one.getShape());
                assertTrue(FlowTestSupport.maxAbsDiff(one, full.get(":, :, {}:{}", k, k + 1)) < 1e-12);
            }
        }
    }

    /**
     * The forward pass is nflows 0.14's feedforward MADE, computed here in plain Java from the parameters:
     * h₀ = relu(x·(W_in⊙M) + b_in + relu(c·W_c + b_c)), h₁ = relu(h₀·(W₁⊙M₁) + b₁), out = h₁·(W_o⊙M_o) + b_o.
     */
    @Test
    void forwardIsTheNflowsFeedforwardMade() {
        int d = 3;
        int c = 2;
        int w = 6;
        int n = 4;
        try (NDManager m = NDManager.newBaseManager()) {
            Made made = randomMade(m, d, c, new int[] {w, w}, 31);
            java.util.Map<String, double[]> v = new java.util.HashMap<>();
            for (int i = 0; i < made.parameters().size(); i++) {
                v.put(made.parameterNames().get(i).substring(2), made.parameters().get(i).toDoubleArray());
            }
            assertEquals(java.util.List.of("t.in.weight", "t.in.bias", "t.cond.weight", "t.cond.bias",
                    "t.hidden1.weight", "t.hidden1.bias", "t.out.weight", "t.out.bias"), made.parameterNames());
            Random rng = new Random(9);
            double[] x = FlowTestSupport.gaussian(rng, n * d, 1);
            double[] cv = FlowTestSupport.gaussian(rng, n * c, 1);
            double[] got = made.forward(m.create(x, new Shape(n, d)), m.create(cv, new Shape(n, c))).toDoubleArray();
            // degrees: inputs 1..d, hidden j % (d-1) + 1, output column p*d + k has degree k + 1
            for (int r = 0; r < n; r++) {
                double[] h0 = new double[w];
                for (int j = 0; j < w; j++) {
                    int dj = j % (d - 1) + 1;
                    double a = v.get("in.bias")[j];
                    for (int i = 0; i < d; i++) {
                        a += dj >= i + 1 ? x[r * d + i] * v.get("in.weight")[i * w + j] : 0;
                    }
                    double ct = v.get("cond.bias")[j];
                    for (int i = 0; i < c; i++) {
                        ct += cv[r * c + i] * v.get("cond.weight")[i * w + j];
                    }
                    h0[j] = Math.max(0, a + Math.max(0, ct));
                }
                double[] h1 = new double[w];
                for (int j = 0; j < w; j++) {
                    double a = v.get("hidden1.bias")[j];
                    for (int i = 0; i < w; i++) {
                        a += (j % (d - 1)) >= (i % (d - 1)) ? h0[i] * v.get("hidden1.weight")[i * w + j] : 0;
                    }
                    h1[j] = Math.max(0, a);
                }
                for (int col = 0; col < d * P; col++) {
                    int k = col % d;
                    double a = v.get("out.bias")[col];
                    for (int i = 0; i < w; i++) {
                        a += k + 1 > i % (d - 1) + 1 ? h1[i] * v.get("out.weight")[i * d * P + col] : 0;
                    }
                    assertEquals(a, got[r * d * P + col], 1e-12, "row " + r + " column " + col);
                }
            }
        }
    }

    /** Initialisation as torch's nn.Linear default: weights and biases uniform(±1/√fan_in), output layer included. */
    @Test
    void initialisationIsTorchLinearDefault() {
        int d = 6;
        int c = 4;
        int w = 64;
        try (NDManager m = NDManager.newBaseManager()) {
            Made made = new Made(m, d, c, new int[] {w, w}, P, DataType.FLOAT64, new Random(3), "t.");
            java.util.Map<String, Integer> fanIn = java.util.Map.of("t.in.weight", d, "t.in.bias", d,
                    "t.cond.weight", c, "t.cond.bias", c, "t.hidden1.weight", w, "t.hidden1.bias", w,
                    "t.out.weight", w, "t.out.bias", w);
            for (int i = 0; i < made.parameters().size(); i++) {
                String name = made.parameterNames().get(i);
                double bound = 1 / Math.sqrt(fanIn.get(name));
                double[] a = made.parameters().get(i).toDoubleArray();
                double max = 0;
                double sq = 0;
                for (double e : a) {
                    max = Math.max(max, Math.abs(e));
                    sq += e * e;
                }
                assertTrue(max <= bound, name + " within ±1/√fan_in");
                assertTrue(max > 0.8 * bound, name + " fills ±1/√fan_in: " + max + " vs " + bound);
                double rms = Math.sqrt(sq / a.length);
                assertEquals(bound / Math.sqrt(3), rms, 0.35 * bound / Math.sqrt(3), name + " rms of a uniform");
            }
        }
    }

    /** outputInit: nearIdentity: output weights U(±1e-3) and zero output biases; every other layer as nn.Linear. */
    @Test
    void nearIdentityStartKeepsTheOutputLayerSmall() {
        int d = 6, c = 4, w = 64;
        try (NDManager m = NDManager.newBaseManager()) {
            Made made = new Made(m, d, c, new int[] {w, w}, P, DataType.FLOAT64, new Random(3), "t.", OutputInit.NEAR_IDENTITY);
            for (int i = 0; i < made.parameters().size(); i++) {
                String name = made.parameterNames().get(i);
                double[] a = made.parameters().get(i).toDoubleArray();
                double max = 0;
                for (double e : a) max = Math.max(max, Math.abs(e));
                if (name.equals("t.out.bias")) {
                    assertEquals(0.0, max, name + " zero");
                } else if (name.equals("t.out.weight")) {
                    assertTrue(max <= 1e-3 && max > 0.8e-3, name + " fills ±1e-3: " + max);
                } else {
                    double bound = 1 / Math.sqrt(name.startsWith("t.in.") ? d : name.startsWith("t.cond.") ? c : w);
                    assertTrue(max <= bound && max > 0.8 * bound, name + " as nn.Linear: " + max + " vs " + bound);
                }
            }
            // so the spline parameters of any input are within a few 1e-3 of zero, unlike nflows' start
            NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(5, d), DataType.FLOAT64);
            NDArray cond = m.randomNormal(new ai.djl.ndarray.types.Shape(5, c), DataType.FLOAT64);
            double out = made.forward(x, cond).abs().max().getDouble();
            assertTrue(out < 0.05, "near-identity outputs " + out);
        }
    }

    /**
     * The output layer's gradient under autograd (its mask is stored once per feature and broadcast over the P
     * parameters) against central differences of the forward pass in every output weight: zero where column
     * p*d + k may not see hidden unit i (degree k + 1 <= i's), the finite difference elsewhere.
     */
    @Test
    void outputWeightGradientMatchesFiniteDifferences() {
        int d = 3;
        int c = 2;
        int w = 6;
        int n = 4;
        try (NDManager m = NDManager.newBaseManager()) {
            Made made = randomMade(m, d, c, new int[] {w}, 41);
            Random rng = new Random(12);
            NDArray x = m.create(FlowTestSupport.gaussian(rng, n * d, 1), new Shape(n, d));
            NDArray cv = m.create(FlowTestSupport.gaussian(rng, n * c, 1), new Shape(n, c));
            NDArray g = m.create(FlowTestSupport.gaussian(rng, n * d * P, 1), new Shape(n, d * P));
            NDArray outW = made.parameters().get(made.parameterNames().indexOf("t.out.weight"));
            outW.setRequiresGradient(true);
            double[] grad;
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray loss = made.forward(x, cv).reshape(n, d * P).mul(g).sum();
                gc.backward(loss);
            }
            grad = outW.getGradient().toDoubleArray();
            double[] w0 = outW.toDoubleArray();
            double h = 1e-6;
            for (int e = 0; e < w0.length; e++) {
                double[] wp = w0.clone();
                wp[e] += h;
                outW.set(wp);
                double lp = made.forward(x, cv).reshape(n, d * P).mul(g).sum().getDouble();
                wp[e] -= 2 * h;
                outW.set(wp);
                double lm = made.forward(x, cv).reshape(n, d * P).mul(g).sum().getDouble();
                outW.set(w0);
                int i = e / (d * P);
                int k = (e % (d * P)) % d;
                boolean connected = k + 1 > i % (d - 1) + 1;
                if (!connected) {
                    assertEquals(0.0, grad[e], 0.0, "masked weight " + e);
                }
                assertEquals((lp - lm) / (2 * h), grad[e], 1e-7, "weight " + e);
            }
        }
    }
}
