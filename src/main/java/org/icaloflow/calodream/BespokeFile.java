package org.icaloflow.calodream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.icaloflow.UserError;
import org.icaloflow.cfm.BespokeSolver;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trained BNS solver's folder file {@code bespoke.json} (format {@code icaloflow-calodream-bespoke}, formatVersion
 * 1): the solver (steps, a, b rows, raw times τ and the normalised t), which shape network it was trained for
 * (folder and SHA-256 of its params.bin), and what it bought ({@code validation}: Euler vs trained vs the reference;
 * written by {@link BespokeTrainStage}). {@link #load} reads the solver back for {@code dream sample --solver bespoke}.
 */
public final class BespokeFile {
    public static final String FORMAT = "icaloflow-calodream-bespoke";
    public static final int FORMAT_VERSION = 1;
    public static final String JSON_FILE = "bespoke.json";

    /** The solver, its loss and the SHA-256 of the shape network's params.bin it was trained for. */
    public record Loaded(BespokeSolver.Coefficients coefficients, String loss, String shapeParamsSha256) {
    }

    private BespokeFile() {
    }

    /** The solver's part of the file (format, steps, parameter count, a, b, τ, t). */
    static ObjectNode solverTree(BespokeSolver.Coefficients c) {
        ObjectNode o = Json.object();
        o.put("format", FORMAT);
        o.put("formatVersion", FORMAT_VERSION);
        o.put("steps", c.steps());
        o.put("parameters", BespokeSolver.parameterCount(c.steps()));
        ArrayNode a = o.putArray("a");
        for (double x : c.a()) a.add(x);
        ArrayNode b = o.putArray("b");
        for (double[] row : c.b()) {
            ArrayNode r = b.addArray();
            for (double x : row) r.add(x);
        }
        ArrayNode tau = o.putArray("tau");
        for (double x : c.tau()) tau.add(x);
        ArrayNode t = o.putArray("times");
        for (double x : c.times()) t.add(x);
        return o;
    }

    static void write(Path file, ObjectNode tree) {
        try {
            AtomicFiles.writeString(file, Json.pretty(tree) + "\n");
        } catch (IOException e) {
            throw new UserError(file + ": cannot write (" + e.getMessage() + ")");
        }
    }

    /** {@code dir}/bespoke.json's solver; every problem a one-line UserError naming the file. */
    public static Loaded load(Path dir) {
        Path f = dir.resolve(JSON_FILE);
        if (!Files.isRegularFile(f)) throw new UserError(dir + ": no " + JSON_FILE + " (not a dream train --network bespoke folder)");
        JsonNode o;
        try {
            o = Json.read(f);
        } catch (IOException e) {
            throw new UserError(f + ": not a readable JSON file (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (!FORMAT.equals(o.path("format").asText()))
            throw new UserError(f + ": format '" + o.path("format").asText() + "', expected " + FORMAT);
        if (o.path("formatVersion").asInt(-1) != FORMAT_VERSION)
            throw new UserError(f + ": formatVersion " + o.path("formatVersion") + ", this build reads " + FORMAT_VERSION);
        int n = o.path("steps").asInt(0);
        if (n < 1) throw new UserError(f + ": steps must be >= 1, got " + o.path("steps"));
        double[] a = numbers(o.path("a"), n, f, "a");
        double[] tau = numbers(o.path("tau"), n + 1, f, "tau");
        JsonNode b = o.path("b");
        if (!b.isArray() || b.size() != n) throw new UserError(f + ": b must be " + n + " rows");
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) rows[i] = numbers(b.get(i), i + 1, f, "b[" + i + "]");
        if (tau[n] == tau[0]) throw new UserError(f + ": tau_N equals tau_0");
        return new Loaded(new BespokeSolver.Coefficients(a, rows, tau), o.path("loss").asText(),
                o.at("/shapeModel/paramsSha256").asText(null));
    }

    private static double[] numbers(JsonNode arr, int size, Path f, String key) {
        if (!arr.isArray() || arr.size() != size) throw new UserError(f + ": " + key + " must be " + size + " numbers");
        double[] v = new double[size];
        for (int i = 0; i < size; i++) {
            if (!arr.get(i).isNumber() || !Double.isFinite(arr.get(i).asDouble()))
                throw new UserError(f + ": " + key + "[" + i + "] is not a finite number");
            v[i] = arr.get(i).asDouble();
        }
        return v;
    }
}
