package org.icaloflow.cli;

import org.icaloflow.sample.SamplerTestAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BenchSampleCommandTest {
    static {
        SamplerTestAccess.singleThreaded();
    }

    @TempDir
    Path dir;

    /** A stand-in for the paper's text with the layout of its Table V. */
    private Path paper() throws Exception {
        Path p = dir.resolve("paper.md");
        Files.writeString(p, String.join("\n", "Some text.", "",
                "TABLE V. Average time taken to generate a single shower event ...", "",
                "Model\tBatch size\tGPU times (ms)\tCPU times (ms)",
                "DS2 teacher\t1\t$7.12 \\times 10^4$\t$8.84 \\times 10^4$",
                "\t1000\t$1.65 \\times 10^2$\t...",
                "DS2 student\t1\t$1.06 \\times 10^3$\t$4.08 \\times 10^3$",
                "\t4\t2.18\t...",
                "\t10000\t<b>1.34</b>\t...", "", "Finally, ...", ""));
        return p;
    }

    @Test
    void writesCsvAndMarkdownWithThePapersFigures() throws Exception {
        Path out = dir.resolve("t5.csv");
        assertEquals(0, Main.execute("bench", "sample", "--geometry", "ds2", "--variant", "student", "--config",
                "configs/test.yaml", "--batch-sizes", "1,4", "--min-seconds", "0", "--paper", paper().toString(),
                "--out", out.toString()));
        List<String> csv = Files.readAllLines(out);
        assertEquals(3, csv.size(), String.join("\n", csv));
        String[] one = csv.get(1).split(",", -1);
        assertEquals(List.of("ds2", "student", "1"), List.of(one[0], one[1], one[2]));
        assertTrue(Double.parseDouble(one[3]) > 0);
        assertEquals("measured", one[4]);
        assertEquals("44", one[6], "all Flow-3 layers timed");
        assertEquals("1060", one[10]);
        assertEquals("4080", one[11]);
        String[] four = csv.get(2).split(",", -1);
        assertEquals("2.18", four[10]);
        assertEquals("", four[11]);
        String md = Files.readString(dir.resolve("t5.md"));
        assertTrue(md.contains("| DS2 student | 4 |") && md.contains("| 2.18 | ... |"), md);
        assertTrue(Files.isRegularFile(dir.resolve("t5.journal.jsonl")));
    }

    @Test
    void capsASlowPointAndMarksItEstimated() throws Exception {
        Path out = dir.resolve("cap.csv");
        assertEquals(0, Main.execute("bench", "sample", "--geometry", "ds2", "--variant", "teacher", "--config",
                "configs/test.yaml", "--batch-sizes", "2", "--min-seconds", "0", "--max-seconds-per-point", "0.001",
                "--paper", paper().toString(), "--out", out.toString()));
        String[] row = Files.readAllLines(out).get(1).split(",", -1);
        assertEquals("estimated", row[4]);
        assertEquals("1", row[6], "stopped after the first Flow-3 layer");
        double ms = Double.parseDouble(row[3]), flow12 = Double.parseDouble(row[7]), flow3 = Double.parseDouble(row[8]);
        assertEquals((flow12 + 44 * flow3) / 2, ms, 1e-3 * ms, "extrapolated to all 44 layers");
        assertTrue(Files.readString(dir.resolve("cap.md")).contains("estimated (1/44 Flow-3 layers)"));
    }

    @Test
    void shipsThePapersTableV() {
        var t = org.icaloflow.sample.PaperTableV.embedded();
        assertEquals(20, t.size());
        assertEquals(7.75e2, t.get("DS2 teacher", 100).gpuMs(), 1e-9);
        assertEquals(3.47e3, t.get("DS2 teacher", 100).cpuMs(), 1e-9);
        assertEquals(49.3, t.get("DS2 student", 100).cpuMs(), 1e-9);
        assertEquals(1.34, t.get("DS2 student", 10000).gpuMs(), 1e-9);
        assertEquals(5.87, t.get("DS3 student", 5000).gpuMs(), 1e-9);
        assertNull(t.get("DS3 teacher", 100).cpuMs());
    }

    /** Where the paper's text is at hand (this project's shared folder), the shipped copy says what it says. */
    @Test
    void shippedTableVMatchesThePaper() {
        Path p = Path.of("..", "shared", "papers", "icaloflow-inductive-calorimeter-flows.md");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(p), "paper text not on this machine");
        var paper = org.icaloflow.sample.PaperTableV.read(p);
        var shipped = org.icaloflow.sample.PaperTableV.embedded();
        assertEquals(paper.size(), shipped.size());
        for (String model : List.of("DS2 teacher", "DS2 student", "DS3 teacher", "DS3 student")) {
            for (int b : new int[] {1, 10, 100, 1000, 5000, 10000}) {
                assertEquals(paper.get(model, b), shipped.get(model, b), model + " " + b);
            }
        }
    }
}
