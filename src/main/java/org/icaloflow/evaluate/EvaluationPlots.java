package org.icaloflow.evaluate;

import org.icaloflow.data.Geometry;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The evaluation figures (PNG), reference in black and each generated sample in its own colour. */
final class EvaluationPlots {
    private final Geometry g;
    private final Accumulator ref;
    private final List<Evaluation.Sample> samples;
    private final List<Accumulator> gen;

    EvaluationPlots(Geometry g, Accumulator ref, List<Evaluation.Sample> samples, List<Accumulator> gen) {
        this.g = g;
        this.ref = ref;
        this.samples = samples;
        this.gen = gen;
    }

    /** Axis labels and log axes per feature group. */
    private record Style(String xLabel, boolean logX, boolean logY) {
    }

    private static final Map<String, Style> STYLES = Map.ofEntries(
            Map.entry("Etot_Einc", new Style("E_tot / E_inc", false, true)),
            Map.entry("E_layer", new Style("E_layer [MeV]", true, true)),
            Map.entry("EC_eta", new Style("centre of energy in x (eta) [mm]", false, true)),
            Map.entry("EC_phi", new Style("centre of energy in y (phi) [mm]", false, true)),
            Map.entry("width_eta", new Style("width in x (eta) [mm]", false, true)),
            Map.entry("width_phi", new Style("width in y (phi) [mm]", false, true)),
            Map.entry("sparsity", new Style("sparsity (fraction of empty voxels)", false, true)),
            Map.entry("EC_r", new Style("centre of energy in r [mm]", false, true)),
            Map.entry("width_r", new Style("width in r [mm]", false, true)),
            Map.entry("voxel_E", new Style("voxel energy [MeV]", true, true)),
            Map.entry("voxel_E_layer", new Style("voxel energy [MeV]", true, true)));

    /** Writes every figure into {@code dir}. */
    void writeAll(Path dir) {
        Plot.save(dir.resolve("Etot_Einc.png"), null, 1, 700, 520, List.of(histogram("Etot_Einc", "E_tot / E_inc")));
        for (String grp : List.of("E_layer", "EC_eta", "EC_phi", "width_eta", "width_phi", "sparsity", "EC_r", "width_r")) {
            List<Plot.Panel> panels = new ArrayList<>();
            for (int l : ref.plotLayers) panels.add(histogram(grp + "_" + l, grp + ", layer " + (l + 1)));
            Plot.save(dir.resolve(grp + ".png"), null, 2, 620, 470, panels);
        }
        List<Plot.Panel> all = new ArrayList<>();
        for (int l = 0; l < g.layers(); l++) all.add(histogram("E_layer_" + l, "layer " + (l + 1)));
        Plot.save(dir.resolve("E_layer_all.png"), "Energy per layer", 5, 360, 290, all);
        List<Plot.Panel> vox = new ArrayList<>();
        vox.add(histogram("voxel_E", "voxel energies, all layers"));
        for (int l : ref.plotLayers) vox.add(histogram("voxel_E_layer_" + l, "voxel energies, layer " + (l + 1)));
        Plot.save(dir.resolve("voxel_E.png"), null, 2, 620, 470, vox);
        Plot.save(dir.resolve("mean_layer_energy.png"), null, 1, 760, 520, List.of(meanLayerEnergy()));
        averageShowers(dir.resolve("average_showers.png"));
        ringBoxes(dir.resolve("ring_boxes.png"));
    }

    private List<Plot.Series> series(java.util.function.Function<Accumulator, double[]> f) {
        List<Plot.Series> s = new ArrayList<>();
        s.add(new Plot.Series("reference", Plot.REFERENCE, f.apply(ref)));
        for (int i = 0; i < samples.size(); i++) s.add(new Plot.Series(samples.get(i).name(), Plot.sampleColour(i), f.apply(gen.get(i))));
        return s;
    }

    private Plot.Panel histogram(String observable, String title) {
        Style st = STYLES.get(Evaluation.group(observable));
        double[] edges = ref.hists.get(observable).edges();
        return Plot.histograms(title, st.xLabel(), "density", edges, series(a -> a.hists.get(observable).density()),
                st.logX(), st.logY());
    }

    private Plot.Panel meanLayerEnergy() {
        double[] x = new double[g.layers()];
        for (int l = 0; l < x.length; l++) x[l] = l + 1;
        return Plot.points("Mean energy per layer", "layer", "<E_layer> [MeV]", x, series(a -> {
            double[] m = new double[g.layers()];
            for (int l = 0; l < m.length; l++) m[l] = a.layerSum[l] / Math.max(1, a.showers);
            return m;
        }), true);
    }

    private void averageShowers(Path png) {
        List<Plot.Panel> panels = new ArrayList<>();
        List<Accumulator> all = new ArrayList<>();
        all.add(ref);
        all.addAll(gen);
        for (int l : ref.plotLayers) {
            int off = g.layerOffset(l), n = g.voxelsInLayer(l);
            List<double[]> means = new ArrayList<>();
            double vmax = 0, vminPos = Double.MAX_VALUE;
            for (Accumulator a : all) {
                double[] m = new double[n];
                for (int k = 0; k < n; k++) {
                    m[k] = a.voxelSum[off + k] / Math.max(1, a.showers);
                    vmax = Math.max(vmax, m[k]);
                    if (m[k] > 0) vminPos = Math.min(vminPos, m[k]);
                }
                means.add(m);
            }
            // a common colour scale per layer; at most 5 decades so that structure stays visible
            if (vmax <= 0) vmax = 1;
            double vmin = Math.max(vminPos == Double.MAX_VALUE ? vmax * 1e-5 : vminPos, vmax * 1e-5);
            for (int i = 0; i < all.size(); i++) {
                String name = i == 0 ? "reference" : samples.get(i - 1).name();
                panels.add(Plot.polar(name + ", layer " + (l + 1), g.layer(l).radialEdgesMm(), g.alphaBins(l), means.get(i), vmin, vmax));
            }
        }
        Plot.save(png, "Average shower per layer (mean voxel energy)", all.size(), 360, 320, panels);
    }

    private void ringBoxes(Path png) {
        List<Plot.Panel> panels = new ArrayList<>();
        List<Accumulator> all = new ArrayList<>();
        all.add(ref);
        all.addAll(gen);
        List<String> names = new ArrayList<>();
        List<Color> colours = new ArrayList<>();
        names.add("reference");
        colours.add(Plot.REFERENCE);
        for (int i = 0; i < samples.size(); i++) {
            names.add(samples.get(i).name());
            colours.add(Plot.sampleColour(i));
        }
        for (int p = 0; p < ref.plotLayers.length; p++) {
            int l = ref.plotLayers[p], nR = g.radialBins(l);
            List<String> cats = new ArrayList<>();
            for (int r = 0; r < nR; r++) cats.add(Integer.toString(r));
            List<Plot.Box[]> boxes = new ArrayList<>();
            for (Accumulator a : all) {
                Plot.Box[] bs = new Plot.Box[nR];
                for (int r = 0; r < nR; r++) bs[r] = a.ringBox(p, r);
                boxes.add(bs);
            }
            panels.add(Plot.boxes("voxel energies per ring, layer " + (l + 1), "ring (radial bin)", "voxel energy [MeV]",
                    cats, names, colours, boxes));
        }
        Plot.save(png, null, 2, 680, 470, panels);
    }
}
