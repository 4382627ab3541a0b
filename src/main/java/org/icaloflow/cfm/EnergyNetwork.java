package org.icaloflow.cfm;

import org.icaloflow.nn.DenseNetwork;
import org.icaloflow.nn.Init;
import org.icaloflow.nn.Linear;
import org.icaloflow.nn.MultiHeadAttention;
import org.icaloflow.nn.Nonlinearity;
import org.icaloflow.nn.Parameters;
import org.icaloflow.nn.Transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * CaloDREAM's energy network (Sec. 3.1, Fig. 1, Eqs. 9–10, Table 1): an autoregressive transfusion of a
 * transformer and one dense CFM velocity network shared by the L positions (L = 45 layers for DS2/DS3), as the
 * authors' {@code ARtransformer} without embedding nets.
 *
 * <ul>
 *   <li><b>Embedding</b> ({@link #embed}): a sequence of scalars p (B, T) becomes (B, T, E) rows
 *       (p_j, one-hot(j) of width W, zeros): the encoder reads the condition (B, n_con), W = n_con; the
 *       decoder reads u shifted right, (0, u_0, …, u_{L−2}), W = L + 1 (the authors' {@code dims_in + 1}).</li>
 *   <li><b>Transformer</b> ({@link Transformer}, torch's {@code nn.Transformer}): the encoder's output is the
 *       memory; the decoder's self-attention is causal, so its output at position i,
 *       c_i = c_i(u_0, …, u_{i−1}, E_inc) (Eq. 9), c_0 = c_0(E_inc).</li>
 *   <li><b>Time</b>: {@link GaussianFourierProjection} (D = 64, scale 30), then a Linear D → D.</li>
 *   <li><b>Velocity</b> v_φ(u_i(t), t, c_i) (Eq. 10): a dense network on concat(u_i(t), time embedding, c_i),
 *       1 + D + E → H → … → H → 1 with SiLU between (Table 1: 8 layers of 256).</li>
 * </ul>
 * Training ({@link #forward}, {@link #loss}) evaluates all positions in parallel with the true u in the decoder;
 * sampling ({@link #sample}) runs position by position: the decoder on the u generated so far gives c_k, a 1-D
 * ODE du/dt = v_φ(u, t, c_k) from ε ~ N(0, 1) at t = 0 to t = 1 gives u_k.
 *
 * <p>Parameters are scoped {@code transformer.…} ({@link Transformer}'s names), {@code time_embedding.linear.…},
 * {@code head.layer0…}, created in that order (the Fourier frequencies are drawn between the transformer and the
 * time Linear); the frequencies are a buffer, {@link #buffers()}.
 */
public final class EnergyNetwork {
    /**
     * The sizes: L positions, n_con conditions, the transformer's width E, heads, encoder and decoder layers and
     * feed-forward width, the time embedding's D and frequency scale, the velocity network's hidden width H and
     * number of linear layers (≥ 2: the first 1 + D + E → H, the last H → 1).
     */
    public record Settings(int positions, int conditions, int embedding, int heads, int encoderLayers,
            int decoderLayers, int feedForward, int timeEmbedding, double timeScale, int headWidth, int headLayers) {
        public Settings {
            if (positions < 1 || conditions < 1) throw new IllegalArgumentException("need at least one position and one condition");
            if (embedding < positions + 2 || embedding < conditions + 1) {
                throw new IllegalArgumentException("embedding " + embedding + " cannot hold a value and a one-hot position of "
                        + (positions + 1) + " (decoder) and " + conditions + " (encoder)");
            }
            if (heads < 1 || embedding % heads != 0) throw new IllegalArgumentException("embedding " + embedding + " does not split into " + heads + " heads");
            if (encoderLayers < 0 || decoderLayers < 0 || feedForward < 1) throw new IllegalArgumentException("bad transformer sizes");
            if (timeEmbedding < 2 || timeEmbedding % 2 != 0) throw new IllegalArgumentException("time embedding must be even, got " + timeEmbedding);
            if (headWidth < 1 || headLayers < 2) throw new IllegalArgumentException("the velocity network needs ≥ 2 layers of width ≥ 1");
        }

        /**
         * Table 1 for {@code positions} layers: width 64, 4 heads, 4 encoder and 4 decoder layers, feed-forward 1024,
         * time embedding 64 (scale 30, the code's default), dense network 8 layers of 256; one condition (E_inc).
         */
        public static Settings table1(int positions) {
            return new Settings(positions, 1, 64, 4, 4, 4, 1024, 64, 30, 256, 8);
        }

        /**
         * The authors' DS2 config ({@code configs/d2_energy_model_AR.yaml}) for {@code positions} layers: as Table 1
         * but feed-forward 512 ({@code dim_feedforward}) and a dense network of width 512 (the code's default
         * {@code intermediate_dim}, which the config leaves unset).
         */
        public static Settings authorsConfig(int positions) {
            return new Settings(positions, 1, 64, 4, 4, 4, 512, 64, 30, 512, 8);
        }

        /** Table 1 for DS2/DS3, 45 layers. */
        public static Settings table1() {
            return table1(EnergyRatios.CALOCHALLENGE_LAYERS);
        }
    }

    private final Settings settings;
    private final Transformer transformer;
    private final GaussianFourierProjection fourier;
    private final Linear timeLinear;
    private final DenseNetwork velocity;

    public EnergyNetwork(Parameters p, Settings s) {
        this.settings = s;
        this.transformer = new Transformer(p.scope("transformer"), s.embedding(), s.heads(), s.encoderLayers(),
                s.decoderLayers(), s.feedForward());
        Parameters time = p.scope("time_embedding");
        this.fourier = new GaussianFourierProjection(time, s.timeEmbedding(), s.timeScale());
        this.timeLinear = new Linear(time.scope("linear"), s.timeEmbedding(), s.timeEmbedding(), Linear.Start.TORCH_DEFAULT);
        int[] widths = new int[s.headLayers() + 1];
        java.util.Arrays.fill(widths, s.headWidth());
        widths[0] = 1 + s.timeEmbedding() + s.embedding();
        widths[s.headLayers()] = 1;
        this.velocity = new DenseNetwork(p.scope("head"), widths, Nonlinearity.SILU, Linear.Start.TORCH_DEFAULT);
    }

    public Settings settings() {
        return settings;
    }

    /** The non-learnable arrays by name: the Fourier frequencies {@code time_embedding.frequencies} (D/2). */
    public Map<String, NDArray> buffers() {
        Map<String, NDArray> b = new LinkedHashMap<>();
        b.put("time_embedding.frequencies", fourier.frequencies());
        return b;
    }

    /**
     * The authors' embedding without embedding nets: p (B, T) with T ≤ W to (B, T, E) rows
     * (p_j, e_j of width {@code oneHotWidth}, E − 1 − W zeros), on p's manager.
     */
    public NDArray embed(NDArray p, int oneHotWidth) {
        int e = settings.embedding();
        long b = p.getShape().get(0);
        int t = (int) p.getShape().get(1);
        if (t > oneHotWidth || oneHotWidth + 1 > e) throw new IllegalArgumentException(t + " positions, one-hot " + oneHotWidth + ", width " + e);
        double[] rest = new double[t * (e - 1)];
        for (int j = 0; j < t; j++) rest[j * (e - 1) + j] = 1;
        Shape shape = new Shape(t, e - 1);
        NDManager m = p.getManager();
        NDArray constant = p.getDataType() == DataType.FLOAT64 ? m.create(rest, shape) : m.create(Init.toFloat(rest), shape);
        return p.expandDims(-1).concat(constant.expandDims(0).broadcast(new Shape(b, t, e - 1)), -1);
    }

    /** The encoder's memory for the condition (B) or (B, n_con): (B, n_con, E). */
    public NDArray memory(NDArray condition) {
        long b = condition.getShape().get(0);
        return transformer.encode(embed(condition.reshape(b, settings.conditions()), settings.conditions()));
    }

    /** The decoder on a shifted sequence (B, T) whose first column is 0: (B, T, E), position i from columns ≤ i. */
    private NDArray decode(NDArray shifted, NDArray memory) {
        int t = (int) shifted.getShape().get(1);
        NDArray mask = MultiHeadAttention.causalMask(shifted.getManager(), t, shifted.getDataType());
        return transformer.decode(embed(shifted, settings.positions() + 1), memory, mask);
    }

    /** (0, u_0, …, u_{k−2}) from u (B, k). */
    private static NDArray shiftRight(NDArray u) {
        long k = u.getShape().get(1);
        NDArray zero = u.get(new NDIndex(":, 0:1")).zerosLike();
        return k == 1 ? zero : zero.concat(u.get(new NDIndex(":, 0:{}", k - 1)), 1);
    }

    /**
     * The transformer's outputs c_0 … c_{k−1} (B, k, E) for u (B, k), 1 ≤ k ≤ L, and the condition (B) or
     * (B, n_con): c_i depends on u_0 … u_{i−1} and the condition only (Eq. 9). Training uses k = L.
     */
    public NDArray conditions(NDArray u, NDArray condition) {
        checkPositions(u.getShape().get(1));
        return decode(shiftRight(u), memory(condition));
    }

    /**
     * c_k (B, E) from the prefix u_0 … u_{k−1} (B, k), 0 ≤ k < L ({@code prefix} null for k = 0), and the
     * {@link #memory}: the decoder runs on (0, u_0, …, u_{k−1}) only, as in sampling.
     */
    public NDArray nextCondition(NDArray prefix, NDArray memory) {
        long b = memory.getShape().get(0);
        NDManager m = prefix == null ? memory.getManager() : prefix.getManager();
        NDArray shifted = m.zeros(new Shape(b, 1), memory.getDataType());
        if (prefix != null) {
            if (prefix.getShape().get(1) >= settings.positions()) throw new IllegalArgumentException("prefix " + prefix.getShape() + " has no next position");
            shifted = shifted.concat(prefix, 1);
        }
        NDArray c = decode(shifted, memory);
        long k = shifted.getShape().get(1);
        return c.get(new NDIndex(":, {}, :", k - 1));
    }

    /** The time embedding Linear(γ(t)) for times (B) or (B, 1): (B, D). */
    public NDArray timeEmbedding(NDArray t) {
        return timeLinear.forward(fourier.forward(t));
    }

    /**
     * v_φ (Eq. 10) on u_i(t) (…, 1), the time embedding (…, D) and c_i (…, E), leading axes alike: (…, 1).
     */
    public NDArray velocity(NDArray ut, NDArray timeEmbedding, NDArray c) {
        return velocity.forward(NDArrays.concat(new NDList(ut, timeEmbedding, c), -1));
    }

    /**
     * The velocity of all positions in parallel (training): u_i(t) {@code ut} (B, L), one time per sample
     * {@code t} (B) or (B, 1), the data u (B, L) in the decoder (teacher forcing) and the condition (B) or
     * (B, n_con). Returns (B, L).
     */
    public NDArray forward(NDArray ut, NDArray t, NDArray u, NDArray condition) {
        long b = u.getShape().get(0);
        int l = settings.positions();
        if (!ut.getShape().equals(new Shape(b, l)) || !u.getShape().equals(new Shape(b, l))) {
            throw new IllegalArgumentException("u(t) " + ut.getShape() + " and u " + u.getShape() + " must be (" + b + ", " + l + ")");
        }
        NDArray c = conditions(u, condition);
        NDArray time = timeEmbedding(t).expandDims(1).broadcast(new Shape(b, l, settings.timeEmbedding()));
        return velocity(ut.expandDims(-1), time, c).squeeze(-1);
    }

    /**
     * Eq. 8's loss for data u (B, L), the condition, noise ε (B, L) and times t (B): on x_t = (1 − t)ε + t u,
     * the mean of (v − (u − ε))² over all elements.
     */
    public NDArray loss(NDArray u, NDArray condition, NDArray eps, NDArray t) {
        FlowMatching.Target target = FlowMatching.linearPath(u, eps, t);
        return FlowMatching.loss(forward(target.xt(), t, u, condition), target.velocity());
    }

    /**
     * Samples u (B, L) on the condition's manager for the condition (B) or (B, n_con), position by position:
     * c_k from the u generated so far, then {@code solver} on du/dt = v_φ(u, t, c_k) from ε ~ N(0, 1) (B values
     * per position drawn from {@code rng}, in order) at t = 0 to t = 1. Temporaries live on sub-managers.
     */
    public NDArray sample(NDArray condition, RandomGenerator rng, OdeSolver solver) {
        NDManager outer = condition.getManager();
        int b = (int) condition.getShape().get(0);
        DataType type = condition.getDataType();
        List<NDArray> generated = new ArrayList<>();
        try (NDManager run = outer.newSubManager()) {
            NDArray cond = condition.duplicate();
            cond.attach(run);
            NDArray memory = memory(cond);
            for (int k = 0; k < settings.positions(); k++) {
                try (NDManager step = run.newSubManager()) {
                    NDArray mem = memory.duplicate();
                    mem.attach(step);
                    NDArray prefix = null;
                    if (k > 0) {
                        prefix = NDArrays.concat(new NDList(generated.toArray(new NDArray[0])), 1);
                        prefix.attach(step);
                    }
                    NDArray ck = nextCondition(prefix, mem);
                    double[] noise = new double[b];
                    for (int i = 0; i < b; i++) noise[i] = rng.nextGaussian();
                    NDArray x0 = type == DataType.FLOAT64 ? step.create(noise, new Shape(b, 1))
                            : step.create(Init.toFloat(noise), new Shape(b, 1));
                    VelocityField v = (x, t) -> velocity(x, timeEmbedding(x.zerosLike().add(t)), ck);
                    NDArray uk = solver.solve(v, x0);
                    uk.attach(outer);
                    generated.add(uk);
                }
            }
        }
        NDArray u = NDArrays.concat(new NDList(generated.toArray(new NDArray[0])), 1);
        generated.forEach(NDArray::close);
        return u;
    }

    /** {@link #sample(NDArray, RandomGenerator, OdeSolver)} with RK4 and {@code steps} steps (the paper: 50). */
    public NDArray sample(NDArray condition, RandomGenerator rng, int steps) {
        return sample(condition, rng, new OdeSolver(OdeSolver.Method.RK4, steps));
    }

    private void checkPositions(long k) {
        if (k < 1 || k > settings.positions()) throw new IllegalArgumentException(k + " positions, network has " + settings.positions());
    }
}
