package org.icaloflow.evaluate;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class PlotTest {
    @Test
    void tickLabelsAreShort() {
        assertEquals("0", Plot.fmt(0));
        assertEquals("1000", Plot.fmt(1000));
        assertEquals("1e4", Plot.fmt(1e4));
        assertEquals("1.2e4", Plot.fmt(11600));
        assertEquals("5e-3", Plot.fmt(0.005));
        assertEquals("-0.015", Plot.fmt(-0.015));
        assertEquals("2e-3", Plot.fmt(0.002));
        assertEquals("0.5", Plot.fmt(0.5));
        assertEquals("25", Plot.fmt(25));
    }

    @Test
    void logAxisTicksAreDecadesInsideTheRange() {
        Plot.Axis a = new Plot.Axis(0.015, 2e4, true, 0, 100);
        assertEquals(java.util.List.of(0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0), a.ticks());
        assertEquals(0, a.px(0.015), 1e-9);
        assertEquals(100, a.px(2e4), 1e-9);
        Plot.Axis lin = new Plot.Axis(-30, 30, false, 0, 60);
        assertEquals(java.util.List.of(-30.0, -20.0, -10.0, 0.0, 10.0, 20.0, 30.0), lin.ticks());
    }
}
