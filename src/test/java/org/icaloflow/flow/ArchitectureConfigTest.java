package org.icaloflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.icaloflow.UserError;
import org.icaloflow.flow.io.FlowSpecJson;
import org.icaloflow.nn.OutputInit;
import org.junit.jupiter.api.Test;

/** configs/{ds2,ds3,test}.yaml: the architecture sections bind to FlowSpec with the paper's sizes. */
class ArchitectureConfigTest {
    static {
        FlowTestSupport.singleThreaded();
    }

    static final List<String> FLOWS = List.of("flow1", "flow2_teacher", "flow2_student", "flow3_teacher",
            "flow3_student");

    private static FlowSpec load(String file, String flow) throws Exception {
        JsonNode root = new YAMLMapper().readTree(Path.of("configs", file).toFile());
        return FlowSpecJson.fromTree(root.path("architecture").get(flow), file + ": architecture." + flow);
    }

    private static void check(String file, String flow, FlowKind kind, int dim, int cond, int layers, int width,
            int out) throws Exception {
        FlowSpec s = load(file, flow);
        assertEquals(kind, s.kind(), file + " " + flow);
        assertEquals(dim, s.dim(), file + " " + flow);
        assertEquals(cond, s.conditionDim(), file + " " + flow);
        assertEquals(layers, s.hiddenLayers(), file + " " + flow);
        assertEquals(width, s.hiddenWidth(), file + " " + flow);
        assertEquals(out, s.madeOutputSize(), file + " " + flow);
        if (!file.equals("test.yaml")) {
            assertEquals(8, s.blocks());
        }
        assertEquals(8, s.bins());
    }

    @Test
    void paperArchitectures() throws Exception {
        check("ds2.yaml", "flow1", FlowKind.MAF, 45, 1, 1, 256, 1035);
        check("ds2.yaml", "flow2_teacher", FlowKind.MAF, 144, 2, 2, 256, 3312);
        check("ds2.yaml", "flow2_student", FlowKind.IAF, 144, 2, 2, 256, 3312);
        check("ds2.yaml", "flow3_teacher", FlowKind.MAF, 144, 191, 2, 256, 3312);
        check("ds2.yaml", "flow3_student", FlowKind.IAF, 144, 191, 2, 384, 3312);
        check("ds3.yaml", "flow1", FlowKind.MAF, 45, 1, 1, 256, 1035);
        check("ds3.yaml", "flow2_teacher", FlowKind.MAF, 900, 2, 2, 256, 20700);
        check("ds3.yaml", "flow2_student", FlowKind.IAF, 900, 2, 2, 256, 20700);
        check("ds3.yaml", "flow3_teacher", FlowKind.MAF, 900, 947, 1, 256, 20700);
        check("ds3.yaml", "flow3_student", FlowKind.IAF, 900, 947, 1, 256, 20700);
        for (String f : FLOWS) {
            FlowSpec t = load("test.yaml", f);
            FlowSpec d = load("ds2.yaml", f);
            assertEquals(d.dim(), t.dim());
            assertEquals(d.conditionDim(), t.conditionDim());
            assertEquals(d.kind(), t.kind());
            assertTrue(t.blocks() <= 3 && t.hiddenWidth() <= 64, "test.yaml is tiny");
        }
    }

