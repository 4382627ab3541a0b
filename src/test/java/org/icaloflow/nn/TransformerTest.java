package org.icaloflow.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The transformer layers against plain-Java loops written here: the residual and post-norm structure, the ReLU
 * feed-forward and the LayerNorms are computed independently; attention uses the loop of
 * {@link MultiHeadAttentionTest#reference} (width 6, 3 heads).
 */
class TransformerTest {
    static final int E = MultiHeadAttentionTest.E, H = MultiHeadAttentionTest.H, F = 10, B = 2;

    /** Every parameter set to fresh random values (so that a dropped bias or γ/β shows) and read back by name. */
    static Map<String, double[]> randomise(Parameters params, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, double[]> v = new HashMap<>();
        for (int i = 0; i < params.list().size(); i++) {
            NDArray a = params.list().get(i);
            double[] values = new double[(int) a.size()];
            boolean gamma = params.names().get(i).matches(".*norm\\d?\\.weight");
            for (int j = 0; j < values.length; j++) values[j] = (gamma ? 1 : 0) + 0.6 * (r.nextDouble() - 0.5);
            a.set(values);
            v.put(params.names().get(i), a.toDoubleArray());
        }
        return v;
    }

    static double[][] attention(Map<String, double[]> v, String scope) {
        String[] parts = {"query", "key", "value", "output"};
        double[][] p = new double[8][];
        for (int i = 0; i < 4; i++) {
            p[2 * i] = v.get(scope + "." + parts[i] + ".weight");
            p[2 * i + 1] = v.get(scope + "." + parts[i] + ".bias");
        }
        return p;
    }

    /** LayerNorm of each row of width E, biased variance, eps 1e-5, then γ, β. */
    static double[] norm(double[] x, int rows, double[] gamma, double[] beta) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0;
            for (int c = 0; c < E; c++) mean += x[r * E + c] / E;
            for (int c = 0; c < E; c++) var += (x[r * E + c] - mean) * (x[r * E + c] - mean) / E;
            for (int c = 0; c < E; c++) y[r * E + c] = (x[r * E + c] - mean) / Math.sqrt(var + 1e-5) * gamma[c] + beta[c];
        }
        return y;
    }

    static double[] norm(Map<String, double[]> v, String scope, double[] x, int rows) {
        return norm(x, rows, v.get(scope + ".weight"), v.get(scope + ".bias"));
    }

    /** linear2(relu(linear1(x))) row by row, W (in, out). */
    static double[] feedForward(Map<String, double[]> v, String scope, double[] x, int rows) {
        double[] w1 = v.get(scope + "linear1.weight"), b1 = v.get(scope + "linear1.bias");
        double[] w2 = v.get(scope + "linear2.weight"), b2 = v.get(scope + "linear2.bias");
        double[] y = new double[rows * E];
        for (int r = 0; r < rows; r++) {
            double[] h = new double[F];
            for (int o = 0; o < F; o++) {
                double s = b1[o];
                for (int i = 0; i < E; i++) s += x[r * E + i] * w1[i * F + o];
                h[o] = Math.max(0, s);
            }
            for (int o = 0; o < E; o++) {
                double s = b2[o];
                for (int i = 0; i < F; i++) s += h[i] * w2[i * E + o];
                y[r * E + o] = s;
            }
        }
        return y;
    }

    static double[] plus(double[] a, double[] b) {
        double[] c = new double[a.length];
        for (int i = 0; i < a.length; i++) c[i] = a[i] + b[i];
        return c;
    }

    /** One batch row through an encoder layer: x ← LN1(x + SA(x)); x ← LN2(x + FF(x)). */
    static double[] encoderLayer(Map<String, double[]> v, String s, double[] x, int t) {
        double[] h = norm(v, s + "norm1", plus(x, MultiHeadAttentionTest.reference(attention(v, s + "self_attention"), x, x, t, t, false)), t);
        return norm(v, s + "norm2", plus(h, feedForward(v, s, h, t)), t);
    }

    /** One batch row through a decoder layer with a causal self-attention. */
    static double[] decoderLayer(Map<String, double[]> v, String s, double[] x, double[] mem, int t, int tk) {
        double[] h = norm(v, s + "norm1", plus(x, MultiHeadAttentionTest.reference(attention(v, s + "self_attention"), x, x, t, t, true)), t);
        h = norm(v, s + "norm2", plus(h, MultiHeadAttentionTest.reference(attention(v, s + "cross_attention"), h, mem, t, tk, false)), t);
        return norm(v, s + "norm3", plus(h, feedForward(v, s, h, t)), t);
    }

    @Test
    void encoderAndDecoderLayersMatchTheLoops() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters params = new Parameters(m, DataType.FLOAT64, new SplittableRandom(21));
            TransformerEncoderLayer enc = new TransformerEncoderLayer(params.scope("enc"), E, H, F);
            TransformerDecoderLayer dec = new TransformerDecoderLayer(params.scope("dec"), E, H, F);
            assertEquals(8 + 4 + 4, params.names().stream().filter(n -> n.startsWith("enc.")).count());
            assertEquals(16 + 4 + 6, params.names().stream().filter(n -> n.startsWith("dec.")).count());
            Map<String, double[]> v = randomise(params, 8);
            int t = 4, s = 3;
            double[] x = LayersTest.randoms(31, B * t * E);
            double[] mem = LayersTest.randoms(32, B * s * E);
            NDArray xs = m.create(x, new Shape(B, t, E));
            double[] encoded = enc.forward(xs, null).toDoubleArray();
            double[] decoded = dec.forward(xs, m.create(mem, new Shape(B, s, E)), MultiHeadAttention.causalMask(m, t, DataType.FLOAT64)).toDoubleArray();
            for (int b = 0; b < B; b++) {
                double[] xb = MultiHeadAttentionTest.slice(x, b, t * E);
                assertArrayEquals(encoderLayer(v, "enc.", xb, t), MultiHeadAttentionTest.slice(encoded, b, t * E), 1e-12);
                double[] mb = MultiHeadAttentionTest.slice(mem, b, s * E);
                assertArrayEquals(decoderLayer(v, "dec.", xb, mb, t, s), MultiHeadAttentionTest.slice(decoded, b, t * E), 1e-12);
            }
        }
    }

    @Test
    void theStacksWithTheirFinalNormsMatchTheLoops() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters params = new Parameters(m, DataType.FLOAT64, new SplittableRandom(22));
            Transformer tf = new Transformer(params, E, H, 2, 2, F);
            assertEquals("encoder.layers.0.self_attention.query.weight", params.names().get(0));
            assertEquals(2 * 16 + 2 + 2 * 26 + 2, params.list().size());
            long perEncoder = 4L * (E * E + E) + (E * F + F + F * E + E) + 4L * E;
            long perDecoder = 8L * (E * E + E) + (E * F + F + F * E + E) + 6L * E;
            assertEquals(2 * perEncoder + 2 * E + 2 * perDecoder + 2 * E, params.count());
            Map<String, double[]> v = randomise(params, 9);
            int t = 5, s = 2;
            double[] src = LayersTest.randoms(41, B * s * E);
            double[] tgt = LayersTest.randoms(42, B * t * E);
            double[] out = tf.forward(m.create(src, new Shape(B, s, E)), m.create(tgt, new Shape(B, t, E)),
                    MultiHeadAttention.causalMask(m, t, DataType.FLOAT64)).toDoubleArray();
            for (int b = 0; b < B; b++) {
                double[] h = MultiHeadAttentionTest.slice(src, b, s * E);
                for (int l = 0; l < 2; l++) h = encoderLayer(v, "encoder.layers." + l + ".", h, s);
                double[] memory = norm(v, "encoder.norm", h, s);
                double[] y = MultiHeadAttentionTest.slice(tgt, b, t * E);
                for (int l = 0; l < 2; l++) y = decoderLayer(v, "decoder.layers." + l + ".", y, memory, t, s);
                y = norm(v, "decoder.norm", y, t);
                assertArrayEquals(y, MultiHeadAttentionTest.slice(out, b, t * E), 1e-11);
            }
        }
    }

    @Test
    void startsAsNnTransformerAndEveryParameterGetsAGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            int e = 16, f = 48;
            Parameters params = new Parameters(m, DataType.FLOAT32, new SplittableRandom(23));
            Transformer tf = new Transformer(params, e, 4, 1, 1, f);
            for (int i = 0; i < params.list().size(); i++) {
                String name = params.names().get(i);
                double[] a = params.list().get(i).toType(DataType.FLOAT64, false).toDoubleArray();
                double max = 0, min = Double.POSITIVE_INFINITY;
                for (double x : a) {
                    max = Math.max(max, Math.abs(x));
                    min = Math.min(min, x);
                }
                double bound;
                if (name.matches(".*norm\\d?\\.weight")) bound = -1; // all ones
                else if (name.matches(".*norm\\d?\\.bias") || name.matches(".*attention\\.\\w+\\.bias")) bound = 0;
                else if (name.endsWith("linear1.bias")) bound = 1 / Math.sqrt(e);
                else if (name.endsWith("linear2.bias")) bound = 1 / Math.sqrt(f);
                else if (name.contains("linear")) bound = Math.sqrt(6.0 / (e + f));
                else bound = Math.sqrt(6.0 / (2 * e)); // attention matrices
                if (bound < 0) {
                    assertEquals(1, max, 0, name);
                    assertEquals(1, min, 0, name);
                } else if (bound == 0) {
                    assertEquals(0, max, 0, name);
                } else {
                    assertTrue(max <= bound && max > 0.8 * bound, name + ": max " + max + " bound " + bound);
                }
            }
            // two source positions: with one, softmax over a single key is 1 and the encoder's query and key maps get
            // no gradient (as in torch; the energy network's encoder is so)
            NDArray src = m.randomNormal(new Shape(B, 2, e));
            NDArray tgt = m.randomNormal(new Shape(B, 3, e));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = tf.forward(src, tgt, MultiHeadAttention.causalMask(m, 3, DataType.FLOAT32));
                gc.backward(y.mul(m.randomNormal(y.getShape())).sum());
            }
            for (int i = 0; i < params.list().size(); i++) {
                assertTrue(params.list().get(i).getGradient().abs().sum().getFloat() > 0, params.names().get(i));
            }
        }
    }
}
