/**
 * Normalizing-flow core: conditional autoregressive rational-quadratic-spline flows (MAF teacher, IAF student)
 * on DJL's PyTorch engine. Pure mathematics: no project file formats, configuration files or tracking here;
 * the only project import is {@link org.icaloflow.UserError}.
 *
 * <ul>
 *   <li>{@link org.icaloflow.flow.FlowSpec}: hyperparameters (Jackson-bindable record, validation naming the key;
 *       {@code FlowSpec.fromTree(node, where)} for YAML/JSON sections such as {@code architecture.flow1}).</li>
 *   <li>{@link org.icaloflow.flow.Made}: conditional MADE with cached-able masked weights.</li>
 *   <li>{@link org.icaloflow.flow.RationalQuadraticSpline}: K-bin RQ spline on [−B, B], identity tails.</li>
 *   <li>{@link org.icaloflow.flow.Flow}: the flow; {@code forward(x, c)} (x → z), {@code inverse(z, c)} (z → x),
 *       {@code logProb}, {@code sample}, {@code save}/{@code load}; passes return a
 *       {@link org.icaloflow.flow.Trace} with per-block inputs, outputs, MADE outputs and log-dets.</li>
 *   <li>{@link org.icaloflow.flow.Adam}: Adam for explicit GradientCollector loops, settable learning rate.</li>
 * </ul>
 *
 * <p>Speed (docs/flow.md): MADE outputs are parameter-major, (N, 3K−1, D), so the spline's per-bin reductions run
 * over an outer axis; in eval mode on the CPU the sequential direction evaluates its one-feature spline steps in
 * Java ({@code ScalarSpline}); {@code Flow.sampleFrom} is the sampling path (no trace, no log-dets, row chunks
 * that keep temporaries small), where an IAF on the CPU inverts its spline with one libtorch {@code exp} and a Java
 * loop ({@code SplineInverseKernel}).
 *
 * <p>Checkpoint format (version {@value org.icaloflow.flow.Flow#FORMAT_VERSION}): a directory holding
 * {@code flow.json} ({@code {"format": "icaloflow-flow", "formatVersion": 3, "dataType": "float32",
 * "spec": {...FlowSpec keys...}, "permutations": [null, [..], ...], "parameters": [{"name", "shape"}, ...]}})
 * and {@code params.bin} (the parameters, in the listed order, as one DJL {@code NDList} encoding). Versions 1
 * and 2 used the pre-nflows parameterisation (no condition bias or ReLU, shifted knot derivatives): loading one
 * is a UserError asking to retrain.
 *
 * <p>DJL caveat found here: in the PyTorch engine, {@code NDArray.mul(Number)} / {@code div(Number)} /
 * {@code maximum(Number)} build a temporary scalar on a Java direct buffer that is released right after the
 * op; under a GradientCollector autograd keeps that scalar for the backward pass and reads freed memory
 * (nondeterministic NaN gradients). Differentiable code here multiplies by torch-owned 0-dim constants
 * instead ({@code RationalQuadraticSpline.cst}); {@code add/sub(Number)} are safe.
 */
package org.icaloflow.flow;
