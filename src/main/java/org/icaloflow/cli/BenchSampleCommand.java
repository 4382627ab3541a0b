package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.config.RunConfig;
import org.icaloflow.data.Geometry;
import org.icaloflow.sample.PaperTableV;
import org.icaloflow.sample.SampleBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code icaloflow bench sample}: the paper's Table V (time per shower vs generation batch size). */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Time per shower of inductive generation, teacher and student (the paper's Table V).",
        descriptionHeading = "%n",
        description = {
                "Full generation: Flow-1, Flow-2, 44 Flow-3 layers, postprocessing and the feedback of each layer to the "
                        + "next (Eq. A4), without file writing, on the "
                        + "device DJL picks. Flows have the paper's architectures (--config) with untrained weights: "
                        + "the cost of a pass does not depend on the weights.",
                "Each batch size: warm-up batches for 2 s, then timed batches until --repeats and --min-seconds are both "
                        + "reached. A batch still running after --max-seconds-per-point is stopped after its current "
                        + "layer and its time extrapolated from the Flow-3 layers done (marked 'estimated').",
                "",
                "Prints a table and writes OUT.csv and OUT.md (with the paper's figures beside ours) and an MLflow run."},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n",
        footer = {"Example:",
                "  icaloflow bench sample --geometry ds2 --batch-sizes 1,10,100 --max-seconds-per-point 60 --out table5_ds2.csv"})
public final class BenchSampleCommand implements Runnable {
    @Option(names = {"-g", "--geometry"}, required = true, paramLabel = "ds2|ds3", description = "Dataset geometry.")
    String geometry;

    @Option(names = "--variant", paramLabel = "teacher|student", description = "One variant (default: both).")
    String variant;

    @Option(names = "--batch-sizes", split = ",", paramLabel = "B1,B2,...",
            description = "Generation batch sizes (default: 1,10,100,1000,10000 for ds2; 1,10,100,1000,5000 for ds3).")
    List<Integer> batchSizes;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE.yaml", description = "Run configuration with the architectures (default: configs/GEOMETRY.yaml).")
    Path config;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.csv", description = "CSV output; the Markdown table goes to FILE.md.")
    Path out;

    @Option(names = "--repeats", defaultValue = "1", description = "Least number of timed batches per point (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--min-seconds", defaultValue = "3", description = "Keep timing a point until this many seconds are spent (default: ${DEFAULT-VALUE}).")
    double minSeconds;

    @Option(names = "--max-seconds-per-point", defaultValue = "0", paramLabel = "S",
            description = "Stop a batch after S seconds and extrapolate (0: no cap; default: ${DEFAULT-VALUE}).")
    double maxSeconds;

    @Option(names = "--paper", paramLabel = "FILE.md", description = "Paper text to read Table V from (default: the copy of Table V shipped with icaloflow).")
    Path paper;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the energies and base samples (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    CommonOptions.Threads threads;

    @Mixin
    TrackingOptions tracking;

    @Override
    public void run() {
        Geometry g = Geometry.forName(geometry);
        if (!g.name().equals("ds2") && !g.name().equals("ds3")) throw new UserError("--geometry must be ds2 or ds3");
        List<String> variants;
        if (variant == null) variants = List.of("teacher", "student");
        else if (variant.equals("teacher") || variant.equals("student")) variants = List.of(variant);
        else throw new UserError("--variant must be teacher or student, got '" + variant + "'");
        List<Integer> sizes = batchSizes != null ? batchSizes
                : g.name().equals("ds2") ? List.of(1, 10, 100, 1000, 10000) : List.of(1, 10, 100, 1000, 5000);
        for (int b : sizes) if (b < 1) throw new UserError("--batch-sizes: " + b + " is not a positive batch size");
        if (repeats < 1) throw new UserError("--repeats must be at least 1");
        if (!(minSeconds >= 0) || !(maxSeconds >= 0)) throw new UserError("--min-seconds and --max-seconds-per-point must be >= 0");
        if (!out.getFileName().toString().endsWith(".csv")) throw new UserError("--out must name a .csv file, got " + out);
        Path cfgPath = config != null ? config : defaultConfig(g.name());
        RunConfig cfg = RunConfig.load(cfgPath);
        String stem = out.getFileName().toString().replaceFirst("\\.csv$", "");
        Path md = out.resolveSibling(stem + ".md");

        SampleBenchmark.run(new SampleBenchmark.Inputs(g, variants, sizes, cfgPath, cfg, out, md, repeats, minSeconds, maxSeconds,
                paperTable(), seed, this.threads.get(), tracking.inputs()));
    }

    private PaperTableV paperTable() {
        return paper != null ? PaperTableV.read(paper) : PaperTableV.embedded();
    }

    /** configs/NAME.yaml in the working folder, else beside the jar's project (target/../configs). */
    static Path defaultConfig(String name) {
        Path local = Path.of("configs", name + ".yaml");
        if (Files.isRegularFile(local)) return local;
        try {
            Path jar = Path.of(BenchSampleCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path p = jar.getParent().getParent().resolve("configs").resolve(name + ".yaml");
            if (Files.isRegularFile(p)) return p;
        } catch (Exception ignored) {
            // fall through to the error
        }
        throw new UserError("no configs/" + name + ".yaml here: give --config FILE.yaml");
    }
}
