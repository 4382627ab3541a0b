package org.icaloflow.cfm;

import org.icaloflow.nn.Scalars;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/** Velocity fields with known behaviour for the solver tests. */
final class TestFields {
    private TestFields() {
    }

    /** J x for J = [[0, −1], [1, 0]] on rows (x, y): (−y, x); exp(tJ) is a rotation by t radians. */
    static NDArray rotate(NDArray x) {
        NDArray a = x.get(new NDIndex(":, 0:1")), b = x.get(new NDIndex(":, 1:2"));
        return NDArrays.concat(new NDList(b.neg(), a), 1);
    }

    /**
     * A rotation whose angular speed ω(t) = π·(1 + t) grows with time (multiplying by the time array, so it is
     * differentiable in t): curved paths on which Euler is visibly wrong.
     */
    static final VelocityField SPEEDING_ROTATION = (x, t) -> rotate(x).mul(t.add(1.0).mul(Scalars.like(x, Math.PI)));
}
