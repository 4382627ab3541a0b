package org.icaloflow.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.icaloflow.UserError;
import org.icaloflow.data.Json;
import org.icaloflow.data.Sha256;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shower files a run used, as an MLflow dataset input ({@code runs/log-inputs}): name = the file's name (the
 * first part's, "+ N parts" for several), digest = the first 16 hex digits of the files' SHA-256 (of the
 * concatenated per-file hashes when there are several), source {@code {"uri": "file:///…"}}, profile = the shower
 * count, geometry and full per-file hashes. The same files give the same digest on any machine, so two pipeline runs
 * on one dataset show one dataset in MLflow's runs table.
 */
public final class ShowerDatasets {
    static final int DIGEST_CHARS = 16;

    private ShowerDatasets() {
    }

    /** A dataset of {@code files} (with their SHA-256, in the same order) holding {@code showers} showers. */
    public static DatasetInput of(List<Path> files, List<String> sha256, long showers, String geometry, String context,
                           java.util.Map<String, Long> extraCounts) {
        if (files.isEmpty() || files.size() != sha256.size()) throw new IllegalArgumentException(files.size() + " files, " + sha256.size() + " hashes");
        String name = files.get(0).getFileName().toString() + (files.size() > 1 ? " + " + (files.size() - 1) + " parts" : "");
        String digest = (files.size() == 1 ? sha256.get(0) : Sha256.of(String.join(",", sha256))).substring(0, DIGEST_CHARS);
        ObjectNode source = Json.MAPPER.createObjectNode().put("uri", files.get(0).toAbsolutePath().normalize().toUri().toString());
        ObjectNode profile = Json.MAPPER.createObjectNode().put("showers", showers).put("geometry", geometry);
        if (extraCounts != null) extraCounts.forEach(profile::put);
        ArrayNode hashes = profile.putArray("sha256");
        sha256.forEach(hashes::add);
        if (files.size() > 1) {
            ArrayNode parts = profile.putArray("files");
            files.forEach(f -> parts.add(f.toAbsolutePath().normalize().toString()));
        }
        return new DatasetInput(name, digest, "local", compact(source), compact(profile), context);
    }

    /**
     * The training showers of a preprocess output, from its manifest (the input files with their SHA-256, the shower
     * counts of the training and selection splits), context "training".
     */
    public static DatasetInput training(Path preprocessManifest) {
        JsonNode m;
        try {
            m = Json.MAPPER.readTree(preprocessManifest.toFile());
        } catch (IOException e) {
            throw new UserError(preprocessManifest + ": unreadable preprocess manifest (" + e.getMessage() + ")");
        }
        List<Path> files = new ArrayList<>();
        List<String> sha = new ArrayList<>();
        for (JsonNode in : m.path("inputs")) {
            if (!in.hasNonNull("path") || !in.hasNonNull("sha256")) continue;
            files.add(Path.of(in.get("path").asText()));
            sha.add(in.get("sha256").asText());
        }
        if (files.isEmpty()) throw new UserError(preprocessManifest + ": key 'inputs' names no input file");
        JsonNode rows = m.path("rows");
        if (!rows.path("total").canConvertToLong()) throw new UserError(preprocessManifest + ": key 'rows.total' is missing");
        java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
        counts.put("train_showers", rows.path("train").asLong());
        counts.put("select_showers", rows.path("select").asLong());
        return of(files, sha, rows.get("total").asLong(), m.path("settings").path("geometry").asText("unknown"), "training", counts);
    }

    /** One-line JSON (Jackson's JsonNode.toString is compact, valid JSON). */
    private static String compact(JsonNode n) {
        return n.toString();
    }
}
