package org.icaloflow.cfm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** 0-dim constants in torch-owned memory, safe to multiply by under autograd (see the package's DJL note). */
final class Constants {
    private Constants() {
    }

    static NDArray scalar(NDManager m, DataType type, double v) {
        if (type != DataType.FLOAT64 || (double) (float) v == v) {
            return m.full(new Shape(), (float) v, type);
        }
        return m.zeros(new Shape(), type).add(v); // add(Number) is safe; full(float) would round a double
    }

    static NDArray like(NDArray x, double v) {
        return scalar(x.getManager(), x.getDataType(), v);
    }
}
