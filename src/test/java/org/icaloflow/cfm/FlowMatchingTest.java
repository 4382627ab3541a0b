package org.icaloflow.cfm;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FlowMatchingTest {

    @Test
    void theLinearPathRunsFromNoiseAtZeroToDataAtOne() {
        double[][] x = {{1, 2}, {3, -4}, {0.5, 0}};
        double[][] eps = {{-1, 0.5}, {2, 2}, {0, 1}};
        double[] t = {0, 1, 0.25};
        try (NDManager m = NDManager.newBaseManager()) {
            FlowMatching.Target tg = FlowMatching.linearPath(m.create(x), m.create(eps), m.create(t));
            double[] xt = tg.xt().toDoubleArray(), v = tg.velocity().toDoubleArray();
            // by hand: row 0 is ε, row 1 is x, row 2 is 0.75 ε + 0.25 x
            assertArrayEquals(new double[] {-1, 0.5, 3, -4, 0.125, 0.75}, xt, 1e-15);
            assertArrayEquals(new double[] {2, 1.5, 1, -6, 0.5, -1}, v, 1e-15);
            // the target is the path's time derivative: x_{t+δ} − x_t = δ·(x − ε)
            double[] later = FlowMatching.linearPath(m.create(x), m.create(eps), m.create(new double[] {0.5, 0.5, 0.5})).xt().toDoubleArray();
            double[] earlier = FlowMatching.linearPath(m.create(x), m.create(eps), m.create(new double[] {0.25, 0.25, 0.25})).xt().toDoubleArray();
            for (int i = 0; i < 6; i++) assertEquals(0.25 * v[i], later[i] - earlier[i], 1e-15);
            assertEquals((1 + 4 + 0 + 0 + 0 + 0) / 6.0, FlowMatching.loss(m.create(new double[][] {{3, 3.5}, {1, -6}, {0.5, -1}}), tg.velocity()).getDouble(), 1e-15);
            assertThrows(IllegalArgumentException.class, () -> FlowMatching.linearPath(m.create(x), m.create(eps), m.create(new double[] {0, 1})));
        }
    }
}
