package org.icaloflow.preprocess;

import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.data.StageManifest;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The preprocess stage: CaloChallenge file(s) to the flows' training and selection sets.
 *
 * <p>Rows are split into training and selection sets by a seeded random permutation (70:30 by default) and
 * streamed into {@code train.f32} and {@code select.f32} ({@link EncodedShowers}: the incident condition (A1),
 * the layer energies and the voxels in MeV) with a {@code manifest.json}. Memory is O(batch). The noise of
 * Appendix A is not drawn here: the training loader draws it afresh every pass ({@link Dequantisation}),
 * as the authors' loader does; the files carry the noise seeds derived from {@code seed}.
 */
public final class Preprocessor {
    public static final String TRAIN = "train.f32";
    public static final String SELECT = "select.f32";
    public static final String MANIFEST = "manifest.json";

    private Preprocessor() {
    }

    /** Result counts. */
    public record Result(int train, int select) {
    }

    public static Result run(Geometry g, List<Path> inputs, Path outDir, double trainFraction, long seed, int batch) {
        if (!g.isUniform()) throw new UserError("geometry " + g.name() + " has layers of different binning: iCaloFlow needs equal layers");
        if (!(trainFraction > 0 && trainFraction < 1)) throw new UserError("train fraction must be in (0, 1), got " + trainFraction);
        if (batch < 1) throw new UserError("batch must be at least 1");
        StageManifest manifest = new StageManifest("preprocess");
        try (ShowerSource src = ShowerSource.open(inputs, g)) {
            long total = src.size();
            if (total < 2) throw new UserError(inputs.get(0) + ": needs at least 2 showers to split, has " + total);
            if (total > Integer.MAX_VALUE) throw new UserError("more than 2^31 showers are not supported");
            int n = (int) total;
            boolean[] isTrain = split(n, trainFraction, seed);
            for (Path p : src.files()) manifest.addInput(p);
            Path train = outDir.resolve(TRAIN), select = outDir.resolve(SELECT);
            try (EncodedShowers.Writer wt = new EncodedShowers.Writer(train, g.layers(), g.voxelsPerLayer(), Dequantisation.fileSeed(seed, 0));
                 EncodedShowers.Writer ws = new EncodedShowers.Writer(select, g.layers(), g.voxelsPerLayer(), Dequantisation.fileSeed(seed, 1))) {
                int w = EncodedShowers.width(g.layers(), g.voxelsPerLayer());
                float[] tBuf = new float[batch * w], sBuf = new float[batch * w];
                long clipped = 0;
                for (int from = 0; from < n; from += batch) {
                    int count = Math.min(batch, n - from);
                    ShowerBatch b = src.read(from, count);
                    clipped += countClipped(g, b);
                    int nt = 0, ns = 0;
                    for (int r = 0; r < count; r++) {
                        if (isTrain[from + r]) rawRow(g, b, r, tBuf, w * nt++);
                        else rawRow(g, b, r, sBuf, w * ns++);
                    }
                    wt.append(tBuf, nt);
                    ws.append(sBuf, ns);
                }
                wt.commit();
                ws.commit();
                manifest.addOutput(train);
                manifest.addOutput(select);
                Map<String, Object> constants = new LinkedHashMap<>();
                constants.put("incident_scale_mev", ShowerEncoding.INCIDENT_SCALE_MEV);
                constants.put("layer_scale_mev", ShowerEncoding.LAYER_SCALE_MEV);
                constants.put("noise_mev", ShowerEncoding.NOISE_MEV);
                constants.put("logit_alpha", ShowerEncoding.ALPHA);
                constants.put("flow2_layer_divisor", ShowerEncoding.FLOW2_LAYER_DIVISOR);
                constants.put("threshold_mev", ShowerEncoding.THRESHOLD_MEV);
                manifest.put("constants", constants);
                Map<String, Object> settings = new LinkedHashMap<>();
                settings.put("geometry", g.name());
                settings.put("layers", g.layers());
                settings.put("voxels_per_layer", g.voxelsPerLayer());
                settings.put("train_fraction", trainFraction);
                settings.put("seed", seed);
                settings.put("format", "ICFENC02");
                settings.put("row_layout", "incident_condition(1), layer_energies_mev(layers), voxels_mev(layers*voxels_per_layer); float32 LE after a 32-byte header");
                settings.put("noise", "U[0, noise_mev] drawn by the training loader per (file seed, pass, row, layer, part)");
                manifest.put("settings", settings);
                manifest.put("rows", Map.of("total", n, "train", wt.rows(), "select", ws.rows()));
                manifest.put("clipped_layer_energies", clipped);
                if (clipped > 0) {
                    System.err.printf(java.util.Locale.ROOT, "icaloflow preprocess: warning: %d layer energies (%.3g%% of all) exceed %.0f MeV and were clipped to it%n",
                            clipped, 100.0 * clipped / ((double) n * g.layers()), ShowerEncoding.LAYER_SCALE_MEV);
                }
                manifest.write(outDir.resolve(MANIFEST));
                return new Result(wt.rows(), ws.rows());
            }
        }
    }

    /** Layers whose energy (plus the largest possible noise) exceeds the 65 GeV scale of (A2). */
    private static long countClipped(Geometry g, ShowerBatch b) {
        long c = 0;
        int vpl = g.voxelsPerLayer();
        for (int r = 0; r < b.size(); r++) {
            for (int l = 0; l < g.layers(); l++) {
                double sum = 0;
                int o = r * g.voxels() + l * vpl;
                for (int v = 0; v < vpl; v++) sum += b.showersMeV()[o + v];
                if (sum + ShowerEncoding.NOISE_MEV > ShowerEncoding.LAYER_SCALE_MEV) c++;
            }
        }
        return c;
    }

    /** Row r of the batch as stored: the incident condition (A1), the layer sums (MeV), the voxels (MeV). */
    private static void rawRow(Geometry g, ShowerBatch b, int r, float[] out, int at) {
        int layers = g.layers(), vpl = g.voxelsPerLayer();
        float[] mev = b.showersMeV();
        out[at] = (float) ShowerEncoding.incidentCondition(b.incidentEnergyMeV()[r]);
        for (int l = 0; l < layers; l++) {
            double sum = 0;
            int o = r * g.voxels() + l * vpl;
            for (int v = 0; v < vpl; v++) sum += mev[o + v];
            out[at + 1 + l] = (float) sum;
        }
        System.arraycopy(mev, r * g.voxels(), out, at + 1 + layers, g.voxels());
    }

    /** Seeded random split: exactly round(n * fraction) rows (at least 1 each side) go to training. */
    static boolean[] split(int n, double fraction, long seed) {
        int nTrain = (int) Math.max(1, Math.min(n - 1, Math.round(n * fraction)));
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        boolean[] train = new boolean[n];
        for (int i = 0; i < nTrain; i++) train[perm[i]] = true;
        return train;
    }
}
