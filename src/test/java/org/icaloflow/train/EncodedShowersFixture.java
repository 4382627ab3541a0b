package org.icaloflow.train;

import org.icaloflow.preprocess.EncodedShowers;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A small preprocessed file for tests: row s has incident condition s (its id), voxel energies in MeV with
 * about half the voxels empty and every layer with (s + layer) % 3 == 0 empty, and the layer sums.
 */
record EncodedShowersFixture(Path path, int rows, int layers, int vpl, long seed) {
    static final long NOISE_SEED = 77;

    float[] data() {
        int w = EncodedShowers.width(layers, vpl);
        float[] d = new float[rows * w];
        SplittableRandom r = new SplittableRandom(seed);
        for (int s = 0; s < rows; s++) {
            d[s * w] = s;
            for (int l = 0; l < layers; l++) {
                double sum = 0;
                for (int v = 0; v < vpl; v++) {
                    float e = (s + l) % 3 == 0 || r.nextBoolean() ? 0f : (float) (r.nextDouble() * 40);
                    d[s * w + 1 + layers + l * vpl + v] = e;
                    sum += e;
                }
                d[s * w + 1 + l] = (float) sum;
            }
        }
        return d;
    }

    EncodedShowers open() {
        try (EncodedShowers.Writer wr = new EncodedShowers.Writer(path, layers, vpl, NOISE_SEED)) {
            wr.append(data(), rows);
            wr.commit();
        }
        return EncodedShowers.open(path);
    }
}
