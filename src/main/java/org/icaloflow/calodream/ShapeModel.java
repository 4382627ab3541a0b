package org.icaloflow.calodream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.icaloflow.UserError;
import org.icaloflow.cfm.ShapeEncoding;
import org.icaloflow.cfm.ShapeNetwork;
import org.icaloflow.nn.Network;
import org.icaloflow.nn.Parameters;
import org.icaloflow.train.ModelKind;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A trained (or training) CaloDREAM shape network with what it needs to be used: its {@link ShapeNetwork} on its
 * own sub-manager, the {@link Parameters} (names and order of a checkpoint), the voxels' {@link ShapeEncoding}
 * (α, noise width) with the standardisation fitted on its training showers, and the condition's standardisation
 * of the u features ({@link ShapeCondition}); both saved with it, as the authors' {@code means.npy}/{@code stds.npy}.
 */
public final class ShapeModel implements Network {
    private final NDManager manager;
    private final Parameters parameters;
    private final ShapeNetwork network;
    private final ShapeEncoding encoding;
    private final ShapeEncoding.Standardisation voxels, conditions;
    private final long seed;

    /**
     * A freshly initialised network of {@code settings}, parameters drawn from a SplittableRandom of {@code seed}
     * in creation order, on a sub-manager of {@code root}.
     *
     * @param voxels     the standardisation of the voxels' logits (V features)
     * @param conditions the standardisation of the u features (L features)
     */
    public ShapeModel(NDManager root, ShapeNetwork.Settings settings, long seed, DataType dataType, ShapeEncoding encoding,
                      ShapeEncoding.Standardisation voxels, ShapeEncoding.Standardisation conditions) {
        int v = settings.layers() * settings.alphas() * settings.radii();
        if (encoding.voxels() != v || encoding.layers() != settings.layers())
            throw new IllegalArgumentException("encoding of " + encoding.layers() + " × " + encoding.voxelsPerLayer() + " voxels for a "
                    + settings.layers() + " × " + settings.alphas() + " × " + settings.radii() + " network");
        if (voxels.mean().length != v) throw new IllegalArgumentException("voxel standardisation of " + voxels.mean().length + " features for " + v + " voxels");
        if (conditions.mean().length != settings.conditionDim() - 1)
            throw new IllegalArgumentException("condition standardisation of " + conditions.mean().length + " features for a condition of " + settings.conditionDim());
        this.manager = root.newSubManager();
        this.seed = seed;
        this.encoding = encoding;
        this.voxels = voxels;
        this.conditions = conditions;
        try {
            this.parameters = new Parameters(manager, dataType, new SplittableRandom(seed));
            this.network = new ShapeNetwork(parameters, settings);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ShapeNetwork network() {
        return network;
    }

    public ShapeNetwork.Settings settings() {
        return network.settings();
    }

    public ShapeEncoding encoding() {
        return encoding;
    }

    /** The voxels' standardisation (V features). */
    public ShapeEncoding.Standardisation voxelStandardisation() {
        return voxels;
    }

    /** The u features' standardisation (L features). */
    public ShapeEncoding.Standardisation conditionStandardisation() {
        return conditions;
    }

    public long seed() {
        return seed;
    }

    public DataType dataType() {
        return parameters.dataType();
    }

    public List<String> parameterNames() {
        return parameters.names();
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public List<NDArray> parameters() {
        return parameters.list();
    }

    @Override
    public void close() {
        manager.close();
    }

    /**
     * The shape networks of one architecture and encoding as a {@link ModelKind}: {@link ShapeCheckpoint} folders,
     * checked against the settings and the fitted statistics when loaded. Adam's ε is the authors' 1e-6.
     */
    public record Kind(ShapeNetwork.Settings settings, long seed, DataType dataType, ShapeEncoding encoding,
                       ShapeEncoding.Standardisation voxels, ShapeEncoding.Standardisation conditions)
            implements ModelKind<ShapeModel> {
        @Override
        public ShapeModel create(NDManager root) {
            return new ShapeModel(root, settings, seed, dataType, encoding, voxels, conditions);
        }

        @Override
        public ShapeModel load(Path dir, NDManager root) {
            ShapeModel m = ShapeCheckpoint.load(dir, root, settings);
            if (!same(m.voxelStandardisation(), voxels) || !same(m.conditionStandardisation(), conditions)
                    || m.encoding().noiseWidth() != encoding.noiseWidth()) {
                m.close();
                throw new UserError(dir.resolve(ShapeCheckpoint.JSON_FILE) + ": the saved encoding differs from the one fitted on "
                        + "these showers: the network was trained on other data (remove the checkpoint to start afresh)");
            }
            return m;
        }

        private static boolean same(ShapeEncoding.Standardisation a, ShapeEncoding.Standardisation b) {
            return Arrays.equals(a.mean(), b.mean()) && Arrays.equals(a.std(), b.std());
        }

        @Override
        public void save(ShapeModel model, Path dir) {
            ShapeCheckpoint.save(model, dir);
        }

        @Override
        public int dim() {
            return settings.layers() * settings.alphas() * settings.radii();
        }

        @Override
        public int conditionDim() {
            return settings.conditionDim();
        }

        @Override
        public String describe() {
            return "CaloDREAM shape network (ViT, " + settings.patches().count() + " patches of " + settings.patches().dim() + " voxels)";
        }

        @Override
        public double optimizerEpsilon() {
            return EnergyModel.Kind.ADAM_EPS;
        }
    }
}
