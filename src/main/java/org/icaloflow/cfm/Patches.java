package org.icaloflow.cfm;

import ai.djl.ndarray.NDArray;

/**
 * The shape network's patching (paper Sec. 3.2, Fig. 2): a calorimeter grid of (layers, alphas, radii) voxels,
 * stored flat with voxel index = layer·(alphas·radii) + alpha·radii + radius, cut into non-overlapping
 * patches of (p1, p2, p3) voxels along (layer, alpha, radius).
 *
 * <p>As calo_dreamer's ViT, einops {@code 'b c (l p1) (a p2) (r p3) -> b (l a r) (p1 p2 p3 c)'} with one
 * channel: patch j = (l·n_a + a)·n_r + r over the grid of n_l × n_a × n_r = (L/p1) × (A/p2) × (R/p3) patches,
 * and inside a patch feature (i1·p2 + i2)·p3 + i3 is voxel (l·p1 + i1, a·p2 + i2, r·p3 + i3).
 * {@link #unpatchify} is the inverse ({@code 'b (l a r) (p1 p2 p3 c) -> b c (l p1) (a p2) (r p3)'}).
 *
 * <p>Both are reshapes and a transpose, so they are differentiable and keep x's manager and data type.
 */
public final class Patches {
    private final int layers;
    private final int alphas;
    private final int radii;
    private final int p1;
    private final int p2;
    private final int p3;

    /**
     * @throws IllegalArgumentException if a size is not positive or not divisible by its patch size
     */
    public Patches(int layers, int alphas, int radii, int p1, int p2, int p3) {
        if (layers < 1 || alphas < 1 || radii < 1 || p1 < 1 || p2 < 1 || p3 < 1) {
            throw new IllegalArgumentException("grid (" + layers + ", " + alphas + ", " + radii + ") and patch ("
                    + p1 + ", " + p2 + ", " + p3 + ") must be positive");
        }
        check("layers", layers, p1);
        check("alphas", alphas, p2);
        check("radii", radii, p3);
        this.layers = layers;
        this.alphas = alphas;
        this.radii = radii;
        this.p1 = p1;
        this.p2 = p2;
        this.p3 = p3;
    }

    private static void check(String axis, int size, int patch) {
        if (size % patch != 0) {
            throw new IllegalArgumentException("the grid's " + size + " " + axis + " are not divisible by the patch's "
                    + patch + " (axis " + axis + ")");
        }
    }

    /** Voxels per shower, L·A·R. */
    public int voxels() {
        return layers * alphas * radii;
    }

    /** Patches per shower, n_l·n_a·n_r (the transformer's sequence length). */
    public int count() {
        return patchLayers() * patchAlphas() * patchRadii();
    }

    /** Voxels per patch, p1·p2·p3 (the patch dimension). */
    public int dim() {
        return p1 * p2 * p3;
    }

    /** n_l = L/p1. */
    public int patchLayers() {
        return layers / p1;
    }

    /** n_a = A/p2. */
    public int patchAlphas() {
        return alphas / p2;
    }

    /** n_r = R/p3. */
    public int patchRadii() {
        return radii / p3;
    }

    public int layers() {
        return layers;
    }

    public int alphas() {
        return alphas;
    }

    public int radii() {
        return radii;
    }

    /** The patch shape (p1, p2, p3). */
    public int[] shape() {
        return new int[] {p1, p2, p3};
    }

    /** (B, L·A·R) or (B, L, A, R) voxels → (B, patches, p1·p2·p3). */
    public NDArray patchify(NDArray x) {
        long b = x.getShape().get(0);
        if (x.getShape().size() != b * voxels()) {
            throw new IllegalArgumentException("expected " + b + " showers of " + voxels() + " voxels, got " + x.getShape());
        }
        return x.reshape(b, patchLayers(), p1, patchAlphas(), p2, patchRadii(), p3)
                .transpose(0, 1, 3, 5, 2, 4, 6)
                .reshape(b, count(), dim());
    }

    /** (B, patches, p1·p2·p3) → (B, L·A·R) voxels: the inverse of {@link #patchify}. */
    public NDArray unpatchify(NDArray patches) {
        long b = patches.getShape().get(0);
        if (patches.getShape().dimension() != 3 || patches.getShape().get(1) != count() || patches.getShape().get(2) != dim()) {
            throw new IllegalArgumentException("expected (B, " + count() + ", " + dim() + ") patches, got " + patches.getShape());
        }
        return patches.reshape(b, patchLayers(), patchAlphas(), patchRadii(), p1, p2, p3)
                .transpose(0, 1, 4, 2, 5, 3, 6)
                .reshape(b, voxels());
    }
}
