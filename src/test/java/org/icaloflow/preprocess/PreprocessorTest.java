package org.icaloflow.preprocess;

import com.fasterxml.jackson.databind.JsonNode;
import org.icaloflow.data.Sha256;
import org.icaloflow.UserError;
import org.icaloflow.cli.Main;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerFile;
import org.icaloflow.data.StageManifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PreprocessorTest {
    @TempDir
    Path dir;

    @Test
    void splitsEncodesAndWritesAManifestIndependentOfTheBatchSize() throws Exception {
        Path in = dir.resolve("in.hdf5");
        assertEquals(0, Main.execute("synth", "-g", "ds2", "--events", "40", "--seed", "3", "--out", in.toString()));
        Path a = dir.resolve("a"), b = dir.resolve("b");
        assertEquals(0, Main.execute("preprocess", "-g", "ds2", "-i", in.toString(), "-o", a.toString(), "--seed", "9"));
        assertEquals(0, Main.execute("preprocess", "-g", "ds2", "-i", in.toString(), "-o", b.toString(), "--seed", "9", "--batch", "7"));
        assertArrayEquals(Files.readAllBytes(a.resolve("train.f32")), Files.readAllBytes(b.resolve("train.f32")));
        assertArrayEquals(Files.readAllBytes(a.resolve("select.f32")), Files.readAllBytes(b.resolve("select.f32")));

        try (EncodedShowers t = EncodedShowers.open(a.resolve("train.f32"));
             EncodedShowers s = EncodedShowers.open(a.resolve("select.f32"));
             ShowerFile f = ShowerFile.open(in, Geometry.ds2())) {
            assertEquals(28, t.rows());
            assertEquals(12, s.rows());
            assertEquals(1 + 45 + 6480, t.width());
            // every selection row is one of the input showers: its incident energy condition matches one of them
            ShowerBatch all = f.read(0, 40);
            float[] rows = s.read(0, s.rows());
            for (int r = 0; r < s.rows(); r++) {
                float c = rows[r * s.width()];
                boolean found = false;
                for (double e : all.incidentEnergyMeV()) found |= Math.abs(ShowerEncoding.incidentCondition(e) - c) < 1e-6;
                assertTrue(found);
                double sum = 0;  // MeV are stored (the noise is the loader's): layer 20's energy is its voxels' sum
                for (int v = 0; v < 144; v++) sum += rows[r * s.width() + 1 + 45 + 20 * 144 + v];
                assertEquals(sum, rows[r * s.width() + 1 + 20], 1e-4 * Math.max(1, sum));
            }
        }
        JsonNode m = StageManifest.read(a.resolve("manifest.json"));
        assertEquals(Sha256.of(in), m.get("inputs").get(0).get("sha256").asText());
        assertEquals(28, m.get("rows").get("train").asInt());
        assertEquals(65000.0, m.get("constants").get("layer_scale_mev").asDouble());
        assertEquals(9, m.get("settings").get("seed").asInt());
        assertEquals("ICFENC02", m.get("settings").get("format").asText());
    }

    @Test
    void truncatedEncodedFilesAndBadInputsAreUserErrors() throws Exception {
        Path in = dir.resolve("in.hdf5");
        assertEquals(0, Main.execute("synth", "-g", "ds2", "--events", "5", "--out", in.toString()));
        Preprocessor.run(Geometry.ds2(), List.of(in), dir.resolve("p"), 0.6, 1, 2);
        Path t = dir.resolve("p/train.f32");
        byte[] bytes = Files.readAllBytes(t);
        Files.write(t, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        var e = assertThrows(UserError.class, () -> EncodedShowers.open(t));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        var e2 = assertThrows(UserError.class, () -> Preprocessor.run(Geometry.ds3(), List.of(in), dir.resolve("q"), 0.7, 1, 10));
        assertTrue(e2.getMessage().contains("in.hdf5"), e2.getMessage());
        assertFalse(Files.exists(dir.resolve("q/train.f32")));
        assertEquals(2, Main.execute("preprocess", "-g", "ds2", "-i", in.toString(), "-o", dir.resolve("r").toString(), "--train-fraction", "1.5"));
    }
}
