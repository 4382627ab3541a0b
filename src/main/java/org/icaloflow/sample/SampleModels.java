package org.icaloflow.sample;

import ai.djl.ndarray.NDManager;
import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.Sha256;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.icaloflow.flow.io.FlowSpecJson;
import org.icaloflow.preprocess.ShowerEncoding;
import org.icaloflow.train.ModelFolder;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three flows of iCaloFlow, checked against a geometry: Flow-1 (layer energies | E_inc), Flow-2
 * (layer 1 | E_inc, E_1/4) and Flow-3 (layer i | E_inc, E_i, E_i-1, layer i-1, one-hot(i)). Flow-2 and
 * Flow-3 may each be a teacher (MAF) or a student (IAF); the kind is read from the checkpoint.
 */
public final class SampleModels implements AutoCloseable {

    /** One loaded flow; {@code dir} and {@code paramsSha256} are null for flows built in memory. */
    public record Model(String role, Path dir, Flow flow, String paramsSha256) {
        /** teacher (MAF) or student (IAF). */
        public String variant() {
            return variantOf(flow.spec().kind());
        }

        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", dir == null ? null : dir.toAbsolutePath().normalize().toString());
            m.put("params_sha256", paramsSha256);
            m.put("kind", flow.spec().kind().name());
            m.put("variant", variant());
            m.put("parameters", flow.parameterCount());
            m.put("spec", FlowSpecJson.toTree(flow.spec()));
            return m;
        }
    }

    private final Geometry geometry;
    private final List<Model> models;
    private final boolean owned;

    private SampleModels(Geometry g, List<Model> models, boolean owned) {
        this.geometry = g;
        this.models = models;
        this.owned = owned;
        check(g, models);
    }

    public static String variantOf(FlowKind k) {
        return k == FlowKind.MAF ? "teacher" : "student";
    }

    /**
     * Loads the three checkpoints ({@code icaloflow train}/{@code distill} outputs: the {@code model}
     * folder, or the stage's output folder holding it). Closed with this object.
     */
    public static SampleModels load(Geometry g, Path flow1, Path flow2, Path flow3, NDManager manager) {
        requireUniform(g);
        Model[] m = new Model[3];
        Path[] dirs = {flow1, flow2, flow3};
        try {
            for (int i = 0; i < 3; i++) {
                Path dir = modelDir(dirs[i], "--flow" + (i + 1));
                String sha = Sha256.of(dir.resolve(FlowCheckpoint.PARAMS_FILE));
                m[i] = new Model("flow" + (i + 1), dir, FlowCheckpoint.load(dir, manager), sha);
            }
            return new SampleModels(g, List.of(m), true);
        } catch (RuntimeException e) {
            for (Model x : m) if (x != null) x.flow().close();
            throw e;
        }
    }

    /** Wraps flows built elsewhere (not closed by {@link #close()}). */
    public static SampleModels of(Geometry g, Flow flow1, Flow flow2, Flow flow3) {
        requireUniform(g);
        return new SampleModels(g, List.of(new Model("flow1", null, flow1, null), new Model("flow2", null, flow2, null),
                new Model("flow3", null, flow3, null)), false);
    }

    /** {@code dir} itself when it holds flow.json, else {@code dir/model}. */
    public static Path modelDir(Path dir, String option) {
        if (dir == null) throw new UserError(option + " is required");
        Path found = ModelFolder.findModel(dir);
        if (found != null) return found;
        throw new UserError(option + " " + dir + ": not a flow model folder (no " + FlowCheckpoint.JSON_FILE + " in it or in "
                + new ModelFolder(dir).model() + ")");
    }

    private static void requireUniform(Geometry g) {
        if (!g.isUniform())
            throw new UserError("geometry " + g.name() + ": iCaloFlow's Flow-3 needs every layer to have the same voxels");
    }

    /** Dims of the three flows must match the geometry (paper Sec. III A and Appendix A). */
    static void check(Geometry g, List<Model> m) {
        int layers = g.layers();
        int vpl = g.voxelsPerLayer();
        expect(m.get(0), layers, 1, g, "the number of layers; condition E_inc");
        expect(m.get(1), vpl, 2, g, "voxels per layer; condition E_inc, E_1");
        expect(m.get(2), vpl, ShowerEncoding.flow3ConditionWidth(layers, vpl), g,
                "voxels per layer; condition E_inc, E_i, E_i-1, " + vpl + " voxels, one-hot over " + (layers - 1));
    }

    private static void expect(Model model, int dim, int cond, Geometry g, String why) {
        FlowSpec s = model.flow().spec();
        if (s.dim() != dim || s.conditionDim() != cond) {
            String where = model.dir() == null ? model.role() : model.role() + " " + model.dir();
            throw new UserError(where + ": flow has dim " + s.dim() + " and conditionDim " + s.conditionDim()
                    + ", geometry " + g.name() + " needs dim " + dim + " and conditionDim " + cond + " (" + why + ")");
        }
    }

    public Geometry geometry() {
        return geometry;
    }

    public Flow flow1() {
        return models.get(0).flow();
    }

    public Flow flow2() {
        return models.get(1).flow();
    }

    public Flow flow3() {
        return models.get(2).flow();
    }

    public List<Model> models() {
        return models;
    }

    /** e.g. "flow2=teacher,flow3=student". */
    public String variants() {
        return "flow2=" + models.get(1).variant() + ",flow3=" + models.get(2).variant();
    }

    /** For manifests and tracking: per flow its path, SHA-256 of params.bin, kind and spec. */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Model x : models) out.put(x.role(), x.describe());
        return out;
    }

    /** Puts every flow in eval mode (cached masked weights: no recomputation per pass). */
    public void setEvalMode() {
        for (Model x : models) x.flow().setEvalMode(true);
    }

    @Override
    public void close() {
        if (owned) for (Model x : models) x.flow().close();
    }
}
