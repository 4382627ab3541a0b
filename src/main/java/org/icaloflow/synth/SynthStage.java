package org.icaloflow.synth;

import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerWriter;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The synth stage: synthetic CaloChallenge showers from the GFlash-style generator, written in batches. */
public final class SynthStage {
    /**
     * @param energies incident energies (MeV), one shower each
     * @param noiseMeV Gaussian electronic noise per voxel before the readout threshold (0: none)
     */
    public record Inputs(Geometry geometry, double[] energies, long seed, Path out, ShowerWriter.Precision precision,
                         int batch, long rowsPerPart, double noiseMeV) {
    }

    private SynthStage() {
    }

    /** Writes the showers; returns the file, or its parts. */
    public static List<Path> run(Inputs in) {
        Geometry g = in.geometry();
        double[] e = in.energies();
        ShowerGenerator gen = new ShowerGenerator(g, SynthParameters.defaults().withNoise(in.noiseMeV()));
        int v = g.voxels();
        try (ShowerWriter w = new ShowerWriter(in.out(), g, in.precision(), in.rowsPerPart())) {
            for (int from = 0; from < e.length; from += in.batch()) {
                int n = Math.min(in.batch(), e.length - from);
                double[] eb = Arrays.copyOfRange(e, from, from + n);
                float[] showers = new float[n * v];
                gen.generate(eb, in.seed(), from, showers);
                w.append(new ShowerBatch(eb, showers, v));
            }
            List<Path> files = w.commit();
            System.err.printf(Locale.ROOT, "icaloflow synth: %d %s showers -> %s%n", e.length, g.name(),
                    files.size() == 1 ? files.get(0) : files.size() + " parts " + files.get(0) + " ...");
            return files;
        }
    }
}
