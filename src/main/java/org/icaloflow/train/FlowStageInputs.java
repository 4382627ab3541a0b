package org.icaloflow.train;

import org.icaloflow.FlowRole;
import org.icaloflow.UserError;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Sha256;
import org.icaloflow.data.StageManifest;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.icaloflow.preprocess.Preprocessor;
import org.icaloflow.stage.StageRun;
import org.icaloflow.track.DatasetInput;
import org.icaloflow.track.ShowerDatasets;
import org.icaloflow.track.Tags;
import org.icaloflow.track.Tracker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the flow-training stages (train, distill) share: their folders and run controls, and the set-up and
 * wrap-up around the training loop.
 *
 * @param config         run configuration
 * @param data           output folder of the preprocess stage
 * @param out            output folder (model/, checkpoint/, history.csv, loss.png, manifest.json, journal)
 * @param resume         continue from the checkpoint when there is one
 * @param checkpointDir  null: OUT/checkpoint
 * @param epochs         null: the configured number; else at least 1
 * @param stopAfterSteps testing: abandon the run after this many steps, as a kill would (0: never)
 */
public record FlowStageInputs(Path config, Path data, Path out, boolean resume, Path checkpointDir, Integer epochs,
                              long stopAfterSteps) {

    /** {@code settings} with {@link #epochs} applied when given. */
    public TrainingSettings withEpochs(TrainingSettings settings) {
        return epochs == null ? settings : settings.withEpochs(epochs);
    }

    /** The manifest of the preprocess output; a UserError when {@link #data} is not one. */
    public Path preprocessManifest() {
        Path m = data.resolve(Preprocessor.MANIFEST);
        if (!Files.isRegularFile(m)) throw new UserError(data + ": not a preprocess output (no " + Preprocessor.MANIFEST + ")");
        return m;
    }

    /** The MLflow tags of a stage run on one flow ({@code geometry}: the config's, may be null). */
    public Map<String, String> tags(String stage, FlowRole flow, String geometry, Path dataManifest) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(Tags.STAGE, stage);
        tags.put(Tags.FLOW, String.valueOf(flow.number()));
        tags.put(Tags.GEOMETRY, String.valueOf(geometry));
        tags.put(Tags.CONFIG_SHA256, Sha256.of(config));
        tags.put(Tags.INPUT_SHA256, Sha256.of(dataManifest));
        return tags;
    }

    /** Creates the output folder. */
    public void createOutput() {
        AtomicFiles.createFolder(out);
    }

    /** The run's configuration (as an artifact) and training showers (as its and the pipeline's dataset input). */
    public void logInputs(Tracker tracker, Path dataManifest) {
        tracker.logArtifact(config, "config");
        DatasetInput input = ShowerDatasets.training(dataManifest);
        tracker.logInput(input);
        tracker.logParentInput(input);
    }

    /** The training loop's options for the flow {@code name}, progress on stderr. */
    public Trainer.Options trainerOptions(String name, TrainingSettings settings) {
        return new Trainer.Options(name, settings, out, resume, stopAfterSteps, System.err, checkpointDir);
    }

    /** A completed run's wrap-up: manifest {@code m} (with the history as output) and the model's artifacts. */
    public void finish(StageRun run, StageManifest m) {
        ModelFolder folder = new ModelFolder(out);
        m.addOutput(folder.history());
        run.manifest(m, folder.manifest());
        run.artifact(folder.lossPlot(), "plots");
        run.artifact(folder.history(), null);
        run.artifact(folder.model().resolve(FlowCheckpoint.JSON_FILE), "model");
    }
}
