package org.icaloflow.track;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A dataset a run used, as MLflow records it with {@code runs/log-inputs} (the runs table's "Datasets" column):
 * name, digest, source type and source (a JSON string such as {@code {"uri": "file:///…"}}), a profile (JSON, e.g.
 * the shower count) and the input's context tag ({@code mlflow.data.context}: "training", "evaluation").
 * A run holds one input per (name, digest, context): logging it again, live or by a second sync, adds nothing.
 */
public record DatasetInput(String name, String digest, String sourceType, String source, String profile, String context) {
    /** MLflow's input tag naming what the dataset was used for. */
    public static final String CONTEXT_TAG = "mlflow.data.context";

    public DatasetInput {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(digest, "digest");
        java.util.Objects.requireNonNull(sourceType, "sourceType");
        java.util.Objects.requireNonNull(source, "source");
    }

    /** What makes two inputs of one run the same. */
    String identity() {
        return name + '\u0000' + digest + '\u0000' + (context == null ? "" : context);
    }

    /** The identities of the inputs a {@code runs/get} answer's run already holds. */
    static Set<String> identities(JsonNode run) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode in : run.path("inputs").path("dataset_inputs")) {
            String context = "";
            for (JsonNode t : in.path("tags")) if (CONTEXT_TAG.equals(t.path("key").asText())) context = t.path("value").asText();
            JsonNode d = in.path("dataset");
            out.add(d.path("name").asText() + '\u0000' + d.path("digest").asText() + '\u0000' + context);
        }
        return out;
    }
}
