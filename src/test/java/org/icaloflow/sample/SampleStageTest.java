package org.icaloflow.sample;

import com.fasterxml.jackson.databind.JsonNode;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerFile;
import org.icaloflow.data.ShowerWriter;
import org.icaloflow.data.StageManifest;
import org.icaloflow.flow.EvalKernels;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.flow.io.FlowCheckpoint;
import org.icaloflow.stage.StageTracking;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** SampleStage called with its inputs record, without the CLI (the command's own test covers the options). */
class SampleStageTest {
    static {
        TinyFlows.singleThreaded();
    }

    @TempDir
    Path dir;

    /** On both eval-mode paths (the CPU kernels; the tensor code a CUDA device runs), which the manifest records. */
    @ParameterizedTest
    @EnumSource(EvalKernels.Choice.class)
    void givenEnergiesGiveThoseShowersAndTheManifestRecordsModelsAndCounts(EvalKernels.Choice path) throws Exception {
        // the tensor path takes a 144-step MAF Flow-3 four times as long as the CPU kernels (44 layers x 3 batches):
        // there the teacher is Flow-2 (one layer) and the student Flow-3, so both branches still run, quickly
        boolean tensor = path == EvalKernels.Choice.TENSOR;
        Path f1 = TinyFlows.save(dir.resolve("f1"), 1, FlowKind.MAF, 1);
        Path f2 = TinyFlows.save(dir.resolve("f2"), 2, tensor ? FlowKind.MAF : FlowKind.IAF, 2);
        Path f3 = TinyFlows.save(dir.resolve("f3"), 3, tensor ? FlowKind.IAF : FlowKind.MAF, 3);
        double[] e = {1_000, 5_000, 20_000, 100_000, 500_000};
        Path out = dir.resolve("run.hdf5"), manifest = dir.resolve("m.json");
        SampleStage.Result r;
        try (EvalKernels.Selection s = EvalKernels.select(path)) {
            r = SampleStage.run(new SampleStage.Inputs(Geometry.ds2(), f1, f2, f3, e, "five.txt", 3, 2, out,
                    0.015, false, null, manifest, ShowerWriter.Precision.FLOAT32, 100_000, 0, StageTracking.fromEnvironment()));
        }

        assertEquals(List.of(out), r.files());
        assertEquals(manifest, r.manifest());
        try (ShowerFile f = ShowerFile.open(out, Geometry.ds2())) {
            assertArrayEquals(e, f.read(0, 5).incidentEnergyMeV());
        }
        JsonNode m = StageManifest.read(manifest);
        assertEquals("sample", m.path("stage").asText());
        assertEquals("five.txt", m.path("settings").path("energies").asText());
        assertEquals(0.015, m.path("settings").path("threshold_mev").asDouble());
        assertEquals(path == EvalKernels.Choice.AUTO ? "cpu" : "tensor", m.path("settings").path("kernels").asText());
        assertEquals(5, m.path("counts").path("showers").asInt());
        assertEquals(3, m.path("counts").path("batches").asInt(), "5 showers in batches of 2");
        assertEquals(tensor ? "teacher" : "student", m.path("variants").path("flow2").asText());
        assertEquals(tensor ? "student" : "teacher", m.path("variants").path("flow3").asText());
        // the inputs are the three parameter files, hashed here independently
        JsonNode in = m.path("inputs");
        assertEquals(3, in.size());
        int i = 0;
        for (Path model : List.of(f1, f2, f3)) {
            byte[] bytes = Files.readAllBytes(model.resolve("model").resolve(FlowCheckpoint.PARAMS_FILE));   // TinyFlows saves into dir/model
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
                    in.get(i++).path("sha256").asText());
        }
        assertEquals("run.hdf5", m.path("outputs").get(0).path("path").asText());
        assertTrue(Files.isRegularFile(dir.resolve("run.journal.jsonl")), "the run's journal beside the output");
    }
}
