package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The learnable arrays of a network, named and in creation order (the optimiser's list and a checkpoint's
 * order), all of one data type on one manager, with initial values drawn from one Java RNG in creation order (the
 * same network for a seed on every device, as {@link Init} says).
 *
 * <p>{@link #scope(String)} gives a view that prefixes names ({@code "block0.attention.query.weight"}) and adds
 * to the same list, so that layers are built by handing each its scope.
 */
public final class Parameters {
    private final Registry registry;
    private final String prefix;

    private static final class Registry {
        final NDManager manager;
        final DataType dataType;
        final RandomGenerator rng;
        final List<NDArray> arrays = new ArrayList<>();
        final List<String> names = new ArrayList<>();

        Registry(NDManager manager, DataType dataType, RandomGenerator rng) {
            this.manager = manager;
            this.dataType = dataType;
            this.rng = rng;
        }
    }

    /** An empty set of float32 or float64 arrays that live on {@code manager} (its device), drawn from {@code rng}. */
    public Parameters(NDManager manager, DataType dataType, RandomGenerator rng) {
        this(new Registry(manager, dataType, rng), "");
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT64) {
            throw new IllegalArgumentException("parameters are float32 or float64, not " + dataType);
        }
    }

    private Parameters(Registry registry, String prefix) {
        this.registry = registry;
        this.prefix = prefix;
    }

    /** A view whose names start with this view's prefix, then {@code name} and a dot. */
    public Parameters scope(String name) {
        return new Parameters(registry, prefix + name + ".");
    }

    public NDManager manager() {
        return registry.manager;
    }

    public DataType dataType() {
        return registry.dataType;
    }

    public RandomGenerator rng() {
        return registry.rng;
    }

    /** A learnable array with the given values (row-major), gradient attached. Names must be unique. */
    public NDArray create(String name, Shape shape, double[] values) {
        if (values.length != shape.size()) {
            throw new IllegalArgumentException(prefix + name + ": " + values.length + " values for shape " + shape);
        }
        String full = prefix + name;
        if (registry.names.contains(full)) throw new IllegalArgumentException("parameter " + full + " exists");
        NDArray a = registry.dataType == DataType.FLOAT64
                ? registry.manager.create(values, shape)
                : registry.manager.create(Init.toFloat(values), shape);
        a.setRequiresGradient(true);
        registry.arrays.add(a);
        registry.names.add(full);
        return a;
    }

    /** Uniform in (−bound, bound). */
    public NDArray uniform(String name, Shape shape, double bound) {
        return create(name, shape, Init.uniform(registry.rng, checkedSize(shape), bound));
    }

    /** Normal with mean 0 and standard deviation {@code std}. */
    public NDArray normal(String name, Shape shape, double std) {
        double[] v = new double[checkedSize(shape)];
        for (int i = 0; i < v.length; i++) v[i] = std * registry.rng.nextGaussian();
        return create(name, shape, v);
    }

    /** All {@code value}. */
    public NDArray constant(String name, Shape shape, double value) {
        double[] v = new double[checkedSize(shape)];
        java.util.Arrays.fill(v, value);
        return create(name, shape, v);
    }

    private int checkedSize(Shape shape) {
        long n = shape.size();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("parameter of " + n + " values is too large");
        return (int) n;
    }

    /** Every array of the set (not only this view's), in creation order. */
    public List<NDArray> list() {
        return Collections.unmodifiableList(registry.arrays);
    }

    /** Their full names, same order. */
    public List<String> names() {
        return Collections.unmodifiableList(registry.names);
    }

    /** Number of learnable values. */
    public long count() {
        long n = 0;
        for (NDArray a : registry.arrays) n += a.size();
        return n;
    }
}
