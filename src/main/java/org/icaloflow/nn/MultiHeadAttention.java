package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Scaled dot-product attention with H heads (Vaswani et al.), as torch's {@code nn.MultiheadAttention} with
 * {@code batch_first=True} and timm's {@code Attention}: query, key and value projections E→E with bias
 * ({@code query}, {@code key}, {@code value}), each head of width E/H attends with softmax(q·kᵀ/√(E/H) + mask),
 * the heads are concatenated and projected E→E ({@code output}).
 *
 * <p>Self-attention: {@code forward(x, x, mask)}; cross-attention (a decoder reading the encoder's memory):
 * {@code forward(x, memory, null)}. The mask is additive, (T_q, T_k), broadcast over batch and heads:
 * {@link #causalMask} lets position i see positions ≤ i only.
 */
public final class MultiHeadAttention {
    private final int width;
    private final int heads;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear output;

    public MultiHeadAttention(Parameters p, int width, int heads, Linear.Start start) {
        if (heads < 1 || width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " does not split into " + heads + " heads");
        }
        this.width = width;
        this.heads = heads;
        this.query = new Linear(p.scope("query"), width, width, start);
        this.key = new Linear(p.scope("key"), width, width, start);
        this.value = new Linear(p.scope("value"), width, width, start);
        this.output = new Linear(p.scope("output"), width, width, start);
    }

    /**
     * @param x      queries (B, T_q, E)
     * @param memory keys and values (B, T_k, E)
     * @param mask   additive (T_q, T_k), or null
     * @return (B, T_q, E)
     */
    public NDArray forward(NDArray x, NDArray memory, NDArray mask) {
        long b = x.getShape().get(0);
        long tq = x.getShape().get(1);
        NDArray q = split(query.forward(x));
        NDArray k = split(key.forward(memory));
        NDArray v = split(value.forward(memory));
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(Scalars.like(q, 1 / Math.sqrt(width / heads)));
        if (mask != null) scores = scores.add(mask);
        NDArray mixed = scores.softmax(-1).matMul(v); // (B, H, T_q, E/H)
        return output.forward(mixed.transpose(0, 2, 1, 3).reshape(b, tq, width));
    }

    /** (B, T, E) → (B, H, T, E/H). */
    private NDArray split(NDArray a) {
        long b = a.getShape().get(0);
        long t = a.getShape().get(1);
        return a.reshape(b, t, heads, width / heads).transpose(0, 2, 1, 3);
    }

    /** 0 where key position ≤ query position, −∞ above the diagonal: (T, T) on {@code m}. */
    public static NDArray causalMask(NDManager m, int t, DataType type) {
        double[] v = new double[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) v[i * t + j] = Double.NEGATIVE_INFINITY;
        }
        return type == DataType.FLOAT64 ? m.create(v, new Shape(t, t)) : m.create(Init.toFloat(v), new Shape(t, t));
    }

    public int width() {
        return width;
    }

    public int heads() {
        return heads;
    }
}
