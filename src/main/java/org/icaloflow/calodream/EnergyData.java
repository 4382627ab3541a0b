package org.icaloflow.calodream;

import org.icaloflow.UserError;
import org.icaloflow.cfm.EnergyEncoding;
import org.icaloflow.cfm.EnergyRatios;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.train.InMemoryData;
import org.icaloflow.train.TrainingData;

import java.util.SplittableRandom;

/**
 * The energy network's data: per shower the layer energies E_0..E_{L−1} and E_inc, split into training and
 * selection showers by a seeded shuffle, the ratios u ({@link EnergyRatios}, f = 2.85), the
 * {@link EnergyEncoding} fitted on the training part, and both parts as {@link TrainingData}: x = the encoded u
 * (n × L), c = {@link EnergyRatios#condition(double)} (n × 1).
 */
public final class EnergyData {
    /** Showers read per chunk (only their L layer sums are kept). */
    static final int CHUNK = 2000;

    private EnergyData() {
    }

    /** Incident energies (n) and layer energies (n × L) in MeV. */
    public record Showers(double[] eIncMeV, double[] layerEnergiesMeV, int layers) {
        public int size() {
            return eIncMeV.length;
        }
    }

    /** The two parts, their encoding and the ratios they came from. */
    public record Split(Showers train, Showers select, EnergyEncoding encoding, TrainingData trainData, TrainingData selectData) {
    }

    /** The layer energies of every shower of {@code source}. */
    public static Showers read(ShowerSource source) {
        Geometry g = source.geometry();
        int layers = g.layers();
        long n = source.size();
        if (n > Integer.MAX_VALUE / layers) throw new UserError(source.files().get(0) + ": too many showers (" + n + ")");
        double[] e = new double[(int) n], le = new double[(int) n * layers];
        for (long from = 0; from < n; from += CHUNK) {
            int count = (int) Math.min(CHUNK, n - from);
            ShowerBatch b = source.read(from, count);
            double[] part = layerEnergies(b, g);
            System.arraycopy(b.incidentEnergyMeV(), 0, e, (int) from, count);
            System.arraycopy(part, 0, le, (int) from * layers, count * layers);
        }
        return new Showers(e, le, layers);
    }

    /** Per shower of {@code b}, the sum of each layer's voxels (n × L), in double. */
    public static double[] layerEnergies(ShowerBatch b, Geometry g) {
        int layers = g.layers(), v = g.voxels(), n = b.size();
        float[] s = b.showersMeV();
        double[] out = new double[n * layers];
        for (int r = 0; r < n; r++) {
            for (int l = 0; l < layers; l++) {
                int o = r * v + g.layerOffset(l);
                double sum = 0;
                for (int k = 0; k < g.voxelsInLayer(l); k++) sum += s[o + k];
                out[r * layers + l] = sum;
            }
        }
        return out;
    }

    /**
     * Splits {@code showers}: a Fisher–Yates shuffle of 0..n−1 by {@code new SplittableRandom(seed)}, the first
     * round(valFraction·n) (at least 1) for selection, the rest for training (at least 2), both in shuffled order.
     * {@code source} names the input in errors.
     */
    public static Split split(Showers showers, double valFraction, long seed, String source) {
        int n = showers.size(), layers = showers.layers();
        int nSelect = (int) Math.max(1, Math.round(valFraction * n));
        if (n - nSelect < 2) throw new UserError(source + ": " + n + " showers are too few for a training and a selection part");
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        Showers select = rows(showers, order, 0, nSelect), train = rows(showers, order, nSelect, n);
        EnergyRatios ratios = new EnergyRatios(layers, EnergyRatios.CALODREAM_F);
        double[] uTrain = ratios.ratios(train.layerEnergiesMeV(), train.eIncMeV());
        double[] uSelect = ratios.ratios(select.layerEnergiesMeV(), select.eIncMeV());
        EnergyEncoding enc = EnergyEncoding.fit(uTrain, layers);
        return new Split(train, select, enc, data(enc.encode(uTrain), train, layers), data(enc.encode(uSelect), select, layers));
    }

    private static Showers rows(Showers s, int[] order, int from, int to) {
        int l = s.layers();
        double[] e = new double[to - from], le = new double[(to - from) * l];
        for (int i = from; i < to; i++) {
            e[i - from] = s.eIncMeV()[order[i]];
            System.arraycopy(s.layerEnergiesMeV(), order[i] * l, le, (i - from) * l, l);
        }
        return new Showers(e, le, l);
    }

    private static TrainingData data(double[] z, Showers s, int layers) {
        float[] x = new float[z.length], c = new float[s.size()];
        for (int i = 0; i < z.length; i++) x[i] = (float) z[i];
        for (int i = 0; i < c.length; i++) c[i] = (float) EnergyRatios.condition(s.eIncMeV()[i]);
        return new InMemoryData(x, layers, c, 1);
    }
}
