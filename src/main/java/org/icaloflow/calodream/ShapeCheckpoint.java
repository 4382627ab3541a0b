package org.icaloflow.calodream;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.icaloflow.UserError;
import org.icaloflow.cfm.ShapeEncoding;
import org.icaloflow.cfm.ShapeNetwork;
import org.icaloflow.data.Json;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A shape network's folder: {@code shape.json} ({@code format} "icaloflow-calodream-shape", {@code formatVersion}
 * 1, {@code dataType}, {@code seed}, {@code settings} (the {@link ShapeNetwork.Settings} by component name),
 * {@code encoding} ({@code alpha}, {@code noiseWidth}, {@code layerEps}, {@code voxels} V and {@code conditions}
 * L, the number of standardised features of each, and {@code file}), {@code parameters} and {@code buffers} (names
 * and shapes)), {@code params.bin} (the parameters, then the buffers, as one DJL {@link NDList}, in the order
 * listed) and {@code encoding.bin} (the statistics, too many for the JSON with DS3's 40,500 voxels: the 8 bytes
 * "ICFSENC1", V and L as big-endian ints, then V voxel means, V voxel deviations, L condition means and L condition
 * deviations as big-endian doubles). Every problem is a UserError naming the file.
 */
public final class ShapeCheckpoint {
    public static final String FORMAT = "icaloflow-calodream-shape";
    public static final int FORMAT_VERSION = 1;
    public static final String JSON_FILE = "shape.json";
    public static final String PARAMS_FILE = "params.bin";
    public static final String ENCODING_FILE = "encoding.bin";
    static final byte[] MAGIC = "ICFSENC1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The Settings components in shape.json, in record order. */
    static final List<String> SETTINGS_KEYS = List.of("layers", "alphas", "radii", "patchLayers", "patchAlphas", "patchRadii",
            "hidden", "heads", "mlpHidden", "blocks", "conditionDim");

    private ShapeCheckpoint() {
    }

