package org.icaloflow.evaluate;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class HistogramTest {

    @Test
    void separationPowerIsZeroForIdenticalAndOneForDisjointSamples() {
        Histogram a = new Histogram(Histogram.linspace(0, 10, 11)), b = a.emptyCopy(), c = a.emptyCopy();
        Random r = new Random(1);
        for (int i = 0; i < 1000; i++) {
            double x = r.nextDouble() * 5;
            a.fill(x);
            b.fill(x);
            c.fill(5 + r.nextDouble() * 5);
        }
        assertEquals(0.0, Histogram.separationPower(a, b), 0.0);
        assertEquals(1.0, Histogram.separationPower(a, c), 1e-12);
        // same shape, different statistics: still identical probabilities
        Histogram twice = a.emptyCopy();
        for (int i = 0; i < 2; i++) for (int k = 0; k < a.bins(); k++) twice.fill(k + 0.5, a.counts()[k]);
        assertEquals(0.0, Histogram.separationPower(a, twice), 1e-15);
        // partial overlap lies strictly between
        Histogram d = a.emptyCopy();
        for (int i = 0; i < 1000; i++) d.fill(2.5 + r.nextDouble() * 5);
        double s = Histogram.separationPower(a, d);
        assertTrue(s > 0.2 && s < 0.8, "partial overlap: " + s);
        assertThrows(IllegalArgumentException.class, () -> Histogram.separationPower(a, new Histogram(Histogram.linspace(0, 10, 12))));
    }

    @Test
    void densityIsNormalisedOverTheRangeLikeNumpy() {
        double[] edges = Histogram.logspace(-2, 3, 40);
        Histogram h = new Histogram(edges);
        Random r = new Random(2);
        for (int i = 0; i < 5000; i++) h.fill(Math.pow(10, -3 + 7 * r.nextDouble()));
        double integral = 0, psum = 0;
        double[] d = h.density(), p = h.probabilities();
        for (int i = 0; i < d.length; i++) {
            integral += d[i] * (edges[i + 1] - edges[i]);
            psum += p[i];
        }
        assertEquals(1.0, integral, 1e-12);
        assertEquals(1.0, psum, 1e-12);
        assertEquals(5000, h.total() + h.outside(), 0.0);
        assertTrue(h.outside() > 1000, "values outside the edges are not counted");
        Histogram empty = new Histogram(edges);
        assertArrayEquals(new double[edges.length - 1], empty.density(), "empty: all zero, no NaN");
    }

    @Test
    void binsFollowNumpyEdgeConventions() {
        Histogram h = new Histogram(Histogram.linspace(0, 1, 11));
        assertEquals(0, h.bin(0.0));
        assertEquals(1, h.bin(0.1 + 1e-15));
        assertEquals(9, h.bin(1.0), "the last bin is closed");
        assertEquals(-1, h.bin(1.0 + 1e-12));
        assertEquals(-1, h.bin(-1e-12));
        assertEquals(-1, h.bin(Double.NaN));
        // the uniform/log shortcuts agree with a binary search over the edges
        Random r = new Random(3);
        for (double[] edges : new double[][]{Histogram.linspace(-30, 30, 101), Histogram.logspace(Math.log10(0.5e-3 / 0.033), 4.2, 50),
                {0, 0.5, 2, 7}}) {
            Histogram g = new Histogram(edges);
            for (int i = 0; i < 20000; i++) {
                double x = i < edges.length ? edges[i] : edges[0] + (edges[edges.length - 1] - edges[0]) * r.nextDouble();
                int k = Arrays.binarySearch(edges, x);
                int expect = k >= 0 ? Math.min(k, edges.length - 2) : -k - 2;
                assertEquals(expect, g.bin(x), "x=" + x);
            }
        }
    }

    @Test
    void linspaceAndLogspaceMatchNumpy() {
        assertArrayEquals(new double[]{0.5, 0.75, 1.0, 1.25, 1.5}, Histogram.linspace(0.5, 1.5, 5), 0.0);
        double[] l = Histogram.logspace(0, 2, 3);
        assertArrayEquals(new double[]{1, 10, 100}, l, 1e-12);
    }
}
