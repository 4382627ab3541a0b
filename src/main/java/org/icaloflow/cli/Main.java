package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.flow.EvalKernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;


/** The {@code icaloflow} command: one subcommand per pipeline stage. */
@Command(name = "icaloflow",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Inductive CaloFlow: fast calorimeter shower generation with normalizing flows.",
        subcommands = {
                SynthCommand.class,
                SampleCommand.class,
                PreprocessCommand.class,
                TrainCommand.class,
                DistillCommand.class,
                DreamCommand.class,
                ReportCommand.class,
                CompareCommand.class,
                ValidateCommand.class,
                InfoCommand.class,
                ConfigCommand.class,
                FeaturesCommand.class,
                EvaluateCommand.class,
                BenchCommand.class,
                MlflowCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the CLI and returns its exit code (tests call this instead of {@link #main}). A bad
     * {@code icaloflow.kernels} / {@code ICALOFLOW_KERNELS} value stops it at once with one line and exit code 2.
     */
    public static int execute(String... args) {
        CommandLine cl = commandLine();
        try {
            EvalKernels.Choice.configured();
        } catch (IllegalArgumentException e) {
            cl.getErr().println("icaloflow: error: " + e.getMessage());
            cl.getErr().flush();
            return UserError.EXIT_CODE;
        }
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            Throwable t = ex;
            while (t != null && !(t instanceof UserError)) t = t.getCause();
            if (t != null) {
                commandLine.getErr().println("icaloflow: error: " + t.getMessage());
                commandLine.getErr().flush();
                return UserError.EXIT_CODE;
            }
            throw ex;
        });
        return cl;
    }

    /** Version and git commit, filtered into version.properties at build time. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"icaloflow " + version() + " (commit " + commit() + ")"};
        }

        public static String version() {
            return org.icaloflow.BuildInfo.version();
        }

        public static String commit() {
            return org.icaloflow.BuildInfo.commit();
        }
    }
}
