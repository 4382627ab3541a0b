package org.icaloflow.cli;

import org.icaloflow.report.Report;
import org.icaloflow.track.Tags;
import org.icaloflow.track.Tracker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        Path journal = out.toAbsolutePath().resolveSibling("report.journal.jsonl");
        try (Tracker t = tracking.start(null, journal, "report", Map.of(Tags.STAGE, "report"))) {
            List<Path> files = Report.write(new Report.Inputs(TrackingOptions.pipelineRunName(runName), geometry, config, evaluation, timing, training, samples), out);
            for (Path f : files) t.logArtifact(f, "report");
            // the pipeline's parent run: the report itself, the time per shower and what identifies the run
            t.logParentArtifact(files.get(0), null);
            t.logParentMetrics(Report.timingMetrics(timing));
            Map<String, Object> p = new java.util.LinkedHashMap<>();
            if (geometry != null) p.put("geometry", geometry);
            if (config != null && java.nio.file.Files.isRegularFile(config)) {
                p.put("config", config.getFileName().toString());
                try {
                    p.put("config_sha256", org.icaloflow.track.Keys.sha256(config));
                } catch (java.io.IOException e) {
                    // unreadable: the report already said so
                }
            }
            p.put("git_commit", org.icaloflow.BuildInfo.commit());
            String name = TrackingOptions.pipelineRunName(runName);
            if (name != null) p.put("nextflow_run_name", name);
            t.logParentParams(p);
            System.err.println("icaloflow report: " + files.get(0) + " and " + files.get(1));
        }
    }
}
