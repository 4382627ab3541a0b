package org.icaloflow;

import java.io.InputStream;
import java.util.Properties;

/** Version and git commit of this build (filtered into icaloflow-version.properties by Maven). */
public final class BuildInfo {
    private static final Properties PROPS = load();

    private BuildInfo() {
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/icaloflow-version.properties")) {
            if (in != null) p.load(in);
        } catch (Exception ignored) {
            // no properties: report unknown
        }
        return p;
    }

    public static String version() {
        return PROPS.getProperty("version", "unknown");
    }

    public static String commit() {
        String c = PROPS.getProperty("commit", "unknown");
        return c.isBlank() || c.startsWith("${") ? "unknown" : c;
    }
}