    @Test
    void madeOutputShapesMatchTheTable() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            for (String[] fc : new String[][] {{"ds2.yaml", "flow1"}, {"ds2.yaml", "flow3_student"},
                    {"ds3.yaml", "flow3_teacher"}}) {
                FlowSpec s = load(fc[0], fc[1]);
                int[] widths = new int[s.hiddenLayers() + 1];
                java.util.Arrays.fill(widths, s.hiddenWidth());
                Made made = new Made(m, s.dim(), s.conditionDim(), widths, s.paramsPerFeature(), DataType.FLOAT32,
                        new Random(1), "x.");
                try (NDManager t = m.newSubManager()) {
                    Shape out = made.forward(t.zeros(new Shape(2, s.dim())), t.zeros(new Shape(2, s.conditionDim())))
                            .getShape();
                    assertEquals(new Shape(2, 23, s.dim()), out, fc[0] + " " + fc[1]);
                    assertEquals(s.madeOutputSize(), out.get(1) * out.get(2));
                }
            }
        }
    }

    @Test
    void badKeysAndValuesAreNamed() throws Exception {
        YAMLMapper y = new YAMLMapper();
        JsonNode typo = y.readTree("kind: MAF\ndim: 4\nconditionDim: 1\nhiddenLayers: 1\nhiddenWidht: 8\n");
        UserError e = assertThrows(UserError.class, () -> FlowSpecJson.fromTree(typo, "x.yaml: architecture.flow1"));
        assertTrue(e.getMessage().contains("'hiddenWidht'"), e.getMessage());
        assertTrue(e.getMessage().contains("x.yaml: architecture.flow1"), e.getMessage());

        JsonNode zero = y.readTree("kind: MAF\ndim: 0\nconditionDim: 1\nhiddenLayers: 1\nhiddenWidth: 8\n");
        UserError z = assertThrows(UserError.class, () -> FlowSpecJson.fromTree(zero, "x.yaml"));
        assertTrue(z.getMessage().contains("'dim'"), z.getMessage());

        JsonNode missing = y.readTree("kind: IAF\ndim: 3\nconditionDim: 1\nhiddenLayers: 1\n");
        UserError mi = assertThrows(UserError.class, () -> FlowSpecJson.fromTree(missing, "x.yaml"));
        assertTrue(mi.getMessage().contains("'hiddenWidth'"), mi.getMessage());

        JsonNode kind = y.readTree("kind: RealNVP\ndim: 3\nconditionDim: 1\nhiddenLayers: 1\nhiddenWidth: 8\n");
        UserError k = assertThrows(UserError.class, () -> FlowSpecJson.fromTree(kind, "x.yaml"));
        assertTrue(k.getMessage().contains("'kind'"), k.getMessage());

        JsonNode type = y.readTree("kind: MAF\ndim: 3.5\nconditionDim: 1\nhiddenLayers: 1\nhiddenWidth: 8\n");
        UserError ty = assertThrows(UserError.class, () -> FlowSpecJson.fromTree(type, "x.yaml"));
        assertTrue(ty.getMessage().contains("'dim'"), ty.getMessage());

        // defaults and round trip through JSON
        JsonNode ok = y.readTree("kind: iaf\ndim: 3\nconditionDim: 1\nhiddenLayers: 1\nhiddenWidth: 8\n");
        FlowSpec s = FlowSpecJson.fromTree(ok, "x.yaml");
        assertEquals(FlowSpec.of(FlowKind.IAF, 3, 1, 1, 8), s);
        assertEquals(s, FlowSpecJson.fromTree(FlowSpecJson.toTree(s), "json"));
        assertEquals(OutputInit.NFLOWS, s.outputInit(), "the authors' initialisation by default");
        assertEquals(Map.of(), Map.of());

        // outputInit: the near-identity start by name, round trip, a bad value named; a trained flow loads whatever
        // the start was (the architecture is the same)
        FlowSpec near = FlowSpecJson.fromTree(y.readTree("kind: MAF\ndim: 3\nconditionDim: 1\nhiddenLayers: 1\nhiddenWidth: 8\noutputInit: nearIdentity\n"), "x.yaml");
        assertEquals(OutputInit.NEAR_IDENTITY, near.outputInit());
        assertEquals("nearIdentity", FlowSpecJson.toTree(near).get("outputInit").asText());
        assertEquals(near, FlowSpecJson.fromTree(FlowSpecJson.toTree(near), "json"));
        assertTrue(near.sameArchitecture(FlowSpec.of(FlowKind.MAF, 3, 1, 1, 8)));
        assertFalse(near.sameArchitecture(FlowSpec.of(FlowKind.MAF, 3, 1, 1, 9)));
        JsonNode badInit = y.readTree("kind: MAF\ndim: 3\nconditionDim: 1\nhiddenLayers: 1\nhiddenWidth: 8\noutputInit: zero\n");
        UserError bi = assertThrows(UserError.class, () -> FlowSpecJson.fromTree(badInit, "x.yaml"));
        assertTrue(bi.getMessage().contains("'outputInit'") && bi.getMessage().contains("x.yaml"), bi.getMessage());
    }
}
