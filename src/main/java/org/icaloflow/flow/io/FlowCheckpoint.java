package org.icaloflow.flow.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.icaloflow.UserError;
import org.icaloflow.data.Json;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.flow.Permutation;

/**
 * A flow's checkpoint: a directory with {@code flow.json} ({@code format}, {@code formatVersion}, {@code dataType},
 * {@code spec}, {@code permutations}, {@code parameters}: names and shapes) and {@code params.bin} (the parameters
 * as a DJL {@link NDList} encoding, in the order of {@code parameters}).
 */
public final class FlowCheckpoint {
    public static final String FORMAT = "icaloflow-flow";
    /**
     * 3: nflows 0.14's parameterisation (condition layer with its own bias and a ReLU, interior knot derivatives
     * {@code minD + softplus(u)}). Versions 1 and 2 (no condition bias or ReLU, derivatives
     * {@code minD + softplus(u + log(e^{1−minD} − 1))}) are refused with a request to retrain: the ReLU makes
     * an exact conversion impossible.
     */
    public static final int FORMAT_VERSION = 3;
    public static final String JSON_FILE = "flow.json";
    public static final String PARAMS_FILE = "params.bin";

    private FlowCheckpoint() {
    }

    /** Writes {@code dir/flow.json} and {@code dir/params.bin} (directory created if needed). */
    public static void save(Flow flow, Path dir) {
        List<NDArray> parameters = flow.parameters();
        List<String> names = flow.parameterNames();
        try {
            Files.createDirectories(dir);
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.put("format", FORMAT);
            root.put("formatVersion", FORMAT_VERSION);
            root.put("dataType", flow.dataType() == DataType.FLOAT64 ? "float64" : "float32");
            root.set("spec", FlowSpecJson.toTree(flow.spec()));
            ArrayNode pa = root.putArray("permutations");
            for (int i = 0; i < flow.spec().blocks(); i++) {
                int[] p = flow.permutation(i);
                if (p == null) {
                    pa.addNull();
                } else {
                    ArrayNode a = pa.addArray();
                    for (int v : p) {
                        a.add(v);
                    }
                }
            }
            ArrayNode params = root.putArray("parameters");
            for (int i = 0; i < parameters.size(); i++) {
                ObjectNode o = params.addObject();
                o.put("name", names.get(i));
                ArrayNode sh = o.putArray("shape");
                for (long v : parameters.get(i).getShape().getShape()) {
                    sh.add(v);
                }
            }
            try (NDManager tmp = flow.manager().newSubManager()) {
                NDList list = new NDList();
                for (int i = 0; i < parameters.size(); i++) {
                    NDArray c = parameters.get(i).toDevice(Device.cpu(), true);
                    c.attach(tmp);
                    c.setName(names.get(i));
                    list.add(c);
                }
                try (OutputStream os = Files.newOutputStream(dir.resolve(PARAMS_FILE))) {
                    list.encode(os);
                }
            }
            Json.PRETTY.writeValue(dir.resolve(JSON_FILE).toFile(), root);
        } catch (IOException e) {
            throw new UserError("cannot write flow checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Loads a checkpoint written by {@link #save}, whatever its architecture. */
    public static Flow load(Path dir, NDManager manager) {
        return load(dir, manager, null);
    }

    /**
     * Loads a checkpoint; if {@code expected} is not null, its architecture must equal it, else a
     * {@link UserError} naming the path and the differing keys.
     */
    public static Flow load(Path dir, NDManager manager, FlowSpec expected) {
        Path json = dir.resolve(JSON_FILE);
        Path bin = dir.resolve(PARAMS_FILE);
        if (!Files.isRegularFile(json) || !Files.isRegularFile(bin)) {
            throw new UserError("not a flow checkpoint: " + dir + " (needs " + JSON_FILE + " and " + PARAMS_FILE + ")");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json.toFile());
        } catch (IOException e) {
            throw new UserError("cannot read " + json + ": " + e.getMessage(), e);
        }
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new UserError(json + ": not a flow checkpoint (format '" + root.path("format").asText()
                    + "', expected '" + FORMAT + "')");
        }
        int v = root.path("formatVersion").asInt(-1);
        if (v == 1 || v == 2) {
            throw new UserError(json + ": flow checkpoint format version " + v + " was trained with the old spline/MADE"
                    + " parameterisation (condition layer without bias and ReLU, shifted knot derivatives) and cannot"
                    + " be converted; retrain it with this build (format " + FORMAT_VERSION + ")");
        }
        if (v != FORMAT_VERSION) {
            throw new UserError(json + ": flow checkpoint format version " + v + " is not supported (this build reads "
                    + FORMAT_VERSION + ")");
        }
        FlowSpec spec = FlowSpecJson.fromTree(root.get("spec"), json + ": spec");
        if (expected != null && !spec.sameArchitecture(expected)) {
            throw new UserError(json + ": checkpoint architecture differs from the expected one ("
                    + String.join("; ", spec.differences(expected)) + ", checkpoint vs expected)");
        }
        String dt = root.path("dataType").asText();
        DataType dataType;
        if (dt.equals("float32")) {
            dataType = DataType.FLOAT32;
        } else if (dt.equals("float64")) {
            dataType = DataType.FLOAT64;
        } else {
            throw new UserError(json + ": unknown dataType '" + dt + "'");
        }
        int[][] perms = new int[spec.blocks()][];
        JsonNode pa = root.path("permutations");
        if (!pa.isArray() || pa.size() != spec.blocks()) {
            throw new UserError(json + ": 'permutations' must list " + spec.blocks() + " entries");
        }
        for (int i = 1; i < spec.blocks(); i++) {
            JsonNode p = pa.get(i);
            if (p.isArray()) {
                perms[i] = new int[p.size()];
                for (int j = 0; j < p.size(); j++) perms[i][j] = p.get(j).asInt(-1);   // -1: not a number, caught below
            }
            String problem = Permutation.problem(perms[i], spec.dim());
            if (problem != null) throw new UserError(json + ": permutation " + i + " " + problem);
        }
        Flow flow = Flow.create(spec, manager, dataType, perms);
        List<NDArray> parameters = flow.parameters();
        try (NDManager tmp = manager.newSubManager(); InputStream is = Files.newInputStream(bin)) {
            NDList list = NDList.decode(tmp, is);
            if (list.size() != parameters.size()) {
                throw new UserError(bin + ": holds " + list.size() + " arrays, architecture needs " + parameters.size());
            }
            for (int i = 0; i < list.size(); i++) {
                NDArray src = list.get(i);
                NDArray dst = parameters.get(i);
                if (!src.getShape().equals(dst.getShape())) {
                    throw new UserError(bin + ": parameter " + flow.parameterNames().get(i) + " has shape "
                            + src.getShape() + ", architecture needs " + dst.getShape());
                }
                if (dataType == DataType.FLOAT64) {
                    dst.set(src.toType(DataType.FLOAT64, false).toDoubleArray());
                } else {
                    dst.set(src.toType(DataType.FLOAT32, false).toFloatArray());
                }
            }
        } catch (IOException | RuntimeException e) {
            flow.close();
            if (e instanceof UserError u) {
                throw u;
            }
            throw new UserError("cannot read flow parameters " + bin + ": " + e.getMessage(), e);
        }
        flow.markParametersChanged();
        return flow;
    }
}
