package org.icaloflow.report;

import org.icaloflow.cli.Main;
import org.icaloflow.evaluate.FpdKpdRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's FPD/KPD table, read from evaluation/fpd_kpd.csv. */
class ReportFpdKpdTest {
    @TempDir
    Path dir;

    @Test
    void tableFromFpdKpdCsvAndNoSectionWithoutIt() throws Exception {
        Path eval = Files.createDirectories(dir.resolve("evaluation"));
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, "geometry: ds2\n");
        Path out = dir.resolve("report.html");
        assertEquals(0, Main.execute("report", "-g", "ds2", "-c", cfg.toString(), "--evaluation", eval.toString(), "-o", out.toString()));
        assertFalse(Files.readString(out).contains("FPD"), "no section without fpd_kpd.csv");
        Files.writeString(eval.resolve("fpd_kpd.csv"), FpdKpdRun.HEADER + "\nstudent,12.5,0.25,0.75,0.05,challenge,3000,2900,580,2900,2900\n");
        assertEquals(0, Main.execute("report", "-g", "ds2", "-c", cfg.toString(), "--evaluation", eval.toString(), "-o", out.toString()));
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| student | challenge | 12.5 ± 0.25 | 0.75 ± 0.05 | 3000 / 2900 | 580–2900 | 2900 |"), md);
    }
}
