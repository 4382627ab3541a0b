package org.icaloflow.data;

import org.icaloflow.UserError;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Voxel geometry of a CaloChallenge 2022 calorimeter: layers of (alpha, r) bins.
 *
 * <p>Inside a shower row, layer {@code l} occupies {@code [layerOffset(l), layerOffset(l)+voxelsInLayer(l))};
 * inside a layer the voxel index is {@code alpha * nR + r} (r fastest), as in the official files.
 * Alpha centres are the midpoints of {@code linspace(-pi, pi, nAlpha+1)}, radial centres are the midpoints
 * of the radial bin edges (both computed as the official evaluator does, to the last bit where Java's
 * cos/sin agree with numpy's), and a voxel's centre is {@code x = r_c cos(alpha_c)}, {@code y = r_c sin(alpha_c)}
 * in mm (the evaluator's "eta" and "phi" directions).
 *
 * <p>Layers may differ in binning (dataset 1); datasets 2 and 3 are uniform. Geometries come from
 * {@link #ds2()}, {@link #ds3()} or the official {@code binning_dataset_N.xml} format ({@link #fromXml}).
 */
public final class Geometry {

    /** One layer: radial bin edges in mm and the number of alpha bins. */
    public record Layer(double[] radialEdgesMm, int alphaBins) {
        public Layer {
            if (radialEdgesMm.length < 2) throw new IllegalArgumentException("a layer needs at least one radial bin");
            if (alphaBins < 1) throw new IllegalArgumentException("a layer needs at least one alpha bin");
            radialEdgesMm = radialEdgesMm.clone();
        }

        public int radialBins() {
            return radialEdgesMm.length - 1;
        }

        public int voxels() {
            return radialBins() * alphaBins;
        }

        @Override
        public double[] radialEdgesMm() {
            return radialEdgesMm.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Layer l && l.alphaBins == alphaBins && Arrays.equals(l.radialEdgesMm, radialEdgesMm);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(radialEdgesMm) + alphaBins;
        }
    }

    private final String name;
    private final List<Layer> layers;
    private final int[] offsets;
    private final int voxels;
    // per layer, per in-layer voxel: centres (mm)
    private final double[][] centreR;
    private final double[][] centreX;
    private final double[][] centreY;

    public Geometry(String name, List<Layer> layers) {
        if (layers.isEmpty()) throw new IllegalArgumentException("a geometry needs at least one layer");
        this.name = name;
        this.layers = List.copyOf(layers);
        this.offsets = new int[layers.size() + 1];
        this.centreR = new double[layers.size()][];
        this.centreX = new double[layers.size()][];
        this.centreY = new double[layers.size()][];
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            offsets[l + 1] = offsets[l] + layer.voxels();
            int nA = layer.alphaBins(), nR = layer.radialBins();
            double[] edges = layer.radialEdgesMm;
            double[] r = new double[nA * nR], x = new double[nA * nR], y = new double[nA * nR];
            // exactly as the official evaluator (XMLHandler): alpha edges are np.linspace(-pi, pi, nA+1)
            // (start + i*step, last point exactly pi) and every midpoint is lo + (hi - lo)/2
            double step = 2 * Math.PI / nA;
            for (int a = 0; a < nA; a++) {
                double lo = a * step + -Math.PI;
                double hi = a + 1 == nA ? Math.PI : (a + 1) * step + -Math.PI;
                double alpha = midpoint(lo, hi);
                for (int k = 0; k < nR; k++) {
                    double rc = midpoint(edges[k], edges[k + 1]);
                    int i = a * nR + k;
                    r[i] = rc;
                    x[i] = rc * Math.cos(alpha);
                    y[i] = rc * Math.sin(alpha);
                }
            }
            centreR[l] = r;
            centreX[l] = x;
            centreY[l] = y;
        }
        this.voxels = offsets[layers.size()];
    }

    /** A geometry of {@code nLayers} identical layers. */
    public static Geometry uniform(String name, int nLayers, double[] radialEdgesMm, int alphaBins) {
        List<Layer> ls = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) ls.add(new Layer(radialEdgesMm, alphaBins));
        return new Geometry(name, ls);
    }

    /** CaloChallenge dataset 2: 45 layers of 16 alpha x 9 radial bins, radial edges every 4.65 mm. */
    public static Geometry ds2() {
        return uniform("ds2", 45, edges(9, "4.65"), 16);
    }

    /** CaloChallenge dataset 3: 45 layers of 50 alpha x 18 radial bins, radial edges every 2.325 mm. */
    public static Geometry ds3() {
        return uniform("ds3", 45, edges(18, "2.325"), 50);
    }

    /** Edges {@code i * step} rounded from the exact decimal, so they equal the official XML's "13.95" etc. */
    private static double[] edges(int n, String step) {
        double[] e = new double[n + 1];
        for (int i = 0; i <= n; i++) e[i] = new java.math.BigDecimal(step).multiply(java.math.BigDecimal.valueOf(i)).doubleValue();
        return e;
    }

    private static double midpoint(double lo, double hi) {
        return lo + (hi - lo) / 2;
    }

    /** "ds2", "ds3", or a path to a binning XML file. */
    public static Geometry forName(String nameOrXml) {
        String key = nameOrXml.toLowerCase(Locale.ROOT);
        switch (key) {
            case "ds2": case "2": return ds2();
            case "ds3": case "3": return ds3();
            default:
                Path p = Path.of(nameOrXml);
                if (key.endsWith(".xml")) return fromXml(p, null);
                throw new UserError("unknown geometry '" + nameOrXml + "': use ds2, ds3 or a binning_dataset_N.xml file");
        }
    }

    /**
     * Reads the official CaloChallenge binning format:
     * {@code <Bins><Particle name=.. pid=..><Layer id=".." r_edges="0,4.65,..." n_bin_alpha="16"/>...}.
     * With several particles, {@code particle} (name or pid) chooses one; null takes the first.
     */
    public static Geometry fromXml(Path xml, String particle) {
        if (!Files.isRegularFile(xml)) throw new UserError(xml + ": geometry file not found");
        try (InputStream in = Files.newInputStream(xml)) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = f.newDocumentBuilder().parse(in);
            NodeList particles = doc.getElementsByTagName("Particle");
            Element chosen = null;
            for (int i = 0; i < particles.getLength(); i++) {
                Element e = (Element) particles.item(i);
                if (particle == null || particle.equals(e.getAttribute("name")) || particle.equals(e.getAttribute("pid"))) {
                    chosen = e;
                    break;
                }
            }
            if (chosen == null) throw new UserError(xml + ": no <Particle> " + (particle == null ? "" : "'" + particle + "' ") + "element");
            NodeList ls = chosen.getElementsByTagName("Layer");
            List<Layer> layers = new ArrayList<>();
            for (int i = 0; i < ls.getLength(); i++) {
                Element e = (Element) ls.item(i);
                String re = e.getAttribute("r_edges");
                String na = e.getAttribute("n_bin_alpha");
                if (re.isBlank() || na.isBlank())
                    throw new UserError(xml + ": layer " + e.getAttribute("id") + " lacks r_edges or n_bin_alpha");
                double[] edges = Arrays.stream(re.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
                int nA = Integer.parseInt(na.trim());
                if (edges.length < 2) {
                    // an unused layer (dataset 1 has some): no voxels
                    continue;
                }
                layers.add(new Layer(edges, nA));
            }
            if (layers.isEmpty()) throw new UserError(xml + ": no layers with voxels");
            String n = xml.getFileName().toString().replaceFirst("\\.xml$", "");
            return new Geometry(n, layers);
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            throw new UserError(xml + ": not a valid binning XML file (" + e.getMessage() + ")");
        }
    }

    public String name() {
        return name;
    }

    public int layers() {
        return layers.size();
    }

    public Layer layer(int l) {
        return layers.get(l);
    }

    /** Total voxels in a shower row. */
    public int voxels() {
        return voxels;
    }

    public int layerOffset(int l) {
        return offsets[l];
    }

    public int voxelsInLayer(int l) {
        return offsets[l + 1] - offsets[l];
    }

    /** True when every layer has the same binning (datasets 2 and 3). */
    public boolean isUniform() {
        for (Layer l : layers) if (!l.equals(layers.get(0))) return false;
        return true;
    }

    /** Voxels per layer for a uniform geometry. */
    public int voxelsPerLayer() {
        if (!isUniform()) throw new IllegalStateException(name + " has layers of different binning");
        return layers.get(0).voxels();
    }

    public int alphaBins(int l) {
        return layers.get(l).alphaBins();
    }

    public int radialBins(int l) {
        return layers.get(l).radialBins();
    }

    /** Index inside a shower row of (layer, alpha bin, radial bin). */
    public int voxelIndex(int layer, int alpha, int r) {
        return offsets[layer] + alpha * radialBins(layer) + r;
    }

    /** Radial centres (mm) of the in-layer voxels of layer {@code l}; a copy. */
    public double[] centreR(int l) {
        return centreR[l].clone();
    }

    /** x ("eta") centres (mm) of the in-layer voxels of layer {@code l}; a copy. */
    public double[] centreX(int l) {
        return centreX[l].clone();
    }

    /** y ("phi") centres (mm) of the in-layer voxels of layer {@code l}; a copy. */
    public double[] centreY(int l) {
        return centreY[l].clone();
    }

    /** Outer radius (mm) of layer {@code l}'s last ring. */
    public double outerRadiusMm(int l) {
        double[] e = layers.get(l).radialEdgesMm;
        return e[e.length - 1];
    }

    @Override
    public String toString() {
        return name + " (" + layers() + " layers, " + voxels + " voxels)";
    }
}
