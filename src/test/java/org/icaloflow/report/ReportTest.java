package org.icaloflow.report;

import org.icaloflow.cli.Main;
import org.icaloflow.data.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ReportTest {
    @TempDir
    Path dir;

    @Test
    void aggregatesTableFourEmbedsPlotsAndWritesTheMarkdownTwin() throws Exception {
        Path eval = Files.createDirectories(dir.resolve("evaluation/plots"));
        Files.writeString(dir.resolve("evaluation/classifier.csv"), "sample,level,run,auc,jsd\n"
                + "teacher,low,0,0.80,0.20\nteacher,low,1,0.82,0.22\nstudent,high,0,0.90,0.40\n");
        // the student's high-level test used the paper's (mid-2023) set: only then is Table IV's high-level value beside it
        Files.writeString(dir.resolve("evaluation/classifier_info.csv"), "sample,level,hlf_set,showers_per_class\n"
                + "teacher,low,-,1500\nstudent,high,paper,1200\n");
        Files.writeString(dir.resolve("evaluation/separation_power.csv"), "observable,sample,separation_power\nE_tot,teacher,0.0123\n");
        ImageIO.write(new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB), "png", eval.resolve("etot.png").toFile());
        Path timing = dir.resolve("timing.csv");
        Files.writeString(timing, "variant,batch,ms_per_shower\nstudent,100,12.5\n");
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, "geometry: ds2\n");
        Path out = dir.resolve("report.html");
        assertEquals(0, Main.execute("report", "--run-name", "happy_turing", "-g", "ds2", "-c", cfg.toString(),
                "--evaluation", dir.resolve("evaluation").toString(), "--timing", timing.toString(), "-o", out.toString()));
        String html = Files.readString(out);
        assertTrue(html.contains("0.810 ± 0.014"), "mean ± sd of the teacher's low-level AUC");
        assertTrue(html.contains("0.797(5)"), "paper's DS2 teacher low-level AUC beside ours");
        assertTrue(html.contains("0.838(2)"), "paper's DS2 student high-level AUC beside ours");
        assertTrue(html.contains("data:image/png;base64,"), "plots embedded: the page is self-contained");
        assertTrue(html.contains("E_tot") && html.contains("12.5") && html.contains("geometry: ds2"));
        assertTrue(html.contains("7.75e2 / 3.47e3"), "paper's Table V");
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| teacher | low | voxels | 1500 | 2 | 0.810 ± 0.014 |"), md);
        assertTrue(md.contains("| student | high | paper | 1200 | 1 |"), md);

        // the challenge set (the default) gets no paper value beside it: Table IV was made with the paper's set
        Files.writeString(dir.resolve("evaluation/classifier_info.csv"), "sample,level,hlf_set,showers_per_class\n"
                + "teacher,low,-,1500\nstudent,high,challenge,1200\n");
        assertEquals(0, Main.execute("report", "--run-name", "happy_turing", "-g", "ds2", "-c", cfg.toString(),
                "--evaluation", dir.resolve("evaluation").toString(), "--timing", timing.toString(), "-o", out.toString()));
        String md2 = Files.readString(dir.resolve("report.md"));
        assertTrue(md2.contains("| student | high | challenge | 1200 | 1 |") && !md2.contains("0.838(2)"), md2);
        assertTrue(Files.exists(dir.resolve("report.journal.jsonl")), "tracked (journal only without a server)");
    }

    @Test
    void aCalodreamRowGetsTheChallengesPublishedValuesAndItsTrainingsAreTitledByNetwork() throws Exception {
        Files.createDirectories(dir.resolve("evaluation"));
        Files.writeString(dir.resolve("evaluation/classifier.csv"), "sample,level,run,auc,jsd\n"
                + "calodream,low,0,0.60,0.10\ncalodream,low,1,0.62,0.12\ncalodream,high,0,0.55,0.05\n");
        Files.writeString(dir.resolve("evaluation/classifier_info.csv"), "sample,level,hlf_set,showers_per_class\n"
                + "calodream,low,-,1500\ncalodream,high,challenge,1200\n");
        Path training = Files.createDirectories(dir.resolve("training/1/out"));
        Files.writeString(training.resolve("manifest.json"), "{\"stage\":\"dream-train\",\"network\":\"shape\",\"result\":{\"best_select_loss\":0.75}}");
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, "geometry: ds3\n");
        Path out = dir.resolve("report.html");
        assertEquals(0, Main.execute("report", "-g", "ds3", "-c", cfg.toString(), "--evaluation", dir.resolve("evaluation").toString(),
                "--training", training.toString(), "-o", out.toString()));
        String md = Files.readString(dir.resolve("report.md"));
        // CaloChallenge 2022 final results for CaloDREAM on DS3: 0.630 low, 0.524 high (challenge set), no JSD
        assertTrue(md.contains("| calodream | low | voxels | 1500 | 2 | 0.610 ± 0.014 |"), md);
        assertTrue(md.contains("| 0.630 |"), "published low-level AUC beside ours: " + md);
        assertTrue(md.contains("| 0.524 |"), "published high-level AUC beside the challenge set: " + md);
        assertFalse(md.contains("0.531"), "not DS2's values");
        assertTrue(md.contains("CaloDREAM shape network (dream-train)") && md.contains("0.75"), "the training titled by its network: " + md);

        // beside the paper's (mid-2023) set the challenge's published high-level value would compare different tests
        Files.writeString(dir.resolve("evaluation/classifier_info.csv"), "sample,level,hlf_set,showers_per_class\n"
                + "calodream,low,-,1500\ncalodream,high,paper,1200\n");
        assertEquals(0, Main.execute("report", "-g", "ds3", "-c", cfg.toString(), "--evaluation", dir.resolve("evaluation").toString(),
                "-o", out.toString()));
        String md2 = Files.readString(dir.resolve("report.md"));
        assertTrue(md2.contains("0.630") && !md2.contains("0.524"), md2);
    }

    @Test
    void readsLikeAResultsSectionSummaryFirstSeparationPowersAsAFigure() throws Exception {
        Path eval = dir.resolve("evaluation");
        Files.createDirectories(eval.resolve("plots"));
        Files.writeString(eval.resolve("classifier.csv"), "sample,level,run,auc,jsd\n"
                + "teacher,low,0,0.70,0.10\nteacher,high,0,0.75,0.12\nstudent,low,0,0.74,0.14\nstudent,high,0,0.78,0.16\n");
        Files.writeString(eval.resolve("separation_power.csv"), "observable,sample,separation_power\n"
                + "E_tot,teacher,0.0123456\nE_layer_0,teacher,0.01\nE_layer_1,teacher,0.2\nEC_eta_0,teacher,0.00001\n"
                + "E_tot,student,0.02\nE_layer_0,student,0.03\n");
        ImageIO.write(new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB), "png", eval.resolve("plots/voxel_E.png").toFile());
        ImageIO.write(new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB), "png", eval.resolve("plots/Etot_Einc.png").toFile());
        Path timing = dir.resolve("timing.csv");
        Files.writeString(timing, "geometry,variant,batch_size,ms_per_shower,device\n"
                + "ds2,teacher,1000,207.1234,cpu()\nds2,student,1000,17.99374,cpu()\n");
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, "geometry: ds2\narchitecture:\n  flow1: {kind: MAF, blocks: 8, hiddenLayers: 1, hiddenWidth: 256}\n"
                + "training:\n  flow1: {epochs: 200, batchSize: 500}\n");
        Path out = dir.resolve("report.html");
        assertEquals(0, Main.execute("report", "--run-name", "reading", "-g", "ds2", "-c", cfg.toString(),
                "--evaluation", eval.toString(), "--timing", timing.toString(), "-o", out.toString()));
        String md = Files.readString(dir.resolve("report.md"));
        int summary = md.indexOf("## Summary"), details = md.indexOf("## Classifier test"), figures = md.indexOf("## Figures"),
                tableV = md.indexOf("## Time per shower"), sep = md.indexOf("## Separation powers");
        assertTrue(summary >= 0 && summary < details && details < figures && figures < tableV && tableV < sep,
                "summary, classifier details, figures, Table V, separation powers: " + summary + " " + details + " " + figures + " " + tableV + " " + sep);
        assertTrue(md.contains("| teacher | 0.700 ± 0.000 | 0.100 ± 0.000 | 0.750 ± 0.000 | 0.120 ± 0.000 | 0.797(5) / 0.210(7) |"), md);
        assertTrue(md.contains("×11.5 at batch 1000 (207 → 18.0 ms per shower)"), "the student's speed-up: " + md);
        assertTrue(md.contains("flow1 MAF 8×(1×256)") && md.contains("flow1 200 (batch 500)"), "config in a few lines: " + md);
        assertTrue(md.indexOf("### Energies") < md.indexOf("### Voxel spectra"), "figures grouped");
        assertTrue(md.contains("| ds2 | student | 1000 | 18.0 | cpu() |"), "Table V at 3 significant figures: " + md);
        assertFalse(md.contains("E_layer_1,teacher") || md.contains("| E_layer_1 | teacher |"), "separation powers not printed row by row");
        assertTrue(md.contains("| E_tot | 0.0123 |"), "observables without a layer in a small table: " + md);
        assertTrue(md.contains("separation_power.csv](") && md.contains("(6 rows)"), "the full CSV is linked: " + md);
        BufferedImage heat = ImageIO.read(dir.resolve("report_separation_teacher.png").toFile());
        assertTrue(heat.getWidth() > 100 && heat.getHeight() > 40, "a heat map per sample");
        assertTrue(Files.isRegularFile(dir.resolve("report_separation_student.png")));
        String html = Files.readString(out);
        assertTrue(html.contains("max-width:1100px") && html.contains("overflow-x:auto"), "fits a laptop screen");
    }

    @Test
    void threeSignificantFigures() {
        assertEquals("352", Report.threeFigures("351.63"));
        assertEquals("18.0", Report.threeFigures("17.99374"));
        assertEquals("12.5", Report.threeFigures("12.5"));
        assertEquals("0.00123", Report.threeFigures("0.0012345"));
        assertEquals("4.57e-04", Report.threeFigures("0.0004567"));
        assertEquals("1.23e+05", Report.threeFigures("123456.7"));
        assertEquals("1000", Report.threeFigures("1000"));
        assertEquals("cpu()", Report.threeFigures("cpu()"));
    }

    @Test
    void placesOurLowLevelAucAgainstPublishedEntriesInAFigureBesideTheReport() throws Exception {
        Path eval = Files.createDirectories(dir.resolve("evaluation"));
        Files.writeString(eval.resolve("classifier.csv"), "sample,level,run,auc,jsd\nstudent,low,0,0.90,0.3\nstudent,high,0,0.95,0.4\n");
        Path timing = dir.resolve("timing.csv");
        Files.writeString(timing, "geometry,variant,batch_size,ms_per_shower,device\nds2,student,1,160,cpu()\nds2,student,100,19,cpu()\n");
        Path out = dir.resolve("r.html");
        assertEquals(0, Main.execute("report", "-g", "ds2", "--evaluation", eval.toString(), "--timing", timing.toString(), "-o", out.toString()));
        assertTrue(Files.isRegularFile(dir.resolve("r_auc_vs_time.png")), "the figure is written beside the report");
        String html = Files.readString(out);
        assertTrue(html.contains("Fidelity against speed") && html.contains("published_fidelity_speed.csv"), "section with its sources");
    }

    @Test
    void aLevelWhoseControlIsNotSeparatedIsMarkedUnderPowered() throws Exception {
        Path eval = Files.createDirectories(dir.resolve("evaluation"));
        // low level: control mean AUC (0.60 + 0.64)/2 = 0.62 < 0.9, under-powered; high level: control 0.97, a result
        Files.writeString(eval.resolve("classifier.csv"), "sample,level,run,auc,jsd\n"
                + "teacher,low,0,0.51,0.01\nteacher,low,1,0.53,0.03\nteacher,high,0,0.7123,0.3456\n"
                + "control,low,0,0.60,0.05\ncontrol,low,1,0.64,0.07\ncontrol,high,0,0.97,0.80\n");
        Files.writeString(eval.resolve("classifier_info.csv"), "sample,level,hlf_set,showers_per_class,control_auc\n"
                + "teacher,low,-,2000,0.620000\ncontrol,low,-,1000,0.620000\nteacher,high,challenge,2000,0.970000\ncontrol,high,challenge,1000,0.970000\n");
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, "geometry: ds2\n");
        Path out = dir.resolve("report.html");
        assertEquals(0, Main.execute("report", "--run-name", "control_run", "-g", "ds2", "-c", cfg.toString(),
                "--evaluation", eval.toString(), "-o", out.toString()));
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| teacher | low | voxels | 2000 | 2 | under-powered (control AUC 0.62) | under-powered |"), md);
        assertFalse(md.contains("0.520 ± 0.010"), "the under-powered level's AUC is not printed as a result: " + md);
        assertTrue(md.contains("| control | low | voxels | 1000 | 2 | 0.620 ± 0.028 |"), "the control row itself is shown: " + md);
        assertTrue(md.contains("| teacher | high | challenge | 2000 | 1 | 0.712"), "a separated control leaves the level's numbers: " + md);
        assertTrue(md.contains("Control row") && md.contains("1.1"), "a paragraph says what the control is");
    }

    /**
     * Sample manifests' layer closure becomes a section: 4 showers, layer 1 dead (r = 0) in two of them, every other
     * layer exactly closed, so 2 of 180 (shower, layer) pairs are off (1.1 %), layer 1 is the worst (50 %, median 0)
     * and layer 2 closes (median 1). A manifest without the key (a stub) is skipped; without manifests, no section.
     */
    @Test
    void samplesLayerClosureIsASection() throws Exception {
        int n = 4, layers = 45;
        float[] showers = new float[n * layers], proxy = new float[n * layers];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < layers; l++) {
                proxy[i * layers + l] = 10f;
                showers[i * layers + l] = l == 0 && i < 2 ? 0f : 10f;
            }
        }
        org.icaloflow.sample.LayerClosure c = new org.icaloflow.sample.LayerClosure(layers, 1);
        c.add(new org.icaloflow.data.ShowerBatch(new double[n], showers, layers), proxy);
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("variants", java.util.Map.of("flow2", "teacher", "flow3", "teacher"));
        m.put("layer_closure", c.describe());
        Path teacher = dir.resolve("samples_teacher.manifest.json"), stub = dir.resolve("samples_student.manifest.json");
        org.icaloflow.data.Json.PRETTY.writeValue(teacher.toFile(), m);
        Files.writeString(stub, "{}");
        Path out = dir.resolve("report.html");
        assertEquals(0, Main.execute("report", "-g", "ds2", "--samples", teacher.toString(), "--samples", stub.toString(),
                "-o", out.toString()));
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("Layer closure"), md);
        assertTrue(md.contains("| teacher | 1.1 % | 1 (50.0 % off, median 0.000) |"), md);
        assertTrue(md.contains("| 2 | 1.00"), "layer 2 closes: " + md);
        assertEquals(1, md.split("% off, median", -1).length - 1, "one row: the stub manifest has no closure");
        assertEquals(0, Main.execute("report", "-g", "ds2", "-o", out.toString()));
        assertFalse(Files.readString(dir.resolve("report.md")).contains("Layer closure"));
    }
}
