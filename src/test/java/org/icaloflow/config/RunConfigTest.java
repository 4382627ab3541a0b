package org.icaloflow.config;

import org.icaloflow.UserError;
import org.icaloflow.train.LearningRateSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class RunConfigTest {
    @TempDir
    Path dir;

    @Test
    void theShippedConfigsCarryTablesTwoAndThree() {
        RunConfig ds2 = RunConfig.load(Path.of("configs/ds2.yaml"));
        assertEquals(500, ds2.training().flow1().epochs());
        assertEquals(LearningRateSchedule.OneCycle.reference(1e-3, 50, 0.85), ds2.training().flow3().schedule());
        assertEquals(250, ds2.training().flow3().selectEvery());
        assertEquals(191, ds2.architecture().flow3Teacher().conditionDim());
        assertEquals(384, ds2.architecture().flow3Student().hiddenWidth());
        RunConfig ds3 = RunConfig.load(Path.of("configs/ds3.yaml"));
        assertEquals(750, ds3.training().flow2().epochs());
        assertEquals(500, ds3.training().flow3().batchSize());
        assertEquals(40, ds3.training().flow3().epochs());
        var ms = (LearningRateSchedule.MultiStep) ds3.training().flow1().schedule();
        assertEquals(java.util.List.of(400, 500), ms.milestones());
        assertEquals("epoch", ms.stepEvery());
        assertEquals("selection", ((LearningRateSchedule.MultiStep) ds3.training().flow3().schedule()).stepEvery());
        assertEquals(LearningRateSchedule.OneCycle.reference(1e-4, 10, 0.85), ds2.training().flow1().schedule());
        assertEquals(947, ds3.architecture().flow3Teacher().conditionDim());
        RunConfig test = RunConfig.load(Path.of("configs/test.yaml"));
        assertTrue(test.training().flow3().epochs() <= 4, "the test profile stays small");
        // the fidelity profile trains the paper's architectures (Table II), only for fewer epochs and with the
        // near-identity start of the MADE output layers (its documented deviation, bench/results/fidelity_ds2_cpu.md)
        RunConfig fidelity = RunConfig.load(Path.of("configs/fidelity.yaml"));
        var a = ds2.architecture();
        var f = fidelity.architecture();
        java.util.List<org.icaloflow.flow.FlowSpec> paper = java.util.List.of(a.flow1(), a.flow2Teacher(), a.flow2Student(), a.flow3Teacher(), a.flow3Student());
        java.util.List<org.icaloflow.flow.FlowSpec> profile = java.util.List.of(f.flow1(), f.flow2Teacher(), f.flow2Student(), f.flow3Teacher(), f.flow3Student());
        for (int i = 0; i < paper.size(); i++) {
            assertTrue(profile.get(i).sameArchitecture(paper.get(i)), "flow " + i + ": " + profile.get(i).differences(paper.get(i)));
            assertEquals(org.icaloflow.nn.OutputInit.NEAR_IDENTITY, profile.get(i).outputInit());
            assertEquals(org.icaloflow.nn.OutputInit.NFLOWS, paper.get(i).outputInit());
        }
        assertEquals(ds2.training().flow3().schedule(), fidelity.training().flow3().schedule());
        assertTrue(fidelity.training().flow3().epochs() < ds2.training().flow3().epochs());
    }

    @Test
    void badKeysAndValuesNameTheKey() throws Exception {
        String ds2 = Files.readString(Path.of("configs/test.yaml"));
        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, ds2.replace("batchSize: 500", "batchsize: 500"));
        var e = assertThrows(UserError.class, () -> RunConfig.load(typo));
        assertTrue(e.getMessage().contains("training.flow3.batchsize"), e.getMessage());
        Path neg = dir.resolve("neg.yaml");
        Files.writeString(neg, ds2.replace("epochs: 30", "epochs: -3"));
        var e2 = assertThrows(UserError.class, () -> RunConfig.load(neg));
        assertTrue(e2.getMessage().contains("training.flow1.epochs"), e2.getMessage());
        Path cond = dir.resolve("cond.yaml");
        Files.writeString(cond, ds2.replace("conditionDim: 191", "conditionDim: 190"));
        var e3 = assertThrows(UserError.class, () -> RunConfig.load(cond));
        assertTrue(e3.getMessage().contains("conditionDim"), e3.getMessage());
    }
}
