package org.icaloflow.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LearningRateScheduleTest {

    @Test
    void oneCycleRisesFallsAndAnnihilates() {
        var s = new LearningRateSchedule.OneCycle(2e-5, 1e-3);
        long total = 1001;
        assertEquals(2e-5, s.rate(0, total, 10), 1e-15);
        assertEquals(1e-3, s.rate(450, total, 10), 1e-12, "peak after 45% of the steps");
        assertEquals(2e-5, s.rate(900, total, 10), 1e-12, "back to base after 90%");
        assertEquals(2e-6, s.rate(1000, total, 10), 1e-15, "annihilated to base/10 at the end");
        double prev = 0;
        for (long k = 0; k <= 450; k++) {
            double r = s.rate(k, total, 10);
            assertTrue(r >= prev);
            prev = r;
        }
        for (long k = 451; k <= 1000; k++) {
            double r = s.rate(k, total, 10);
            assertTrue(r <= prev);
            prev = r;
        }
    }

    @Test
    void multiStepHalvesAfterTheMilestoneEpochs() {
        var s = new LearningRateSchedule.MultiStep(1e-4, List.of(400, 500), null);
        long spe = 70;
        assertEquals(1e-4, s.rate(0, 0, spe));
        assertEquals(1e-4, s.rate(400 * spe - 1, 0, spe));
        assertEquals(5e-5, s.rate(400 * spe, 0, spe));
        assertEquals(2.5e-5, s.rate(500 * spe, 0, spe));
        assertEquals(2.5e-5, s.rate(749 * spe, 0, spe));
    }

    @Test
    void bindsFromYamlAndValidatesWithTheKeyName() throws Exception {
        ObjectMapper m = new ObjectMapper(new YAMLFactory());
        LearningRateSchedule s = m.readValue("type: onecycle\nbaseLr: 1.0e-5\nmaxLr: 1.0e-4\n", LearningRateSchedule.class);
        assertInstanceOf(LearningRateSchedule.OneCycle.class, s);
        LearningRateSchedule ms = m.readValue("type: multistep\ninitialLr: 1.0e-4\nmilestones: [400, 500]\n", LearningRateSchedule.class);
        assertEquals(0.5, ((LearningRateSchedule.MultiStep) ms).gamma());
        var bad = new LearningRateSchedule.OneCycle(1e-3, 1e-4);
        var e = assertThrows(IllegalArgumentException.class, () -> bad.validate("training.flow2.schedule"));
        assertTrue(e.getMessage().startsWith("training.flow2.schedule.maxLr"), e.getMessage());
    }
}
