package org.icaloflow.train;

import org.icaloflow.FlowRole;
import org.icaloflow.preprocess.Dequantisation;
import org.icaloflow.preprocess.EncodedShowers;
import org.icaloflow.preprocess.ShowerEncoding;

import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * Flow-1 or Flow-2 samples held in memory in MeV (N x 45 layer energies, or N x (1 + voxels of layer 1)) and
 * encoded per batch with fresh noise (Appendix A; {@link Dequantisation}): the noise of a row depends on
 * (file seed, pass, row) only, where the pass is set by {@link #withNoise}.
 *
 * <ul>
 *   <li>Flow-1: target (A2, A3) of every E_i, one independent draw per layer; condition (A1).</li>
 *   <li>Flow-2: target (A4) of layer 1's voxels; condition (A1) and (A2, A3, A5) of E_1 with its own draw.</li>
 * </ul>
 */
public final class DequantisedData implements TrainingData {
    private final FlowRole flow;
    private final int n, layers, vpl;
    private final long fileSeed, pass;
    private final float[] incident, energies, voxels;

    private DequantisedData(FlowRole flow, int n, int layers, int vpl, long fileSeed, long pass,
                            float[] incident, float[] energies, float[] voxels) {
        this.flow = flow;
        this.n = n;
        this.layers = layers;
        this.vpl = vpl;
        this.fileSeed = fileSeed;
        this.pass = pass;
        this.incident = incident;
        this.energies = energies;
        this.voxels = voxels;
    }

    /** Reads the first {@code n} rows of {@code file} for Flow-1 or Flow-2. */
    static DequantisedData read(FlowRole flow, EncodedShowers file, int n) {
        if (flow == FlowRole.NEXT_LAYER) throw new IllegalArgumentException("flow " + flow.number());
        int layers = file.layers(), vpl = file.voxelsPerLayer(), w = file.width();
        int ew = flow == FlowRole.LAYER_ENERGIES ? layers : 1;
        float[] inc = new float[n], e = new float[n * ew], vox = flow == FlowRole.FIRST_LAYER ? new float[n * vpl] : new float[0];
        int step = Math.max(1, (1 << 24) / w);   // about 64 MB per read
        for (int from = 0; from < n; from += step) {
            int count = Math.min(step, n - from);
            float[] rows = file.read(from, count);
            for (int i = 0; i < count; i++) {
                int r = from + i;
                inc[r] = rows[i * w];
                System.arraycopy(rows, i * w + 1, e, r * ew, ew);
                if (flow == FlowRole.FIRST_LAYER) System.arraycopy(rows, i * w + 1 + layers, vox, r * vpl, vpl);
            }
        }
        return new DequantisedData(flow, n, layers, vpl, file.noiseSeed(), 0, inc, e, vox);
    }

    @Override
    public TrainingData withNoise(long pass) {
        return new DequantisedData(flow, n, layers, vpl, fileSeed, pass, incident, energies, voxels);
    }

    @Override
    public int dim() {
        return flow == FlowRole.LAYER_ENERGIES ? layers : vpl;
    }

    @Override
    public int conditionDim() {
        return flow == FlowRole.LAYER_ENERGIES ? 1 : 2;
    }

    @Override
    public long size() {
        return n;
    }

    /** Writes row r's target and condition, with its noise of this pass. */
    void encode(int r, float[] x, int xAt, float[] c, int cAt, double[] scratch) {
        if (flow == FlowRole.LAYER_ENERGIES) {
            c[cAt] = incident[r];
            for (int l = 0; l < layers; l++)
                x[xAt + l] = Dequantisation.layerEnergy(energies[r * layers + l],
                        Dequantisation.stream(fileSeed, pass, r, l, Dequantisation.LAYER_ENERGY));
        } else {
            Dequantisation.layer(voxels, r * vpl, vpl, Dequantisation.stream(fileSeed, pass, r, 0, Dequantisation.TARGET),
                    scratch, x, xAt);
            c[cAt] = incident[r];
            float e1 = Dequantisation.layerEnergy(energies[r],
                    Dequantisation.stream(fileSeed, pass, r, 0, Dequantisation.LAYER_ENERGY));
            c[cAt + 1] = (float) (e1 / ShowerEncoding.FLOW2_LAYER_DIVISOR);
        }
    }

    @Override
    public Iterator<Batch> batches(int batchSize, boolean shuffle, long seed, long skip) {
        double[] scratch = new double[vpl];
        return InMemoryData.batches(n, dim(), conditionDim(), InMemoryData.order(n, shuffle, seed), batchSize, skip,
                (r, bx, xAt, bc, cAt) -> encode(r, bx, xAt, bc, cAt, scratch));
    }
}
