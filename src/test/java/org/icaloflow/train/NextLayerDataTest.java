package org.icaloflow.train;

import org.icaloflow.preprocess.EncodedShowers;
import org.icaloflow.preprocess.ShowerEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class NextLayerDataTest {
    @TempDir
    Path dir;

    /** A file of 7 showers, 5 layers, 3 voxels per layer, with MeV values encoding (shower, layer, voxel). */
    EncodedShowers file() {
        int layers = 5, vpl = 3, w = EncodedShowers.width(layers, vpl);
        float[] rows = new float[7 * w];
        for (int s = 0; s < 7; s++) {
            rows[s * w] = s;                                   // incident condition = shower id
            for (int l = 0; l < layers; l++) rows[s * w + 1 + l] = 100 + l;
            for (int l = 0; l < layers; l++)
                for (int v = 0; v < vpl; v++) rows[s * w + 1 + layers + l * vpl + v] = 1000 * s + 10 * l + v;
        }
        Path p = dir.resolve("e.f32");
        try (EncodedShowers.Writer wr = new EncodedShowers.Writer(p, layers, vpl)) {
            wr.append(rows, 7);
            wr.commit();
        }
        return EncodedShowers.open(p);
    }

    List<TrainingData.Batch> all(Iterator<TrainingData.Batch> it) {
        List<TrainingData.Batch> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    @Test
    void everyPairOnceWithItsConditionAndDeterministicOrder() {
        try (EncodedShowers f = file()) {
            NextLayerData d = new NextLayerData(f, 3, 0);
            assertEquals(7 * 4, d.size());
            assertEquals(3, d.dim());
            assertEquals(ShowerEncoding.flow3ConditionWidth(5, 3), d.conditionDim());
            List<TrainingData.Batch> batches = all(d.batches(5, true, 42, 0));
            assertEquals(6, batches.size());
            Set<String> seen = new HashSet<>();
            int cw = d.conditionDim();
            for (TrainingData.Batch b : batches) {
                for (int i = 0; i < b.n(); i++) {
                    int s = (int) b.c()[i * cw];
                    int l = 0;
                    for (int k = 0; k < 4; k++) if (b.c()[i * cw + 6 + k] == 1f) l = k + 1;
                    assertTrue(seen.add(s + ":" + l), "pair seen twice");
                    // the file holds MeV: served values are encoded (Appendix A) with noise of at most 5 keV
                    double ei = ShowerEncoding.layerEnergyFromTarget(b.c()[i * cw + 1]);
                    double ep = ShowerEncoding.layerEnergyFromTarget(b.c()[i * cw + 2]);
                    assertTrue(ei >= 100 + l - 1e-3 && ei <= 100 + l + 5e-3 + 1e-3, "E_i " + ei);
                    assertTrue(ep >= 100 + l - 1 - 1e-3 && ep <= 100 + l - 1 + 5e-3 + 1e-3, "E_i-1 " + ep);
                    double sumT = 3 * (1000 * s + 10 * l) + 3, sumP = 3 * (1000 * s + 10 * (l - 1)) + 3;
                    for (int v = 0; v < 3; v++) {
                        assertEquals((1000 * s + 10 * l + v) / sumT, ShowerEncoding.inverseLogit(b.x()[i * 3 + v]), 1e-3, "target");
                        if (s + l > 1)
                            assertEquals((1000 * s + 10 * (l - 1) + v) / sumP, ShowerEncoding.inverseLogit(b.c()[i * cw + 3 + v]), 1e-3, "previous layer");
                    }
                    assertEquals(1f, b.c()[i * cw + 6 + (l - 1)]);       // one-hot
                }
            }
            assertEquals(28, seen.size());
            List<TrainingData.Batch> again = all(d.batches(5, true, 42, 0));
            assertArrayEquals(batches.get(3).x(), again.get(3).x());
            List<TrainingData.Batch> skipped = all(d.batches(5, true, 42, 2));
            assertEquals(4, skipped.size());
            assertArrayEquals(batches.get(2).c(), skipped.get(0).c(), "skip resumes at the same batch");
            assertNotEquals(java.util.Arrays.toString(batches.get(0).x()),
                    java.util.Arrays.toString(all(d.batches(5, true, 43, 0)).get(0).x()));
        }
    }
}
