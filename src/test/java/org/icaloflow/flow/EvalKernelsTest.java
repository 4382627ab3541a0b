package org.icaloflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.icaloflow.flow.cpu.CpuKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The switch between the CPU's eval-mode kernels and the device-generic tensor path (docs/gpu.md): that
 * {@code tensor} really leaves the kernels out of every pass (a counting stand-in for the CPU kernels sees no call),
 * that {@code auto} takes them where they handle the device, and that both paths give the same values to float
 * tolerance on the same flow and inputs, sampling in chunks (the CPU kernels) and in one batch (tensor).
 */
class EvalKernelsTest {
    static {
        FlowTestSupport.singleThreaded();
    }

    /** The CPU kernels, counting their calls; sampling chunks of {@code chunkRows} rows. */
    static final class Counting implements EvalKernels {
        final EvalKernels cpu = new CpuKernels();
        final long chunkRows;
        final AtomicInteger sequential = new AtomicInteger();
        final AtomicInteger splineInverse = new AtomicInteger();
        final AtomicInteger chunkQuestions = new AtomicInteger();

        Counting(long chunkRows) {
            this.chunkRows = chunkRows;
        }

        @Override
        public boolean handles(Device device) {
            return cpu.handles(device);
        }

        @Override
        public Transform.Result sequential(RationalQuadraticSpline spline, NDArray known, boolean inverse,
                boolean withTrace, FeatureParams made, MadeOnHost.Source onHost, NDArray conditionTerm) {
            sequential.incrementAndGet();
            return cpu.sequential(spline, known, inverse, withTrace, made, onHost, conditionTerm);
        }

        @Override
        public NDArray splineInverse(RationalQuadraticSpline spline, NDArray y, NDArray params) {
            splineInverse.incrementAndGet();
            return cpu.splineInverse(spline, y, params);
        }

        @Override
        public long sampleChunkRows(long madeOutputsPerRow) {
            chunkQuestions.incrementAndGet();
            return chunkRows;
        }

        int calls() {
            return sequential.get() + splineInverse.get() + chunkQuestions.get();
        }
    }

    @Test
    void choicesParseAndBadValuesAreNamed() {
        assertEquals(EvalKernels.Choice.AUTO, EvalKernels.Choice.parse(null, "x"));
        assertEquals(EvalKernels.Choice.AUTO, EvalKernels.Choice.parse(" ", "x"));
        assertEquals(EvalKernels.Choice.AUTO, EvalKernels.Choice.parse("Auto", "x"));
        assertEquals(EvalKernels.Choice.TENSOR, EvalKernels.Choice.parse(" tensor ", "x"));
        var e = assertThrows(IllegalArgumentException.class, () -> EvalKernels.Choice.parse("cuda", "ICALOFLOW_KERNELS"));
        assertEquals("ICALOFLOW_KERNELS must be auto or tensor, got 'cuda'", e.getMessage());
        assertEquals("tensor", EvalKernels.Choice.TENSOR.key());
    }

    @Test
    void selectChoosesWhatTheFlowsAskForAndRestoresThePreviousChoice() {
        Device cpu = Device.cpu();
        assertTrue(EvalKernels.installed() instanceof CpuKernels, "the CPU kernels are registered");
        try (EvalKernels.Selection a = EvalKernels.select(EvalKernels.Choice.AUTO)) {
            assertSame(EvalKernels.installed(), EvalKernels.forDevice(cpu), "auto: the CPU's kernels on the CPU");
            assertNull(EvalKernels.forDevice(Device.gpu()), "auto: none on a CUDA device (not handled)");
            try (EvalKernels.Selection t = EvalKernels.select(EvalKernels.Choice.TENSOR)) {
                assertEquals(EvalKernels.Choice.TENSOR, EvalKernels.choice());
                assertNull(EvalKernels.forDevice(cpu), "tensor: none on the CPU either");
            }
            assertEquals(EvalKernels.Choice.AUTO, EvalKernels.choice(), "restored");
            assertNotNull(EvalKernels.forDevice(cpu));
        }
    }

    private static FlowSpec spec(FlowKind kind, int dim, int blocks) {
        return new FlowSpec(kind, dim, 2, 1, 12, blocks, 8, 6.0, 31, 1e-6, 1e-6, 1e-6);
    }

    /** sampleFrom, inverse (x and log p) and forward (log p) in eval mode, on the current path. */
    private static NDArray[] evalPasses(Flow flow, NDArray z, NDArray c) {
        flow.setEvalMode(true);
        try {
            Trace back = flow.inverse(z, c);
            return new NDArray[] {flow.sampleFrom(z, c), back.x(), back.logProb(), flow.forward(back.x(), c).logProb()};
        } finally {
            flow.setEvalMode(false);
        }
    }

