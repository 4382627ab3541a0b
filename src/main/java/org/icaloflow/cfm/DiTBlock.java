package org.icaloflow.cfm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import org.icaloflow.nn.DenseNetwork;
import org.icaloflow.nn.LayerNorm;
import org.icaloflow.nn.Linear;
import org.icaloflow.nn.MultiHeadAttention;
import org.icaloflow.nn.Nonlinearity;
import org.icaloflow.nn.Parameters;

/**
 * One block of the shape network's vision transformer with adaLN-Zero conditioning (paper Eq. 11; DiT's and
 * calo_dreamer's {@code DiTBlock}). From the condition vector c (time plus energies, (B, E)),
 * {@code modulation} = SiLU then a dense layer E → 6E gives, per sample, shift a, scale b and gate γ for the
 * attention and for the MLP:
 * <pre>
 *   x_h = x   + γ_h · Attention(LN(x)·(1 + b_h) + a_h)
 *   x_l = x_h + γ_l · MLP(LN(x_h)·(1 + b_l) + a_l)
 * </pre>
 * LN is a layer norm without affine parameters (eps 1e-6), the attention is multi-head self-attention with
 * biases, the MLP E → mlp → E with tanh-GELU. The modulation layer starts at zero (the "Zero" of adaLN-Zero),
 * so that a new block is the identity; attention and MLP start Xavier-uniform as DiT's basic initialisation,
 * the query, key and value weights with the bound of timm's fused E → 3E projection, √(6/(E + 3E)).
 *
 * <p>Parameters, in creation order: {@code attention.{query,key,value,output}.{weight,bias}},
 * {@code mlp.layer0.*}, {@code mlp.layer1.*}, {@code modulation.*}.
 */
public final class DiTBlock {
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final MultiHeadAttention attention;
    private final DenseNetwork mlp;
    private final Linear modulation;

    public DiTBlock(Parameters p, int width, int heads, int mlpHidden) {
        this.norm1 = new LayerNorm(p.scope("norm1"), width, 1e-6, false);
        int first = p.list().size();
        this.attention = new MultiHeadAttention(p.scope("attention"), width, heads, Linear.Start.XAVIER_UNIFORM);
        // query, key and value weights are arrays first, first + 2, first + 4 (weight, bias per projection):
        // rescale from Xavier's √(6/(E + E)) of one E → E map to √(6/(E + 3E)) of timm's fused qkv map
        Number half = p.dataType() == DataType.FLOAT64 ? (Number) Math.sqrt(0.5) : (Number) (float) Math.sqrt(0.5);
        String[] projections = {"query", "key", "value"};
        for (int k = 0; k < 3; k++) {
            if (!p.names().get(first + 2 * k).endsWith("attention." + projections[k] + ".weight")) {
                throw new IllegalStateException("unexpected attention parameter order: " + p.names().subList(first, p.names().size()));
            }
            p.list().get(first + 2 * k).muli(half);
        }
        this.norm2 = new LayerNorm(p.scope("norm2"), width, 1e-6, false);
        this.mlp = new DenseNetwork(p.scope("mlp"), new int[] {width, mlpHidden, width}, Nonlinearity.GELU_TANH,
                Linear.Start.XAVIER_UNIFORM);
        this.modulation = new Linear(p.scope("modulation"), width, 6 * width, Linear.Start.ZERO);
    }

    /**
     * @param x patch tokens (B, T, E)
     * @param c condition vectors (B, E) (or (1, E), broadcast)
     * @return (B, T, E)
     */
    public NDArray forward(NDArray x, NDArray c) {
        NDList m = modulation.forward(Nonlinearity.SILU.apply(c)).split(6, 1);
        NDArray h = modulate(norm1.forward(x), m.get(0), m.get(1));
        NDArray xh = x.add(m.get(2).expandDims(1).mul(attention.forward(h, h, null)));
        NDArray l = modulate(norm2.forward(xh), m.get(3), m.get(4));
        return xh.add(m.get(5).expandDims(1).mul(mlp.forward(l)));
    }

    /** x·(1 + scale) + shift, shift and scale (B, E) broadcast over the tokens of x (B, T, E). */
    static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
        return x.mul(scale.expandDims(1).add(1)).add(shift.expandDims(1));
    }
}
