package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.track.JournalSync;
import org.icaloflow.track.TrackingConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@code icaloflow mlflow …}: MLflow tracking utilities. */
@Command(name = "mlflow", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "MLflow tracking utilities.",
        subcommands = {MlflowCommand.Sync.class, MlflowCommand.EndPipeline.class})
public final class MlflowCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (sync)");
    }

    /** {@code icaloflow mlflow end-pipeline --session-id S --status FINISHED|FAILED --start MS --end MS --journal F} */
    @Command(name = "end-pipeline", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Record the end of a pipeline run on its parent run: status, start and end time.",
                    "The pipeline calls it when it completes or fails (workflow.onComplete); it writes a journal (for a later sync) "
                            + "and updates the server when one is given. Tracking trouble is a warning, never an error."})
    public static final class EndPipeline implements Runnable {
        @CommandLine.Mixin
        TrackingOptions tracking = new TrackingOptions();

        @Option(names = "--status", required = true, paramLabel = "FINISHED|FAILED", description = "How the pipeline ended.")
        String status;

        @Option(names = "--start", required = true, paramLabel = "EPOCH_MS", description = "The pipeline's start time.")
        long start;

        @Option(names = "--end", required = true, paramLabel = "EPOCH_MS", description = "The pipeline's end time.")
        long end;

        @Option(names = "--journal", required = true, paramLabel = "FILE", description = "Journal to write (e.g. pipeline_info/pipeline.journal.jsonl).")
        Path journal;

        @Override
        public void run() {
            if (!status.equals("FINISHED") && !status.equals("FAILED")) throw new UserError("--status must be FINISHED or FAILED, not " + status);
            if (tracking.sessionId == null || tracking.sessionId.isBlank()) throw new UserError("--session-id is required");
            if (end < start) throw new UserError("--end " + end + " is before --start " + start);
            // the parent run's start is --start itself, not the pipeline start of the environment
            TrackingConfig c = tracking.inputs().config(null);
            org.icaloflow.track.Tracker.endPipeline(new TrackingConfig(c.trackingUri(), c.experiment(), c.sessionId(),
                    c.parentRunName(), start), journal, status, start, end);
        }
    }

    /** {@code icaloflow mlflow sync [--tracking-uri URI] JOURNAL…} */
    @Command(name = "sync", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Replay tracking journals (*.journal.jsonl) into an MLflow server.",
                    "Idempotent: runs are matched by their icaloflow.run_uuid tag, metric points, params, "
                            + "tags and artifacts already on the server are not sent again.",
                    "A folder argument means every *.journal.jsonl below it."})
    public static final class Sync implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--tracking-uri", paramLabel = "URI",
                description = "MLflow server (default: $MLFLOW_TRACKING_URI, else the URI recorded in the journal)")
        String trackingUri;

        @Parameters(arity = "1..*", paramLabel = "JOURNAL", description = "journal files or folders")
        List<Path> journals;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<Path> files = expand(journals);
            String uri = TrackingConfig.resolveUri(trackingUri);
            if (uri == null) uri = JournalSync.recordedUri(files.get(0));
            if (uri == null) {
                throw new UserError("no MLflow server given: use --tracking-uri URI or set MLFLOW_TRACKING_URI");
            }
            JournalSync sync = new JournalSync(uri, w -> {
                err.println("icaloflow: warning: " + w);
                err.flush();
            });
            // read every journal first: a corrupt one fails before anything is sent
            for (Path f : files) JournalSync.recordedUri(f);
            sync.checkReachable();
            for (Path f : files) {
                for (JournalSync.Result r : sync.sync(f)) {
                    String name = r.runName() == null ? r.runUuid() : r.runName();
                    if (r.changedNothing()) {
                        out.printf("%s: run %s (%s) already in sync%n", f, name, r.runId());
                    } else {
                        out.printf("%s: run %s (%s)%s: %d metric points, %d params, %d tags, %d inputs, %d artifacts sent; status %s%n",
                                f, name, r.runId(), r.created() ? " created" : "", r.metrics(), r.params(),
                                r.tags(), r.inputs(), r.artifacts(), r.status());
                    }
                }
            }
            out.flush();
        }

        private static List<Path> expand(List<Path> args) {
            List<Path> files = new ArrayList<>();
            for (Path p : args) {
                if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.walk(p)) {
                        List<Path> found = s.filter(f -> f.getFileName().toString().endsWith(".journal.jsonl"))
                                .filter(Files::isRegularFile).sorted().toList();
                        if (found.isEmpty()) throw new UserError("no *.journal.jsonl journal under " + p);
                        files.addAll(found);
                    } catch (IOException e) {
                        throw new UserError("cannot list " + p + ": " + e.getMessage());
                    }
                } else if (!Files.exists(p)) {
                    throw new UserError("journal " + p + " does not exist");
                } else {
                    files.add(p);
                }
            }
            return files;
        }
    }
}
