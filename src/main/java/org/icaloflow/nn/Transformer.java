package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * torch's {@code nn.Transformer} (Vaswani et al.) with {@code batch_first=True}, dropout 0 and its other defaults:
 * an encoder stack of {@link TransformerEncoderLayer}s followed by a final LayerNorm ({@code encoder.norm}) and a
 * decoder stack of {@link TransformerDecoderLayer}s, each reading the normed encoder output, followed by a final
 * LayerNorm ({@code decoder.norm}):
 * <pre>
 *   memory = encoder.norm(enc_N(… enc_1(src)))
 *   out    = decoder.norm(dec_M(… dec_1(tgt, memory, tgtMask) …, memory, tgtMask))
 * </pre>
 * Scopes {@code encoder.layers.<i>}, {@code encoder.norm}, {@code decoder.layers.<i>}, {@code decoder.norm}, in
 * torch's order (all encoder layers, the encoder norm, then the decoder).
 *
 * <p>Initialisation as {@code nn.Transformer._reset_parameters}: every matrix Xavier-uniform, attention biases 0,
 * feed-forward biases torch's {@code nn.Linear} default, LayerNorms 1 and 0. One difference in distribution (not
 * in shape): torch packs the query, key and value maps into one (3E, E) {@code in_proj_weight}, whose Xavier bound
 * is √(6/(4E)); {@link MultiHeadAttention} draws the three (E, E) maps separately, bound √(6/(2E)).
 */
public final class Transformer {
    private final List<TransformerEncoderLayer> encoder = new ArrayList<>();
    private final LayerNorm encoderNorm;
    private final List<TransformerDecoderLayer> decoder = new ArrayList<>();
    private final LayerNorm decoderNorm;
    private final int width;

    /**
     * @param width         d_model
     * @param heads         nhead
     * @param encoderLayers num_encoder_layers (≥ 0; with 0 the memory is the normed source)
     * @param decoderLayers num_decoder_layers (≥ 0)
     * @param feedForward   dim_feedforward
     */
    public Transformer(Parameters p, int width, int heads, int encoderLayers, int decoderLayers, int feedForward) {
        if (encoderLayers < 0 || decoderLayers < 0) {
            throw new IllegalArgumentException("negative layer count " + encoderLayers + ", " + decoderLayers);
        }
        this.width = width;
        Parameters enc = p.scope("encoder");
        for (int i = 0; i < encoderLayers; i++) {
            encoder.add(new TransformerEncoderLayer(enc.scope("layers").scope(String.valueOf(i)), width, heads, feedForward));
        }
        this.encoderNorm = new LayerNorm(enc.scope("norm"), width, TransformerEncoderLayer.NORM_EPS, true);
        Parameters dec = p.scope("decoder");
        for (int i = 0; i < decoderLayers; i++) {
            decoder.add(new TransformerDecoderLayer(dec.scope("layers").scope(String.valueOf(i)), width, heads, feedForward));
        }
        this.decoderNorm = new LayerNorm(dec.scope("norm"), width, TransformerEncoderLayer.NORM_EPS, true);
    }

    /** The memory: the encoder stack and its final norm on {@code src} (B, S, E). */
    public NDArray encode(NDArray src) {
        NDArray h = src;
        for (TransformerEncoderLayer layer : encoder) h = layer.forward(h, null);
        return encoderNorm.forward(h);
    }

    /** The decoder stack and its final norm on {@code tgt} (B, T, E) reading {@code memory} (B, S, E). */
    public NDArray decode(NDArray tgt, NDArray memory, NDArray tgtMask) {
        NDArray h = tgt;
        for (TransformerDecoderLayer layer : decoder) h = layer.forward(h, memory, tgtMask);
        return decoderNorm.forward(h);
    }

    /** {@code nn.Transformer.forward(src, tgt, tgt_mask=tgtMask)}: (B, T, E). */
    public NDArray forward(NDArray src, NDArray tgt, NDArray tgtMask) {
        return decode(tgt, encode(src), tgtMask);
    }

    public int width() {
        return width;
    }

    public int encoderLayers() {
        return encoder.size();
    }

    public int decoderLayers() {
        return decoder.size();
    }
}
