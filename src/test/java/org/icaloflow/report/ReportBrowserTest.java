package org.icaloflow.report;

import org.icaloflow.cli.Main;
import org.icaloflow.testing.Chromium;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The report on a laptop screen (1366 x 768, headless Chromium): the page does not scroll sideways even with a wide
 * timing table and many figures; the screenshot stays in target/browser/.
 */
class ReportBrowserTest {
    @TempDir
    Path dir;

    @Test
    void theReportFitsALaptopScreenWithoutHorizontalScrolling() throws Exception {
        Chromium chromium = Chromium.find();
        Assumptions.assumeTrue(chromium != null, "no chromium (bin/run-tests installs Debian's chromium)");
        Path eval = dir.resolve("evaluation");
        Files.createDirectories(eval.resolve("plots"));
        Files.writeString(eval.resolve("classifier.csv"), "sample,level,run,auc,jsd\nteacher,low,0,0.70,0.10\nstudent,high,0,0.78,0.16\n");
        StringBuilder sep = new StringBuilder("observable,sample,separation_power\n");
        for (int l = 0; l < 45; l++) for (String o : new String[]{"E_layer", "EC_eta", "EC_phi", "width_eta", "width_phi", "sparsity"})
            sep.append(o).append('_').append(l).append(",teacher,").append(Math.pow(10, -4 + (l % 5))).append('\n');
        Files.writeString(eval.resolve("separation_power.csv"), sep.toString());
        for (String n : new String[]{"Etot_Einc", "E_layer", "EC_eta", "voxel_E", "sparsity", "average_showers"})
            ImageIO.write(new BufferedImage(1600, 900, BufferedImage.TYPE_INT_RGB), "png", eval.resolve("plots/" + n + ".png").toFile());
        Path timing = dir.resolve("timing.csv");
        StringBuilder t = new StringBuilder("geometry,variant,batch_size,ms_per_shower,device,engine,flow1_ms,flow2_ms,"
                + "flow3_ms_per_layer,flow3_layers_timed,runs,estimated,threads,host,note\n");
        for (String v : new String[]{"teacher", "student"})
            for (int b : new int[]{1, 10, 100, 1000, 10000})
                t.append("ds2,").append(v).append(',').append(b).append(",123.456,cuda(0)_NVIDIA_H200_141GB_driver_550.54.15_CUDA_12.4,"
                        + "PyTorch_2.7.1_DJL_0.36.0_cudnn_9.1,12.3456,45.6789,7.891011,44,3,false,16,gpu-node-0042.cluster.example.org,"
                        + "an_unbreakable_note_of_considerable_length_that_cannot_wrap_at_all\n");
        Files.writeString(timing, t.toString());
        Path out = dir.resolve("report.html");
        assertEquals(0, Main.execute("report", "-g", "ds2", "--evaluation", eval.toString(), "--timing", timing.toString(), "-o", out.toString()));
        // the page measures itself once loaded: scrollWidth against the viewport, into the title
        Path probe = dir.resolve("probe.html");
        Files.writeString(probe, Files.readString(out).replace("</body>",
                "<script>window.addEventListener('load',()=>{document.title='W'+document.documentElement.scrollWidth+'x'+window.innerWidth});</script></body>"));
        String dom = chromium.dom(probe.toUri().toString(), 1366, 768);
        Matcher m = Pattern.compile("<title>W(\\d+)x(\\d+)</title>").matcher(dom);
        assertTrue(m.find(), "the probe ran: " + dom.substring(0, Math.min(400, dom.length())));
        int scroll = Integer.parseInt(m.group(1)), viewport = Integer.parseInt(m.group(2));
        assertTrue(scroll <= viewport, "page width " + scroll + " px in a " + viewport + " px window: it scrolls sideways");
        Path shots = Files.createDirectories(Path.of("target/browser"));
        chromium.screenshot(out.toUri().toString(), 1366, 768, shots.resolve("report_laptop.png"));
        assertTrue(Files.size(shots.resolve("report_laptop.png")) > 1000);
    }
}
