package org.icaloflow.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FidelitySpeedFigureTest {
    @TempDir
    Path dir;

    @Test
    void publishedEntriesCarryTheIssuesAndPapersValues() {
        List<FidelitySpeedFigure.Entry> ds2 = FidelitySpeedFigure.published("ds2");
        FidelitySpeedFigure.Entry student = ds2.stream().filter(e -> e.name().equals("iCaloFlow student (CaloChallenge)")).findFirst().orElseThrow();
        assertEquals(0.819, student.aucLow(), 0);
        assertEquals(1.46, student.msPerShower(), 0);
        FidelitySpeedFigure.Entry dream = ds2.stream().filter(e -> e.name().equals("CaloDREAM")).findFirst().orElseThrow();
        assertEquals(0.531, dream.aucLow(), 0);
        assertTrue(Double.isNaN(dream.msPerShower()), "no time given for CaloDREAM");
        assertTrue(ds2.stream().allMatch(e -> e.geometry().equals("ds2")));
        assertTrue(ds2.stream().allMatch(e -> !e.source().isBlank()), "every entry names its source");
        assertFalse(FidelitySpeedFigure.published("ds3").isEmpty());
    }

    @Test
    void oursAreTheLowLevelMeanAndTheFastestTimedBatch() {
        List<String[]> cls = List.of(new String[]{"sample", "level", "run", "auc", "jsd"},
                new String[]{"teacher", "low", "0", "0.70", "0.1"}, new String[]{"teacher", "low", "1", "0.80", "0.1"},
                new String[]{"teacher", "high", "0", "0.99", "0.1"}, new String[]{"truth", "low", "0", "0.51", "0.0"},
                new String[]{"control", "low", "0", "0.95", "0.6"});
        List<String[]> timing = List.of(new String[]{"geometry", "variant", "batch_size", "ms_per_shower", "device"},
                new String[]{"ds2", "teacher", "1", "5000", "cpu()"}, new String[]{"ds2", "teacher", "100", "250", "cpu()"},
                new String[]{"ds2", "teacher", "1000", "260", "cpu()"});
        List<FidelitySpeedFigure.Ours> ours = FidelitySpeedFigure.ours(cls, List.of(timing));
        assertEquals(2, ours.size(), "teacher and truth; the control row is no generator");
        FidelitySpeedFigure.Ours t = ours.get(0);
        assertEquals("teacher", t.sample());
        assertEquals(0.75, t.aucLow(), 1e-12, "mean of the low-level runs only");
        assertEquals(250, t.msPerShower(), 0, "the fastest batch");
        assertTrue(t.timedAt().contains("batch 100"));
        assertTrue(Double.isNaN(ours.get(1).msPerShower()), "truth is not timed");
    }

    @Test
    void drawsAPngOnlyWhenThereIsSomethingOfOurs() throws Exception {
        Path png = dir.resolve("f.png");
        assertFalse(FidelitySpeedFigure.write(png, "ds2", List.of()));
        assertTrue(FidelitySpeedFigure.write(png, "ds2", List.of(new FidelitySpeedFigure.Ours("student", 0.9, 20, "batch 100, cpu()"),
                new FidelitySpeedFigure.Ours("truth", 0.5, Double.NaN, ""))));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
    }
}
