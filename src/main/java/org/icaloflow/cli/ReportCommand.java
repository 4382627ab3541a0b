package org.icaloflow.cli;

import org.icaloflow.report.Report;
import org.icaloflow.report.ReportStage;
import org.icaloflow.stage.StageTracking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code icaloflow report}: the run's HTML page and Markdown twin. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write one self-contained HTML page (and its Markdown twin) for a pipeline run: the configuration, "
                + "Table IV (classifier AUC/JSD), Table V (time per shower), separation powers, training curves and all "
                + "evaluation plots, with the paper's numbers beside ours. Uploaded to the run in MLflow."})
public final class ReportCommand implements Runnable {
    @Option(names = "--run-name", description = "Name of the pipeline run (default: $ICALOFLOW_PIPELINE_RUN_NAME).")
    String runName;

    @Option(names = {"-g", "--geometry"}, description = "ds2 or ds3 (selects the paper's numbers).")
    String geometry;

    @Option(names = {"-c", "--config"}, description = "The run configuration.")
    Path config;

    @Option(names = "--evaluation", paramLabel = "DIR", description = "Output folder of `icaloflow evaluate`.")
    Path evaluation;

    @Option(names = "--timing", paramLabel = "FILE.csv", description = "Output of `icaloflow bench sample` (repeatable).")
    List<Path> timing = new ArrayList<>();

    @Option(names = "--training", paramLabel = "DIR", description = "Output folder of a train or distill stage (repeatable).")
    List<Path> training = new ArrayList<>();

    @Option(names = "--samples", paramLabel = "FILE.manifest.json", description = "Manifest of a sample stage, for the layer closure (repeatable).")
    List<Path> samples = new ArrayList<>();

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.html", description = "The HTML page; FILE.md beside it.")
    Path out;

    @Mixin
    TrackingOptions tracking;

    @Override
    public void run() {
        ReportStage.run(new ReportStage.Inputs(new Report.Inputs(StageTracking.pipelineRunName(runName), geometry, config,
                evaluation, timing, training, samples), out, tracking.inputs()));
    }
}
