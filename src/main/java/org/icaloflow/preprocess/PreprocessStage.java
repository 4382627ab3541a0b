package org.icaloflow.preprocess;

import org.icaloflow.data.Geometry;

import java.nio.file.Path;
import java.util.List;

/** The preprocess stage: {@link Preprocessor} on the input files, with a summary line. */
public final class PreprocessStage {
    /**
     * @param trainFraction the training share of the showers, the rest is the selection set
     * @param seed          the split's and the dequantisation noise's seed
     */
    public record Inputs(Geometry geometry, List<Path> inputs, Path out, double trainFraction, long seed, int batch) {
    }

    private PreprocessStage() {
    }

    public static Preprocessor.Result run(Inputs in) {
        Preprocessor.Result r = Preprocessor.run(in.geometry(), in.inputs(), in.out(), in.trainFraction(), in.seed(), in.batch());
        System.err.printf("icaloflow preprocess: %d training and %d selection showers -> %s%n", r.train(), r.select(), in.out());
        return r;
    }
}
