package org.icaloflow.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma & Ba) over a list of parameters, for explicit GradientCollector loops:
 *
 * <pre>{@code
 * try (NDManager step = manager.newSubManager()) {
 *     try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
 *         NDArray loss = flow.logProb(x, c).mean().neg();
 *         gc.backward(loss);
 *     }
 *     adam.step();
 * }
 * }</pre>
 *
 * {@link #step()} reads each parameter's gradient, updates the parameter in place, zeroes the gradient
 * (PyTorch accumulates otherwise) and runs the {@code onStep} hook (a flow: its parameters changed). The learning rate and β1 are
 * settable before every step (schedules; OneCycle cycles β1 as torch's OneCycleLR does with Adam). As in
 * torch.optim.Adam, the step uses the current β1 both in the first-moment update and in its bias correction
 * {@code 1 - β1^t}. State (moments) lives on a sub-manager of the first parameter's manager.
 */
public final class Adam implements AutoCloseable {
    private final List<NDArray> params;
    private final Runnable onStep;
    private final NDManager stateManager;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private double learningRate;
    private double beta1;
    private final double beta2;
    private final double eps;
    private long t;

    public Adam(List<NDArray> params, double learningRate, double beta1, double beta2, double eps, Runnable onStep) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("no parameters");
        }
        this.params = List.copyOf(params);
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.onStep = onStep;
        this.stateManager = params.get(0).getManager().newSubManager();
        for (NDArray p : this.params) {
            NDArray a = stateManager.zeros(p.getShape(), p.getDataType());
            NDArray b = stateManager.zeros(p.getShape(), p.getDataType());
            m.add(a);
            v.add(b);
        }
    }

    /**
     * Adam with betas (0.9, 0.999), eps 1e-8; {@code onStep} runs after every step, e.g. a flow's
     * {@code markParametersChanged} (eval-mode weight caches).
     */
    public Adam(List<NDArray> params, double learningRate, Runnable onStep) {
        this(params, learningRate, 0.9, 0.999, 1e-8, onStep);
    }

    public double learningRate() {
        return learningRate;
    }

    public void setLearningRate(double lr) {
        this.learningRate = lr;
    }

    public double beta1() {
        return beta1;
    }

    /** β1 of the next steps (torch: {@code group['betas'] = (beta1, beta2)}). */
    public void setBeta1(double b) {
        if (!(b >= 0 && b < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + b);
        this.beta1 = b;
    }

    /** Number of steps taken. */
    public long steps() {
        return t;
    }

    /** One update from the current gradients; then zeroes them. Call outside the GradientCollector. */
    public void step() {
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        double stepSize = learningRate / bc1;
        double epsHat = eps * Math.sqrt(bc2);
        for (int i = 0; i < params.size(); i++) {
            // one parameter's temporaries at a time (a 256 x 20700 output layer: 21 MB each), not all of them
            try (NDManager tmp = stateManager.newSubManager()) {
                NDArray p = params.get(i);
                boolean f64 = p.getDataType() == ai.djl.ndarray.types.DataType.FLOAT64;
                NDArray g = p.getGradient();
                g.attach(tmp);
                NDArray mi = m.get(i);
                NDArray vi = v.get(i);
                mi.muli(n(f64, beta1)).addi(g.mul(n(f64, 1 - beta1)));
                vi.muli(n(f64, beta2)).addi(g.square().muli(n(f64, 1 - beta2)));
                // p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)  ==  stepSize*sqrt(bc2) * m / (sqrt(v) + eps*sqrt(bc2))
                NDArray denom = vi.sqrt();
                denom.attach(tmp);
                denom.addi(n(f64, epsHat));
                NDArray upd = mi.div(denom);
                upd.attach(tmp);
                upd.muli(n(f64, stepSize * Math.sqrt(bc2)));
                p.subi(upd);
                g.muli(n(f64, 0));
            }
        }
        if (onStep != null) {
            onStep.run();
        }
    }

    private static Number n(boolean f64, double v) {
        return f64 ? (Number) v : (Number) (float) v;
    }

    /** Writes the step count and both moments (DJL NDList encoding), so a resumed run continues exactly. */
    public void saveState(java.io.OutputStream os) throws java.io.IOException {
        try (NDManager tmp = stateManager.newSubManager()) {
            ai.djl.ndarray.NDList list = new ai.djl.ndarray.NDList();
            list.add(tmp.create(new long[] {t}));
            list.addAll(m);
            list.addAll(v);
            list.encode(os);
        }
    }

    /** Restores what {@link #saveState} wrote; the parameters' shapes must match. */
    public void loadState(java.io.InputStream is) throws java.io.IOException {
        try (NDManager tmp = stateManager.newSubManager()) {
            ai.djl.ndarray.NDList list = ai.djl.ndarray.NDList.decode(tmp, is);
            if (list.size() != 1 + 2 * params.size()) {
                throw new java.io.IOException("optimiser state has " + list.size() + " arrays, expected " + (1 + 2 * params.size()));
            }
            for (int i = 0; i < params.size(); i++) {
                NDArray a = list.get(1 + i), b = list.get(1 + params.size() + i);
                if (!a.getShape().equals(m.get(i).getShape()) || !b.getShape().equals(v.get(i).getShape())) {
                    throw new java.io.IOException("optimiser state shape " + a.getShape() + " does not match parameter " + i);
                }
                a.toType(m.get(i).getDataType(), false).copyTo(m.get(i));
                b.toType(v.get(i).getDataType(), false).copyTo(v.get(i));
            }
            t = list.get(0).toLongArray()[0];
        }
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
