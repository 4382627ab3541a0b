package org.icaloflow;

import java.nio.file.Files;
import java.nio.file.Path;

/** Figures about this process that stages report (peak resident memory for the memory benchmarks). */
public final class ProcessStats {
    private ProcessStats() {
    }

    /** Peak resident set size in MiB (Linux VmHWM), or -1 where /proc is not available. */
    public static double peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] f = line.trim().split("\\s+");
                    return Long.parseLong(f[1]) / 1024.0;   // kB
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }
}
