package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * What an optimiser loop needs of a network: its learnable arrays (gradients attached), the manager they live on
 * (per-step scopes hang below it), a hook for changed parameters (eval-mode caches) and closing. The flows and
 * CaloDREAM's networks are such networks; the trainer ({@code org.icaloflow.train.Trainer}) runs any of them.
 */
public interface Network extends AutoCloseable {
    /** The manager the parameters live on (its device is the network's). */
    NDManager manager();

    /** Learnable arrays in a fixed order (the optimiser's and a checkpoint's). */
    List<NDArray> parameters();

    /** Number of learnable values. */
    default long parameterCount() {
        long n = 0;
        for (NDArray p : parameters()) n += p.size();
        return n;
    }

    /** Called after the parameters changed in place (an optimiser step, a restore): drop derived caches. */
    default void markParametersChanged() {
    }

    @Override
    void close();
}
