package org.icaloflow.cli;

import picocli.CommandLine.Command;

/** Placeholder: filled in by its own change. */
@Command(name = "flow", mixinStandardHelpOptions = true, description = "(not yet implemented)")
public final class BenchFlowCommand implements Runnable {
    @Override
    public void run() {
        throw new org.icaloflow.UserError("flow is not implemented yet");
    }
}