    /**
     * With the counting stand-in: auto calls it exactly where the device code branches (sequential direction,
     * IAF spline inverse per chunk, the chunk size), tensor never, training mode never; the values agree.
     */
    @ParameterizedTest
    @CsvSource({"MAF", "IAF"})
    void tensorLeavesTheKernelsOutOfEveryPass(FlowKind kind) {
        int d = 4, n = 20, blocks = 2;
        Counting counting = new Counting(7);   // 20 rows: chunks of 7, 7 and 6
        try (NDManager m = NDManager.newBaseManager();
                Flow flow = Flow.create(spec(kind, d, blocks), m, DataType.FLOAT64);
                EvalKernels.Selection standIn = KernelSelection.standIn(counting)) {
            FlowTestSupport.randomize(flow, 5, 0.4);
            Random rng = new Random(6);
            NDArray z = m.create(FlowTestSupport.gaussian(rng, n * d, 1.2), new Shape(n, d));
            NDArray c = m.create(FlowTestSupport.gaussian(rng, n * 2, 1), new Shape(n, 2));
            NDArray[] auto;
            try (EvalKernels.Selection s = EvalKernels.select(EvalKernels.Choice.AUTO)) {
                auto = evalPasses(flow, z, c);
            }
            assertEquals(1, counting.chunkQuestions.get(), "sampleFrom asks for its chunk size");
            if (kind == FlowKind.MAF) {
                // sampleFrom: 3 chunks x 2 blocks; inverse: 2 blocks; forward is one pass
                assertEquals(3 * blocks + blocks, counting.sequential.get(), "MAF: sequential direction on the kernels");
                assertEquals(0, counting.splineInverse.get());
            } else {
                // sampleFrom: 3 chunks x 2 blocks of spline inverse; forward: 2 sequential blocks
                assertEquals(3 * blocks, counting.splineInverse.get(), "IAF: sampling spline inverse on the kernels");
                assertEquals(blocks, counting.sequential.get(), "IAF density: sequential direction on the kernels");
            }
            int before = counting.calls();
            NDArray[] tensor;
            try (EvalKernels.Selection s = EvalKernels.select(EvalKernels.Choice.TENSOR)) {
                tensor = evalPasses(flow, z, c);
            }
            assertEquals(before, counting.calls(), "tensor: no kernel call, no chunks");
            // training mode takes the tensor path on every device
            try (EvalKernels.Selection s = EvalKernels.select(EvalKernels.Choice.AUTO)) {
                Trace back = flow.inverse(z, c);
                flow.forward(back.x(), c);
                assertEquals(before, counting.calls(), "training mode: no kernel call");
            }
            for (int i = 0; i < auto.length; i++) {
                assertTrue(FlowTestSupport.maxAbsDiff(auto[i], tensor[i]) < 1e-9, kind + " value " + i);
            }
        }
    }

    /**
     * The two paths on the same flow and inputs: the same values to float tolerance (float64: rounding; float32:
     * the CPU kernels work in double, the tensor path in float; measured 4e-6 in x and 2e-5 in log p). Chunked
     * against unchunked sampling: {@link #tensorLeavesTheKernelsOutOfEveryPass}.
     */
    @ParameterizedTest
    @CsvSource({"MAF, FLOAT64, 1e-9, 1e-8", "IAF, FLOAT64, 1e-9, 1e-8", "MAF, FLOAT32, 1e-3, 1e-2", "IAF, FLOAT32, 1e-3, 1e-2"})
    void bothPathsAgreeOnTheSameFlowAndInputs(FlowKind kind, DataType type, double xTolerance, double logPTolerance) {
        int d = 24, blocks = 2, n = 600;
        try (NDManager m = NDManager.newBaseManager(); Flow flow = Flow.create(spec(kind, d, blocks), m, type)) {
            FlowTestSupport.randomize(flow, 9, 0.1);
            Random rng = new Random(10);
            NDArray z = m.create(FlowTestSupport.gaussian(rng, n * d, 1.0), new Shape(n, d)).toType(type, false);
            NDArray c = m.create(FlowTestSupport.gaussian(rng, n * 2, 1), new Shape(n, 2)).toType(type, false);
            NDArray[] auto;
            NDArray[] tensor;
            try (EvalKernels.Selection s = EvalKernels.select(EvalKernels.Choice.AUTO)) {
                auto = evalPasses(flow, z, c);
            }
            try (EvalKernels.Selection s = EvalKernels.select(EvalKernels.Choice.TENSOR)) {
                tensor = evalPasses(flow, z, c);
            }
            assertTrue(FlowTestSupport.maxAbsDiff(auto[1], z) > 0.05, "a non-trivial flow");
            String[] what = {"sampleFrom", "inverse x", "inverse log p", "forward log p"};
            for (int i = 0; i < auto.length; i++) {
                double diff = FlowTestSupport.maxAbsDiff(auto[i], tensor[i]);
                double tolerance = i < 2 ? xTolerance : logPTolerance;
                assertTrue(diff < tolerance, kind + " " + type + " " + what[i] + ": paths differ by " + diff);
            }
        }
    }
}
