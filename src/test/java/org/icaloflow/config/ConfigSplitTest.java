package org.icaloflow.config;

import org.icaloflow.FlowRole;
import org.icaloflow.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ConfigSplitTest {
    @TempDir
    Path dir;

    @Test
    void aChangeToOneFlowLeavesTheOtherViewsByteIdentical() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        ConfigSplit.split(Path.of("configs/test.yaml"), a);
        Path edited = dir.resolve("edited.yaml");
        String text = Files.readString(Path.of("configs/test.yaml"));
        assertTrue(text.contains("chunkShowers: 200"));
        Files.writeString(edited, text.replace("chunkShowers: 200", "chunkShowers: 100"));
        assertEquals(0, Main.execute("config", "split", "-c", edited.toString(), "-o", b.toString()));
        for (String s : new String[]{"preprocess", "train1", "train2"}) {
            assertArrayEquals(Files.readAllBytes(a.resolve(s + ".yaml")), Files.readAllBytes(b.resolve(s + ".yaml")), s);
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.resolve("train3.yaml")), Files.readAllBytes(b.resolve("train3.yaml"))));
        // each view is itself a valid configuration with what its stage needs
        RunConfig t3 = RunConfig.load(b.resolve("train3.yaml"));
        assertEquals(100, t3.training().flow(FlowRole.NEXT_LAYER).chunkShowers());
        assertEquals(191, t3.architecture().teacher(FlowRole.NEXT_LAYER).conditionDim());
        RunConfig t1 = RunConfig.load(a.resolve("train1.yaml"));
        assertEquals(45, t1.architecture().teacher(FlowRole.LAYER_ENERGIES).dim());
        var e = assertThrows(org.icaloflow.UserError.class, () -> t1.training().flow(FlowRole.FIRST_LAYER));
        assertTrue(e.getMessage().contains("training.flow2"));
        assertEquals(0.7, RunConfig.load(a.resolve("preprocess.yaml")).preprocess().trainFraction());
    }

    @Test
    void theCalodreamViewsHoldOneNetworkEachAndAChangeToOneLeavesTheRestByteIdentical() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        ConfigSplit.split(Path.of("configs/test.yaml"), a);
        String text = Files.readString(Path.of("configs/test.yaml"));
        // the shape network's training epochs (calodream.training.shape.epochs: 2), not the energy network's (3)
        String shapeTraining = "    shape:\n      epochs: 2\n";
        assertTrue(text.contains(shapeTraining), "configs/test.yaml's calodream.training.shape");
        Path edited = dir.resolve("edited.yaml");
        Files.writeString(edited, text.replace(shapeTraining, "    shape:\n      epochs: 7\n"));
        ConfigSplit.split(edited, b);
        for (String s : new String[]{"preprocess", "train1", "train2", "train3", "distill2", "distill3", "dream_energy"})
            assertArrayEquals(Files.readAllBytes(a.resolve(s + ".yaml")), Files.readAllBytes(b.resolve(s + ".yaml")), s);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.resolve("dream_shape.yaml")), Files.readAllBytes(b.resolve("dream_shape.yaml"))));
        CalodreamConfig shape = RunConfig.load(b.resolve("dream_shape.yaml")).calodream();
        assertEquals(7, shape.shapeTraining().epochs());
        assertEquals(12, shape.shape().embedding());
        assertNull(shape.energy(), "the shape view has no energy network");
        assertNull(shape.energyTraining());
        CalodreamConfig energy = RunConfig.load(a.resolve("dream_energy.yaml")).calodream();
        assertEquals(3, energy.energyTraining().epochs());
        assertEquals(48, energy.energy().embedding());
        assertNull(energy.shape(), "the energy view has no shape network");
        assertEquals("ds2", RunConfig.load(a.resolve("dream_energy.yaml")).geometry());
        // the flows' views carry nothing of CaloDREAM
        assertNull(RunConfig.load(a.resolve("train3.yaml")).calodream());
    }

    @Test
    void anInvalidConfigurationIsReportedAgainstTheOriginalFile() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(Path.of("configs/test.yaml")).replace("epochs: 30", "epoks: 30"));
        assertEquals(2, Main.execute("config", "split", "-c", bad.toString(), "-o", dir.resolve("o").toString()));
        assertFalse(Files.exists(dir.resolve("o/train1.yaml")));
    }
}
