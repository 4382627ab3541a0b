package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerFile;
import org.icaloflow.data.ShowerSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code icaloflow validate}: checks CaloChallenge HDF5 files and prints summary statistics. */
@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Check CaloChallenge HDF5 shower files and print summary statistics.",
        descriptionHeading = "%n",
        description = {
                "Streams every row of the given files (read together as one sample) in batches, so memory "
                        + "use stays small whatever the file size.",
                "",
                "A file is valid when it is HDF5 with datasets 'incident_energies' (N,1) or (N,) and "
                        + "'showers' (N, voxels), both float32 or float64 (MeV), the width matching the geometry, "
                        + "every value finite, every incident energy positive and no voxel energy negative.",
                "",
                "Prints the number of showers, voxels per shower, incident energy range, mean E_tot/E_inc "
                        + "and the fraction of zero voxels. Exit code 0 when valid; 2 with a one-line "
                        + "'icaloflow: error: FILE: problem' (naming the row for bad values) otherwise.",
                "",
                "An --input that does not exist but has parts NAME.part0001.hdf5, NAME.part0002.hdf5, ... "
                        + "(as large outputs are written) stands for those parts."},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n",
        footer = {"Example (dataset 3 comes in two files):",
                "  icaloflow validate --geometry ds3 \\",
                "      --input dataset_3_1.hdf5 --input dataset_3_2.hdf5"})
public final class ValidateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = {"-g", "--geometry"}, required = true, paramLabel = "ds2|ds3|FILE.xml",
            description = "Calorimeter geometry: ds2, ds3, or an official binning XML file (binning_dataset_N.xml).")
    String geometry;

    @Option(names = {"-i", "--input"}, required = true, arity = "1", paramLabel = "FILE.hdf5",
            description = "File to check; repeat for several files (read in order as one sample).")
    List<Path> inputs;

    @Option(names = "--batch", defaultValue = "1000", paramLabel = "ROWS",
            description = "Showers read per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public void run() {
        if (batch < 1) throw new UserError("--batch must be at least 1, got " + batch);
        Geometry g = Geometry.forName(geometry);
        PrintWriter out = spec.commandLine().getOut();
        try (ShowerSource src = ShowerSource.open(inputs, g)) {
            for (ShowerFile f : src.showerFiles())
                out.printf(Locale.ROOT, "file: %s (%d showers, showers %s)%n", f.path(), f.size(),
                        f.showerPrecision().name().toLowerCase(Locale.ROOT));
            long n = src.size();
            double eMin = Double.POSITIVE_INFINITY, eMax = Double.NEGATIVE_INFINITY, ratioSum = 0;
            long zeros = 0;
            int v = g.voxels();
            for (long from = 0; from < n; from += batch) {
                ShowerBatch b = src.read(from, (int) Math.min(batch, n - from));
                float[] s = b.showersMeV();
                double[] e = b.incidentEnergyMeV();
                for (int r = 0; r < b.size(); r++) {
                    eMin = Math.min(eMin, e[r]);
                    eMax = Math.max(eMax, e[r]);
                    double sum = 0;
                    for (int k = r * v, end = k + v; k < end; k++) {
                        float x = s[k];
                        sum += x;
                        if (x == 0) zeros++;
                    }
                    ratioSum += sum / e[r];
                }
            }
            out.printf(Locale.ROOT, "showers: %d%n", n);
            out.printf(Locale.ROOT, "voxels: %d (geometry %s, %d layers)%n", v, g.name(), g.layers());
            if (n > 0) {
                out.printf(Locale.ROOT, "incident energy: min %.6g MeV, max %.6g MeV%n", eMin, eMax);
                out.printf(Locale.ROOT, "mean E_tot/E_inc: %.6f%n", ratioSum / n);
                out.printf(Locale.ROOT, "zero voxels: %.6f%n", zeros / ((double) n * v));
            }
            out.println("valid");
            out.flush();
        }
    }
}
