package org.icaloflow.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.icaloflow.calodream.DreamBenchmark;
import org.icaloflow.calodream.EnergyCheckpoint;
import org.icaloflow.calodream.EnergyModel;
import org.icaloflow.calodream.ShapeCheckpoint;
import org.icaloflow.calodream.ShapeModel;
import org.icaloflow.cfm.EnergyEncoding;
import org.icaloflow.cfm.OdeSolver;
import org.icaloflow.cfm.ShapeEncoding;
import org.icaloflow.config.RunConfig;
import org.icaloflow.data.Geometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code icaloflow bench dream} on configs/test.yaml's tiny CaloDREAM networks: the CSV's columns and rows, the
 * counted NFE against the solver's, per shower = per call / batch, the paper's Table 6 figures at batch 100, the
 * Markdown with the command; trained folders; bad options.
 */
class BenchDreamCommandTest {
    static {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    static final String CFG = "configs/test.yaml";
    static final List<String> COLUMNS = List.of("geometry", "part", "network", "solver", "steps", "nfe", "nfe_counted", "energy_steps",
            "batch_size", "runs", "ms_per_call", "ms_per_call_std", "ms_per_shower", "ms_energy_per_shower", "ms_shape_per_shower",
            "device", "threads", "paper_h100_ms");

    @TempDir
    Path dir;

    /** A quick run's arguments; {@code overrides} are option/value pairs replacing the defaults here (or added). */
    static String[] quick(Path out, String... overrides) {
        java.util.LinkedHashMap<String, String> o = new java.util.LinkedHashMap<>();
        String[] defaults = {"--geometry", "ds2", "--config", CFG, "--batch-sizes", "1,100", "--generation-batch-sizes", "3",
                "--nfe", "4,8", "--solvers", "rk4,midpoint,euler", "--energy-steps", "2", "--warmup", "0", "--repeats", "2",
                "--min-seconds", "0", "--threads", "1", "--out", out.toString()};
        for (int i = 0; i < defaults.length; i += 2) o.put(defaults[i], defaults[i + 1]);
        for (int i = 0; i < overrides.length; i += 2) o.put(overrides[i], overrides[i + 1]);
        List<String> a = new ArrayList<>(List.of("bench", "dream"));
        o.forEach((k, v) -> a.addAll(List.of(k, v)));
        return a.toArray(new String[0]);
    }

    static List<Map<String, String>> rows(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        assertEquals(COLUMNS, List.of(lines.get(0).split(",", -1)));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            assertEquals(COLUMNS.size(), f.length, line);
            Map<String, String> r = new HashMap<>();
            for (int i = 0; i < f.length; i++) r.put(COLUMNS.get(i), f[i]);
            rows.add(r);
        }
        return rows;
    }

    @Test
    void writesTheTablesWithCountedEvaluationsAndThePapersFigures() throws Exception {
        Path out = dir.resolve("t6.csv");
        assertEquals(0, Main.execute(quick(out)));
        List<Map<String, String>> rows = rows(out);
        assertEquals(3 * 2 + 6, rows.size(), "3 networks × 2 batch sizes, then 3 solvers at NFE 4 and 8");
        for (Map<String, String> r : rows) {
            assertEquals("ds2", r.get("geometry"));
            int b = Integer.parseInt(r.get("batch_size"));
            double call = Double.parseDouble(r.get("ms_per_call")), shower = Double.parseDouble(r.get("ms_per_shower"));
            assertTrue(call > 0, r.toString());
            assertEquals(call / b, shower, 1e-3 * shower, "per shower = per call / batch: " + r);
            assertTrue(Integer.parseInt(r.get("runs")) >= 2, r.toString());
            assertEquals("1", r.get("threads"));
        }
        List<Map<String, String>> fw = rows.stream().filter(r -> r.get("part").equals("forward")).toList();
        assertEquals(List.of("shape", "shape", "energy", "energy", "energy-head", "energy-head"), fw.stream().map(r -> r.get("network")).toList());
        assertEquals(List.of("", "17", "", "0.37", "", ""), fw.stream().map(r -> r.get("paper_h100_ms")).toList(), "Table 6 at batch 100 only");

        List<Map<String, String>> gen = rows.stream().filter(r -> r.get("part").equals("generation")).toList();
        assertEquals(List.of("rk4", "midpoint", "euler", "rk4", "midpoint", "euler"), gen.stream().map(r -> r.get("solver")).toList());
        assertEquals(List.of("1", "2", "4", "2", "4", "8"), gen.stream().map(r -> r.get("steps")).toList());
        for (Map<String, String> r : gen) {
            OdeSolver s = new OdeSolver(OdeSolver.Method.valueOf(r.get("solver").toUpperCase()), Integer.parseInt(r.get("steps")));
            assertEquals(Integer.toString(s.evaluations()), r.get("nfe"), r.toString());
            assertEquals(r.get("nfe"), r.get("nfe_counted"), "the field was evaluated as often as the solver says: " + r);
            assertEquals("3", r.get("batch_size"));
            assertEquals("2", r.get("energy_steps"));
            double e = Double.parseDouble(r.get("ms_energy_per_shower")), sh = Double.parseDouble(r.get("ms_shape_per_shower"));
            double total = Double.parseDouble(r.get("ms_per_shower"));
            assertTrue(e > 0 && sh > 0 && e + sh <= total * 1.01, "parts within the whole: " + r);
        }

        String md = Files.readString(dir.resolve("t6.md"));
        assertTrue(md.contains("Command: `icaloflow bench dream --geometry ds2 --config configs/test.yaml"), md);
        assertTrue(md.contains("Paper H100"), md);
        assertTrue(md.contains("| DS2 Shape (ViT) | 100 |") && md.contains("| 17 |"), md);
        assertTrue(md.contains("| 3 | euler | 8 | 8 |"), md);
        assertTrue(md.contains("Load average"), md);
        assertTrue(Files.isRegularFile(dir.resolve("t6.journal.jsonl")));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("t6.csv", "t6.journal.jsonl", "t6.md"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary files left");
        }
    }

