package org.icaloflow.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pipeline's nf-core habits (issue 15): the parameters described once in nextflow_schema.json, which main.nf
 * validates against and prints for --help; processes that take inputs instead of reading params and publish
 * where conf/modules.config says; a versions.yml from every process collected into pipeline_info/. Runs
 * Nextflow with -stub-run (seconds per task), no jar needed.
 */
@Tag("pipeline")
class PipelineSchemaTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Run(int exit, String out) {
    }

    Run nextflow(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("nextflow").toString(), "-log", tmp.resolve("nextflow.log").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true);
        Path log = tmp.resolve("out-" + System.nanoTime() + ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "nextflow finished within 10 minutes");
        return new Run(p.exitValue(), Files.readString(log));
    }

    /** Every property of the schema by name (the groups under $defs, and top-level properties if any). */
    static Map<String, JsonNode> schemaProperties() throws Exception {
        JsonNode s = JSON.readTree(ROOT.resolve("nextflow_schema.json").toFile());
        assertEquals("https://json-schema.org/draft/2020-12/schema", s.path("$schema").asText(), "draft 2020-12, nf-core's format");
        Map<String, JsonNode> all = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> groups = s.path("$defs").fields();
        List<String> refs = new ArrayList<>();
        s.path("allOf").forEach(r -> refs.add(r.path("$ref").asText()));
        while (groups.hasNext()) {
            Map.Entry<String, JsonNode> g = groups.next();
            assertTrue(refs.contains("#/$defs/" + g.getKey()), "group " + g.getKey() + " is referenced from allOf");
            g.getValue().path("properties").fields().forEachRemaining(e -> all.put(e.getKey(), e.getValue()));
        }
        s.path("properties").fields().forEachRemaining(e -> all.put(e.getKey(), e.getValue()));
        return all;
    }

    /** The params block of nextflow.config, read as text: name = value (a comment may follow). */
    static Map<String, String> configParams() throws Exception {
        String cfg = Files.readString(ROOT.resolve("nextflow.config"));
        int at = cfg.indexOf("\nparams {");
        assertTrue(at >= 0, "nextflow.config has a params block");
        String block = cfg.substring(at, cfg.indexOf("\n}", at));
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\s+(\\w+)\\s*=\\s*(\\S+)").matcher(block);
        while (m.find()) out.put(m.group(1), m.group(2));
        return out;
    }

    @Test
    void theSchemaDescribesExactlyTheConfigParametersWithTheirDefaults() throws Exception {
        Map<String, JsonNode> schema = schemaProperties();
        Map<String, String> config = configParams();
        assertEquals(new TreeSet<>(config.keySet()), new TreeSet<>(schema.keySet()), "schema properties = params of nextflow.config");
        for (Map.Entry<String, String> e : config.entrySet()) {
            JsonNode p = schema.get(e.getKey());
            assertFalse(p.path("description").asText().isBlank(), e.getKey() + " has a description");
            assertTrue(p.has("type"), e.getKey() + " has a type");
            String v = e.getValue();
            if (v.equals("null")) {
                assertFalse(p.has("default"), e.getKey() + ": null in the config, no default in the schema");
            } else {
                assertTrue(p.has("default"), e.getKey() + " has its default " + v);
                String expected = v.startsWith("'") ? v.substring(1, v.length() - 1) : v;
                assertEquals(expected, p.get("default").asText(), e.getKey() + " default");
            }
        }
    }

    @Test
    void helpPrintsEveryVisibleParameterAndRunsNothing() throws Exception {
        Run r = nextflow("run", ROOT.resolve("main.nf").toString(), "--help", "-ansi-log", "false");
        assertEquals(0, r.exit(), r.out());
        for (Map.Entry<String, JsonNode> e : schemaProperties().entrySet()) {
            if (e.getValue().path("hidden").asBoolean()) continue;
            assertTrue(r.out().contains("--" + e.getKey() + " "), "--help lists --" + e.getKey() + "\n" + r.out());
            assertTrue(r.out().contains(e.getValue().path("description").asText()), "--help describes --" + e.getKey());
        }
        assertFalse(r.out().contains("Submitted process"), "no task ran");
    }

    @Test
    void invalidParametersStopTheRunBeforeAnyTaskWithOneLineEach() throws Exception {
        Run r = nextflow("run", ROOT.resolve("main.nf").toString(), "-profile", "test", "-ansi-log", "false",
                "--bogus", "1", "--geometry", "ds9", "--events", "0", "--hlf_set", "both", "--variants", "teacher,pupil",
                "--mlflow_uri", "localhost:5000", "--fpd_kpd", "maybe");
        assertNotEquals(0, r.exit(), r.out());
        for (String line : List.of("Unknown parameter(s): --bogus", "Invalid --geometry 'ds9'", "Invalid --events '0'",
                "Invalid --hlf_set 'both'", "Invalid --variants 'teacher,pupil'", "Invalid --mlflow_uri 'localhost:5000'",
                "Invalid --fpd_kpd 'maybe'")) {
            assertTrue(r.out().contains(line), "says " + line + "\n" + r.out());
        }
        assertFalse(r.out().contains("Submitted process"), "no task ran");
        Run internal = nextflow("run", ROOT.resolve("main.nf").toString(), "-profile", "test", "--tracking_exports", "x");
        assertNotEquals(0, internal.exit());
        assertTrue(internal.out().contains("--tracking_exports is internal"), internal.out());
    }

    @Test
    void processesTakeInputsAndLeavePublishingToTheConfig() throws Exception {
        try (Stream<Path> files = Files.list(ROOT.resolve("stages"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".nf")).toList()) {
                String s = Files.readString(f);
                assertEquals(1, count(s, "\nprocess "), f + ": one process per file");
                // params.bin is a model file, not Nextflow's params
                assertFalse(Pattern.compile("\\bparams\\.(?!bin\\b)").matcher(s).find(), f + " reads params (inputs instead)");
                for (String banned : List.of("publishDir", "beforeScript")) {
                    assertFalse(s.contains(banned), f + " contains " + banned + " (conf/modules.config instead)");
                }
                assertTrue(s.contains("path 'versions.yml', emit: versions"), f + " emits versions.yml");
            }
        }
    }

    @Test
    void aStubRunPublishesEverythingAndOneVersionsFileOfAllProcesses() throws Exception {
        Path out = tmp.resolve("results");
        Run r = nextflow("run", ROOT.resolve("main.nf").toString(), "-profile", "test", "-stub-run", "-ansi-log", "false",
                "--outdir", out.toString(), "--truth", "true", "-name", "stubtest");
        assertEquals(0, r.exit(), r.out());
        Path run = out.resolve("stubtest");
        for (String p : List.of("config.yaml", "preprocess/manifest.json", "models/teacher/flow1/model/flow.json",
                "models/teacher/flow3/history.csv", "models/student/flow2/model/params.bin", "samples/samples_teacher.hdf5",
                "samples/samples_student.manifest.json", "evaluation/summary.json", "timing/timing.csv", "report.html")) {
            assertTrue(Files.isRegularFile(run.resolve(p)), "published " + p);
        }
        try (Stream<Path> all = Files.walk(run)) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().equals("versions.yml")), "versions.yml files are not published one by one");
        }
        JsonNode v = new YAMLMapper().readTree(out.resolve("pipeline_info/software_versions.yml").toFile());
        List<String> names = new ArrayList<>();
        v.fieldNames().forEachRemaining(names::add);
        assertEquals(new TreeSet<>(List.of("CONFIG", "SYNTH", "SYNTH_REFERENCE", "SYNTH_TRUTH", "VALIDATE", "PREPROCESS",
                        "TRAIN_FLOW1", "TRAIN_FLOW2", "TRAIN_FLOW3", "DISTILL_FLOW2", "DISTILL_FLOW3", "SAMPLE", "BENCH_SAMPLE",
                        "EVALUATE", "REPORT")), new TreeSet<>(names), "one entry per process");
        // every task got the tracking exports from the one beforeScript
        Path work = tmp.resolve("work");
        try (Stream<Path> runs = Files.walk(work)) {
            List<Path> scripts = runs.filter(p -> p.getFileName().toString().equals(".command.run")).toList();
            assertEquals(16, scripts.size(), "tasks (SAMPLE twice)");
            for (Path s : scripts) {
                String text = Files.readString(s);
                assertTrue(text.contains("export ICALOFLOW_PIPELINE_RUN_NAME=stubtest") && text.contains("ICALOFLOW_CHECKPOINTS="), s.toString());
            }
        }
    }

    static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) n++;
        return n;
    }
}
