package org.icaloflow.evaluate.classifier;

import java.util.List;

/**
 * The rows of one class's classifier input (one row = one shower's input vector), held in one or more
 * float arrays so that a class may hold more than 2^31 values in all (dataset 3's low-level input is
 * 40501 floats per shower: 53k showers fill one Java array). Rows are addressed by an int: up to 2^31 − 1
 * showers per class. {@link #copyRow} is called from one thread at a time, but not always the same thread
 * (batches are gathered on a background thread).
 */
public interface RowSource {
    /** Number of rows. */
    int rows();

    /** Values per row. */
    int dim();

    /** Copies row {@code row} into {@code out[offset .. offset + dim())}. */
    void copyRow(int row, float[] out, int offset);

    /** Rows stored back to back in one array ({@code data.length} must be a multiple of {@code dim}). */
    static RowSource of(float[] data, int dim) {
        return ofBlocks(List.of(data), dim);
    }

    /**
     * Rows stored back to back in several arrays, in order; each array holds whole rows (its length a
     * multiple of {@code dim}). The arrays are used as they are, not copied.
     */
    static RowSource ofBlocks(List<float[]> blocks, int dim) {
        if (dim < 1) throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        int n = blocks.size();
        int[] start = new int[n + 1];
        long total = 0;
        for (int i = 0; i < n; i++) {
            float[] b = blocks.get(i);
            if (b.length % dim != 0) {
                throw new IllegalArgumentException("block " + i + " has " + b.length + " values, not a multiple of dim " + dim);
            }
            total += b.length / dim;
            if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("more than 2^31 - 1 rows");
            start[i + 1] = (int) total;
        }
        final float[][] arrays = blocks.toArray(new float[0][]);
        final int rows = (int) total;
        return new RowSource() {
            @Override
            public int rows() {
                return rows;
            }

            @Override
            public int dim() {
                return dim;
            }

            @Override
            public void copyRow(int row, float[] out, int offset) {
                if (row < 0 || row >= rows) throw new IndexOutOfBoundsException("row " + row + " of " + rows);
                // binary search for the block holding the row (few blocks; rows are random-access)
                int lo = 0, hi = arrays.length - 1;
                while (lo < hi) {
                    int mid = (lo + hi + 1) >>> 1;
                    if (start[mid] <= row) lo = mid; else hi = mid - 1;
                }
                while (start[lo + 1] <= row) lo++; // skip empty blocks
                System.arraycopy(arrays[lo], (row - start[lo]) * dim, out, offset, dim);
            }
        };
    }
}
