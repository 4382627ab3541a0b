package org.icaloflow.train;

import org.icaloflow.preprocess.EncodedShowers;
import org.icaloflow.preprocess.Preprocessing;

/** The samples of Flow-1, 2 or 3 from a preprocessed file. */
public final class FlowData {
    private FlowData() {
    }

    /**
     * @param maxShowers use the first this many showers (0: all)
     */
    public static TrainingData of(int flow, EncodedShowers file, TrainingSettings s, int maxShowers) {
        if (flow == 3) return new NextLayerData(file, s.chunkShowers(), maxShowers);
        int n = maxShowers > 0 ? Math.min(maxShowers, file.rows()) : file.rows();
        int layers = file.layers(), vpl = file.voxelsPerLayer();
        int dim = flow == 1 ? layers : vpl, cdim = flow == 1 ? 1 : 2;
        float[] x = new float[n * dim], c = new float[n * cdim];
        int step = Math.max(1, (1 << 24) / file.width());   // about 64 MB per read
        for (int from = 0; from < n; from += step) {
            int count = Math.min(step, n - from);
            Preprocessing.Encoded e = new Preprocessing.Encoded(count, layers, vpl, file.read(from, count));
            float[] bx = flow == 1 ? e.flow1Target() : e.flow2Target();
            float[] bc = flow == 1 ? e.flow1Condition() : e.flow2Condition();
            System.arraycopy(bx, 0, x, from * dim, bx.length);
            System.arraycopy(bc, 0, c, from * cdim, bc.length);
        }
        return new InMemoryData(x, dim, c, cdim);
    }
}
