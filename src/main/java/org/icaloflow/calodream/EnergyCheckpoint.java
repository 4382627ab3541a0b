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
import org.icaloflow.cfm.EnergyEncoding;
import org.icaloflow.cfm.EnergyNetwork;
import org.icaloflow.data.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An energy network's folder: {@code energy.json} ({@code format} "icaloflow-calodream-energy",
 * {@code formatVersion}, {@code dataType}, {@code seed}, {@code settings} (the {@link EnergyNetwork.Settings}
 * by component name), {@code encoding} ({@code delta}, per-feature {@code mean} and {@code std}),
 * {@code parameters} (names and shapes), {@code buffers} (names and shapes)) and {@code params.bin} (the
 * parameters, then the buffers, as one DJL {@link NDList}, in the order listed). The style of
 * {@code org.icaloflow.flow.io.FlowCheckpoint}; every problem is a UserError naming the file.
 */
public final class EnergyCheckpoint {
    public static final String FORMAT = "icaloflow-calodream-energy";
    public static final int FORMAT_VERSION = 1;
    public static final String JSON_FILE = "energy.json";
    public static final String PARAMS_FILE = "params.bin";

    /** The Settings components in energy.json, in record order. */
    static final List<String> SETTINGS_KEYS = List.of("positions", "conditions", "embedding", "heads", "encoderLayers",
            "decoderLayers", "feedForward", "timeEmbedding", "timeScale", "headWidth", "headLayers");

    private EnergyCheckpoint() {
    }

