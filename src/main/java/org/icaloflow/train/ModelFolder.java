package org.icaloflow.train;

import org.icaloflow.flow.io.FlowCheckpoint;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The output folder of {@code icaloflow train} or {@code icaloflow distill}, and the one owner of its layout:
 * {@code model/} (the selected flow: {@code flow.json}, {@code params.bin}), {@code checkpoint/} (the latest flow,
 * optimiser and loop state, to resume from), {@code history.csv} (training and selection losses per selection
 * point, then the objective's separate loss terms), {@code loss.png} (the loss curves) and {@code manifest.json}
 * (the stage manifest). {@link Trainer} writes through it; sample, distill and report resolve through it.
 */
public record ModelFolder(Path dir) {
    /** Folder of the selected flow. */
    public static final String MODEL = "model";
    /** Folder of the latest flow, optimiser and loop state. */
    public static final String CHECKPOINT = "checkpoint";
    /** Loss history, CSV. */
    public static final String HISTORY = "history.csv";
    /** Loss curves, PNG. */
    public static final String LOSS_PNG = "loss.png";
    /** The stage manifest. */
    public static final String MANIFEST = "manifest.json";

    public Path model() {
        return dir.resolve(MODEL);
    }

    public Path checkpoint() {
        return dir.resolve(CHECKPOINT);
    }

    public Path history() {
        return dir.resolve(HISTORY);
    }

    public Path lossPlot() {
        return dir.resolve(LOSS_PNG);
    }

    public Path manifest() {
        return dir.resolve(MANIFEST);
    }

    /** The history file inside a checkpoint folder (a copy of the history up to that checkpoint). */
    static Path checkpointHistory(Path checkpoint) {
        return checkpoint.resolve(HISTORY);
    }

    /**
     * The saved flow that {@code path} names: {@code path} itself when it holds {@code flow.json} (a model folder),
     * else its {@code model/} when that does (a train or distill output folder); null when neither.
     */
    public static Path findModel(Path path) {
        if (Files.isRegularFile(path.resolve(FlowCheckpoint.JSON_FILE))) return path;
        Path model = new ModelFolder(path).model();
        if (Files.isRegularFile(model.resolve(FlowCheckpoint.JSON_FILE))) return model;
        return null;
    }
}
