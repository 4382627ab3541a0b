package org.icaloflow.cfm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Patching against the einops pattern written out as index arithmetic, with voxels holding their own index. */
class PatchesTest {

    /** x[b, v] = 100000·b + v, exact in float32 for the grids here. */
    static NDArray indexed(NDManager m, int batch, int voxels) {
        float[] v = new float[batch * voxels];
        for (int b = 0; b < batch; b++) for (int i = 0; i < voxels; i++) v[b * voxels + i] = 100000 * b + i;
        return m.create(v, new Shape(batch, voxels));
    }

    /** Every feature of every patch is the voxel 'b c (l p1) (a p2) (r p3) -> b (l a r) (p1 p2 p3 c)' puts there. */
    static void checkAgainstPattern(int layers, int alphas, int radii, int p1, int p2, int p3) {
        Patches p = new Patches(layers, alphas, radii, p1, p2, p3);
        int nl = layers / p1, na = alphas / p2, nr = radii / p3;
        assertEquals(nl * na * nr, p.count());
        assertEquals(p1 * p2 * p3, p.dim());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = indexed(m, 2, layers * alphas * radii);
            NDArray patches = p.patchify(x);
            assertEquals(new Shape(2, p.count(), p.dim()), patches.getShape());
            float[] got = patches.toFloatArray();
            for (int b = 0; b < 2; b++) {
                for (int l = 0; l < nl; l++) for (int a = 0; a < na; a++) for (int r = 0; r < nr; r++) {
                    int j = (l * na + a) * nr + r;
                    for (int i1 = 0; i1 < p1; i1++) for (int i2 = 0; i2 < p2; i2++) for (int i3 = 0; i3 < p3; i3++) {
                        int feature = (i1 * p2 + i2) * p3 + i3;
                        int voxel = (l * p1 + i1) * alphas * radii + (a * p2 + i2) * radii + (r * p3 + i3);
                        assertEquals(100000 * b + voxel, got[(b * p.count() + j) * p.dim() + feature], 0);
                    }
                }
            }
            // the inverse puts every voxel back (a permutation: exact)
            assertArrayEquals(x.toFloatArray(), p.unpatchify(patches).toFloatArray(), 0);
            // (B, L, A, R) input is the same grid
            assertArrayEquals(got, p.patchify(x.reshape(2, layers, alphas, radii)).toFloatArray(), 0);
        }
    }

    @Test
    void ds2PatchesOfThreeLayersTimesAllSixteenAnglesRoundTrip() {
        checkAgainstPattern(45, 16, 9, 3, 16, 1);
        Patches p = new Patches(45, 16, 9, 3, 16, 1);
        assertEquals(15 * 1 * 9, p.count());
        assertEquals(48, p.dim());
        try (NDManager m = NDManager.newBaseManager()) {
            float[] patches = p.patchify(indexed(m, 1, 6480)).toFloatArray();
            // by hand: patch 0 = layers 0-2, all angles, radius 0; features run over (layer, angle): voxel 144·i1 + 9·i2
            assertEquals(0, patches[0], 0);
            assertEquals(9, patches[1], 0); // (layer 0, angle 1, radius 0)
            assertEquals(135, patches[15], 0); // angle 15
            assertEquals(144, patches[16], 0); // layer 1, angle 0
            assertEquals(288 + 9 * 15, patches[47], 0); // layer 2, angle 15
            // patch 10 = layer group 1 (layers 3-5), radius 1: first voxel (3, 0, 1), last (5, 15, 1)
            assertEquals(3 * 144 + 1, patches[10 * 48], 0);
            assertEquals(5 * 144 + 15 * 9 + 1, patches[10 * 48 + 47], 0);
        }
    }

    @Test
    void ds3PatchesOfThreeLayersFiveAnglesTwoRadiiRoundTrip() {
        checkAgainstPattern(45, 50, 18, 3, 5, 2);
        Patches p = new Patches(45, 50, 18, 3, 5, 2);
        assertEquals(15 * 10 * 9, p.count());
        assertEquals(30, p.dim());
        try (NDManager m = NDManager.newBaseManager()) {
            float[] patches = p.patchify(indexed(m, 1, 40500)).toFloatArray();
            // by hand: patch 0 features (i1, i2, i3) = voxel 900·i1 + 18·i2 + i3
            assertArrayEquals(new float[] {0, 1, 18, 19, 36, 37, 54, 55, 72, 73, 900, 901}, java.util.Arrays.copyOf(patches, 12), 0);
            // patch (l 2, a 3, r 4) = (2·10 + 3)·9 + 4 = 211 starts at voxel (6, 15, 8) = 5400 + 270 + 8
            assertEquals(5678, patches[211 * 30], 0);
            assertEquals(5678 + 1, patches[211 * 30 + 1], 0);
            assertEquals(5678 + 2 * 900 + 4 * 18 + 1, patches[211 * 30 + 29], 0);
        }
    }

    @Test
    void aSmallOddGridAndClearMessagesForIndivisibleSizes() {
        checkAgainstPattern(6, 4, 2, 3, 2, 1);
        checkAgainstPattern(4, 6, 6, 2, 3, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Patches(45, 16, 9, 4, 16, 1));
        assertTrue(e.getMessage().contains("45 layers") && e.getMessage().contains("patch's 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Patches(45, 16, 9, 3, 5, 1));
        assertTrue(e.getMessage().contains("16 alphas"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Patches(45, 50, 18, 3, 5, 4));
        assertTrue(e.getMessage().contains("18 radii"), e.getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            Patches p = new Patches(6, 4, 2, 3, 2, 1);
            assertThrows(IllegalArgumentException.class, () -> p.patchify(m.zeros(new Shape(2, 47))));
            assertThrows(IllegalArgumentException.class, () -> p.unpatchify(m.zeros(new Shape(2, 8, 5))));
        }
    }
}
