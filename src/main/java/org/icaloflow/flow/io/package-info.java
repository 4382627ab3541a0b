/**
 * Flow checkpoints and the JSON form of a {@link org.icaloflow.flow.FlowSpec}; problems are
 * {@link org.icaloflow.UserError}s naming the file.
 *
 * <p>Checkpoint format (version {@value org.icaloflow.flow.io.FlowCheckpoint#FORMAT_VERSION},
 * {@link org.icaloflow.flow.io.FlowCheckpoint}): a directory holding {@code flow.json} ({@code {"format":
 * "icaloflow-flow", "formatVersion": 3, "dataType": "float32", "spec": {...FlowSpec keys...}, "permutations":
 * [null, [..], ...], "parameters": [{"name", "shape"}, ...]}}) and {@code params.bin} (the parameters, in the listed
 * order, as one DJL {@code NDList} encoding). Versions 1 and 2 used the pre-nflows parameterisation (no condition bias
 * or ReLU, shifted knot derivatives): loading one is a UserError asking to retrain.
 * {@link org.icaloflow.flow.io.FlowSpecJson}: {@code fromTree(node, where)} for YAML/JSON sections such as
 * {@code architecture.flow1}, and {@code toTree(spec)}.
 */
package org.icaloflow.flow.io;
