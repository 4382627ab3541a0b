package org.icaloflow.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.icaloflow.track.Tracker;
import org.icaloflow.track.TrackingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/** The Trainer asks the schedule at every optimiser step, in the unit the schedule is stepped in, and resumes it. */
class TrainerScheduleTest {
    @TempDir
    Path dir;

    // 500 training samples in batches of 50: 10 steps per epoch, 3 epochs, 30 steps
    static TrainingSettings settings(LearningRateSchedule s, int selectEvery) {
        return new TrainingSettings(3, 50, s, selectEvery, 0, 1, 3, 10, 11L);
    }

    /** Per metric step (optimiser steps done, 1-based): the lr and beta1 the step ran with, from the journal. */
    record Recorded(Map<Long, Double> lr, Map<Long, Double> beta1, Map<Long, Double> historyLr) {
    }

    Recorded run(String name, TrainingSettings s, boolean resume, long stopAfter) throws Exception {
        Path out = dir.resolve(name);
        Path journal = dir.resolve(name + (resume ? "-resumed" : "") + ".journal.jsonl");
        PrintStream log = new PrintStream(new ByteArrayOutputStream());
        try (Tracker t = Tracker.start(TrackingConfig.journalOnly(null), journal, name, Map.of())) {
            Trainer.flow(TrainerTest.SPEC, TrainerTest.gaussians(500, 2), TrainerTest.gaussians(100, 99),
                    new Trainer.Options("t", s, out, resume, stopAfter, log), t).run();
        }
        Map<Long, Double> lr = new TreeMap<>(), b1 = new TreeMap<>(), hist = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(journal)) {
            JsonNode ev = json.readTree(line);
            if (!"metric".equals(ev.path("ev").asText())) continue;
            String key = ev.get("key").asText();
            if (key.equals("lr")) lr.put(ev.get("step").asLong(), ev.get("value").asDouble());
            if (key.equals("beta1")) b1.put(ev.get("step").asLong(), ev.get("value").asDouble());
        }
        Path h = out.resolve(ModelFolder.HISTORY);
        if (Files.exists(h)) {
            for (String row : Files.readAllLines(h)) {
                String[] f = row.split(",");
                if (f[0].equals("train")) hist.put(Long.parseLong(f[2]), Double.parseDouble(f[4]));
            }
        }
        return new Recorded(lr, b1, hist);
    }

    @Test
    void oneCycleIsSteppedPerBatchAndSetsAdamsBeta1() throws Exception {
        // max 1e-2 / 10; 30 steps: phase ends 0.4 * 30 - 1 = 11, 2 * 0.4 * 30 - 2 = 22, 29
        var s = LearningRateSchedule.OneCycle.reference(1e-2, 10, 0.85);
        Recorded r = run("onecycle", settings(s, 0), false, 0);
        assertEquals(30, r.lr().size(), "one lr per optimiser step");
        assertEquals(1e-3, r.lr().get(1L), 1e-15);
        assertEquals(0.95, r.beta1().get(1L), 1e-15);
        assertEquals(1e-2, r.lr().get(12L), 1e-15, "the peak at step 11 (0-based)");
        assertEquals(0.85, r.beta1().get(12L), 1e-15);
        assertEquals(1e-3, r.lr().get(23L), 1e-15, "back to the initial rate at step 22");
        assertEquals(1e-4, r.lr().get(30L), 1e-17, "initial / 10 at the last step");
        assertEquals(0.95, r.beta1().get(30L), 1e-15);
        // between the landmarks: cosine annealing (torch's _annealing_cos), step 5 of the 11-step rise
        double mid = 1e-2 + (1e-3 - 1e-2) / 2 * (Math.cos(Math.PI * 5 / 11.0) + 1);
        assertEquals(mid, r.lr().get(6L), 1e-15);
        for (var e : r.historyLr().entrySet())
            assertEquals(r.lr().get(e.getKey()), e.getValue(), 1e-5 * e.getValue(), "history.csv lr at step " + e.getKey());
    }

    @Test
    void multiStepHalvesAfterTheMilestonesInItsUnit() throws Exception {
        // per selection (every 7 steps): halvings after 2 and 3 selections = before 0-based steps 14 and 21
        Recorded sel = run("sel", settings(new LearningRateSchedule.MultiStep(1e-3, List.of(2, 3), 0.5, "selection"), 7), false, 0);
        // per epoch (10 steps): halvings after epochs 1 and 2 = before steps 10 and 20
        Recorded ep = run("ep", settings(new LearningRateSchedule.MultiStep(1e-3, List.of(1, 2), 0.5, "epoch"), 7), false, 0);
        for (long k = 1; k <= 30; k++) {
            long s = k - 1;
            double wantSel = s < 14 ? 1e-3 : s < 21 ? 5e-4 : 2.5e-4;
            double wantEp = s < 10 ? 1e-3 : s < 20 ? 5e-4 : 2.5e-4;
            assertEquals(wantSel, sel.lr().get(k), 0.0, "selection-stepped lr at step " + s);
            assertEquals(wantEp, ep.lr().get(k), 0.0, "epoch-stepped lr at step " + s);
            assertEquals(0.9, sel.beta1().get(k), 0.0, "Adam's default beta1");
        }
    }

    @Test
    void aResumedRunContinuesTheScheduleAtTheRightStep() throws Exception {
        var s = settings(LearningRateSchedule.OneCycle.reference(1e-2, 10, 0.85), 7);
        Recorded full = run("full", s, false, 0);
        run("part", s, false, 17);   // killed after 17 steps; the checkpoint is from step 14
        Recorded rest = run("part", s, true, 0);
        assertEquals(List.of(15L, 30L), List.of(rest.lr().keySet().stream().min(Long::compare).orElseThrow(),
                rest.lr().keySet().stream().max(Long::compare).orElseThrow()), "the resumed run redoes steps 15 to 30");
        for (long k = 15; k <= 30; k++) {
            assertEquals(full.lr().get(k), rest.lr().get(k), 0.0, "lr at step " + k);
            assertEquals(full.beta1().get(k), rest.beta1().get(k), 0.0, "beta1 at step " + k);
        }
        assertEquals(full.historyLr(), rest.historyLr(), "history.csv of the resumed run");
    }
}
