package org.icaloflow.flow.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.icaloflow.flow.EvalKernels;
import org.junit.jupiter.api.Test;

class CpuKernelsTest {
    /** Without the service entry every eval-mode pass would silently fall back to the (slower) tensor paths. */
    @Test
    void theCpuKernelsAreInstalled() {
        EvalKernels k = EvalKernels.installed();
        assertTrue(k instanceof CpuKernels, "installed: " + k);
        assertTrue(k.handles(Device.cpu()));
        assertTrue(!k.handles(Device.gpu()));
    }
}
