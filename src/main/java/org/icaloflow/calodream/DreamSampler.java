package org.icaloflow.calodream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.icaloflow.cfm.BespokeSolver;
import org.icaloflow.cfm.EnergyRatios;
import org.icaloflow.cfm.OdeSolver;
import org.icaloflow.cfm.VelocityField;
import org.icaloflow.data.Seeds;

import java.util.SplittableRandom;

/**
 * CaloDREAM's generation chain (paper Sec. 3): for a batch of incident energies, the energy network's ratios u
 * ({@link EnergySampler}, RK4 with the energy network's steps), the layer energies (Eq. 2's inverse,
 * {@link EnergyRatios}, f = 2.85), the shape network's condition ({@link ShapeCondition}), its voxels (RK4 with
 * {@code shapeSteps} steps from x_0 ~ N(0, 1) at t = 0 to t = 1, {@link org.icaloflow.cfm.ShapeNetwork#field}) and
 * (or, with a trained BNS solver, its N steps of Eq. 15 instead of RK4) and the decoding ({@link org.icaloflow.cfm.ShapeEncoding#decode}: inverse standardisation and logit, the noise cut,
 * each layer rescaled to its energy). No threshold here: {@link DreamSampleStage} applies it.
 *
 * <p>Draws: batch k takes its energy noise from {@code Seeds.stream(Seeds.stream(seed, 0), k)} (as EnergySampler's
 * seed, one batch) and its voxel noise from {@code new SplittableRandom(Seeds.stream(Seeds.stream(seed, 1), k))}
 * ({@code nextGaussian}, row-major): the same (seed, batch size) gives the same draws.
 *
 * <p>The shape solver is RK4 unless another {@link OdeSolver} is given (Euler and midpoint for the timing table,
 * {@link DreamBenchmark}); each batch reports the shape network's evaluations, counted, and the time of each part.
 */
public final class DreamSampler {
    private final EnergyModel energy;
    private final ShapeModel shape;
    private final int energySteps;
    private final OdeSolver shapeSolver;
    private final long seed;
    private final BespokeSolver.Coefficients bespoke;

    /**
     * One generated batch: the ratios, layer energies (n × L, MeV) and voxels (n × V, MeV, before any threshold);
     * the shape network's evaluations (counted) and the nanoseconds spent on the ratios (energy network) and on
     * the voxels (shape network's condition, noise, solve and decoding).
     */
    public record Batch(double[] u, double[] layerEnergiesMeV, double[] showersMeV, long nonFinite, long shapeEvaluations,
                        long energyNanos, long shapeNanos) {
    }

    /** RK4 with {@code shapeSteps} steps for the shape network (Table 2: 20). */
    public DreamSampler(EnergyModel energy, ShapeModel shape, int energySteps, int shapeSteps, long seed) {
        this(energy, shape, energySteps, new OdeSolver(OdeSolver.Method.RK4, checkSteps(shapeSteps)), seed, null);
    }

    /** With {@code bespoke} non-null the shape network is integrated by that BNS solver (its N steps; shapeSteps unused). */
    public DreamSampler(EnergyModel energy, ShapeModel shape, int energySteps, int shapeSteps, long seed, BespokeSolver.Coefficients bespoke) {
        this(energy, shape, energySteps, new OdeSolver(OdeSolver.Method.RK4, checkSteps(shapeSteps)), seed, bespoke);
    }

    /** {@code shapeSolver} for the shape network; the energy network keeps RK4 with {@code energySteps}. */
    public DreamSampler(EnergyModel energy, ShapeModel shape, int energySteps, OdeSolver shapeSolver, long seed) {
        this(energy, shape, energySteps, shapeSolver, seed, null);
    }

    /** {@code shapeSolver} for the shape network unless {@code bespoke} (a trained BNS solver) is given. */
    public DreamSampler(EnergyModel energy, ShapeModel shape, int energySteps, OdeSolver shapeSolver, long seed, BespokeSolver.Coefficients bespoke) {
        if (energy.settings().positions() != shape.settings().layers())
            throw new IllegalArgumentException("energy network of " + energy.settings().positions() + " layers, shape network of "
                    + shape.settings().layers());
        checkSteps(energySteps);
        this.energy = energy;
        this.shape = shape;
        this.energySteps = energySteps;
        this.shapeSolver = shapeSolver;
        this.seed = seed;
        this.bespoke = bespoke;
    }

    private static int checkSteps(int steps) {
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1");
        return steps;
    }

    /** The shape network's solver. */
    public OdeSolver shapeSolver() {
        return shapeSolver;
    }

    /** Batch {@code k} of showers with incident energies {@code eIncMeV}. */
    public Batch generate(double[] eIncMeV, long k) {
        int n = eIncMeV.length, layers = shape.settings().layers(), v = shape.encoding().voxels();
        long t0 = System.nanoTime();
        double[] u = EnergySampler.sampleRatios(energy, eIncMeV, Seeds.stream(Seeds.stream(seed, 0), k), energySteps, Math.max(1, n));
        long t1 = System.nanoTime();
        double[] le = new EnergyRatios(layers, EnergyRatios.CALODREAM_F).layerEnergies(u, eIncMeV);
        float[] cond = ShapeCondition.conditions(eIncMeV, u, shape.conditionStandardisation());
        SplittableRandom rng = new SplittableRandom(Seeds.stream(Seeds.stream(seed, 1), k));
        double[] z;
        long evaluations;
        try (NDManager m = shape.manager().newSubManager()) {
            boolean f64 = shape.dataType() == DataType.FLOAT64;
            NDArray x0, c;
            if (f64) {
                double[] e = new double[n * v];
                for (int i = 0; i < e.length; i++) e[i] = rng.nextGaussian();
                x0 = m.create(e, new Shape(n, v));
                double[] cd = new double[cond.length];
                for (int i = 0; i < cd.length; i++) cd[i] = cond[i];
                c = m.create(cd, new Shape(n, layers + 1));
            } else {
                float[] e = new float[n * v];
                for (int i = 0; i < e.length; i++) e[i] = (float) rng.nextGaussian();
                x0 = m.create(e, new Shape(n, v));
                c = m.create(cond, new Shape(n, layers + 1));
            }
            VelocityField.Counting field = VelocityField.counting(shape.network().field(c));
            if (bespoke == null) {
                z = shapeSolver.solve(field, x0).toType(DataType.FLOAT64, false).toDoubleArray();
            } else {
                try (BespokeSolver bs = BespokeSolver.of(m, bespoke, shape.dataType())) {
                    z = bs.solve(field, x0).toType(DataType.FLOAT64, false).toDoubleArray();
                }
            }
            evaluations = field.evaluations();
        }
        long bad = 0;
        for (int i = 0; i < z.length; i++) {
            if (!Double.isFinite(z[i])) {
                z[i] = -1e30; // decodes to 0 energy
                bad++;
            }
        }
        double[] showers = shape.encoding().decode(z, shape.voxelStandardisation(), le);
        return new Batch(u, le, showers, bad, evaluations, t1 - t0, System.nanoTime() - t1);
    }
}
