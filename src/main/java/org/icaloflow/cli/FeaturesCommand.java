package org.icaloflow.cli;

import org.icaloflow.UserError;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerSource;
import org.icaloflow.evaluate.ShowerFeatures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code icaloflow features}: the CaloChallenge high-level features of every shower, as CSV. */
@Command(name = "features", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Compute the CaloChallenge high-level features of every shower (CSV).",
        descriptionHeading = "%n",
        description = {
                "After zeroing voxels below the threshold (0.5e-3/0.033 MeV by default), one row per shower: "
                        + "E_tot, then for every layer i the columns E_layer_i, EC_eta_i, EC_phi_i, width_eta_i, "
                        + "width_phi_i, sparsity_i, EC_r_i, width_r_i (grouped by feature: all E_layer first), "
                        + "exactly as the official CaloChallenge evaluator's HighLevelFeatures (see docs/evaluation.md).",
                "",
                "Centres of energy and widths are in mm, energies in MeV, sparsity is the fraction of voxels "
                        + "of the layer without energy. The input is streamed in batches."},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n",
        footer = {"Example:", "  icaloflow features --geometry ds2 --input dataset_2_1.hdf5 --out ds2_features.csv"})
public final class FeaturesCommand implements Runnable {

    @Mixin
    CommonOptions.ReadGeometry geometry;

    @Option(names = {"-i", "--input"}, required = true, arity = "1", paramLabel = "FILE.hdf5",
            description = "Shower file; repeat for several files (read in order as one sample).")
    List<Path> inputs;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.csv", description = "Output CSV.")
    Path out;

    @Mixin
    CommonOptions.ShowerReading reading;

    @Override
    public void run() {
        int asked = reading.batch();
        double threshold = reading.threshold;
        if (!(threshold >= 0)) throw new UserError("--threshold must be >= 0, got " + threshold);
        Geometry g = geometry.get();
        int batch = asked > 0 ? asked : Math.max(1, 4_000_000 / g.voxels());
        try (ShowerSource src = ShowerSource.open(inputs, g)) {
            long n = src.size();
            AtomicFiles.write(out, tmp -> {
                try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    w.write(ShowerFeatures.csvHeader(g.layers()));
                    w.write('\n');
                    StringBuilder sb = new StringBuilder();
                    for (long from = 0; from < n; from += batch) {
                        ShowerBatch b = src.read(from, (int) Math.min(batch, n - from));
                        ShowerFeatures f = ShowerFeatures.compute(g, b.showersMeV(), b.size(), threshold);
                        sb.setLength(0);
                        for (int i = 0; i < b.size(); i++) f.appendCsvRow(i, sb);
                        w.write(sb.toString());
                    }
                }
            });
            System.err.printf(Locale.ROOT, "icaloflow features: %d showers -> %s%n", n, out);
        }
    }
}
