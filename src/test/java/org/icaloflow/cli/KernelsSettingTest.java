package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.flow.EvalKernels;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The eval-mode path switch (docs/gpu.md) at the command line: a bad value stops every command with one line. */
class KernelsSettingTest {

    @Test
    void aBadKernelsValueIsOneLineAndExitCode2() {
        String old = System.getProperty(EvalKernels.PROPERTY);
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setProperty(EvalKernels.PROPERTY, "cuda");
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.execute("info");
            System.err.flush();
        } finally {
            System.setErr(oldErr);
            if (old == null) System.clearProperty(EvalKernels.PROPERTY);
            else System.setProperty(EvalKernels.PROPERTY, old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(UserError.EXIT_CODE, code);
        assertEquals("icaloflow: error: -Dicaloflow.kernels must be auto or tensor, got 'cuda'", text.strip());
        assertTrue(text.strip().lines().count() == 1, "one line, no stack trace: " + text);
    }

    @Test
    void infoNamesThePathOnTheDevice() {
        try (EvalKernels.Selection s = EvalKernels.select(EvalKernels.Choice.TENSOR)) {
            assertEquals("tensor (tensor path on cpu())", InfoCommand.kernelsLine(ai.djl.Device.cpu()));
        }
        try (EvalKernels.Selection s = EvalKernels.select(EvalKernels.Choice.AUTO)) {
            assertEquals("auto (CpuKernels on cpu())", InfoCommand.kernelsLine(ai.djl.Device.cpu()));
        }
    }
}
