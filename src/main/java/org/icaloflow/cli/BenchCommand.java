package org.icaloflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Benchmarks that print figures (never timed tests). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print figures: synth (shower generator), flow (flow core), sample (time per shower, Table V), memory (Flow-3 training peak RSS), dream (CaloDREAM timing, Table 6).",
        subcommands = {BenchSynthCommand.class, BenchFlowCommand.class, BenchSampleCommand.class, BenchMemoryCommand.class,
                BenchDreamCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing benchmark: synth or flow");
    }
}
