package org.icaloflow.cli;

import org.icaloflow.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.InputStream;
import java.util.Properties;

/** The {@code icaloflow} command: one subcommand per pipeline stage. */
@Command(name = "icaloflow",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Inductive CaloFlow: fast calorimeter shower generation with normalizing flows.",
        subcommands = {
                SynthCommand.class,
                ValidateCommand.class,
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

    /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        CommandLine cl = commandLine();
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

        private static Properties props() {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/icaloflow-version.properties")) {
                if (in != null) p.load(in);
            } catch (Exception ignored) {
                // no properties: report unknown
            }
            return p;
        }

        public static String version() {
            return props().getProperty("version", "unknown");
        }

        public static String commit() {
            String c = props().getProperty("commit", "unknown");
            return c.isBlank() || c.startsWith("${") ? "unknown" : c;
        }
    }
}
