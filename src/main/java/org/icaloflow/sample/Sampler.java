package org.icaloflow.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.flow.Flow;
import org.icaloflow.preprocess.Preprocessing;

import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Inductive generation (paper Sec. III A) of a batch of showers:
 * <ol>
 *   <li>Flow-1: proxy layer energies y_i (logit space, Eq. A2-A3) given E_inc (A1);</li>
 *   <li>Flow-2: layer 1's normalised voxels (logit space) given [E_inc, y_1/4] (A5);</li>
 *   <li>Flow-3, for i = 2..L: layer i given [E_inc, y_i, y_i-1, layer i-1 as Flow-2/3 produced it,
 *       one-hot(i) over L-1] — the layout of {@code Preprocessing.Encoded.flow3Condition};</li>
 *   <li>postprocessing (Eq. 2, {@link Preprocessing#decodeLayer}): inverse logit, times the proxy layer
 *       energy, voxels below the threshold set to zero, optionally renormalised.</li>
 * </ol>
 * Base samples come from {@link BaseNoise}, so a shower depends only on (seed, its index). All arrays of a
 * batch live on one sub-manager of {@code root}, each layer's temporaries on a sub-manager of that one, so
 * memory is bounded by the batch. The device is {@code root}'s (DJL's default unless the caller chose).
 * Not thread-safe.
 */
public final class Sampler {

    /** Called after each layer is generated and decoded; return false to stop the batch early (benchmarks). */
    public interface LayerMonitor {
        boolean afterLayer(int layer);
    }

    /**
     * @param seed         seed of the base samples
     * @param thresholdMeV voxels below this energy become zero (the evaluator's readout threshold by default)
     * @param renormalise  force each layer's voxels to sum to the proxy layer energy (off in iCaloFlow)
     */
    public record Options(long seed, double thresholdMeV, boolean renormalise) {
        public static Options defaults(long seed) {
            return new Options(seed, Preprocessing.THRESHOLD_MEV, false);
        }
    }

    /**
     * A generated batch.
     *
     * @param showers   incident energies and voxel energies (MeV)
     * @param proxyMeV  Flow-1's decoded layer energies Ẽ_i, (rows x layers)
     * @param layers    layers generated (all of them unless a monitor stopped the batch)
     * @param nonFinite non-finite flow outputs replaced (energies: by zero)
     */
    public record Result(ShowerBatch showers, float[] proxyMeV, int layers, long nonFinite) {
    }

    /** Below this batch size the Java loops (noise, postprocessing) stay on the calling thread. */
    private static final int PARALLEL_ROWS = 64;

    private final Geometry g;
    private final SampleModels models;
    private final Options options;
    private final NDManager root;
    private final int layers;
    private final int vpl;

    public Sampler(SampleModels models, NDManager root, Options options) {
        this.g = models.geometry();
        this.models = models;
        this.options = options;
        this.root = root;
        this.layers = g.layers();
        this.vpl = g.voxelsPerLayer();
        models.setEvalMode();
    }

    public Options options() {
        return options;
    }

    /** Showers {@code firstIndex .. firstIndex + n - 1} of the run, for these incident energies. */
    public Result generate(double[] incidentMeV, long firstIndex) {
        return generate(incidentMeV, firstIndex, null);
    }

    public Result generate(double[] incidentMeV, long firstIndex, LayerMonitor monitor) {
        int n = incidentMeV.length;
        int voxels = g.voxels();
        float[] showers = new float[n * voxels];
        float[] cInc = new float[n];
        for (int i = 0; i < n; i++) cInc[i] = (float) Preprocessing.incidentCondition(incidentMeV[i]);
        AtomicLong bad = new AtomicLong();
        int done = 0;
        try (NDManager batch = root.newSubManager()) {
            // Flow-1: y (n x L) in logit space
            float[] y;
            try (NDManager m = batch.newSubManager()) {
                Flow f1 = models.flow1();
                NDArray z = noise(m, f1, n, firstIndex, BaseNoise.FLOW1, layers);
                NDArray c = create(m, cInc, new Shape(n, 1), f1.dataType());
                y = floats(f1.sampleFrom(z, c));
            }
            float[] proxy = new float[n * layers];
            double floor = Preprocessing.logit(0);
            for (int k = 0; k < y.length; k++) {
                if (!Float.isFinite(y[k])) {
                    bad.incrementAndGet();
                    y[k] = (float) floor; // a zero layer energy
                }
                proxy[k] = (float) Preprocessing.layerEnergyFromTarget(y[k]);
            }
            // Flow-2: layer 1
            NDArray prev;
            try (NDManager m = batch.newSubManager()) {
                Flow f2 = models.flow2();
                float[] c = new float[2 * n];
                for (int i = 0; i < n; i++) {
                    c[2 * i] = cInc[i];
                    c[2 * i + 1] = (float) (y[i * layers] / Preprocessing.FLOW2_LAYER_DIVISOR);
                }
                NDArray z = noise(m, f2, n, firstIndex, 0, vpl);
                prev = f2.sampleFrom(z, create(m, c, new Shape(n, 2), f2.dataType()));
                prev.attach(batch);
            }
            decode(prev, 0, n, proxy, showers, bad);
            done = 1;
            if (monitor == null || monitor.afterLayer(0)) {
                Flow f3 = models.flow3();
                int width = 3 + (layers - 1);
                float[] side = new float[n * width];
                for (int l = 1; l < layers; l++) {
                    NDArray next;
                    try (NDManager m = batch.newSubManager()) {
                        // [E_inc, y_l, y_l-1] and one-hot(l) are built here; layer l-1 never leaves the device
                        java.util.Arrays.fill(side, 0f);
                        for (int i = 0; i < n; i++) {
                            int o = i * width;
                            side[o] = cInc[i];
                            side[o + 1] = y[i * layers + l];
                            side[o + 2] = y[i * layers + l - 1];
                            side[o + 3 + (l - 1)] = 1f;
                        }
                        NDArray s = create(m, side, new Shape(n, width), f3.dataType());
                        NDArray p = prev;
                        if (prev.getDataType() != f3.dataType()) {
                            p = prev.toType(f3.dataType(), false);
                            p.attach(m);
                        }
                        NDArray cond = NDArrays.concat(new NDList(s.get(":, 0:3"), p, s.get(":, 3:")), 1);
                        NDArray z = noise(m, f3, n, firstIndex, l, vpl);
                        next = f3.sampleFrom(z, cond);
                        next.attach(batch);
                    }
                    prev.close();
                    prev = next;
                    decode(prev, l, n, proxy, showers, bad);
                    done = l + 1;
                    if (monitor != null && !monitor.afterLayer(l)) break;
                }
            }
            return new Result(new ShowerBatch(incidentMeV.clone(), showers, voxels), proxy, done, bad.get());
        }
    }

    /** Eq. 2 for layer l of every row: flow output (logit space) to MeV, thresholded. */
    private void decode(NDArray logits, int l, int n, float[] proxy, float[] showers, AtomicLong bad) {
        float[] x = floats(logits);
        int voxels = g.voxels();
        rows(n).forEach(i -> {
            int from = i * vpl;
            for (int v = from; v < from + vpl; v++) {
                if (Float.isNaN(x[v])) {
                    bad.incrementAndGet();
                    x[v] = Float.NEGATIVE_INFINITY; // zero energy
                }
            }
            Preprocessing.decodeLayer(x, from, vpl, proxy[i * layers + l], options.thresholdMeV(),
                    options.renormalise(), showers, i * voxels + l * vpl);
        });
    }

    private NDArray noise(NDManager m, Flow f, int n, long firstIndex, int stream, int dim) {
        long seed = options.seed();
        if (f.dataType() == DataType.FLOAT64) {
            double[] z = new double[n * dim];
            rows(n).forEach(i -> BaseNoise.fill(seed, firstIndex + i, stream, z, i * dim, dim));
            return m.create(z, new Shape(n, dim));
        }
        float[] z = new float[n * dim];
        rows(n).forEach(i -> BaseNoise.fill(seed, firstIndex + i, stream, z, i * dim, dim));
        return m.create(z, new Shape(n, dim));
    }

    private static IntStream rows(int n) {
        IntStream s = IntStream.range(0, n);
        return n >= PARALLEL_ROWS ? s.parallel() : s;
    }

    private static NDArray create(NDManager m, float[] data, Shape shape, DataType type) {
        NDArray a = m.create(data, shape);
        return type == DataType.FLOAT32 ? a : a.toType(type, false);
    }

    private static float[] floats(NDArray a) {
        return a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : a.toType(DataType.FLOAT32, false).toFloatArray();
    }
}
