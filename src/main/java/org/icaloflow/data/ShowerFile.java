package org.icaloflow.data;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FloatingPoint;
import org.icaloflow.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One CaloChallenge HDF5 file, read in slices: {@code incident_energies} (N,1) or (N,) and {@code showers}
 * (N, voxels), float32 or float64, in MeV.
 *
 * <p>{@link #open} checks the structure (file present, HDF5 signature, not truncated, both datasets there,
 * floating point, shapes consistent with each other and with the geometry); {@link #read} checks the values
 * of every row it returns (finite, incident energy positive, voxel energies not negative). Every problem is
 * a {@link UserError} whose one-line message names the file (and the row, for values). Memory use is that
 * of the rows requested. Not thread-safe.
 */
public final class ShowerFile implements AutoCloseable {
    public static final String ENERGIES = "incident_energies";
    public static final String SHOWERS = "showers";

    static {
        quietJhdf();
    }

    /**
     * jhdf logs a WARN for every file it writes ("Writing files is in alpha") and for harmless quirks it
     * meets while reading; keep its loggers at ERROR unless the user set a level for them
     * ({@code -Dorg.slf4j.simpleLogger.log.io.jhdf=warn}). Must run before jhdf's classes load.
     */
    static void quietJhdf() {
        String key = "org.slf4j.simpleLogger.log.io.jhdf";
        if (System.getProperty(key) == null) System.setProperty(key, "error");
    }

    static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private final Path path;
    private final Geometry geometry;
    private final HdfFile hdf;
    private final Dataset energies;
    private final Dataset showers;
    private final boolean energies2d;
    private final long rows;

    private ShowerFile(Path path, Geometry geometry, HdfFile hdf, Dataset energies, Dataset showers, long rows) {
        this.path = path;
        this.geometry = geometry;
        this.hdf = hdf;
        this.energies = energies;
        this.showers = showers;
        this.energies2d = energies.getDimensions().length == 2;
        this.rows = rows;
    }

    /** Opens and checks the structure of {@code file} for geometry {@code g}; problems are {@link UserError}s. */
    public static ShowerFile open(Path file, Geometry g) {
        if (!Files.exists(file)) throw new UserError(file + ": file not found");
        if (!Files.isRegularFile(file)) throw new UserError(file + ": not a regular file");
        if (!Files.isReadable(file)) throw new UserError(file + ": file not readable");
        checkSignature(file);
        HdfFile hdf = null;
        try {
            hdf = new HdfFile(file);
            // files with a user block differ on whether the end-of-file address counts it: ignore it here
            long expected = hdf.getHdfBackingStorage().getSuperblock().getEndOfFileAddress();
            long actual = Files.size(file);
            if (actual < expected)
                throw new UserError(file + ": truncated HDF5 file (" + actual + " bytes, its superblock says " + expected + ")");
            Dataset e = dataset(file, hdf, ENERGIES);
            Dataset s = dataset(file, hdf, SHOWERS);
            long[] ed = e.getDimensionsAsLong();
            long[] sd = s.getDimensionsAsLong();
            if (sd.length != 2)
                throw new UserError(file + ": '" + SHOWERS + "' has shape " + shape(sd) + " but (N, voxels) is expected");
            if (sd[1] != g.voxels())
                throw new UserError(file + ": '" + SHOWERS + "' has " + sd[1] + " voxels per shower but geometry "
                        + g.name() + " needs " + g.voxels());
            if (!(ed.length == 1 || (ed.length == 2 && ed[1] == 1)))
                throw new UserError(file + ": '" + ENERGIES + "' has shape " + shape(ed) + " but (N, 1) or (N,) is expected");
            if (ed[0] != sd[0])
                throw new UserError(file + ": '" + ENERGIES + "' has " + ed[0] + " rows but '" + SHOWERS + "' has " + sd[0]);
            ShowerFile f = new ShowerFile(file, g, hdf, e, s, sd[0]);
            hdf = null; // owned by f now
            return f;
        } catch (UserError e) {
            throw e;
        } catch (Exception | StackOverflowError e) {
            throw readError(file, "cannot read HDF5 structure", e);
        } finally {
            if (hdf != null) closeQuietly(hdf);
        }
    }

    /** One line for a jhdf/IO failure: the outermost and the innermost cause. */
    static UserError readError(Path file, String what, Throwable e) {
        Throwable root = e;
        boolean unsupported = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            root = t;
            if (t instanceof io.jhdf.exceptions.UnsupportedHdfException) unsupported = true;
        }
        String detail = AtomicFiles.describe(e) + (root == e ? "" : " <- " + AtomicFiles.describe(root));
        if (unsupported)
            return new UserError(file + ": " + what + ": uses an HDF5 feature that jhdf cannot read (" + detail
                    + "); files written with h5py's default libver are readable", e);
        return new UserError(file + ": " + what + ", truncated or corrupt? (" + detail + ")", e);
    }

    private static void closeQuietly(HdfFile hdf) {
        try {
            hdf.close();
        } catch (Exception ignored) {
            // already failing
        }
    }

    private static Dataset dataset(Path file, HdfFile hdf, String name) {
        Node n = hdf.getChildren().get(name);
        if (n == null) throw new UserError(file + ": missing dataset '" + name + "'");
        if (!(n instanceof Dataset d)) throw new UserError(file + ": '" + name + "' is a " + n.getType() + ", not a dataset");
        DataType t = d.getDataType();
        if (!(t instanceof FloatingPoint fp) || !(fp.getBitPrecision() == 32 || fp.getBitPrecision() == 64)
                || !(d.getJavaType() == float.class || d.getJavaType() == double.class))
            throw new UserError(file + ": dataset '" + name + "' has type " + typeName(t) + "; float32 or float64 is expected");
        if (d.isScalar() || d.isVariableLength() || d.isCompound())
            throw new UserError(file + ": dataset '" + name + "' is not a plain array");
        return d;
    }

    private static String typeName(DataType t) {
        if (t instanceof FloatingPoint fp) return "float" + fp.getBitPrecision();
        return t.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + (t.getSize() > 0 ? t.getSize() * 8 : "");
    }

    private static String shape(long[] d) {
        if (d.length == 1) return "(" + d[0] + ",)";
        return Arrays.toString(d).replace('[', '(').replace(']', ')');
    }

    /** Checks the HDF5 signature at offset 0 (or 512, 1024, ... after a user block), before jhdf sees the file. */
    static void checkSignature(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) throw new UserError(file + ": not an HDF5 file (empty)");
            ByteBuffer b = ByteBuffer.allocate(HDF5_SIGNATURE.length);
            for (long at = 0; at + HDF5_SIGNATURE.length <= size; at = at == 0 ? 512 : at * 2) {
                b.clear();
                while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
                    // fill
                }
                if (!b.hasRemaining() && Arrays.equals(b.array(), HDF5_SIGNATURE)) return;
            }
            throw new UserError(file + ": not an HDF5 file (no HDF5 signature)");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + AtomicFiles.describe(e) + ")", e);
        }
    }

    /** True when the file starts with the HDF5 signature (no user block); for quick sniffing. */
    public static boolean looksLikeHdf5(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(HDF5_SIGNATURE.length), HDF5_SIGNATURE);
        } catch (IOException e) {
            return false;
        }
    }

    public Path path() {
        return path;
    }

    /** Number of showers (rows). */
    public long size() {
        return rows;
    }

    public Geometry geometry() {
        return geometry;
    }

    /** Storage precision of the {@code showers} dataset. */
    public ShowerWriter.Precision showerPrecision() {
        return showers.getJavaType() == double.class ? ShowerWriter.Precision.FLOAT64 : ShowerWriter.Precision.FLOAT32;
    }

    /**
     * Rows {@code [from, from+count)}, converted to float (showers) and double (energies), and checked:
     * a NaN/infinite value, a non-positive incident energy or a negative voxel energy is a {@link UserError}
     * naming the file and the row (counted from 0 in this file).
     */
    public ShowerBatch read(long from, int count) {
        if (from < 0 || count < 0 || from + count > rows)
            throw new IndexOutOfBoundsException("rows [" + from + ", " + (from + count) + ") of " + path + " with " + rows + " rows");
        int v = geometry.voxels();
        if ((long) count * v > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException(count + " rows x " + v + " voxels do not fit in one Java array");
        double[] e = new double[count];
        float[] s = new float[count * v];
        if (count == 0) return new ShowerBatch(e, s, v);
        try {
            Object ed = energies2d
                    ? energies.getData(new long[]{from, 0}, new int[]{count, 1})
                    : energies.getData(new long[]{from}, new int[]{count});
            if (ed instanceof double[][] d2) for (int i = 0; i < count; i++) e[i] = d2[i][0];
            else if (ed instanceof float[][] f2) for (int i = 0; i < count; i++) e[i] = f2[i][0];
            else if (ed instanceof double[] d1) System.arraycopy(d1, 0, e, 0, count);
            else if (ed instanceof float[] f1) for (int i = 0; i < count; i++) e[i] = f1[i];
            else throw new IllegalStateException("unexpected energies array " + ed.getClass());
            Object sd = showers.getData(new long[]{from, 0}, new int[]{count, v});
            if (sd instanceof float[][] f2) {
                for (int i = 0; i < count; i++) System.arraycopy(f2[i], 0, s, i * v, v);
            } else if (sd instanceof double[][] d2) {
                for (int i = 0; i < count; i++) {
                    double[] row = d2[i];
                    for (int k = 0, o = i * v; k < v; k++) s[o + k] = (float) row[k];
                }
            } else throw new IllegalStateException("unexpected showers array " + sd.getClass());
        } catch (UserError | IllegalStateException ex) {
            throw ex;
        } catch (Exception | StackOverflowError ex) {
            throw readError(path, "cannot read rows " + from + ".." + (from + count - 1), ex);
        }
        String problem = check(e, s, v, from);
        if (problem != null) throw new UserError(path + ": " + problem);
        return new ShowerBatch(e, s, v);
    }

    /** The first value problem in a block whose first row is row {@code firstRow}, or null. */
    static String check(double[] e, float[] s, int v, long firstRow) {
        for (int i = 0; i < e.length; i++) {
            double x = e[i];
            if (!Double.isFinite(x) || x <= 0)
                return "row " + (firstRow + i) + ": incident energy " + x + " MeV is " + (Double.isFinite(x) ? "not positive" : "not finite");
        }
        for (int i = 0; i < s.length; i++) {
            float x = s[i];
            if (!(x >= 0) || x == Float.POSITIVE_INFINITY) {
                return "row " + (firstRow + i / v) + ": voxel " + (i % v) + " energy " + x + " MeV is "
                        + (Float.isFinite(x) ? "negative" : "not finite (as float32)");
            }
        }
        return null;
    }

    @Override
    public void close() {
        try {
            hdf.close();
        } catch (Exception e) {
            // reading is done; nothing to lose
        }
    }

    @Override
    public String toString() {
        return path + " (" + rows + " showers, " + geometry.name() + ")";
    }
}
