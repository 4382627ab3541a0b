package org.icaloflow.cli;

import org.icaloflow.data.BadFiles;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerWriter;
import org.icaloflow.data.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ValidateCommandTest {

    record Run(int code, String out, String err) {
    }

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            System.out.flush();
            System.err.flush();
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static List<BadFiles.Case> cases() {
        return BadFiles.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void invalidInputExits2WithOneLine(BadFiles.Case c, @TempDir Path dir) throws Exception {
        String geometry = BadFiles.geometryArg(c.geometry(), dir);
        Path file = c.maker().make(dir);
        Run r = run("validate", "--geometry", geometry, "--input", file.toString(), "--batch", "1000");
        assertEquals(2, r.code(), r.toString());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        String line = lines.get(0);
        assertTrue(line.startsWith("icaloflow: error: " + file + ": "), line);
        assertTrue(line.contains(c.expect()), line);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Caused by"), "no stack trace: " + r.err());
    }

    @Test
    void goldenFileIsValidAndSummarised(@TempDir Path dir) throws Exception {
        Path golden = TestFiles.golden(dir);
        Run r = run("validate", "--geometry", "ds2", "--input", golden.toString(), "--batch", "7");
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err());
        // values as h5py/numpy computes them from the same file
        assertTrue(r.out().contains("showers: 50\n"), r.out());
        assertTrue(r.out().contains("voxels: 6480 (geometry ds2, 45 layers)"), r.out());
        assertTrue(r.out().contains("incident energy: min 1209.70 MeV, max 875410 MeV"), r.out());
        assertTrue(r.out().contains("mean E_tot/E_inc: 0.998991"), r.out());
        assertTrue(r.out().contains("zero voxels: 0.243117"), r.out());
        assertTrue(r.out().strip().endsWith("valid"), r.out());
    }

    @Test
    void severalInputsAndPartsAreOneSample(@TempDir Path dir) throws Exception {
        Path xml = BadFiles.tinyXml(dir);
        Geometry g = Geometry.fromXml(xml, null);
        Path a = dir.resolve("a.hdf5"), b = dir.resolve("b.hdf5");
        ShowerWriter.writeAll(a, g, TestFiles.randomBatch(30, g.voxels(), 1), ShowerWriter.Precision.FLOAT32);
        try (ShowerWriter w = new ShowerWriter(b, g, ShowerWriter.Precision.FLOAT64, 8)) {
            w.append(TestFiles.randomBatch(20, g.voxels(), 2));
            assertEquals(3, w.commit().size());
        }
        Run r = run("validate", "-g", xml.toString(), "-i", a.toString(), "-i", b.toString(), "--batch", "9");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("showers: 50\n"), r.out());
        assertTrue(r.out().contains("b.part0003.hdf5 (4 showers, showers float64)"), r.out());
    }

    @Test
    void usageErrors(@TempDir Path dir) throws Exception {
        Path golden = TestFiles.golden(dir);
        assertEquals(2, run("validate", "--geometry", "ds2", "--input", golden.toString(), "--batch", "0").code());
        Run r = run("validate", "--geometry", "ds7", "--input", golden.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("icaloflow: error: unknown geometry 'ds7'"), r.err());
        assertNotEquals(0, run("validate", "--geometry", "ds2").code(), "--input is required");
        Run help = run("validate", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--geometry") && help.out().contains("--batch"), help.out());
    }

    @Test
    void helpListsValidate() {
        List<String> names = new ArrayList<>(Main.commandLine().getSubcommands().keySet());
        assertTrue(names.contains("validate"), names.toString());
    }
}