    /** Writes {@code dir/shape.json}, {@code dir/params.bin} and {@code dir/encoding.bin} (directory created if needed). */
    public static void save(ShapeModel model, Path dir) {
        List<NDArray> params = model.parameters();
        List<String> names = model.parameterNames();
        Map<String, NDArray> buffers = model.network().buffers();
        ShapeEncoding enc = model.encoding();
        try {
            Files.createDirectories(dir);
            ObjectNode root = Json.object();
            root.put("format", FORMAT);
            root.put("formatVersion", FORMAT_VERSION);
            root.put("dataType", model.dataType() == DataType.FLOAT64 ? "float64" : "float32");
            root.put("seed", model.seed());
            root.set("settings", settingsTree(model.settings()));
            ObjectNode e = root.putObject("encoding");
            e.put("alpha", enc.alpha());
            e.put("noiseWidth", enc.noiseWidth());
            e.put("layerEps", ShapeEncoding.LAYER_EPS);
            e.put("voxels", enc.voxels());
            e.put("conditions", model.conditionStandardisation().mean().length);
            e.put("file", ENCODING_FILE);
            ArrayNode pa = root.putArray("parameters");
            for (int i = 0; i < params.size(); i++) entry(pa, names.get(i), params.get(i));
            ArrayNode ba = root.putArray("buffers");
            buffers.forEach((n, a) -> entry(ba, n, a));
            try (NDManager tmp = model.manager().newSubManager()) {
                NDList list = new NDList();
                for (int i = 0; i < params.size(); i++) list.add(copy(params.get(i), names.get(i), tmp));
                buffers.forEach((n, a) -> list.add(copy(a, n, tmp)));
                try (OutputStream os = Files.newOutputStream(dir.resolve(PARAMS_FILE))) {
                    list.encode(os);
                }
            }
            try (DataOutputStream os = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(dir.resolve(ENCODING_FILE))))) {
                os.write(MAGIC);
                os.writeInt(enc.voxels());
                os.writeInt(model.conditionStandardisation().mean().length);
                for (double[] a : List.of(model.voxelStandardisation().mean(), model.voxelStandardisation().std(),
                        model.conditionStandardisation().mean(), model.conditionStandardisation().std()))
                    for (double v : a) os.writeDouble(v);
            }
            Json.PRETTY.writeValue(dir.resolve(JSON_FILE).toFile(), root);
        } catch (IOException ex) {
            throw new UserError("cannot write shape network " + dir + ": " + ex.getMessage(), ex);
        }
    }

    private static void entry(ArrayNode a, String name, NDArray array) {
        ObjectNode o = a.addObject();
        o.put("name", name);
        ArrayNode sh = o.putArray("shape");
        for (long v : array.getShape().getShape()) sh.add(v);
    }

    private static NDArray copy(NDArray a, String name, NDManager tmp) {
        NDArray c = a.toDevice(Device.cpu(), true);
        c.attach(tmp);
        c.setName(name);
        return c;
    }

    /** The settings as shape.json (and the training manifest) write them. */
    public static ObjectNode settingsTree(ShapeNetwork.Settings s) {
        ObjectNode o = Json.object();
        o.put("layers", s.layers());
        o.put("alphas", s.alphas());
        o.put("radii", s.radii());
        o.put("patchLayers", s.patchLayers());
        o.put("patchAlphas", s.patchAlphas());
        o.put("patchRadii", s.patchRadii());
        o.put("hidden", s.hidden());
        o.put("heads", s.heads());
        o.put("mlpHidden", s.mlpHidden());
        o.put("blocks", s.blocks());
        o.put("conditionDim", s.conditionDim());
        return o;
    }

    private static ShapeNetwork.Settings settingsFrom(JsonNode o, Path json) {
        if (o == null || !o.isObject()) throw new UserError(json + ": no 'settings' object");
        int[] v = new int[SETTINGS_KEYS.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode x = o.get(SETTINGS_KEYS.get(i));
            if (x == null || !x.canConvertToInt()) throw new UserError(json + ": settings." + SETTINGS_KEYS.get(i) + " is missing or not an integer");
            v[i] = x.asInt();
        }
        try {
            return new ShapeNetwork.Settings(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
        } catch (IllegalArgumentException e) {
            throw new UserError(json + ": settings: " + e.getMessage());
        }
    }

    /** The names and shapes listed under {@code key}. */
    private static List<String> listed(JsonNode root, String key, Path json, List<long[]> shapes) {
        JsonNode a = root.get(key);
        if (a == null || !a.isArray()) throw new UserError(json + ": no '" + key + "' list");
        List<String> names = new ArrayList<>();
        for (JsonNode e : a) {
            JsonNode sh = e.get("shape");
            if (!e.hasNonNull("name") || sh == null || !sh.isArray()) throw new UserError(json + ": " + key + " entries need a name and a shape");
            names.add(e.get("name").asText());
            long[] s = new long[sh.size()];
            for (int i = 0; i < s.length; i++) s[i] = sh.get(i).asLong();
            shapes.add(s);
        }
        return names;
    }

    /** True when {@code dir} holds a shape network's JSON file (whatever its state). */
    public static boolean looksLikeShapeFolder(Path dir) {
        return Files.isRegularFile(dir.resolve(JSON_FILE));
    }

    /** Loads a folder written by {@link #save}, whatever its settings. */
    public static ShapeModel load(Path dir, NDManager root) {
        return load(dir, root, null);
    }

    /** Loads a folder; {@code expected} non-null: its settings must equal these, else a UserError naming the file. */
    public static ShapeModel load(Path dir, NDManager root, ShapeNetwork.Settings expected) {
        Path json = dir.resolve(JSON_FILE), bin = dir.resolve(PARAMS_FILE), encFile = dir.resolve(ENCODING_FILE);
        if (!Files.isRegularFile(json) || !Files.isRegularFile(bin) || !Files.isRegularFile(encFile))
            throw new UserError("not a shape network folder: " + dir + " (needs " + JSON_FILE + ", " + PARAMS_FILE + " and " + ENCODING_FILE + ")");
        JsonNode j;
        try {
            j = Json.read(json);
        } catch (IOException e) {
            throw new UserError("cannot read " + json + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
        if (j == null || !FORMAT.equals(j.path("format").asText()))
            throw new UserError(json + ": not a shape network (format '" + (j == null ? "" : j.path("format").asText())
                    + "', expected '" + FORMAT + "')");
        int ver = j.path("formatVersion").asInt(-1);
        if (ver != FORMAT_VERSION)
            throw new UserError(json + ": shape network format version " + ver + " is not supported (this build reads " + FORMAT_VERSION + ")");
        ShapeNetwork.Settings s = settingsFrom(j.get("settings"), json);
        if (expected != null && !s.equals(expected))
            throw new UserError(json + ": the saved network's settings " + s + " differ from the configured " + expected);
        String dt = j.path("dataType").asText();
        DataType type = switch (dt) {
            case "float32" -> DataType.FLOAT32;
            case "float64" -> DataType.FLOAT64;
            default -> throw new UserError(json + ": unknown dataType '" + dt + "'");
        };
        JsonNode e = j.get("encoding");
        if (e == null || !e.isObject()) throw new UserError(json + ": no 'encoding' object");
        int layers = s.layers(), v = s.layers() * s.alphas() * s.radii();
        if (e.path("alpha").asDouble(-1) != ShapeEncoding.ALPHA)
            throw new UserError(json + ": encoding.alpha " + e.path("alpha") + " is not this build's " + ShapeEncoding.ALPHA);
        if (e.path("layerEps").asDouble(-1) != ShapeEncoding.LAYER_EPS)
            throw new UserError(json + ": encoding.layerEps " + e.path("layerEps") + " is not this build's " + ShapeEncoding.LAYER_EPS);
        if (e.path("voxels").asInt(-1) != v || e.path("conditions").asInt(-1) != layers)
            throw new UserError(json + ": encoding.voxels/conditions must be " + v + "/" + layers + " for its settings");
        ShapeEncoding encoding;
        try {
            encoding = new ShapeEncoding(layers, v / layers, ShapeEncoding.ALPHA, e.path("noiseWidth").asDouble(-1));
        } catch (IllegalArgumentException ex) {
            throw new UserError(json + ": encoding: " + ex.getMessage());
        }
        ShapeEncoding.Standardisation[] st = readEncoding(encFile, v, layers);
        List<long[]> pShapes = new ArrayList<>(), bShapes = new ArrayList<>();
        List<String> pNames = listed(j, "parameters", json, pShapes), bNames = listed(j, "buffers", json, bShapes);
        ShapeModel model = new ShapeModel(root, s, j.path("seed").asLong(0), type, encoding, st[0], st[1]);
        try {
            List<NDArray> dst = new ArrayList<>(model.parameters());
            List<String> names = new ArrayList<>(model.parameterNames());
            if (!pNames.equals(names))
                throw new UserError(json + ": parameter names do not match the network of its settings (" + pNames.size()
                        + " listed, " + names.size() + " expected)");
            Map<String, NDArray> buffers = model.network().buffers();
            if (!bNames.equals(new ArrayList<>(buffers.keySet())))
                throw new UserError(json + ": buffers " + bNames + " are not the network's " + buffers.keySet());
            dst.addAll(buffers.values());
            names.addAll(buffers.keySet());
            List<long[]> shapes = new ArrayList<>(pShapes);
            shapes.addAll(bShapes);
            for (int i = 0; i < dst.size(); i++) {
                if (!Arrays.equals(shapes.get(i), dst.get(i).getShape().getShape()))
                    throw new UserError(json + ": " + names.get(i) + " has shape " + Arrays.toString(shapes.get(i))
                            + ", the network needs " + dst.get(i).getShape());
            }
            try (NDManager tmp = model.manager().newSubManager(); InputStream is = Files.newInputStream(bin)) {
                NDList list = NDList.decode(tmp, is);
                if (list.size() != dst.size())
                    throw new UserError(bin + ": holds " + list.size() + " arrays, the network needs " + dst.size());
                for (int i = 0; i < list.size(); i++) {
                    NDArray src = list.get(i), d = dst.get(i);
                    if (!src.getShape().equals(d.getShape()))
                        throw new UserError(bin + ": " + names.get(i) + " has shape " + src.getShape() + ", the network needs " + d.getShape());
                    if (type == DataType.FLOAT64) d.set(src.toType(DataType.FLOAT64, false).toDoubleArray());
                    else d.set(src.toType(DataType.FLOAT32, false).toFloatArray());
                }
            }
        } catch (IOException | RuntimeException ex) {
            model.close();
            if (ex instanceof UserError u) throw u;
            throw new UserError("cannot read shape network parameters " + bin + ": " + ex.getMessage(), ex);
        }
        model.markParametersChanged();
        return model;
    }

    /** The voxel and condition standardisations of {@code file}, checked for V and L. */
    static ShapeEncoding.Standardisation[] readEncoding(Path file, int v, int layers) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) throw new UserError(file + ": not a shape network's encoding statistics");
            int fv = in.readInt(), fl = in.readInt();
            if (fv != v || fl != layers)
                throw new UserError(file + ": statistics of " + fv + " voxels and " + fl + " conditions, the network needs " + v + " and " + layers);
            double[][] a = {new double[v], new double[v], new double[layers], new double[layers]};
            for (double[] x : a) for (int i = 0; i < x.length; i++) x[i] = in.readDouble();
            if (in.read() != -1) throw new UserError(file + ": trailing bytes after the statistics");
            try {
                return new ShapeEncoding.Standardisation[]{new ShapeEncoding.Standardisation(a[0], a[1]),
                        new ShapeEncoding.Standardisation(a[2], a[3])};
            } catch (IllegalArgumentException ex) {
                throw new UserError(file + ": " + ex.getMessage());
            }
        } catch (EOFException ex) {
            throw new UserError(file + ": truncated (the statistics of " + v + " voxels and " + layers + " conditions do not fit)");
        } catch (IOException ex) {
            throw new UserError("cannot read " + file + ": " + ex.getMessage(), ex);
        }
    }
}
