package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * 0-dim constants in torch-owned memory. Under a GradientCollector, DJL's {@code NDArray.mul(Number)} and
 * {@code div(Number)} can read freed memory in the backward pass; differentiable code multiplies by these instead
 * ({@code add/sub(Number)} are safe).
 */
public final class Scalars {
    private Scalars() {
    }

    /** v as a 0-dim array of {@code type} on {@code m} (a double stays exact in float64). */
    public static NDArray scalar(NDManager m, DataType type, double v) {
        if (type != DataType.FLOAT64 || (double) (float) v == v) {
            return m.full(new Shape(), (float) v, type);
        }
        return m.zeros(new Shape(), type).add(v); // add(Number) is safe; full(float) would round a double
    }

    /** v as a 0-dim array of x's type on x's manager. */
    public static NDArray like(NDArray x, double v) {
        return scalar(x.getManager(), x.getDataType(), v);
    }
}
