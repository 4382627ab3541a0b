package org.icaloflow.distill;

import org.icaloflow.FlowRole;
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
        // the authors' run.py: beta 0.5 (Flow-2), 1 (Flow-3, x-pass only); end point and states twice, MADE once
        assertEquals(new DistillationSettings.Weights(0.5, 2.0, 2.0, 1.0), f2.weights().resolved(FlowRole.FIRST_LAYER));
        assertEquals(new DistillationSettings.Weights(1.0, 2.0, 2.0, 1.0), f3.weights().resolved(FlowRole.NEXT_LAYER));
        assertEquals(1.0, f2.baseWidth());
        assertFalse(f2.physicsLoss().enabled());
        assertFalse(f2.diversityWeighting().enabled());
        RunConfig ds3 = RunConfig.load(Path.of("configs/ds3.yaml"));
        assertEquals(100, ds3.distillation().flow2().training().batchSize());
        assertEquals(LearningRateSchedule.OneCycle.reference(1e-4, 25, 0.80), ds3.distillation().flow3().training().schedule());
        assertEquals(30, ds3.distillation().flow3().training().epochs());
        assertEquals(new DistillationSettings.Weights(0.5, 2.0, 2.0, 1.0), ds3.distillation().flow2().weights().resolved(FlowRole.FIRST_LAYER));
        assertEquals(new DistillationSettings.Weights(1.0, 2.0, 2.0, 1.0), ds3.distillation().flow3().weights().resolved(FlowRole.NEXT_LAYER));
        RunConfig test = RunConfig.load(Path.of("configs/test.yaml"));
        assertTrue(test.distillation().flow2().training().epochs() <= 3);
        // defaults when weights are not written: the shipped values
        assertEquals(f2.weights(), test.distillation().flow2().weights().resolved(FlowRole.FIRST_LAYER));
        assertEquals(f3.weights(), test.distillation().flow3().weights().resolved(FlowRole.NEXT_LAYER));
        assertEquals(1.0, test.distillation().flow3().baseWidth());
        // every weight written out where the settings are recorded
        assertEquals(f3.weights(), test.distillation().flow3().resolved(FlowRole.NEXT_LAYER).weights());
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
                DistillationSettings b = ds2.distillation().flow(FlowRole.of(f)), s = a.distillation().flow(FlowRole.of(f));
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
        String f2 = "weights: {beta: 0.5, output: 2.0, states: 2.0, made: 1.0}";
        String f3 = "weights: {beta: 1.0, output: 2.0, states: 2.0, made: 1.0}";
        assertTrue(ds2.contains(f2) && ds2.contains(f3));
        String e1 = load(ds2.replace(f3, "weights: {beta: 1.5, output: 2.0, states: 2.0, made: 1.0}"));
        assertTrue(e1.contains("distillation.flow3.weights.beta"), e1);
        String e2 = load(ds2.replace(f2, "weights: {lx: 1.0, lxMade: 1.0, lz: 1.0, lzMade: 1.0}"));
        assertTrue(e2.contains("distillation.flow2.weights.lx"), "the old keys are refused by name: " + e2);
        String e3 = load(ds2.replace("      epochs: 100\n", "      epochs: 0\n"));
        assertTrue(e3.contains("distillation.flow3.training.epochs"), e3);
        String e4 = load(ds2.replaceFirst("bins: 20", "bins: 0"));
        assertTrue(e4.contains("distillation.flow2.diversityWeighting.bins"), e4);
        String e5 = load(ds2.replace("    hiddenWidth: 384\n    blocks: 8", "    hiddenWidth: 384\n    blocks: 6"));
        assertTrue(e5.contains("architecture.flow3_student.blocks"), e5);
        String e6 = load(ds2.replace(f3, "weights: {beta: 1.0, output: 0.0, states: 0.0, made: 0.0}"));
        assertTrue(e6.contains("distillation.flow3.weights"), e6);
        String e7 = load(ds2.replace(f2, "weights: {beta: 0.5, output: 2.0, states: -2.0, made: 1.0}"));
        assertTrue(e7.contains("distillation.flow2.weights.states"), e7);
        String e8 = load(ds2.replace(f2, "weights: {beta: 0.5, output: 2.0, states: 2.0, made: .nan}"));
        assertTrue(e8.contains("distillation.flow2.weights.made"), e8);
        String e9 = load(ds2.replace("    " + f2, "    " + f2 + "\n    baseWidth: 0.0"));
        assertTrue(e9.contains("distillation.flow2.baseWidth"), e9);
        String e10 = load(ds2.replace(f3, "weights: {beta: -0.1, output: 2.0, states: 2.0, made: 1.0}"));
        assertTrue(e10.contains("distillation.flow3.weights.beta"), e10);
    }
}
