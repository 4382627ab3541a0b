package org.icaloflow.flow;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.icaloflow.UserError;
import org.icaloflow.distill.DistillationObjective;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A distillation student permutes exactly as its teacher, whatever the student spec's own seed. */
class StudentFlowTest {
    static {
        FlowTestSupport.singleThreaded();
    }

    @TempDir
    Path dir;

    @Test
    void studentTakesTheTeachersPermutationsAndKeepsThemThroughSaveLoad() {
        FlowSpec t = FlowSpec.create(FlowKind.MAF, 6, 1, 1, 8, 4, 8, 5.0, 11L, null, null, null);
        FlowSpec s = FlowSpec.create(FlowKind.IAF, 6, 1, 2, 12, 4, 8, 5.0, 99L, null, null, null);
        try (NDManager m = NDManager.newBaseManager(); Flow teacher = Flow.create(t, m);
             Flow own = Flow.create(s, m); Flow student = DistillationObjective.studentOf(teacher, s, m)) {
            boolean anyDiffers = false;
            for (int i = 1; i < 4; i++) {
                assertArrayEquals(teacher.permutation(i), student.permutation(i), "block " + i);
                anyDiffers |= !java.util.Arrays.equals(teacher.permutation(i), own.permutation(i));
            }
            assertTrue(anyDiffers, "the check is sensitive: the student's own seed would permute differently");
            assertNull(student.permutation(0));
            assertEquals(s, student.spec());
            FlowCheckpoint.save(student, dir.resolve("s"));
            try (Flow back = FlowCheckpoint.load(dir.resolve("s"), m, s)) {
                for (int i = 1; i < 4; i++) assertArrayEquals(teacher.permutation(i), back.permutation(i));
            }
        }
    }

    @Test
    void studentMustMatchTheTeachersBlocksAndDims() {
        FlowSpec t = FlowSpec.create(FlowKind.MAF, 6, 1, 1, 8, 4, 8, 5.0, 11L, null, null, null);
        try (NDManager m = NDManager.newBaseManager(); Flow teacher = Flow.create(t, m)) {
            var e = assertThrows(UserError.class, () -> DistillationObjective.studentOf(teacher,
                    FlowSpec.create(FlowKind.IAF, 6, 1, 1, 8, 3, 8, 5.0, 1L, null, null, null), m));
            assertTrue(e.getMessage().contains("blocks"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Flow.create(t, m, ai.djl.ndarray.types.DataType.FLOAT32,
                    new int[][] {null, {0, 1, 2, 3, 4, 4}, {0, 1, 2, 3, 4, 5}, {0, 1, 2, 3, 4, 5}}));
        }
    }
}
