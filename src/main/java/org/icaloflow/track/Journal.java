package org.icaloflow.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.icaloflow.UserError;
import org.icaloflow.data.Json;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The append-only JSONL event journal of stage runs: the source of truth that
 * {@code icaloflow mlflow sync} replays. One JSON object per line, with field {@code ev}:
 * <pre>
 * {"ev":"start","v":1,"run_uuid":…,"run_name":…,"experiment":…,"session":…,"parent_name":…,
 *  "tracking_uri":…,"start_time":ms,"tags":{…}}
 * {"ev":"params","params":{"flow.layers":"8",…}}
 * {"ev":"metric","key":"loss","value":1.25,"step":10,"ts":ms}     (value "NaN"/"Infinity" when not finite)
 * {"ev":"tag","key":…,"value":…}
 * {"ev":"artifact","path":"rel/to/journal/dir","abs":"/abs/path","dir":"plots"|null,"size":n,"ts":ms}
 * {"ev":"end","status":"FINISHED"|"FAILED"|"KILLED","end_time":ms}
 * {"ev":"parent_metric","key":…,"value":…,"step":0,"ts":ms}       (on the pipeline's parent run: headline numbers)
 * {"ev":"parent_params","params":{…}}
 * {"ev":"parent_artifact", same fields as artifact}
 * {"ev":"input","name":…,"digest":…,"source_type":…,"source":…,"profile":…,"context":"training"}   (runs/log-inputs)
 * {"ev":"parent_input", same fields as input}
 * </pre>
 * The start event may carry {@code "pipeline_start":ms} (the pipeline's own start: the parent run gets it when this
 * run creates it) and {@code "kind":"pipeline"}: a record of the pipeline run itself (written by
 * {@code icaloflow mlflow end-pipeline}), not a stage: syncing it sets the parent's status and end time and creates
 * no child run.
 * A file may hold several runs one after another (each begins with its {@code start}).
 * Every line is flushed at once except metrics, which are flushed at least once a second.
 */
final class Journal {
    static final int VERSION = 1;

    private Journal() {}

    /** Appends events to a journal file. Not thread-safe by itself: {@link Tracker} serializes calls. */
    static final class Writer implements AutoCloseable {
        final Path path;
        private final BufferedWriter out;
        private boolean dirty;

        Writer(Path path) throws IOException {
            this.path = path.toAbsolutePath().normalize();
            Path dir = this.path.getParent();
            if (dir != null) Files.createDirectories(dir);
            boolean needNewline = false;
            if (Files.exists(this.path) && Files.size(this.path) > 0) {
                try (RandomAccessFile raf = new RandomAccessFile(this.path.toFile(), "r")) {
                    raf.seek(raf.length() - 1);
                    needNewline = raf.read() != '\n'; // a line cut short by a crash: keep it on its own line
                }
            }
            out = Files.newBufferedWriter(this.path, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            if (needNewline) {
                out.write('\n');
                out.flush();
            }
        }

        void write(ObjectNode event, boolean flush) throws IOException {
            out.write(Json.MAPPER.writeValueAsString(event));
            out.write('\n');
            if (flush) {
                out.flush();
                dirty = false;
            } else {
                dirty = true;
            }
        }

        void flushIfDirty() throws IOException {
            if (dirty) {
                out.flush();
                dirty = false;
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** An artifact recorded in a journal. */
    record Artifact(String relPath, String absPath, String dir, long size) {
        /** The local file: relative to the journal's folder first (moved results), else the absolute path. */
        Path resolve(Path journal) {
            if (relPath != null) {
                Path dirOfJournal = journal.toAbsolutePath().getParent();
                Path p = dirOfJournal == null ? Path.of(relPath) : dirOfJournal.resolve(relPath).normalize();
                if (Files.isRegularFile(p)) return p;
            }
            if (absPath != null && Files.isRegularFile(Path.of(absPath))) return Path.of(absPath);
            return null;
        }

        String fileName() {
            String p = relPath != null ? relPath : absPath;
            return Path.of(p).getFileName().toString();
        }

        /** Path of the artifact inside the run's artifact root. */
        String artifactPath() {
            return dir == null || dir.isEmpty() ? fileName() : dir + "/" + fileName();
        }
    }

    /** One run as recorded in a journal. */
    static final class Run {
        Path journal;
        int line;
        String uuid, runName, experiment, session, parentName, trackingUri, kind;
        long startTime;
        Long pipelineStart;
        final Map<String, String> parentParams = new LinkedHashMap<>();
        final List<MlflowRest.Metric> parentMetrics = new ArrayList<>();
        final List<Artifact> parentArtifacts = new ArrayList<>();
        final List<DatasetInput> inputs = new ArrayList<>();
        final List<DatasetInput> parentInputs = new ArrayList<>();

        boolean isPipeline() {
            return "pipeline".equals(kind);
        }
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, String> params = new LinkedHashMap<>();
        final List<MlflowRest.Metric> metrics = new ArrayList<>();
        final List<Artifact> artifacts = new ArrayList<>();
        String endStatus;
        Long endTime;
    }

    /**
     * Reads all runs of a journal. A last line cut short (crash) is reported through {@code warn}
     * and skipped; a missing file, an unreadable line elsewhere or a file that is no journal is a
     * {@link UserError} naming the file.
     */
    static List<Run> read(Path journal, Consumer<String> warn) {
        List<String> lines;
        try {
            // lenient decoding: a crash may cut a line inside a multi-byte character
            lines = new String(Files.readAllBytes(journal), StandardCharsets.UTF_8).lines().toList();
        } catch (NoSuchFileException e) {
            throw new UserError("journal " + journal + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot read journal " + journal + ": " + e.getMessage());
        }
        List<Run> runs = new ArrayList<>();
        Run cur = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            JsonNode ev;
            try {
                ev = Json.MAPPER.readTree(line);
                if (ev == null || !ev.isObject() || !ev.has("ev")) throw new IOException("not a journal event");
            } catch (IOException e) {
                boolean lastOfFile = lines.subList(i + 1, lines.size()).stream().allMatch(String::isBlank);
                boolean lastOfRun = !lastOfFile && nextIsStart(lines, i + 1);
                if (lastOfFile || lastOfRun) {
                    warn.accept("journal " + journal + ": line " + (i + 1)
                            + " is cut short (crashed writer?); ignoring it");
                    continue;
                }
                throw new UserError("journal " + journal + " is corrupt: line " + (i + 1) + " is not a journal event");
            }
            try {
                cur = apply(ev, cur, runs, journal, i + 1);
            } catch (RuntimeException e) {
                if (e instanceof UserError) throw e;
                throw new UserError("journal " + journal + " is corrupt: line " + (i + 1) + " (" + e.getMessage() + ")");
            }
        }
        if (runs.isEmpty()) throw new UserError("journal " + journal + " holds no run (not an icaloflow journal?)");
        return runs;
    }

    /** Applies one event; returns the current run afterwards. */
    private static Run apply(JsonNode ev, Run cur, List<Run> runs, Path journal, int lineNo) {
        String type = ev.get("ev").asText();
        if (type.equals("start")) {
            Run r = new Run();
            r.journal = journal;
            r.line = lineNo;
            r.uuid = text(ev, "run_uuid");
            if (r.uuid == null) throw new UserError("journal " + journal + " is corrupt: line " + lineNo + " has no run_uuid");
            r.runName = text(ev, "run_name");
            r.experiment = text(ev, "experiment");
            r.session = text(ev, "session");
            r.parentName = text(ev, "parent_name");
            r.trackingUri = text(ev, "tracking_uri");
            r.startTime = ev.path("start_time").asLong(0);
            r.kind = text(ev, "kind");
            if (ev.hasNonNull("pipeline_start")) r.pipelineStart = ev.get("pipeline_start").asLong();
            ev.path("tags").fields().forEachRemaining(f -> r.tags.put(f.getKey(), f.getValue().asText()));
            runs.add(r);
            return r;
        }
        if (cur == null) {
            throw new UserError("journal " + journal + " is corrupt: line " + lineNo + " comes before any start event");
        }
        Run r = cur;
        switch (type) {
            case "params" -> ev.path("params").fields().forEachRemaining(f -> r.params.putIfAbsent(f.getKey(), f.getValue().asText()));
            case "metric", "parent_metric" -> {
                if (!ev.hasNonNull("key") || !ev.hasNonNull("value") || !ev.hasNonNull("step") || !ev.hasNonNull("ts")) {
                    throw new IllegalArgumentException("metric without key, value, step or ts");
                }
                (type.equals("metric") ? r.metrics : r.parentMetrics).add(new MlflowRest.Metric(ev.get("key").asText(),
                        MlflowRest.number(ev.get("value")), ev.get("step").asLong(), ev.get("ts").asLong()));
            }
            case "parent_params" -> ev.path("params").fields().forEachRemaining(f -> r.parentParams.putIfAbsent(f.getKey(), f.getValue().asText()));
            case "parent_artifact" -> {
                if (!ev.hasNonNull("path") && !ev.hasNonNull("abs")) throw new IllegalArgumentException("artifact without path");
                r.parentArtifacts.add(new Artifact(text(ev, "path"), text(ev, "abs"), text(ev, "dir"), ev.path("size").asLong(-1)));
            }
            case "input", "parent_input" -> {
                if (!ev.hasNonNull("name") || !ev.hasNonNull("digest") || !ev.hasNonNull("source_type") || !ev.hasNonNull("source")) {
                    throw new IllegalArgumentException("input without name, digest, source_type or source");
                }
                (type.equals("input") ? r.inputs : r.parentInputs).add(new DatasetInput(text(ev, "name"), text(ev, "digest"),
                        text(ev, "source_type"), text(ev, "source"), text(ev, "profile"), text(ev, "context")));
            }
            case "tag" -> r.tags.put(ev.path("key").asText(), ev.path("value").asText());
            case "artifact" -> {
                if (!ev.hasNonNull("path") && !ev.hasNonNull("abs")) throw new IllegalArgumentException("artifact without path");
                r.artifacts.add(new Artifact(text(ev, "path"), text(ev, "abs"), text(ev, "dir"), ev.path("size").asLong(-1)));
            }
            case "end" -> {
                r.endStatus = ev.path("status").asText("FINISHED");
                r.endTime = ev.path("end_time").asLong();
            }
            default -> { /* unknown event from a newer writer: ignore */ }
        }
        return r;
    }

    private static boolean nextIsStart(List<String> lines, int from) {
        for (int j = from; j < lines.size(); j++) {
            String l = lines.get(j).strip();
            if (l.isEmpty()) continue;
            try {
                return "start".equals(Json.MAPPER.readTree(l).path("ev").asText());
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    private static String text(JsonNode ev, String field) {
        JsonNode n = ev.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
