/**
 * Building blocks shared by the flows, the classifier's MLP and CaloDREAM's transformers: no flow, file
 * format or configuration here, and no import of the rest of the project.
 *
 * <ul>
 *   <li>{@link org.icaloflow.nn.Adam}: Adam (torch.optim.Adam's update) for explicit GradientCollector loops, with a
 *       settable learning rate and β1 (OneCycle) and resumable state.</li>
 *   <li>{@link org.icaloflow.nn.Init}: torch's {@code nn.Linear} default initialisation, U(±1/√fan_in), drawn from a
 *       Java RNG (the same network for a seed on every device).</li>
 *   <li>{@link org.icaloflow.nn.OutputInit}: how a MADE's output layer starts (nflows' default or near identity).</li>
 *   <li>{@link org.icaloflow.nn.Parameters}: a network's named learnable arrays in creation order, drawn from one
 *       Java RNG; {@code scope} prefixes names.</li>
 *   <li>{@link org.icaloflow.nn.Linear} (four starts: torch's default, Xavier, zero, normal 0.02),
 *       {@link org.icaloflow.nn.LayerNorm}, {@link org.icaloflow.nn.Nonlinearity} (ReLU, SiLU, tanh-GELU),
 *       {@link org.icaloflow.nn.DenseNetwork} and {@link org.icaloflow.nn.MultiHeadAttention} (self and cross,
 *       additive masks, the causal mask): CaloDREAM's transformers are built from these.</li>
 *   <li>{@link org.icaloflow.nn.Transformer} (torch's {@code nn.Transformer}: encoder and decoder stacks with their
 *       final norms), {@link org.icaloflow.nn.TransformerEncoderLayer} and
 *       {@link org.icaloflow.nn.TransformerDecoderLayer} (post-norm, ReLU feed-forward, torch's initialisation):
 *       the energy network's transformer.</li>
 *   <li>{@link org.icaloflow.nn.Scalars}: 0-dim constants to multiply by under autograd (DJL's {@code mul(Number)}
 *       is unsafe there).</li>
 * </ul>
 */
package org.icaloflow.nn;
