package org.icaloflow.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.icaloflow.FlowRole;
import org.icaloflow.UserError;
import org.icaloflow.distill.DistillationSettings;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.train.TrainingSettings;

import java.nio.file.Path;
import java.util.List;

/**
 * One configuration file (configs/ds2.yaml, configs/ds3.yaml, configs/test.yaml): the paper's
 * hyperparameters as data. Sections: {@code geometry}, {@code architecture} (Table II),
 * {@code preprocess}, {@code training} (Table III, teachers), {@code distillation} (Table III, students),
 * {@code tracking}, and {@code calodream} (CaloDREAM's networks, its paper's Table 1: {@link CalodreamConfig};
 * optional).
 */
public record RunConfig(
        @JsonProperty("geometry") String geometry,
        @JsonProperty(value = "architecture", required = true) Architecture architecture,
        @JsonProperty("preprocess") Preprocess preprocess,
        @JsonProperty("training") Training training,
        @JsonProperty("distillation") Distillation distillation,
        @JsonProperty("tracking") Tracking tracking,
        @JsonProperty("calodream") CalodreamConfig calodream) {

    public RunConfig {
        if (preprocess == null) preprocess = new Preprocess(null, null);
        if (tracking == null) tracking = new Tracking(null);
    }

    /** Table II: the five flows. */
    public record Architecture(
            @JsonProperty("flow1") FlowSpec flow1,
            @JsonProperty("flow2_teacher") FlowSpec flow2Teacher,
            @JsonProperty("flow2_student") FlowSpec flow2Student,
            @JsonProperty("flow3_teacher") FlowSpec flow3Teacher,
            @JsonProperty("flow3_student") FlowSpec flow3Student) {

        /** The teacher of a flow (Flow-1 is only ever a teacher); a UserError when the configuration lacks it. */
        public FlowSpec teacher(FlowRole flow) {
            FlowSpec f = switch (flow) {
                case LAYER_ENERGIES -> flow1;
                case FIRST_LAYER -> flow2Teacher;
                case NEXT_LAYER -> flow3Teacher;
            };
            if (f == null) throw new UserError("the configuration has no architecture."
                    + (flow == FlowRole.LAYER_ENERGIES ? "flow1" : "flow" + flow.number() + "_teacher"));
            return f;
        }

        /** The student of Flow-2 or Flow-3 (null when not configured). */
        public FlowSpec student(FlowRole flow) {
            return switch (flow) {
                case FIRST_LAYER -> flow2Student;
                case NEXT_LAYER -> flow3Student;
                case LAYER_ENERGIES -> throw new IllegalArgumentException("only flows 2 and 3 have students, got " + flow.number());
            };
        }
    }

    /** Table III, students: probability density distillation of Flow-2 and Flow-3. */
    public record Distillation(
            @JsonProperty("flow2") DistillationSettings flow2,
            @JsonProperty("flow3") DistillationSettings flow3) {

        /** Settings of Flow-2 or Flow-3; a UserError when the configuration lacks them. */
        public DistillationSettings flow(FlowRole flow) {
            DistillationSettings d = switch (flow) {
                case FIRST_LAYER -> flow2;
                case NEXT_LAYER -> flow3;
                case LAYER_ENERGIES -> throw new IllegalArgumentException("only flows 2 and 3 are distilled, got " + flow.number());
            };
            if (d == null) throw new UserError("the configuration has no distillation.flow" + flow.number());
            return d;
        }
    }

    /** Split of the showers. */
    public record Preprocess(@JsonProperty("trainFraction") Double trainFraction, @JsonProperty("seed") Long seed) {
        public Preprocess {
            if (trainFraction == null) trainFraction = 0.7;
            if (seed == null) seed = 1234L;
        }
    }

    /** Table III, teachers. */
    public record Training(
            @JsonProperty("flow1") TrainingSettings flow1,
            @JsonProperty("flow2") TrainingSettings flow2,
            @JsonProperty("flow3") TrainingSettings flow3) {

        /** Settings of a flow's teacher; a UserError when the configuration lacks them. */
        public TrainingSettings flow(FlowRole flow) {
            TrainingSettings t = switch (flow) {
                case LAYER_ENERGIES -> flow1;
                case FIRST_LAYER -> flow2;
                case NEXT_LAYER -> flow3;
            };
            if (t == null) throw new UserError("the configuration has no training.flow" + flow.number());
            return t;
        }
    }

    /** MLflow settings that belong to the configuration (the URI comes from the environment or an option). */
    public record Tracking(@JsonProperty("experiment") String experiment) {
        public Tracking {
            if (experiment == null || experiment.isBlank()) experiment = "icaloflow";
        }
    }

    /** Loads and validates a configuration file; every problem is a one-line UserError naming the key. */
    public static RunConfig load(Path file) {
        RunConfig c = Yaml.read(file, RunConfig.class);
        try {
            c.validate();
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": " + e.getMessage());
        }
        return c;
    }

    public void validate() {
        if (geometry != null && !geometry.matches("ds2|ds3|.*\\.xml"))
            throw new IllegalArgumentException("geometry must be ds2, ds3 or a binning XML file, got '" + geometry + "'");
        if (!(preprocess.trainFraction() > 0 && preprocess.trainFraction() < 1))
            throw new IllegalArgumentException("preprocess.trainFraction must be in (0, 1), got " + preprocess.trainFraction());
        if (training != null) {
            if (training.flow1() != null) training.flow1().validate("training.flow1");
            if (training.flow2() != null) training.flow2().validate("training.flow2");
            if (training.flow3() != null) training.flow3().validate("training.flow3");
        }
        if (distillation != null) {
            if (distillation.flow2() != null) distillation.flow2().validate("distillation.flow2", FlowRole.FIRST_LAYER);
            if (distillation.flow3() != null) distillation.flow3().validate("distillation.flow3", FlowRole.NEXT_LAYER);
        }
        if (calodream != null)
            calodream.validate(geometry != null && !geometry.endsWith(".xml") ? org.icaloflow.data.Geometry.forName(geometry) : null);
        // sections may be absent in the per-stage files of `icaloflow config split`: check what is there
        Architecture a = architecture;
        for (FlowRole f : List.of(FlowRole.FIRST_LAYER, FlowRole.NEXT_LAYER)) {
            FlowSpec t = f == FlowRole.FIRST_LAYER ? a.flow2Teacher() : a.flow3Teacher();
            FlowSpec st = a.student(f);
            if (st == null || t == null) continue;
            String key = "architecture.flow" + f.number() + "_student";
            if (st.dim() != t.dim()) throw new IllegalArgumentException(key + ".dim must equal the teacher's (" + t.dim() + ")");
            if (st.conditionDim() != t.conditionDim())
                throw new IllegalArgumentException(key + ".conditionDim must equal the teacher's (" + t.conditionDim() + ")");
            if (st.blocks() != t.blocks())
                throw new IllegalArgumentException(key + ".blocks must equal the teacher's (" + t.blocks() + "): distillation matches block by block");
        }
        if (a.flow2Teacher() != null && a.flow2Teacher().conditionDim() != 2)
            throw new IllegalArgumentException("architecture.flow2_teacher.conditionDim must be 2 (E_inc, E_1)");
        if (a.flow1() != null && a.flow1().conditionDim() != 1)
            throw new IllegalArgumentException("architecture.flow1.conditionDim must be 1 (E_inc)");
        if (a.flow2Teacher() != null && a.flow3Teacher() != null && a.flow3Teacher().dim() != a.flow2Teacher().dim())
            throw new IllegalArgumentException("architecture.flow3_teacher.dim must equal flow2_teacher.dim (" + a.flow2Teacher().dim() + ")");
        Integer layers = a.flow1() != null ? Integer.valueOf(a.flow1().dim())
                : geometry != null && !geometry.endsWith(".xml") ? Integer.valueOf(org.icaloflow.data.Geometry.forName(geometry).layers()) : null;
        if (a.flow3Teacher() != null && layers != null) {
            int vpl = a.flow3Teacher().dim();
            int c3 = 3 + vpl + layers - 1;
            if (a.flow3Teacher().conditionDim() != c3)
                throw new IllegalArgumentException("architecture.flow3_teacher.conditionDim must be 3 + " + vpl + " + " + (layers - 1) + " = " + c3);
        }
    }
}
