package org.icaloflow.calodream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.cfm.FlowMatching;
import org.icaloflow.data.Seeds;
import org.icaloflow.train.Objective;
import org.icaloflow.train.TrainingData;

import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * Conditional flow matching (paper Eq. 8) of the shape network, for {@link org.icaloflow.train.Trainer}: per batch
 * of n rows of encoded voxels x (n × V) and conditions c (n × (L + 1)), the mean over all n·V elements of
 * (v_θ(x_t, t, c) − (x − ε))², x_t = (1 − t)ε + t·x ({@link FlowMatching}), with the times and noise drawn as
 * {@link FlowMatchingObjective} draws them: from {@code new SplittableRandom(Seeds.stream(seed, step))} first the n
 * times t_r ~ U(0, 1) ({@code nextDouble}), then the n·V values ε ~ N(0, 1) ({@code nextGaussian}, row-major).
 * Selection: the mean loss over the selection rows (rows weighted equally) in unshuffled batches, batch k drawing
 * from {@code Seeds.stream(seed, -1 - k)}, the same at every selection.
 */
public final class ShapeObjective implements Objective<ShapeModel> {
    private final long seed;

    /** @param seed the noise seed (the stage passes the training settings' seed) */
    public ShapeObjective(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    @Override
    public Loss loss(ShapeModel model, NDArray x, NDArray c, TrainingData.Batch b, long step) {
        return new Loss(cfmLoss(model, x, c, new SplittableRandom(Seeds.stream(seed, step))), new NDArray[0]);
    }

    /** The loss on x (n × V) and c with t then ε drawn from {@code rng} as the class says. */
    static NDArray cfmLoss(ShapeModel model, NDArray x, NDArray c, SplittableRandom rng) {
        int n = (int) x.getShape().get(0), dim = (int) x.getShape().get(1);
        double[] t = new double[n];
        float[] eps32 = null;
        double[] eps64 = null;
        for (int i = 0; i < n; i++) t[i] = rng.nextDouble();
        boolean f64 = x.getDataType() == DataType.FLOAT64;
        if (f64) {
            eps64 = new double[n * dim];
            for (int i = 0; i < eps64.length; i++) eps64[i] = rng.nextGaussian();
        } else {
            eps32 = new float[n * dim];
            for (int i = 0; i < eps32.length; i++) eps32[i] = (float) rng.nextGaussian();
        }
        NDManager m = x.getManager();
        NDArray ta = f64 ? m.create(t) : m.create(toFloat(t));
        NDArray ea = f64 ? m.create(eps64, new Shape(n, dim)) : m.create(eps32, new Shape(n, dim));
        FlowMatching.Target target = FlowMatching.linearPath(x, ea, ta);
        return FlowMatching.loss(model.network().velocity(target.xt(), ta, c), target.velocity());
    }

    @Override
    public String selectionName() {
        return "select_cfm_loss";
    }

    @Override
    public String selectionDescription() {
        return "selection CFM loss";
    }

    @Override
    public double selectionMetric(ShapeModel model, TrainingData select, int batchSize) {
        double sum = 0;
        long rows = 0;
        Iterator<TrainingData.Batch> it = select.batches(batchSize, false, 0, 0);
        boolean f64 = model.dataType() == DataType.FLOAT64;
        for (long k = 0; it.hasNext(); k++) {
            TrainingData.Batch b = it.next();
            try (NDManager m = model.manager().newSubManager()) {
                NDArray x = f64 ? m.create(toDouble(b.x()), new Shape(b.n(), select.dim())) : m.create(b.x(), new Shape(b.n(), select.dim()));
                NDArray c = f64 ? m.create(toDouble(b.c()), new Shape(b.n(), select.conditionDim()))
                        : m.create(b.c(), new Shape(b.n(), select.conditionDim()));
                double l = cfmLoss(model, x, c, new SplittableRandom(Seeds.stream(seed, -1 - k))).toType(DataType.FLOAT64, false).getDouble();
                sum += l * b.n();
                rows += b.n();
            }
        }
        return sum / rows;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
