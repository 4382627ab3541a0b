package org.icaloflow.train;

import org.icaloflow.FlowRole;
import org.icaloflow.preprocess.EncodedShowers;

/** The samples of Flow-1, 2 or 3 from a preprocessed file, with fresh noise per pass ({@link TrainingData#withNoise}). */
public final class FlowData {
    private FlowData() {
    }

    /**
     * @param maxShowers use the first this many showers (0: all)
     */
    public static TrainingData of(FlowRole flow, EncodedShowers file, TrainingSettings s, int maxShowers) {
        if (flow == FlowRole.NEXT_LAYER) return new NextLayerData(file, s.chunkShowers(), maxShowers);
        int n = maxShowers > 0 ? Math.min(maxShowers, file.rows()) : file.rows();
        return DequantisedData.read(flow, file, n);
    }
}
