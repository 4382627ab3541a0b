package org.icaloflow.evaluate.classifier;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.icaloflow.UserError;

/**
 * The classifier test's network and training, as configuration (YAML keys = component names). Every key is
 * optional; the defaults are the CaloChallenge evaluator's (and the iCaloFlow paper's Table IV): three hidden
 * layers of 2048 LeakyReLU(0.01) units, Adam lr 2e-4, batch 1000, 50 epochs, 10 independent runs.
 *
 * @param hiddenLayers   hidden layers of the fully connected network
 * @param hiddenWidth    units per hidden layer
 * @param leakySlope     negative slope of the LeakyReLU activations
 * @param learningRate   Adam learning rate (betas 0.9/0.999, eps 1e-8)
 * @param batchSize      training samples per Adam step
 * @param epochs         passes over the training split; the epoch with the best test accuracy is kept
 * @param runs           independent runs (fresh split, initialisation and batch order each) for mean ± std
 * @param seed           seed of run 0; run r uses {@code seed + r}
 * @param probabilityClip calibrated probabilities are clipped to [clip, 1 − clip] (the evaluator's isotonic
 *                        regression uses y_min = 1e-6, y_max = 1 − 1e-6), which bounds the BCE and the weights
 */
public record ClassifierSettings(
        @JsonProperty("hiddenLayers") Integer hiddenLayers,
        @JsonProperty("hiddenWidth") Integer hiddenWidth,
        @JsonProperty("leakySlope") Double leakySlope,
        @JsonProperty("learningRate") Double learningRate,
        @JsonProperty("batchSize") Integer batchSize,
        @JsonProperty("epochs") Integer epochs,
        @JsonProperty("runs") Integer runs,
        @JsonProperty("seed") Long seed,
        @JsonProperty("probabilityClip") Double probabilityClip) {

    public ClassifierSettings {
        if (hiddenLayers == null) hiddenLayers = 3;
        if (hiddenWidth == null) hiddenWidth = 2048;
        if (leakySlope == null) leakySlope = 0.01;
        if (learningRate == null) learningRate = 2e-4;
        if (batchSize == null) batchSize = 1000;
        if (epochs == null) epochs = 50;
        if (runs == null) runs = 10;
        if (seed == null) seed = 0L;
        if (probabilityClip == null) probabilityClip = 1e-6;
    }

    /** The evaluator's settings. */
    public static ClassifierSettings defaults() {
        return new ClassifierSettings(null, null, null, null, null, null, null, null, null);
    }

    /** Checks every value; a bad one is a {@link UserError} naming {@code where.key}. */
    public ClassifierSettings validate(String where) {
        if (hiddenLayers < 1) throw bad(where, "hiddenLayers", "must be >= 1, got " + hiddenLayers);
        if (hiddenWidth < 1) throw bad(where, "hiddenWidth", "must be >= 1, got " + hiddenWidth);
        if (!(leakySlope >= 0 && leakySlope < 1)) throw bad(where, "leakySlope", "must be in [0, 1), got " + leakySlope);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) throw bad(where, "learningRate", "must be > 0, got " + learningRate);
        if (batchSize < 1) throw bad(where, "batchSize", "must be >= 1, got " + batchSize);
        if (epochs < 1) throw bad(where, "epochs", "must be >= 1, got " + epochs);
        if (runs < 1) throw bad(where, "runs", "must be >= 1, got " + runs);
        if (!(probabilityClip > 0 && probabilityClip < 0.5)) throw bad(where, "probabilityClip", "must be in (0, 0.5), got " + probabilityClip);
        return this;
    }

    private static UserError bad(String where, String key, String msg) {
        return new UserError((where == null || where.isEmpty() ? key : where + "." + key) + " " + msg);
    }

    public ClassifierSettings withNetwork(int layers, int width) {
        return new ClassifierSettings(layers, width, leakySlope, learningRate, batchSize, epochs, runs, seed, probabilityClip);
    }

    public ClassifierSettings withTraining(int epochs, int batchSize, double learningRate) {
        return new ClassifierSettings(hiddenLayers, hiddenWidth, leakySlope, learningRate, batchSize, epochs, runs, seed, probabilityClip);
    }

    public ClassifierSettings withRuns(int runs, long seed) {
        return new ClassifierSettings(hiddenLayers, hiddenWidth, leakySlope, learningRate, batchSize, epochs, runs, seed, probabilityClip);
    }
}
