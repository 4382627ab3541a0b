package org.icaloflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.icaloflow.nn.Init;
import org.icaloflow.nn.OutputInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The transform contract (nflows' base.py): inverse undoes forward, and its log|det| is forward's negated. */
class TransformTest {
    static {
        FlowTestSupport.singleThreaded();
    }

    private static final int D = 4;
    private static final int C = 2;
    private static final int N = 32;
    private static final RationalQuadraticSpline SPLINE = new RationalQuadraticSpline(8, 5.0, 1e-6, 1e-6, 1e-6);

    /** A block with random (non-identity) parameters. */
    private static AutoregressiveSplineBlock block(NDManager m, FlowKind kind, long seed) {
        Made made = new Made(m, D, C, new int[] {16, 16}, SPLINE.paramsPerFeature(), DataType.FLOAT64, new Random(seed),
                "b.", OutputInit.NFLOWS);
        Random rng = new Random(seed + 1);
        for (NDArray p : made.parameters()) {
            p.set(Init.uniform(rng, (int) p.size(), 0.4));
        }
        return new AutoregressiveSplineBlock(made, SPLINE, kind, m);
    }

    private static NDArray gaussian(NDManager m, Random rng, int n, int d, double sd) {
        return m.create(FlowTestSupport.gaussian(rng, n * d, sd), new Shape(n, d));
    }

    /** Forward then inverse gives x back, the two log|det|s cancel, and the log|det| is not trivially zero. */
    private static void assertRoundTrip(Transform t, NDArray x, NDArray c, double tol) {
        Transform.Result f = t.forward(x, c);
        Transform.Result b = t.inverse(f.outputs(), c);
        assertEquals(new Shape(x.getShape().get(0)), f.logAbsDet().getShape());
        assertTrue(FlowTestSupport.maxAbsDiff(b.outputs(), x) < tol, "inverse(forward(x)) = x");
        assertTrue(f.logAbsDet().add(b.logAbsDet()).abs().max().getDouble() < tol, "log|det|s sum to 0");
        assertTrue(FlowTestSupport.maxAbsDiff(f.outputs(), x) > 1e-2, "a non-trivial map");
        assertTrue(FlowTestSupport.maxAbsDiff(t.inverseOutputs(f.outputs(), c), x) < tol, "inverseOutputs");
    }

    @ParameterizedTest
    @EnumSource(FlowKind.class)
    void autoregressiveBlockRoundTripsInBothModes(FlowKind kind) {
        try (NDManager m = NDManager.newBaseManager()) {
            Random rng = new Random(7);
            NDArray x = gaussian(m, rng, N, D, 1.5);
            NDArray c = gaussian(m, rng, N, C, 1);
            AutoregressiveSplineBlock t = block(m, kind, 11);
            assertTrue(t.forward(x, c).logAbsDet().abs().max().getDouble() > 1e-2, "a non-trivial log|det|");
            assertRoundTrip(t, x, c, 1e-9);
            Transform.Result train = t.forward(x, c);
            // eval mode: cached weights and, on the CPU, the Java kernels for the sequential direction
            t.setEvalMode(true);
            assertRoundTrip(t, x, c, 1e-9);
            Transform.Result eval = t.forward(x, c);
            assertTrue(FlowTestSupport.maxAbsDiff(eval.outputs(), train.outputs()) < 1e-10);
            assertTrue(FlowTestSupport.maxAbsDiff(eval.logAbsDet(), train.logAbsDet()) < 1e-10);
            assertTrue(FlowTestSupport.maxAbsDiff(eval.params(), train.params()) < 1e-10);
            t.setEvalMode(false);
            t.dropCache();
        }
    }

    @Test
    void permutationRoundTripsWithZeroLogDet() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = gaussian(m, new Random(3), N, D, 1);
            Permutation p = new Permutation(new int[] {2, 0, 3, 1}, m);
            Transform.Result f = p.forward(x, null);
            assertEquals(x.getDouble(5, 2), f.outputs().getDouble(5, 0));
            assertEquals(x.getDouble(5, 1), f.outputs().getDouble(5, 3));
            assertEquals(0.0, f.logAbsDet().abs().max().getDouble());
            assertNull(f.params());
            assertEquals(0.0, FlowTestSupport.maxAbsDiff(p.inverse(f.outputs(), null).outputs(), x));
        }
    }

    /** The composite's log|det| is the sum of its parts' applied one by one; its inverse runs them backwards. */
    @Test
    void compositeIsTheCascadeOfItsParts() {
        try (NDManager m = NDManager.newBaseManager()) {
            Random rng = new Random(5);
            NDArray x = gaussian(m, rng, N, D, 1.5);
            NDArray c = gaussian(m, rng, N, C, 1);
            List<Transform> parts = List.of(block(m, FlowKind.MAF, 21), new Permutation(new int[] {3, 2, 1, 0}, m),
                    block(m, FlowKind.IAF, 31));
            CompositeTransform composite = new CompositeTransform(parts);
            NDArray h = x;
            NDArray sum = m.zeros(new Shape(N), DataType.FLOAT64);
            for (Transform t : parts) {
                Transform.Result r = t.forward(h, c);
                sum = sum.add(r.logAbsDet());
                h = r.outputs();
            }
            CompositeTransform.Pass pass = composite.forwardPass(x, c);
            assertTrue(FlowTestSupport.maxAbsDiff(pass.result().outputs(), h) < 1e-12);
            assertTrue(FlowTestSupport.maxAbsDiff(pass.result().logAbsDet(), sum) < 1e-12);
            assertEquals(3, pass.steps().size());
            assertTrue(pass.steps().get(0).input() == x && pass.steps().get(2).transform() == parts.get(2));
            // inverse: the parts' inverses, last first
            CompositeTransform.Pass back = composite.inversePass(h, c);
            assertEquals(parts.get(2), back.steps().get(0).transform());
            assertTrue(FlowTestSupport.maxAbsDiff(back.result().logAbsDet(), sum.neg()) < 1e-9);
            assertRoundTrip(composite, x, c, 1e-9);
            assertEquals(composite.parameters().size(), parts.get(0).parameters().size() + parts.get(2).parameters().size());
        }
    }

    /** A flow is its composite plus the standard-normal base: log p(x) = log N(f(x); 0, I) + log|det|. */
    @Test
    void flowIsCompositePlusStandardNormal() {
        try (NDManager m = NDManager.newBaseManager();
                Flow flow = Flow.create(new FlowSpec(FlowKind.MAF, D, C, 1, 16, 3, 8, 5.0, 3, 1e-6, 1e-6, 1e-6), m,
                        DataType.FLOAT64)) {
            FlowTestSupport.randomize(flow, 9, 0.4);
            Random rng = new Random(6);
            NDArray x = gaussian(m, rng, N, D, 1.5);
            NDArray c = gaussian(m, rng, N, C, 1);
            Transform.Result r = flow.transform().forward(x, c);
            double[] z = r.outputs().toDoubleArray();
            double[] ld = r.logAbsDet().toDoubleArray();
            double[] lp = flow.logProb(x, c).toDoubleArray();
            for (int i = 0; i < N; i++) {
                double base = -0.5 * D * Math.log(2 * Math.PI);
                for (int k = 0; k < D; k++) {
                    base -= 0.5 * z[i * D + k] * z[i * D + k];
                }
                assertEquals(base + ld[i], lp[i], 1e-10, "row " + i);
            }
            assertEquals(5, flow.transform().parts().size(), "3 blocks and 2 permutations");
        }
    }
}
