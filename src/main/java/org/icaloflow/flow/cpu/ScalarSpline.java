package org.icaloflow.flow.cpu;

import org.icaloflow.flow.RationalQuadraticSpline;

/**
 * The {@link RationalQuadraticSpline} evaluated one value at a time in plain Java (double precision), for the
 * sequential direction of a flow in eval mode on the CPU: there each step transforms a single feature of N rows,
 * and some sixty tensor operations (each a JNI call of a few microseconds) would cost far more than the
 * arithmetic. Same parametrisation and formulas as the tensor version; the tensor version stays the reference
 * (and the only differentiable one), and a test checks that both agree.
 */
public final class ScalarSpline {
    // the spline's settings, copied: read for every value
    private final int bins;
    private final double tailBound;
    private final double minBinWidth;
    private final double minBinHeight;
    private final double minDerivative;
    // scratch, one evaluation at a time (instances are not shared between threads)
    private final double[] xRight;
    private final double[] yRight;
    private final double[] widths;
    private final double[] heights;

    public ScalarSpline(RationalQuadraticSpline spline) {
        this.bins = spline.bins();
        this.tailBound = spline.tailBound();
        this.minBinWidth = spline.minBinWidth();
        this.minBinHeight = spline.minBinHeight();
        this.minDerivative = spline.minDerivative();
        this.xRight = new double[spline.bins()];
        this.yRight = new double[spline.bins()];
        this.widths = new double[spline.bins()];
        this.heights = new double[spline.bins()];
    }

    /**
     * Transforms {@code v} with the raw parameters {@code p[offset + j·stride]}, j = 0..3K−2 (widths, heights,
     * interior derivatives). Forward: y = s(v); inverse: x = s⁻¹(v). Writes the result to {@code result[0]} and
     * log|ds/dx| at the point (forward orientation in both directions) to {@code result[1]}.
     */
    public void apply(double v, double[] p, int offset, int stride, boolean inverse, double[] result) {
        final int k = bins;
        final double b = tailBound;
        if (!(v >= -b && v <= b)) {
            result[0] = v;
            result[1] = 0;
            return;
        }
        sizes(p, offset, stride, 0, minBinWidth, widths, xRight);
        sizes(p, offset, stride, k, minBinHeight, heights, yRight);
        double[] knots = inverse ? yRight : xRight;
        int idx = 0;
        for (int i = 0; i < k - 1; i++) {
            if (v >= knots[i]) {
                idx++;
            }
        }
        double wk = widths[idx];
        double hk = heights[idx];
        double xk = xRight[idx] - wk;
        double yk = yRight[idx] - hk;
        double dk = idx == 0 ? 1 : derivative(p[offset + (2 * k + idx - 1) * stride]);
        double dk1 = idx == k - 1 ? 1 : derivative(p[offset + (2 * k + idx) * stride]);
        double slope = hk / wk;
        double sumD = dk1 + dk - 2 * slope;
        double theta;
        double out;
        if (!inverse) {
            theta = clip01((v - xk) / wk);
        } else {
            double dy = v - yk;
            double a = hk * (slope - dk) + dy * sumD;
            double bb = hk * dk - dy * sumD;
            double c = -slope * dy;
            double disc = Math.max(0, bb * bb - 4 * a * c);
            theta = clip01(2 * c / (-bb - Math.sqrt(disc)));
        }
        double oneMinus = 1 - theta;
        double tom = theta * oneMinus;
        double denom = slope + sumD * tom;
        if (!inverse) {
            out = yk + hk * (slope * theta * theta + dk * tom) / denom;
        } else {
            out = theta * wk + xk;
        }
        double inner = dk1 * theta * theta + 2 * slope * tom + dk * oneMinus * oneMinus;
        result[0] = out;
        result[1] = 2 * (Math.log(slope) - Math.log(denom)) + Math.log(inner);
    }

    /** Bin sizes min + (1 − min·K)·softmax scaled to 2B, and the right knots (cumulative sums − B). */
    private void sizes(double[] p, int offset, int stride, int first, double min, double[] size, double[] right) {
        final int k = bins;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            max = Math.max(max, p[offset + (first + i) * stride]);
        }
        double sum = 0;
        for (int i = 0; i < k; i++) {
            double e = Math.exp(p[offset + (first + i) * stride] - max);
            size[i] = e;
            sum += e;
        }
        double scale = (1 - min * k) * 2 * tailBound / sum;
        double cum = -tailBound;
        for (int i = 0; i < k; i++) {
            size[i] = size[i] * scale + min * 2 * tailBound;
            cum += size[i];
            right[i] = cum;
        }
    }

    private double derivative(double raw) {
        double softplus = raw > 20 ? raw : Math.log1p(Math.exp(raw)); // torch's threshold 20
        return minDerivative + softplus;
    }

    private static double clip01(double v) {
        return v < 0 ? 0 : (v > 1 ? 1 : v);
    }
}
