package org.icaloflow.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Invalid inputs shared by the API tests and the {@code validate} CLI tests. */
public final class BadFiles {
    private BadFiles() {
    }

    @FunctionalInterface
    public interface Maker {
        Path make(Path dir) throws IOException;
    }

    /**
     * @param geometry "ds2" or "tiny" (a 2-layer, 3-alpha, 2-r geometry of 12 voxels from {@link #tinyXml})
     * @param expect   a fragment the one-line error message must contain (besides the file name)
     * @param onRead   true when the problem is in the values, found by read() rather than open()
     */
    public record Case(String name, String geometry, Maker maker, String expect, boolean onRead) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static final int TINY_VOXELS = 12;

    /** The 12-voxel test geometry as an official-format XML file; its geometry name is "tiny". */
    public static Path tinyXml(Path dir) throws IOException {
        Path xml = dir.resolve("tiny.xml");
        Files.writeString(xml, """
                <Bins><Particle name="electron" pid="11">
                  <Layer id="0" r_edges="0,1,2" n_bin_alpha="3"/>
                  <Layer id="1" r_edges="0,1,2" n_bin_alpha="3"/>
                </Particle></Bins>
                """);
        return xml;
    }

    public static Geometry geometry(String name, Path dir) throws IOException {
        return name.equals("tiny") ? Geometry.fromXml(tinyXml(dir), null) : Geometry.forName(name);
    }

    /** The geometry argument for the CLI. */
    public static String geometryArg(String name, Path dir) throws IOException {
        return name.equals("tiny") ? tinyXml(dir).toString() : name;
    }

    private static Path good(Path dir, String name, int rows) {
        Path p = dir.resolve(name);
        Geometry g = Geometry.uniform("tiny", 2, new double[]{0, 1, 2}, 3);
        ShowerWriter.writeAll(p, g, TestFiles.randomBatch(rows, TINY_VOXELS, 7), ShowerWriter.Precision.FLOAT32);
        return p;
    }

    private static float[][] withValue(int rows, int row, int voxel, float v) {
        float[][] s = TestFiles.showers(rows, TINY_VOXELS, 1f);
        s[row][voxel] = v;
        return s;
    }

    private static double[][] energies(int rows) {
        double[][] e = new double[rows][1];
        for (double[] r : e) r[0] = 5000;
        return e;
    }

