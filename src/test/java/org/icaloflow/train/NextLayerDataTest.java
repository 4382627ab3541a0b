package org.icaloflow.train;

import org.icaloflow.preprocess.EncodedShowers;
import org.icaloflow.preprocess.Preprocessing;
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

    /** A file of 7 showers, 5 layers, 3 voxels per layer, with values encoding (shower, layer, voxel). */
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
            assertEquals(Preprocessing.flow3ConditionWidth(5, 3), d.conditionDim());
            List<TrainingData.Batch> batches = all(d.batches(5, true, 42, 0));
            assertEquals(6, batches.size());
            Set<String> seen = new HashSet<>();
            int cw = d.conditionDim();
            for (TrainingData.Batch b : batches) {
                for (int i = 0; i < b.n(); i++) {
                    int s = (int) b.c()[i * cw];
                    int l = (int) ((b.x()[i * 3] - 1000 * s) / 10);
                    assertTrue(seen.add(s + ":" + l), "pair seen twice");
                    assertEquals(100 + l, b.c()[i * cw + 1]);            // E_i
                    assertEquals(100 + l - 1, b.c()[i * cw + 2]);        // E_{i-1}
                    assertEquals(1000 * s + 10 * (l - 1), b.c()[i * cw + 3]);  // previous layer's voxels
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
