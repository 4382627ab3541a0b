package org.icaloflow.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.icaloflow.data.Geometry;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.flow.io.FlowCheckpoint;

import java.nio.file.Path;
import java.util.Random;

/** Tiny flows with the DS2 dims (45 | 1, 144 | 2, 144 | 191) or another geometry's, one block, 8 hidden units. */
final class TinyFlows {
    private TinyFlows() {
    }

    static void singleThreaded() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null)
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    static final Geometry DS2 = Geometry.ds2();

    static FlowSpec spec(int flow, FlowKind kind) {
        return spec(DS2, flow, kind);
    }

    static FlowSpec spec(Geometry g, int flow, FlowKind kind) {
        int vpl = g.voxelsPerLayer();
        int dim = flow == 1 ? g.layers() : vpl;
        int cond = switch (flow) {
            case 1 -> 1;
            case 2 -> 2;
            default -> 3 + vpl + g.layers() - 1;
        };
        return new FlowSpec(kind, dim, cond, 0, 8, 1, 4, 6, 10 + flow, 1e-6, 1e-6, 1e-6);
    }

    /** A tiny flow with random parameters (so every input and condition matters). */
    static Flow create(int flow, FlowKind kind, NDManager m, long seed) {
        return create(flow, kind, m, seed, DataType.FLOAT32);
    }

    /** The same in the given type (float64: rounding differences stay far below any tolerance). */
    static Flow create(int flow, FlowKind kind, NDManager m, long seed, DataType type) {
        return create(DS2, flow, kind, m, seed, type);
    }

    /** The same for geometry g. */
    static Flow create(Geometry g, int flow, FlowKind kind, NDManager m, long seed, DataType type) {
        Flow f = Flow.create(spec(g, flow, kind), m, type);
        Random rng = new Random(seed);
        for (NDArray p : f.parameters()) {
            double[] v = new double[(int) p.size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * 0.3);
            if (type == DataType.FLOAT64) {
                p.set(v);
            } else {
                float[] fv = new float[v.length];
                for (int i = 0; i < v.length; i++) fv[i] = (float) v[i];
                p.set(fv);
            }
        }
        f.markParametersChanged();
        return f;
    }

    /** Saves a random tiny flow to dir/model (like a train output folder) and returns dir. */
    static Path save(Path dir, int flow, FlowKind kind, long seed) {
        try (NDManager m = NDManager.newBaseManager(); Flow f = create(flow, kind, m, seed)) {
            FlowCheckpoint.save(f, dir.resolve("model"));
        }
        return dir;
    }
}
