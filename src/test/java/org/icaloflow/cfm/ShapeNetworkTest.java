package org.icaloflow.cfm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.icaloflow.nn.Parameters;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The shape network (Sec. 3.2) against a plain-Java forward pass written here from the authors' ViT, its
 * adaLN-Zero start, its dependence on t and the condition, gradients, the position embedding and Table 2's size.
 */
class ShapeNetworkTest {
    /** 6 layers × 4 angles × 2 radii, patch (3, 2, 1): 8 patches of 6 voxels; E = 12, 2 heads, MLP 20, 2 blocks. */
    static final ShapeNetwork.Settings TINY = new ShapeNetwork.Settings(6, 4, 2, 3, 2, 1, 12, 2, 20, 2, 7);

    /** Every learnable array set to normal(0, std) values (non-zero modulation and final layer). */
    static void randomise(ShapeNetwork net, long seed, double std) {
        SplittableRandom r = new SplittableRandom(seed);
        for (NDArray a : net.parameters()) {
            double[] v = new double[(int) a.size()];
            for (int i = 0; i < v.length; i++) v[i] = std * r.nextGaussian();
            NDArray values = a.getDataType() == DataType.FLOAT64 ? a.getManager().create(v, a.getShape())
                    : a.getManager().create(org.icaloflow.nn.Init.toFloat(v), a.getShape());
            a.muli(0).addi(values);
            values.close();
        }
    }

    static double[] gaussian(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return v;
    }

