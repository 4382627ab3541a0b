package org.icaloflow.track;

import org.icaloflow.testing.Chromium;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What a physicist sees in the MLflow UI (the real server's React app in headless Chromium): a pipeline-like run, its
 * parent page shows the status, a positive duration, the child runs and the headline AUC. The screenshot stays in
 * target/browser/ for a look.
 */
class MlflowUiBrowserTest {

    @Test
    void theParentRunPageShowsItsChildrenStatusAndHeadlineAuc() throws Exception {
        Chromium chromium = Chromium.find();
        Assumptions.assumeTrue(chromium != null, "no chromium (bin/run-tests installs Debian's chromium)");
        Assumptions.assumeTrue(MlflowTestServer.available(), "no mlflow");
        Path dir = Files.createDirectories(Path.of("target/browser"));
        try (MlflowTestServer server = MlflowTestServer.start(Files.createTempDirectory("mlflow-ui"))) {
            long t0 = System.currentTimeMillis() - 120_000;
            TrackingConfig tc = new TrackingConfig(server.uri, "ui-check", "session-ui", "pipeline-ui", t0);
            Path journals = Files.createTempDirectory("ui-journals");
            for (String stage : new String[]{"train-flow1", "evaluate"}) {
                try (Tracker t = Tracker.start(tc, journals.resolve(stage + ".journal.jsonl"), stage, Map.of(Tags.STAGE, stage))) {
                    t.logMetric("loss", 1.0, 0);
                    if (stage.equals("evaluate")) t.logParentMetrics(Map.of("auc_low_teacher_mean", 0.713));
                }
            }
            Tracker.endPipeline(tc, journals.resolve("pipeline.journal.jsonl"), "FINISHED", t0, System.currentTimeMillis());
            String exp = server.rest.getOrCreateExperiment("ui-check");
            String parent = null;
            for (var r : server.rest.searchByTag(exp, MlflowRest.TAG_SESSION, "session-ui"))
                if ("pipeline".equals(MlflowRest.tag(r, MlflowRest.TAG_ROLE))) parent = r.path("info").path("run_id").asText();
            assertNotNull(parent);
            String url = server.uri + "/#/experiments/" + exp + "/runs/" + parent;
            String text = Chromium.text(chromium.dom(url, 1400, 900));
            chromium.screenshot(url, 1400, 900, dir.resolve("mlflow_parent_run.png"));
            assertTrue(text.contains("pipeline-ui"), "the parent run's name: " + text);
            assertTrue(text.contains("auc_low_teacher_mean") && text.contains("0.713"), "the headline AUC: " + text);
            assertTrue(text.contains("Child runs") && text.contains("train-flow1") && text.contains("evaluate"), "its children: " + text);
            assertTrue(text.contains("Finished"), "status finished, not grey: " + text);
            assertFalse(text.matches(".*Duration -.*"), "a positive duration: " + text);
            String list = Chromium.text(chromium.dom(server.uri + "/#/experiments/" + exp + "/runs", 1400, 900));
            assertTrue(list.contains("pipeline-ui"), "the runs table lists the pipeline run: " + list);
            assertTrue(Files.size(dir.resolve("mlflow_parent_run.png")) > 1000, "a screenshot");
        }
    }
}
