package org.icaloflow.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.icaloflow.UserError;
import org.icaloflow.config.Yaml;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class LearningRateScheduleTest {

    /** The cases of src/test/resources/golden/make_schedule_table.py, with the run each is asked about. */
    record Case(LearningRateSchedule schedule, LearningRateSchedule.Clock clock) {
    }

    static Map<String, Case> cases() {
        Map<String, Case> c = new LinkedHashMap<>();
        c.put("ds2_flow1", new Case(LearningRateSchedule.OneCycle.reference(1e-4, 10, 0.85), clock(350, 70, 0)));
        c.put("ds2_flow3_student", new Case(LearningRateSchedule.OneCycle.reference(5e-4, 25, 0.80), clock(301, 43, 0)));
        c.put("two_phase_linear", new Case(new LearningRateSchedule.OneCycle(2e-3, 25.0, null, 1e4, 0.3, 0.85, 0.95, false, "linear", true),
                clock(200, 20, 0)));
        c.put("multistep_epoch", new Case(new LearningRateSchedule.MultiStep(1e-4, List.of(3, 5), 0.5, "epoch"), clock(300, 40, 0)));
        c.put("multistep_selection", new Case(new LearningRateSchedule.MultiStep(1e-4, List.of(4, 7), 0.5, "selection"), clock(300, 100, 25)));
        c.put("multistep_batch", new Case(new LearningRateSchedule.MultiStep(1e-4, List.of(100, 200), 0.5, "batch"), clock(300, 100, 0)));
        return c;
    }

    static LearningRateSchedule.Clock clock(long total, long spe, int selectEvery) {
        return new LearningRateSchedule.Clock(total, spe, selectEvery);
    }

    @Test
    void ratesAndBeta1FollowTorchsFormulasStepByStep() throws Exception {
        Map<String, Case> cases = cases();
        Map<String, Integer> seen = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream("/golden/torch_schedules.csv"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#")) continue;
                String[] f = line.split(",");
                Case c = cases.get(f[0]);
                assertNotNull(c, "case " + f[0]);
                long step = Long.parseLong(f[1]);
                double lr = Double.parseDouble(f[2]), b1 = Double.parseDouble(f[3]);
                c.schedule().validate(f[0]);
                assertEquals(lr, c.schedule().rate(step, c.clock()), 1e-12 * lr, f[0] + " lr at step " + step);
                assertEquals(b1, c.schedule().beta1(step, c.clock()), 1e-12 * b1, f[0] + " beta1 at step " + step);
                seen.merge(f[0], 1, Integer::sum);
            }
        }
        for (var e : cases.entrySet())
            assertEquals(e.getValue().clock().totalSteps(), (long) seen.getOrDefault(e.getKey(), 0), "rows of " + e.getKey());
    }

    @Test
    void referenceOneCycleHitsItsLandmarks() {
        // run.py's Flow-3 student: max 5e-4 / 25 = 2e-5 at the start, the peak after 40 %, back after 80 %,
        // 2e-6 at the end; beta1 0.95 -> 0.80 -> 0.95
        var s = LearningRateSchedule.OneCycle.reference(5e-4, 25, 0.80);
        var c = clock(1001, 1, 0);
        assertEquals(2e-5, s.rate(0, c), 1e-18);
        assertEquals(0.95, s.beta1(0, c), 1e-15);
        assertEquals(5e-4, s.rate(399, c), 1e-15 * 5e-4 + 5e-4 * 1e-5, "peak near 0.4 * 1001 - 1 = 399.4");
        assertEquals(0.80, s.beta1(399, c), 1e-5);
        assertEquals(2e-5, s.rate(799, c), 2e-5 * 1e-3, "back to the initial rate near 2 * 0.4 * 1001 - 2 = 798.8");
        assertEquals(2e-6, s.rate(1000, c), 1e-18, "initial / finalDivFactor 10 at the last step");
        assertEquals(0.95, s.beta1(900, c), 0.0, "held at maxMomentum in the third phase");
        assertEquals(2e-5, s.initialLr(), 1e-20);
    }

    @Test
    void multiStepCountsTheUnitItIsSteppedIn() {
        var epochs = new LearningRateSchedule.MultiStep(1e-4, List.of(400, 500), null, "epoch");
        var c = clock(750 * 70, 70, 250);
        assertEquals(1e-4, epochs.rate(400 * 70 - 1, c));
        assertEquals(5e-5, epochs.rate(400 * 70, c));
        assertEquals(2.5e-5, epochs.rate(500 * 70, c));
        // run.py's DS3 Flow-3: stepped after every 250th batch, so the first halving comes after 400 * 250 batches
        var sel = new LearningRateSchedule.MultiStep(1e-4, List.of(400, 500), null, "selection");
        assertEquals(1e-4, sel.rate(400 * 250 - 1, c));
        assertEquals(5e-5, sel.rate(400 * 250, c));
        assertEquals(2.5e-5, sel.rate(500 * 250, c));
        assertEquals(LearningRateSchedule.ADAM_BETA1, sel.beta1(123, c));
        assertThrows(IllegalStateException.class, () -> sel.rate(1, clock(10, 10, 0)));
    }

    /**
     * CaloDREAM's cosine: torch's CosineAnnealingLR closed form eta_min + (eta_max - eta_min)(1 + cos(pi k / T))/2
     * with T the run's steps; landmarks by hand: max at 0, the mean at T/2, 1/4 of the way at 2T/3 (cos = -1/2).
     */
    @Test
    void cosineFallsFromTheMaximumToTheFloorOverTheRun() throws Exception {
        LearningRateSchedule.Cosine c = (LearningRateSchedule.Cosine) new ObjectMapper(new YAMLFactory())
                .readValue("type: cosine\nmaxLr: 1.0e-3\n", LearningRateSchedule.class);
        c.validate("x");
        LearningRateSchedule.Clock run = clock(300, 30, 0);
        assertEquals(1e-3, c.rate(0, run), 1e-18);
        assertEquals(0.5e-3, c.rate(150, run), 1e-15);
        assertEquals(0.25e-3, c.rate(200, run), 1e-15);
        assertEquals(0, c.rate(300, run), 1e-18);
        assertEquals(0.9, c.beta1(10, run));
        double prev = Double.POSITIVE_INFINITY;
        for (long k = 0; k < 300; k++) {
            assertTrue(c.rate(k, run) < prev);
            prev = c.rate(k, run);
        }
        LearningRateSchedule.Cosine floor = new LearningRateSchedule.Cosine(1e-3, 1e-5);
        assertEquals(1e-5 + (1e-3 - 1e-5) * 0.75, floor.rate(100, run), 1e-15);
        assertMessage("s.minLr", () -> new LearningRateSchedule.Cosine(1e-3, 2e-3).validate("s"));
    }

    @Test
    void bindsFromYamlAndValidatesWithTheKeyName() throws Exception {
        ObjectMapper m = new ObjectMapper(new YAMLFactory());
        LearningRateSchedule s = m.readValue("type: onecycle\nmaxLr: 1.0e-4\ndivFactor: 10\n", LearningRateSchedule.class);
        assertEquals(LearningRateSchedule.OneCycle.reference(1e-4, 10, 0.85), s);
        // the initial rate may still be given itself, as before
        var old = (LearningRateSchedule.OneCycle) m.readValue("type: onecycle\nbaseLr: 1.0e-5\nmaxLr: 1.0e-4\n", LearningRateSchedule.class);
        old.validate("x");
        assertEquals(1e-5, old.initialLr());
        LearningRateSchedule ms = m.readValue("type: multistep\ninitialLr: 1.0e-4\nmilestones: [400, 500]\nstepEvery: epoch\n", LearningRateSchedule.class);
        assertEquals(0.5, ((LearningRateSchedule.MultiStep) ms).gamma());

        assertMessage("training.flow2.schedule.maxLr", () -> new LearningRateSchedule.OneCycle(1e-3, 1e-4).validate("training.flow2.schedule"));
        assertMessage("training.flow2.schedule: give exactly one of .divFactor",
                () -> new LearningRateSchedule.OneCycle(1e-3, 10.0, 1e-4, null, null, null, null, null, null, null).validate("training.flow2.schedule"));
        assertMessage("s.baseMomentum", () -> LearningRateSchedule.OneCycle.reference(1e-3, 10, 0.99).validate("s"));
        assertMessage("s.pctStart", () -> new LearningRateSchedule.OneCycle(1e-3, 10.0, null, null, 0.6, null, null, null, null, null).validate("s"));
        assertMessage("s.annealStrategy", () -> new LearningRateSchedule.OneCycle(1e-3, 10.0, null, null, null, null, null, null, "exp", null).validate("s"));
        assertMessage("s.stepEvery", () -> new LearningRateSchedule.MultiStep(1e-4, List.of(4), null, "week").validate("s"));
        TrainingSettings noSelections = new TrainingSettings(3, 10, new LearningRateSchedule.MultiStep(1e-4, List.of(4), null, "selection"),
                0, null, null, null, null, null);
        assertMessage("training.flow3.schedule.stepEvery is selection but training.flow3.selectEvery is 0",
                () -> noSelections.validate("training.flow3"));
    }

    record Holder(@com.fasterxml.jackson.annotation.JsonProperty("schedule") LearningRateSchedule schedule) {
    }

    @Test
    void configurationMistakesNameTheKey() {
        var e = assertThrows(UserError.class, () -> Yaml.parse("schedule: {type: multistep, initialLr: 1.0e-4, milestones: [4]}\n", Holder.class, "c.yaml"));
        assertTrue(e.getMessage().contains("schedule.stepEvery"), e.getMessage());
        // the keys of the former linear OneCycle are gone: named, with what is known there
        var w = assertThrows(UserError.class, () -> Yaml.parse("schedule: {type: onecycle, baseLr: 1.0e-5, maxLr: 1.0e-4, warmup: 0.45}\n", Holder.class, "c.yaml"));
        assertTrue(w.getMessage().contains("unknown key 'schedule.warmup'") && w.getMessage().contains("divFactor"), w.getMessage());
    }

    private static void assertMessage(String prefix, org.junit.jupiter.api.function.Executable x) {
        var e = assertThrows(IllegalArgumentException.class, x);
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    }

    /**
     * The ablation configuration of docs/train.md reproduces the schedule this project had before issue 12
     * item 4 (written out here from that version's formula: linear 45 % up, 45 % down, 10 % to base/10, β1 0.9)
     * to within one step's change at the phase ends.
     */
    @Test
    void theEarlierLinearScheduleIsOneConfigurationAway() {
        double base = 1e-5, max = 1e-4;
        long total = 2800;
        LearningRateSchedule.OneCycle linear = new LearningRateSchedule.OneCycle(max, 10.0, null, null, 0.45, null, null, null, "linear", false);
        linear.validate("t");
        LearningRateSchedule.Clock c = clock(total, 14, 0);
        double perStep = (max - base) / (0.45 * total);
        for (long k = 0; k < total; k++) {
            double t = k / (double) (total - 1), old;
            if (t <= 0.45) old = base + (max - base) * t / 0.45;
            else if (t <= 0.9) old = max + (base - max) * (t - 0.45) / 0.45;
            else old = base + (base / 10 - base) * (t - 0.9) / 0.1;
            assertEquals(old, linear.rate(k, c), 2 * perStep, "step " + k);
            assertEquals(0.9, linear.beta1(k, c), 0.0);
        }
    }
}
