package org.icaloflow.nn;

import java.util.random.RandomGenerator;

/**
 * Weight initialisation drawn from a Java RNG, so that a seed gives the same network on every device (libtorch's
 * generator differs between CPU and CUDA). Shared by the flows' MADE and the classifier's MLP.
 */
public final class Init {
    private Init() {
    }

    /**
     * Half-width of torch's {@code nn.Linear} default initialisation, U(±1/√fan_in) for weights and biases
     * ({@code kaiming_uniform_} with a = √5 comes to the same bound).
     */
    public static double linearBound(int fanIn) {
        return 1 / Math.sqrt(fanIn);
    }

    /** n values uniform in (−bound, bound), drawn in order from {@code rng}. */
    public static double[] uniform(RandomGenerator rng, int n, double bound) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (2 * rng.nextDouble() - 1) * bound;
        }
        return v;
    }

    /** The values rounded to float32. */
    public static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
