package org.icaloflow.cli;

import picocli.CommandLine.Command;

/** Placeholder: filled in by its own change. */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "(not yet implemented)")
public final class ValidateCommand implements Runnable {
    @Override
    public void run() {
        throw new org.icaloflow.UserError("validate is not implemented yet");
    }
}
