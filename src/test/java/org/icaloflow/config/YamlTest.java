package org.icaloflow.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.icaloflow.UserError;
import org.icaloflow.train.LearningRateSchedule;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class YamlTest {
    record Inner(@JsonProperty(value = "epochs", required = true) int epochs, LearningRateSchedule schedule) {
    }

    record Outer(@JsonProperty("flow1") Inner flow1) {
    }

    @Test
    void bindsNestedRecords() {
        Outer o = Yaml.parse("flow1:\n  epochs: 5\n  schedule: {type: constant, lr: 0.001}\n", Outer.class, "t.yaml");
        assertEquals(5, o.flow1().epochs());
        assertEquals(1e-3, o.flow1().schedule().rate(0, 1, 1));
    }

    @Test
    void unknownKeyNamesTheDottedPath() {
        var e = assertThrows(UserError.class, () -> Yaml.parse("flow1:\n  epoch: 5\n", Outer.class, "t.yaml"));
        assertTrue(e.getMessage().startsWith("t.yaml: unknown key 'flow1.epoch'"), e.getMessage());
        assertTrue(e.getMessage().contains("epochs"), e.getMessage());
    }

    @Test
    void missingRequiredKeyAndBadTypesAreNamed() {
        var e = assertThrows(UserError.class, () -> Yaml.parse("flow1:\n  schedule: {type: constant, lr: 1}\n", Outer.class, "t.yaml"));
        assertTrue(e.getMessage().contains("epochs"), e.getMessage());
        var e2 = assertThrows(UserError.class, () -> Yaml.parse("flow1:\n  epochs: many\n", Outer.class, "t.yaml"));
        assertTrue(e2.getMessage().contains("flow1.epochs"), e2.getMessage());
        var e3 = assertThrows(UserError.class, () -> Yaml.parse("flow1:\n  epochs: 1\n  schedule: {type: exponential}\n", Outer.class, "t.yaml"));
        assertTrue(e3.getMessage().contains("flow1.schedule") && e3.getMessage().contains("exponential"), e3.getMessage());
        var e4 = assertThrows(UserError.class, () -> Yaml.read(Path.of("/nonexistent/c.yaml"), Outer.class));
        assertEquals("/nonexistent/c.yaml: configuration file not found", e4.getMessage());
    }
}
