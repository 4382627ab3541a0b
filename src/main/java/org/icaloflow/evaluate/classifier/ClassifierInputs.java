package org.icaloflow.evaluate.classifier;

import java.util.ArrayList;
import java.util.List;
import org.icaloflow.UserError;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;

/**
 * The classifier inputs of the CaloChallenge evaluator, built exactly by its formulas and not standardised
 * further (the evaluator feeds them to the network as they are):
 * <ul>
 * <li>low level: {@code [log10 E_inc, voxel_1/E_inc, …, voxel_V/E_inc]} (V + 1 values; energies in MeV,
 * voxels below the readout threshold set to zero first);</li>
 * <li>high level: {@code [log10 E_inc, log10(E_layer+1e-8)×L, EC_eta/100×L, EC_phi/100×L, width_eta/100×L,
 * width_phi/100×L, log10(E_tot+1e-8), sparsity×L, EC_r/100×L, width_r/100×L]} (2 + 8L values: 362 for
 * dataset 2).</li>
 * </ul>
 * Feature arrays are indexed {@code [row][layer]}, energies in MeV, lengths in mm.
 */
public final class ClassifierInputs {
    /** The evaluator's offset inside log10 of energies (keeps empty layers finite). */
    public static final double LOG_OFFSET = 1e-8;
    /** Centres and widths are divided by this (mm → order one). */
    public static final double LENGTH_SCALE = 100.0;

    private ClassifierInputs() {
    }

    /** Values per high-level row for {@code layers} layers: 2 + 8L. */
    public static int highLevelDim(int layers) {
        return 2 + 8 * layers;
    }

    /**
     * Which evaluator's high-level input: {@code PAPER} = the mid-2023 evaluator the iCaloFlow paper's Table IV
     * used (log10 E_inc and per layer log10 E_layer, EC_eta, EC_phi, width_eta, width_phi: 1 + 5L = 226 for
     * DS2); {@code CHALLENGE} = the evaluator since 27 Nov 2023, which appends log10 E_tot, sparsity, EC_r and
     * width_r (2 + 8L = 362). The paper's columns are the first 1 + 5L of the challenge row, in the same order.
     */
    public enum HlfSet {
        CHALLENGE, PAPER;

        public int dim(int layers) {
            return this == PAPER ? 1 + 5 * layers : highLevelDim(layers);
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static HlfSet parse(String s, String where) {
            for (HlfSet h : values()) if (h.label().equals(s)) return h;
            throw new UserError(where + ": expected challenge or paper, got '" + s + "'");
        }
    }

    /** Keeps the first {@code set.dim(layers)} values of every challenge-set row (the paper set is a prefix). */
    public static float[] select(float[] challengeRows, int layers, HlfSet set) {
        int full = highLevelDim(layers), keep = set.dim(layers);
        if (keep == full) return challengeRows;
        int rows = challengeRows.length / full;
        float[] out = new float[rows * keep];
        for (int r = 0; r < rows; r++) System.arraycopy(challengeRows, r * full, out, r * keep, keep);
        return out;
    }

    /**
     * Low-level rows {@code [log10 E_inc, voxels/E_inc]}, rows × (voxels + 1) back to back. Voxels with
     * energy {@code < thresholdMeV} count as zero (the evaluator's cut). Limited to one Java array
     * (rows × (V+1) < 2^31); {@link #lowLevelRows} has no such limit.
     */
    public static float[] lowLevel(double[] incMeV, float[] showersMeV, int voxels, double thresholdMeV) {
        int rows = incMeV.length;
        if (voxels < 1) throw new IllegalArgumentException("voxels must be >= 1, got " + voxels);
        long total = (long) rows * (voxels + 1);
        if (total > Integer.MAX_VALUE - 8) {
            throw new UserError("low-level classifier input of " + rows + " showers x " + (voxels + 1)
                    + " values exceeds one Java array (2^31 values); use fewer showers or ClassifierInputs.lowLevelRows");
        }
        if ((long) rows * voxels != showersMeV.length) {
            throw new IllegalArgumentException(showersMeV.length + " voxel values for " + rows + " showers of " + voxels + " voxels");
        }
        float[] out = new float[(int) total];
        fillLowLevel(incMeV, showersMeV, voxels, thresholdMeV, 0, rows, out, 0);
        return out;
    }

