package org.icaloflow.evaluate.classifier;

import java.util.Arrays;

/** Scores of a two-sample classifier: ROC AUC, binary cross-entropy, the JSD estimate, accuracy. */
public final class ClassifierMetrics {
    private static final double LN2 = Math.log(2);

    private ClassifierMetrics() {
    }

    /**
     * Area under the ROC curve = P(score of a random positive > score of a random negative), ties counted ½
     * (Mann–Whitney U / (n₀n₁), the same number as sklearn's roc_auc_score). O(n log n): both classes sorted,
     * then one merge pass.
     */
    public static double auc(double[] negatives, double[] positives) {
        if (negatives.length == 0 || positives.length == 0) {
            throw new IllegalArgumentException("AUC needs both classes (" + negatives.length + " negatives, " + positives.length + " positives)");
        }
        double[] n = negatives.clone();
        double[] p = positives.clone();
        checkFinite(n, "negative");
        checkFinite(p, "positive");
        Arrays.sort(n);
        Arrays.sort(p);
        // for each positive: (#negatives below) + ½ (#negatives equal); both pointers only move forward
        double u = 0;
        int below = 0, upTo = 0; // n[0..below) < value, n[0..upTo) <= value
        for (double v : p) {
            while (below < n.length && n[below] < v) below++;
            if (upTo < below) upTo = below;
            while (upTo < n.length && n[upTo] <= v) upTo++;
            u += below + 0.5 * (upTo - below);
        }
        return u / ((double) n.length * p.length);
    }

    /** AUC from scores and 0/1 labels (label 1 = positive). */
    public static double auc(double[] scores, int[] labels) {
        int n1 = 0;
        for (int l : labels) n1 += l == 1 ? 1 : 0;
        double[] neg = new double[scores.length - n1];
        double[] pos = new double[n1];
        int a = 0, b = 0;
        for (int i = 0; i < scores.length; i++) {
            if (labels[i] == 1) pos[b++] = scores[i]; else neg[a++] = scores[i];
        }
        return auc(neg, pos);
    }

    /** Mean binary cross-entropy (nats) of probabilities {@code prob} for 0/1 labels; probabilities must lie in (0, 1). */
    public static double bce(double[] prob, int[] labels) {
        double s = 0;
        for (int i = 0; i < prob.length; i++) {
            double q = prob[i];
            if (!(q > 0 && q < 1)) throw new IllegalArgumentException("probability " + q + " outside (0, 1) at " + i);
            s -= labels[i] == 1 ? Math.log(q) : Math.log1p(-q);
        }
        return s / prob.length;
    }

    /**
     * The CaloChallenge JSD estimate (ln 2 − BCE) / ln 2: 0 when the classifier cannot tell the samples apart
     * (calibrated BCE = ln 2 for balanced classes), 1 when it separates them perfectly.
     */
    public static double jsd(double bce) {
        return (LN2 - bce) / LN2;
    }

    /** Fraction of logits on the right side of 0 (sigmoid rounded, as the evaluator's accuracy). */
    public static double accuracy(float[] logits, int[] labels) {
        long right = 0;
        for (int i = 0; i < logits.length; i++) {
            if ((logits[i] > 0) == (labels[i] == 1)) right++;
        }
        return (double) right / logits.length;
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    private static void checkFinite(double[] v, String what) {
        for (double x : v) {
            if (Double.isNaN(x)) throw new IllegalArgumentException("NaN " + what + " score");
        }
    }
}
