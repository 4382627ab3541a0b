package org.icaloflow.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GeometryTest {

    static Path projectFile(String rel) {
        return Path.of(System.getProperty("basedir", ".")).resolve(rel);
    }

    @Test
    void ds2VoxelCentresMatchOfficialEvaluator() throws IOException {
        Geometry g = Geometry.ds2();
        List<String> lines;
        try (InputStream in = GeometryTest.class.getResourceAsStream("/golden/ds2_ref50_voxel_geometry.csv")) {
            assertNotNull(in, "golden csv on the test classpath");
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        assertEquals("local_idx,alpha_idx,r_idx,r_center,x_eta,y_phi", lines.get(0));
        assertEquals(144, lines.size() - 1);
        for (int l = 0; l < g.layers(); l++) {
            assertEquals(16, g.alphaBins(l));
            assertEquals(9, g.radialBins(l));
            double[] r = g.centreR(l), x = g.centreX(l), y = g.centreY(l);
            for (String line : lines.subList(1, lines.size())) {
                String[] c = line.split(",");
                int i = Integer.parseInt(c[0]);
                assertEquals(Integer.parseInt(c[1]), i / g.radialBins(l), "alpha idx of " + i);
                assertEquals(Integer.parseInt(c[2]), i % g.radialBins(l), "r idx of " + i);
                assertEquals(Double.parseDouble(c[3]), r[i], 1e-12, "r centre of " + i);
                assertEquals(Double.parseDouble(c[4]), x[i], 1e-12, "x centre of " + i);
                assertEquals(Double.parseDouble(c[5]), y[i], 1e-12, "y centre of " + i);
            }
        }
    }

    @Test
    void ds3Sizes() {
        Geometry g = Geometry.ds3();
        assertEquals(45, g.layers());
        assertEquals(40500, g.voxels());
        assertEquals(900, g.voxelsPerLayer());
        assertTrue(g.isUniform());
        for (int l = 0; l < 45; l++) {
            assertEquals(50, g.alphaBins(l));
            assertEquals(18, g.radialBins(l));
            assertEquals(l * 900, g.layerOffset(l));
            double[] e = g.layer(l).radialEdgesMm();
            assertEquals(19, e.length);
            for (int i = 0; i < e.length; i++) assertEquals(i * 2.325, e[i], 1e-12);
            assertEquals(41.85, g.outerRadiusMm(l), 0);
        }
        assertEquals(6480, Geometry.ds2().voxels());
    }

    @Test
    void voxelIndexIsLayerAlphaR() {
        for (Geometry g : List.of(Geometry.ds2(), Geometry.ds3())) {
            int nA = g.alphaBins(0), nR = g.radialBins(0);
            int expected = 0;
            for (int l = 0; l < g.layers(); l++)
                for (int a = 0; a < nA; a++)
                    for (int r = 0; r < nR; r++)
                        assertEquals(expected++, g.voxelIndex(l, a, r));
            assertEquals(g.voxels(), expected);
            assertEquals(3 * (nA * nR) + 2 * nR + 1, g.voxelIndex(3, 2, 1));
        }
    }

    @Test
    void officialXmlFilesGiveTheBuiltInGeometries() {
        assertSameCentres(Geometry.ds2(), Geometry.fromXml(projectFile("configs/geometry/binning_dataset_2.xml"), null));
        assertSameCentres(Geometry.ds3(), Geometry.fromXml(projectFile("configs/geometry/binning_dataset_3.xml"), "electron"));
        assertSameCentres(Geometry.ds3(), Geometry.forName(projectFile("configs/geometry/binning_dataset_3.xml").toString()));
        assertSameCentres(Geometry.ds2(), Geometry.forName("ds2"));
    }

    static void assertSameCentres(Geometry a, Geometry b) {
        assertEquals(a.layers(), b.layers());
        assertEquals(a.voxels(), b.voxels());
        for (int l = 0; l < a.layers(); l++) {
            assertEquals(a.layer(l), b.layer(l), "layer " + l);
            assertArrayEquals(a.centreR(l), b.centreR(l), 0);
            assertArrayEquals(a.centreX(l), b.centreX(l), 0);
            assertArrayEquals(a.centreY(l), b.centreY(l), 0);
        }
    }

    @Test
    void ds1LikeXmlWithMixedBinning(@TempDir Path dir) throws IOException {
        Path xml = dir.resolve("binning_dataset_1_photons.xml");
        Files.writeString(xml, """
                <Bins>
                  <Particle name="photon" pid="22">
                    <Layer id="0" r_edges="0,5,10,30,50,100,200,400,600" n_bin_alpha="1"/>
                    <Layer id="1" r_edges="0,2,4,6,8,10,12,15,20,30,40,50,70,90,120,150,200" n_bin_alpha="10"/>
                    <Layer id="2" r_edges="0" n_bin_alpha="1"/>
                    <Layer id="3" r_edges="0,50,100,200,400,600" n_bin_alpha="1"/>
                  </Particle>
                  <Particle name="pion" pid="211">
                    <Layer id="0" r_edges="0,1" n_bin_alpha="1"/>
                  </Particle>
                </Bins>
                """);
        Geometry g = Geometry.fromXml(xml, "photon");
        assertEquals(3, g.layers(), "the layer without radial bins has no voxels and is skipped");
        assertEquals(8 + 160 + 5, g.voxels());
        assertFalse(g.isUniform());
        assertEquals(8, g.layerOffset(1));
        assertEquals(168, g.layerOffset(2));
        assertEquals(10, g.alphaBins(1));
        assertEquals(16, g.radialBins(1));
        assertEquals(8 + 3 * 16 + 4, g.voxelIndex(1, 3, 4));
        // one alpha bin: centre at alpha = 0, so x = r and y = 0
        assertArrayEquals(new double[]{2.5, 7.5, 20, 40, 75, 150, 300, 500}, g.centreR(0), 0);
        assertArrayEquals(g.centreR(0), g.centreX(0), 1e-12);
        for (double y : g.centreY(0)) assertEquals(0, y, 1e-12);
        // ten alpha bins: alpha centre of bin a is -pi + (a + 1/2) * 2pi/10
        double[] x1 = g.centreX(1), y1 = g.centreY(1);
        for (int a = 0; a < 10; a++) {
            double alpha = -Math.PI + (a + 0.5) * 2 * Math.PI / 10;
            assertEquals(1 * Math.cos(alpha), x1[a * 16], 1e-12);
            assertEquals(1 * Math.sin(alpha), y1[a * 16], 1e-12);
        }
        assertEquals(1, Geometry.fromXml(xml, "211").voxels());
        assertThrows(org.icaloflow.UserError.class, () -> Geometry.fromXml(xml, "neutron"));
    }

    @Test
    void badGeometryNamesAreUserErrors() {
        assertThrows(org.icaloflow.UserError.class, () -> Geometry.forName("ds9"));
        assertThrows(org.icaloflow.UserError.class, () -> Geometry.forName("/nonexistent/binning.xml"));
    }
}
