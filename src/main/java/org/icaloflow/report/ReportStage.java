package org.icaloflow.report;

import org.icaloflow.BuildInfo;
import org.icaloflow.UserError;
import org.icaloflow.data.Sha256;
import org.icaloflow.stage.StageRun;
import org.icaloflow.stage.StageTracking;
import org.icaloflow.track.Tags;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report stage: the run's HTML page and Markdown twin, logged on its own MLflow run (journal
 * report.journal.jsonl beside OUT) and, with the time per shower and what identifies the run, on the pipeline's.
 */
public final class ReportStage {
    /** @param out the HTML page; FILE.md beside it */
    public record Inputs(Report.Inputs report, Path out, StageTracking tracking) {
    }

    private ReportStage() {
    }

    /** Returns the HTML page and the Markdown twin. */
    public static List<Path> run(Inputs in) {
        Report.Inputs r = in.report();
        Path journal = in.out().toAbsolutePath().resolveSibling("report.journal.jsonl");
        List<Path> files = StageRun.run(in.tracking(), null, journal, "report", Map.of(Tags.STAGE, "report"), null, run -> {
            List<Path> written = Report.write(r, in.out());
            for (Path f : written) run.artifact(f, "report");
            // the pipeline's parent run: the report itself, the time per shower and what identifies the run
            run.tracker().logParentArtifact(written.get(0), null);
            run.tracker().logParentMetrics(Report.timingMetrics(r.timingCsvs()));
            run.tracker().logParentParams(parentParams(r));
            return written;
        });
        System.err.println("icaloflow report: " + files.get(0) + " and " + files.get(1));
        return files;
    }

    private static Map<String, Object> parentParams(Report.Inputs r) {
        Map<String, Object> p = new LinkedHashMap<>();
        if (r.geometry() != null) p.put("geometry", r.geometry());
        if (r.config() != null && Files.isRegularFile(r.config())) {
            p.put("config", r.config().getFileName().toString());
            try {
                p.put("config_sha256", Sha256.of(r.config()));
            } catch (UserError e) {
                // unreadable: the report already said so
            }
        }
        p.put("git_commit", BuildInfo.commit());
        if (r.runName() != null) p.put("nextflow_run_name", r.runName());
        return p;
    }
}
