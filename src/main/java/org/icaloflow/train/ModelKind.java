package org.icaloflow.train;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.icaloflow.nn.Network;

/**
 * What {@link Trainer} trains: how to make a fresh network, save it into a folder and load it back, and the
 * widths of its data (target x and condition c of a {@link TrainingData.Batch}). {@link Flows#of} is the flows'.
 */
public interface ModelKind<M extends Network> {
    /** A freshly initialised network on {@code root}. */
    M create(NDManager root);

    /** The network saved in {@code dir} by {@link #save}, on {@code root}; a UserError naming dir when unreadable. */
    M load(Path dir, NDManager root);

    /** Writes the network's files into {@code dir} (created if needed; the trainer makes it atomic). */
    void save(M model, Path dir);

    /** Width of a batch's x. */
    int dim();

    /** Width of a batch's c (0: none). */
    int conditionDim();

    /** A few words for the log line ("MAF", "CaloDREAM energy network"). */
    String describe();

    /** Adam's ε (torch's default 1e-8, the flows'; CaloDREAM's set_optimizer defaults to 1e-6). */
    default double optimizerEpsilon() {
        return 1e-8;
    }

    /** Name of the network's folder inside checkpoint/ ("flow" for the flows, as older checkpoints have it). */
    default String checkpointEntry() {
        return "model";
    }
}
