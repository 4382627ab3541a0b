package org.icaloflow.cli;

import picocli.CommandLine.Command;

/** Placeholder: filled in by its own change. */
@Command(name = "synth", mixinStandardHelpOptions = true, description = "(not yet implemented)")
public final class BenchSynthCommand implements Runnable {
    @Override
    public void run() {
        throw new org.icaloflow.UserError("synth is not implemented yet");
    }
}
