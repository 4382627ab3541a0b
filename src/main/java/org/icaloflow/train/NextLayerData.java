package org.icaloflow.train;

import org.icaloflow.preprocess.Dequantisation;
import org.icaloflow.preprocess.EncodedShowers;
import org.icaloflow.preprocess.ShowerEncoding;

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
 *
 * <p>The file holds MeV; each pair is encoded when served (Appendix A) with fresh noise of this pass
 * ({@link #withNoise}, {@link Dequantisation}), four independent draws as the authors' {@code data.py}: the
 * target layer i's voxels, the previous layer's voxels in the condition (not the noise of pair (shower, i-1)'s
 * target), E_i and E_{i-1}.
 */
public final class NextLayerData implements TrainingData {
    private final EncodedShowers file;
    private final int showers, chunkShowers, layers, vpl, condDim;
    private final long pass;

    /** @param maxShowers use the first this many showers of the file (0: all) */
    public NextLayerData(EncodedShowers file, int chunkShowers, int maxShowers) {
        this(file, chunkShowers, maxShowers > 0 ? Math.min(maxShowers, file.rows()) : file.rows(), 0L);
    }

    private NextLayerData(EncodedShowers file, int chunkShowers, int showers, long pass) {
        this.file = file;
        this.pass = pass;
        this.showers = showers;
        this.chunkShowers = Math.max(1, chunkShowers);
        this.layers = file.layers();
        this.vpl = file.voxelsPerLayer();
        this.condDim = ShowerEncoding.flow3ConditionWidth(layers, vpl);
    }

    @Override
    public TrainingData withNoise(long pass) {
        return new NextLayerData(file, chunkShowers, showers, pass);
    }

    /**
     * Writes the pair (row r of the file, zero-based layer l in 1..layers-1): target (A4) at {@code x[xAt]},
     * condition E_inc (A1), E_l, E_{l-1} (A2, A3), layer l-1 (A4), one-hot(l) at {@code c[cAt]}.
     * {@code raw} holds the row as stored, at {@code rawAt}.
     */
    void encodePair(int r, int l, float[] raw, int rawAt, float[] x, int xAt, float[] c, int cAt, double[] scratch) {
        long seed = file.noiseSeed();
        int vox = rawAt + 1 + layers;
        Dequantisation.layer(raw, vox + l * vpl, vpl, Dequantisation.stream(seed, pass, r, l, Dequantisation.TARGET), scratch, x, xAt);
        c[cAt] = raw[rawAt];
        c[cAt + 1] = Dequantisation.layerEnergy(raw[rawAt + 1 + l], Dequantisation.stream(seed, pass, r, l, Dequantisation.LAYER_ENERGY));
        c[cAt + 2] = Dequantisation.layerEnergy(raw[rawAt + l], Dequantisation.stream(seed, pass, r, l, Dequantisation.PREVIOUS_LAYER_ENERGY));
        Dequantisation.layer(raw, vox + (l - 1) * vpl, vpl, Dequantisation.stream(seed, pass, r, l, Dequantisation.PREVIOUS), scratch, c, cAt + 3);
        java.util.Arrays.fill(c, cAt + 3 + vpl, cAt + condDim, 0f);
        c[cAt + 3 + vpl + (l - 1)] = 1f;
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
        int pairsPerShower = layers - 1, w = file.width();
        double[] scratch = new double[vpl];
        return new Iterator<>() {
            int nextShower = 0;           // position in showerOrder of the next chunk
            float[] chunk;                // rows of the current chunk, as stored
            int[] chunkRows;              // their rows in the file (the noise key)
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
                float[] data = new float[count * w];
                float[] row = new float[w];
                chunkRows = new int[count];
                for (int i = 0; i < count; i++) {
                    chunkRows[i] = showerOrder[nextShower + i];
                    file.read(chunkRows[i], 1, row);
                    System.arraycopy(row, 0, data, i * w, w);
                }
                nextShower += count;
                chunk = data;
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
                    if (materialise) encodePair(chunkRows[r], l, chunk, r * w, x, n * vpl, c, n * condDim, scratch);
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
