package org.icaloflow;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The house's import rules (docs/design.md), read from the sources: every {@code org.icaloflow.x.Y} a code line names
 * (imports and fully qualified uses; comments do not count) is an edge from the file's package to {@code x}.
 */
class ArchitectureTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final String ROOT = "org.icaloflow";
    private static final Pattern NAME = Pattern.compile("(?<![\\w.])(org\\.icaloflow(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");
    /** package → packages it names, with one file that does, for the messages. */
    private static final Map<String, Map<String, String>> USES = new TreeMap<>();

    @BeforeAll
    static void read() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String pkg = SOURCES.relativize(f.getParent()).toString().replace('/', '.').replace('\\', '.');
                Map<String, String> uses = USES.computeIfAbsent(pkg, k -> new TreeMap<>());
                boolean inComment = false;
                for (String line : Files.readAllLines(f)) {
                    String code = line.strip();
                    if (inComment) {
                        int end = code.indexOf("*/");
                        if (end < 0) continue;
                        code = code.substring(end + 2);
                        inComment = false;
                    }
                    if (code.startsWith("//") || code.startsWith("package ")) continue;
                    int start = code.indexOf("/*");
                    if (start >= 0) {
                        inComment = code.indexOf("*/", start) < 0;
                        code = code.substring(0, start);
                    }
                    Matcher m = NAME.matcher(code);
                    while (m.find()) if (!m.group(1).equals(pkg)) uses.putIfAbsent(m.group(1), f.getFileName().toString());
                }
            }
        }
        assertTrue(USES.size() > 10 && USES.containsKey(ROOT + ".flow"), "read the packages under " + SOURCES.toAbsolutePath());
    }

    private static Set<String> uses(String pkg) {
        return USES.getOrDefault(ROOT + pkg, Map.of()).keySet();
    }

    @Test
    void theMathsPackagesImportNothingOfTheProjectButTheBuildingBlocks() {
        assertEquals(Set.of(ROOT + ".nn"), uses(".flow"), "flow may use nn only: " + USES.get(ROOT + ".flow"));
        assertEquals(Set.of(), uses(".nn"), "nn uses nothing of the project: " + USES.get(ROOT + ".nn"));
    }

    @Test
    void flowMatchingIsMathsOnTheBuildingBlocksOnly() {
        assertTrue(USES.containsKey(ROOT + ".cfm"), "read the cfm package");
        assertTrue(Set.of(ROOT + ".nn").containsAll(uses(".cfm")), "cfm may use nn only: " + USES.get(ROOT + ".cfm"));
    }

    @Test
    void dataAndTrackingSitBelowTheStages() {
        assertTrue(Set.of(ROOT).containsAll(uses(".data")), "data may use the root package only: " + USES.get(ROOT + ".data"));
        assertTrue(Set.of(ROOT, ROOT + ".data").containsAll(uses(".track")), "track: " + USES.get(ROOT + ".track"));
    }

    @Test
    void nothingImportsTheCommands() {
        List<String> offenders = new ArrayList<>();
        USES.forEach((pkg, uses) -> {
            if (!pkg.equals(ROOT + ".cli") && uses.containsKey(ROOT + ".cli")) offenders.add(pkg + " (" + uses.get(ROOT + ".cli") + ")");
        });
        assertEquals(List.of(), offenders, "only cli may use cli");
    }

    @Test
    void packagesDependOnEachOtherOneWay() {
        // depth-first search for a cycle in the package graph; the first found is the message
        Map<String, Integer> state = new TreeMap<>();
        for (String p : USES.keySet()) {
            List<String> cycle = cycleFrom(p, state, new ArrayList<>());
            assertTrue(cycle == null, () -> "package cycle: " + String.join(" -> ", cycle));
        }
    }

    private static List<String> cycleFrom(String p, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(p);
        if (s != null && s == 2) return null;
        path.add(p);
        if (s != null && s == 1) return new ArrayList<>(path.subList(path.indexOf(p), path.size()));
        state.put(p, 1);
        for (String q : new TreeSet<>(USES.getOrDefault(p, Map.of()).keySet())) {
            List<String> c = cycleFrom(q, state, path);
            if (c != null) return c;
        }
        state.put(p, 2);
        path.remove(path.size() - 1);
        return null;
    }
}
