package org.icaloflow.sample;

import org.icaloflow.flow.FlowKind;

import java.nio.file.Path;

/** Lets tests in other packages build the tiny flows. */
public final class SamplerTestAccess {
    private SamplerTestAccess() {
    }

    public static void singleThreaded() {
        TinyFlows.singleThreaded();
    }

    public static Path save(Path dir, int flow, FlowKind kind, long seed) {
        return TinyFlows.save(dir, flow, kind, seed);
    }
}
