package org.icaloflow.train;

import java.util.Iterator;

/**
 * Samples of one flow: (target x, condition c) pairs in batches, in an order fixed by a seed, so a run
 * resumed at (epoch, batch) sees exactly the batches an uninterrupted run would.
 */
public interface TrainingData {

    /** One batch, row-major: x (n x dim), c (n x conditionDim). */
    record Batch(float[] x, float[] c, int n) {
    }

    int dim();

    int conditionDim();

    /** Samples in one pass. */
    long size();

    /** Batches of one pass; shuffled by {@code seed} when {@code shuffle}; the first {@code skip} batches left out. */
    Iterator<Batch> batches(int batchSize, boolean shuffle, long seed, long skip);

    /**
     * The same samples with the dequantisation noise of pass {@code pass} (Appendix A, drawn afresh per pass:
     * {@code org.icaloflow.preprocess.Dequantisation}); data without such noise returns itself.
     */
    default TrainingData withNoise(long pass) {
        return this;
    }

    /** Batches per pass. */
    default long batchesPerPass(int batchSize) {
        return (size() + batchSize - 1) / batchSize;
    }
}
