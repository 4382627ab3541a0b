package org.icaloflow.flow.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.icaloflow.UserError;
import org.icaloflow.data.Json;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.nn.OutputInit;

/** {@link FlowSpec} as a JSON/YAML tree: a checkpoint's {@code spec}, a configuration's {@code architecture.flowN}. */
public final class FlowSpecJson {
    private FlowSpecJson() {
    }

    /**
     * Binds a JSON/YAML tree, reporting problems as a {@link UserError} naming {@code where} and the key.
     *
     * @param node the mapping
     * @param where where the mapping comes from, e.g. {@code "configs/ds2.yaml: architecture.flow1"}
     */
    public static FlowSpec fromTree(JsonNode node, String where) {
        List<String> keys = FlowSpec.KEYS;
        if (node == null || !node.isObject()) {
            throw new UserError(where + ": expected a mapping with keys " + keys);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!keys.contains(key)) {
                throw new UserError(where + ": unknown key '" + key + "' (known keys: " + String.join(", ", keys) + ")");
            }
        }
        for (String key : List.of("dim", "conditionDim", "hiddenLayers", "hiddenWidth", "blocks", "bins", "seed")) {
            JsonNode v = node.get(key);
            if (v != null && !v.isNull() && !v.canConvertToExactIntegral()) {
                throw new UserError(where + ": key '" + key + "' must be an integer, got " + v);
            }
        }
        for (String key : List.of("tailBound", "minBinWidth", "minBinHeight", "minDerivative")) {
            JsonNode v = node.get(key);
            if (v != null && !v.isNull() && !v.isNumber()) {
                throw new UserError(where + ": key '" + key + "' must be a number, got " + v);
            }
        }
        JsonNode init = node.get("outputInit");
        if (init != null && !init.isNull() && (!init.isTextual() || OutputInit.of(init.asText()) == null)) {
            throw new UserError(where + ": key 'outputInit' must be nflows or nearIdentity, got " + init);
        }
        JsonNode kind = node.get("kind");
        if (kind != null && !kind.isNull()) {
            String k = kind.asText().toUpperCase(Locale.ROOT);
            if (!k.equals("MAF") && !k.equals("IAF")) {
                throw new UserError(where + ": key 'kind' must be MAF or IAF, got " + kind);
            }
            node = ((ObjectNode) node.deepCopy()).put("kind", k);
        }
        try {
            return Json.MAPPER.treeToValue(node, FlowSpec.class);
        } catch (Exception e) {
            // FlowSpec's own validation, naming the key, arrives wrapped by Jackson
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof IllegalArgumentException bad) {
                    throw new UserError(where + ": " + bad.getMessage(), e);
                }
            }
            throw new UserError(where + ": invalid flow architecture: " + e.getMessage(), e);
        }
    }

    /** The spec as a JSON tree (all keys written). */
    public static ObjectNode toTree(FlowSpec spec) {
        return Json.MAPPER.valueToTree(spec);
    }
}
