package org.icaloflow.cfm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.nn.DenseNetwork;
import org.icaloflow.nn.Init;
import org.icaloflow.nn.Linear;
import org.icaloflow.nn.Nonlinearity;
import org.icaloflow.nn.Parameters;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CaloDREAM's shape network (paper Sec. 3.2, Fig. 2, Table 2): a 3-D vision transformer for the conditional
 * velocity field v_θ(x(t), t, E_inc, u) over the voxels, as calo_dreamer's {@code ViT} (after DiT):
 * <ol>
 *   <li>the shower (B, L·A·R) is cut into patches ({@link Patches}) and each patch embedded by one shared dense
 *       layer p1·p2·p3 → E ({@code patchEmbedding}); a fixed sin-cos position embedding is added
 *       ({@link #cartesianPositionEmbedding});</li>
 *   <li>t is embedded by 256 sinusoidal frequencies (cos then sin, max period 10⁴, t ∈ [0, 1] as given, no
 *       rescaling) and a dense network 256 → E → E with SiLU ({@code timeEmbedding}); the condition (E_inc and
 *       the u's, {@link Settings#conditionDim()}) by a dense network → E → E with SiLU
 *       ({@code conditionEmbedding}); the two are summed into one condition vector c;</li>
 *   <li>{@link Settings#blocks()} {@link DiTBlock}s (adaLN-Zero, Eq. 11), then the {@link FinalLayer}, and the
 *       patches are put back into the calorimeter's shape.</li>
 * </ol>
 * Initialisation as the authors' code: Xavier-uniform weights and zero biases, the time embedding's weights
 * normal(0, 0.02), the blocks' modulation and the final layer zero, so that a new network's velocity is exactly 0.
 *
 * <p>The position embedding and the time frequencies are fixed arrays ({@link #buffers()}), not learnable
 * parameters: the paper calls the position encoding "learnable", the authors' code registers it with
 * {@code requires_grad=False} by default (docs/cfm.md).
 *
 * <p>Time: noise at t = 0, data at t = 1 ({@link FlowMatching}, {@link OdeSolver}); {@link #field} adapts the
 * network for a fixed condition to the solvers' {@link VelocityField}.
 */
public final class ShapeNetwork {
    /** Sinusoidal frequencies of the time embedding (DiT's {@code frequency_embedding_size}). */
    public static final int TIME_FREQUENCIES = 256;
    /** The time embedding's maximum period. */
    public static final double MAX_PERIOD = 10000;
    /** The position embedding's temperature. */
    public static final double TEMPERATURE = 10000;

    /**
     * The network's shape: the grid (layers, alphas, radii), the patch (p1, p2, p3), the embedding dimension E,
     * attention heads, the MLP's hidden width, the number of blocks and the condition's width (E_inc plus one u
     * per layer: layers + 1).
     */
    public record Settings(int layers, int alphas, int radii, int patchLayers, int patchAlphas, int patchRadii,
                           int hidden, int heads, int mlpHidden, int blocks, int conditionDim) {
        public Settings {
            new Patches(layers, alphas, radii, patchLayers, patchAlphas, patchRadii); // checks divisibility
            if (hidden < 12 || hidden % 6 != 0) {
                throw new IllegalArgumentException("the embedding dimension " + hidden
                        + " must be a multiple of 6 and at least 12 (sin and cos of 3 coordinates, ≥ 2 frequencies)");
            }
            if (heads < 1 || hidden % heads != 0) {
                throw new IllegalArgumentException("the embedding dimension " + hidden + " does not split into " + heads + " heads");
            }
            if (mlpHidden < 1 || blocks < 1 || conditionDim < 1) {
                throw new IllegalArgumentException("mlp width " + mlpHidden + ", blocks " + blocks + " and condition width "
                        + conditionDim + " must be positive");
            }
        }

        /** Table 2, DS2: 45 × 16 × 9 voxels, patch (3, 16, 1), E = 480, 6 heads, MLP 1920, 6 blocks, condition 46. */
        public static Settings ds2() {
            return new Settings(45, 16, 9, 3, 16, 1, 480, 6, 1920, 6, 46);
        }

        /** Table 2, DS3: 45 × 50 × 18 voxels, patch (3, 5, 2), E = 240, 6 heads, MLP 720, 6 blocks, condition 46. */
        public static Settings ds3() {
            return new Settings(45, 50, 18, 3, 5, 2, 240, 6, 720, 6, 46);
        }

        public Patches patches() {
            return new Patches(layers, alphas, radii, patchLayers, patchAlphas, patchRadii);
        }
    }

    private final Settings settings;
    private final Patches patches;
    private final Linear patchEmbedding;
    private final DenseNetwork timeEmbedding;
    private final DenseNetwork conditionEmbedding;
    private final List<DiTBlock> blocks = new ArrayList<>();
    private final FinalLayer finalLayer;
    private final NDArray positionEmbedding; // (patches, E), fixed
    private final NDArray timeFrequencies; // (1, 128), fixed
    private final List<NDArray> parameters;

    /**
     * Creates the parameters in {@code p} (the learnable arrays scoped {@code patchEmbedding},
     * {@code timeEmbedding}, {@code conditionEmbedding}, {@code block0} …, {@code finalLayer}) and the fixed
     * buffers on p's manager, in p's data type.
     */
    public ShapeNetwork(Parameters p, Settings settings) {
        this.settings = settings;
        this.patches = settings.patches();
        int e = settings.hidden();
        int first = p.list().size();
        this.patchEmbedding = new Linear(p.scope("patchEmbedding"), patches.dim(), e, Linear.Start.XAVIER_UNIFORM);
        this.timeEmbedding = new DenseNetwork(p.scope("timeEmbedding"), new int[] {TIME_FREQUENCIES, e, e},
                Nonlinearity.SILU, Linear.Start.NORMAL_002);
        this.conditionEmbedding = new DenseNetwork(p.scope("conditionEmbedding"), new int[] {settings.conditionDim(), e, e},
                Nonlinearity.SILU, Linear.Start.XAVIER_UNIFORM);
        for (int b = 0; b < settings.blocks(); b++) {
            blocks.add(new DiTBlock(p.scope("block" + b), e, settings.heads(), settings.mlpHidden()));
        }
        this.finalLayer = new FinalLayer(p.scope("finalLayer"), e, patches.dim());
        this.parameters = List.copyOf(p.list().subList(first, p.list().size()));

        NDManager m = p.manager();
        DataType type = p.dataType();
        double[] pe = cartesianPositionEmbedding(patches.patchLayers(), patches.patchAlphas(), patches.patchRadii(), e);
        this.positionEmbedding = array(m, type, pe, new Shape(patches.count(), e));
        this.timeFrequencies = array(m, type, timeFrequencies(TIME_FREQUENCIES), new Shape(1, TIME_FREQUENCIES / 2));
    }

    private static NDArray array(NDManager m, DataType type, double[] v, Shape shape) {
        return type == DataType.FLOAT64 ? m.create(v, shape) : m.create(Init.toFloat(v), shape);
    }

    /**
     * v_θ(x, t, c).
     *
     * @param x         x(t), (B, L·A·R) (or (B, L, A, R)); the result has its shape
     * @param t         times, (B) or 0-dim (one time for the batch), x's data type
     * @param condition (B, conditionDim): E_inc's condition and the u's
     */
    public NDArray velocity(NDArray x, NDArray t, NDArray condition) {
        long b = x.getShape().get(0);
        if (condition.getShape().dimension() != 2 || condition.getShape().get(0) != b
                || condition.getShape().get(1) != settings.conditionDim()) {
            throw new IllegalArgumentException("expected (" + b + ", " + settings.conditionDim() + ") conditions, got " + condition.getShape());
        }
        NDArray tokens = patchEmbedding.forward(patches.patchify(x)).add(positionEmbedding);
        NDArray c = conditionEmbedding.forward(condition).add(timeEmbedding.forward(frequencyEmbedding(t, b)));
        for (DiTBlock block : blocks) tokens = block.forward(tokens, c);
        return patches.unpatchify(finalLayer.forward(tokens, c)).reshape(x.getShape());
    }

    /** [cos(t·f_k), sin(t·f_k)], f_k = exp(−ln(10⁴)·k/128), k = 0..127: (B, 256), or (1, 256) for a 0-dim t. */
    NDArray frequencyEmbedding(NDArray t, long batch) {
        NDArray column;
        if (t.getShape().dimension() == 0) {
            column = t.reshape(1, 1);
        } else if (t.getShape().size() == batch) {
            column = t.reshape(batch, 1);
        } else {
            throw new IllegalArgumentException("expected " + batch + " times or one, got " + t.getShape());
        }
        NDArray args = column.mul(timeFrequencies);
        return args.cos().concat(args.sin(), 1);
    }

    /**
     * The solvers' v(x, t) for fixed conditions (B, conditionDim), B the batch of the x it will be given. Each
     * evaluation runs in a sub-manager of x's manager (x, t and the condition temporarily attached to it) and only
     * the velocity is kept, on x's manager: an RK4 solve holds its states and stages, not every intermediate of
     * 4N network passes.
     */
    public VelocityField field(NDArray condition) {
        return (x, t) -> {
            NDManager home = x.getManager();
            try (NDManager scope = home.newSubManager()) {
                x.tempAttach(scope);
                t.tempAttach(scope);
                condition.tempAttach(scope);
                NDArray v = velocity(x, t, condition);
                v.attach(home);
                return v;
            }
        };
    }

    /** This network's learnable arrays, in creation order. */
    public List<NDArray> parameters() {
        return parameters;
    }

    /** The fixed arrays by name: {@code positionEmbedding} (patches, E), {@code timeFrequencies} (1, 128). */
    public Map<String, NDArray> buffers() {
        Map<String, NDArray> b = new LinkedHashMap<>();
        b.put("positionEmbedding", positionEmbedding);
        b.put("timeFrequencies", timeFrequencies);
        return Collections.unmodifiableMap(b);
    }

    public Settings settings() {
        return settings;
    }

    public Patches patches() {
        return patches;
    }

    /** f_k = exp(−ln(max period)·k/half), k = 0..half−1, half = n/2 (DiT's {@code timestep_embedding}). */
    static double[] timeFrequencies(int n) {
        int half = n / 2;
        double[] f = new double[half];
        for (int k = 0; k < half; k++) f[k] = Math.exp(-Math.log(MAX_PERIOD) * k / half);
        return f;
    }

    /**
     * calo_dreamer's default ("cartesian") fixed position embedding of an (nl, na, nr) grid of patches, (nl·na·nr)
     * rows of {@code dim} values, row j = (l·na + a)·nr + r: with z = l/nl, α = 2π·a/na, ρ = r/nr,
     * x = ρ cos α and y = ρ sin α, F = dim/6 frequencies ω_k = 1/10000^(k/(F−1)), the row is
     * [sin(x ω), cos(x ω), sin(y ω), cos(y ω), sin(z ω), cos(z ω)].
     */
    public static double[] cartesianPositionEmbedding(int nl, int na, int nr, int dim) {
        if (dim % 6 != 0 || dim < 12) throw new IllegalArgumentException("dimension " + dim + " is not a multiple of 6 of at least 12");
        int f = dim / 6;
        double[] omega = new double[f];
        for (int k = 0; k < f; k++) omega[k] = 1 / Math.pow(TEMPERATURE, (double) k / (f - 1));
        double[] pe = new double[nl * na * nr * dim];
        int row = 0;
        for (int l = 0; l < nl; l++) {
            for (int a = 0; a < na; a++) {
                for (int r = 0; r < nr; r++, row++) {
                    double z = (double) l / nl;
                    double alpha = a * (2 * Math.PI / na);
                    double rho = (double) r / nr;
                    double[] coord = {rho * Math.cos(alpha), rho * Math.sin(alpha), z};
                    for (int c = 0; c < 3; c++) {
                        for (int k = 0; k < f; k++) {
                            pe[row * dim + 2 * c * f + k] = Math.sin(coord[c] * omega[k]);
                            pe[row * dim + (2 * c + 1) * f + k] = Math.cos(coord[c] * omega[k]);
                        }
                    }
                }
            }
        }
        return pe;
    }
}
