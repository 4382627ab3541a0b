package org.icaloflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The one owner of JSON in icaloflow: a single Jackson {@link ObjectMapper} with Jackson's defaults (properties in
 * declaration order, unknown properties refused when binding), and two ways of writing it.
 * {@link #PRETTY} (two-space indentation, Jackson's default pretty printer) is for the files a person reads:
 * stage manifests, {@code flow.json}, evaluation summaries, checkpoint state. {@link #MAPPER} itself writes
 * compactly, one value per line, for the tracking journal, MLflow's REST bodies and tag values.
 * YAML (run configurations) has its own mapper in {@code org.icaloflow.config.Yaml}.
 */
public final class Json {
    /** The shared mapper; writes compact JSON. */
    public static final ObjectMapper MAPPER = new ObjectMapper();
    /** The same mapper writing indented JSON. */
    public static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private Json() {}

    /** A new, empty object node. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Reads a JSON file as a tree. */
    public static JsonNode read(Path file) throws IOException {
        return MAPPER.readTree(file.toFile());
    }

    /** Indented JSON text of a value (no trailing newline). */
    public static String pretty(Object value) throws IOException {
        return PRETTY.writeValueAsString(value);
    }

    /** Compact, one-line JSON text of a value. */
    public static String compact(Object value) throws IOException {
        return MAPPER.writeValueAsString(value);
    }
}
