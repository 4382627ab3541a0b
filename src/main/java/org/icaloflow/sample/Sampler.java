package org.icaloflow.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.calodream.EnergySampler;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.flow.Flow;
import org.icaloflow.preprocess.ShowerEncoding;

import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Inductive generation (paper Sec. III A) of a batch of showers, step by step as the authors' {@code run.py}
 * ({@code generate_flow_1/2/3}) does it:
 * <ol>
 *   <li>Flow-1 given E_inc (A1) gives y_i; the proxy layer energies are Ẽ_i = clamp(inverse logit(y_i), 0, 1) x 65 GeV,
 *       below the threshold set to zero ({@link ShowerEncoding#proxyLayerEnergy}). Wherever a layer energy conditions
 *       a flow it is this Ẽ_i re-encoded, logit(Ẽ_i / 65 GeV) without noise ({@link ShowerEncoding#layerEnergyCondition}).
 *       With CaloDREAM's energy network in Flow-1's place ({@link SampleModels#flow1Cfm}) Ẽ_i are its layer energies
 *       (u-ratios sampled with RK4, Eq. 2 of the CaloDREAM paper inverted), clamped to [0, 65 GeV] and thresholded the
 *       same way;</li>
 *   <li>Flow-2 gives layer 1 given [E_inc, logit(Ẽ_1 / 65 GeV) / 4] (A5);</li>
 *   <li>Flow-3, for i = 2..L, gives layer i given [E_inc, logit(Ẽ_i/65 GeV), logit(Ẽ_i-1/65 GeV), layer i-1
 *       re-encoded, one-hot(i) over L-1] — the layout of {@code ShowerEncoding.Encoded.flow3Condition}. Layer i-1
 *       is fed back as training showed it (Eq. A4, {@link ShowerEncoding#encodeLayerCondition}): its postprocessed
 *       MeV values plus fresh U[0, 5 keV] noise per voxel ({@link BaseNoise#feedback}), divided by that noisy sum,
 *       logit;</li>
 *   <li>postprocessing of every layer (Eq. 2, {@link ShowerEncoding#decodeGeneratedLayer}): inverse logit clamped
 *       to [0, 1], times Ẽ_i, voxels below the threshold set to zero, optionally renormalised. The one threshold
 *       ({@link Options#thresholdMeV}) applies to Ẽ_i, to the output and so to the fed-back layer, as the
 *       authors' single {@code --threshold_cut}.</li>
 * </ol>
 * Every random draw comes from {@link BaseNoise}, so a shower depends only on (seed, its index). All arrays of a
 * batch live on one sub-manager of {@code root}, each layer's (condition, base sample, the flow's whole trace) on a
 * sub-manager closed after the layer; the previous layer is carried in MeV on the host, where it is decoded anyway
 * for the output, and its condition uploaded with the rest of Flow-3's condition, one array per layer. The device
 * is {@code root}'s (DJL's default unless the caller chose). Not thread-safe.
 */
public final class Sampler {

    /** Called after each layer is generated and decoded; return false to stop the batch early (benchmarks). */
    public interface LayerMonitor {
        boolean afterLayer(int layer);
    }

    /**
     * @param seed         seed of the base samples
     * @param thresholdMeV voxels and proxy layer energies below this become zero, in the output and so in the layer fed
     *                     back to Flow-3 (the evaluator's readout threshold by default; the authors' code: 0.015 MeV)
     * @param renormalise  force each layer's voxels to sum to the proxy layer energy (off in iCaloFlow)
     */
    public record Options(long seed, double thresholdMeV, boolean renormalise) {
        public static Options defaults(long seed) {
            return new Options(seed, ShowerEncoding.THRESHOLD_MEV, false);
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
        double thr = options.thresholdMeV();
        float[] showers = new float[n * voxels];
        double[] cInc = new double[n];
        for (int i = 0; i < n; i++) cInc[i] = ShowerEncoding.incidentCondition(incidentMeV[i]);
        AtomicLong bad = new AtomicLong();
        int done = 0;
        try (NDManager batch = root.newSubManager()) {
            // Flow-1: Ẽ (n x L) in MeV, and the same re-encoded as the later flows' conditions
            double[] proxy = new double[n * layers];
            double[] cE = new double[n * layers];
            if (models.flow1Cfm() != null) {
                // CaloDREAM's energy network in Flow-1's place: E_i from its u-ratios, clamped to [0, 65 GeV] as
                // Flow-1's decoded energies are, below the threshold set to zero, then encoded as Flow-1's
                SampleModels.Flow1Cfm cfm = models.flow1Cfm();
                double[] e = EnergySampler.sampleLayerEnergies(cfm.network(), incidentMeV, BaseNoise.cfmFlow1(options.seed(), firstIndex),
                        cfm.steps(), Math.max(1, n));
                for (int k = 0; k < e.length; k++) {
                    if (Double.isFinite(e[k])) {
                        double c = Math.min(ShowerEncoding.LAYER_SCALE_MEV, Math.max(0, e[k]));
                        proxy[k] = c < thr ? 0 : c;
                    } else {
                        bad.incrementAndGet();
                    }
                    cE[k] = ShowerEncoding.layerEnergyCondition(proxy[k]);
                }
            } else try (NDManager m = batch.newSubManager()) {
                Flow f1 = models.flow1();
                NDArray z = noise(m, f1, n, firstIndex, BaseNoise.FLOW1, layers);
                double[] y = doubles(f1.sampleFrom(z, upload(m, cInc, new Shape(n, 1), f1.dataType())));
                for (int k = 0; k < y.length; k++) {
                    if (Double.isFinite(y[k])) {
                        proxy[k] = ShowerEncoding.proxyLayerEnergy(y[k], thr);
                    } else {
                        bad.incrementAndGet(); // a zero layer energy
                    }
                    cE[k] = ShowerEncoding.layerEnergyCondition(proxy[k]);
                }
            }
            // the last generated layer in MeV (postprocessed, as written): what conditions the next layer
            double[] layerMeV = new double[n * vpl];
            // Flow-2: layer 1
            try (NDManager m = batch.newSubManager()) {
                Flow f2 = models.flow2();
                double[] c = new double[2 * n];
                for (int i = 0; i < n; i++) {
                    c[2 * i] = cInc[i];
                    c[2 * i + 1] = cE[i * layers] / ShowerEncoding.FLOW2_LAYER_DIVISOR;
                }
                NDArray z = noise(m, f2, n, firstIndex, 0, vpl);
                decode(f2.sampleFrom(z, upload(m, c, new Shape(n, 2), f2.dataType())), 0, n, proxy, layerMeV, showers, bad);
            }
            done = 1;
            if (monitor == null || monitor.afterLayer(0)) {
                Flow f3 = models.flow3();
                int width = ShowerEncoding.flow3ConditionWidth(layers, vpl);
                double[] cond = new double[n * width];
                long seed = options.seed();
                for (int l = 1; l < layers; l++) {
                    int layer = l;
                    // [E_inc, E_l, E_l-1, layer l-1 re-encoded (A4), one-hot(l)]: part of the layer's cost (Table V)
                    rows(n).forEach(i -> {
                        int o = i * width;
                        cond[o] = cInc[i];
                        cond[o + 1] = cE[i * layers + layer];
                        cond[o + 2] = cE[i * layers + layer - 1];
                        ShowerEncoding.encodeLayerCondition(layerMeV, i * vpl, vpl,
                                BaseNoise.feedback(seed, firstIndex + i, layer - 1), cond, o + 3);
                        java.util.Arrays.fill(cond, o + 3 + vpl, o + width, 0);
                        cond[o + 3 + vpl + (layer - 1)] = 1;
                    });
                    try (NDManager m = batch.newSubManager()) {
                        NDArray z = noise(m, f3, n, firstIndex, l, vpl);
                        NDArray c = upload(m, cond, new Shape(n, width), f3.dataType());
                        decode(f3.sampleFrom(z, c), l, n, proxy, layerMeV, showers, bad);
                    }
                    done = l + 1;
                    if (monitor != null && !monitor.afterLayer(l)) break;
                }
            }
            float[] proxyMeV = new float[proxy.length];
            for (int k = 0; k < proxy.length; k++) proxyMeV[k] = (float) proxy[k];
            return new Result(new ShowerBatch(incidentMeV.clone(), showers, voxels), proxyMeV, done, bad.get());
        }
    }

    /** Eq. 2 for layer l of every row: flow output (logit space) to MeV, thresholded, into layerMeV and showers. */
    private void decode(NDArray logits, int l, int n, double[] proxy, double[] layerMeV, float[] showers, AtomicLong bad) {
        double[] x = doubles(logits);
        int voxels = g.voxels();
        rows(n).forEach(i -> {
            int from = i * vpl;
            for (int v = from; v < from + vpl; v++) {
                if (Double.isNaN(x[v])) {
                    bad.incrementAndGet();
                    x[v] = Double.NEGATIVE_INFINITY; // zero energy
                }
            }
            ShowerEncoding.decodeGeneratedLayer(x, from, vpl, proxy[i * layers + l], options.thresholdMeV(),
                    options.renormalise(), layerMeV, from);
            int out = i * voxels + l * vpl;
            for (int v = 0; v < vpl; v++) showers[out + v] = (float) layerMeV[from + v];
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

    /** A host array on the manager's device, in the flow's type. */
    private static NDArray upload(NDManager m, double[] data, Shape shape, DataType type) {
        if (type == DataType.FLOAT64) return m.create(data, shape);
        float[] f = new float[data.length];
        for (int k = 0; k < f.length; k++) f[k] = (float) data[k];
        NDArray a = m.create(f, shape);
        return type == DataType.FLOAT32 ? a : a.toType(type, false);
    }

    private static double[] doubles(NDArray a) {
        if (a.getDataType() == DataType.FLOAT64) return a.toDoubleArray();
        float[] f = a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : a.toType(DataType.FLOAT32, false).toFloatArray();
        double[] d = new double[f.length];
        for (int k = 0; k < f.length; k++) d[k] = f[k];
        return d;
    }
}
