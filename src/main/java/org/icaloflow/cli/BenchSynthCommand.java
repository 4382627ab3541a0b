package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.IncidentEnergies;
import org.icaloflow.synth.ShowerGenerator;
import org.icaloflow.synth.SynthParameters;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;

/** {@code icaloflow bench synth}: showers per second of the synthetic shower generator. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Benchmark the synthetic (GFlash-style) shower generator: showers per second for "
                + "log-uniform 1 GeV - 1 TeV incident energies, after a warm-up.")
public final class BenchSynthCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--geometry", defaultValue = "ds2", description = "ds2, ds3 or a binning XML file (default: ${DEFAULT-VALUE})")
    String geometry;

    @Option(names = "--events", defaultValue = "2000", description = "showers per timed round (default: ${DEFAULT-VALUE})")
    int events;

    @Option(names = "--rounds", defaultValue = "3", description = "timed rounds; the best and the mean are shown (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--warmup", defaultValue = "1", description = "untimed warm-up rounds (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public void run() {
        if (events < 1) throw new UserError("--events must be at least 1");
        if (rounds < 1) throw new UserError("--rounds must be at least 1");
        if (warmup < 0) throw new UserError("--warmup must not be negative");
        Geometry g = Geometry.forName(geometry);
        long floats = (long) events * g.voxels();
        if (floats > Integer.MAX_VALUE - 16)
            throw new UserError("--events " + events + " x " + g.voxels() + " voxels does not fit one array; use fewer events");
        ShowerGenerator gen = new ShowerGenerator(g, SynthParameters.defaults());
        double[] energies = IncidentEnergies.logUniform(events, seed);
        float[] out = new float[(int) floats];
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "bench synth: %s, %d showers per round (log-uniform 1 GeV - 1 TeV), %d warm-up + %d timed rounds, %d threads%n",
                g, events, warmup, rounds, ForkJoinPool.commonPool().getParallelism() + 1);
        w.flush();
        for (int i = 0; i < warmup; i++) gen.generate(energies, seed, 0, out);
        double best = Double.POSITIVE_INFINITY, total = 0;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            gen.generate(energies, seed, (long) (i + 1) * events, out);
            double s = (System.nanoTime() - t0) / 1e9;
            best = Math.min(best, s);
            total += s;
            w.printf(Locale.ROOT, "  round %d: %.3f s, %.0f showers/s%n", i + 1, s, events / s);
            w.flush();
        }
        double nonzero = 0;
        for (float x : out) if (x != 0f) nonzero++;
        w.printf(Locale.ROOT, "showers/s: %.0f (mean), %.0f (best); %.3f ms per shower; %.1f%% voxels nonzero%n",
                events * rounds / total, events / best, 1e3 * total / (events * rounds), 100 * nonzero / out.length);
        w.flush();
    }
}
