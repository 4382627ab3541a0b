package org.icaloflow.calodream;

import org.icaloflow.UserError;
import org.icaloflow.cfm.EnergyRatios;
import org.icaloflow.cfm.ShapeEncoding;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.Seeds;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.train.TrainingData;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The shape network's data, streamed from the shower files: x = the encoded voxels (V, {@link ShapeEncoding}:
 * layer-normalised, U(0, w) noise, logit, standardised), c = the condition ({@link ShapeCondition}: E_inc and the
 * standardised u features, L + 1 values).
 *
 * <p>Split: a Fisher–Yates shuffle of the rows 0..n−1 by {@code new SplittableRandom(splitSeed)}, the first
 * round(valFraction·n) (at least 1) for selection, the rest for training (at least 2), as {@link EnergyData}.
 *
 * <p>Noise: shower (file row) r draws its V uniform values from {@code new SplittableRandom(Seeds.stream(noiseSeed,
 * r))}, the same in every epoch and in the fit (the authors add the noise once, in the preprocessing that also
 * fits the standardisation).
 *
 * <p>Memory: nothing of size n × V is held. The standardisations are fitted in one streamed pass over the training
 * rows (contiguous blocks of {@link #chunkRows} rows, Welford's update in double); a pass of batches walks the
 * part's rows in a seeded random order, {@link #chunkRows} at a time: the chunk's rows are read (sorted, runs of
 * consecutive rows in one read), and each batch is encoded when served. Memory is O(chunkRows × V), about
 * {@link #CHUNK_BYTES} of floats, whatever the number of showers.
 */
public final class ShapeData implements TrainingData {
    /** Bytes of raw float voxels per chunk (64 MiB: 2589 DS2 showers, 414 DS3 showers). */
    static final long CHUNK_BYTES = 64L << 20;

    private final ShowerSource source;
    private final int[] rows;
    private final ShapeEncoding encoding;
    private final ShapeEncoding.Standardisation voxels, conditions;
    private final long noiseSeed;
    private final int chunkRows;
    private final int layers, v;

    /** The two parts and the statistics fitted on the training one. */
    public record Split(ShapeData train, ShapeData select, ShapeEncoding.Standardisation voxels,
                        ShapeEncoding.Standardisation conditions) {
    }

    private ShapeData(ShowerSource source, int[] rows, ShapeEncoding encoding, ShapeEncoding.Standardisation voxels,
                      ShapeEncoding.Standardisation conditions, long noiseSeed, int chunkRows) {
        this.source = source;
        this.rows = rows;
        this.encoding = encoding;
        this.voxels = voxels;
        this.conditions = conditions;
        this.noiseSeed = noiseSeed;
        this.chunkRows = chunkRows;
        this.layers = encoding.layers();
        this.v = encoding.voxels();
    }

    /** Showers per chunk for {@code voxels} voxels (at least 1). */
    static int chunkRows(int voxels) {
        return (int) Math.max(1, Math.min(1 << 20, CHUNK_BYTES / (4L * voxels)));
    }

    /**
     * Splits the showers of {@code source} and fits both standardisations on the training part (one streamed
     * pass). {@code source} stays open for the parts' batches; the caller closes it.
     */
    public static Split split(ShowerSource source, ShapeEncoding encoding, double valFraction, long splitSeed, long noiseSeed) {
        return split(source, encoding, valFraction, splitSeed, noiseSeed, chunkRows(encoding.voxels()));
    }

    static Split split(ShowerSource source, ShapeEncoding encoding, double valFraction, long splitSeed, long noiseSeed, int chunkRows) {
        Geometry g = source.geometry();
        String name = source.files().get(0).toString();
        if (g.voxels() != encoding.voxels() || g.layers() != encoding.layers())
            throw new IllegalArgumentException("encoding of " + encoding.voxels() + " voxels for a geometry of " + g.voxels());
        long nl = source.size();
        if (nl > Integer.MAX_VALUE - 8) throw new UserError(name + ": too many showers (" + nl + ")");
        int n = (int) nl;
        int nSelect = (int) Math.max(1, Math.round(valFraction * n));
        if (n - nSelect < 2) throw new UserError(name + ": " + n + " showers are too few for a training and a selection part");
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom r = new SplittableRandom(splitSeed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] select = Arrays.copyOfRange(order, 0, nSelect), train = Arrays.copyOfRange(order, nSelect, n);
        boolean[] isTrain = new boolean[n];
        for (int t : train) isTrain[t] = true;
        int layers = encoding.layers(), v = encoding.voxels();
        FeatureMoments vm = new FeatureMoments(v), cm = new FeatureMoments(layers);
        EnergyRatios ratios = new EnergyRatios(layers, EnergyRatios.CALODREAM_F);
        for (int from = 0; from < n; from += chunkRows) {
            int count = Math.min(chunkRows, n - from);
            ShowerBatch b = source.read(from, count);
            double[] row = new double[v];
            for (int i = 0; i < count; i++) {
                if (!isTrain[from + i]) continue;
                for (int k = 0; k < v; k++) row[k] = b.showersMeV()[i * v + k];
                vm.add(encoding.logits(row, noise(noiseSeed, from + i)), 0);
                double[] u = ratios.ratios(encoding.layerEnergies(row), new double[]{b.incidentEnergyMeV()[i]});
                cm.add(ShapeCondition.features(u, layers), 0);
            }
        }
        ShapeEncoding.Standardisation vs = vm.standardisation(), cs = cm.standardisation();
        return new Split(new ShapeData(source, train, encoding, vs, cs, noiseSeed, chunkRows),
                new ShapeData(source, select, encoding, vs, cs, noiseSeed, chunkRows), vs, cs);
    }

    /** The noise generator of file row {@code row}. */
    static SplittableRandom noise(long noiseSeed, long row) {
        return new SplittableRandom(Seeds.stream(noiseSeed, row));
    }

    /** The part's file rows, in split order (a copy). */
    public int[] rows() {
        return rows.clone();
    }

    @Override
    public int dim() {
        return v;
    }

    @Override
    public int conditionDim() {
        return layers + 1;
    }

    @Override
    public long size() {
        return rows.length;
    }

    @Override
    public Iterator<Batch> batches(int batchSize, boolean shuffle, long seed, long skip) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
        int n = rows.length;
        int[] served = rows.clone();
        if (shuffle) {
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1), t = served[i];
                served[i] = served[j];
                served[j] = t;
            }
        }
        EnergyRatios ratios = new EnergyRatios(layers, EnergyRatios.CALODREAM_F);
        long start = Math.min((long) n, skip * (long) batchSize);
        return new Iterator<>() {
            int pos = (int) start;
            int chunk = -1;          // index of the loaded chunk
            float[] raw;             // its showers, in served order
            double[] eInc;

            @Override
            public boolean hasNext() {
                return pos < n;
            }

            private void load(int k) {
                int from = k * chunkRows, count = Math.min(chunkRows, n - from);
                Integer[] idx = new Integer[count];
                for (int i = 0; i < count; i++) idx[i] = i;
                Arrays.sort(idx, (a, b) -> Integer.compare(served[from + a], served[from + b]));
                raw = new float[count * v];
                eInc = new double[count];
                for (int i = 0; i < count; ) {
                    int first = served[from + idx[i]], len = 1;
                    while (i + len < count && served[from + idx[i + len]] == first + len) len++;
                    ShowerBatch b = source.read(first, len);
                    for (int q = 0; q < len; q++) {
                        int at = idx[i + q];
                        System.arraycopy(b.showersMeV(), q * v, raw, at * v, v);
                        eInc[at] = b.incidentEnergyMeV()[q];
                    }
                    i += len;
                }
                chunk = k;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                int b = Math.min(batchSize, n - pos);
                float[] x = new float[b * v], c = new float[b * (layers + 1)];
                double[] row = new double[v];
                for (int i = 0; i < b; i++, pos++) {
                    int k = pos / chunkRows;
                    if (k != chunk) load(k);
                    int at = pos - k * chunkRows;
                    for (int q = 0; q < v; q++) row[q] = raw[at * v + q];
                    double[] z = encoding.encode(row, voxels, noise(noiseSeed, served[pos]));
                    for (int q = 0; q < v; q++) x[i * v + q] = (float) z[q];
                    double[] e = {eInc[at]};
                    double[] u = ratios.ratios(encoding.layerEnergies(row), e);
                    System.arraycopy(ShapeCondition.conditions(e, u, conditions), 0, c, i * (layers + 1), layers + 1);
                }
                return new Batch(x, c, b);
            }
        };
    }
}
