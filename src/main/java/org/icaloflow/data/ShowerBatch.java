package org.icaloflow.data;

import java.util.List;

/**
 * A block of consecutive showers held in memory: {@code size()} rows of incident energy (MeV) and
 * {@code voxels} voxel energies (MeV) per row, row-major in {@code showersMeV}.
 *
 * <p>The arrays are shared, not copied: a batch is a view that its maker hands over.
 */
public record ShowerBatch(double[] incidentEnergyMeV, float[] showersMeV, int voxels) {

    public ShowerBatch {
        if (voxels < 1) throw new IllegalArgumentException("voxels must be >= 1, got " + voxels);
        if ((long) incidentEnergyMeV.length * voxels != showersMeV.length)
            throw new IllegalArgumentException("showers has " + showersMeV.length + " values, expected "
                    + incidentEnergyMeV.length + " rows x " + voxels + " voxels");
    }

    /** Number of rows (showers). */
    public int size() {
        return incidentEnergyMeV.length;
    }

    /** Energy (MeV) of voxel {@code v} of row {@code row}. */
    public float voxel(int row, int v) {
        return showersMeV[row * voxels + v];
    }

    /** Sum of the voxel energies of a row (MeV), in double precision. */
    public double showerSum(int row) {
        double s = 0;
        for (int i = row * voxels, end = i + voxels; i < end; i++) s += showersMeV[i];
        return s;
    }

    /** Rows {@code [from, from+count)} as a new batch (copies). */
    public ShowerBatch slice(int from, int count) {
        if (from < 0 || count < 0 || from + count > size())
            throw new IndexOutOfBoundsException("rows [" + from + ", " + (from + count) + ") of a batch of " + size());
        double[] e = java.util.Arrays.copyOfRange(incidentEnergyMeV, from, from + count);
        float[] s = java.util.Arrays.copyOfRange(showersMeV, from * voxels, (from + count) * voxels);
        return new ShowerBatch(e, s, voxels);
    }

    /** The batches one after the other; they must have the same width and not be empty as a list. */
    public static ShowerBatch concat(List<ShowerBatch> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("nothing to concatenate");
        if (parts.size() == 1) return parts.get(0);
        int v = parts.get(0).voxels();
        long rows = 0;
        for (ShowerBatch b : parts) {
            if (b.voxels() != v)
                throw new IllegalArgumentException("cannot concatenate batches of " + v + " and " + b.voxels() + " voxels");
            rows += b.size();
        }
        if (rows * v > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException(rows + " rows x " + v + " voxels do not fit in one Java array");
        double[] e = new double[(int) rows];
        float[] s = new float[(int) (rows * v)];
        int r = 0;
        for (ShowerBatch b : parts) {
            System.arraycopy(b.incidentEnergyMeV(), 0, e, r, b.size());
            System.arraycopy(b.showersMeV(), 0, s, r * v, b.size() * v);
            r += b.size();
        }
        return new ShowerBatch(e, s, v);
    }

    @Override
    public String toString() {
        return "ShowerBatch[" + size() + " rows x " + voxels + " voxels]";
    }
}
