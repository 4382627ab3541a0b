package org.icaloflow.sample;

import ai.djl.ndarray.NDManager;
import org.icaloflow.UserError;
import org.icaloflow.calodream.EnergyCheckpoint;
import org.icaloflow.calodream.EnergyModel;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.Sha256;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.icaloflow.flow.io.FlowSpecJson;
import org.icaloflow.preprocess.ShowerEncoding;
import org.icaloflow.train.ModelFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three flows of iCaloFlow, checked against a geometry: Flow-1 (layer energies | E_inc), Flow-2
 * (layer 1 | E_inc, E_1/4) and Flow-3 (layer i | E_inc, E_i, E_i-1, layer i-1, one-hot(i)). Flow-2 and
 * Flow-3 may each be a teacher (MAF) or a student (IAF); the kind is read from the checkpoint.
 *
 * <p>In Flow-1's place there may be CaloDREAM's energy network ({@link Flow1Cfm}: a {@code dream train --network
 * energy} folder given as Flow-1, issue 16's {@code flow1: cfm}): the layer energies then come from its u-ratios
 * (Eq. 2 of the CaloDREAM paper), the shapes from the flows.
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

    /**
     * CaloDREAM's energy network in Flow-1's place.
     *
     * @param steps RK4 steps of its sampling (CaloDREAM Sec. 3.1: 50)
     */
    public record Flow1Cfm(Path dir, EnergyModel network, String paramsSha256, int steps) {
        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", dir == null ? null : dir.toAbsolutePath().normalize().toString());
            m.put("params_sha256", paramsSha256);
            m.put("kind", "CFM");
            m.put("variant", "calodream-energy");
            m.put("parameters", network.parameterCount());
            m.put("rk4_steps", steps);
            return m;
        }
    }

    /** RK4 steps of CaloDREAM's energy network in Flow-1's place (its paper, Sec. 3.1). */
    public static final int CFM_FLOW1_STEPS = 50;

    private final Geometry geometry;
    /** The flows present, Flow-1 first unless {@link #flow1Cfm} replaces it. */
    private final List<Model> models;
    private final Flow1Cfm flow1Cfm;
    private final boolean owned;

    private SampleModels(Geometry g, List<Model> models, Flow1Cfm flow1Cfm, boolean owned) {
        this.geometry = g;
        this.models = models;
        this.flow1Cfm = flow1Cfm;
        this.owned = owned;
        check(g, models, flow1Cfm);
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
        List<Model> m = new ArrayList<>();
        Flow1Cfm cfm = null;
        Path[] dirs = {flow1, flow2, flow3};
        try {
            Path energyDir = flow1 == null ? null : energyNetworkDir(flow1);
            if (energyDir != null) {
                cfm = new Flow1Cfm(energyDir, EnergyCheckpoint.load(energyDir, manager),
                        Sha256.of(energyDir.resolve(EnergyCheckpoint.PARAMS_FILE)), CFM_FLOW1_STEPS);
            }
            for (int i = cfm == null ? 0 : 1; i < 3; i++) {
                Path dir = modelDir(dirs[i], "--flow" + (i + 1));
                String sha = Sha256.of(dir.resolve(FlowCheckpoint.PARAMS_FILE));
                m.add(new Model("flow" + (i + 1), dir, FlowCheckpoint.load(dir, manager), sha));
            }
            return new SampleModels(g, List.copyOf(m), cfm, true);
        } catch (RuntimeException e) {
            for (Model x : m) x.flow().close();
            if (cfm != null) cfm.network().close();
            throw e;
        }
    }

    /** Wraps flows built elsewhere (not closed by {@link #close()}). */
    public static SampleModels of(Geometry g, Flow flow1, Flow flow2, Flow flow3) {
        requireUniform(g);
        return new SampleModels(g, List.of(new Model("flow1", null, flow1, null), new Model("flow2", null, flow2, null),
                new Model("flow3", null, flow3, null)), null, false);
    }

    /** CaloDREAM's energy network (built elsewhere, not closed) in Flow-1's place, with Flow-2 and Flow-3. */
    public static SampleModels withCfmFlow1(Geometry g, EnergyModel energy, int steps, Flow flow2, Flow flow3) {
        requireUniform(g);
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        return new SampleModels(g, List.of(new Model("flow2", null, flow2, null), new Model("flow3", null, flow3, null)),
                new Flow1Cfm(null, energy, null, steps), false);
    }

    /** The energy network's folder when {@code dir} (or its model/) is a {@code dream train --network energy} output, else null. */
    static Path energyNetworkDir(Path dir) {
        if (Files.isRegularFile(dir.resolve(EnergyCheckpoint.JSON_FILE))) return dir;
        Path model = new ModelFolder(dir).model();
        return Files.isRegularFile(model.resolve(EnergyCheckpoint.JSON_FILE)) ? model : null;
    }

    /** {@code dir} itself when it holds flow.json, else {@code dir/model}. */
    public static Path modelDir(Path dir, String option) {
        if (dir == null) throw new UserError(option + " is required");
        Path found = ModelFolder.findModel(dir);
        if (found != null) return found;
        throw new UserError(option + " " + dir + ": not a flow model folder (no " + FlowCheckpoint.JSON_FILE + " in it or in "
                + new ModelFolder(dir).model() + ")" + (option.equals("--flow1") ? ", nor a CaloDREAM energy network (" + EnergyCheckpoint.JSON_FILE + ")" : ""));
    }

    private static void requireUniform(Geometry g) {
        if (!g.isUniform())
            throw new UserError("geometry " + g.name() + ": iCaloFlow's Flow-3 needs every layer to have the same voxels");
    }

    /** Dims of the three flows must match the geometry (paper Sec. III A and Appendix A). */
    static void check(Geometry g, List<Model> m, Flow1Cfm cfm) {
        int layers = g.layers();
        int vpl = g.voxelsPerLayer();
        int k = 0;
        if (cfm == null) {
            expect(m.get(k++), layers, 1, g, "the number of layers; condition E_inc");
        } else if (cfm.network().settings().positions() != layers) {
            throw new UserError((cfm.dir() == null ? "flow1" : "flow1 " + cfm.dir()) + ": an energy network for "
                    + cfm.network().settings().positions() + " layers, geometry " + g.name() + " has " + layers);
        }
        expect(m.get(k++), vpl, 2, g, "voxels per layer; condition E_inc, E_1");
        expect(m.get(k), vpl, ShowerEncoding.flow3ConditionWidth(layers, vpl), g,
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

    /** Flow-1; with {@link #flow1Cfm()} in its place there is none. */
    public Flow flow1() {
        if (flow1Cfm != null) throw new IllegalStateException("Flow-1 is CaloDREAM's energy network here");
        return models.get(0).flow();
    }

    /** CaloDREAM's energy network in Flow-1's place, or null. */
    public Flow1Cfm flow1Cfm() {
        return flow1Cfm;
    }

    public Flow flow2() {
        return models.get(models.size() - 2).flow();
    }

    public Flow flow3() {
        return models.get(models.size() - 1).flow();
    }

    public List<Model> models() {
        return models;
    }

    /** teacher or student: Flow-2's kind. */
    public String flow2Variant() {
        return models.get(models.size() - 2).variant();
    }

    /** teacher or student: Flow-3's kind. */
    public String flow3Variant() {
        return models.get(models.size() - 1).variant();
    }

    /** e.g. "flow2=teacher,flow3=student" (with "flow1=cfm," in front when CaloDREAM's energy network is Flow-1). */
    public String variants() {
        String v = "flow2=" + flow2Variant() + ",flow3=" + flow3Variant();
        return flow1Cfm == null ? v : "flow1=cfm," + v;
    }

    /** For manifests and tracking: per flow its path, SHA-256 of params.bin, kind and spec. */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (flow1Cfm != null) out.put("flow1", flow1Cfm.describe());
        for (Model x : models) out.put(x.role(), x.describe());
        return out;
    }

    /** Puts every flow in eval mode (cached masked weights: no recomputation per pass). */
    public void setEvalMode() {
        for (Model x : models) x.flow().setEvalMode(true);
    }

    @Override
    public void close() {
        if (!owned) return;
        for (Model x : models) x.flow().close();
        if (flow1Cfm != null) flow1Cfm.network().close();
    }
}
