package org.icaloflow.flow;

import org.icaloflow.nn.Adam;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class FlowResourceTest {
    static {
        FlowTestSupport.singleThreaded();
    }

    private static void step(Flow flow, Adam adam, NDManager root, boolean sample) {
        try (NDManager s = root.newSubManager()) {
            NDArray x = s.randomNormal(new Shape(32, 3));
            NDArray c = s.randomUniform(-1, 1, new Shape(32, 1));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = flow.logProb(x, c).mean().neg();
                gc.backward(loss);
            }
            adam.step();
            if (sample) {
                flow.sample(s, 8, c.get("0:8"));
            }
        }
    }

    @Test
    void noArraysLeakAcrossTrainingSteps() {
        for (FlowKind kind : FlowKind.values()) {
            try (NDManager root = NDManager.newBaseManager()) {
                FlowSpec spec = new FlowSpec(kind, 3, 1, 1, 8, 2, 8, 14, 1, 1e-6, 1e-6, 1e-6);
                Flow flow = Flow.create(spec, root);
                Adam adam = new Adam(flow.parameters(), 1e-3, flow::markParametersChanged);
                step(flow, adam, root, true);
                int after1 = root.getManagedArrays().size();
                float[] w0 = flow.parameters().get(0).toFloatArray();
                for (int i = 0; i < 30; i++) {
                    step(flow, adam, root, i % 10 == 0);
                }
                assertEquals(after1, root.getManagedArrays().size(), kind + ": managed arrays stay flat");
                float[] w1 = flow.parameters().get(0).toFloatArray();
                double diff = 0;
                for (int i = 0; i < w0.length; i++) {
                    diff = Math.max(diff, Math.abs(w0[i] - w1[i]));
                }
                assertTrue(diff > 0, "Adam changed the parameters");
                // eval mode: the cache is rebuilt after steps, not accumulated
                flow.setEvalMode(true);
                try (NDManager s = root.newSubManager()) {
                    flow.sample(s, 4, s.zeros(new Shape(4, 1), DataType.FLOAT32));
                }
                int evalCount = root.getManagedArrays().size();
                for (int i = 0; i < 3; i++) {
                    flow.markParametersChanged();
                    try (NDManager s = root.newSubManager()) {
                        flow.sample(s, 4, s.zeros(new Shape(4, 1), DataType.FLOAT32));
                    }
                }
                assertEquals(evalCount, root.getManagedArrays().size(), kind + ": eval cache stays flat");
                // the count sees arrays on the flow's own (sub-)manager, so a leak there would show
                NDArray leak = flow.manager().zeros(new Shape(1));
                assertEquals(evalCount + 1, root.getManagedArrays().size(), "leak detector works");
                leak.close();
                adam.close();
                flow.close();
            }
        }
    }
}
