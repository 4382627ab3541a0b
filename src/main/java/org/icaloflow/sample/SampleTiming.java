package org.icaloflow.sample;

import org.icaloflow.data.IncidentEnergies;

import java.util.function.Consumer;

/**
 * Time per shower of full inductive generation (Flow-1, Flow-2, L-1 Flow-3 layers, postprocessing and the feedback
 * of each layer to the next, all in {@link Sampler#generate}; no file writing), as the paper's Table V. One point = one batch size: warm-up batches for 2 s (each stopped after
 * the first Flow-3 layer), then timed batches until {@code repeats} runs and {@code minSeconds} are both
 * reached. A run that passes {@code maxSeconds} is stopped after the current layer and its full time
 * extrapolated from the Flow-3 layers done (every Flow-3 layer costs the same: one flow, same shapes).
 */
public final class SampleTiming {

    /**
     * @param batch        batch size
     * @param msPerShower  mean time per shower (ms), measured or estimated
     * @param runs         timed batches
     * @param estimated    true if the (only) run was stopped early and extrapolated
     * @param flow3Layers  Flow-3 layers timed in the last run (L-1 when complete)
     * @param msFlow12     mean time per batch of Flow-1 + Flow-2 + layer-1 postprocessing (ms)
     * @param msPerFlow3   mean time per batch of one Flow-3 layer with its postprocessing (ms)
     */
    public record Point(int batch, double msPerShower, int runs, boolean estimated, int flow3Layers,
                        double msFlow12, double msPerFlow3) {
    }

    /** Limits of one point. */
    public record Budget(int repeats, double minSeconds, double maxSeconds) {
        public Budget {
            if (repeats < 1) throw new IllegalArgumentException("repeats must be >= 1");
        }
    }

    private final Sampler sampler;
    private final int layers;

    public SampleTiming(Sampler sampler, int layers) {
        this.sampler = sampler;
        this.layers = layers;
    }

    /** Times one batch size; {@code log} receives progress lines. */
    public Point time(int batch, Budget budget, long seed, Consumer<String> log) {
        double[] e = IncidentEnergies.logUniform(batch, seed);
        // warm-up for at least 2 s: kernels, eval-mode weight caches, allocator at this size, and the JIT (one
        // call leaves the Java side of the per-op path interpreted: batch-1 figures came out up to 2x too high)
        double[] warm = java.util.Arrays.copyOf(e, Math.min(batch, 100));
        long warmStart = System.nanoTime();
        do {
            sampler.generate(warm, 0, layer -> layer < 1);
        } while (System.nanoTime() - warmStart < 2_000_000_000L);
        int runs = 0;
        double totalMs = 0, flow12 = 0, flow3 = 0;
        int flow3Layers = 0;
        boolean estimated = false;
        long start = System.nanoTime();
        while (true) {
            long[] marks = new long[layers];
            long t0 = System.nanoTime();
            long capAt = budget.maxSeconds() > 0 ? t0 + (long) (budget.maxSeconds() * 1e9) : Long.MAX_VALUE;
            Sampler.Result r = sampler.generate(e, 0, layer -> {
                marks[layer] = System.nanoTime();
                return layer < 1 || marks[layer] < capAt;
            });
            int done = r.layers();
            double ms12 = (marks[0] - t0) / 1e6;
            double ms3 = (marks[done - 1] - marks[0]) / 1e6 / (done - 1);
            double ms = ms12 + ms3 * (layers - 1);
            runs++;
            totalMs += ms;
            flow12 += ms12;
            flow3 += ms3;
            flow3Layers = done - 1;
            if (done < layers) {
                estimated = true;
                log.accept(String.format(java.util.Locale.ROOT,
                        "  batch %d: stopped after %d of %d Flow-3 layers (--max-seconds-per-point), estimate %.4g ms per shower",
                        batch, done - 1, layers - 1, ms / batch));
                break;
            }
            double spent = (System.nanoTime() - start) / 1e9;
            boolean enough = runs >= budget.repeats() && spent >= budget.minSeconds();
            boolean capped = budget.maxSeconds() > 0 && spent >= budget.maxSeconds();
            if (enough || capped) break;
        }
        return new Point(batch, totalMs / runs / batch, runs, estimated, flow3Layers, flow12 / runs, flow3 / runs);
    }
}
