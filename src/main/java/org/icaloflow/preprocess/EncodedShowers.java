package org.icaloflow.preprocess;

import org.icaloflow.UserError;
import org.icaloflow.data.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Preprocessed showers as a flat float32 file that training reads by row ranges with positional reads, so
 * any pass over it needs O(batch) memory whatever its size. The noise of Appendix A is not in the file: the
 * training loader draws it afresh for every pass ({@link Dequantisation}) and encodes (A2-A4) on the fly.
 *
 * <p>Layout (little-endian): a 32-byte header {@code "ICFENC02"}, int32 rows, int32 layers,
 * int32 voxelsPerLayer, int64 noise seed (from {@code preprocess.seed} and the file's role), 4 bytes reserved;
 * then {@code rows} rows of {@code 1 + layers + layers*voxelsPerLayer} floats: the incident-energy condition
 * (A1, noise-free), the layer energies E_i in MeV (sums of the voxels), and the voxel energies in MeV,
 * layer-major. Files of format {@code ICFENC01} (noise drawn once, encoded values) are refused.
 */
public final class EncodedShowers implements AutoCloseable {
    private static final byte[] OLD_MAGIC = "ICFENC01".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] MAGIC = "ICFENC02".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = 32;

    private final Path path;
    private final FileChannel channel;
    private final int rows, layers, voxelsPerLayer;
    private final long noiseSeed;

    private EncodedShowers(Path path, FileChannel channel, int rows, int layers, int voxelsPerLayer, long noiseSeed) {
        this.path = path;
        this.noiseSeed = noiseSeed;
        this.channel = channel;
        this.rows = rows;
        this.layers = layers;
        this.voxelsPerLayer = voxelsPerLayer;
    }

    /** Floats per row. */
    public static int width(int layers, int voxelsPerLayer) {
        return 1 + layers + layers * voxelsPerLayer;
    }

    public int width() {
        return width(layers, voxelsPerLayer);
    }

    public int rows() {
        return rows;
    }

    public int layers() {
        return layers;
    }

    public int voxelsPerLayer() {
        return voxelsPerLayer;
    }

    /** Seed of this file's dequantisation noise ({@link Dequantisation#fileSeed}). */
    public long noiseSeed() {
        return noiseSeed;
    }

    public Path path() {
        return path;
    }

    /** Opens and checks a file (magic, header, size). */
    public static EncodedShowers open(Path path) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (h.hasRemaining() && ch.read(h, h.position()) > 0) {
                // fill the header
            }
            h.flip();
            byte[] magic = new byte[8];
            if (h.remaining() < HEADER_BYTES) throw new UserError(path + ": not a preprocessed shower file (too short)");
            h.get(magic);
            if (java.util.Arrays.equals(magic, OLD_MAGIC))
                throw new UserError(path + ": preprocessed by an older icaloflow (format ICFENC01, noise drawn once): re-run preprocess");
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new UserError(path + ": not a preprocessed shower file (bad magic)");
            int rows = h.getInt(), layers = h.getInt(), vpl = h.getInt();
            long noiseSeed = h.getLong();
            long expected = HEADER_BYTES + (long) rows * width(layers, vpl) * 4L;
            if (rows < 0 || layers < 1 || vpl < 1 || ch.size() != expected)
                throw new UserError(path + ": truncated or corrupt preprocessed file (" + ch.size() + " bytes, expected " + expected + ")");
            return new EncodedShowers(path, ch, rows, layers, vpl, noiseSeed);
        } catch (NoSuchFileException e) {
            closeQuietly(ch);
            throw new UserError(path + ": file not found");
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UserError(path + ": cannot read (" + e.getMessage() + ")");
        } catch (UserError e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** Reads rows [from, from+count) into a new array (count x width). */
    public float[] read(int from, int count) {
        float[] out = new float[count * width()];
        read(from, count, out);
        return out;
    }

    /** Reads rows [from, from+count) into {@code out}. */
    public void read(int from, int count, float[] out) {
        if (from < 0 || count < 0 || from + count > rows)
            throw new IndexOutOfBoundsException("rows [" + from + ", " + (from + count) + ") of " + rows);
        int w = width();
        ByteBuffer buf = ByteBuffer.allocate(count * w * 4).order(ByteOrder.LITTLE_ENDIAN);
        long pos = HEADER_BYTES + (long) from * w * 4L;
        try {
            while (buf.hasRemaining()) {
                int r = channel.read(buf, pos + buf.position());
                if (r < 0) throw new UserError(path + ": unexpected end of file");
            }
        } catch (IOException e) {
            throw new UserError(path + ": cannot read (" + e.getMessage() + ")");
        }
        buf.flip();
        buf.asFloatBuffer().get(out, 0, count * w);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // closing a read channel
        }
    }

    /** Streams rows into a temp file; {@link #commit()} writes the header and renames it into place. */
    public static final class Writer implements AutoCloseable {
        private final Path target, tmp;
        private final FileChannel ch;
        private final int layers, voxelsPerLayer;
        private final long noiseSeed;
        private int rows;
        private boolean committed;

        public Writer(Path target, int layers, int voxelsPerLayer) {
            this(target, layers, voxelsPerLayer, 0L);
        }

        /** @param noiseSeed the file's noise seed, kept in the header */
        public Writer(Path target, int layers, int voxelsPerLayer, long noiseSeed) {
            this.noiseSeed = noiseSeed;
            this.target = target;
            this.layers = layers;
            this.voxelsPerLayer = voxelsPerLayer;
            this.tmp = AtomicFiles.tempFor(target);
            try {
                ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ch.write(ByteBuffer.allocate(HEADER_BYTES));
            } catch (IOException e) {
                AtomicFiles.deleteQuietly(tmp);
                throw new UserError(target + ": cannot write (" + e.getMessage() + ")");
            }
        }

        /** Appends {@code count} rows of {@link #width} floats from {@code data}. */
        public void append(float[] data, int count) {
            int w = width(layers, voxelsPerLayer);
            if (data.length < count * w) throw new IllegalArgumentException("data shorter than count x width");
            ByteBuffer buf = ByteBuffer.allocate(count * w * 4).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer fb = buf.asFloatBuffer();
            fb.put(data, 0, count * w);
            try {
                while (buf.hasRemaining()) ch.write(buf);
            } catch (IOException e) {
                throw new UserError(target + ": cannot write (" + e.getMessage() + ")");
            }
            rows += count;
        }

        public int rows() {
            return rows;
        }

        public void commit() {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.put(MAGIC).putInt(rows).putInt(layers).putInt(voxelsPerLayer).putLong(noiseSeed);
            h.position(HEADER_BYTES).flip();
            try {
                while (h.hasRemaining()) ch.write(h, h.position());
                ch.force(true);
                ch.close();
                AtomicFiles.commit(tmp, target);
                committed = true;
            } catch (IOException e) {
                throw new UserError(target + ": cannot write (" + e.getMessage() + ")");
            }
        }

        /** Without a commit, deletes the temp file: nothing is left behind. */
        @Override
        public void close() {
            if (!committed) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // cleanup
                }
                AtomicFiles.deleteQuietly(tmp);
            }
        }
    }

    /** True when {@code p} exists. */
    public static boolean exists(Path p) {
        return Files.isRegularFile(p);
    }
}
