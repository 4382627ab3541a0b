/**
 * CaloDREAM's stages (issue 16; docs/cfm.md, "Energy network training (stage)"): the energy network's data
 * ({@link org.icaloflow.calodream.EnergyData}: layer energies, seeded split, u and its encoding), the trained model
 * ({@link org.icaloflow.calodream.EnergyModel}, its {@code train.ModelKind}, and its folder
 * {@link org.icaloflow.calodream.EnergyCheckpoint}), the flow-matching objective for the one trainer
 * ({@link org.icaloflow.calodream.FlowMatchingObjective}), the training stage
 * ({@link org.icaloflow.calodream.EnergyTrainStage}, {@code icaloflow dream train --network energy}) and sampling of
 * layer energies ({@link org.icaloflow.calodream.EnergySampler}); the same for the shape network (docs/cfm.md, "Shape
 * network training and sampling (stage)": {@link org.icaloflow.calodream.ShapeData} streamed from the files,
 * {@link org.icaloflow.calodream.ShapeCondition}, {@link org.icaloflow.calodream.ShapeModel},
 * {@link org.icaloflow.calodream.ShapeCheckpoint}, {@link org.icaloflow.calodream.ShapeObjective},
 * {@link org.icaloflow.calodream.ShapeTrainStage}) and the generation chain
 * ({@link org.icaloflow.calodream.DreamSampler}, {@link org.icaloflow.calodream.DreamSampleStage},
 * {@code icaloflow dream sample}), and the BNS solver's training for a trained shape network (docs/cfm.md, "BNS solver
 * training (stage)": {@link org.icaloflow.calodream.BespokeTrainStage}, {@code dream train --network bespoke};
 * {@link org.icaloflow.calodream.BespokeFile}, bespoke.json, read by {@code dream sample --solver bespoke}). The maths lives in {@code cfm}; the configuration's
 * {@code calodream} section ({@link org.icaloflow.calodream.EnergySpec}, {@link org.icaloflow.calodream.ShapeSpec}, {@link org.icaloflow.calodream.BespokeSpec}) is bound by {@code config}, which imports
 * this package, so this package never reads the configuration itself.
 */
package org.icaloflow.calodream;
