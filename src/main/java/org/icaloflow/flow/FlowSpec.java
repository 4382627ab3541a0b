package org.icaloflow.flow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.icaloflow.UserError;
import org.icaloflow.data.Json;

/**
 * Hyperparameters of an autoregressive spline flow (the paper's Table II plus spline settings).
 *
 * <p>Bindable by Jackson (JSON or YAML). Required keys: {@code kind, dim, conditionDim, hiddenLayers,
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

    /**
     * Binds a JSON/YAML tree, reporting problems as a {@link UserError} naming {@code where} and the key.
     *
     * @param node the mapping
     * @param where where the mapping comes from, e.g. {@code "configs/ds2.yaml: architecture.flow1"}
     */
    public static FlowSpec fromTree(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new UserError(where + ": expected a mapping with keys " + KEYS);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new UserError(where + ": unknown key '" + key + "' (known keys: " + String.join(", ", KEYS) + ")");
            }
        }
        for (String key : List.of("dim", "conditionDim", "hiddenLayers", "hiddenWidth", "blocks", "bins", "seed")) {
            JsonNode v = node.get(key);
            if (v != null && !v.isNull() && !v.canConvertToExactIntegral()) {
                throw new UserError(where + ": key '" + key + "' must be an integer, got " + v);
            }
        }
        for (String key : List.of("tailBound", "minBinWidth", "minBinHeight", "minDerivative")) {
            JsonNode v = node.get(key);
            if (v != null && !v.isNull() && !v.isNumber()) {
                throw new UserError(where + ": key '" + key + "' must be a number, got " + v);
            }
        }
        JsonNode init = node.get("outputInit");
        if (init != null && !init.isNull() && (!init.isTextual() || OutputInit.of(init.asText()) == null)) {
            throw new UserError(where + ": key 'outputInit' must be nflows or nearIdentity, got " + init);
        }
        JsonNode kind = node.get("kind");
        if (kind != null && !kind.isNull()) {
            String k = kind.asText().toUpperCase(Locale.ROOT);
            if (!k.equals("MAF") && !k.equals("IAF")) {
                throw new UserError(where + ": key 'kind' must be MAF or IAF, got " + kind);
            }
            node = ((ObjectNode) node.deepCopy()).put("kind", k);
        }
        try {
            return Json.MAPPER.treeToValue(node, FlowSpec.class);
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof UserError u) {
                    throw new UserError(where + ": " + u.getMessage(), e);
                }
            }
            throw new UserError(where + ": invalid flow architecture: " + e.getMessage(), e);
        }
    }

    /** This spec as a JSON tree (all keys written). */
    public ObjectNode toTree() {
        return Json.MAPPER.valueToTree(this);
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

    /** Human-readable list of the keys (outputInit aside) whose values differ, e.g. {@code "dim: 144 vs 45"}; empty if equal. */
    public List<String> differences(FlowSpec other) {
        List<String> out = new ArrayList<>();
        ObjectNode a = toTree();
        ObjectNode b = other.toTree();
        for (String key : KEYS) {
            if (!key.equals("outputInit") && !a.get(key).equals(b.get(key))) {
                out.add(key + ": " + a.get(key) + " vs " + b.get(key));
            }
        }
        return out;
    }

    private static int required(String key, Integer v) {
        if (v == null) {
            throw bad(key, "is required");
        }
        return v;
    }

    private static UserError bad(String key, String what) {
        return new UserError("flow architecture key '" + key + "' " + what);
    }
}
