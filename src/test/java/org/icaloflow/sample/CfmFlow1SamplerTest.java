package org.icaloflow.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.UserError;
import org.icaloflow.calodream.EnergyCheckpoint;
import org.icaloflow.calodream.EnergyModel;
import org.icaloflow.calodream.EnergySampler;
import org.icaloflow.cfm.EnergyEncoding;
import org.icaloflow.cfm.EnergyNetwork;
import org.icaloflow.cfm.EnergyRatios;
import org.icaloflow.cli.Main;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.Json;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerFile;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.icaloflow.preprocess.ShowerEncoding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 16's {@code flow1: cfm}: CaloDREAM's energy network in Flow-1's place, the shapes from iCaloFlow's Flow-2/3.
 * The layer energies are checked against Eq. 2 of the CaloDREAM paper inverted by hand from the network's u-ratios,
 * and layer 1 against Flow-2 evaluated by hand on those energies.
 */
class CfmFlow1SamplerTest {
    @BeforeAll
    static void threads() {
        TinyFlows.singleThreaded();
    }

    static final Geometry G = TinyFlows.DS2;
    static final int L = 45, V = 144;
    static final double[] E = {2e3, 4e4, 3e5, 9e5};
    static final EnergyNetwork.Settings TINY = new EnergyNetwork.Settings(L, 1, 48, 2, 1, 1, 16, 8, 30, 16, 3);

    /** A tiny 45-position energy network whose u come out in range: u_0 ≈ 0.3, logit(u_i) around -1. */
    static EnergyModel energyModel(NDManager root) {
        double[] mean = new double[L], std = new double[L];
        mean[0] = 0.3;
        std[0] = 0.02;
        for (int i = 1; i < L; i++) {
            mean[i] = -1;
            std[i] = 0.5;
        }
        return new EnergyModel(root, TINY, 17, DataType.FLOAT32, new EnergyEncoding(mean, std));
    }

    @Test
    void layerEnergiesAreTheEnergyNetworksAndConditionTheShapeFlows() {
        try (NDManager root = NDManager.newBaseManager()) {
            EnergyModel em = energyModel(root);
            Flow f2 = TinyFlows.create(2, FlowKind.MAF, root, 2);
            Flow f3 = TinyFlows.create(3, FlowKind.MAF, root, 3);
            int steps = 3;
            SampleModels models = SampleModels.withCfmFlow1(G, em, steps, f2, f3);
            assertEquals("flow1=cfm,flow2=teacher,flow3=teacher", models.variants());
            assertEquals("teacher_cfm", SampleStage.variantName(models));
            assertThrows(IllegalStateException.class, models::flow1);
            long seed = 5, first = 40;
            Sampler.Result r = new Sampler(models, root, new Sampler.Options(seed, 0, true)).generate(E, first);
            assertEquals(L, r.layers());
            assertEquals(0, r.nonFinite());

            // Eq. 2 inverted by hand from the network's own u (same draws: the batch's key): E_tot = u_0 f E_inc,
            // E_1 = u_1 E_tot, E_i = u_i (E_tot - E_1 - ... - E_{i-1}), the last layer what remains
            double[] u = EnergySampler.sampleRatios(em, E, BaseNoise.cfmFlow1(seed, first), steps, E.length);
            for (int s = 0; s < E.length; s++) {
                double total = u[s * L] * EnergyRatios.CALODREAM_F * E[s], rest = total;
                double sum = 0;
                for (int l = 0; l < L; l++) {
                    double e = l == L - 1 ? rest : u[s * L + l + 1] * rest;
                    rest -= e;
                    double expect = Math.min(ShowerEncoding.LAYER_SCALE_MEV, Math.max(0, e));
                    double proxy = r.proxyMeV()[s * L + l];
                    assertEquals(expect, proxy, 1e-4 * expect + 1e-6, "shower " + s + " layer " + (l + 1));
                    sum += proxy;
                    // renormalised: the layer's voxels sum to that energy
                    double layer = 0;
                    for (int v = 0; v < V; v++) layer += r.showers().voxel(s, l * V + v);
                    assertEquals(proxy, layer, 1e-4 * proxy + 1e-6, "shower " + s + " layer " + (l + 1) + " voxel sum");
                }
                assertTrue(sum > 0 && sum <= total * (1 + 1e-6), "shower " + s + ": E_tot " + sum);
            }

            // layer 1 by hand: Flow-2 given [E_inc, logit(Ẽ_1 / 65 GeV) / 4], postprocessed, without renormalising
            Sampler.Result plain = new Sampler(models, root, new Sampler.Options(seed, 0, false)).generate(E, first);
            try (NDManager m = root.newSubManager()) {
                int n = E.length;
                float[] z = new float[n * V];
                float[] c = new float[2 * n];
                for (int s = 0; s < n; s++) {
                    BaseNoise.fill(seed, first + s, 0, z, s * V, V);
                    c[2 * s] = (float) ShowerEncoding.incidentCondition(E[s]);
                    c[2 * s + 1] = (float) (ShowerEncoding.layerEnergyCondition(plain.proxyMeV()[s * L]) / ShowerEncoding.FLOW2_LAYER_DIVISOR);
                }
                NDArray y = f2.sampleFrom(m.create(z, new Shape(n, V)), m.create(c, new Shape(n, 2)));
                float[] yv = y.toFloatArray();
                for (int s = 0; s < n; s++) {
                    double p = plain.proxyMeV()[s * L];
                    for (int v = 0; v < V; v++) {
                        double x = 1 / (1 + Math.exp(-yv[s * V + v]));
                        double expect = Math.min(1, Math.max(0, (x - ShowerEncoding.ALPHA) / (1 - 2 * ShowerEncoding.ALPHA))) * p;
                        assertEquals(expect, plain.showers().voxel(s, v), 2e-4 * p + 1e-6, "shower " + s + " voxel " + v);
                    }
                }
            }
            f2.close();
            f3.close();
            em.close();
        }
    }

