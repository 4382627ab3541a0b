package org.icaloflow.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.icaloflow.UserError;
import org.icaloflow.data.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-stage views of a run configuration, so that the pipeline re-runs only what a change touches:
 * each stage gets a file with just the sections it reads (editing training.flow3 leaves the files of
 * Flow-1 and Flow-2 byte-identical, and Nextflow's -resume keeps their tasks).
 */
public final class ConfigSplit {
    private ConfigSplit() {
    }

    /** Stage name → the (section, key) paths it keeps; "*" keeps a whole section. */
    static final Map<String, List<String>> STAGES = new LinkedHashMap<>();

    static {
        List<String> common = List.of("geometry", "tracking");
        STAGES.put("preprocess", concat(common, "preprocess"));
        STAGES.put("train1", concat(common, "architecture.flow1", "training.flow1"));
        STAGES.put("train2", concat(common, "architecture.flow2_teacher", "training.flow2"));
        STAGES.put("train3", concat(common, "architecture.flow3_teacher", "training.flow3"));
        STAGES.put("distill2", concat(common, "architecture.flow2_teacher", "architecture.flow2_student", "distillation.flow2", "distillation.*options"));
        STAGES.put("distill3", concat(common, "architecture.flow3_teacher", "architecture.flow3_student", "distillation.flow3", "distillation.*options"));
        // CaloDREAM (--generators calodream): each network's sizes and training, so that retraining one keeps the other
        STAGES.put("dream_energy", concat(common, "calodream.energy", "calodream.training.energy"));
        STAGES.put("dream_shape", concat(common, "calodream.shape", "calodream.training.shape"));
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> l = new java.util.ArrayList<>(a);
        l.addAll(List.of(b));
        return l;
    }

    /** Writes OUT/<stage>.yaml for every stage, plus OUT/full.yaml (the whole configuration, validated). */
    public static List<Path> split(Path config, Path outDir) {
        RunConfig.load(config);   // validate the whole file first: errors name the original file and key
        JsonNode root;
        try {
            root = Yaml.mapper().readTree(config.toFile());
        } catch (IOException e) {
            throw new UserError(config + ": cannot read (" + e.getMessage() + ")");
        }
        List<Path> written = new java.util.ArrayList<>();
        for (Map.Entry<String, List<String>> st : STAGES.entrySet()) {
            ObjectNode out = Yaml.mapper().createObjectNode();
            for (String key : st.getValue()) {
                String[] parts = key.split("\\.");
                JsonNode src = root.get(parts[0]);
                if (src == null) continue;
                if (parts.length == 1) {
                    out.set(parts[0], src.deepCopy());
                } else if (parts[1].equals("*options")) {
                    // every non-flow key of the section (shared options such as loss weights)
                    ObjectNode dst = out.has(parts[0]) ? (ObjectNode) out.get(parts[0]) : out.putObject(parts[0]);
                    src.fields().forEachRemaining(f -> {
                        if (!f.getKey().matches("flow\\d")) dst.set(f.getKey(), f.getValue().deepCopy());
                    });
                } else {
                    // a nested key (section.key or section.sub.key): copied when present, its parents created
                    JsonNode value = src;
                    for (int i = 1; i < parts.length && value != null; i++) value = value.get(parts[i]);
                    if (value == null) continue;
                    ObjectNode dst = out;
                    for (int i = 0; i < parts.length - 1; i++)
                        dst = dst.has(parts[i]) ? (ObjectNode) dst.get(parts[i]) : dst.putObject(parts[i]);
                    dst.set(parts[parts.length - 1], value.deepCopy());
                }
            }
            if (!out.has("architecture")) out.putObject("architecture");
            Path file = outDir.resolve(st.getKey() + ".yaml");
            try {
                AtomicFiles.writeString(file, "# the " + st.getKey() + " stage's view of a run configuration"
                        + " (icaloflow config split)\n" + Yaml.mapper().writeValueAsString(out));
            } catch (IOException e) {
                throw new UserError(file + ": cannot write (" + e.getMessage() + ")");
            }
            written.add(file);
        }
        Path full = outDir.resolve("full.yaml");
        try {
            AtomicFiles.writeString(full, Files.readString(config));
        } catch (IOException e) {
            throw new UserError(config + ": cannot read (" + e.getMessage() + ")");
        }
        written.add(full);
        return written;
    }
}
