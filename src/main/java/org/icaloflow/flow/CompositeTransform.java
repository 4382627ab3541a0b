package org.icaloflow.flow;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Transforms applied one after another, as nflows' {@code CompositeTransform}: {@link #forward} runs them in the
 * given order, {@link #inverse} runs their inverses in the reverse order; log|det| is the sum of the parts'.
 * {@link #forwardPass} and {@link #inversePass} also return every part's input and result, which is what a flow's
 * {@link Trace} (and the distillation's per-block losses) are made of.
 */
public final class CompositeTransform implements Transform {
    private final List<Transform> parts;

    /**
     * One part of a pass.
     *
     * @param transform the part
     * @param input what the part was applied to (for an inverse pass: its base side)
     * @param result what the part returned in the pass's direction
     */
    public record Step(Transform transform, NDArray input, Result result) {
    }

    /**
     * A whole pass: the composite's result and its steps in the order they were applied (an inverse pass starts
     * with the last part).
     */
    public record Pass(Result result, List<Step> steps) {
    }

    public CompositeTransform(List<? extends Transform> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a composite transform needs at least one part");
        }
        this.parts = List.copyOf(parts);
    }

    public List<Transform> parts() {
        return parts;
    }

    @Override
    public Result forward(NDArray x, NDArray c) {
        return forwardPass(x, c).result();
    }

    @Override
    public Result inverse(NDArray y, NDArray c) {
        return inversePass(y, c).result();
    }

    /** {@link #forward} with every part's input and result. */
    public Pass forwardPass(NDArray x, NDArray c) {
        return cascade(x, c, parts, false);
    }

    /** {@link #inverse} with every part's input and result, last part first. */
    public Pass inversePass(NDArray y, NDArray c) {
        List<Transform> reversed = new ArrayList<>(parts);
        Collections.reverse(reversed);
        return cascade(y, c, reversed, true);
    }

    private static Pass cascade(NDArray in, NDArray c, List<Transform> order, boolean inverse) {
        List<Step> steps = new ArrayList<>(order.size());
        NDArray h = in;
        NDArray logAbsDet = null;
        for (Transform t : order) {
            Result r = inverse ? t.inverse(h, c) : t.forward(h, c);
            steps.add(new Step(t, h, r));
            logAbsDet = logAbsDet == null ? r.logAbsDet() : logAbsDet.add(r.logAbsDet());
            h = r.outputs();
        }
        return new Pass(new Result(h, logAbsDet), Collections.unmodifiableList(steps));
    }

    @Override
    public NDArray inverseOutputs(NDArray y, NDArray c) {
        NDArray h = y;
        for (int i = parts.size() - 1; i >= 0; i--) {
            h = parts.get(i).inverseOutputs(h, c);
        }
        return h;
    }

    @Override
    public List<NDArray> parameters() {
        List<NDArray> all = new ArrayList<>();
        parts.forEach(t -> all.addAll(t.parameters()));
        return Collections.unmodifiableList(all);
    }

    @Override
    public List<String> parameterNames() {
        List<String> all = new ArrayList<>();
        parts.forEach(t -> all.addAll(t.parameterNames()));
        return Collections.unmodifiableList(all);
    }
}
