package org.icaloflow.flow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import org.icaloflow.nn.OutputInit;

/**
 * Hyperparameters of an autoregressive spline flow (the paper's Table II plus spline settings).
 *
 * <p>Bindable by Jackson (JSON or YAML; a tree with errors naming the file: {@code org.icaloflow.flow.io.FlowSpecJson}).
 * Invalid values are {@link IllegalArgumentException}s naming the key. Required keys: {@code kind, dim, conditionDim, hiddenLayers,
 * hiddenWidth}; optional keys with defaults: {@code blocks=8, bins=8, tailBound=14, seed=0,
 * minBinWidth=1e-6, minBinHeight=1e-6, minDerivative=1e-6} (the authors' run.py values; nflows' own defaults are
 * 1e-3), {@code outputInit=nflows} ({@link OutputInit}). A MADE with {@code hiddenLayers=n, hiddenWidth=W} is nflows' feedforward MADE with {@code num_blocks=n}:
 * masked D→W (+ relu(condition C→W)), n masked W→W layers, masked W→D·(3K−1).
 *
 * @param kind MAF (fast density) or IAF (fast sampling)
 * @param dim number of features D (≥ 1)
 * @param conditionDim number of conditional inputs C (≥ 0)
 * @param hiddenLayers number n of W→W hidden layers after the initial layer (≥ 0)
 * @param hiddenWidth width W of every hidden layer (≥ 1)
 * @param blocks number of MADE + spline blocks (≥ 1)
 * @param bins number K of spline bins (≥ 2)
 * @param tailBound B: the spline acts on [−B, B], identity outside (> 0)
 * @param seed seed of parameter initialisation and of the random permutations
 * @param minBinWidth minimum bin width fraction (0 ≤ · &lt; 1/K)
 * @param minBinHeight minimum bin height fraction (0 ≤ · &lt; 1/K)
 * @param minDerivative minimum knot derivative (0 ≤ · &lt; 1)
 * @param outputInit how the MADE output layers start ({@link OutputInit}; optional key, default {@code nflows})
 */
