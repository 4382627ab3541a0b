package org.icaloflow.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.preprocess.ShowerEncoding;

/**
 * Detector-level aggregates of one calorimeter layer, the "channels" of the ZDC physics loss (Majerz et al.)
 * adapted to the CaloChallenge's (α, r) binning: the layer total, the {@code nr} ring sums and four
 * α-quadrant sums of the normalised voxel energies u = inverse logit (Appendix A, A3) of a flow's output.
 *
 * <p>All aggregates are linear in u, so they are one matrix product; and because u is affine in
 * sigmoid(y), the difference of two layers' aggregates is (sigmoid(y1) − sigmoid(y2)) · M / (1 − 2α):
 * the offset cancels and no scalar arithmetic enters the autograd graph.
 */
public final class LayerAggregates {
    private final int alphaBins, radialBins;
    private final float[] matrix;   // (voxels, count), row-major, already divided by 1 - 2α

    public LayerAggregates(int alphaBins, int radialBins) {
        if (alphaBins < 1 || radialBins < 1) throw new IllegalArgumentException("bins must be >= 1");
        this.alphaBins = alphaBins;
        this.radialBins = radialBins;
        int v = alphaBins * radialBins, k = count();
        float scale = (float) (1 / (1 - 2 * ShowerEncoding.ALPHA));
        matrix = new float[v * k];
        for (int a = 0; a < alphaBins; a++) {
            int q = a * 4 / alphaBins;   // quadrant of α bin a (uneven when nα is not a multiple of 4)
            for (int r = 0; r < radialBins; r++) {
                int voxel = a * radialBins + r;   // in-layer index, as Geometry.voxelIndex
                matrix[voxel * k] = scale;                          // layer total
                matrix[voxel * k + 1 + r] = scale;                  // ring r
                if (alphaBins >= 4) matrix[voxel * k + 1 + radialBins + q] = scale;   // quadrant q
            }
        }
    }

    /** The aggregates of a layer of {@code geometry} (which must be uniform, as iCaloFlow's Flow-2/3 need). */
    public static LayerAggregates of(Geometry geometry, int dim) {
        if (!geometry.isUniform()) throw new UserError("geometry " + geometry.name() + ": the physics loss needs the same binning in every layer");
        int na = geometry.alphaBins(0), nr = geometry.radialBins(0);
        if (na * nr != dim)
            throw new UserError("geometry " + geometry.name() + " has " + na + " x " + nr + " voxels per layer but the flow has dim " + dim);
        return new LayerAggregates(na, nr);
    }

    /** Number of aggregates: total + rings + 4 quadrants (no quadrants when nα < 4). */
    public int count() {
        return 1 + radialBins + (alphaBins >= 4 ? 4 : 0);
    }

    public int voxels() {
        return alphaBins * radialBins;
    }

    /** Aggregates of normalised voxel energies u (N, voxels) → (N, count), plain Java (for checks). */
    public double[] aggregate(float[] u, int n) {
        int v = voxels(), k = count();
        double[] out = new double[n * k];
        double unscale = 1 - 2 * ShowerEncoding.ALPHA;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < v; j++)
                for (int c = 0; c < k; c++)
                    out[i * k + c] += u[i * v + j] * matrix[j * k + c] * unscale;
        return out;
    }

    /**
     * Per-sample mean squared difference of the aggregates of two layers given in logit space (N, voxels):
     * shape (N), differentiable in both.
     */
    public NDArray perSampleMse(NDArray logitA, NDArray logitB) {
        NDManager m = logitA.getManager();
        DataType t = logitA.getDataType();
        NDArray mat = m.create(matrix, new Shape(voxels(), count())).toType(t, false);
        NDArray diff = Activation.sigmoid(logitA).sub(Activation.sigmoid(logitB)).matMul(mat);
        return diff.square().mean(new int[] {1});
    }
}
