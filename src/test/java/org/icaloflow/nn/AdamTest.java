package org.icaloflow.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AdamTest {

    /**
     * With β1 and the rate changed before every step (OneCycle), each step is torch.optim.Adam's with the
     * current β1: m = β1 m + (1 - β1) g, v = β2 v + (1 - β2) g², p -= lr / (1 - β1^t) * m / (sqrt(v / (1 - β2^t)) + eps).
     */
    @Test
    void usesTheCurrentBeta1InTheMomentAndItsBiasCorrection() {
        double[] p0 = {0.7, -1.3, 2.0};
        double[] lrs = {1e-2, 3e-2, 5e-2, 2e-2, 1e-2, 4e-3};
        double[] b1s = {0.95, 0.90, 0.85, 0.88, 0.93, 0.95};
        double[] a = {1.0, 2.0, 0.5};
        double[] p = reference(p0, a, lrs, b1s);
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray x = nd.create(p0);
            x.setRequiresGradient(true);
            NDArray coef = nd.create(a);
            try (Adam adam = new Adam(List.of(x), 0, 0.9, 0.999, 1e-8, null)) {
                for (int t = 0; t < lrs.length; t++) {
                    adam.setLearningRate(lrs[t]);
                    adam.setBeta1(b1s[t]);
                    try (NDManager step = nd.newSubManager()) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray loss = x.square().mul(coef).div(2).add(x.pow(3).div(3)).sum();
                            gc.backward(loss);
                        }
                        adam.step();
                    }
                }
                double[] got = x.toDoubleArray();
                for (int i = 0; i < 3; i++) assertEquals(p[i], got[i], 1e-12, "parameter " + i);
                // a fixed β1 of 0.9 (or the first step's β1 in the bias correction) ends elsewhere
                double[] fixed = reference(p0, a, lrs, new double[] {0.9, 0.9, 0.9, 0.9, 0.9, 0.9});
                assertTrue(Math.abs(got[0] - fixed[0]) > 1e-5, got[0] + " vs " + fixed[0]);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> {
            try (NDManager nd = NDManager.newBaseManager(); Adam adam = new Adam(List.of(nd.zeros(new ai.djl.ndarray.types.Shape(1))), 0, 0.9, 0.999, 1e-8, null)) {
                adam.setBeta1(1.0);
            }
        });
    }

    /** torch.optim.Adam by hand; loss = sum(a_i p_i^2 / 2 + p_i^3 / 3), gradient a_i p_i + p_i^2. */
    static double[] reference(double[] p0, double[] a, double[] lrs, double[] b1s) {
        double[] p = p0.clone(), m = new double[p0.length], v = new double[p0.length];
        double b2 = 0.999, eps = 1e-8;
        for (int t = 1; t <= lrs.length; t++) {
            double b1 = b1s[t - 1];
            for (int i = 0; i < p.length; i++) {
                double g = a[i] * p[i] + p[i] * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                p[i] -= lrs[t - 1] / (1 - Math.pow(b1, t)) * m[i] / (Math.sqrt(v[i] / (1 - Math.pow(b2, t))) + eps);
            }
        }
        return p;
    }
}