public record FlowSpec(
        FlowKind kind,
        int dim,
        int conditionDim,
        int hiddenLayers,
        int hiddenWidth,
        int blocks,
        int bins,
        double tailBound,
        long seed,
        double minBinWidth,
        double minBinHeight,
        double minDerivative,
        OutputInit outputInit) {

    public static final int DEFAULT_BLOCKS = 8;
    public static final int DEFAULT_BINS = 8;
    public static final double DEFAULT_TAIL_BOUND = 14.0;
    public static final double DEFAULT_MINIMUM = 1e-6;

    /** Keys accepted in JSON / YAML, in canonical order. */
    public static final List<String> KEYS = List.of("kind", "dim", "conditionDim", "hiddenLayers",
            "hiddenWidth", "blocks", "bins", "tailBound", "seed", "minBinWidth", "minBinHeight", "minDerivative", "outputInit");

    /** Canonical constructor: validates, naming the bad key. */
    public FlowSpec {
        if (kind == null) {
            throw bad("kind", "is required (MAF or IAF)");
        }
        if (dim < 1) {
            throw bad("dim", "must be >= 1, got " + dim);
        }
        if (conditionDim < 0) {
            throw bad("conditionDim", "must be >= 0, got " + conditionDim);
        }
        if (hiddenLayers < 0) {
            throw bad("hiddenLayers", "must be >= 0, got " + hiddenLayers);
        }
        if (hiddenWidth < 1) {
            throw bad("hiddenWidth", "must be >= 1, got " + hiddenWidth);
        }
        if (blocks < 1) {
            throw bad("blocks", "must be >= 1, got " + blocks);
        }
        if (bins < 2) {
            throw bad("bins", "must be >= 2, got " + bins);
        }
        if (!(tailBound > 0) || Double.isInfinite(tailBound)) {
            throw bad("tailBound", "must be a positive finite number, got " + tailBound);
        }
        if (!(minBinWidth >= 0) || minBinWidth * bins >= 1) {
            throw bad("minBinWidth", "must be in [0, 1/bins), got " + minBinWidth);
        }
        if (!(minBinHeight >= 0) || minBinHeight * bins >= 1) {
            throw bad("minBinHeight", "must be in [0, 1/bins), got " + minBinHeight);
        }
        if (!(minDerivative >= 0) || minDerivative >= 1) {
            throw bad("minDerivative", "must be in [0, 1), got " + minDerivative);
        }
        if (outputInit == null) {
            throw bad("outputInit", "is required (nflows or nearIdentity)");
        }
    }

    /** A spec with nflows' output initialisation ({@link OutputInit#NFLOWS}). */
    public FlowSpec(FlowKind kind, int dim, int conditionDim, int hiddenLayers, int hiddenWidth, int blocks, int bins,
                    double tailBound, long seed, double minBinWidth, double minBinHeight, double minDerivative) {
        this(kind, dim, conditionDim, hiddenLayers, hiddenWidth, blocks, bins, tailBound, seed, minBinWidth, minBinHeight,
                minDerivative, OutputInit.NFLOWS);
    }

    /** Spec with default blocks, bins, tail bound, seed 0 and minima. */
    public static FlowSpec of(FlowKind kind, int dim, int conditionDim, int hiddenLayers, int hiddenWidth) {
        return new FlowSpec(kind, dim, conditionDim, hiddenLayers, hiddenWidth, DEFAULT_BLOCKS, DEFAULT_BINS,
                DEFAULT_TAIL_BOUND, 0L, DEFAULT_MINIMUM, DEFAULT_MINIMUM, DEFAULT_MINIMUM);
    }

    /** Jackson creator: missing optional keys take their defaults; missing required keys are errors. */
    @JsonCreator
    public static FlowSpec create(
            @JsonProperty("kind") FlowKind kind,
            @JsonProperty("dim") Integer dim,
            @JsonProperty("conditionDim") Integer conditionDim,
            @JsonProperty("hiddenLayers") Integer hiddenLayers,
            @JsonProperty("hiddenWidth") Integer hiddenWidth,
            @JsonProperty("blocks") Integer blocks,
            @JsonProperty("bins") Integer bins,
            @JsonProperty("tailBound") Double tailBound,
            @JsonProperty("seed") Long seed,
            @JsonProperty("minBinWidth") Double minBinWidth,
            @JsonProperty("minBinHeight") Double minBinHeight,
            @JsonProperty("minDerivative") Double minDerivative,
            @JsonProperty("outputInit") OutputInit outputInit) {
        return new FlowSpec(kind,
                required("dim", dim), required("conditionDim", conditionDim),
                required("hiddenLayers", hiddenLayers), required("hiddenWidth", hiddenWidth),
                blocks == null ? DEFAULT_BLOCKS : blocks,
                bins == null ? DEFAULT_BINS : bins,
                tailBound == null ? DEFAULT_TAIL_BOUND : tailBound,
                seed == null ? 0L : seed,
                minBinWidth == null ? DEFAULT_MINIMUM : minBinWidth,
                minBinHeight == null ? DEFAULT_MINIMUM : minBinHeight,
                minDerivative == null ? DEFAULT_MINIMUM : minDerivative,
                outputInit == null ? OutputInit.NFLOWS : outputInit);
    }

    /** {@link #create} without {@code outputInit} (nflows' start). */
    public static FlowSpec create(FlowKind kind, Integer dim, Integer conditionDim, Integer hiddenLayers, Integer hiddenWidth,
                                  Integer blocks, Integer bins, Double tailBound, Long seed, Double minBinWidth,
                                  Double minBinHeight, Double minDerivative) {
        return create(kind, dim, conditionDim, hiddenLayers, hiddenWidth, blocks, bins, tailBound, seed, minBinWidth,
                minBinHeight, minDerivative, null);
    }

    /** Number of spline parameters per feature, 3K − 1. */
    public int paramsPerFeature() {
        return 3 * bins - 1;
    }

    /** Width of the MADE output layer, D·(3K − 1). */
    public int madeOutputSize() {
        return dim * paramsPerFeature();
    }

    /** Spec with another kind (e.g. a student IAF matching a teacher). */
    public FlowSpec withKind(FlowKind k) {
        return new FlowSpec(k, dim, conditionDim, hiddenLayers, hiddenWidth, blocks, bins, tailBound, seed,
                minBinWidth, minBinHeight, minDerivative, outputInit);
    }

    /** Spec with another seed. */
    public FlowSpec withSeed(long s) {
        return new FlowSpec(kind, dim, conditionDim, hiddenLayers, hiddenWidth, blocks, bins, tailBound, s,
                minBinWidth, minBinHeight, minDerivative, outputInit);
    }

    /** Spec with another output initialisation. */
    public FlowSpec withOutputInit(OutputInit init) {
        return new FlowSpec(kind, dim, conditionDim, hiddenLayers, hiddenWidth, blocks, bins, tailBound, seed,
                minBinWidth, minBinHeight, minDerivative, init);
    }

    /**
     * Whether a trained flow of this spec can stand where {@code other} is expected: every key equal except
     * {@code outputInit}, which only decides how training started.
     */
    public boolean sameArchitecture(FlowSpec other) {
        return other != null && withOutputInit(other.outputInit).equals(other);
    }

    /**
     * Human-readable list of the keys (outputInit aside) whose values differ, values written as in JSON, e.g.
     * {@code "dim: 144 vs 45"}, {@code "kind: \"MAF\" vs \"IAF\""}; empty if equal.
     */
    public List<String> differences(FlowSpec other) {
        Object[] a = values();
        Object[] b = other.values();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < KEYS.size(); i++) {
            if (!KEYS.get(i).equals("outputInit") && !a[i].equals(b[i])) {
                out.add(KEYS.get(i) + ": " + json(a[i]) + " vs " + json(b[i]));
            }
        }
        return out;
    }

    /** The values in the order of {@link #KEYS}. */
    private Object[] values() {
        return new Object[] {kind, dim, conditionDim, hiddenLayers, hiddenWidth, blocks, bins, tailBound, seed,
            minBinWidth, minBinHeight, minDerivative, outputInit};
    }

    /** As Jackson writes it: enums as quoted names, numbers as Java prints them. */
    private static String json(Object v) {
        return v instanceof FlowKind k ? "\"" + k.name() + "\"" : String.valueOf(v);
    }

    private static int required(String key, Integer v) {
        if (v == null) {
            throw bad(key, "is required");
        }
        return v;
    }

    private static IllegalArgumentException bad(String key, String what) {
        return new IllegalArgumentException("flow architecture key '" + key + "' " + what);
    }
}
