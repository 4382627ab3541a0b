package org.icaloflow.flow;

/**
 * Which direction of an autoregressive flow is the fast one.
 *
 * <ul>
 *   <li>{@link #MAF}: masked autoregressive flow; the MADE of each block reads the data-side (x) values,
 *       so density evaluation is one pass and sampling needs D passes per block (teacher).</li>
 *   <li>{@link #IAF}: inverse autoregressive flow; the MADE reads the base-side (z) values, so sampling is
 *       one pass and density evaluation needs D passes per block (student).</li>
 * </ul>
 */
public enum FlowKind {
    MAF,
    IAF
}
