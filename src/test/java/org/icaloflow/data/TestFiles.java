package org.icaloflow.data;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;

/** Test helpers: random batches, raw jhdf files (bypassing our writer's checks), golden copies. */
public final class TestFiles {
    private TestFiles() {
    }

    static {
        ShowerFile.quietJhdf();
    }

    /** Random showers: about half the voxels zero, energies 1 GeV .. 1 TeV. */
    public static ShowerBatch randomBatch(int rows, int voxels, long seed) {
        Random r = new Random(seed);
        double[] e = new double[rows];
        float[] s = new float[rows * voxels];
        for (int i = 0; i < rows; i++) {
            e[i] = 1000 * Math.pow(1000, r.nextDouble());
            for (int k = 0; k < voxels; k++) s[i * voxels + k] = r.nextBoolean() ? 0f : (float) (r.nextDouble() * 100);
        }
        return new ShowerBatch(e, s, voxels);
    }

    /** Writes whatever arrays it is given as the two datasets (either may be null to leave it out). */
    public static Path raw(Path file, Object energies, Object showers) {
        try (WritableHdfFile w = HdfFile.write(file)) {
            if (energies != null) w.putDataset(ShowerFile.ENERGIES, energies);
            if (showers != null) w.putDataset(ShowerFile.SHOWERS, showers);
        }
        return file;
    }

    public static double[][] column(double... e) {
        double[][] c = new double[e.length][1];
        for (int i = 0; i < e.length; i++) c[i][0] = e[i];
        return c;
    }

    public static float[][] showers(int rows, int voxels, float value) {
        float[][] s = new float[rows][voxels];
        for (float[] row : s) java.util.Arrays.fill(row, value);
        return s;
    }

    /** The golden DS2 file copied from the test resources into {@code dir}. */
    public static Path golden(Path dir) throws IOException {
        Path p = dir.resolve("ds2_first50.hdf5");
        try (InputStream in = TestFiles.class.getResourceAsStream("/golden/ds2_first50.hdf5")) {
            if (in == null) throw new IOException("golden/ds2_first50.hdf5 missing from test resources");
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
        }
        return p;
    }

    /** A copy of {@code src} cut to {@code bytes}. */
    public static Path truncated(Path src, Path dst, long bytes) throws IOException {
        byte[] all = Files.readAllBytes(src);
        Files.write(dst, java.util.Arrays.copyOf(all, (int) bytes));
        return dst;
    }
}
