package org.icaloflow.report;

import org.icaloflow.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class CompareTest {
    @TempDir
    Path dir;

    Path run(String name, double auc, String beta, double ms, String voxelEdges) throws Exception {
        Path r = dir.resolve(name);
        Files.createDirectories(r.resolve("evaluation"));
        Files.createDirectories(r.resolve("timing"));
        Files.writeString(r.resolve("evaluation/classifier.csv"), "sample,level,run,auc,jsd\n"
                + "student,low,0," + auc + ",0.1\nstudent,low,1," + (auc + 0.02) + ",0.1\n");
        Files.writeString(r.resolve("evaluation/histograms.csv"), "observable,bin_low,bin_high,reference,teacher,student\n"
                + "Etot_Einc,0.5,1.0,0.4,0.5,0.6\nEtot_Einc,1.0,1.5,1.6,1.5,1.4\n"
                + "voxel_E," + voxelEdges + ",1.0,1.0,1.0\n");
        Files.writeString(r.resolve("timing/timing.csv"), "geometry,variant,batch_size,ms_per_shower,device\nds2,student,1000," + ms + ",cpu()\n");
        Files.writeString(r.resolve("config.yaml"), "geometry: ds2\ndistillation:\n  flow3:\n    weights: {beta: " + beta + ", output: 2}\n");
        return r;
    }

    @Test
    void putsHeadlineNumbersConfigDifferencesAndOverlaidHistogramsSideBySide() throws Exception {
        Path a = run("base", 0.70, "1.0", 17.99, "0.01,1.0"), b = run("beta_half", 0.74, "0.5", 18.5, "0.02,1.0");
        Path out = dir.resolve("cmp.html");
        assertEquals(0, Main.execute("compare", a.toString(), b.toString(), "--out", out.toString()));
        String md = Files.readString(dir.resolve("cmp.md"));
        assertTrue(md.contains("| base | 0.710 ± 0.014 | 18.0 |"), md);
        assertTrue(md.contains("| beta_half | 0.750 ± 0.014 | 18.5 |"), md);
        assertTrue(md.contains("| distillation.flow3.weights.beta | 1.0 | 0.5 |"), "the key that differs: " + md);
        assertFalse(md.contains("weights.output |"), "keys that agree are not listed: " + md);
        assertTrue(md.contains("Not overlaid") && md.contains("voxel_E"), "binned differently: not overlaid: " + md);
        BufferedImage img = ImageIO.read(dir.resolve("cmp_student.png").toFile());
        assertTrue(img.getWidth() >= 400, "the overlaid figure");
        assertTrue(Files.readString(out).contains("data:image/png;base64,"), "self-contained page");
        assertEquals(2, Main.execute("compare", a.toString(), dir.resolve("missing").toString(), "--out", out.toString()));
    }
}