    /**
     * Low-level rows of up to {@code maxShowers} showers of {@code source} (0: all), read in order and held
     * in blocks of at most {@code blockValues} floats each (whole rows), so any number of showers fits.
     */
    public static RowSource lowLevelRows(ShowerSource source, double thresholdMeV, long maxShowers, int blockValues) {
        long n = maxShowers > 0 ? Math.min(maxShowers, source.size()) : source.size();
        if (n > Integer.MAX_VALUE) throw new UserError("more than 2^31 - 1 showers for the classifier test");
        int voxels = source.geometry().voxels();
        int dim = voxels + 1;
        int rowsPerBlock = Math.max(1, blockValues / dim);
        List<float[]> blocks = new ArrayList<>();
        for (long from = 0; from < n; from += rowsPerBlock) {
            int count = (int) Math.min(rowsPerBlock, n - from);
            float[] block = new float[count * dim];
            int readStep = Math.max(1, Math.min(count, (1 << 24) / voxels));
            for (int r = 0; r < count; r += readStep) {
                int c = Math.min(readStep, count - r);
                ShowerBatch b = source.read(from + r, c);
                fillLowLevel(b.incidentEnergyMeV(), b.showersMeV(), voxels, thresholdMeV, 0, c, block, r * dim);
            }
            blocks.add(block);
        }
        return RowSource.ofBlocks(blocks, dim);
    }

    private static void fillLowLevel(double[] incMeV, float[] showersMeV, int voxels, double thr,
                                     int fromRow, int rows, float[] out, int outFrom) {
        int dim = voxels + 1;
        for (int i = 0; i < rows; i++) {
            int row = fromRow + i;
            double e = incMeV[row];
            if (!(e > 0) || Double.isInfinite(e)) {
                throw new UserError("incident energy of shower " + row + " is " + e + " MeV (must be positive)");
            }
            int o = outFrom + i * dim;
            out[o] = (float) Math.log10(e);
            int s = row * voxels;
            for (int v = 0; v < voxels; v++) {
                float x = showersMeV[s + v];
                out[o + 1 + v] = x < thr ? 0f : (float) (x / e);
            }
        }
    }

    /** High-level rows as floats (the network's input); see {@link #highLevelDouble}. */
    public static float[] highLevel(double[] incMeV, double[] eTot, double[][] eLayer, double[][] ecEta,
                                    double[][] ecPhi, double[][] widthEta, double[][] widthPhi,
                                    double[][] sparsity, double[][] ecR, double[][] widthR) {
        double[] d = highLevelDouble(incMeV, eTot, eLayer, ecEta, ecPhi, widthEta, widthPhi, sparsity, ecR, widthR);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /**
     * High-level rows in double precision, rows × (2 + 8L) back to back, in the evaluator's column order:
     * log10 E_inc, log10(E_layer + 1e-8), EC_eta/100, EC_phi/100, width_eta/100, width_phi/100,
     * log10(E_tot + 1e-8), sparsity, EC_r/100, width_r/100.
     */
    public static double[] highLevelDouble(double[] incMeV, double[] eTot, double[][] eLayer, double[][] ecEta,
                                           double[][] ecPhi, double[][] widthEta, double[][] widthPhi,
                                           double[][] sparsity, double[][] ecR, double[][] widthR) {
        int rows = incMeV.length;
        if (eTot.length != rows) throw new IllegalArgumentException("eTot has " + eTot.length + " rows, expected " + rows);
        if (rows == 0) return new double[0];
        int layers = eLayer[0].length;
        double[][][] perLayer = {eLayer, ecEta, ecPhi, widthEta, widthPhi, sparsity, ecR, widthR};
        String[] names = {"eLayer", "ecEta", "ecPhi", "widthEta", "widthPhi", "sparsity", "ecR", "widthR"};
        for (int k = 0; k < perLayer.length; k++) {
            if (perLayer[k].length != rows) {
                throw new IllegalArgumentException(names[k] + " has " + perLayer[k].length + " rows, expected " + rows);
            }
            for (int r = 0; r < rows; r++) {
                if (perLayer[k][r].length != layers) {
                    throw new IllegalArgumentException(names[k] + "[" + r + "] has " + perLayer[k][r].length + " layers, expected " + layers);
                }
            }
        }
        int dim = highLevelDim(layers);
        double[] out = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            out[o++] = Math.log10(incMeV[r]);
            for (int l = 0; l < layers; l++) out[o++] = Math.log10(eLayer[r][l] + LOG_OFFSET);
            for (int l = 0; l < layers; l++) out[o++] = ecEta[r][l] / LENGTH_SCALE;
            for (int l = 0; l < layers; l++) out[o++] = ecPhi[r][l] / LENGTH_SCALE;
            for (int l = 0; l < layers; l++) out[o++] = widthEta[r][l] / LENGTH_SCALE;
            for (int l = 0; l < layers; l++) out[o++] = widthPhi[r][l] / LENGTH_SCALE;
            out[o++] = Math.log10(eTot[r] + LOG_OFFSET);
            for (int l = 0; l < layers; l++) out[o++] = sparsity[r][l];
            for (int l = 0; l < layers; l++) out[o++] = ecR[r][l] / LENGTH_SCALE;
            for (int l = 0; l < layers; l++) out[o++] = widthR[r][l] / LENGTH_SCALE;
        }
        return out;
    }
}
