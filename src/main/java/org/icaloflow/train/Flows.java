package org.icaloflow.train;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.flow.io.FlowCheckpoint;

/** The flows as a {@link ModelKind}: {@link FlowCheckpoint} folders, checked against the spec when loaded. */
public final class Flows {
    private Flows() {
    }

    /** Flows of {@code spec}; a fresh one is {@link Flow#create(FlowSpec, NDManager)}'s (an objective may make its own). */
    public static Kind of(FlowSpec spec) {
        return new Kind(spec);
    }

    /** The kind of the flows of one spec. */
    public record Kind(FlowSpec spec) implements ModelKind<Flow> {
        @Override
        public Flow create(NDManager root) {
            return Flow.create(spec, root);
        }

        @Override
        public Flow load(Path dir, NDManager root) {
            return FlowCheckpoint.load(dir, root, spec);
        }

        @Override
        public void save(Flow model, Path dir) {
            FlowCheckpoint.save(model, dir);
        }

        @Override
        public int dim() {
            return spec.dim();
        }

        @Override
        public int conditionDim() {
            return spec.conditionDim();
        }

        @Override
        public String describe() {
            return spec.kind().toString();
        }

        @Override
        public String checkpointEntry() {
            return "flow";
        }
    }
}