    @Test
    void timesTrainedFoldersAndCanSkipTheGeneration() throws Exception {
        RunConfig cfg = RunConfig.load(Path.of(CFG));
        Geometry g = Geometry.ds2();
        Path e = dir.resolve("energy"), s = dir.resolve("shape");
        try (NDManager root = NDManager.newBaseManager()) {
            var es = cfg.calodream().energy();
            double[] one = new double[g.layers()];
            Arrays.fill(one, 1);
            try (EnergyModel em = new EnergyModel(root, es.settings(g.layers()), 5, DataType.FLOAT32,
                    new EnergyEncoding(new double[g.layers()], one))) {
                EnergyCheckpoint.save(em, e);
            }
            var ss = cfg.calodream().shape();
            double[] v1 = new double[g.voxels()];
            Arrays.fill(v1, 1);
            try (ShapeModel sm = new ShapeModel(root, ss.settings(g), 6, DataType.FLOAT32,
                    new ShapeEncoding(g.layers(), g.voxelsPerLayer(), ShapeEncoding.ALPHA, ss.noiseWidth()),
                    new ShapeEncoding.Standardisation(new double[g.voxels()], v1), new ShapeEncoding.Standardisation(new double[g.layers()], one))) {
                ShapeCheckpoint.save(sm, s);
            }
        }
        Path out = dir.resolve("trained.csv");
        assertEquals(0, Main.execute(quick(out, "--energy-model", e.toString(), "--shape-model", s.toString(),
                "--generation-batch-sizes", "0", "--batch-sizes", "2")));
        List<Map<String, String>> rows = rows(out);
        assertEquals(3, rows.size(), "forward passes only");
        assertTrue(rows.stream().allMatch(r -> r.get("part").equals("forward") && r.get("batch_size").equals("2")));
        String md = Files.readString(dir.resolve("trained.md"));
        assertTrue(md.contains("energy network " + e) && md.contains("shape network " + s), md);
        assertFalse(md.contains("Whole generation"), md);
    }

    @Test
    void solversCoverEachNfeTheyDivide() {
        List<OdeSolver> s = DreamBenchmark.solvers(List.of(2, 4), List.of(OdeSolver.Method.RK4, OdeSolver.Method.MIDPOINT, OdeSolver.Method.EULER));
        assertEquals(List.of("midpoint×1", "euler×2", "rk4×1", "midpoint×2", "euler×4"),
                s.stream().map(x -> DreamBenchmark.name(x) + "×" + x.steps()).toList());
        assertEquals(17.0, DreamBenchmark.paperMs(Geometry.ds2(), DreamBenchmark.Pass.SHAPE, 100));
        assertEquals(84.0, DreamBenchmark.paperMs(Geometry.ds3(), DreamBenchmark.Pass.SHAPE, 100));
        assertEquals(0.37, DreamBenchmark.paperMs(Geometry.ds3(), DreamBenchmark.Pass.ENERGY, 100));
        assertNull(DreamBenchmark.paperMs(Geometry.ds2(), DreamBenchmark.Pass.SHAPE, 10));
    }

    @Test
    void badOptionsAreOneLineWithExitCodeTwoAndNoOutput() throws Exception {
        Path noDream = dir.resolve("nodream.yaml");
        Files.writeString(noDream, Files.readString(Path.of(CFG)).replace("calodream:", "calodreamx:"));
        Path out = dir.resolve("bad.csv");
        String[][] cases = {
                {"bench", "dream", "--geometry", "ds1", "--out", out.toString()},
                quick(out, "--batch-sizes", "0"),
                quick(out, "--generation-batch-sizes", "2,-1"),
                quick(out, "--nfe", "3", "--solvers", "rk4"),
                quick(out, "--solvers", "heun"),
                quick(out, "--repeats", "0"),
                quick(out, "--energy-steps", "0"),
                quick(out, "--out", dir.resolve("bad.txt").toString()),
                quick(out, "--energy-model", dir.resolve("nope").toString()),
                quick(out, "--config", noDream.toString()),
                {"bench", "dream", "--geometry", "ds2", "--config", CFG, "--out", out.toString(), "--frobnicate"},
        };
        String[] must = {"ds1", "--batch-sizes", "--generation-batch-sizes", "--nfe", "heun", "--repeats", "--energy-steps", ".csv",
                "nope", "calodream", "frobnicate"};
        // an unknown option: picocli adds its usage after the one line
        BadInputCases.assertEachRefused(cases, must, java.util.Set.of(cases.length - 1), out, dir.resolve("bad.md"));
    }
}
