package org.icaloflow.flow.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.icaloflow.UserError;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.nn.OutputInit;
import org.junit.jupiter.api.Test;

class FlowSpecJsonTest {
    /** FlowSpec.differences writes the values as their JSON trees do (the checkpoint error's wording). */
    @Test
    void differencesReadAsTheJsonValues() {
        FlowSpec a = new FlowSpec(FlowKind.MAF, 144, 191, 2, 256, 8, 8, 14, 204, 1e-6, 1e-6, 1e-6);
        FlowSpec b = new FlowSpec(FlowKind.IAF, 45, 191, 1, 384, 6, 10, 5.5, 3, 1e-3, 2e-6, 0.25, OutputInit.NEAR_IDENTITY);
        ObjectNode ta = FlowSpecJson.toTree(a);
        ObjectNode tb = FlowSpecJson.toTree(b);
        List<String> expected = new ArrayList<>();
        for (String key : FlowSpec.KEYS) {
            if (!key.equals("outputInit") && !ta.get(key).equals(tb.get(key))) {
                expected.add(key + ": " + ta.get(key) + " vs " + tb.get(key));
            }
        }
        assertEquals(11, expected.size(), "conditionDim alone is equal");
        assertEquals(expected, a.differences(b));
        assertEquals(List.of(), a.differences(a.withOutputInit(OutputInit.NEAR_IDENTITY)));
    }

    /** The spec itself throws an IllegalArgumentException naming the key; a tree's binding makes it a UserError. */
    @Test
    void invalidValuesNameTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlowSpec.of(FlowKind.MAF, 3, 1, 1, 0));
        assertEquals("flow architecture key 'hiddenWidth' must be >= 1, got 0", e.getMessage());
        ObjectNode tree = FlowSpecJson.toTree(FlowSpec.of(FlowKind.MAF, 3, 1, 1, 8)).put("bins", 1);
        UserError u = assertThrows(UserError.class, () -> FlowSpecJson.fromTree(tree, "x.json: spec"));
        assertEquals("x.json: spec: flow architecture key 'bins' must be >= 2, got 1", u.getMessage());
        assertTrue(!(u.getMessage().contains("Cannot construct")));
    }
}
