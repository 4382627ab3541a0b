package org.icaloflow.flow.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.flow.FlowSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The all-Java sequential step for small float32 batches against the differentiable tensor path (eval mode off),
 * for both kinds (MAF sampling and IAF density are the sequential directions), one and two hidden layers, with
 * and without a condition; and a batch above the threshold does not take it.
 */
class SmallBatchSequentialTest {

    static void randomize(Flow flow, long seed) {
        Random r = new Random(seed);
        for (NDArray p : flow.parameters()) {
            float[] v = new float[(int) p.size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) ((2 * r.nextDouble() - 1) * 0.4);
            p.set(v);
        }
        flow.markParametersChanged();
    }

    static double maxAbsDiff(NDArray a, NDArray b) {
        return a.toType(DataType.FLOAT64, false).sub(b.toType(DataType.FLOAT64, false)).abs().max().getDouble();
    }

    @ParameterizedTest
    @EnumSource(FlowKind.class)
    void javaStepsMatchTheTensorPath(FlowKind kind) {
        int d = 7;
        for (int hidden : new int[] {1, 2}) {
            for (int cond : new int[] {0, 3}) {
                try (NDManager m = NDManager.newBaseManager();
                        Flow flow = Flow.create(new FlowSpec(kind, d, cond, hidden, 24, 3, 8, 6.0, 5L + hidden, 1e-6, 1e-6, 1e-6),
                                m, DataType.FLOAT32)) {
                    randomize(flow, 17 + hidden + cond);
                    Random rng = new Random(3);
                    for (int n : new int[] {1, 4, 300}) {
                        NDArray c = cond == 0 ? null : gaussian(m, rng, n, cond, 1);
                        NDArray z = gaussian(m, rng, n, d, 1.5);
                        flow.setEvalMode(false);
                        NDArray x0 = flow.inverse(z, c).x();
                        NDArray lp0 = flow.forward(x0, c).logProb();
                        flow.setEvalMode(true);
                        long before = SmallBatchSequential.RUNS.get();
                        NDArray x1 = flow.inverse(z, c).x();
                        NDArray lp1 = flow.forward(x0, c).logProb();
                        NDArray s1 = flow.sampleFrom(z, c);
                        long runs = SmallBatchSequential.RUNS.get() - before;
                        String what = kind + " hidden " + hidden + " cond " + cond + " n " + n;
                        // 3 blocks, one sequential direction per pass: inverse and sampling (MAF) or forward (IAF)
                        assertEquals(n == 300 ? 0 : (kind == FlowKind.MAF ? 6 : 3), runs, what + ": Java passes");
                        assertTrue(maxAbsDiff(x0, x1) < 2e-4, what + ": x " + maxAbsDiff(x0, x1));
                        assertTrue(maxAbsDiff(x0, s1) < 2e-4, what + ": sample " + maxAbsDiff(x0, s1));
                        assertTrue(maxAbsDiff(lp0, lp1) < 2e-3, what + ": log p " + maxAbsDiff(lp0, lp1));
                    }
                    flow.setEvalMode(false);
                }
            }
        }
    }

    private static NDArray gaussian(NDManager m, Random rng, int n, int d, double sd) {
        float[] v = new float[n * d];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * sd);
        return m.create(v, new Shape(n, d));
    }
}
