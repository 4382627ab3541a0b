package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;

/**
 * torch's {@code nn.TransformerDecoderLayer} with its defaults inside {@code nn.Transformer} (post-norm; ReLU
 * feed-forward; LayerNorm eps 1e-5 with affine; dropout 0; batch first):
 * <pre>
 *   x ← norm1(x + self_attention(x, x, selfMask))      the target mask, causal for an autoregressive decoder
 *   x ← norm2(x + cross_attention(x, memory))          the encoder's output as keys and values
 *   x ← norm3(x + feed_forward(x))
 * </pre>
 * Scopes {@code self_attention}, {@code cross_attention} (torch's {@code self_attn}, {@code multihead_attn}),
 * {@code linear1}, {@code linear2}, {@code norm1}..{@code norm3}, in that creation order; starts as
 * {@link TransformerEncoderLayer}.
 */
public final class TransformerDecoderLayer {
    private final MultiHeadAttention selfAttention;
    private final MultiHeadAttention crossAttention;
    private final FeedForward feedForward;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final LayerNorm norm3;

    public TransformerDecoderLayer(Parameters p, int width, int heads, int feedForward) {
        this.selfAttention = new MultiHeadAttention(p.scope("self_attention"), width, heads, Linear.Start.XAVIER_UNIFORM);
        this.crossAttention = new MultiHeadAttention(p.scope("cross_attention"), width, heads, Linear.Start.XAVIER_UNIFORM);
        this.feedForward = new FeedForward(p, width, feedForward);
        double eps = TransformerEncoderLayer.NORM_EPS;
        this.norm1 = new LayerNorm(p.scope("norm1"), width, eps, true);
        this.norm2 = new LayerNorm(p.scope("norm2"), width, eps, true);
        this.norm3 = new LayerNorm(p.scope("norm3"), width, eps, true);
    }

    /**
     * @param x        the target sequence (B, T, E)
     * @param memory   the encoder's output (B, S, E)
     * @param selfMask additive (T, T) mask of the self-attention ({@link MultiHeadAttention#causalMask}), or null
     * @return (B, T, E)
     */
    public NDArray forward(NDArray x, NDArray memory, NDArray selfMask) {
        NDArray h = norm1.forward(x.add(selfAttention.forward(x, x, selfMask)));
        h = norm2.forward(h.add(crossAttention.forward(h, memory, null)));
        return norm3.forward(h.add(feedForward.forward(h)));
    }
}
