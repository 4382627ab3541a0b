package org.icaloflow.train;

import org.icaloflow.preprocess.EncodedShowers;
import org.icaloflow.preprocess.ShowerEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.SplittableRandom;

/** Opt-in timing of the Flow-3 loader (not in the suite: the name matches no surefire pattern); see docs/preprocess.md. */
class LoaderTiming {
    @TempDir
    Path dir;

    @Test
    void time() {
        int L = 45, V = Integer.getInteger("vpl", 144), N = Integer.getInteger("rows", 1500), w = EncodedShowers.width(L, V);
        SplittableRandom r = new SplittableRandom(1);
        Path p = dir.resolve("x.f32");
        try (EncodedShowers.Writer wr = new EncodedShowers.Writer(p, L, V, 7)) {
            float[] row = new float[w];
            for (int s = 0; s < N; s++) {
                row[0] = (float) r.nextDouble(-1.5, 1.5);
                for (int k = 1 + L; k < w; k++) row[k] = r.nextDouble() < 0.6 ? 0f : (float) (r.nextDouble() * 50);
                for (int l = 0; l < L; l++) { double sum = 0; for (int v = 0; v < V; v++) sum += row[1 + L + l * V + v]; row[1 + l] = (float) sum; }
                wr.append(row, 1);
            }
            wr.commit();
        }
        try (EncodedShowers f = EncodedShowers.open(p)) {
            NextLayerData d = new NextLayerData(f, 1000, 0);
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                int nb = 0;
                for (Iterator<TrainingData.Batch> it = d.withNoise(rep).batches(1000, true, rep, 0); it.hasNext() && nb < 40; nb++) it.next();
                double now = (System.nanoTime() - t0) / 1e6 / nb;
                // the old loader's work per batch: positional reads of the chunk, then copies of encoded values
                t0 = System.nanoTime();
                int ob = 0;
                int cw = ShowerEncoding.flow3ConditionWidth(L, V);
                float[] chunk = new float[1000 * w], row = new float[w];
                int[] order = InMemoryData.order(N, true, rep);
                for (int pos = 0; ob < 40; ) {
                    for (int i = 0; i < 1000; i++) { f.read(order[(pos + i) % N], 1, row); System.arraycopy(row, 0, chunk, i * w, w); }
                    ShowerEncoding.Encoded e = new ShowerEncoding.Encoded(1000, L, V, chunk);
                    int[] pairs = InMemoryData.order(1000 * (L - 1), true, rep);
                    for (int b = 0; b < L - 1 && ob < 40; b++, ob++) {
                        float[] x = new float[1000 * V], c = new float[1000 * cw];
                        for (int i = 0; i < 1000; i++) { int q = pairs[b * 1000 + i]; e.layerTarget(q / (L - 1), q % (L - 1) + 1, x, i * V); e.flow3Condition(q / (L - 1), q % (L - 1) + 1, c, i * cw); }
                    }
                    pos += 1000;
                }
                double old = (System.nanoTime() - t0) / 1e6 / ob;
                System.out.printf("TIMING vpl=%d batch=1000: new loader %.2f ms/batch, old-loader work %.2f ms/batch%n", V, now, old);
            }
        }
    }
}
