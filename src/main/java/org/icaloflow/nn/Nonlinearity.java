package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * Element-wise activations by torch's names, written with NDArray-valued operations only (differentiable under
 * DJL's PyTorch engine, see {@link Scalars}).
 */
public enum Nonlinearity {
    /** max(0, x): torch's {@code nn.ReLU} (nn.Transformer's default). */
    RELU {
        @Override
        public NDArray apply(NDArray x) {
            return Activation.relu(x);
        }
    },
    /** x·σ(x): torch's {@code nn.SiLU}. */
    SILU {
        @Override
        public NDArray apply(NDArray x) {
            return x.mul(Activation.sigmoid(x));
        }
    },
    /**
     * torch's {@code nn.GELU(approximate="tanh")}: ½x(1 + tanh(√(2/π)(x + 0.044715x³))), DiT's and timm's choice
     * in the ViT's MLP.
     */
    GELU_TANH {
        @Override
        public NDArray apply(NDArray x) {
            NDArray inner = x.add(x.pow(Scalars.like(x, 3)).mul(Scalars.like(x, 0.044715)))
                    .mul(Scalars.like(x, Math.sqrt(2 / Math.PI)));
            return x.mul(inner.tanh().add(1)).mul(Scalars.like(x, 0.5));
        }
    };

    public abstract NDArray apply(NDArray x);
}
