package org.icaloflow.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.icaloflow.flow.Flow;
import org.icaloflow.nn.Network;

import java.util.List;

/**
 * What {@link Trainer} minimises for a network of type M: the differentiable per-batch loss and the selection
 * metric that picks the kept model. Maximum likelihood ({@link #mle()}) trains the teachers; distillation
 * ({@code org.icaloflow.distill.DistillationObjective}) the students; flow matching CaloDREAM's networks.
 * Everything else (schedule, selection, checkpoint/resume, NaN skipping, progress, history, plot) stays in the
 * trainer.
 */
public interface Objective<M extends Network> {

    /**
     * One batch's loss: {@code total} is differentiated; {@code terms} (scalars, in the order of
     * {@link #terms()}) are only logged.
     */
    record Loss(NDArray total, NDArray[] terms) {
    }

    /** A freshly initialised network (resumed runs load the checkpoint instead): the kind's, unless overridden. */
    default M create(ModelKind<M> kind, NDManager root) {
        return kind.create(root);
    }

    /** Names of the separately logged loss terms (metric keys and history.csv columns); may be empty. */
    default List<String> terms() {
        return List.of();
    }

    /**
     * The loss of batch {@code b} (x, c already on the step's manager), called inside the gradient collector.
     * {@code step} is the global step: any randomness must be derived from it so that resumed runs agree.
     */
    Loss loss(M model, NDArray x, NDArray c, TrainingData.Batch b, long step);

    /** Metric key of the selection value (lower is better). */
    default String selectionName() {
        return "select_loss";
    }

    /** How progress lines name the selection value. */
    default String selectionDescription() {
        return "selection loss";
    }

    /** Selection value of {@code model} on {@code select}, without gradients; lower is better. */
    double selectionMetric(M model, TrainingData select, int batchSize);

    /** Maximum likelihood: mean negative log-likelihood (paper Eqs. 3-5), selected on the same. */
    static Objective<Flow> mle() {
        return new Objective<>() {
            @Override
            public Loss loss(Flow flow, NDArray x, NDArray c, TrainingData.Batch b, long step) {
                return new Loss(flow.logProb(x, c).mean().neg(), new NDArray[0]);
            }

            @Override
            public double selectionMetric(Flow flow, TrainingData select, int batchSize) {
                return Trainer.meanNll(flow, select, batchSize);
            }
        };
    }
}
