package org.icaloflow.preprocess;

import org.icaloflow.config.RunConfig;
import org.icaloflow.data.Geometry;

import java.nio.file.Path;
import java.util.List;

/** The preprocess stage: the configuration's defaults where the inputs leave them out, then {@link Preprocessor}. */
public final class PreprocessStage {
    /**
     * @param config        null, or the run configuration whose 'preprocess' section gives the defaults
     * @param trainFraction null: the configuration's, else 0.7
     * @param seed          null: the configuration's, else 1234
     */
    public record Inputs(Geometry geometry, List<Path> inputs, Path out, Path config, Double trainFraction, Long seed,
                         int batch) {
    }

    private PreprocessStage() {
    }

    public static Preprocessor.Result run(Inputs in) {
        RunConfig.Preprocess p = in.config() != null ? RunConfig.load(in.config()).preprocess() : new RunConfig.Preprocess(null, null);
        double fraction = in.trainFraction() != null ? in.trainFraction() : p.trainFraction();
        long s = in.seed() != null ? in.seed() : p.seed();
        Preprocessor.Result r = Preprocessor.run(in.geometry(), in.inputs(), in.out(), fraction, s, in.batch());
        System.err.printf("icaloflow preprocess: %d training and %d selection showers -> %s%n", r.train(), r.select(), in.out());
        return r;
    }
}
