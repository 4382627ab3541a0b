package org.icaloflow.flow;

import org.icaloflow.nn.Init;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Random;

/** Helpers shared by the flow tests. */
final class FlowTestSupport {
    private FlowTestSupport() {
    }

    /**
     * One intra-op thread for the tests (set before the engine starts): the test machine is shared and
     * oversubscribed OpenMP threads make every small op slow.
     */
    static void singleThreaded() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /** Sets every parameter to uniform(−scale, scale): a non-trivial, non-identity flow. */
    static void randomize(Flow flow, long seed, double scale) {
        Random rng = new Random(seed);
        for (NDArray p : flow.parameters()) {
            double[] v = Init.uniform(rng, (int) p.size(), scale);
            if (p.getDataType() == DataType.FLOAT64) {
                p.set(v);
            } else {
                p.set(Init.toFloat(v));
            }
        }
        flow.markParametersChanged();
    }

    static double[] gaussian(Random rng, int n, double sd) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextGaussian() * sd;
        }
        return v;
    }

    static double maxAbsDiff(NDArray a, NDArray b) {
        return a.toType(DataType.FLOAT64, false).sub(b.toType(DataType.FLOAT64, false)).abs().max().getDouble();
    }

    /** log|det| of a small square matrix (row-major) by Gaussian elimination with partial pivoting. */
    static double logAbsDet(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
        }
        double ld = 0;
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) {
                    piv = r;
                }
            }
            double[] tmp = m[c];
            m[c] = m[piv];
            m[piv] = tmp;
            ld += Math.log(Math.abs(m[c][c]));
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / m[c][c];
                for (int k = c; k < n; k++) {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
        return ld;
    }
}
