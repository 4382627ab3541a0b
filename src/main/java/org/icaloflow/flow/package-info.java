/**
 * Normalizing-flow core: conditional autoregressive rational-quadratic-spline flows (MAF teacher, IAF student)
 * on DJL's PyTorch engine, in the shape of nflows 0.14. Pure mathematics: no project file formats, configuration
 * files or tracking here; the only project imports are from {@link org.icaloflow.nn} (initialisation, OutputInit).
 * Checkpoints and FlowSpec's JSON form: {@code org.icaloflow.flow.io}; the CPU's eval-mode kernels:
 * {@code org.icaloflow.flow.cpu}.
 *
 * <ul>
 *   <li>{@link org.icaloflow.flow.Transform}: nflows' transform contract, {@code forward(x, c)} and
 *       {@code inverse(y, c)} each returning outputs and log|det| (the inverse's that of the inverse map).
 *       Transforms: {@link org.icaloflow.flow.Permutation}, {@link org.icaloflow.flow.AutoregressiveSplineBlock}
 *       (conditional MADE + spline; the MADE reads x for a MAF, z for an IAF) and
 *       {@link org.icaloflow.flow.CompositeTransform}, whose passes also return every part's input and result.</li>
 *   <li>{@link org.icaloflow.flow.Flow}: a composite transform plus a standard-normal base; {@code forward(x, c)}
 *       (x → z), {@code inverse(z, c)} (z → x), {@code logProb}, {@code sample}, {@code sampleFrom}; passes return a
 *       {@link org.icaloflow.flow.Trace} with per-block inputs, outputs, MADE outputs and log-dets (the blocks'
 *       steps of the composite's pass).</li>
 *   <li>{@link org.icaloflow.flow.FlowSpec}: hyperparameters (Jackson-bindable record, validation throwing an
 *       IllegalArgumentException naming the key).</li>
 *   <li>{@link org.icaloflow.flow.Made}: conditional MADE with cacheable masked weights.</li>
 *   <li>{@link org.icaloflow.flow.RationalQuadraticSpline}: K-bin RQ spline on [−B, B], identity tails.</li>
 *   <li>{@link org.icaloflow.flow.EvalKernels}: the service through which a device's faster, non-differentiable
 *       eval-mode paths plug in (found with ServiceLoader; the CPU's live in {@code org.icaloflow.flow.cpu}), and
 *       the switch {@code icaloflow.kernels} / {@code ICALOFLOW_KERNELS} = {@code auto} | {@code tensor} that makes a
 *       CPU take the tensor code a CUDA device takes (docs/gpu.md).</li>
 * </ul>
 *
 * <p>Speed (docs/flow.md): MADE outputs are parameter-major, (N, 3K−1, D), so the spline's per-bin reductions run
 * over an outer axis; in eval mode on the CPU the sequential direction evaluates its one-feature spline steps in
 * Java ({@code ScalarSpline}); {@code Flow.sampleFrom} is the sampling path (no trace, no log-dets, row chunks
 * that keep temporaries small), where an IAF on the CPU inverts its spline with one libtorch {@code exp} and a Java
 * loop ({@code SplineInverseKernel}).
 *
 * <p>DJL caveat found here: in the PyTorch engine, {@code NDArray.mul(Number)} / {@code div(Number)} /
 * {@code maximum(Number)} build a temporary scalar on a Java direct buffer that is released right after the
 * op; under a GradientCollector autograd keeps that scalar for the backward pass and reads freed memory
 * (nondeterministic NaN gradients). Differentiable code here multiplies by torch-owned 0-dim constants
 * instead ({@code RationalQuadraticSpline.cst}); {@code add/sub(Number)} are safe.
 */
package org.icaloflow.flow;
