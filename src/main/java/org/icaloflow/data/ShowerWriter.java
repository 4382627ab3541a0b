package org.icaloflow.data;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.DatasetCreationOptions;
import org.icaloflow.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes showers in the official CaloChallenge format: {@code incident_energies} (N,1) float64 and
 * {@code showers} (N, voxels) float32 or float64, in MeV, chunked by whole rows (about 1 MiB a chunk) and
 * deflate-compressed at level {@value #DEFAULT_DEFLATE_LEVEL} like the official files (readable by h5py /
 * HDF5 1.10+). No byte shuffle: jhdf's pure-Java shuffle doubled write and read times without making
 * showers smaller. Level 0 writes contiguous, uncompressed datasets (about 40x faster to write).
 *
 * <p>jhdf writes a dataset from one in-memory array, so rows are buffered and written in parts of at most
 * {@link #rowsPerPart()} rows. If all rows fit in one part the output is exactly {@code out}; otherwise it
 * is {@code STEM.part0001.EXT}, {@code STEM.part0002.EXT}, ... next to {@code out} (each a complete
 * file), which {@link ShowerSource} reads back when given {@code out}. Every file is first written to a
 * hidden temp file and moved into place only by {@link #commit()}; {@link #abort()} (or {@link #close()}
 * without a commit) leaves nothing behind. Stale outputs of the other layout (an old {@code out} or old
 * parts) are deleted on commit. Not thread-safe.
 *
 * <pre>{@code
 * try (ShowerWriter w = new ShowerWriter(out, g, Precision.FLOAT32, ShowerWriter.DEFAULT_ROWS_PER_PART)) {
 *     for (...) w.append(batch);
 *     List<Path> written = w.commit();
 * }
 * }</pre>
 */
public final class ShowerWriter implements AutoCloseable {

    /** Storage type of the {@code showers} dataset (energies are always float64). */
    public enum Precision { FLOAT32, FLOAT64;

        public int bytes() {
            return this == FLOAT32 ? 4 : 8;
        }

        /** "float32" or "float64" (any case); a UserError naming {@code option} otherwise. */
        public static Precision parse(String text, String option) {
            return switch (text.toLowerCase(java.util.Locale.ROOT)) {
                case "float32" -> FLOAT32;
                case "float64" -> FLOAT64;
                default -> throw new UserError(option + " must be float32 or float64, got '" + text + "'");
            };
        }
    }

    static {
        ShowerFile.quietJhdf();
    }

    public static final long DEFAULT_ROWS_PER_PART = 100_000;
    /** Parts are capped at this many bytes of uncompressed shower data (jhdf encodes a dataset in one array). */
    public static final long MAX_PART_BYTES = 1L << 30;
    /** Target uncompressed size of one chunk of {@code showers}. */
    static final long CHUNK_BYTES = 1L << 20;
    public static final int DEFAULT_DEFLATE_LEVEL = 4;

    private final Path out;
    private final Geometry geometry;
    private final Precision precision;
    private final int rowsPerPart;
    private final int voxels;
    private final int deflateLevel;

    private double[][] energyBuf;
    private Object showerBuf; // float[][] or double[][]
    private int buffered;
    private long written; // rows flushed to finished temp parts
    private final List<Path> tempParts = new ArrayList<>();
    private List<Path> result;
    private boolean aborted;

    /**
     * @param rowsPerPart rows per part file; capped so that a part holds at most {@link #MAX_PART_BYTES}
     *                    bytes of shower data (e.g. 6628 rows of dataset 3 in float32)
     */
    public ShowerWriter(Path out, Geometry g, Precision showerPrecision, long rowsPerPart) {
        this(out, g, showerPrecision, rowsPerPart, DEFAULT_DEFLATE_LEVEL);
    }

    /**
     * @param deflateLevel 1..9: chunked and deflate-compressed; 0: contiguous and uncompressed
     */
    public ShowerWriter(Path out, Geometry g, Precision showerPrecision, long rowsPerPart, int deflateLevel) {
        if (rowsPerPart < 1) throw new IllegalArgumentException("rowsPerPart must be >= 1, got " + rowsPerPart);
        if (deflateLevel < 0 || deflateLevel > 9) throw new IllegalArgumentException("deflateLevel must be 0..9, got " + deflateLevel);
        this.deflateLevel = deflateLevel;
        this.out = out;
        this.geometry = g;
        this.precision = showerPrecision;
        this.voxels = g.voxels();
        long cap = Math.max(1, MAX_PART_BYTES / ((long) voxels * showerPrecision.bytes()));
        this.rowsPerPart = (int) Math.min(rowsPerPart, cap);
    }

    /** With {@link #DEFAULT_ROWS_PER_PART} (capped as above). */
    public ShowerWriter(Path out, Geometry g, Precision showerPrecision) {
        this(out, g, showerPrecision, DEFAULT_ROWS_PER_PART);
    }

    /** Writes one batch to {@code out} (in parts if large) and commits; returns the files written. */
    public static List<Path> writeAll(Path out, Geometry g, ShowerBatch batch, Precision showerPrecision) {
        try (ShowerWriter w = new ShowerWriter(out, g, showerPrecision)) {
            w.append(batch);
            return w.commit();
        }
    }

    public Path out() {
        return out;
    }

    /** The effective rows per part (after the memory cap). */
    public int rowsPerPart() {
        return rowsPerPart;
    }

    /** Rows appended so far. */
    public long rows() {
        return written + buffered;
    }

    /**
     * Appends a batch. Its width must be the geometry's; values must be finite, incident energies positive
     * and voxel energies not negative (the same checks as reading), else {@link UserError}.
     */
    public void append(ShowerBatch batch) {
        ensureOpen();
        if (batch.voxels() != voxels)
            throw new UserError(out + ": cannot write showers of " + batch.voxels() + " voxels: geometry "
                    + geometry.name() + " has " + voxels);
        String problem = ShowerFile.check(batch.incidentEnergyMeV(), batch.showersMeV(), voxels, rows());
        if (problem != null) throw new UserError(out + ": cannot write " + problem);
        float[] s = batch.showersMeV();
        for (int i = 0; i < batch.size(); i++) {
            if (buffered == rowsPerPart) flushPart();
            if (energyBuf == null) allocate();
            else if (buffered == energyBuf.length) grow();
            energyBuf[buffered] = new double[]{batch.incidentEnergyMeV()[i]};
            if (precision == Precision.FLOAT32) {
                float[] row = new float[voxels];
                System.arraycopy(s, i * voxels, row, 0, voxels);
                ((float[][]) showerBuf)[buffered] = row;
            } else {
                double[] row = new double[voxels];
                for (int k = 0, o = i * voxels; k < voxels; k++) row[k] = s[o + k];
                ((double[][]) showerBuf)[buffered] = row;
            }
            buffered++;
        }
    }

    private void allocate() {
        int cap = (int) Math.min(rowsPerPart, 1024);
        energyBuf = new double[cap][];
        showerBuf = precision == Precision.FLOAT32 ? new float[cap][] : new double[cap][];
        buffered = 0;
    }

    private void grow() {
        int cap = (int) Math.min(rowsPerPart, (long) energyBuf.length * 2);
        energyBuf = java.util.Arrays.copyOf(energyBuf, cap);
        showerBuf = precision == Precision.FLOAT32
                ? java.util.Arrays.copyOf((float[][]) showerBuf, cap)
                : java.util.Arrays.copyOf((double[][]) showerBuf, cap);
    }

    private void ensureOpen() {
        if (aborted) throw new IllegalStateException(out + ": writer was aborted");
        if (result != null) throw new IllegalStateException(out + ": writer was already committed");
    }

    private void flushPart() {
        Path part = partPath(out, tempParts.size() + 1);
        Path tmp = AtomicFiles.tempFor(part);
        try {
            writeFile(tmp, trimmed());
        } catch (RuntimeException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw e;
        }
        tempParts.add(tmp);
        written += buffered;
        energyBuf = null;
        showerBuf = null;
        buffered = 0;
    }

    private Object[] trimmed() {
        if (energyBuf == null) {
            return new Object[]{new double[0][1], precision == Precision.FLOAT32 ? new float[0][voxels] : new double[0][voxels]};
        }
        double[][] e = energyBuf.length == buffered ? energyBuf : java.util.Arrays.copyOf(energyBuf, buffered);
        Object s = precision == Precision.FLOAT32
                ? (((float[][]) showerBuf).length == buffered ? showerBuf : java.util.Arrays.copyOf((float[][]) showerBuf, buffered))
                : (((double[][]) showerBuf).length == buffered ? showerBuf : java.util.Arrays.copyOf((double[][]) showerBuf, buffered));
        return new Object[]{e, s};
    }

    /** Writes the two datasets to {@code file} (not atomically: callers pass a temp path). */
    private void writeFile(Path file, Object[] data) {
        double[][] e = (double[][]) data[0];
        int n = e.length;
        if (n == 0) throw new UserError(out + ": no showers to write (jhdf cannot write empty datasets)");
        try (WritableHdfFile w = HdfFile.write(file)) {
            w.putDataset(ShowerFile.ENERGIES, e, options(n, 1, 8, deflateLevel));
            w.putDataset(ShowerFile.SHOWERS, data[1], options(n, voxels, precision.bytes(), deflateLevel));
        } catch (UserError ex) {
            throw ex;
        } catch (Exception ex) {
            throw new UserError(out + ": cannot write HDF5 (" + AtomicFiles.describe(ex) + ")", ex);
        }
    }

    /** Chunks of whole rows, about {@link #CHUNK_BYTES} each, deflated; level 0: contiguous. */
    static DatasetCreationOptions options(int rows, int cols, int bytes, int level) {
        if (level == 0) return DatasetCreationOptions.DEFAULT;
        long perRow = (long) cols * bytes;
        int chunkRows = (int) Math.max(1, Math.min(rows, CHUNK_BYTES / perRow));
        return DatasetCreationOptions.builder()
                .chunkDimensions(chunkRows, cols)
                .deflate(level)
                .build();
    }

    /**
     * Writes what is buffered and moves every file into place; returns the files written (one {@code out},
     * or its parts in order). Deletes stale files of the other layout. Multi-part commits are atomic per
     * file, not as a set.
     */
    public List<Path> commit() {
        if (result != null) return result;
        if (aborted) throw new IllegalStateException(out + ": writer was aborted");
        try {
            List<Path> files = new ArrayList<>();
            if (tempParts.isEmpty()) {
                Object[] data = trimmed();
                AtomicFiles.write(out, tmp -> writeFile(tmp, data));
                files.add(out);
                deleteStaleParts(1);
            } else {
                if (buffered > 0) flushPart();
                for (int i = 0; i < tempParts.size(); i++) {
                    Path target = partPath(out, i + 1);
                    AtomicFiles.commit(tempParts.get(i), target);
                    files.add(target);
                }
                tempParts.clear();
                AtomicFiles.deleteQuietly(out);
                deleteStaleParts(files.size() + 1);
            }
            energyBuf = null;
            showerBuf = null;
            result = List.copyOf(files);
            return result;
        } catch (IOException e) {
            abort();
            throw new UserError(out + ": cannot move output into place (" + AtomicFiles.describe(e) + ")", e);
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    private void deleteStaleParts(int fromIndex) {
        for (Path p : partsOnDisk()) {
            String[] se = stemAndExtension(out.getFileName().toString());
            String num = p.getFileName().toString().substring(se[0].length() + ".part".length(),
                    p.getFileName().toString().length() - se[1].length());
            if (Integer.parseInt(num) >= fromIndex) AtomicFiles.deleteQuietly(p);
        }
    }

    private List<Path> partsOnDisk() {
        Path dir = out.toAbsolutePath().getParent();
        String[] se = stemAndExtension(out.getFileName().toString());
        java.util.regex.Pattern pat = java.util.regex.Pattern.compile(
                java.util.regex.Pattern.quote(se[0]) + "\\.part\\d{4,}" + java.util.regex.Pattern.quote(se[1]));
        try (var s = Files.list(dir)) {
            return s.filter(p -> pat.matcher(p.getFileName().toString()).matches()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Discards everything: deletes temp files, writes nothing. Idempotent; no-op after a commit. */
    public void abort() {
        if (result != null) return;
        aborted = true;
        for (Path p : tempParts) AtomicFiles.deleteQuietly(p);
        tempParts.clear();
        energyBuf = null;
        showerBuf = null;
        buffered = 0;
    }

    /**
     * Ends the writer. After {@link #commit()} this does nothing. Without a commit it aborts (so an
     * exception inside try-with-resources leaves no output) and, unless {@link #abort()} was called, throws
     * {@link IllegalStateException} to flag the forgotten commit.
     */
    @Override
    public void close() {
        if (result != null || aborted) return;
        abort();
        throw new IllegalStateException(out + ": ShowerWriter closed without commit(); nothing was written");
    }

    /** {@code gen.hdf5} -> {@code gen.part0003.hdf5} for i = 3. */
    public static Path partPath(Path out, int i) {
        String[] se = stemAndExtension(out.getFileName().toString());
        return out.resolveSibling(String.format("%s.part%04d%s", se[0], i, se[1]));
    }

    /** {"gen", ".hdf5"} for "gen.hdf5"; {"gen", ""} when there is no extension. */
    static String[] stemAndExtension(String name) {
        int dot = name.lastIndexOf('.');
        if (dot <= 0) return new String[]{name, ""};
        return new String[]{name.substring(0, dot), name.substring(dot)};
    }
}
