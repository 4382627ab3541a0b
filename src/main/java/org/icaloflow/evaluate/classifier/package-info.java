/**
 * The CaloChallenge classifier test (iCaloFlow paper Table IV; CaloDREAM's weight diagnostic):
 * {@link org.icaloflow.evaluate.classifier.ClassifierInputs} builds the evaluator's low- and high-level inputs,
 * {@link org.icaloflow.evaluate.classifier.TwoSampleClassifier} trains an {@link org.icaloflow.evaluate.classifier.Mlp}
 * to separate generated from reference showers, calibrates it with
 * {@link org.icaloflow.evaluate.classifier.IsotonicCalibration} and scores it with
 * {@link org.icaloflow.evaluate.classifier.ClassifierMetrics} (AUC, JSD);
 * {@link org.icaloflow.evaluate.classifier.ClassifierWeights} summarises the weights w = C/(1−C).
 * See docs/classifier.md for the protocol and where it departs from the evaluator.
 */
package org.icaloflow.evaluate.classifier;
