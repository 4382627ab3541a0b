package org.icaloflow.cli;

import org.icaloflow.config.ConfigSplit;
import org.icaloflow.config.RunConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code icaloflow config}: check a run configuration, or split it into per-stage views. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Check a run configuration (check) or write per-stage views of it (split).",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Split.class})
public final class ConfigCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: check or split");
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Load and validate a configuration; every problem is one line naming the key.")
    static final class Check implements Runnable {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE.yaml")
        Path config;

        @Override
        public void run() {
            RunConfig.load(config);
            System.out.println(config + ": valid");
        }
    }

    @Command(name = "split", mixinStandardHelpOptions = true,
            description = {"Write OUT/<stage>.yaml with only the sections each stage reads (preprocess, train1..3, "
                    + "distill2..3) and OUT/full.yaml.",
                    "The pipeline uses these so that editing one flow's settings re-runs only that flow and what depends on it."})
    static final class Split implements Runnable {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE.yaml")
        Path config;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR")
        Path out;

        @Override
        public void run() {
            List<Path> files = ConfigSplit.split(config, out);
            System.err.println("icaloflow config split: " + files.size() + " files -> " + out);
        }
    }
}
