package org.icaloflow.evaluate.classifier;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.icaloflow.UserError;
import org.icaloflow.data.ShowerBatch;

/**
 * The control row of the classifier test (issue 12, item 6): an under-powered classifier (too few showers
 * for its inputs) reports AUC ≈ 0.5 whatever it is shown and so looks like a perfect generator. The control
 * is the simulation itself, distorted in a known way: every voxel energy × {@value #ENERGY_SCALE} (E_inc unchanged,
 * the readout threshold applied after the distortion, as to any sample), tested against the reference.
 * <ul>
 * <li>With a {@value #TRUTH} sample (an independent sample of the same simulation, the truth row): the reference
 * (label 1) against that sample distorted (label 0), with as many showers per class as the samples' tests
 * ({@link #draw}). The control then has the power of the tests it vouches for.</li>
 * <li>Without one: reference half A against the disjoint reference half B distorted ({@link #halves}), at most
 * floor(N_ref / 2) showers per class: a lower bound on the tests' power.</li>
 * </ul>
 * Either way no shower is in both classes. A working test separates them: AUC ≥ {@value #MIN_AUC}; if not, the
 * level's AUCs are no result.
 */
public final class ClassifierControl {
    /** The reserved sample name of the control row. */
    public static final String NAME = "control";
    /** The known distortion: every voxel energy of the distorted class (the truth sample or half B) is multiplied by this. */
    public static final double ENERGY_SCALE = 1.1;
    /** The sample name of an independent simulation sample (the pipeline's truth row): the control uses it when present. */
    public static final String TRUTH = "truth";
    /** A working classifier test separates the control at least this well (mean AUC over runs). */
    public static final double MIN_AUC = 0.9;

    private ClassifierControl() {
    }

    /**
     * Showers per class of the control: n = min(floor(N_ref/2), the smallest per-class count of the samples'
     * tests), so the control is tested with no more showers than any sample (its power is a lower bound).
     */
    public static int showersPerClass(int referenceRows, int smallestSampleShowersPerClass) {
        return Math.min(referenceRows / 2, smallestSampleShowersPerClass);
    }

    /**
     * The two disjoint halves, each sorted: a seeded permutation of the reference's rows, A = its first n,
     * B = its next n (the same halves for every run and level).
     */
    public static int[][] halves(int referenceRows, int n, long seed) {
        if (n < 5) {
            throw new UserError("the classifier control row needs at least 5 showers per half (10 reference showers and 5 per sample), got " + n);
        }
        if (2L * n > referenceRows) throw new IllegalArgumentException("2 x " + n + " showers from " + referenceRows + " reference rows");
        int[] p = seededPermutation(referenceRows, seed);
        int[] a = Arrays.copyOfRange(p, 0, n), b = Arrays.copyOfRange(p, n, 2 * n);
        Arrays.sort(a);
        Arrays.sort(b);
        return new int[][]{a, b};
    }

    /**
     * The control's showers of the truth sample: n of its {@code rows} rows, a seeded draw, sorted (the same rows
     * for every run and level).
     */
    public static int[] draw(int rows, int n, long seed) {
        if (n < 5) throw new UserError("the classifier control row needs at least 5 showers per class, got " + n);
        if (n > rows) throw new IllegalArgumentException(n + " showers from " + rows + " rows");
        int[] p = seededPermutation(rows, seed);
        int[] a = Arrays.copyOfRange(p, 0, n);
        Arrays.sort(a);
        return a;
    }

    /** 0..rows−1 shuffled by Fisher–Yates with SplittableRandom(seed): the one draw both controls share. */
    private static int[] seededPermutation(int rows, long seed) {
        int[] p = new int[rows];
        for (int i = 0; i < p.length; i++) p[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = p.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The distortion: voxel energies × {@link #ENERGY_SCALE} (in double, rounded to float), E_inc unchanged. */
    public static ShowerBatch distort(ShowerBatch b) {
        float[] v = b.showersMeV();
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] * ENERGY_SCALE);
        return new ShowerBatch(b.incidentEnergyMeV().clone(), out, b.voxels());
    }

    /** Rows {@code rows} (in that order) of {@code src}, not copied. */
    public static RowSource subset(RowSource src, int[] rows) {
        int[] r = rows.clone();
        for (int x : r) if (x < 0 || x >= src.rows()) throw new IndexOutOfBoundsException("row " + x + " of " + src.rows());
        return new RowSource() {
            @Override
            public int rows() {
                return r.length;
            }

            @Override
            public int dim() {
                return src.dim();
            }

            @Override
            public void copyRow(int row, float[] out, int offset) {
                src.copyRow(r[row], out, offset);
            }
        };
    }
}
