package org.icaloflow.cli;

import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class SynthCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesAValidFileAndTheSameSeedGivesTheSameBytes() throws Exception {
        Path a = dir.resolve("a.hdf5"), b = dir.resolve("b.hdf5");
        assertEquals(0, Main.execute("synth", "--geometry", "ds2", "--events", "30", "--seed", "5", "--out", a.toString()));
        assertEquals(0, Main.execute("synth", "--geometry", "ds2", "--events", "30", "--seed", "5", "--batch", "7",
                "--out", b.toString()));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "same seed, other batch size: same bytes");
        try (ShowerFile f = ShowerFile.open(a, Geometry.ds2())) {
            assertEquals(30, f.size());
            ShowerBatch batch = f.read(0, 30);
            for (double e : batch.incidentEnergyMeV()) assertTrue(e >= 1e3 && e <= 1e6);
            assertTrue(batch.showerSum(0) > 0.5 * batch.incidentEnergyMeV()[0]);
        }
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void noiseIsAnOptionThatAddsIsolatedHits() throws Exception {
        Path quiet = dir.resolve("q.hdf5"), noisy = dir.resolve("n.hdf5");
        assertEquals(0, Main.execute("synth", "--geometry", "ds2", "--events", "20", "--seed", "5", "--out", quiet.toString()));
        assertEquals(0, Main.execute("synth", "--geometry", "ds2", "--events", "20", "--seed", "5", "--noise", "0.005",
                "--out", noisy.toString()));
        try (ShowerFile q = ShowerFile.open(quiet, Geometry.ds2()); ShowerFile n = ShowerFile.open(noisy, Geometry.ds2())) {
            int nq = 0, nn = 0;
            for (float x : q.read(0, 20).showersMeV()) if (x != 0) nq++;
            for (float x : n.read(0, 20).showersMeV()) if (x != 0) nn++;
            assertTrue(nn > nq + 20 * 5, "noise hits: " + nn + " nonzero voxels against " + nq);
        }
    }

    @Test
    void takesEnergiesFromAListOrAFile() throws Exception {
        Path out = dir.resolve("e.hdf5");
        assertEquals(0, Main.execute("synth", "-g", "ds2", "--energies", "1000,50000,1e6", "--out", out.toString()));
        try (ShowerFile f = ShowerFile.open(out, Geometry.ds2())) {
            assertArrayEquals(new double[]{1000, 50000, 1e6}, f.read(0, 3).incidentEnergyMeV());
        }
        Path again = dir.resolve("again.hdf5");
        assertEquals(0, Main.execute("synth", "-g", "ds2", "--energies", out.toString(), "--events", "2", "--out", again.toString()));
        try (ShowerFile f = ShowerFile.open(again, Geometry.ds2())) {
            assertArrayEquals(new double[]{1000, 50000}, f.read(0, 2).incidentEnergyMeV());
        }
    }

    @Test
    void badArgumentsAreOneLineErrorsWithExitCodeTwo() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            var cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true));
            assertEquals(2, cl.execute("synth", "-g", "ds2", "--energies", "1000,-5", "--out", dir.resolve("x.hdf5").toString()));
            assertEquals(2, cl.execute("synth", "-g", "ds9", "--events", "3", "--out", dir.resolve("x.hdf5").toString()));
            assertEquals(2, cl.execute("synth", "-g", "ds2", "--out", dir.resolve("x.hdf5").toString()));
            assertEquals(2, cl.execute("synth", "-g", "ds2", "--events", "3", "--noise", "-0.1", "--out", dir.resolve("x.hdf5").toString()));
        } finally {
            System.setErr(old);
        }
        String text = err.toString();
        assertTrue(text.contains("icaloflow: error: --energies: value 2 (-5.0)"), text);
        assertTrue(text.contains("unknown geometry 'ds9'"), text);
        assertFalse(text.contains("Exception"), text);
        assertFalse(Files.exists(dir.resolve("x.hdf5")));
    }
}
