package org.icaloflow.cli;

import org.icaloflow.FlowRole;
import org.icaloflow.UserError;
import org.icaloflow.config.RunConfig;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.distill.DistillStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code icaloflow distill}: one IAF student from its trained MAF teacher. */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        headerHeading = "%n",
        header = "Distil a trained teacher (MAF) into a fast-sampling student (IAF).",
        descriptionHeading = "%n",
        description = {
                "Probability density distillation (CaloFlow II; iCaloFlow Sec. III C 2): the student has the teacher's "
                        + "blocks and permutations and learns to invert it, as in the authors' code: chi2 sums over features "
                        + "of x vs f_IAF^-1(f_MAF(x)) on training showers (L_x) and of z vs f_MAF(f_IAF^-1(z)) on base "
                        + "samples (L_z), each with every block's intermediate state and MADE outputs; L = beta L_x + "
                        + "(1 - beta) L_z, beta 0.5 for Flow-2 (Eq. 10), 1 for Flow-3 (x-pass only, Eq. 11); weights, schedule, and "
                        + "the optional physics loss and diversity weighting come from the config's 'distillation' section.",
                "The teacher is frozen. The student with the lowest estimated KL(student||teacher) on the selection "
                        + "set's conditions is kept (each epoch's end and every selectEvery batches).",
                "",
                "Writes OUT/model (the selected student), OUT/checkpoint (for --resume), OUT/history.csv, OUT/loss.png, "
                        + "OUT/manifest.json and OUT/distill.journal.jsonl (MLflow events)."},
        optionListHeading = "%nOptions:%n")
public final class DistillCommand implements Runnable {

    @Option(names = "--flow", required = true, paramLabel = "2|3", description = "Which flow's student.")
    int flowNumber;

    @Option(names = {"-t", "--teacher"}, required = true, paramLabel = "DIR",
            description = "The teacher: the output folder of `icaloflow train` (its model/ is used) or a model folder.")
    Path teacherDir;

    @Mixin
    FlowStageOptions stage;

    @Override
    public void run() {
        if (flowNumber < 2 || flowNumber > 3) throw new UserError("--flow must be 2 or 3 (Flow-1 has no student), got " + flowNumber);
        FlowRole flow = FlowRole.of(flowNumber);
        RunConfig cfg = RunConfig.load(stage.config);
        if (cfg.distillation() == null) throw new UserError(stage.config + ": no 'distillation' section");
        FlowSpec student = cfg.architecture().student(flow);
        if (student == null) throw new UserError(stage.config + ": architecture.flow" + flowNumber + "_student is required for distillation");
        // the settings are recorded resolved, with every weight written out
        DistillStage.run(new DistillStage.Inputs(flow, cfg.architecture().teacher(flow), student,
                cfg.distillation().flow(flow).resolved(flow), cfg.geometry(), cfg.tracking().experiment(), teacherDir,
                stage.inputs(), stage.tracking.inputs()));
    }
}
