package org.icaloflow.data;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.object.message.DataLayout;
import org.icaloflow.UserError;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class ShowerIOTest {
    static final Geometry TINY = Geometry.uniform("tiny", 2, new double[]{0, 1, 2}, 3);

    // h5py/numpy values of the golden file: incident_energies[0,0], [49,0]; showers.astype(f8).sum(1)[0,1,2,49]
    static final double E0 = 34313.488579691584, E49 = 287660.45122821693;
    static final double[] SUMS = {32593.141387498938, 715226.4547359683, 2913.3284252341837};
    static final double SUM49 = 264837.6970773218;

    @Test
    void readsGoldenDs2File(@TempDir Path dir) throws IOException {
        Path golden = TestFiles.golden(dir);
        try (ShowerFile f = ShowerFile.open(golden, Geometry.ds2())) {
            assertEquals(50, f.size());
            assertEquals(ShowerWriter.Precision.FLOAT32, f.showerPrecision());
            ShowerBatch all = f.read(0, 50);
            assertEquals(50, all.size());
            assertEquals(6480, all.voxels());
            assertEquals(E0, all.incidentEnergyMeV()[0], 0);
            assertEquals(E49, all.incidentEnergyMeV()[49], 0);
            for (int i = 0; i < 3; i++) assertEquals(SUMS[i], all.showerSum(i), 1e-9 * SUMS[i]);
            assertEquals(SUM49, all.showerSum(49), 1e-9 * SUM49);
            // batched reads give the same rows
            List<ShowerBatch> parts = new ArrayList<>();
            for (int at = 0; at < 50; at += 7) parts.add(f.read(at, Math.min(7, 50 - at)));
            ShowerBatch joined = ShowerBatch.concat(parts);
            assertArrayEquals(all.incidentEnergyMeV(), joined.incidentEnergyMeV());
            assertArrayEquals(all.showersMeV(), joined.showersMeV());
            assertEquals(all.voxel(3, 100), all.showersMeV()[3 * 6480 + 100]);
            assertEquals(0, f.read(50, 0).size());
            assertThrows(IndexOutOfBoundsException.class, () -> f.read(45, 6));
        }
    }

    @Test
    void roundTripFloat32AndFloat64(@TempDir Path dir) throws IOException {
        ShowerBatch b = TestFiles.randomBatch(37, TINY.voxels(), 3);
        for (ShowerWriter.Precision p : ShowerWriter.Precision.values()) {
            Path out = dir.resolve("rt_" + p + ".hdf5");
            assertEquals(List.of(out), ShowerWriter.writeAll(out, TINY, b, p));
            try (ShowerFile f = ShowerFile.open(out, TINY)) {
                assertEquals(37, f.size());
                assertEquals(p, f.showerPrecision());
                ShowerBatch r = f.read(0, 37);
                assertArrayEquals(b.incidentEnergyMeV(), r.incidentEnergyMeV());
                assertArrayEquals(b.showersMeV(), r.showersMeV());
                ShowerBatch mid = f.read(10, 5);
                assertArrayEquals(b.slice(10, 5).showersMeV(), mid.showersMeV());
            }
            try (HdfFile h = new HdfFile(out)) {
                Dataset e = (Dataset) h.getChild("incident_energies");
                Dataset s = (Dataset) h.getChild("showers");
                assertArrayEquals(new int[]{37, 1}, e.getDimensions());
                assertEquals(double.class, e.getJavaType());
                assertArrayEquals(new int[]{37, TINY.voxels()}, s.getDimensions());
                assertEquals(p == ShowerWriter.Precision.FLOAT32 ? float.class : double.class, s.getJavaType());
                assertEquals(DataLayout.CHUNKED, s.getDataLayout());
                assertEquals(List.of("deflate"), s.getFilters().stream().map(x -> x.getName()).toList());
            }
            assertNoTempFiles(dir);
        }
    }

    @Test
    void levelZeroWritesContiguousUncompressed(@TempDir Path dir) throws IOException {
        ShowerBatch b = TestFiles.randomBatch(19, TINY.voxels(), 4);
        Path out = dir.resolve("plain.hdf5");
        try (ShowerWriter w = new ShowerWriter(out, TINY, ShowerWriter.Precision.FLOAT32, 1000, 0)) {
            w.append(b);
            w.commit();
        }
        try (HdfFile h = new HdfFile(out)) {
            Dataset s = (Dataset) h.getChild("showers");
            assertEquals(DataLayout.CONTIGUOUS, s.getDataLayout());
            assertEquals(List.of(), s.getFilters());
        }
        try (ShowerFile f = ShowerFile.open(out, TINY)) {
            assertArrayEquals(b.showersMeV(), f.read(0, 19).showersMeV());
            assertArrayEquals(b.slice(5, 3).showersMeV(), f.read(5, 3).showersMeV());
        }
    }

    @Test
    void acceptsOneDimensionalAndFloat32Energies(@TempDir Path dir) {
        Path p1 = TestFiles.raw(dir.resolve("e1d.hdf5"), new double[]{10, 20, 30}, TestFiles.showers(3, TINY.voxels(), 0.5f));
        Path p2 = TestFiles.raw(dir.resolve("ef32.hdf5"), new float[][]{{10}, {20}, {30}}, TestFiles.showers(3, TINY.voxels(), 0.5f));
        for (Path p : List.of(p1, p2)) {
            try (ShowerFile f = ShowerFile.open(p, TINY)) {
                ShowerBatch b = f.read(1, 2);
                assertArrayEquals(new double[]{20, 30}, b.incidentEnergyMeV());
                assertEquals(0.5f, b.voxel(1, 11));
            }
        }
    }

    @Test
    void largeOutputsAreWrittenInPartsAndReadBack(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("gen.hdf5");
        ShowerBatch b = TestFiles.randomBatch(25, TINY.voxels(), 5);
        List<Path> files;
        try (ShowerWriter w = new ShowerWriter(out, TINY, ShowerWriter.Precision.FLOAT32, 10)) {
            w.append(b.slice(0, 4));
            w.append(b.slice(4, 17)); // crosses two part boundaries
            w.append(b.slice(21, 4));
            assertEquals(25, w.rows());
            files = w.commit();
            assertSame(files, w.commit(), "commit is idempotent");
        }
        assertEquals(List.of(dir.resolve("gen.part0001.hdf5"), dir.resolve("gen.part0002.hdf5"), dir.resolve("gen.part0003.hdf5")), files);
        assertFalse(Files.exists(out));
        assertEquals(files, ShowerSource.expand(out));
        assertNoTempFiles(dir);
        try (ShowerSource s = ShowerSource.open(List.of(out), TINY)) {
            assertEquals(25, s.size());
            assertEquals(files, s.files());
            ShowerBatch all = s.read(0, 25);
            assertArrayEquals(b.showersMeV(), all.showersMeV());
            assertArrayEquals(b.incidentEnergyMeV(), all.incidentEnergyMeV());
            assertArrayEquals(b.slice(8, 15).showersMeV(), s.read(8, 15).showersMeV()); // spans 3 files
        }
        // rewriting as a single file removes the stale parts, and the reverse
        ShowerWriter.writeAll(out, TINY, b.slice(0, 5), ShowerWriter.Precision.FLOAT32);
        assertTrue(Files.isRegularFile(out));
        try (Stream<Path> l = Files.list(dir)) {
            assertEquals(List.of(out), l.toList());
        }
        try (ShowerWriter w = new ShowerWriter(out, TINY, ShowerWriter.Precision.FLOAT32, 3)) {
            w.append(b.slice(0, 7));
            assertEquals(3, w.commit().size());
        }
        assertFalse(Files.exists(out));
        try (ShowerSource s = ShowerSource.open(List.of(out), TINY)) {
            assertEquals(7, s.size());
        }
        // exactly rowsPerPart rows is one file
        Path one = dir.resolve("exact.h5");
        try (ShowerWriter w = new ShowerWriter(one, TINY, ShowerWriter.Precision.FLOAT32, 10)) {
            w.append(b.slice(0, 10));
            assertEquals(List.of(one), w.commit());
        }
        // a gap in the numbering is an error
        Files.delete(dir.resolve("gen.part0002.hdf5"));
        UserError gap = assertThrows(UserError.class, () -> ShowerSource.expand(out));
        assertTrue(gap.getMessage().contains("gen.part0002.hdf5 is missing"), gap.getMessage());
    }

    @Test
    void sourceSpansFilesLikeDs3(@TempDir Path dir) {
        ShowerBatch b = TestFiles.randomBatch(30, TINY.voxels(), 11);
        Path a = dir.resolve("d_1.hdf5"), c = dir.resolve("d_2.hdf5"), e = dir.resolve("d_3.hdf5");
        ShowerWriter.writeAll(a, TINY, b.slice(0, 12), ShowerWriter.Precision.FLOAT32);
        ShowerWriter.writeAll(c, TINY, b.slice(12, 1), ShowerWriter.Precision.FLOAT64);
        ShowerWriter.writeAll(e, TINY, b.slice(13, 17), ShowerWriter.Precision.FLOAT32);
        try (ShowerSource s = ShowerSource.open(List.of(a, c, e), TINY)) {
            assertEquals(30, s.size());
            for (int from = 0; from < 30; from += 4) {
                int n = Math.min(9, 30 - from);
                ShowerBatch r = s.read(from, n);
                assertArrayEquals(b.slice(from, n).showersMeV(), r.showersMeV(), "from " + from);
                assertArrayEquals(b.slice(from, n).incidentEnergyMeV(), r.incidentEnergyMeV());
            }
            assertEquals(0, s.read(30, 0).size());
        }
        assertThrows(UserError.class, () -> ShowerSource.open(List.of(), TINY));
    }

    @Test
    void writerChecksWidthAndValuesAndAbortsCleanly(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("w.hdf5");
        try (ShowerWriter w = new ShowerWriter(out, TINY, ShowerWriter.Precision.FLOAT32, 4)) {
            UserError width = assertThrows(UserError.class, () -> w.append(TestFiles.randomBatch(2, 10, 1)));
            assertTrue(width.getMessage().contains("10 voxels: geometry tiny has 12"), width.getMessage());
            w.append(TestFiles.randomBatch(9, 12, 1)); // two temp parts flushed
            ShowerBatch bad = TestFiles.randomBatch(2, 12, 1);
            bad.showersMeV()[13] = -1;
            UserError neg = assertThrows(UserError.class, () -> w.append(bad));
            assertTrue(neg.getMessage().contains("row 10: voxel 1 energy -1.0 MeV is negative"), neg.getMessage());
            w.abort();
        }
        try (Stream<Path> l = Files.list(dir)) {
            assertEquals(List.of(), l.toList(), "abort leaves nothing");
        }
        // closing without commit discards and complains
        ShowerWriter forgot = new ShowerWriter(out, TINY, ShowerWriter.Precision.FLOAT32, 4);
        forgot.append(TestFiles.randomBatch(9, 12, 1));
        assertThrows(IllegalStateException.class, forgot::close);
        assertFalse(Files.exists(out));
        assertNoTempFiles(dir);
        // an exception inside try-with-resources leaves nothing either
        assertThrows(ArithmeticException.class, () -> {
            try (ShowerWriter w = new ShowerWriter(out, TINY, ShowerWriter.Precision.FLOAT32, 4)) {
                w.append(TestFiles.randomBatch(9, 12, 1));
                throw new ArithmeticException("boom");
            }
        });
        try (Stream<Path> l = Files.list(dir)) {
            assertEquals(List.of(), l.toList());
        }
        // nothing to write
        try (ShowerWriter w = new ShowerWriter(out, TINY, ShowerWriter.Precision.FLOAT32)) {
            assertThrows(UserError.class, w::commit);
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void partSizeIsCappedByMemory() {
        ShowerWriter w = new ShowerWriter(Path.of("x.hdf5"), Geometry.ds3(), ShowerWriter.Precision.FLOAT32, 100_000);
        assertEquals((1L << 30) / (40500 * 4), w.rowsPerPart());
        w.abort();
        assertEquals(Path.of("a/b.part0012.hdf5"), ShowerWriter.partPath(Path.of("a/b.hdf5"), 12));
        assertEquals(Path.of("noext.part0001"), ShowerWriter.partPath(Path.of("noext"), 1));
    }

    @Test
    void atomicFilesReplaceOrLeaveNothing(@TempDir Path dir) throws IOException {
        Path t = dir.resolve("a.txt");
        AtomicFiles.writeString(t, "one");
        AtomicFiles.writeString(t, "two");
        assertEquals("two", Files.readString(t));
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(t, tmp -> {
            Files.writeString(tmp, "partial");
            throw new IllegalStateException("fail");
        }));
        UserError io = assertThrows(UserError.class, () -> AtomicFiles.write(t, tmp -> {
            Files.writeString(tmp, "partial");
            throw new IOException("disk full");
        }));
        assertTrue(io.getMessage().startsWith(t + ": cannot write"), io.getMessage());
        assertEquals("two", Files.readString(t));
        assertNoTempFiles(dir);
        AtomicFiles.writeString(dir.resolve("sub/dir/b.txt"), "x");
        assertEquals("x", Files.readString(dir.resolve("sub/dir/b.txt")));
    }

    static void assertNoTempFiles(Path dir) throws IOException {
        try (Stream<Path> l = Files.walk(dir)) {
            List<Path> tmp = l.filter(p -> p.getFileName().toString().contains(".tmp-")).toList();
            assertEquals(List.of(), tmp);
        }
    }

    // ---- h5py compatibility (skipped when python3 + h5py are not installed) ----

    static boolean h5py() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import h5py, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String python(String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void h5pyReadsOurFilesAndAgreesOnGolden(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(h5py(), "python3 with h5py and numpy not available");
        ShowerBatch b = TestFiles.randomBatch(23, TINY.voxels(), 9);
        Path f32 = dir.resolve("ours32.hdf5"), f64 = dir.resolve("ours64.hdf5"), plain = dir.resolve("plain.hdf5");
        ShowerWriter.writeAll(f32, TINY, b, ShowerWriter.Precision.FLOAT32);
        ShowerWriter.writeAll(f64, TINY, b, ShowerWriter.Precision.FLOAT64);
        try (ShowerWriter w = new ShowerWriter(plain, TINY, ShowerWriter.Precision.FLOAT32, 1000, 0)) {
            w.append(b);
            w.commit();
        }
        Path expected = dir.resolve("expected.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.size(); i++) {
            sb.append(Double.toString(b.incidentEnergyMeV()[i]));
            for (int k = 0; k < b.voxels(); k++) sb.append(' ').append(Float.toString(b.voxel(i, k)));
            sb.append('\n');
        }
        Files.writeString(expected, sb);
        String check = """
                import sys, h5py, numpy as np
                exp = np.loadtxt(sys.argv[3])
                for path, dt in ((sys.argv[1], 'float32'), (sys.argv[2], 'float64'), (sys.argv[4], 'float32')):
                    with h5py.File(path, 'r') as f:
                        e, s = f['incident_energies'], f['showers']
                        assert e.shape == (23, 1) and e.dtype == np.float64, (e.shape, e.dtype)
                        assert s.shape == (23, 12) and s.dtype == dt, (s.shape, s.dtype)
                        if path == sys.argv[4]:
                            assert s.chunks is None and s.compression is None, (s.compression, s.chunks)
                        else:
                            assert s.compression == 'gzip' and s.compression_opts == 4 and s.chunks[1] == 12, (s.compression, s.chunks)
                        assert np.array_equal(e[:, 0], exp[:, 0])
                        assert np.array_equal(s[:].astype(np.float32), exp[:, 1:].astype(np.float32))
                print('ok')
                """;
        assertEquals("ok", python(check, f32.toString(), f64.toString(), expected.toString(), plain.toString()).strip());

        Path golden = TestFiles.golden(dir);
        String sums = python("""
                import sys, h5py, numpy as np
                with h5py.File(sys.argv[1], 'r') as f:
                    s = f['showers'][:].astype(np.float64).sum(axis=1)
                    e = f['incident_energies'][:, 0]
                print(len(e)); print(repr(float(e[0])))
                print(' '.join(repr(float(x)) for x in s))
                """, golden.toString());
        List<String> lines = sums.lines().toList();
        try (ShowerFile f = ShowerFile.open(golden, Geometry.ds2())) {
            assertEquals(Long.parseLong(lines.get(0)), f.size());
            ShowerBatch all = f.read(0, (int) f.size());
            assertEquals(Double.parseDouble(lines.get(1)), all.incidentEnergyMeV()[0], 0);
            String[] ps = lines.get(2).split(" ");
            for (int i = 0; i < 50; i++) assertEquals(Double.parseDouble(ps[i]), all.showerSum(i), 1e-9 * Math.abs(Double.parseDouble(ps[i])));
        }
    }

    @Test
    void readsH5pyVariants(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(h5py(), "python3 with h5py and numpy not available");
        python("""
                import sys, os, h5py, numpy as np
                d = sys.argv[1]
                e = (np.arange(5, dtype=np.float64) + 1) * 1000.0
                s = np.arange(5 * 12, dtype=np.float64).reshape(5, 12) / 7
                with h5py.File(os.path.join(d, 'ub.h5'), 'w', userblock_size=512) as f:
                    f['incident_energies'] = e[:, None]; f['showers'] = s.astype(np.float32)
                with h5py.File(os.path.join(d, 'lzf.h5'), 'w') as f:
                    f['incident_energies'] = e[:, None]; f.create_dataset('showers', data=s.astype(np.float32), compression='lzf')
                with h5py.File(os.path.join(d, 'shuffle.h5'), 'w') as f:
                    f.create_dataset('incident_energies', data=e.astype(np.float32))
                    f.create_dataset('showers', data=s, chunks=(2, 5), compression='gzip', shuffle=True, fletcher32=True)
                with h5py.File(os.path.join(d, 'latest.h5'), 'w', libver='latest') as f:
                    f['incident_energies'] = e[:, None]; f.create_dataset('showers', data=s, chunks=(2, 12), compression='gzip')
                """, dir.toString());
        double[] e = {1000, 2000, 3000, 4000, 5000};
        for (String name : List.of("ub.h5", "lzf.h5", "shuffle.h5", "latest.h5")) {
            Path p = dir.resolve(name);
            ShowerBatch b;
            try (ShowerFile f = ShowerFile.open(p, TINY)) {
                b = f.read(1, 4);
            } catch (UserError err) {
                // HDF5 2.x writes data layout message v5 for libver='latest', which jhdf 0.13.0 cannot read
                assertEquals("latest.h5", name, err.getMessage());
                assertTrue(err.getMessage().contains("jhdf cannot read"), err.getMessage());
                continue;
            }
            assertArrayEquals(java.util.Arrays.copyOfRange(e, 1, 5), b.incidentEnergyMeV(), name);
            assertEquals((float) ((1 * 12 + 3) / 7.0), b.voxel(0, 3), name);
            assertEquals((float) ((4 * 12 + 11) / 7.0), b.voxel(3, 11), name);
        }
    }
}
