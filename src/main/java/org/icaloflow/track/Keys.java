package org.icaloflow.track;

import org.icaloflow.data.Json;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** MLflow key and value rules, config flattening and hashing helpers. */
public final class Keys {
    public static final int MAX_KEY = 250;
    public static final int MAX_PARAM_VALUE = 6000;
    public static final int MAX_TAG_VALUE = 8000;

    private Keys() {}

    /**
     * A key MLflow accepts: alphanumerics, {@code _ - . / space}; no empty, {@code .} or {@code ..}
     * path segments, no leading or trailing slash; at most {@value #MAX_KEY} characters.
     */
    public static String sanitize(String key) {
        if (key == null || key.isEmpty()) return "_";
        String k = key.replaceAll("[^A-Za-z0-9_\\-. /]", "_");
        StringBuilder b = new StringBuilder();
        for (String seg : k.split("/")) {
            if (seg.isEmpty()) continue;
            if (seg.equals(".") || seg.equals("..")) seg = seg.replace('.', '_');
            if (b.length() > 0) b.append('/');
            b.append(seg);
        }
        String out = b.length() == 0 ? "_" : b.toString();
        return out.length() > MAX_KEY ? out.substring(0, MAX_KEY) : out;
    }

    static String truncate(String v, int max) {
        if (v == null) return "";
        if (v.length() <= max) return v;
        return v.substring(0, max - 3) + "...";
    }

    /**
     * Flattens a nested configuration into dotted keys: {@code {flow: {layers: 8}}} becomes
     * {@code flow.layers=8}. Lists become their JSON text, nulls the text {@code null}; values are
     * cut to {@value #MAX_PARAM_VALUE} characters and keys sanitized.
     */
    public static Map<String, String> flatten(Map<String, ?> nested) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", nested, out);
        return out;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey();
            Object v = e.getValue();
            if (v instanceof Map<?, ?> m && !m.isEmpty()) {
                flatten(key, m, out);
            } else {
                out.put(sanitize(key), truncate(valueText(v), MAX_PARAM_VALUE));
            }
        }
    }

    static String valueText(Object v) {
        if (v == null) return "null";
        if (v instanceof CharSequence || v instanceof Number || v instanceof Boolean || v instanceof Enum<?>
                || v instanceof Path) {
            return v.toString();
        }
        if (v instanceof Collection<?> || v instanceof Map<?, ?> || v.getClass().isArray()) {
            try {
                return Json.MAPPER.writeValueAsString(v);
            } catch (IOException e) {
                return String.valueOf(v);
            }
        }
        return v.toString();
    }

    /** This machine's host name, without DNS lookups (which can hang on cluster nodes). */
    static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) return h.strip();
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
