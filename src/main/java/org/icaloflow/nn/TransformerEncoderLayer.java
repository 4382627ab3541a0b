package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;

/**
 * torch's {@code nn.TransformerEncoderLayer} with its defaults inside {@code nn.Transformer} (post-norm,
 * {@code norm_first=False}; ReLU feed-forward; LayerNorm eps 1e-5 with affine; dropout 0; batch first):
 * <pre>
 *   x ← norm1(x + self_attention(x, x, mask))
 *   x ← norm2(x + feed_forward(x))
 * </pre>
 * Scopes {@code self_attention}, {@code linear1}, {@code linear2}, {@code norm1}, {@code norm2} (torch's names but
 * {@code self_attn}). The attention starts as {@link Linear.Start#XAVIER_UNIFORM} (weights Xavier, biases 0), the
 * feed-forward as {@link FeedForward} says: {@code nn.Transformer}'s initialisation, see {@link Transformer}.
 */
public final class TransformerEncoderLayer {
    /** torch's LayerNorm eps in the transformer layers. */
    public static final double NORM_EPS = 1e-5;

    private final MultiHeadAttention selfAttention;
    private final FeedForward feedForward;
    private final LayerNorm norm1;
    private final LayerNorm norm2;

    /**
     * @param width       the model width E ({@code d_model})
     * @param heads       attention heads, dividing E
     * @param feedForward the feed-forward hidden width ({@code dim_feedforward})
     */
    public TransformerEncoderLayer(Parameters p, int width, int heads, int feedForward) {
        this.selfAttention = new MultiHeadAttention(p.scope("self_attention"), width, heads, Linear.Start.XAVIER_UNIFORM);
        this.feedForward = new FeedForward(p, width, feedForward);
        this.norm1 = new LayerNorm(p.scope("norm1"), width, NORM_EPS, true);
        this.norm2 = new LayerNorm(p.scope("norm2"), width, NORM_EPS, true);
    }

    /**
     * @param x    (B, T, E)
     * @param mask additive (T, T) self-attention mask, or null (nn.Transformer's encoder gets none)
     * @return (B, T, E)
     */
    public NDArray forward(NDArray x, NDArray mask) {
        NDArray h = norm1.forward(x.add(selfAttention.forward(x, x, mask)));
        return norm2.forward(h.add(feedForward.forward(h)));
    }
}
