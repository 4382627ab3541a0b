package org.icaloflow.data;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.icaloflow.BuildInfo;
import org.icaloflow.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * The small JSON manifest every stage writes beside its outputs: what went in (with SHA-256 and
 * size), what came out, the resolved settings, and the build that made it. The next stage reads
 * only files, so this is all the state there is between stages.
 */
public final class StageManifest {
    private final ObjectNode root = Json.MAPPER.createObjectNode();
    private final ArrayNode inputs;
    private final ArrayNode outputs;

    public StageManifest(String stage) {
        root.put("stage", stage);
        root.put("icaloflow_version", BuildInfo.version());
        root.put("git_commit", BuildInfo.commit());
        root.put("created", Instant.now().toString());
        inputs = root.putArray("inputs");
        outputs = root.putArray("outputs");
    }

    /** Records an input file with its SHA-256 and size; returns the hash. */
    public String addInput(Path file) {
        String sha = Sha256.of(file);
        ObjectNode n = inputs.addObject();
        n.put("path", file.toAbsolutePath().normalize().toString());
        n.put("sha256", sha);
        n.put("bytes", size(file));
        return sha;
    }

    /** Records an output file (name relative to the manifest's folder) with its size and SHA-256. */
    public void addOutput(Path file) {
        ObjectNode n = outputs.addObject();
        n.put("path", file.getFileName().toString());
        n.put("bytes", size(file));
        n.put("sha256", Sha256.of(file));
    }

    /** A free-form section (settings, constants, counts); values are converted by Jackson. */
    public StageManifest put(String key, Object value) {
        root.set(key, Json.MAPPER.valueToTree(value));
        return this;
    }

    public StageManifest put(String key, Map<String, ?> value) {
        root.set(key, Json.MAPPER.valueToTree(value));
        return this;
    }

    public ObjectNode json() {
        return root;
    }

    /** Writes the manifest atomically. */
    public void write(Path file) {
        try {
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new UserError(file + ": cannot write manifest (" + e.getMessage() + ")");
        }
    }

    /** Reads a manifest written by {@link #write}. */
    public static ObjectNode read(Path file) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(file.toFile());
        } catch (IOException | ClassCastException e) {
            throw new UserError(file + ": not a readable manifest (" + e.getMessage() + ")");
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
