package org.icaloflow.cli;

import org.icaloflow.data.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FeaturesCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesTheOfficialFeatureTableForTheGoldenShowers() throws Exception {
        Path out = dir.resolve("hlf.csv");
        // a batch that does not divide 50: rows must come out in order across batches
        assertEquals(0, Main.execute("features", "-g", "ds2", "--input", TestFiles.golden(dir).toString(), "--batch", "7",
                "--out", out.toString()));
        List<String> ours = Files.readAllLines(out);
        List<String> golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/ds2_ref50_hlf.csv")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        assertEquals(golden.get(0), ours.get(0), "same columns in the same order");
        assertEquals(golden.size(), ours.size());
        String[] header = golden.get(0).split(",");
        for (int i = 1; i < golden.size(); i++) {
            String[] g = golden.get(i).split(","), o = ours.get(i).split(",");
            assertEquals(g.length, o.length);
            for (int c = 0; c < g.length; c++) {
                double e = Double.parseDouble(g[c]), a = Double.parseDouble(o[c]);
                double tol = Math.max(1e-9 * Math.abs(e), header[c].startsWith("width") ? 1e-6 : 0);
                assertEquals(e, a, tol, "row " + i + " " + header[c]);
            }
        }
    }
}
