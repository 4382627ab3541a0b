package org.icaloflow.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MadeTest {
    static {
        FlowTestSupport.singleThreaded();
    }

    static final int P = 5;

    private static Made randomMade(NDManager m, int d, int c, int[] widths, long seed) {
        Made made = new Made(m, d, c, widths, P, DataType.FLOAT64, new Random(seed), 0.5, "t.");
        Random rng = new Random(seed + 1);
        for (NDArray p : made.parameters()) {
            p.set(Made.uniform(rng, (int) p.size(), 0.7));
        }
        return made;
    }

    @Test
    void outputsOfFeatureKDependOnlyOnEarlierInputs() {
        int d = 5;
        int n = 7;
        try (NDManager m = NDManager.newBaseManager()) {
            Made made = randomMade(m, d, 3, new int[] {16, 16, 16}, 11);
            Random rng = new Random(5);
            NDArray x = m.create(FlowTestSupport.gaussian(rng, n * d, 1), new Shape(n, d));
            NDArray c = m.create(FlowTestSupport.gaussian(rng, n * 3, 1), new Shape(n, 3));
            double[] base = made.forward(x, c).toDoubleArray();
            assertEquals(n * d * P, base.length);
            for (int k = 0; k < d; k++) {
                double[] xv = x.toDoubleArray();
                for (int i = 0; i < n; i++) {
                    xv[i * d + k] += 1.0 + rng.nextDouble();
                }
                double[] out = made.forward(m.create(xv, new Shape(n, d)), c).toDoubleArray();
                boolean laterChanged = false;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < d; j++) {
                        for (int p = 0; p < P; p++) {
                            int at = (i * P + p) * d + j;
                            if (j <= k) {
                                assertEquals(base[at], out[at], 0.0,
                                        "feature " + j + " must not depend on input " + k);
                            } else if (Math.abs(base[at] - out[at]) > 1e-9) {
                                laterChanged = true;
                            }
                        }
                    }
                }
                if (k < d - 1) {
                    assertTrue(laterChanged, "perturbing input " + k + " changes later features");
                }
            }
            // the condition changes the outputs
            NDArray c2 = c.add(1.0);
            double[] outC = made.forward(x, c2).toDoubleArray();
            double diff = 0;
            for (int i = 0; i < base.length; i++) {
                diff = Math.max(diff, Math.abs(base[i] - outC[i]));
            }
            assertTrue(diff > 1e-3, "condition changes outputs");
        }
    }

    @Test
    void singleFeatureDependsOnConditionOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Made made = randomMade(m, 1, 2, new int[] {8}, 3);
            NDArray c = m.create(new double[] {0.3, -0.2}, new Shape(1, 2));
            double[] a = made.forward(m.create(new double[] {0.5}, new Shape(1, 1)), c).toDoubleArray();
            double[] b = made.forward(m.create(new double[] {-3.0}, new Shape(1, 1)), c).toDoubleArray();
            assertArrayEquals(a, b, 0.0);
            double[] e = made.forward(m.create(new double[] {0.5}, new Shape(1, 1)), c.mul(-2)).toDoubleArray();
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - e[i]));
            }
            assertTrue(diff > 1e-3);
        }
    }

    @Test
    void featureSliceMatchesFullOutput() {
        int d = 4;
        try (NDManager m = NDManager.newBaseManager()) {
            Made made = randomMade(m, d, 2, new int[] {12, 12}, 21);
            Random rng = new Random(8);
            NDArray x = m.create(FlowTestSupport.gaussian(rng, 3 * d, 1), new Shape(3, d));
            NDArray c = m.create(FlowTestSupport.gaussian(rng, 3 * 2, 1), new Shape(3, 2));
            NDArray full = made.forward(x, c);
            Made.Weights w = made.maskedWeights(m);
            NDArray ct = made.conditionTerm(c, m);
            for (int k = 0; k < d; k++) {
                NDArray one = made.forwardFeature(x, ct, w, k);
                assertEquals(new Shape(3, P, 1), one.getShape());
                assertTrue(FlowTestSupport.maxAbsDiff(one, full.get(":, :, {}:{}", k, k + 1)) < 1e-12);
            }
        }
    }
}
