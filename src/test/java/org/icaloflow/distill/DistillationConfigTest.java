package org.icaloflow.distill;

import org.icaloflow.UserError;
import org.icaloflow.config.RunConfig;
import org.icaloflow.train.LearningRateSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class DistillationConfigTest {
    @TempDir
    Path dir;

    @Test
    void shippedConfigsCarryTheStudentsOfTableThree() {
        RunConfig ds2 = RunConfig.load(Path.of("configs/ds2.yaml"));
        DistillationSettings f2 = ds2.distillation().flow2(), f3 = ds2.distillation().flow3();
        assertEquals(400, f2.training().epochs());
        assertEquals(1000, f2.training().batchSize());
        assertEquals(LearningRateSchedule.OneCycle.reference(1e-3, 50, 0.85), f2.training().schedule());
        assertEquals(LearningRateSchedule.OneCycle.reference(5e-4, 25, 0.80), f3.training().schedule());
        assertEquals(100, f3.training().epochs());
        assertEquals(250, f3.training().selectEvery());
        assertEquals(new DistillationSettings.Weights(1.0, 1.0, 1.0, 1.0), f2.weights().resolved(2));
        assertEquals(new DistillationSettings.Weights(1.0, 1.0, 0.0, 0.0), f3.weights().resolved(3));
        assertFalse(f2.physicsLoss().enabled());
        assertFalse(f2.diversityWeighting().enabled());
        RunConfig ds3 = RunConfig.load(Path.of("configs/ds3.yaml"));
        assertEquals(100, ds3.distillation().flow2().training().batchSize());
        assertEquals(LearningRateSchedule.OneCycle.reference(1e-4, 25, 0.80), ds3.distillation().flow3().training().schedule());
        assertEquals(30, ds3.distillation().flow3().training().epochs());
        RunConfig test = RunConfig.load(Path.of("configs/test.yaml"));
        assertTrue(test.distillation().flow2().training().epochs() <= 3);
        // defaults when weights are not written: Eq. 10 for Flow-2, Eq. 11 for Flow-3
        assertEquals(0.0, test.distillation().flow3().weights().resolved(3).lz());
        assertEquals(1.0, test.distillation().flow2().weights().resolved(2).lzMade());
    }

    @Test
    void ablationConfigsDifferFromDs2OnlyInTheirSwitches() {
        RunConfig ds2 = RunConfig.load(Path.of("configs/ds2.yaml"));
        String[] names = {"baseline", "physics", "physics-weighting"};
        boolean[][] flags = {{false, false}, {true, false}, {true, true}};
        for (int i = 0; i < names.length; i++) {
            RunConfig a = RunConfig.load(Path.of("configs/ablation/ds2-" + names[i] + ".yaml"));
            assertEquals(ds2.architecture(), a.architecture(), names[i]);
            assertEquals(ds2.training(), a.training(), names[i]);
            assertEquals(ds2.preprocess(), a.preprocess(), names[i]);
            for (int f = 2; f <= 3; f++) {
                DistillationSettings b = ds2.distillation().flow(f), s = a.distillation().flow(f);
                assertEquals(b.training(), s.training());
                assertEquals(b.weights(), s.weights());
                assertEquals(b.physicsLoss().weight(), s.physicsLoss().weight());
                assertEquals(flags[i][0], s.physicsLoss().enabled(), names[i]);
                assertEquals(flags[i][1], s.diversityWeighting().enabled(), names[i]);
            }
        }
    }

    private String load(String yaml) throws Exception {
        Path p = dir.resolve("c.yaml");
        Files.writeString(p, yaml);
        return assertThrows(UserError.class, () -> RunConfig.load(p)).getMessage();
    }

    @Test
    void badDistillationSettingsNameTheKey() throws Exception {
        String ds2 = Files.readString(Path.of("configs/ds2.yaml"));
        String e1 = load(ds2.replace("weights: {lx: 1.0, lxMade: 1.0, lz: 0.0, lzMade: 0.0}", "weights: {lx: 1.0, lxMade: 1.0, lz: -1.0, lzMade: 0.0}"));
        assertTrue(e1.contains("distillation.flow3.weights.lz"), e1);
        String e2 = load(ds2.replace("    weights: {lx: 1.0, lxMade: 1.0, lz: 1.0", "    weights: {lx: 1.0, lxmade: 1.0, lz: 1.0"));
        assertTrue(e2.contains("distillation.flow2.weights.lxmade"), e2);
        String e3 = load(ds2.replace("      epochs: 100\n", "      epochs: 0\n"));
        assertTrue(e3.contains("distillation.flow3.training.epochs"), e3);
        String e4 = load(ds2.replaceFirst("bins: 20", "bins: 0"));
        assertTrue(e4.contains("distillation.flow2.diversityWeighting.bins"), e4);
        String e5 = load(ds2.replace("    hiddenWidth: 384\n    blocks: 8", "    hiddenWidth: 384\n    blocks: 6"));
        assertTrue(e5.contains("architecture.flow3_student.blocks"), e5);
        String e6 = load(ds2.replace("weights: {lx: 1.0, lxMade: 1.0, lz: 0.0, lzMade: 0.0}", "weights: {lx: 0.0, lxMade: 0.0, lz: 0.0, lzMade: 0.0}"));
        assertTrue(e6.contains("distillation.flow3.weights"), e6);
    }
}
