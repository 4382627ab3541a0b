package org.icaloflow.cli;

import org.icaloflow.FlowRole;
import org.icaloflow.UserError;
import org.icaloflow.config.RunConfig;
import org.icaloflow.train.TrainStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code icaloflow train}: one teacher flow by maximum likelihood. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Train a teacher flow (MAF) on preprocessed showers.",
        descriptionHeading = "%n",
        description = {
                "Flow-1 learns p(E_1..E_45 | E_inc), Flow-2 p(normalised layer 1 | E_inc, E_1), Flow-3 "
                        + "p(normalised layer i | E_inc, E_i, E_i-1, normalised layer i-1, one-hot(i)) for i = 2..45.",
                "Architecture and schedule come from --config (paper Tables II and III). The model with the lowest "
                        + "selection-set loss is kept (evaluated at each epoch's end and every selectEvery batches).",
                "",
                "Writes OUT/model (the selected flow), OUT/checkpoint (for --resume), OUT/history.csv, OUT/loss.png, "
                        + "OUT/manifest.json and OUT/train.journal.jsonl (MLflow events, also sent to the server when "
                        + "one is reachable)."},
        optionListHeading = "%nOptions:%n")
public final class TrainCommand implements Runnable {

    @Option(names = "--flow", required = true, paramLabel = "1|2|3", description = "Which flow.")
    int flowNumber;

    @Mixin
    FlowStageOptions stage;

    @Override
    public void run() {
        if (flowNumber < 1 || flowNumber > 3) throw new UserError("--flow must be 1, 2 or 3, got " + flowNumber);
        FlowRole flow = FlowRole.of(flowNumber);
        RunConfig cfg = RunConfig.load(stage.config);
        if (cfg.training() == null) throw new UserError(stage.config + ": no 'training' section");
        TrainStage.run(new TrainStage.Inputs(flow, cfg.architecture().teacher(flow), cfg.training().flow(flow), cfg.geometry(),
                cfg.tracking().experiment(), stage.inputs(), stage.tracking.inputs()));
    }
}
