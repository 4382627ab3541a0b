package org.icaloflow.train;

import org.icaloflow.preprocess.EncodedShowers;
import org.icaloflow.preprocess.Preprocessing;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Flow-3 samples, streamed: every (shower, layer i = 2..45) pair of a preprocessed file, built on the fly.
 *
 * <p>A pass visits the showers in a seeded random order, {@code chunkShowers} at a time: the chunk's rows are
 * read with positional reads, its 44 x chunk pairs shuffled together, and batches cut from them (a partial
 * batch is carried into the next chunk). Memory is O(chunkShowers x row width + batch), independent of the
 * number of showers: the paper had to split dataset 3 in two halves for memory; this does not.
 */
public final class NextLayerData implements TrainingData {
    private final EncodedShowers file;
    private final int showers, chunkShowers, layers, vpl, condDim;

    /** @param maxShowers use the first this many showers of the file (0: all) */
    public NextLayerData(EncodedShowers file, int chunkShowers, int maxShowers) {
        this.file = file;
        this.showers = maxShowers > 0 ? Math.min(maxShowers, file.rows()) : file.rows();
        this.chunkShowers = Math.max(1, chunkShowers);
        this.layers = file.layers();
        this.vpl = file.voxelsPerLayer();
        this.condDim = Preprocessing.flow3ConditionWidth(layers, vpl);
    }

    @Override
    public int dim() {
        return vpl;
    }

    @Override
    public int conditionDim() {
        return condDim;
    }

    @Override
    public long size() {
        return (long) showers * (layers - 1);
    }

    @Override
    public Iterator<Batch> batches(int batchSize, boolean shuffle, long seed, long skip) {
        int[] showerOrder = InMemoryData.order(showers, shuffle, seed);
        SplittableRandom pairRng = new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
        int pairsPerShower = layers - 1;
        return new Iterator<>() {
            int nextShower = 0;           // position in showerOrder of the next chunk
            Preprocessing.Encoded chunk;  // rows of the current chunk
            int[] pairs;                  // (row in chunk) * pairsPerShower + (layer - 1), shuffled
            int pairPos;
            long toSkip = skip;

            @Override
            public boolean hasNext() {
                return pairs != null && pairPos < pairs.length || nextShower < showers;
            }

            private boolean loadChunk() {
                if (nextShower >= showers) return false;
                int count = Math.min(chunkShowers, showers - nextShower);
                int w = file.width();
                float[] data = new float[count * w];
                float[] row = new float[w];
                for (int i = 0; i < count; i++) {
                    file.read(showerOrder[nextShower + i], 1, row);
                    System.arraycopy(row, 0, data, i * w, w);
                }
                nextShower += count;
                chunk = new Preprocessing.Encoded(count, layers, vpl, data);
                pairs = InMemoryData.order(count * pairsPerShower, shuffle, pairRng.nextLong());
                pairPos = 0;
                return true;
            }

            @Override
            public Batch next() {
                Batch b = build(batchSize);
                while (toSkip > 0 && b != null) {   // resuming: fast-forward (pairs are not materialised)
                    toSkip--;
                    b = hasNext() ? build(batchSize) : null;
                }
                if (b == null) throw new NoSuchElementException();
                return b;
            }

            private Batch build(int size) {
                float[] x = new float[size * vpl], c = new float[size * condDim];
                int n = 0;
                boolean materialise = toSkip == 0;
                while (n < size) {
                    if (pairs == null || pairPos >= pairs.length) {
                        if (!loadChunk()) break;
                    }
                    int p = pairs[pairPos++];
                    int r = p / pairsPerShower, l = p % pairsPerShower + 1;
                    if (materialise) {
                        chunk.layerTarget(r, l, x, n * vpl);
                        chunk.flow3Condition(r, l, c, n * condDim);
                    }
                    n++;
                }
                if (n == 0) return null;
                if (n < size) {
                    x = java.util.Arrays.copyOf(x, n * vpl);
                    c = java.util.Arrays.copyOf(c, n * condDim);
                }
                return new Batch(x, c, n);
            }
        };
    }
}