    @Test
    void aNewNetworkHasZeroVelocityEverywhereAndTheFixedArraysAreBuffers() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m, DataType.FLOAT32, new SplittableRandom(1));
            ShapeNetwork net = new ShapeNetwork(p, TINY);
            SplittableRandom r = new SplittableRandom(2);
            NDArray x = m.create(gaussian(r, 3 * 48), new Shape(3, 48)).toType(DataType.FLOAT32, false);
            NDArray c = m.create(gaussian(r, 3 * 7), new Shape(3, 7)).toType(DataType.FLOAT32, false);
            NDArray v = net.velocity(x, m.create(new float[] {0.1f, 0.5f, 0.9f}), c);
            assertEquals(x.getShape(), v.getShape());
            for (float f : v.toFloatArray()) assertEquals(0f, f, 0f); // adaLN-Zero and a zero final layer: exactly 0
            // the position embedding and the time frequencies are not learnable
            assertEquals(List.of("positionEmbedding", "timeFrequencies"), List.copyOf(net.buffers().keySet()));
            for (NDArray b : net.buffers().values()) {
                assertFalse(b.hasGradient());
                assertFalse(p.list().contains(b));
            }
            assertEquals(new Shape(8, 12), net.buffers().get("positionEmbedding").getShape());
            assertEquals(p.count(), net.parameters().stream().mapToLong(NDArray::size).sum());
            // which arrays start at zero: every block's modulation and the final layer, nothing else but biases
            for (int i = 0; i < p.names().size(); i++) {
                String name = p.names().get(i);
                double maxAbs = 0;
                for (float f : p.list().get(i).toFloatArray()) maxAbs = Math.max(maxAbs, Math.abs(f));
                boolean zero = name.contains("modulation") || name.startsWith("finalLayer") || name.endsWith("bias");
                assertEquals(zero, maxAbs == 0, name + " max |value| " + maxAbs);
            }
        }
    }

    @Test
    void theDs2PresetHasTable2sSizeCountedByHandAndStartsAtZero() {
        ShapeNetwork.Settings s = ShapeNetwork.Settings.ds2();
        long e = 480, patch = 3 * 16 * 1, mlp = 1920, cond = 46;
        long embed = (patch * e + e) // patch embedding
                + (256 * e + e) + (e * e + e) // time embedding
                + (cond * e + e) + (e * e + e); // condition embedding
        long block = 4 * (e * e + e) // query, key, value, output
                + (e * mlp + mlp) + (mlp * e + e) // MLP
                + (e * 6 * e + 6 * e); // adaLN modulation
        long last = (e * patch + patch) + (e * 2 * e + 2 * e);
        long expected = embed + 6 * block + last;
        assertEquals(26_042_448L, expected); // written out: 631,200 + 6·4,154,400 + 484,848
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m, DataType.FLOAT32, new SplittableRandom(3));
            ShapeNetwork net = new ShapeNetwork(p, s);
            assertEquals(expected, p.count());
            assertEquals(135, net.patches().count());
            NDArray x = m.randomNormal(new Shape(2, 6480));
            NDArray v = net.velocity(x, m.create(0.3f), m.randomUniform(0, 1, new Shape(2, 46)));
            assertEquals(new Shape(2, 6480), v.getShape());
            assertEquals(0.0, v.abs().max().getFloat(), 0.0);
        }
        ShapeNetwork.Settings d3 = ShapeNetwork.Settings.ds3();
        assertEquals(10 * 9 * 15, d3.patches().count());
        assertEquals(30, d3.patches().dim());
        // DS3 by the same sums: E = 240, patch 30, MLP 720: 196,080 + 6·924,960 + 122,910
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m, DataType.FLOAT32, new SplittableRandom(3));
            new ShapeNetwork(p, d3);
            assertEquals(5_868_750L, p.count());
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new ShapeNetwork.Settings(45, 16, 9, 3, 16, 1, 484, 4, 1920, 6, 46));
        assertTrue(bad.getMessage().contains("multiple of 6"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ShapeNetwork.Settings(45, 16, 9, 3, 16, 1, 480, 7, 1920, 6, 46));
        assertThrows(IllegalArgumentException.class, () -> new ShapeNetwork.Settings(45, 16, 9, 2, 16, 1, 480, 6, 1920, 6, 46));
    }

    @Test
    void thePositionEmbeddingIsTheCartesianSinCosOfThePatchCentresGrid() {
        int nl = 3, na = 4, nr = 2, dim = 18, f = 3;
        double[] pe = ShapeNetwork.cartesianPositionEmbedding(nl, na, nr, dim);
        assertEquals(nl * na * nr * dim, pe.length);
        for (int j = 0; j < nl * na * nr; j++) {
            int l = j / (na * nr), a = (j / nr) % na, r = j % nr;
            double rho = r / 2.0, angle = a * Math.PI / 2; // 2π·a/4
            double[] coordinate = {rho * Math.cos(angle), rho * Math.sin(angle), l / 3.0};
            for (int col = 0; col < dim; col++) {
                int block = col / f, k = col % f;
                double omega = Math.pow(10000, -k / 2.0); // k/(F − 1), F = 3: 1, 1/100, 1/10000
                double arg = coordinate[block / 2] * omega;
                assertEquals(block % 2 == 0 ? Math.sin(arg) : Math.cos(arg), pe[j * dim + col], 1e-14, "row " + j + " col " + col);
            }
        }
        // the first radial patch sits at ρ = 0, where the cartesian coordinates forget the angle: every angular
        // patch of a layer group there has the same row (the authors' default; docs/cfm.md)
        for (int l = 0; l < nl; l++) for (int a = 1; a < na; a++) for (int col = 0; col < dim; col++) {
            assertEquals(pe[(l * na * nr) * dim + col], pe[((l * na + a) * nr) * dim + col], 0);
        }
        // by hand: patch (l 1, a 1, r 1) = row 11: x = 0.5 cos(π/2) = 0, y = 0.5, z = 1/3
        assertEquals(0, pe[11 * dim], 1e-15); // sin(x)
        assertEquals(Math.sin(0.5), pe[11 * dim + 6], 1e-15); // sin(y ω_0)
        assertEquals(Math.cos(1 / 3.0 / 10000), pe[11 * dim + 17], 1e-15); // cos(z ω_2)
        try (NDManager m = NDManager.newBaseManager()) {
            ShapeNetwork net = new ShapeNetwork(new Parameters(m, DataType.FLOAT64, new SplittableRandom(4)), TINY);
            assertArrayEquals(ShapeNetwork.cartesianPositionEmbedding(2, 2, 2, 12), net.buffers().get("positionEmbedding").toDoubleArray(), 0);
            // the time embedding: [cos(t f_k), sin(t f_k)], f_k = 10000^(−k/128)
            double[] emb = net.frequencyEmbedding(m.create(0.3), 1).toDoubleArray();
            assertEquals(256, emb.length);
            for (int k : new int[] {0, 1, 64, 127}) {
                double fk = Math.pow(10000, -k / 128.0);
                assertEquals(Math.cos(0.3 * fk), emb[k], 1e-12);
                assertEquals(Math.sin(0.3 * fk), emb[128 + k], 1e-12);
            }
        }
    }

    @Test
    void withRandomParametersTheVelocityMatchesAPlainJavaForwardPassAndDependsOnTimeAndCondition() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m, DataType.FLOAT64, new SplittableRandom(5));
            ShapeNetwork net = new ShapeNetwork(p, TINY);
            randomise(net, 6, 0.3);
            SplittableRandom r = new SplittableRandom(7);
            int batch = 3;
            double[] x = gaussian(r, batch * 48), c = gaussian(r, batch * 7), t = {0.05, 0.5, 0.95};
            double[] v = net.velocity(m.create(x, new Shape(batch, 48)), m.create(t), m.create(c, new Shape(batch, 7))).toDoubleArray();
            Map<String, double[]> w = new HashMap<>();
            for (int i = 0; i < p.names().size(); i++) w.put(p.names().get(i), p.list().get(i).toDoubleArray());
            for (int b = 0; b < batch; b++) {
                double[] ref = Reference.velocity(w, TINY, java.util.Arrays.copyOfRange(x, b * 48, b * 48 + 48), t[b],
                        java.util.Arrays.copyOfRange(c, b * 7, b * 7 + 7));
                for (int i = 0; i < 48; i++) assertEquals(ref[i], v[b * 48 + i], 1e-9 * (1 + Math.abs(ref[i])), "sample " + b + " voxel " + i);
            }
            // one 0-dim t for the batch equals that t per sample
            double[] same = net.velocity(m.create(x, new Shape(batch, 48)), m.create(0.5), m.create(c, new Shape(batch, 7))).toDoubleArray();
            double[] perSample = net.velocity(m.create(x, new Shape(batch, 48)), m.create(new double[] {0.5, 0.5, 0.5}), m.create(c, new Shape(batch, 7))).toDoubleArray();
            assertArrayEquals(perSample, same, 1e-12);
            // changing t, E_inc (condition 0) or one u (condition 3) changes the velocity
            double[] c2 = c.clone();
            c2[0] += 0.2;
            double[] c3 = c.clone();
            c3[3] += 0.2;
            double[] later = net.velocity(m.create(x, new Shape(batch, 48)), m.create(0.6), m.create(c, new Shape(batch, 7))).toDoubleArray();
            double[] energy = net.velocity(m.create(x, new Shape(batch, 48)), m.create(0.5), m.create(c2, new Shape(batch, 7))).toDoubleArray();
            double[] ratio = net.velocity(m.create(x, new Shape(batch, 48)), m.create(0.5), m.create(c3, new Shape(batch, 7))).toDoubleArray();
            assertTrue(maxDiff(same, later) > 1e-3, "t: " + maxDiff(same, later));
            assertTrue(maxDiff(same, energy) > 1e-3, "E_inc: " + maxDiff(same, energy));
            assertTrue(maxDiff(same, ratio) > 1e-3, "u: " + maxDiff(same, ratio));
            // only the changed sample's row moves when one sample's condition changes
            double[] c4 = c.clone();
            c4[7] += 0.5; // sample 1's E_inc
            double[] one = net.velocity(m.create(x, new Shape(batch, 48)), m.create(0.5), m.create(c4, new Shape(batch, 7))).toDoubleArray();
            for (int i = 0; i < 48; i++) {
                assertEquals(same[i], one[i], 1e-12);
                assertEquals(same[96 + i], one[96 + i], 1e-12);
            }
            assertTrue(maxDiff(java.util.Arrays.copyOfRange(same, 48, 96), java.util.Arrays.copyOfRange(one, 48, 96)) > 1e-3);
        }
    }

    static double maxDiff(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    @Test
    void everyLearnableArrayGetsAGradientFromTheFlowMatchingLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m, DataType.FLOAT32, new SplittableRandom(8));
            ShapeNetwork net = new ShapeNetwork(p, TINY);
            randomise(net, 9, 0.3);
            SplittableRandom r = new SplittableRandom(10);
            try (NDManager step = m.newSubManager()) {
                NDArray x = step.create(org.icaloflow.nn.Init.toFloat(gaussian(r, 4 * 48)), new Shape(4, 48));
                NDArray eps = step.create(org.icaloflow.nn.Init.toFloat(gaussian(r, 4 * 48)), new Shape(4, 48));
                NDArray c = step.create(org.icaloflow.nn.Init.toFloat(gaussian(r, 4 * 7)), new Shape(4, 7));
                NDArray t = step.create(new float[] {0.1f, 0.4f, 0.6f, 0.9f});
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    FlowMatching.Target target = FlowMatching.linearPath(x, eps, t);
                    gc.backward(FlowMatching.loss(net.velocity(target.xt(), t, c), target.velocity()));
                }
                for (int i = 0; i < p.list().size(); i++) {
                    NDArray g = p.list().get(i).getGradient();
                    float norm = g.abs().max().getFloat();
                    assertTrue(norm > 0 && Float.isFinite(norm), p.names().get(i) + " gradient " + norm);
                }
            }
        }
    }

    @Test
    void theFieldAdapterSolvesWithRk4() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters p = new Parameters(m, DataType.FLOAT32, new SplittableRandom(11));
            ShapeNetwork net = new ShapeNetwork(p, TINY);
            NDArray x0 = m.randomNormal(new Shape(5, 48));
            NDArray c = m.randomUniform(0, 1, new Shape(5, 7));
            VelocityField.Counting v = VelocityField.counting(net.field(c));
            // zero velocity at the start: the solve returns the noise itself
            NDArray x1 = new OdeSolver(OdeSolver.Method.RK4, 20).solve(v, x0);
            assertEquals(80, v.evaluations());
            assertArrayEquals(x0.toFloatArray(), x1.toFloatArray(), 0f);
            randomise(net, 12, 0.3);
            NDArray moved = new OdeSolver(OdeSolver.Method.RK4, 20).solve(net.field(c), x0);
            assertTrue(moved.sub(x0).abs().max().getFloat() > 1e-3);
            // the field frees its intermediates but gradients still flow through it (a bespoke solver's training)
            float[] scoped = gradientOfSolve(net.field(c), x0);
            float[] plain = gradientOfSolve((x, t) -> net.velocity(x, t, c), x0);
            double norm = 0;
            for (int i = 0; i < plain.length; i++) {
                assertEquals(plain[i], scoped[i], 1e-4 * (1 + Math.abs(plain[i])));
                norm += Math.abs(plain[i] - 1); // d(Σ x1)/d x0 = 1 for a zero field
            }
            assertTrue(norm > 1e-2, "the field moved the gradient: " + norm);
        }
    }

    static float[] gradientOfSolve(VelocityField v, NDArray x0) {
        try (NDManager sm = x0.getManager().newSubManager()) {
            NDArray x = x0.duplicate();
            x.attach(sm);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(new OdeSolver(OdeSolver.Method.RK4, 4).solve(v, x).sum());
            }
            return x.getGradient().toFloatArray();
        }
    }

    /** The authors' ViT forward for one sample, in double loops (timm attention, tanh-GELU, LN eps 1e-6). */
    static final class Reference {
        static double[] velocity(Map<String, double[]> w, ShapeNetwork.Settings s, double[] x, double t, double[] cond) {
            int e = s.hidden(), p1 = s.patchLayers(), p2 = s.patchAlphas(), p3 = s.patchRadii();
            int nl = s.layers() / p1, na = s.alphas() / p2, nr = s.radii() / p3, n = nl * na * nr, pd = p1 * p2 * p3;
            // patches 'b c (l p1) (a p2) (r p3) -> b (l a r) (p1 p2 p3 c)'
            double[] patches = new double[n * pd];
            for (int l = 0; l < nl; l++) for (int a = 0; a < na; a++) for (int r = 0; r < nr; r++)
                for (int i1 = 0; i1 < p1; i1++) for (int i2 = 0; i2 < p2; i2++) for (int i3 = 0; i3 < p3; i3++)
                    patches[((l * na + a) * nr + r) * pd + (i1 * p2 + i2) * p3 + i3] =
                            x[((l * p1 + i1) * s.alphas() + a * p2 + i2) * s.radii() + r * p3 + i3];
            double[] h = dense(w, "patchEmbedding", patches, n);
            double[] pe = ShapeNetwork.cartesianPositionEmbedding(nl, na, nr, e);
            for (int i = 0; i < h.length; i++) h[i] += pe[i];
            double[] freq = new double[256];
            for (int k = 0; k < 128; k++) {
                freq[k] = Math.cos(t * Math.exp(-Math.log(10000) * k / 128));
                freq[128 + k] = Math.sin(t * Math.exp(-Math.log(10000) * k / 128));
            }
            double[] temb = dense(w, "timeEmbedding.layer1", silu(dense(w, "timeEmbedding.layer0", freq, 1)), 1);
            double[] cemb = dense(w, "conditionEmbedding.layer1", silu(dense(w, "conditionEmbedding.layer0", cond, 1)), 1);
            double[] c = new double[e];
            for (int i = 0; i < e; i++) c[i] = temb[i] + cemb[i];
            for (int b = 0; b < s.blocks(); b++) {
                String bl = "block" + b + ".";
                double[] mod = dense(w, bl + "modulation", silu(c), 1); // shift, scale, gate (attention), then (MLP)
                double[] a = attention(w, bl + "attention.", modulate(layerNorm(h, e), mod, 0, e), n, e, s.heads());
                for (int i = 0; i < h.length; i++) h[i] += mod[2 * e + i % e] * a[i];
                double[] hidden = dense(w, bl + "mlp.layer0", modulate(layerNorm(h, e), mod, 3 * e, e), n);
                double[] f = dense(w, bl + "mlp.layer1", gelu(hidden), n);
                for (int i = 0; i < h.length; i++) h[i] += mod[5 * e + i % e] * f[i];
            }
            double[] mod = dense(w, "finalLayer.modulation", silu(c), 1);
            double[] out = dense(w, "finalLayer.linear", modulate(layerNorm(h, e), mod, 0, e), n);
            double[] v = new double[x.length];
            for (int l = 0; l < nl; l++) for (int a = 0; a < na; a++) for (int r = 0; r < nr; r++)
                for (int i1 = 0; i1 < p1; i1++) for (int i2 = 0; i2 < p2; i2++) for (int i3 = 0; i3 < p3; i3++)
                    v[((l * p1 + i1) * s.alphas() + a * p2 + i2) * s.radii() + r * p3 + i3] =
                            out[((l * na + a) * nr + r) * pd + (i1 * p2 + i2) * p3 + i3];
            return v;
        }

        /** rows of x·W + b, W (in, out) named {@code name.weight}. */
        static double[] dense(Map<String, double[]> w, String name, double[] x, int rows) {
            double[] wt = w.get(name + ".weight"), b = w.get(name + ".bias");
            int out = b.length, in = wt.length / out;
            double[] y = new double[rows * out];
            for (int r = 0; r < rows; r++) for (int o = 0; o < out; o++) {
                double sum = b[o];
                for (int i = 0; i < in; i++) sum += x[r * in + i] * wt[i * out + o];
                y[r * out + o] = sum;
            }
            return y;
        }

        static double[] silu(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = x[i] / (1 + Math.exp(-x[i]));
            return y;
        }

        static double[] gelu(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = 0.5 * x[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * x[i] * x[i] * x[i])));
            }
            return y;
        }

        static double[] layerNorm(double[] x, int e) {
            double[] y = new double[x.length];
            for (int r = 0; r < x.length / e; r++) {
                double mean = 0, var = 0;
                for (int i = 0; i < e; i++) mean += x[r * e + i] / e;
                for (int i = 0; i < e; i++) var += (x[r * e + i] - mean) * (x[r * e + i] - mean) / e;
                for (int i = 0; i < e; i++) y[r * e + i] = (x[r * e + i] - mean) / Math.sqrt(var + 1e-6);
            }
            return y;
        }

        /** x·(1 + scale) + shift with shift = mod[at..at+e), scale = mod[at+e..at+2e). */
        static double[] modulate(double[] x, double[] mod, int at, int e) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = x[i] * (1 + mod[at + e + i % e]) + mod[at + i % e];
            return y;
        }

        static double[] attention(Map<String, double[]> w, String name, double[] x, int n, int e, int heads) {
            double[] q = dense(w, name + "query", x, n), k = dense(w, name + "key", x, n), v = dense(w, name + "value", x, n);
            int d = e / heads;
            double[] mixed = new double[n * e];
            for (int hd = 0; hd < heads; hd++) for (int i = 0; i < n; i++) {
                double[] s = new double[n];
                double max = Double.NEGATIVE_INFINITY, z = 0;
                for (int j = 0; j < n; j++) {
                    for (int c = 0; c < d; c++) s[j] += q[i * e + hd * d + c] * k[j * e + hd * d + c] / Math.sqrt(d);
                    max = Math.max(max, s[j]);
                }
                for (int j = 0; j < n; j++) z += Math.exp(s[j] - max);
                for (int j = 0; j < n; j++) for (int c = 0; c < d; c++) mixed[i * e + hd * d + c] += Math.exp(s[j] - max) / z * v[j * e + hd * d + c];
            }
            return dense(w, name + "output", mixed, n);
        }
    }
}
