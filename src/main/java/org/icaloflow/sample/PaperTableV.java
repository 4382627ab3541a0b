package org.icaloflow.sample;

import org.icaloflow.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paper's Table V (ms per shower on a TITAN V GPU and an i9-7900X CPU): shipped as a resource excerpt
 * ({@link #embedded()}), or read from the paper's Markdown text ({@link #read(Path)}). Format: rows
 * "MODEL\tBATCH\tGPU\tCPU" after the "TABLE V." caption, continuation rows with an empty model.
 * Values like {@code $7.12 \times 10^4$}, {@code 2.18}, {@code <b>1.34</b>}; "..." means not measured.
 */
public final class PaperTableV {
    /** GPU and CPU ms per shower; null where the paper has none. */
    public record Entry(Double gpuMs, Double cpuMs) {
    }

    private final Map<String, Entry> entries;

    private PaperTableV(Map<String, Entry> entries) {
        this.entries = entries;
    }

    /** e.g. get("DS2 teacher", 100). */
    public Entry get(String model, int batch) {
        return entries.get(model + "|" + batch);
    }

    public int size() {
        return entries.size();
    }

    /** Where the paper's Table V ships inside the jar (the figures as printed, with the caption). */
    static final String RESOURCE = "paper-table5.md";

    /** The paper's Table V as shipped with icaloflow. */
    public static PaperTableV embedded() {
        try (java.io.InputStream in = PaperTableV.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " missing from the jar");
            }
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return parse(text.lines().toList(), RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + RESOURCE, e);
        }
    }

    public static PaperTableV read(Path paper) {
        List<String> lines;
        try {
            lines = Files.readAllLines(paper);
        } catch (IOException e) {
            throw new UserError(paper + ": cannot read the paper (" + e.getMessage() + ")");
        }
        return parse(lines, paper.toString());
    }

    static PaperTableV parse(List<String> lines, String where) {
        Map<String, Entry> m = new LinkedHashMap<>();
        int i = 0;
        while (i < lines.size() && !lines.get(i).startsWith("TABLE V.")) i++;
        if (i == lines.size()) throw new UserError(where + ": no 'TABLE V.' caption found");
        String model = null;
        boolean started = false;
        for (i++; i < lines.size(); i++) {
            String line = lines.get(i);
            String[] f = line.split("\t", -1);
            if (f.length < 4 || !f[1].strip().matches("\\d+")) {
                if (started && !line.startsWith("Model")) break;
                continue;
            }
            started = true;
            if (!f[0].isBlank()) model = f[0].strip();
            if (model == null) continue;
            m.put(model + "|" + Integer.parseInt(f[1].strip()), new Entry(value(f[2]), value(f[3])));
        }
        if (m.isEmpty()) throw new UserError(where + ": Table V has no rows");
        return new PaperTableV(m);
    }

    private static final Pattern SCI = Pattern.compile("([0-9.]+)\\s*\\\\times\\s*10\\^\\{?(-?\\d+)\\}?");
    private static final Pattern PLAIN = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)");

    static Double value(String s) {
        String t = s.replaceAll("</?b>", "").replace("$", "").strip();
        Matcher a = SCI.matcher(t);
        if (a.find()) return Double.parseDouble(a.group(1)) * Math.pow(10, Integer.parseInt(a.group(2)));
        Matcher b = PLAIN.matcher(t);
        if (b.matches()) return Double.parseDouble(b.group(1));
        return null;
    }
}
