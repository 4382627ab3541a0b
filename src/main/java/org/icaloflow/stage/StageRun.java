package org.icaloflow.stage;

import org.icaloflow.data.StageManifest;
import org.icaloflow.track.Tracker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A stage's MLflow run around its work, the same for every stage: start the run, log its parameters, run the body,
 * write the manifest the body set (atomically), then log the artifacts it named; on an exception mark the run
 * failed and rethrow, so the journal and the server say FAILED whatever stage broke. The body still logs metrics,
 * inputs and parent-run values on {@link #tracker()} itself, as they come.
 */
public final class StageRun {

    /** The stage's work; what it returns is handed back once the manifest and artifacts are done. */
    @FunctionalInterface
    public interface Body<R> {
        R run(StageRun run);
    }

    private record Artifact(Path file, String dir) {
    }

    private final Tracker tracker;
    private StageManifest manifest;
    private Path manifestFile;
    private final List<Artifact> artifacts = new ArrayList<>();

    private StageRun(Tracker tracker) {
        this.tracker = tracker;
    }

    /**
     * Starts the stage's run ({@code journal} always gets its events), runs {@code body} in it and closes it.
     *
     * @param configExperiment the configuration's experiment (null: none)
     * @param params           logged before the body; null or empty: none
     */
    public static <R> R run(StageTracking tracking, String configExperiment, Path journal, String runName,
                            Map<String, String> tags, Map<String, ?> params, Body<R> body) {
        try (Tracker tracker = tracking.start(configExperiment, journal, runName, tags)) {
            return run(tracker, params, body);
        }
    }

    /** As {@link #run(StageTracking, String, Path, String, Map, Map, Body)} in a run already started; the caller closes it. */
    public static <R> R run(Tracker tracker, Map<String, ?> params, Body<R> body) {
        StageRun run = new StageRun(tracker);
        try {
            if (params != null && !params.isEmpty()) tracker.logParams(params);
            R result = body.run(run);
            if (run.manifest != null) run.manifest.write(run.manifestFile);
            for (Artifact a : run.artifacts) tracker.logArtifact(a.file(), a.dir());
            return result;
        } catch (RuntimeException | Error e) {   // an OutOfMemoryError too: the run must not end FINISHED
            tracker.fail();
            throw e;
        }
    }

    public Tracker tracker() {
        return tracker;
    }

    /** The manifest to write to {@code file} once the body has returned (a stage stopped early sets none). */
    public void manifest(StageManifest m, Path file) {
        this.manifest = m;
        this.manifestFile = file;
    }

    /** A file to log as an artifact (under {@code dir}; null: the run's root) once the manifest is written. */
    public void artifact(Path file, String dir) {
        artifacts.add(new Artifact(file, dir));
    }
}
