package org.icaloflow.cli;

import org.icaloflow.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code icaloflow bench memory}: peak resident memory of Flow-3 training against the number of showers.
 * Each size runs synth, preprocess and a few Flow-3 training steps in fresh JVMs (so each peak is its own),
 * with the same heap limit; streamed training must show (nearly) the same peak for 2k and 20k showers.
 */
@Command(name = "memory", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Peak RSS of Flow-3 teacher training for several numbers of showers (fresh JVM each).",
                "Example: icaloflow bench memory --geometry ds3 --showers 2000,20000 --steps 10"})
public final class BenchMemoryCommand implements Runnable {
    @Option(names = "--geometry", defaultValue = "ds3", description = "ds2 or ds3 (default: ${DEFAULT-VALUE}).")
    String geometry;

    @Option(names = "--showers", defaultValue = "2000,20000", split = ",", description = "Numbers of showers (default: ${DEFAULT-VALUE}).")
    List<Integer> showers;

    @Option(names = "--steps", defaultValue = "10", description = "Flow-3 training steps per size (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--config", description = "Run configuration (default: configs/<geometry>.yaml next to the jar's checkout).")
    Path config;

    @Option(names = "--heap", defaultValue = "3g", description = "JVM heap limit of each run (default: ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--workdir", description = "Scratch folder (default: a temporary folder, deleted afterwards).")
    Path workdir;

    @Override
    public void run() {
        Path jar;
        try {
            jar = Path.of(BenchMemoryCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Path cfg = config != null ? config : jar.getParent().getParent().resolve("configs").resolve(geometry + ".yaml");
        if (!Files.isRegularFile(cfg)) throw new UserError(cfg + ": configuration not found (give --config)");
        Path dir;
        boolean temp = workdir == null;
        try {
            dir = temp ? Files.createTempDirectory("icaloflow-bench-memory") : Files.createDirectories(workdir);
        } catch (Exception e) {
            throw new UserError("cannot create a scratch folder: " + e.getMessage());
        }
        List<String> rows = new ArrayList<>();
        try {
            for (int n : showers) {
                Path d = dir.resolve("n" + n);
                Path h5 = d.resolve("showers.hdf5");
                // parts of 2000 showers: the writer holds a part in the heap (20k DS3 showers in one part are 3.2 GB)
                run(jar, "synth", "-g", geometry, "--events", String.valueOf(n), "--seed", "1", "--rows-per-part", "2000", "--out", h5.toString());
                run(jar, "preprocess", "-g", geometry, "-i", h5.toString(), "-o", d.resolve("pre").toString(), "-c", cfg.toString());
                deleteShowers(h5);
                String out = run(jar, "train", "--flow", "3", "-c", cfg.toString(), "-d", d.resolve("pre").toString(),
                        "-o", d.resolve("train").toString(), "--epochs", "1", "--stop-after-steps", String.valueOf(steps));
                Matcher m = Pattern.compile("peak RSS (\\d+) MiB").matcher(out);
                if (!m.find()) throw new UserError("the training run did not report its peak RSS:\n" + out);
                long bytes = Files.size(d.resolve("pre").resolve("train.f32"));
                rows.add(String.format(Locale.ROOT, "| %,d | %,.0f | %s |", n, bytes / 1048576.0, m.group(1)));
                System.out.printf(Locale.ROOT, "%s, %d showers: training file %.0f MiB, peak RSS of Flow-3 training %s MiB%n",
                        geometry, n, bytes / 1048576.0, m.group(1));
            }
        } catch (Exception e) {
            if (e instanceof UserError u) throw u;
            throw new UserError("benchmark failed: " + e.getMessage());
        } finally {
            if (temp) org.icaloflow.data.AtomicFiles.deleteTreeQuietly(dir);
        }
        System.out.println();
        System.out.println("| showers | train.f32 (MiB) | peak RSS, Flow-3 training (MiB) |");
        System.out.println("|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    private String run(Path jar, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder sb = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) sb.append(line).append('\n');
        }
        if (p.waitFor() != 0) throw new UserError("'" + args[0] + "' failed:\n" + sb);
        return sb.toString();
    }

    /** The shower file or its parts (STEM.partNNNN.EXT). */
    private static void deleteShowers(Path h5) throws java.io.IOException {
        Files.deleteIfExists(h5);
        String name = h5.getFileName().toString(), stem = name.substring(0, name.lastIndexOf('.'));
        try (var parts = Files.list(h5.getParent())) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith(stem + ".part")).toList()) Files.deleteIfExists(p);
        }
    }
}
