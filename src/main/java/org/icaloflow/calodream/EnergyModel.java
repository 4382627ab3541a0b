package org.icaloflow.calodream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.icaloflow.UserError;
import org.icaloflow.cfm.EnergyEncoding;
import org.icaloflow.cfm.EnergyNetwork;
import org.icaloflow.nn.Network;
import org.icaloflow.nn.Parameters;
import org.icaloflow.train.ModelKind;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A trained (or training) CaloDREAM energy network with what it needs to be used: its {@link EnergyNetwork} on
 * its own sub-manager, the {@link Parameters} (names and order of a checkpoint), and the {@link EnergyEncoding}
 * fitted on its training ratios (saved with it, as the authors' {@code means.npy}/{@code stds.npy}).
 */
public final class EnergyModel implements Network {
    private final NDManager manager;
    private final Parameters parameters;
    private final EnergyNetwork network;
    private final EnergyEncoding encoding;
    private final long seed;

    /**
     * A freshly initialised network of {@code settings}, parameters drawn from a SplittableRandom of {@code seed}
     * in creation order, on a sub-manager of {@code root}.
     */
    public EnergyModel(NDManager root, EnergyNetwork.Settings settings, long seed, DataType dataType, EnergyEncoding encoding) {
        if (encoding.dim() != settings.positions())
            throw new IllegalArgumentException("encoding of " + encoding.dim() + " features for " + settings.positions() + " positions");
        this.manager = root.newSubManager();
        this.seed = seed;
        this.encoding = encoding;
        try {
            this.parameters = new Parameters(manager, dataType, new SplittableRandom(seed));
            this.network = new EnergyNetwork(parameters, settings);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public EnergyNetwork network() {
        return network;
    }

    public EnergyNetwork.Settings settings() {
        return network.settings();
    }

    public EnergyEncoding encoding() {
        return encoding;
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
     * The energy networks of one architecture and encoding as a {@link ModelKind}: {@link EnergyCheckpoint} folders,
     * checked against the settings when loaded. Adam's ε is the authors' 1e-6.
     */
    public record Kind(EnergyNetwork.Settings settings, long seed, DataType dataType, EnergyEncoding encoding)
            implements ModelKind<EnergyModel> {
        /** The authors' {@code set_optimizer} default eps. */
        public static final double ADAM_EPS = 1e-6;

        @Override
        public EnergyModel create(NDManager root) {
            return new EnergyModel(root, settings, seed, dataType, encoding);
        }

        @Override
        public EnergyModel load(Path dir, NDManager root) {
            EnergyModel m = EnergyCheckpoint.load(dir, root, settings);
            if (!java.util.Arrays.equals(m.encoding().mean(), encoding.mean()) || !java.util.Arrays.equals(m.encoding().std(), encoding.std())) {
                m.close();
                throw new UserError(dir.resolve(EnergyCheckpoint.JSON_FILE) + ": the saved encoding differs from the one fitted on "
                        + "these showers: the network was trained on other data (remove the checkpoint to start afresh)");
            }
            return m;
        }

        @Override
        public void save(EnergyModel model, Path dir) {
            EnergyCheckpoint.save(model, dir);
        }

        @Override
        public int dim() {
            return settings.positions();
        }

        @Override
        public int conditionDim() {
            return settings.conditions();
        }

        @Override
        public String describe() {
            return "CaloDREAM energy network (transfusion, " + settings.positions() + " positions)";
        }

        @Override
        public double optimizerEpsilon() {
            return ADAM_EPS;
        }
    }
}