    public static List<Case> cases() {
        return List.of(
                new Case("missing file", "tiny", d -> d.resolve("nope.hdf5"), "file not found", false),
                new Case("text file", "tiny", d -> Files.writeString(d.resolve("text.hdf5"), "incident_energies,showers\n1,2\n"),
                        "not an HDF5 file", false),
                new Case("empty file", "tiny", d -> Files.write(d.resolve("empty.hdf5"), new byte[0]), "not an HDF5 file (empty)", false),
                new Case("truncated (ours)", "tiny", d -> {
                    Path p = good(d, "full.hdf5", 200);
                    return TestFiles.truncated(p, d.resolve("cut.hdf5"), Files.size(p) * 6 / 10);
                }, "truncated", false),
                new Case("truncated (h5py golden)", "ds2", d -> {
                    Path p = TestFiles.golden(d);
                    return TestFiles.truncated(p, d.resolve("golden_cut.hdf5"), Files.size(p) / 2);
                }, "truncated", false),
                new Case("truncated to the header", "tiny", d -> {
                    Path p = good(d, "full2.hdf5", 20);
                    return TestFiles.truncated(p, d.resolve("cut2.hdf5"), 40);
                }, "HDF5", false),
                new Case("signature then garbage", "tiny", d -> {
                    byte[] b = new byte[4096];
                    new Random(1).nextBytes(b);
                    System.arraycopy(ShowerFile.HDF5_SIGNATURE, 0, b, 0, 8);
                    return Files.write(d.resolve("garbage.hdf5"), b);
                }, "cannot read HDF5 structure", false),
                new Case("corrupt chunk data", "tiny", d -> {
                    Path p = good(d, "corrupt.hdf5", 2000);
                    byte[] b = Files.readAllBytes(p);
                    for (int i = b.length / 2; i < b.length / 2 + 256; i++) b[i] = (byte) 0xA5;
                    return Files.write(p, b);
                }, "truncated or corrupt", true),
                new Case("no incident_energies", "tiny", d -> TestFiles.raw(d.resolve("noe.hdf5"), null, TestFiles.showers(3, TINY_VOXELS, 1)),
                        "missing dataset 'incident_energies'", false),
                new Case("no showers", "tiny", d -> TestFiles.raw(d.resolve("nos.hdf5"), energies(3), null),
                        "missing dataset 'showers'", false),
                new Case("wrong width", "tiny", d -> TestFiles.raw(d.resolve("width.hdf5"), energies(3), TestFiles.showers(3, 10, 1)),
                        "'showers' has 10 voxels per shower but geometry tiny needs 12", false),
                new Case("ds2 file for ds3", "ds3", TestFiles::golden,
                        "'showers' has 6480 voxels per shower but geometry ds3 needs 40500", false),
                new Case("N mismatch", "tiny", d -> TestFiles.raw(d.resolve("n.hdf5"), energies(5), TestFiles.showers(4, TINY_VOXELS, 1)),
                        "'incident_energies' has 5 rows but 'showers' has 4", false),
                new Case("energies (N,2)", "tiny", d -> TestFiles.raw(d.resolve("e2.hdf5"), new double[4][2], TestFiles.showers(4, TINY_VOXELS, 1)),
                        "'incident_energies' has shape (4, 2)", false),
                new Case("integer showers", "tiny", d -> TestFiles.raw(d.resolve("int.hdf5"), energies(2), new int[2][TINY_VOXELS]),
                        "float32 or float64 is expected", false),
                new Case("NaN incident energy", "tiny", d -> {
                    double[][] e = energies(6);
                    e[3][0] = Double.NaN;
                    return TestFiles.raw(d.resolve("nan_e.hdf5"), e, TestFiles.showers(6, TINY_VOXELS, 1));
                }, "row 3: incident energy NaN MeV is not finite", true),
                new Case("negative incident energy", "tiny", d -> {
                    double[][] e = energies(6);
                    e[1][0] = -20;
                    return TestFiles.raw(d.resolve("neg_e.hdf5"), e, TestFiles.showers(6, TINY_VOXELS, 1));
                }, "row 1: incident energy -20.0 MeV is not positive", true),
                new Case("zero incident energy (N,)", "tiny", d -> {
                    double[] e = {5, 5, 0};
                    return TestFiles.raw(d.resolve("zero_e.hdf5"), e, TestFiles.showers(3, TINY_VOXELS, 1));
                }, "row 2: incident energy 0.0 MeV is not positive", true),
                new Case("infinite voxel", "tiny", d -> TestFiles.raw(d.resolve("inf.hdf5"), energies(6), withValue(6, 2, 7, Float.POSITIVE_INFINITY)),
                        "row 2: voxel 7 energy Infinity MeV is not finite", true),
                new Case("negative voxel", "tiny", d -> TestFiles.raw(d.resolve("neg.hdf5"), energies(6), withValue(6, 4, 5, -0.5f)),
                        "row 4: voxel 5 energy -0.5 MeV is negative", true),
                new Case("NaN voxel (float64)", "tiny", d -> {
                    double[][] s = new double[3][TINY_VOXELS];
                    s[0][11] = Double.NaN;
                    return TestFiles.raw(d.resolve("nan64.hdf5"), energies(3), s);
                }, "row 0: voxel 11 energy NaN MeV is not finite", true),
                new Case("bad value in a later batch", "tiny", d -> TestFiles.raw(d.resolve("late.hdf5"), energies(2600), withValue(2600, 2345, 0, -1f)),
                        "row 2345: voxel 0 energy -1.0 MeV is negative", true));
    }
}
