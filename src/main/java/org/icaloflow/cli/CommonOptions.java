package org.icaloflow.cli;

import org.icaloflow.EngineThreads;
import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerWriter;
import org.icaloflow.preprocess.ShowerEncoding;
import picocli.CommandLine.Option;

/**
 * Options several commands declare alike (picocli mixins: {@code @Mixin CommonOptions.Seed seed;}), each with the
 * one name, default, label and description it has everywhere. With sortOptions = false a mixin's options stand in
 * the help where its field stands, so a command keeps its option order by placing the field.
 */
final class CommonOptions {
    private CommonOptions() {
    }

    /** -g/--geometry, any geometry. */
    static final class AnyGeometry {
        @Option(names = {"-g", "--geometry"}, required = true, paramLabel = "ds2|ds3|FILE.xml", description = "Calorimeter geometry.")
        String geometry;

        Geometry get() {
            return Geometry.forName(geometry);
        }
    }

    /** -g/--geometry of the commands that read showers (features, evaluate): the help names the XML form. */
    static final class ReadGeometry {
        @Option(names = {"-g", "--geometry"}, required = true, paramLabel = "ds2|ds3|FILE.xml",
                description = "Calorimeter geometry: ds2, ds3, or an official binning XML file.")
        String geometry;

        Geometry get() {
            return Geometry.forName(geometry);
        }
    }

    /** --seed of the shower generators. */
    static final class Seed {
        @Option(names = "--seed", defaultValue = "1234", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;
    }

    /** --precision of written showers. */
    static final class Precision {
        @Option(names = "--precision", defaultValue = "float32", paramLabel = "float32|float64",
                description = "Storage type of the showers (default: ${DEFAULT-VALUE}).")
        String precision;

        ShowerWriter.Precision get() {
            return ShowerWriter.Precision.parse(precision, "--precision");
        }
    }

    /** --rows-per-part of written showers. */
    static final class RowsPerPart {
        @Option(names = "--rows-per-part", defaultValue = "100000", paramLabel = "ROWS",
                description = "Largest number of rows in one output file before writing parts (default: ${DEFAULT-VALUE}).")
        long rowsPerPart;
    }

    /** --threads of the PyTorch engine (sample, bench sample). */
    static final class Threads {
        @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
                description = "PyTorch intra-op threads on CPU (0: engine default). 1 avoids OpenMP spinning on a shared or busy machine.")
        int threads;

        /** The threads, checked ({@link EngineThreads#set} applies them). */
        int get() {
            if (threads < 0) throw new UserError("--threads must be >= 0, got " + threads);
            return threads;
        }
    }

    /** --threshold and --batch of the commands that stream showers through the features (features, evaluate). */
    static final class ShowerReading {
        @Option(names = "--threshold", defaultValue = "" + ShowerEncoding.THRESHOLD_MEV, paramLabel = "MeV",
                description = "Voxels below this energy count as empty (default: 0.5e-3/0.033 = ${DEFAULT-VALUE} MeV).")
        double threshold;

        @Option(names = "--batch", defaultValue = "0", paramLabel = "ROWS",
                description = "Showers read per batch (default: about 4 million voxels' worth).")
        int batch;

        /** --batch, checked (0: the reader's default). */
        int batch() {
            if (batch < 0) throw new UserError("--batch must be at least 1, got " + batch);
            return batch;
        }
    }
}
