package org.icaloflow.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A fixed permutation of the features, as nflows' {@code Permutation} (its {@code ReversePermutation} and
 * {@code RandomPermutation} differ only in the order): {@code forward(x)[:, j] = x[:, order[j]]}, log|det| 0.
 */
public final class Permutation implements Transform {
    private final int[] order;
    private final NDArray index;
    private final NDArray inverseIndex;

    /**
     * @param order a permutation of 0..D−1
     * @param manager long-lived manager for the index arrays (its device is used)
     */
    public Permutation(int[] order, NDManager manager) {
        String problem = problem(order, order.length);
        if (problem != null) throw new IllegalArgumentException("order " + problem);
        int d = order.length;
        long[] p = new long[d];
        long[] q = new long[d];
        for (int j = 0; j < d; j++) {
            p[j] = order[j];
            q[order[j]] = j;
        }
        this.order = order.clone();
        index = manager.create(p, new Shape(1, d));
        inverseIndex = manager.create(q, new Shape(1, d));
    }

    /**
     * Null when {@code order} is a permutation of 0..d−1, else what is wrong with it, to follow its name in a
     * message: "must have d entries" (also for null) or "is not a permutation of 0..d−1". The one check of every
     * permutation, whether built here, given to a flow or read from a checkpoint.
     */
    public static String problem(int[] order, int d) {
        if (order == null || order.length != d) return "must have " + d + " entries";
        boolean[] seen = new boolean[d];
        for (int v : order) {
            if (v < 0 || v >= d || seen[v]) return "is not a permutation of 0.." + (d - 1);
            seen[v] = true;
        }
        return null;
    }

    /** The order: output column j is input column {@code order()[j]}. */
    public int[] order() {
        return order.clone();
    }

    @Override
    public Result forward(NDArray x, NDArray c) {
        return new Result(gather(x, index), zeroLogAbsDet(x));
    }

    @Override
    public Result inverse(NDArray y, NDArray c) {
        return new Result(gather(y, inverseIndex), zeroLogAbsDet(y));
    }

    @Override
    public NDArray inverseOutputs(NDArray y, NDArray c) {
        return gather(y, inverseIndex);
    }

    private static NDArray zeroLogAbsDet(NDArray h) {
        return h.getManager().zeros(new Shape(h.getShape().get(0)), h.getDataType());
    }

    private static NDArray gather(NDArray h, NDArray idx) {
        NDArray view = idx.broadcast(h.getShape());
        NDArray ix = view.duplicate(); // contiguous index
        view.close();
        ix.attach(h.getManager());
        return h.gather(ix, 1);
    }
}
