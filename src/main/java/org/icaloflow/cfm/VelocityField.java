package org.icaloflow.cfm;

import ai.djl.ndarray.NDArray;

/**
 * A velocity field v(x, t) of the flow ODE dx/dt = v(x, t) (paper Eq. 5), evaluated on a batch.
 *
 * <p>{@code x} is (batch, ...) and the result has its shape; {@code t} is a 0-dim array of x's data type on x's
 * manager. Time is an array, not a double, so that a bespoke solver's learnable times reach the field with their
 * gradient (Sec. 3.4); a network embeds it, a test field may read {@code t.getDouble()} when it does not need the
 * time derivative. Under a GradientCollector, multiply by 0-dim arrays rather than Java numbers (see
 * {@link org.icaloflow.cfm}).
 */
@FunctionalInterface
public interface VelocityField {
    NDArray velocity(NDArray x, NDArray t);

    /** This field, counting its evaluations (the n_eval of the paper's Fig. 9). */
    static Counting counting(VelocityField field) {
        return new Counting(field);
    }

    /** A field that counts how often it is evaluated. */
    final class Counting implements VelocityField {
        private final VelocityField field;
        private long evaluations;

        private Counting(VelocityField field) {
            this.field = field;
        }

        @Override
        public NDArray velocity(NDArray x, NDArray t) {
            evaluations++;
            return field.velocity(x, t);
        }

        public long evaluations() {
            return evaluations;
        }

        public void reset() {
            evaluations = 0;
        }
    }
}
