package org.icaloflow.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.icaloflow.EngineThreads;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.nn.Adam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Speed of the flow core with the DS2 Flow-3 architectures (144 dims, condition 191, 8 blocks, 8 bins):
 * a training step of the teacher MAF (log-prob, backward, Adam), and sampling from the teacher (MAF, 144
 * sequential MADE passes per block) and the student (IAF 2×384, one pass per block), through the sampling path
 * {@code icaloflow sample} uses ({@link Flow#sampleFrom}, eval mode). Counterpart: bench/pytorch_flow_bench.py;
 * figures in docs/flow.md.
 */
@Command(name = "flow", mixinStandardHelpOptions = true,
        description = {"Benchmark the flow core: DS2 Flow-3 teacher training step and teacher/student sampling.",
                "Sampling runs the path `icaloflow sample` uses (eval mode, no trace, no log-dets), after a 2 s warm-up.",
                "PyTorch-eager counterpart: bench/pytorch_flow_bench.py; figures: docs/flow.md."})
public final class BenchFlowCommand implements Runnable {
    @Option(names = "--steps", description = "timed training steps (after one warm-up step); default ${DEFAULT-VALUE}")
    int steps = 5;

    @Option(names = "--batch", description = "training batch size; default ${DEFAULT-VALUE}")
    int batch = 1000;

    @Option(names = "--batch-sizes", split = ",",
            description = "sampling batch sizes (comma-separated); default ${DEFAULT-VALUE}")
    List<Integer> batchSizes = List.of(1, 100, 1000);

    @Option(names = "--sample-repeats", description = "timed sampling calls per batch size; default ${DEFAULT-VALUE}")
    int sampleRepeats = 1;

    @Option(names = "--threads", description = "PyTorch intra-op threads (0: engine default); default ${DEFAULT-VALUE}")
    int threads = 0;

    @Option(names = "--skip-teacher-sampling", description = "skip the (slow) MAF sampling")
    boolean skipTeacherSampling;

    static final FlowSpec TEACHER = new FlowSpec(FlowKind.MAF, 144, 191, 2, 256, 8, 8, 14, 204, 1e-6, 1e-6, 1e-6);
    static final FlowSpec STUDENT = new FlowSpec(FlowKind.IAF, 144, 191, 2, 384, 8, 8, 14, 205, 1e-6, 1e-6, 1e-6);

    @Override
    public void run() {
        EngineThreads.set(threads);
        Engine engine = Engine.getInstance();
        engine.setRandomSeed(1);
        try (NDManager root = NDManager.newBaseManager()) {
            System.out.printf("engine %s %s, device %s, threads %s%n", engine.getEngineName(), engine.getVersion(),
                    root.getDevice(), threads > 0 ? Integer.toString(threads) : "default");
            try (Flow teacher = Flow.create(TEACHER, root); Flow student = Flow.create(STUDENT, root)) {
                System.out.printf("teacher MAF 144|191, 8 blocks, 2x256: %,d parameters%n", teacher.parameterCount());
                System.out.printf("student IAF 144|191, 8 blocks, 2x384: %,d parameters%n", student.parameterCount());
                train(teacher, root);
                teacher.setEvalMode(true);
                student.setEvalMode(true);
                for (int b : batchSizes) {
                    if (!skipTeacherSampling) {
                        sample("teacher MAF", teacher, root, b);
                    }
                    sample("student IAF", student, root, b);
                }
            }
        }
    }

    private void train(Flow flow, NDManager root) {
        try (Adam adam = new Adam(flow.parameters(), 1e-4, flow::markParametersChanged)) {
            double total = 0;
            double fwd = 0;
            double bwd = 0;
            double opt = 0;
            for (int i = 0; i <= steps; i++) {
                try (NDManager s = root.newSubManager()) {
                    NDArray x = s.randomNormal(new Shape(batch, 144));
                    NDArray c = s.randomNormal(new Shape(batch, 191));
                    x.toFloatArray(); // materialise inputs before timing
                    long t0 = System.nanoTime();
                    float loss;
                    long t1;
                    long t2;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray l = flow.logProb(x, c).mean().neg();
                        loss = l.getFloat();
                        t1 = System.nanoTime();
                        gc.backward(l);
                        flow.parameters().get(0).getGradient().get(0, 0).getFloat();
                        t2 = System.nanoTime();
                    }
                    adam.step();
                    flow.parameters().get(0).get(0, 0).getFloat(); // sync
                    long t3 = System.nanoTime();
                    double ms = (t3 - t0) / 1e6;
                    fwd += (t1 - t0) / 1e6;
                    bwd += (t2 - t1) / 1e6;
                    opt += (t3 - t2) / 1e6;
                    if (i > 0) {
                        total += ms;
                    }
                    if (i == 0) {
                        System.out.printf("training warm-up step: %.1f ms (loss %.3f)%n", ms, loss);
                        fwd = 0;
                        bwd = 0;
                        opt = 0;
                    }
                }
            }
            System.out.printf("training step (log-prob + backward + Adam), batch %d: %.1f ms/step over %d steps%n",
                    batch, total / Math.max(1, steps), steps);
            int n = Math.max(1, steps);
            System.out.printf("  of which log-prob %.1f ms, backward %.1f ms, Adam %.1f ms%n", fwd / n, bwd / n,
                    opt / n);
        }
    }

    private void sample(String name, Flow flow, NDManager root, int b) {
        // warm-up with batch 1 for at least 2 s (cached weights, allocator, and the JIT: a single call leaves the
        // Java side of the per-op path interpreted, which doubled the batch-1 figure)
        long warm = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - warm < 2_000_000_000L; i++) {
            try (NDManager s = root.newSubManager()) {
                flow.sampleFrom(s.randomNormal(new Shape(1, flow.spec().dim())), s.randomNormal(new Shape(1, 191)))
                        .toFloatArray();
            }
        }
        double total = 0;
        for (int r = 0; r < sampleRepeats; r++) {
            try (NDManager s = root.newSubManager()) {
                NDArray c = s.randomNormal(new Shape(b, 191));
                c.toFloatArray();
                long t0 = System.nanoTime();
                // what `icaloflow sample` runs: z ~ N(0, 1), then z -> x without trace or log-dets
                flow.sampleFrom(s.randomNormal(new Shape(b, flow.spec().dim())), c).toFloatArray();
                total += (System.nanoTime() - t0) / 1e6;
            }
        }
        double ms = total / sampleRepeats;
        System.out.printf("sampling %s, batch %5d: %10.1f ms per layer-batch, %9.3f ms per sample%n", name, b, ms,
                ms / b);
    }
}