    /** Writes {@code dir/energy.json} and {@code dir/params.bin} (directory created if needed). */
    public static void save(EnergyModel model, Path dir) {
        List<NDArray> params = model.parameters();
        List<String> names = model.parameterNames();
        Map<String, NDArray> buffers = model.network().buffers();
        try {
            Files.createDirectories(dir);
            ObjectNode root = Json.object();
            root.put("format", FORMAT);
            root.put("formatVersion", FORMAT_VERSION);
            root.put("dataType", model.dataType() == DataType.FLOAT64 ? "float64" : "float32");
            root.put("seed", model.seed());
            root.set("settings", settingsTree(model.settings()));
            ObjectNode enc = root.putObject("encoding");
            enc.put("delta", EnergyEncoding.DELTA);
            ArrayNode mean = enc.putArray("mean"), std = enc.putArray("std");
            for (double v : model.encoding().mean()) mean.add(v);
            for (double v : model.encoding().std()) std.add(v);
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
            Json.PRETTY.writeValue(dir.resolve(JSON_FILE).toFile(), root);
        } catch (IOException e) {
            throw new UserError("cannot write energy network " + dir + ": " + e.getMessage(), e);
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

    static ObjectNode settingsTree(EnergyNetwork.Settings s) {
        ObjectNode o = Json.object();
        o.put("positions", s.positions());
        o.put("conditions", s.conditions());
        o.put("embedding", s.embedding());
        o.put("heads", s.heads());
        o.put("encoderLayers", s.encoderLayers());
        o.put("decoderLayers", s.decoderLayers());
        o.put("feedForward", s.feedForward());
        o.put("timeEmbedding", s.timeEmbedding());
        o.put("timeScale", s.timeScale());
        o.put("headWidth", s.headWidth());
        o.put("headLayers", s.headLayers());
        return o;
    }

    private static EnergyNetwork.Settings settingsFrom(JsonNode o, Path json) {
        if (o == null || !o.isObject()) throw new UserError(json + ": no 'settings' object");
        for (String k : SETTINGS_KEYS) {
            JsonNode v = o.get(k);
            if (v == null || !v.isNumber()) throw new UserError(json + ": settings." + k + " is missing or not a number");
        }
        try {
            return new EnergyNetwork.Settings(o.get("positions").asInt(), o.get("conditions").asInt(), o.get("embedding").asInt(),
                    o.get("heads").asInt(), o.get("encoderLayers").asInt(), o.get("decoderLayers").asInt(),
                    o.get("feedForward").asInt(), o.get("timeEmbedding").asInt(), o.get("timeScale").asDouble(),
                    o.get("headWidth").asInt(), o.get("headLayers").asInt());
        } catch (IllegalArgumentException e) {
            throw new UserError(json + ": settings: " + e.getMessage());
        }
    }

    private static double[] doubles(JsonNode a, int n, Path json, String key) {
        if (a == null || !a.isArray() || a.size() != n) throw new UserError(json + ": " + key + " must list " + n + " numbers");
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            if (!a.get(i).isNumber()) throw new UserError(json + ": " + key + "[" + i + "] is not a number");
            v[i] = a.get(i).asDouble();
        }
        return v;
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

    /** Loads a folder written by {@link #save}, whatever its settings. */
    public static EnergyModel load(Path dir, NDManager root) {
        return load(dir, root, null);
    }

    /** Loads a folder; {@code expected} non-null: its settings must equal these, else a UserError naming the file. */
    public static EnergyModel load(Path dir, NDManager root, EnergyNetwork.Settings expected) {
        Path json = dir.resolve(JSON_FILE), bin = dir.resolve(PARAMS_FILE);
        if (!Files.isRegularFile(json) || !Files.isRegularFile(bin))
            throw new UserError("not an energy network folder: " + dir + " (needs " + JSON_FILE + " and " + PARAMS_FILE + ")");
        JsonNode j;
        try {
            j = Json.read(json);
        } catch (IOException e) {
            throw new UserError("cannot read " + json + ": " + e.getMessage(), e);
        }
        if (j == null || !FORMAT.equals(j.path("format").asText()))
            throw new UserError(json + ": not an energy network (format '" + (j == null ? "" : j.path("format").asText())
                    + "', expected '" + FORMAT + "')");
        int v = j.path("formatVersion").asInt(-1);
        if (v != FORMAT_VERSION)
            throw new UserError(json + ": energy network format version " + v + " is not supported (this build reads " + FORMAT_VERSION + ")");
        EnergyNetwork.Settings s = settingsFrom(j.get("settings"), json);
        if (expected != null && !s.equals(expected))
            throw new UserError(json + ": the saved network's settings " + s + " differ from the configured " + expected);
        String dt = j.path("dataType").asText();
        DataType type = switch (dt) {
            case "float32" -> DataType.FLOAT32;
            case "float64" -> DataType.FLOAT64;
            default -> throw new UserError(json + ": unknown dataType '" + dt + "'");
        };
        JsonNode enc = j.get("encoding");
        if (enc == null || !enc.isObject()) throw new UserError(json + ": no 'encoding' object");
        if (enc.path("delta").asDouble(-1) != EnergyEncoding.DELTA)
            throw new UserError(json + ": encoding.delta " + enc.path("delta") + " is not this build's " + EnergyEncoding.DELTA);
        EnergyEncoding encoding;
        try {
            encoding = new EnergyEncoding(doubles(enc.get("mean"), s.positions(), json, "encoding.mean"),
                    doubles(enc.get("std"), s.positions(), json, "encoding.std"));
        } catch (IllegalArgumentException e) {
            throw new UserError(json + ": encoding: " + e.getMessage());
        }
        List<long[]> pShapes = new ArrayList<>(), bShapes = new ArrayList<>();
        List<String> pNames = listed(j, "parameters", json, pShapes), bNames = listed(j, "buffers", json, bShapes);
        EnergyModel model = new EnergyModel(root, s, j.path("seed").asLong(0), type, encoding);
        try {
            List<NDArray> dst = new ArrayList<>(model.parameters());
            List<String> names = new ArrayList<>(model.parameterNames());
            if (!pNames.equals(names))
                throw new UserError(json + ": parameter names do not match the network of its settings (" + pNames.size()
                        + " listed, " + names.size() + " expected" + firstDifference(pNames, names) + ")");
            Map<String, NDArray> buffers = model.network().buffers();
            if (!bNames.equals(new ArrayList<>(buffers.keySet())))
                throw new UserError(json + ": buffers " + bNames + " are not the network's " + buffers.keySet());
            dst.addAll(buffers.values());
            names.addAll(buffers.keySet());
            List<long[]> shapes = new ArrayList<>(pShapes);
            shapes.addAll(bShapes);
            for (int i = 0; i < dst.size(); i++) {
                if (!java.util.Arrays.equals(shapes.get(i), dst.get(i).getShape().getShape()))
                    throw new UserError(json + ": " + names.get(i) + " has shape " + java.util.Arrays.toString(shapes.get(i))
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
        } catch (IOException | RuntimeException e) {
            model.close();
            if (e instanceof UserError u) throw u;
            throw new UserError("cannot read energy network parameters " + bin + ": " + e.getMessage(), e);
        }
        model.markParametersChanged();
        return model;
    }

    private static String firstDifference(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) return "; first difference at " + i + ": '" + a.get(i) + "' vs '" + b.get(i) + "'";
        }
        return "";
    }
}
