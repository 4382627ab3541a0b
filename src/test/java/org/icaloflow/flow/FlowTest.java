package org.icaloflow.flow;

import org.icaloflow.flow.cpu.CpuKernels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class FlowTest {
    static {
        FlowTestSupport.singleThreaded();
    }

    static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(1234);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    private static FlowSpec spec(FlowKind kind, int dim, int cond, int blocks, long seed) {
        return new FlowSpec(kind, dim, cond, 2, 16, blocks, 8, 6.0, seed, 1e-6, 1e-6, 1e-6);
    }

    /** Every kind on both eval-mode paths: the CPU kernels (auto) and the tensor code a CUDA device runs. */
    @ParameterizedTest
    @CsvSource({"MAF, AUTO", "MAF, TENSOR", "IAF, AUTO", "IAF, TENSOR"})
    void sampleThenDensityRoundTrips(FlowKind kind, EvalKernels.Choice path) {
        int d = 5;
        int n = 64;
        try (EvalKernels.Selection selected = EvalKernels.select(path);
                NDManager m = manager.newSubManager();
                Flow flow = Flow.create(spec(kind, d, 2, 4, 7), m, DataType.FLOAT64)) {
            FlowTestSupport.randomize(flow, 17, 0.4);
            Random rng = new Random(3);
            NDArray c = m.create(FlowTestSupport.gaussian(rng, n * 2, 1), new Shape(n, 2));
            Trace s = flow.sample(m, n, c);
            assertEquals(new Shape(n, d), s.x().getShape());
            assertEquals(4, s.blocks().size());
            assertEquals(new Shape(n, 23, d), s.blocks().get(0).params().getShape());
            assertTrue(FlowTestSupport.maxAbsDiff(s.x(), s.z()) > 0.05, "non-trivial flow");
            Trace f = flow.forward(s.x(), c);
            assertTrue(FlowTestSupport.maxAbsDiff(f.z(), s.z()) < 1e-9, "forward(inverse(z)) = z");
            assertTrue(FlowTestSupport.maxAbsDiff(f.logProb(), s.logProb()) < 1e-8, "log-prob of the sample");
            for (int i = 0; i < 4; i++) {
                Trace.Block a = f.blocks().get(i);
                Trace.Block b = s.blocks().get(i);
                assertTrue(FlowTestSupport.maxAbsDiff(a.input(), b.input()) < 1e-9);
                assertTrue(FlowTestSupport.maxAbsDiff(a.output(), b.output()) < 1e-9);
                assertTrue(FlowTestSupport.maxAbsDiff(a.params(), b.params()) < 1e-8, "MADE outputs of block " + i);
                assertTrue(FlowTestSupport.maxAbsDiff(a.logDet(), b.logDet()) < 1e-8);
            }
            Trace back = flow.inverse(f.z(), c);
            assertTrue(FlowTestSupport.maxAbsDiff(back.x(), s.x()) < 1e-9, "inverse(forward(x)) = x");
            assertTrue(FlowTestSupport.maxAbsDiff(flow.sampleFrom(f.z(), c), back.x()) < 1e-12, "sampleFrom");
            // in row chunks (bounded temporaries): the same rows, in order
            assertTrue(FlowTestSupport.maxAbsDiff(flow.sampleFrom(f.z(), c, 10), back.x()) < 1e-12, "sampleFrom chunks");
            // eval mode (cached masked weights; with auto the sequential direction runs its spline in Java on the
            // CPU, with tensor as on a CUDA device) gives the same numbers, in both directions and block by block
            flow.setEvalMode(true);
            Trace e = flow.forward(s.x(), c);
            Trace eb = flow.inverse(f.z(), c);
            assertTrue(FlowTestSupport.maxAbsDiff(e.logProb(), f.logProb()) < 1e-10);
            assertTrue(FlowTestSupport.maxAbsDiff(eb.x(), back.x()) < 1e-10);
            assertTrue(FlowTestSupport.maxAbsDiff(eb.logProb(), back.logProb()) < 1e-10);
            // the sampling shortcut (no trace, no log-dets) gives the same x
            assertTrue(FlowTestSupport.maxAbsDiff(flow.sampleFrom(f.z(), c), back.x()) < 1e-10, "sampleFrom, eval");
            for (int i = 0; i < 4; i++) {
                for (Trace[] pair : new Trace[][] {{e, f}, {eb, back}}) {
                    Trace.Block a = pair[0].blocks().get(i);
                    Trace.Block b = pair[1].blocks().get(i);
                    assertTrue(FlowTestSupport.maxAbsDiff(a.output(), b.output()) < 1e-10);
                    assertTrue(FlowTestSupport.maxAbsDiff(a.params(), b.params()) < 1e-10, "eval MADE outputs " + i);
                    assertTrue(FlowTestSupport.maxAbsDiff(a.logDet(), b.logDet()) < 1e-10, "eval log-det " + i);
                }
            }
            flow.setEvalMode(false);
        }
    }

    /**
     * With several libtorch threads, eval-mode passes run their Java spline loops in row blocks on several threads:
     * same values as on one thread (the sequential direction of both kinds, and IAF sampling).
     */
    @ParameterizedTest
    @EnumSource(FlowKind.class)
    void evalPassesGiveTheSameValuesOnSeveralThreads(FlowKind kind) {
        int d = 5;
        int n = 3 * CpuKernels.SEQUENTIAL_ROW_GRAIN + 17; // three row blocks of the sequential direction
        try (NDManager m = manager.newSubManager();
                Flow flow = Flow.create(spec(kind, d, 2, 4, 8), m, DataType.FLOAT64)) {
            FlowTestSupport.randomize(flow, 23, 0.4);
            flow.setEvalMode(true);
            Random rng = new Random(4);
            NDArray c = m.create(FlowTestSupport.gaussian(rng, n * 2, 1), new Shape(n, 2));
            NDArray z = m.create(FlowTestSupport.gaussian(rng, n * d, 1.5), new Shape(n, d));
            int before = ai.djl.pytorch.jni.JniUtils.getNumThreads();
            NDArray[] got = new NDArray[6];
            for (int t : new int[] {1, 3}) {
                ai.djl.pytorch.jni.JniUtils.setNumThreads(t);
                try {
                    Trace back = flow.inverse(z, c);
                    Trace fwd = flow.forward(back.x(), c);
                    int o = t == 1 ? 0 : 3;
                    got[o] = back.x();
                    got[o + 1] = fwd.logProb();
                    got[o + 2] = flow.sampleFrom(z, c);
                } finally {
                    ai.djl.pytorch.jni.JniUtils.setNumThreads(before);
                }
            }
            for (int i = 0; i < 3; i++) {
                assertTrue(FlowTestSupport.maxAbsDiff(got[i], got[i + 3]) < 1e-12, kind + " value " + i);
            }
            flow.setEvalMode(false);
        }
    }

    @ParameterizedTest
    @EnumSource(FlowKind.class)
    void logDetMatchesNumericalJacobian(FlowKind kind) {
        int d = 4;
        int c = 2;
        double h = 1e-6;
        try (NDManager m = manager.newSubManager();
                Flow flow = Flow.create(spec(kind, d, c, 3, 9), m, DataType.FLOAT64)) {
            FlowTestSupport.randomize(flow, 19, 0.4);
            Random rng = new Random(5);
            for (int trial = 0; trial < 3; trial++) {
                double[] x0 = FlowTestSupport.gaussian(rng, d, 1.5);
                double[] c0 = FlowTestSupport.gaussian(rng, c, 1);
                // rows: x0, then x0 ± h e_j
                double[] xs = new double[(2 * d + 1) * d];
                double[] cs = new double[(2 * d + 1) * c];
                for (int r = 0; r < 2 * d + 1; r++) {
                    System.arraycopy(x0, 0, xs, r * d, d);
                    System.arraycopy(c0, 0, cs, r * c, c);
                }
                for (int j = 0; j < d; j++) {
                    xs[(1 + 2 * j) * d + j] += h;
                    xs[(2 + 2 * j) * d + j] -= h;
                }
                Trace t = flow.forward(m.create(xs, new Shape(2 * d + 1, d)), m.create(cs, new Shape(2 * d + 1, c)));
                double[] z = t.z().toDoubleArray();
                double[][] jac = new double[d][d];
                for (int j = 0; j < d; j++) {
                    for (int i = 0; i < d; i++) {
                        jac[i][j] = (z[(1 + 2 * j) * d + i] - z[(2 + 2 * j) * d + i]) / (2 * h);
                    }
                }
                double expected = FlowTestSupport.logAbsDet(jac);
                double got = t.logDet().toDoubleArray()[0];
                assertEquals(expected, got, 1e-5, "log|det J| (trial " + trial + ")");
                double offIdentity = 0;
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        offIdentity = Math.max(offIdentity, Math.abs(jac[i][j] - (i == j ? 1 : 0)));
                    }
                }
                assertTrue(offIdentity > 1e-2, "non-trivial Jacobian");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(FlowKind.class)
    void densityIntegratesToOneIn1D(FlowKind kind) {
        try (NDManager m = manager.newSubManager();
                Flow flow = Flow.create(spec(kind, 1, 1, 3, 4), m, DataType.FLOAT64)) {
            FlowTestSupport.randomize(flow, 23, 0.5);
            double lo = -12;
            double step = 1e-3;
            int n = 24001;
            double[] xs = new double[n];
            for (int i = 0; i < n; i++) {
                xs[i] = lo + i * step;
            }
            NDArray x = m.create(xs, new Shape(n, 1));
            NDArray c = m.full(new Shape(n, 1), 0.7f, DataType.FLOAT64);
            double[] lp = flow.logProb(x, c).toDoubleArray();
            double sum = 0;
            double maxDev = 0;
            for (int i = 0; i < n; i++) {
                double w = (i == 0 || i == n - 1) ? 0.5 : 1;
                sum += w * Math.exp(lp[i]) * step;
                maxDev = Math.max(maxDev, Math.abs(lp[i] - (-0.5 * xs[i] * xs[i] - 0.5 * Math.log(2 * Math.PI))));
            }
            assertTrue(maxDev > 0.1, "density differs from the base");
            assertEquals(1.0, sum, 1e-2, "1-D density integrates to 1");
        }
    }

    @ParameterizedTest
    @EnumSource(FlowKind.class)
    void densityIntegratesToOneIn2D(FlowKind kind) {
        try (NDManager m = manager.newSubManager();
                Flow flow = Flow.create(spec(kind, 2, 1, 3, 5), m, DataType.FLOAT64)) {
            FlowTestSupport.randomize(flow, 29, 0.5);
            double lo = -7;
            double step = 0.05;
            int g = 281;
            double[] xs = new double[g * g * 2];
            for (int i = 0; i < g; i++) {
                for (int j = 0; j < g; j++) {
                    xs[(i * g + j) * 2] = lo + i * step;
                    xs[(i * g + j) * 2 + 1] = lo + j * step;
                }
            }
            double sum = 0;
            int chunk = g * 16;
            for (int from = 0; from < g * g; from += chunk) {
                int len = Math.min(chunk, g * g - from);
                try (NDManager sm = m.newSubManager()) {
                    double[] part = java.util.Arrays.copyOfRange(xs, 2 * from, 2 * (from + len));
                    NDArray x = sm.create(part, new Shape(len, 2));
                    NDArray c = sm.full(new Shape(len, 1), -0.4f, DataType.FLOAT64);
                    for (double v : flow.logProb(x, c).toDoubleArray()) {
                        sum += Math.exp(v) * step * step;
                    }
                }
            }
            assertEquals(1.0, sum, 1e-2, "2-D density integrates to 1");
        }
    }
}