    @Test
    void sampleTakesAnEnergyNetworkFolderAsFlow1(@TempDir Path dir) throws Exception {
        Path e = dir.resolve("energy"), f2 = dir.resolve("f2"), f3 = dir.resolve("f3");
        try (NDManager root = NDManager.newBaseManager()) {
            EnergyModel em = energyModel(root);
            EnergyCheckpoint.save(em, e.resolve("model"));   // a dream train output folder holds model/
            try (Flow a = TinyFlows.create(2, FlowKind.IAF, root, 2); Flow b = TinyFlows.create(3, FlowKind.IAF, root, 3)) {
                FlowCheckpoint.save(a, f2);
                FlowCheckpoint.save(b, f3);
            }
            em.close();
        }
        Path out = dir.resolve("s.hdf5");
        assertEquals(0, Main.execute("sample", "--geometry", "ds2", "--flow1", e.toString(), "--flow2", f2.toString(), "--flow3", f3.toString(),
                "--energies", "1000,20000,300000", "--seed", "3", "--out", out.toString()));
        try (ShowerFile sf = ShowerFile.open(out, G)) {
            assertEquals(3, sf.size());
            ShowerBatch b = sf.read(0, 3);
            for (float x : b.showersMeV()) assertTrue(Float.isFinite(x) && (x == 0 || x >= ShowerEncoding.THRESHOLD_MEV - 1e-6));
        }
        var manifest = Json.MAPPER.readTree(dir.resolve("s.manifest.json").toFile());
        assertEquals("cfm", manifest.path("variants").path("flow1").asText(), manifest.toString());
        assertEquals("student", manifest.path("variants").path("flow2").asText());
        assertEquals("CFM", manifest.path("models").path("flow1").path("kind").asText());
        assertEquals(64, manifest.path("models").path("flow1").path("params_sha256").asText().length());

        // an energy network for another number of layers: one line naming it
        try (NDManager root = NDManager.newBaseManager()) {
            EnergyModel five = new EnergyModel(root, new EnergyNetwork.Settings(5, 1, 8, 2, 1, 1, 16, 8, 30, 16, 3), 1, DataType.FLOAT32,
                    new EnergyEncoding(new double[]{0.3, -1, -1, -1, -1}, new double[]{0.02, 1, 1, 1, 1}));
            EnergyCheckpoint.save(five, dir.resolve("five"));
            five.close();
            Flow a = FlowCheckpoint.load(f2, root), b = FlowCheckpoint.load(f3, root);
            UserError err = assertThrows(UserError.class, () -> SampleModels.load(G, dir.resolve("five"), f2, f3, root));
            assertTrue(err.getMessage().contains("5 layers") && err.getMessage().contains("45"), err.getMessage());
            a.close();
            b.close();
        }
        assertEquals(2, Main.execute("sample", "--geometry", "ds2", "--flow1", dir.resolve("five").toString(), "--flow2", f2.toString(),
                "--flow3", f3.toString(), "--energies", "1000", "--out", dir.resolve("t.hdf5").toString()));
    }
}
