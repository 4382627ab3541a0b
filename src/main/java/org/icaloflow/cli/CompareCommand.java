package org.icaloflow.cli;

import org.icaloflow.report.Compare;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;

/** {@code icaloflow compare RUN_DIR... --out compare.html}: several published runs side by side. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Main.Version.class,
        description = {"Put several published pipeline runs (folders --outdir/RUN) side by side on one HTML page and its Markdown "
                + "twin: their AUCs and times per shower in one table, the configuration keys that differ, and the same "
                + "histograms of one generated sample from every run overlaid on the first run's reference.",
                "Example (an ablation): icaloflow compare results/base results/no_noise results/beta_half --out ablation.html"})
public final class CompareCommand implements Runnable {
    @Parameters(arity = "2..*", paramLabel = "RUN_DIR", description = "Published run folders (with evaluation/, timing/, config.yaml).")
    List<Path> runs;

    @Option(names = "--sample", defaultValue = "student", paramLabel = "NAME",
            description = "The generated sample whose histograms are overlaid (default: ${DEFAULT-VALUE}).")
    String sample;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.html", description = "The page; FILE.md beside it.")
    Path out;

    @Override
    public void run() {
        List<Path> files = Compare.write(runs, sample, out);
        System.err.println("icaloflow compare: " + files.get(0) + " and " + files.get(1));
    }
}
