/**
 * Building blocks shared by the flows and the classifier's MLP (and later CaloDREAM's transformers): no flow, file
 * format or configuration here, and no import of the rest of the project.
 *
 * <ul>
 *   <li>{@link org.icaloflow.nn.Adam}: Adam (torch.optim.Adam's update) for explicit GradientCollector loops, with a
 *       settable learning rate and β1 (OneCycle) and resumable state.</li>
 *   <li>{@link org.icaloflow.nn.Init}: torch's {@code nn.Linear} default initialisation, U(±1/√fan_in), drawn from a
 *       Java RNG (the same network for a seed on every device).</li>
 *   <li>{@link org.icaloflow.nn.OutputInit}: how a MADE's output layer starts (nflows' default or near identity).</li>
 * </ul>
 */
package org.icaloflow.nn;
