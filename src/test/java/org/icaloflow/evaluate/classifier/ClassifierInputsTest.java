package org.icaloflow.evaluate.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.data.TestFiles;
import org.icaloflow.preprocess.ShowerEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierInputsTest {
    static final int L = 45;

    /** Rows of a golden CSV (header skipped when {@code header}). */
    static double[][] csv(String resource, boolean header) throws IOException {
        try (InputStream in = ClassifierInputsTest.class.getResourceAsStream("/golden/" + resource)) {
            if (in == null) throw new IOException(resource + " missing from test resources");
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            List<double[]> rows = new ArrayList<>();
            for (int i = header ? 1 : 0; i < lines.length; i++) {
                if (lines[i].isBlank()) continue;
                String[] f = lines[i].trim().split(",");
                double[] r = new double[f.length];
                for (int k = 0; k < f.length; k++) r[k] = Double.parseDouble(f[k]);
                rows.add(r);
            }
            return rows.toArray(new double[0][]);
        }
    }

    static double[] goldenIncidentEnergies(Path dir) throws IOException {
        try (ShowerSource src = ShowerSource.open(List.of(TestFiles.golden(dir)), Geometry.ds2())) {
            return src.read(0, (int) src.size()).incidentEnergyMeV();
        }
    }

    /** The official evaluator's high-level classifier input, rebuilt from its features (column order of the hlf csv). */
    @Test
    void highLevelMatchesTheOfficialEvaluator(@TempDir Path dir) throws IOException {
        double[][] hlf = csv("ds2_ref50_hlf.csv", true);
        double[][] expected = csv("ds2_ref50_cls_high_input.csv", false);
        double[] inc = goldenIncidentEnergies(dir);
        int rows = hlf.length;
        assertEquals(50, rows);
        assertEquals(1 + 8 * L, hlf[0].length);
        double[] eTot = new double[rows];
        double[][][] f = new double[8][rows][L]; // E_layer, EC_eta, EC_phi, width_eta, width_phi, sparsity, EC_r, width_r
        for (int r = 0; r < rows; r++) {
            eTot[r] = hlf[r][0];
            for (int k = 0; k < 8; k++) System.arraycopy(hlf[r], 1 + k * L, f[k][r], 0, L);
        }
        double[] got = ClassifierInputs.highLevelDouble(inc, eTot, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
        int dim = ClassifierInputs.highLevelDim(L);
        assertEquals(362, dim);
        assertEquals(rows * dim, got.length);
        for (int r = 0; r < rows; r++) {
            assertEquals(dim, expected[r].length);
            for (int c = 0; c < dim; c++) {
                double e = expected[r][c], g = got[r * dim + c];
                assertTrue(Math.abs(g - e) <= 1e-9 * Math.max(1e-3, Math.abs(e)),
                        "row " + r + " column " + c + ": " + g + " vs " + e);
            }
        }
        float[] asFloat = ClassifierInputs.highLevel(inc, eTot, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
        for (int i = 0; i < got.length; i++) assertEquals((float) got[i], asFloat[i]);

        // the paper's (mid-2023) set: log10 E_inc + 5 per-layer features (E_layer, EC_eta, EC_phi, width_eta,
        // width_phi) = 1 + 5 x 45 = 226, the challenge set 2 + 8 x 45 = 362; the paper's columns lead the challenge row
        assertEquals(1 + 5 * L, ClassifierInputs.HlfSet.PAPER.dim(L));
        assertEquals(226, ClassifierInputs.HlfSet.PAPER.dim(L));
        assertEquals(362, ClassifierInputs.HlfSet.CHALLENGE.dim(L));
        float[] paper = ClassifierInputs.select(asFloat, L, ClassifierInputs.HlfSet.PAPER);
        assertEquals(rows * 226, paper.length);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < 226; c++) {
                double e = expected[r][c];
                assertTrue(Math.abs(paper[r * 226 + c] - e) <= 1e-6 * Math.max(1e-3, Math.abs(e)), "paper set row " + r + " column " + c);
            }
        assertSame(asFloat, ClassifierInputs.select(asFloat, L, ClassifierInputs.HlfSet.CHALLENGE));
        assertEquals(ClassifierInputs.HlfSet.PAPER, ClassifierInputs.HlfSet.parse("paper", "--hlf-set"));
        assertThrows(org.icaloflow.UserError.class, () -> ClassifierInputs.HlfSet.parse("all", "--hlf-set"));
    }

    @Test
    void lowLevelIsLogEnergyThenThresholdedVoxelsOverEnergy() {
        double thr = ShowerEncoding.THRESHOLD_MEV;
        double[] inc = {1000, 100};
        float[] showers = {500f, (float) thr, (float) (thr * 0.99), 0f, 10f, 20f}; // row 1 starts at 0f
        float[] x = ClassifierInputs.lowLevel(inc, showers, 3, thr);
        assertArrayEquals(new float[] {3f, 0.5f, (float) ((float) thr / 1000.0), 0f, 2f, 0f, 0.1f, 0.2f}, x);
    }

    @Test
    void lowLevelRowsStreamTheSameValuesInBlocks(@TempDir Path dir) throws IOException {
        try (ShowerSource src = ShowerSource.open(List.of(TestFiles.golden(dir)), Geometry.ds2())) {
            ShowerBatch b = src.read(0, 20);
            float[] whole = ClassifierInputs.lowLevel(b.incidentEnergyMeV(), b.showersMeV(), b.voxels(), ShowerEncoding.THRESHOLD_MEV);
            int dim = b.voxels() + 1;
            RowSource rows = ClassifierInputs.lowLevelRows(src, ShowerEncoding.THRESHOLD_MEV, 20, 3 * dim + 5); // 3 rows a block
            assertEquals(20, rows.rows());
            assertEquals(dim, rows.dim());
            float[] row = new float[dim];
            for (int r = 0; r < 20; r++) {
                rows.copyRow(r, row, 0);
                assertArrayEquals(java.util.Arrays.copyOfRange(whole, r * dim, (r + 1) * dim), row, "row " + r);
            }
        }
    }

    @Test
    void oversizedLowLevelInputIsAUserError() {
        var e = assertThrows(UserError.class, () -> ClassifierInputs.lowLevel(new double[60000], new float[1], 40500, 0));
        assertTrue(e.getMessage().contains("lowLevelRows"), e.getMessage());
    }

    @Test
    void rowSourceBlocksAddressRowsAcrossBlocks() {
        RowSource s = RowSource.ofBlocks(List.of(new float[] {0, 1, 2, 3}, new float[0], new float[] {4, 5}), 2);
        assertEquals(3, s.rows());
        float[] out = new float[2];
        for (int r = 0; r < 3; r++) {
            s.copyRow(r, out, 0);
            assertArrayEquals(new float[] {2 * r, 2 * r + 1}, out);
        }
        assertThrows(IllegalArgumentException.class, () -> RowSource.ofBlocks(List.of(new float[3]), 2));
    }
}
