package org.icaloflow.train;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/** Flow-1 and Flow-2 samples: small enough to hold in memory (N x 45, N x 144 or N x 900 floats). */
public final class InMemoryData implements TrainingData {
    private final float[] x, c;
    private final int dim, conditionDim, n;

    public InMemoryData(float[] x, int dim, float[] c, int conditionDim) {
        this.x = x;
        this.c = c;
        this.dim = dim;
        this.conditionDim = conditionDim;
        this.n = x.length / dim;
        if (x.length != n * dim || c.length != n * conditionDim) throw new IllegalArgumentException("x and c sizes do not match");
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public int conditionDim() {
        return conditionDim;
    }

    @Override
    public long size() {
        return n;
    }

    @Override
    public Iterator<Batch> batches(int batchSize, boolean shuffle, long seed, long skip) {
        return batches(n, dim, conditionDim, order(n, shuffle, seed), batchSize, skip, (r, bx, xAt, bc, cAt) -> {
            System.arraycopy(x, r * dim, bx, xAt, dim);
            System.arraycopy(c, r * conditionDim, bc, cAt, conditionDim);
        });
    }

    /** Writes sample {@code row}'s target at {@code x[xAt..]} and its condition at {@code c[cAt..]}. */
    interface RowFill {
        void fill(int row, float[] x, int xAt, float[] c, int cAt);
    }

    /** Batches of rows {@code order[skip*batchSize..]} of an in-memory source, each row written by {@code fill}. */
    static Iterator<Batch> batches(int n, int dim, int conditionDim, int[] order, int batchSize, long skip, RowFill fill) {
        return new Iterator<>() {
            int pos = (int) Math.min(n, skip * batchSize);

            @Override
            public boolean hasNext() {
                return pos < n;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                int b = Math.min(batchSize, n - pos);
                float[] bx = new float[b * dim], bc = new float[b * conditionDim];
                for (int i = 0; i < b; i++) fill.fill(order[pos + i], bx, i * dim, bc, i * conditionDim);
                pos += b;
                return new Batch(bx, bc, b);
            }
        };
    }

    /** 0..n-1, shuffled (Fisher-Yates) by {@code seed} when asked. */
    static int[] order(int n, boolean shuffle, long seed) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        if (shuffle) {
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = o[i];
                o[i] = o[j];
                o[j] = t;
            }
        }
        return o;
    }
}
