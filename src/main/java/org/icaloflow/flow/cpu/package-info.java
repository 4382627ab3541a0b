/**
 * The CPU's eval-mode kernels of the flow core ({@link org.icaloflow.flow.cpu.CpuKernels}, an
 * {@link org.icaloflow.flow.EvalKernels} registered in {@code META-INF/services}): where one tensor operation costs
 * more in JNI overhead and allocation than in arithmetic, the work runs in Java (docs/flow.md, "What makes it fast").
 *
 * <ul>
 *   <li>{@link org.icaloflow.flow.cpu.ScalarSpline}: the spline of one value in double precision, for the sequential
 *       direction's one-feature steps (MAF sampling, IAF density), rows split over libtorch's thread count.</li>
 *   <li>{@link org.icaloflow.flow.cpu.SplineInverseKernel}: an IAF's sampling spline inverse as one libtorch
 *       {@code exp} plus a Java loop.</li>
 *   <li>{@code HostArrays}: tensor ↔ Java array copies through a direct view, and the row-block threading.</li>
 * </ul>
 *
 * <p>The tensor code in {@code org.icaloflow.flow} stays the reference and the differentiable path; the tests check
 * these kernels against it.
 */
package org.icaloflow.flow.cpu;
