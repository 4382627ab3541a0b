package org.icaloflow.synth;

import org.icaloflow.cli.Main;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** The {@code bench synth} command runs and prints a rate (kept tiny: this is not a timed test). */
class BenchSynthCommandTest {

    @Test
    void benchSynthPrintsShowersPerSecond() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = Main.execute("bench", "synth", "--events", "20", "--rounds", "1", "--warmup", "0");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.matches("(?s).*showers/s: \\d+ \\(mean\\).*"), out);
        assertTrue(out.contains("ds2"), out);
    }

    @Test
    void badArgumentsAreUserErrors() {
        PrintStream oldErr = System.err;
        try {
            System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertEquals(2, Main.execute("bench", "synth", "--events", "0"));
            assertEquals(2, Main.execute("bench", "synth", "--geometry", "ds9"));
        } finally {
            System.setErr(oldErr);
        }
    }
}
