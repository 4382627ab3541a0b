package org.icaloflow.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.icaloflow.UserError;
import org.icaloflow.data.AtomicFiles;
import org.icaloflow.data.Json;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.nn.Adam;
import org.icaloflow.nn.Network;
import org.icaloflow.track.Tracker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Trains one network ({@link ModelKind}: a flow, or one of CaloDREAM's networks) with Adam and a learning-rate
 * schedule, minimising an {@link Objective} (maximum likelihood, paper Eqs. 3-5, for the teachers; probability
 * density distillation for the students; flow matching for CaloDREAM) and keeping the model with the lowest
 * selection value. {@link #flow} makes the trainer of a flow.
 *
 * <p>Output folder ({@link ModelFolder}): {@code model/} (the selected network), {@code checkpoint/} (the latest network, optimiser and
 * loop state, written at every selection point: a killed run resumes from it and loses at most the work
 * since), {@code history.csv} (training and selection losses, then the objective's separate loss terms),
 * {@code loss.png}.
 *
 * <p>A batch whose loss is NaN or infinite is skipped, counted and logged; {@code maxBadBatches} in a row
 * stop the run with a clear error. Every temporary tensor lives in a per-step NDManager scope.
 */
public final class Trainer<M extends Network> {

    /**
     * Where and how to run. {@code stopAfterSteps} > 0 abandons the run after that many steps, as a kill would.
     * {@code checkpointDir} null: {@code outDir/checkpoint}; the pipeline puts it outside the task's work folder
     * so that a retried task (a new folder) resumes from it.
     */
    public record Options(String name, TrainingSettings settings, Path outDir, boolean resume, long stopAfterSteps,
                          PrintStream log, Path checkpointDir) {
        public Options(String name, TrainingSettings settings, Path outDir, boolean resume, long stopAfterSteps, PrintStream log) {
            this(name, settings, outDir, resume, stopAfterSteps, log, null);
        }
    }

    /** What came out. {@code completed} is false when stopped by {@code stopAfterSteps}. */
    public record Result(double bestSelectLoss, long bestStep, long steps, long badBatches, boolean resumed, boolean completed) {
    }

    private final ModelKind<M> kind;
    private final TrainingData train, select;
    private final Options o;
    private final TrainingSettings s;
    private final Tracker tracker;
    private final Objective<M> objective;

    /** Maximum-likelihood training of a flow of {@code spec}. */
    public static Trainer<Flow> flow(FlowSpec spec, TrainingData train, TrainingData select, Options options, Tracker tracker) {
        return flow(spec, train, select, options, tracker, Objective.mle());
    }

    /** A flow of {@code spec} minimising {@code objective} (which may create it: a student from its teacher). */
    public static Trainer<Flow> flow(FlowSpec spec, TrainingData train, TrainingData select, Options options, Tracker tracker,
                                     Objective<Flow> objective) {
        return new Trainer<>(Flows.of(spec), train, select, options, tracker, objective);
    }

    public Trainer(ModelKind<M> kind, TrainingData train, TrainingData select, Options options, Tracker tracker,
                   Objective<M> objective) {
        if (train.dim() != kind.dim() || train.conditionDim() != kind.conditionDim())
            throw new UserError(options.name() + ": data has dim " + train.dim() + " / condition " + train.conditionDim()
                    + " but the architecture expects " + kind.dim() + " / " + kind.conditionDim());
        if (train.size() == 0 || select.size() == 0) throw new UserError(options.name() + ": empty training or selection set");
        this.kind = kind;
        this.train = train;
        this.select = select;
        this.o = options;
        this.s = options.settings();
        this.tracker = tracker == null ? Tracker.noop() : tracker;
        this.objective = objective;
    }

    /** Loop state persisted in checkpoint/state.json. */
    private static final class State {
        int epoch;              // current epoch (0-based)
        long batchInEpoch;      // batches of the current epoch already done
        long step;              // optimiser steps (and skipped batches) so far
        double best = Double.POSITIVE_INFINITY;
        long bestStep = -1;
        long badInARow;
        long badTotal;
    }

    public Result run() {
        ModelFolder out = new ModelFolder(o.outDir());
        Path ckpt = o.checkpointDir() != null ? o.checkpointDir() : out.checkpoint();
        // the selected model lives beside the checkpoint, so that a run resumed in another folder (a retried
        // pipeline task) still has it; it is copied into OUT/model at the end
        Path best = o.checkpointDir() != null ? ckpt.resolveSibling(ckpt.getFileName() + "-best") : out.model();
        long spe = train.batchesPerPass(s.batchSize());
        long total = spe * s.epochs();
        LearningRateSchedule.Clock clock = new LearningRateSchedule.Clock(total, spe, s.selectEvery());
        State st = new State();
        List<String> history = new ArrayList<>();
        boolean resumed = false;
        try (NDManager root = NDManager.newBaseManager()) {
            M flow;
            Adam adam;
            if (o.resume() && Files.isRegularFile(ckpt.resolve("state.json"))) {
                flow = kind.load(ckpt.resolve(kind.checkpointEntry()), root);
                adam = newAdam(kind, flow);
                readState(ckpt, st, adam, history);
                resumed = true;
                o.log().printf(Locale.ROOT, "%s: resuming from %s at epoch %d, step %d (best selection loss %.5g)%n",
                        o.name(), ckpt, st.epoch + 1, st.step, st.best);
            } else {
                flow = objective.create(kind, root);
                adam = newAdam(kind, flow);
                StringBuilder header = new StringBuilder("kind,epoch,step,loss,lr,samples_per_s");
                for (String t : objective.terms()) header.append(',').append(t);
                history.add(header.toString());
            }
            try {
                o.log().printf(Locale.ROOT, "%s: %s, %d parameters, %d training / %d selection samples, %d epochs x %d batches of %d, device %s%n",
                        o.name(), kind.describe(), flow.parameterCount(), train.size(), select.size(), s.epochs(), spe,
                        s.batchSize(), root.getDevice());
                Progress progress = new Progress(o.log(), o.name(), total, st.step);
                long stepsThisRun = 0;
                double intervalLoss = 0;
                int nTerms = objective.terms().size();
                double[] intervalTerms = new double[nTerms];
                double[] terms = new double[nTerms];
                long intervalBatches = 0, intervalSamples = 0;
                long intervalStart = System.nanoTime();
                for (; st.epoch < s.epochs(); st.epoch++, st.batchInEpoch = 0) {
                    Iterator<TrainingData.Batch> it = train.withNoise(noisePass(st.epoch)).batches(s.batchSize(), true, epochSeed(st.epoch), st.batchInEpoch);
                    while (it.hasNext()) {
                        TrainingData.Batch b = it.next();
                        // the schedule is a function of the step alone: a resumed run continues it exactly
                        double lr = s.schedule().rate(st.step, clock);
                        double beta1 = s.schedule().beta1(st.step, clock);
                        adam.setLearningRate(lr);
                        adam.setBeta1(beta1);
                        double loss = step(kind, flow, adam, b, objective, st.step, terms);
                        st.step++;
                        st.batchInEpoch++;
                        stepsThisRun++;
                        if (Double.isFinite(loss)) {
                            st.badInARow = 0;
                            intervalLoss += loss;
                            for (int k = 0; k < nTerms; k++) intervalTerms[k] += terms[k];
                            intervalBatches++;
                            intervalSamples += b.n();
                        } else {
                            st.badInARow++;
                            st.badTotal++;
                            tracker.logMetric("bad_batches", st.badTotal, st.step);
                            o.log().printf(Locale.ROOT, "%s: warning: non-finite loss at epoch %d step %d: batch skipped (%d in a row, %d in all)%n",
                                    o.name(), st.epoch + 1, st.step, st.badInARow, st.badTotal);
                            if (st.badInARow >= s.maxBadBatches())
                                throw new UserError(o.name() + ": " + st.badInARow + " batches in a row had a NaN or infinite loss "
                                        + "(maxBadBatches " + s.maxBadBatches() + "): lower the learning rate or check the data");
                        }
                        boolean epochEnd = !it.hasNext();
                        if (st.step % s.logEvery() == 0 || epochEnd) {
                            double secs = (System.nanoTime() - intervalStart) / 1e9;
                            double mean = intervalBatches > 0 ? intervalLoss / intervalBatches : Double.NaN;
                            double rate = intervalSamples / Math.max(secs, 1e-9);
                            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "train,%d,%d,%.8g,%.6g,%.1f",
                                    st.epoch + 1, st.step, mean, lr, rate));
                            for (int k = 0; k < nTerms; k++) {
                                double tm = intervalBatches > 0 ? intervalTerms[k] / intervalBatches : Double.NaN;
                                row.append(String.format(Locale.ROOT, ",%.8g", tm));
                                tracker.logMetric(objective.terms().get(k), tm, st.step);
                                intervalTerms[k] = 0;
                            }
                            history.add(row.toString());
                            tracker.logMetric("train_loss", mean, st.step);
                            tracker.logMetric("lr", lr, st.step);
                            tracker.logMetric("beta1", beta1, st.step);
                            tracker.logMetric("samples_per_s", rate, st.step);
                            progress.update(st.step, st.epoch + 1, s.epochs(), mean, lr, rate);
                            intervalLoss = 0;
                            intervalBatches = 0;
                            intervalSamples = 0;
                            intervalStart = System.nanoTime();
                        }
                        boolean selectNow = epochEnd || s.selectEvery() > 0 && st.step % s.selectEvery() == 0;
                        if (selectNow) {
                            double sl = objective.selectionMetric(flow, select.withNoise(selectionNoisePass(st.step)), s.batchSize());
                            history.add(String.format(Locale.ROOT, "select,%d,%d,%.8g,%.6g,", st.epoch + 1, st.step, sl, lr)
                                    + ",".repeat(nTerms));
                            tracker.logMetric(objective.selectionName(), sl, st.step);
                            boolean better = sl < st.best;
                            if (better) {
                                st.best = sl;
                                st.bestStep = st.step;
                                save(kind, flow, best);
                                tracker.logMetric("best_" + objective.selectionName(), sl, st.step);
                            }
                            progress.selection(st.step, objective.selectionDescription(), sl, better);
                            if (epochEnd) {  // the next checkpoint starts the next epoch
                                st.epoch++;
                                st.batchInEpoch = 0;
                            }
                            writeCheckpoint(ckpt, flow, adam, st, history);
                            if (epochEnd) {
                                st.epoch--;
                                st.batchInEpoch = spe;
                            }
                        }
                        if (o.stopAfterSteps() > 0 && stepsThisRun >= o.stopAfterSteps()) {
                            return new Result(st.best, st.bestStep, st.step, st.badTotal, resumed, false);
                        }
                    }
                }
                progress.done();
                if (st.bestStep < 0) throw new UserError(o.name() + ": no finite selection loss: nothing to keep");
                if (!best.equals(out.model())) copyFolder(best, out.model());
                writeHistory(out.history(), history);
                LossCurve.write(out.lossPlot(), o.name(), history);
                return new Result(st.best, st.bestStep, st.step, st.badTotal, resumed, true);
            } finally {
                adam.close();
                flow.close();
            }
        }
    }

    /**
     * One optimiser step on a batch; returns its loss, NaN/inf when skipped (no update). The objective's
     * separate terms go into {@code terms}.
     */
    static <M extends Network> double step(ModelKind<M> kind, M model, Adam adam, TrainingData.Batch b, Objective<M> objective,
                                           long step, double[] terms) {
        double loss;
        // the batch's arrays (the forward pass's values, freed by the backward pass only where no array still holds
        // them) are released before the optimiser's update, so that its temporaries do not add to them
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = m.create(b.x(), new Shape(b.n(), kind.dim()));
            NDArray c = kind.conditionDim() > 0 ? m.create(b.c(), new Shape(b.n(), kind.conditionDim())) : null;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Objective.Loss ol = objective.loss(model, x, c, b, step);
                NDArray l = ol.total();
                loss = l.getFloat();
                for (int k = 0; k < terms.length; k++) terms[k] = ol.terms()[k].getFloat();
                if (!Double.isFinite(loss)) return loss;
                gc.backward(l);
            }
        }
        adam.step();
        return loss;
    }

    /** Adam with betas (0.9, 0.999) and the kind's ε ({@link ModelKind#optimizerEpsilon}). */
    private static <M extends Network> Adam newAdam(ModelKind<M> kind, M model) {
        return new Adam(model.parameters(), 0, 0.9, 0.999, kind.optimizerEpsilon(), model::markParametersChanged);
    }

    /** Mean negative log-likelihood of {@code data} under {@code flow}, without gradients. */
    public static double meanNll(Flow flow, TrainingData data, int batchSize) {
        boolean was = flow.isEvalMode();
        flow.setEvalMode(true);
        try {
            double sum = 0;
            long n = 0;
            Iterator<TrainingData.Batch> it = data.batches(batchSize, false, 0, 0);
            while (it.hasNext()) {
                TrainingData.Batch b = it.next();
                try (NDManager m = flow.manager().newSubManager()) {
                    NDArray x = m.create(b.x(), new Shape(b.n(), flow.spec().dim()));
                    NDArray c = flow.spec().conditionDim() > 0 ? m.create(b.c(), new Shape(b.n(), flow.spec().conditionDim())) : null;
                    sum += flow.logProb(x, c).neg().sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                    n += b.n();
                }
            }
            return sum / n;
        } finally {
            flow.setEvalMode(was);
        }
    }

    private long epochSeed(int epoch) {
        return s.seed() * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 1;
    }

    /**
     * Noise pass of training epoch {@code epoch} (fresh dequantisation noise every epoch, as the authors'
     * loader): from the training seed and the epoch only, so a resumed run draws what an uninterrupted one does.
     */
    static long noisePass(long seed, int epoch) {
        return seed * 0xD1B54A32D192ED03L + 2L * epoch;
    }

    private long noisePass(int epoch) {
        return noisePass(s.seed(), s.fixedNoise() ? 0 : epoch);
    }

    /**
     * Noise pass of the selection evaluation at global step {@code step}: the authors' test loader also draws
     * fresh noise at every evaluation. Odd, so never a training epoch's pass.
     */
    static long selectionNoisePass(long seed, long step) {
        return seed * 0xD1B54A32D192ED03L + 2L * step + 1;
    }

    private long selectionNoisePass(long step) {
        return selectionNoisePass(s.seed(), s.fixedNoise() ? 0 : step);
    }

    // ------------------------------------------------------------------ files

    /** Saves a network into {@code dir} atomically: a temp folder renamed into place. */
    static <M extends Network> void save(ModelKind<M> kind, M model, Path dir) {
        try {
            AtomicFiles.writeFolder(dir, tmp -> kind.save(model, tmp));
        } catch (IOException e) {
            throw new UserError(dir + ": cannot write (" + e.getMessage() + ")");
        }
    }

    /** Copies a saved network folder (flat: e.g. flow.json, params.bin) into {@code dir} atomically. */
    static void copyFolder(Path from, Path dir) {
        try {
            AtomicFiles.writeFolder(dir, tmp -> {
                Files.createDirectories(tmp);
                try (Stream<Path> files = Files.list(from)) {
                    for (Path f : files.toList()) Files.copy(f, tmp.resolve(f.getFileName()));
                }
            });
        } catch (IOException e) {
            throw new UserError(dir + ": cannot write (" + e.getMessage() + ")");
        }
    }

    private void writeCheckpoint(Path ckpt, M model, Adam adam, State st, List<String> history) {
        try {
            AtomicFiles.writeFolder(ckpt, tmp -> {
                Files.createDirectories(tmp);
                kind.save(model, tmp.resolve(kind.checkpointEntry()));
                try (OutputStream os = Files.newOutputStream(tmp.resolve("optimizer.bin"))) {
                    adam.saveState(os);
                }
                ObjectNode j = Json.object();
                j.put("epoch", st.epoch);
                j.put("batchInEpoch", st.batchInEpoch);
                j.put("step", st.step);
                j.put("best", st.best);
                j.put("bestStep", st.bestStep);
                j.put("badInARow", st.badInARow);
                j.put("badTotal", st.badTotal);
                Files.writeString(tmp.resolve("state.json"), Json.pretty(j));
                Files.write(ModelFolder.checkpointHistory(tmp), history);
            });
        } catch (IOException e) {
            throw new UserError(ckpt + ": cannot write checkpoint (" + e.getMessage() + ")");
        }
        writeHistory(new ModelFolder(o.outDir()).history(), history);
    }

    private static void readState(Path ckpt, State st, Adam adam, List<String> history) {
        try {
            JsonNode j = Json.MAPPER.readTree(ckpt.resolve("state.json").toFile());
            st.epoch = j.get("epoch").asInt();
            st.batchInEpoch = j.get("batchInEpoch").asLong();
            st.step = j.get("step").asLong();
            st.best = j.get("best").asDouble();
            st.bestStep = j.get("bestStep").asLong();
            st.badInARow = j.get("badInARow").asLong();
            st.badTotal = j.get("badTotal").asLong();
            try (InputStream is = Files.newInputStream(ckpt.resolve("optimizer.bin"))) {
                adam.loadState(is);
            }
            history.addAll(Files.readAllLines(ModelFolder.checkpointHistory(ckpt)));
        } catch (IOException | NullPointerException e) {
            throw new UserError(ckpt + ": checkpoint is unreadable (" + e.getMessage() + "); remove it to start afresh");
        }
    }

    private static void writeHistory(Path file, List<String> history) {
        AtomicFiles.writeString(file, String.join("\n", history) + "\n");
    }
}
