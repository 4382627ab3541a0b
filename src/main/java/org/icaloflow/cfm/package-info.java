/**
 * CaloDREAM's conditional flow matching (issue 16; paper: docs/cfm.md), the maths only: no I/O, no
 * configuration or tracking; like {@code flow}, the only project package it may use is {@link org.icaloflow.nn}
 * (ArchitectureTest).
 *
 * <ul>
 *   <li>{@link org.icaloflow.cfm.EnergyRatios}: the energy network's variables u (Eq. 2) from layer energies and
 *       back, and the log-scaled incident-energy condition; plain double[]/float[].</li>
 *   <li>{@link org.icaloflow.cfm.VelocityField}: v(x, t) on DJL arrays, t a 0-dim array (learnable times keep
 *       their gradient); {@code counting} counts function evaluations.</li>
 *   <li>{@link org.icaloflow.cfm.OdeSolver}: Euler, midpoint and RK4 with N fixed steps from t = 0 (noise) to
 *       t = 1 (data).</li>
 *   <li>{@link org.icaloflow.cfm.BespokeSolver}: the bespoke non-stationary solver of Sec. 3.4 (Eq. 15), its
 *       global (Eq. 16) and local (Eq. 17) truncation errors; {@link org.icaloflow.cfm.ReferenceTrajectory} is
 *       the precisely solved trajectory they compare against; {@link org.icaloflow.cfm.BespokeTraining} trains a
 *       solver against a frozen field (Table 5: Euler start, midpoint reference, Adam, patience on a validation
 *       set, the best kept).</li>
 *   <li>{@link org.icaloflow.cfm.FlowMatching}: the linear-path training target of Eq. 8.</li>
 *   <li>{@link org.icaloflow.cfm.EnergyNetwork}: the transfusion energy network (Sec. 3.1, Eqs. 9–10, Table 1):
 *       an autoregressive transformer gives c_i from E_inc and u_0..u_{i−1}, one dense network v_φ(u_i(t), t, c_i)
 *       serves every position; all positions in parallel for training, position by position with an
 *       {@link org.icaloflow.cfm.OdeSolver} for sampling. {@link org.icaloflow.cfm.GaussianFourierProjection} is
 *       its time embedding (fixed frequencies, a buffer).</li>
 *   <li>{@link org.icaloflow.cfm.ShapeNetwork}: the shape network of Sec. 3.2 (3-D vision transformer, Table 2
 *       presets), v_θ(x(t), t, E_inc, u) on DJL arrays, with {@link org.icaloflow.cfm.Patches} (patchify and
 *       back), {@link org.icaloflow.cfm.DiTBlock} (adaLN-Zero, Eq. 11) and {@link org.icaloflow.cfm.FinalLayer};
 *       {@code field(condition)} is its {@code VelocityField} for the solvers.</li>
 *   <li>{@link org.icaloflow.cfm.ShapeEncoding}: the voxels' preprocessing (layer normalisation, logit of Eq. 3,
 *       standardisation) and its inverse with the rescaling to the layer energies; plain double[]/float[].</li>
 *   <li>{@link org.icaloflow.cfm.EnergyEncoding}: the energy network's preprocessing of u (the authors' logit on
 *       u_1.. and standardisation fitted on the training set) and its inverse with clipping; plain arrays.</li>
 * </ul>
 *
 * <p>DJL caveat (as in {@code flow}): under a GradientCollector, {@code NDArray.mul(Number)}/{@code div(Number)}
 * can read freed memory in the backward pass; differentiable code here multiplies by torch-owned 0-dim arrays
 * ({@code nn.Scalars}); {@code add/sub(Number)} are safe.
 */
package org.icaloflow.cfm;
