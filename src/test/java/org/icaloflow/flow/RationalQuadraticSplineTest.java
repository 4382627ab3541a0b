package org.icaloflow.flow;

import org.icaloflow.flow.cpu.ScalarSpline;
import org.icaloflow.flow.cpu.SplineInverseKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RationalQuadraticSplineTest {
    static {
        FlowTestSupport.singleThreaded();
    }

    static NDManager manager;
    static final int K = 8;
    static final double B = 14;
    static final RationalQuadraticSpline SPLINE = new RationalQuadraticSpline(K, B, 1e-6, 1e-6, 1e-6);
    static final int N = 400;
    static final int D = 3;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    private NDArray arr(double[] v, Shape s, DataType t) {
        NDArray a = manager.create(v, s);
        return t == DataType.FLOAT64 ? a : a.toType(DataType.FLOAT32, false);
    }

    private double[] uniform(Random rng, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * rng.nextDouble();
        }
        return v;
    }

    /**
     * Zero widths and heights with interior raw derivatives log(e^{1−minD} − 1) give the identity. (Before nflows'
     * derivative transform, minD + softplus(u), all-zero parameters did; the values of all-zero parameters are now
     * checked against nflows in {@link #matchesNflowsReference}.)
     */
    @Test
    void identityParametersGiveIdentity() {
        try (NDManager m = manager.newSubManager()) {
            Random rng = new Random(1);
            NDArray x = m.create(uniform(rng, N * D, -13.9, 13.9), new Shape(N, D));
            double[] raw = new double[N * (3 * K - 1) * D];
            for (int i = 0; i < N; i++) {
                for (int j = 2 * K; j < 3 * K - 1; j++) {
                    for (int f = 0; f < D; f++) {
                        raw[(i * (3 * K - 1) + j) * D + f] = Math.log(Math.expm1(1 - 1e-6));
                    }
                }
            }
            assertEquals(Math.log(Math.expm1(1 - 1e-6)), SPLINE.identityRawDerivative(), 1e-15);
            NDArray p = m.create(raw, new Shape(N, 3 * K - 1, D));
            RationalQuadraticSpline.Result r = SPLINE.forward(x, p);
            assertTrue(FlowTestSupport.maxAbsDiff(r.outputs(), x) < 1e-9, "identity");
            assertTrue(r.logAbsDet().abs().max().getDouble() < 1e-9, "log-det 0");
            RationalQuadraticSpline.Result inv = SPLINE.inverse(x, p);
            assertTrue(FlowTestSupport.maxAbsDiff(inv.outputs(), x) < 1e-9, "inverse identity");
        }
    }

    /**
     * Values and log-dets of nflows 0.14's spline with the authors' settings, from the committed numpy re-derivation
     * (resources nflows_rqs_reference.py / .csv): tensor spline both ways, the Java scalar spline and the CPU
     * sampling kernel.
     */
    @Test
    void matchesNflowsReference() throws Exception {
        java.util.List<double[]> rows = new java.util.ArrayList<>();
        java.util.List<Boolean> inverse = new java.util.ArrayList<>();
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                RationalQuadraticSplineTest.class.getResourceAsStream("nflows_rqs_reference.csv"),
                java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(",");
                double[] v = new double[f.length - 1];
                for (int i = 1; i < f.length; i++) {
                    v[i - 1] = Double.parseDouble(f[i]);
                }
                rows.add(v);
                inverse.add(f[0].equals("i"));
            }
        }
        int p = 3 * K - 1;
        assertTrue(rows.size() >= 90, "reference rows");
        ScalarSpline scalar = new ScalarSpline(SPLINE);
        double[] res = new double[2];
        int outsideSeen = 0;
        try (NDManager m = manager.newSubManager()) {
            for (int i = 0; i < rows.size(); i++) {
                double[] v = rows.get(i);
                double[] raw = java.util.Arrays.copyOfRange(v, 1, 1 + p);
                NDArray in = m.create(new double[] {v[0]}, new Shape(1, 1));
                NDArray params = m.create(raw, new Shape(1, p, 1));
                boolean inv = inverse.get(i);
                RationalQuadraticSpline.Result t = inv ? SPLINE.inverse(in, params) : SPLINE.forward(in, params);
                assertEquals(v[1 + p], t.outputs().getDouble(0, 0), 1e-10, "tensor value, row " + i);
                assertEquals(v[2 + p], t.logAbsDet().getDouble(0, 0), 1e-9, "tensor log-det, row " + i);
                scalar.apply(v[0], raw, 0, 1, inv, res);
                assertEquals(v[1 + p], res[0], 1e-10, "scalar value, row " + i);
                assertEquals(v[2 + p], inv ? -res[1] : res[1], 1e-9, "scalar log-det, row " + i);
                if (inv) {
                    assertEquals(v[1 + p], SplineInverseKernel.inverseValues(SPLINE, in, params, 1).getDouble(0, 0),
                            1e-10, "kernel value, row " + i);
                }
                outsideSeen += Math.abs(v[0]) > B ? 1 : 0;
            }
        }
        assertTrue(outsideSeen > 0 && outsideSeen < rows.size() / 2, "some rows in the tails, most inside");
    }

    private void roundTrip(DataType t, double tol, double sigma) {
        try (NDManager m = manager.newSubManager()) {
            Random rng = new Random(2);
            NDArray x = arr(uniform(rng, N * D, -16, 16), new Shape(N, D), t);
            NDArray p = arr(FlowTestSupport.gaussian(rng, N * D * (3 * K - 1), sigma), new Shape(N, 3 * K - 1, D), t);
            RationalQuadraticSpline.Result f = SPLINE.forward(x, p);
            assertEquals(t, f.outputs().getDataType());
            assertEquals(t, f.logAbsDet().getDataType());
            assertTrue(FlowTestSupport.maxAbsDiff(f.outputs(), x) > 0.1, "non-trivial spline");
            RationalQuadraticSpline.Result b = SPLINE.inverse(f.outputs(), p);
            assertEquals(t, b.outputs().getDataType());
            double err = FlowTestSupport.maxAbsDiff(b.outputs(), x);
            assertTrue(err < tol, "inverse(forward(x)) = x, error " + err);
            double ldErr = f.logAbsDet().add(b.logAbsDet()).abs().max().toType(DataType.FLOAT64, false).getDouble();
            assertTrue(ldErr < tol, "log-dets cancel, error " + ldErr);
        }
    }

    @Test
    void roundTripFloat64() {
        roundTrip(DataType.FLOAT64, 1e-9, 1.5);
    }

    /** The scalar Java spline (eval-mode sequential steps) computes what the tensor spline computes. */
    @Test
    void scalarSplineAgreesWithTensorSpline() {
        try (NDManager m = manager.newSubManager()) {
            Random rng = new Random(11);
            int p = 3 * K - 1;
            double[] xs = uniform(rng, N * D, -15, 15); // some outside [-B, B]
            double[] ps = FlowTestSupport.gaussian(rng, N * p * D, 1.5);
            NDArray x = m.create(xs, new Shape(N, D));
            NDArray params = m.create(ps, new Shape(N, p, D));
            ScalarSpline scalar = new ScalarSpline(SPLINE);
            double[] res = new double[2];
            for (boolean inverse : new boolean[] {false, true}) {
                RationalQuadraticSpline.Result r = inverse ? SPLINE.inverse(x, params) : SPLINE.forward(x, params);
                double[] out = r.outputs().toDoubleArray();
                double[] ld = r.logAbsDet().toDoubleArray();
                for (int i = 0; i < N; i++) {
                    for (int k = 0; k < D; k++) {
                        scalar.apply(xs[i * D + k], ps, i * p * D + k, D, inverse, res);
                        assertEquals(out[i * D + k], res[0], 1e-9, "value " + i + "," + k);
                        // the scalar log-det is oriented forward in both directions
                        assertEquals(ld[i * D + k], inverse ? -res[1] : res[1], 1e-8, "log-det " + i + "," + k);
                    }
                }
            }
        }
    }

    /** The CPU sampling kernel (softmaxes in libtorch, the rest in Java) inverts as the tensor spline does. */
    @Test
    void inverseKernelAgreesWithTensorSpline() {
        try (NDManager m = manager.newSubManager()) {
            Random rng = new Random(12);
            int p = 3 * K - 1;
            double[] ys = uniform(rng, N * D, -15, 15); // some outside [-B, B]: identity tails
            double[] ps = FlowTestSupport.gaussian(rng, N * p * D, 1.5);
            // extremes the kernel handles apart: width logits whose exponentials overflow float32, height logits
            // that all underflow, derivative arguments in softplus's linear range
            for (int i = 0; i < N; i++) {
                for (int f = 0; f < D; f++) {
                    for (int j = 0; j < p; j++) {
                        int at = (i * p + j) * D + f;
                        if (i % 7 == 0 && j < K) {
                            ps[at] += 95;
                        } else if (i % 11 == 0 && j >= K && j < 2 * K) {
                            ps[at] -= 120;
                        } else if (i % 5 == 0 && j >= 2 * K) {
                            ps[at] += 25;
                        }
                    }
                }
            }
            for (DataType t : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                NDArray y = m.create(ys, new Shape(N, D)).toType(t, false);
                NDArray params = m.create(ps, new Shape(N, p, D)).toType(t, false);
                double[] expected = SPLINE.inverseValues(y, params).toType(DataType.FLOAT64, false).toDoubleArray();
                NDArray x = SplineInverseKernel.inverseValues(SPLINE, y, params);
                assertEquals(t, x.getDataType());
                assertEquals(new Shape(N, D), x.getShape());
                double[] got = x.toType(DataType.FLOAT64, false).toDoubleArray();
                double tol = t == DataType.FLOAT64 ? 1e-9 : 1e-3;
                for (int i = 0; i < N * D; i++) {
                    assertEquals(expected[i], got[i], tol, t + " value " + i);
                    if (Math.abs(ys[i]) > B) {
                        assertEquals(t == DataType.FLOAT64 ? ys[i] : (float) ys[i], got[i], 0, "tail " + i);
                    }
                }
                // and it reads a non-contiguous view of the MADE outputs as the same values
                NDArray wide = m.create(ps, new Shape(N, p, D)).toType(t, false).repeat(2, 2);
                NDArray view = wide.get(":, :, ::2");
                double[] fromView = SplineInverseKernel.inverseValues(SPLINE, y, view).toType(DataType.FLOAT64, false)
                        .toDoubleArray();
                org.junit.jupiter.api.Assertions.assertArrayEquals(got, fromView, 0);
            }
        }
    }

    /** The kernel's Java loop on several threads (row blocks) gives exactly the one-thread values. */
    @Test
    void inverseKernelOnSeveralThreadsGivesTheSameValues() {
        try (NDManager m = manager.newSubManager()) {
            Random rng = new Random(13);
            int n = 3000;
            int d = 8;
            int p = 3 * K - 1;
            NDArray y = m.create(uniform(rng, n * d, -15, 15), new Shape(n, d)).toType(DataType.FLOAT32, false);
            NDArray params = m.create(FlowTestSupport.gaussian(rng, n * p * d, 1.5), new Shape(n, p, d))
                    .toType(DataType.FLOAT32, false);
            assertTrue((long) n * d >= 3 * SplineInverseKernel.PARALLEL_GRAIN, "enough values for three blocks");
            float[] one = SplineInverseKernel.inverseValues(SPLINE, y, params, 1).toFloatArray();
            float[] three = SplineInverseKernel.inverseValues(SPLINE, y, params, 3).toFloatArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(one, three, 0f);
        }
    }

    @Test
    void roundTripFloat32() {
        roundTrip(DataType.FLOAT32, 1e-4, 0.5);
    }

    @Test
    void logDetMatchesFiniteDifference() {
        try (NDManager m = manager.newSubManager()) {
            Random rng = new Random(3);
            double h = 1e-6;
            double[] xs = uniform(rng, N * D, -13.5, 13.5);
            double[] p = FlowTestSupport.gaussian(rng, N * D * (3 * K - 1), 1.5);
            NDArray params = m.create(p, new Shape(N, 3 * K - 1, D));
            NDArray x = m.create(xs, new Shape(N, D));
            RationalQuadraticSpline.Result r = SPLINE.forward(x, params);
            double[] yp = SPLINE.forward(x.add(h), params).outputs().toDoubleArray();
            double[] ym = SPLINE.forward(x.sub(h), params).outputs().toDoubleArray();
            double[] ld = r.logAbsDet().toDoubleArray();
            double worst = 0;
            for (int i = 0; i < ld.length; i++) {
                worst = Math.max(worst, fdError((yp[i] - ym[i]) / (2 * h), ld[i]));
            }
            assertTrue(worst < 1e-5, "log-det vs finite difference, worst " + worst);
            // and for the inverse
            RationalQuadraticSpline.Result ri = SPLINE.inverse(x, params);
            double[] xp = SPLINE.inverse(x.add(h), params).outputs().toDoubleArray();
            double[] xm = SPLINE.inverse(x.sub(h), params).outputs().toDoubleArray();
            double[] ldi = ri.logAbsDet().toDoubleArray();
            worst = 0;
            for (int i = 0; i < ldi.length; i++) {
                worst = Math.max(worst, fdError((xp[i] - xm[i]) / (2 * h), ldi[i]));
            }
            assertTrue(worst < 1e-5, "inverse log-det vs finite difference, worst " + worst);
        }
    }

    /**
     * Error of a log-det against a central-difference derivative: the log difference where the derivative
     * is not tiny (rounding makes the log of tiny differences meaningless), else the absolute difference
     * of derivatives (rounding error about 1e-16 * 14 / h).
     */
    private static double fdError(double fdDerivative, double logDet) {
        double d = Math.exp(logDet);
        if (d > 1e-2) {
            return Math.abs(Math.log(fdDerivative) - logDet);
        }
        return Math.abs(fdDerivative - d) * 10;
    }

    @Test
    void tailsAreIdentity() {
        try (NDManager m = manager.newSubManager()) {
            Random rng = new Random(4);
            double[] xs = {-14.000001, 14.5, -100, 1e6, -15, 20};
            NDArray x = m.create(xs, new Shape(2, 3));
            NDArray p = m.create(FlowTestSupport.gaussian(rng, 6 * (3 * K - 1), 2), new Shape(2, 3 * K - 1, 3));
            for (RationalQuadraticSpline.Result r : new RationalQuadraticSpline.Result[] {
                    SPLINE.forward(x, p), SPLINE.inverse(x, p)}) {
                double[] y = r.outputs().toDoubleArray();
                double[] ld = r.logAbsDet().toDoubleArray();
                for (int i = 0; i < xs.length; i++) {
                    assertEquals(xs[i], y[i], 0.0, "tail value passes through");
                    assertEquals(0.0, ld[i], 0.0, "tail log-det 0");
                }
            }
            // the boundary is continuous: just inside maps to just inside
            NDArray edge = m.create(new double[] {-14 + 1e-9, 14 - 1e-9}, new Shape(1, 2));
            NDArray pe = m.create(FlowTestSupport.gaussian(rng, 2 * (3 * K - 1), 2), new Shape(1, 3 * K - 1, 2));
            double[] ye = SPLINE.forward(edge, pe).outputs().toDoubleArray();
            assertEquals(-14, ye[0], 1e-6);
            assertEquals(14, ye[1], 1e-6);
        }
    }

    /**
     * Gradients with respect to the raw parameters (what training backpropagates through the bin sizes, knots and
     * derivatives, gathered per bin) against central differences of outputs and log|det|, forward and inverse, in
     * float64.
     */
    @Test
    void parameterGradientsMatchFiniteDifferences() {
        int n = 5;
        int d = 2;
        int pk = 3 * K - 1;
        for (boolean inverse : new boolean[] {false, true}) {
            try (NDManager m = manager.newSubManager()) {
                Random rng = new Random(inverse ? 8 : 7);
                double[] xs = uniform(rng, n * d, -13, 13);
                double[] p = FlowTestSupport.gaussian(rng, n * pk * d, 1.5);
                double[] a = FlowTestSupport.gaussian(rng, n * d, 1);
                double[] bw = FlowTestSupport.gaussian(rng, n * d, 1);
                NDArray x = m.create(xs, new Shape(n, d));
                NDArray wa = m.create(a, new Shape(n, d));
                NDArray wb = m.create(bw, new Shape(n, d));
                NDArray params = m.create(p, new Shape(n, pk, d));
                params.setRequiresGradient(true);
                try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    RationalQuadraticSpline.Result r = inverse ? SPLINE.inverse(x, params) : SPLINE.forward(x, params);
                    gc.backward(r.outputs().mul(wa).add(r.logAbsDet().mul(wb)).sum());
                }
                double[] grad = params.getGradient().toDoubleArray();
                double h = 1e-6;
                double worst = 0;
                for (int e = 0; e < p.length; e++) {
                    double[] pp = p.clone();
                    pp[e] += h;
                    double lp = objective(m, x, pp, wa, wb, n, pk, d, inverse);
                    pp[e] -= 2 * h;
                    double lm = objective(m, x, pp, wa, wb, n, pk, d, inverse);
                    worst = Math.max(worst, Math.abs((lp - lm) / (2 * h) - grad[e]) / (1 + Math.abs(grad[e])));
                }
                assertTrue(worst < 1e-6, (inverse ? "inverse" : "forward") + " parameter gradient vs finite difference, worst " + worst);
            }
        }
    }

    private static double objective(NDManager m, NDArray x, double[] p, NDArray wa, NDArray wb, int n, int pk, int d,
                                    boolean inverse) {
        try (NDManager s = m.newSubManager()) {
            NDArray params = s.create(p, new Shape(n, pk, d));
            RationalQuadraticSpline.Result r = inverse ? SPLINE.inverse(x, params) : SPLINE.forward(x, params);
            return r.outputs().mul(wa).add(r.logAbsDet().mul(wb)).sum().getDouble();
        }
    }
}
