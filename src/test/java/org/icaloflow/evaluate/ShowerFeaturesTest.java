package org.icaloflow.evaluate;

import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.data.TestFiles;
import org.icaloflow.preprocess.ShowerEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ShowerFeaturesTest {

    @TempDir
    Path dir;

    static List<String> goldenLines() throws Exception {
        try (InputStream in = ShowerFeaturesTest.class.getResourceAsStream("/golden/ds2_ref50_hlf.csv")) {
            assertNotNull(in, "golden/ds2_ref50_hlf.csv missing from test resources");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    /**
     * 1e-9 relative; widths get an absolute floor of 1e-6 mm: a width is the square root of a difference of two
     * nearly equal moments, so for a layer with one hit voxel (true width 0) it is sqrt(roundoff) ~ 1e-7 mm,
     * which depends on the last bits of the voxel centres (Java's cos vs numpy's) — noise, not physics.
     */
    static void assertClose(double expected, double actual, String what) {
        double tol = 1e-9 * Math.abs(expected);
        if (what.contains("width")) tol = Math.max(tol, 1e-6);
        if (Math.abs(expected - actual) > tol) fail(what + ": expected " + expected + " but got " + actual);
    }

    @Test
    void matchesTheOfficialEvaluatorOnTheGoldenShowers() throws Exception {
        Geometry g = Geometry.ds2();
        ShowerBatch b;
        try (ShowerSource s = ShowerSource.open(List.of(TestFiles.golden(dir)), g)) {
            b = s.read(0, (int) s.size());
        }
        ShowerFeatures f = ShowerFeatures.compute(g, b.showersMeV(), b.size(), ShowerEncoding.THRESHOLD_MEV);
        List<String> lines = goldenLines();
        String[] header = lines.get(0).split(",");
        assertEquals(lines.get(0), ShowerFeatures.csvHeader(45));
        assertEquals(50, lines.size() - 1);
        int nonTrivialSparsity = 0;
        for (int i = 0; i < 50; i++) {
            String[] v = lines.get(i + 1).split(",");
            StringBuilder ours = new StringBuilder();
            f.appendCsvRow(i, ours);
            String[] o = ours.toString().strip().split(",");
            assertEquals(v.length, o.length);
            for (int c = 0; c < v.length; c++) {
                assertClose(Double.parseDouble(v[c]), Double.parseDouble(o[c]), "row " + i + " " + header[c]);
                if (header[c].startsWith("sparsity") && Double.parseDouble(v[c]) > 0 && Double.parseDouble(v[c]) < 1)
                    nonTrivialSparsity++;
            }
        }
        assertTrue(nonTrivialSparsity > 0, "the golden rows exercise the threshold/sparsity convention");
    }
}
