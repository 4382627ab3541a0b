package org.icaloflow.calodream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.data.Seeds;
import org.icaloflow.train.Objective;
import org.icaloflow.train.TrainingData;

import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * Conditional flow matching (paper Eq. 8) of the energy network, for {@link org.icaloflow.train.Trainer}: per
 * batch of n rows of encoded ratios x (n × L) and conditions c (n × 1), the network's
 * {@link org.icaloflow.cfm.EnergyNetwork#loss} at times t and noise ε drawn from
 * {@code new SplittableRandom(Seeds.stream(seed, step))}: first the n times t_r ~ U(0, 1) ({@code nextDouble}),
 * then the n·L noise values ε ~ N(0, 1) ({@code nextGaussian}, row-major). The draws depend on (seed, global
 * step) only, so a resumed run draws what an uninterrupted one does.
 *
 * <p>Selection value: the mean CFM loss over the selection set, rows weighted equally, in unshuffled batches
 * whose draws come the same way from {@code Seeds.stream(seed, -1 - k)} for batch k (negative indices: never a
 * training step): the same t and ε at every selection, so successive selections compare the network alone.
 */
public final class FlowMatchingObjective implements Objective<EnergyModel> {
    private final long seed;

    /** @param seed the noise seed (the stage passes the training settings' seed) */
    public FlowMatchingObjective(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    @Override
    public Loss loss(EnergyModel model, NDArray x, NDArray c, TrainingData.Batch b, long step) {
        return new Loss(cfmLoss(model, x, c, new SplittableRandom(Seeds.stream(seed, step))), new NDArray[0]);
    }

    /** The loss on x (n × L) and c with t then ε drawn from {@code rng} as the class says. */
    static NDArray cfmLoss(EnergyModel model, NDArray x, NDArray c, SplittableRandom rng) {
        int n = (int) x.getShape().get(0), dim = (int) x.getShape().get(1);
        double[] t = new double[n], eps = new double[n * dim];
        for (int i = 0; i < n; i++) t[i] = rng.nextDouble();
        for (int i = 0; i < eps.length; i++) eps[i] = rng.nextGaussian();
        NDManager m = x.getManager();
        NDArray ta = create(m, t, new Shape(n), x.getDataType());
        NDArray ea = create(m, eps, new Shape(n, dim), x.getDataType());
        return model.network().loss(x, c, ea, ta);
    }

    private static NDArray create(NDManager m, double[] v, Shape shape, DataType type) {
        if (type == DataType.FLOAT64) return m.create(v, shape);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return m.create(f, shape);
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
    public double selectionMetric(EnergyModel model, TrainingData select, int batchSize) {
        double sum = 0;
        long rows = 0;
        Iterator<TrainingData.Batch> it = select.batches(batchSize, false, 0, 0);
        DataType type = model.dataType();
        for (long k = 0; it.hasNext(); k++) {
            TrainingData.Batch b = it.next();
            try (NDManager m = model.manager().newSubManager()) {
                NDArray x = create(m, toDouble(b.x()), new Shape(b.n(), select.dim()), type);
                NDArray c = create(m, toDouble(b.c()), new Shape(b.n(), select.conditionDim()), type);
                double l = cfmLoss(model, x, c, new SplittableRandom(Seeds.stream(seed, -1 - k))).toType(DataType.FLOAT64, false).getDouble();
                sum += l * b.n();
                rows += b.n();
            }
        }
        return sum / rows;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
