package org.icaloflow.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.icaloflow.UserError;
import org.icaloflow.distill.DistillationSettings;
import org.icaloflow.flow.FlowSpec;
import org.icaloflow.train.TrainingSettings;

import java.nio.file.Path;

/**
 * One configuration file (configs/ds2.yaml, configs/ds3.yaml, configs/test.yaml): the paper's
 * hyperparameters as data. Sections: {@code geometry}, {@code architecture} (Table II),
 * {@code preprocess}, {@code training} (Table III, teachers), {@code distillation} (Table III, students),
 * {@code tracking}.
 */
public record RunConfig(
        @JsonProperty("geometry") String geometry,
        @JsonProperty(value = "architecture", required = true) Architecture architecture,
        @JsonProperty("preprocess") Preprocess preprocess,
        @JsonProperty("training") Training training,
        @JsonProperty("distillation") Distillation distillation,
        @JsonProperty("tracking") Tracking tracking) {

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

        /** The teacher of flow 1, 2 or 3; a UserError when the configuration lacks it. */
        public FlowSpec teacher(int flow) {
            FlowSpec f = switch (flow) {
                case 1 -> flow1;
                case 2 -> flow2Teacher;
                case 3 -> flow3Teacher;
                default -> throw new IllegalArgumentException("flow must be 1, 2 or 3, got " + flow);
            };
            if (f == null) throw new UserError("the configuration has no architecture." + (flow == 1 ? "flow1" : "flow" + flow + "_teacher"));
            return f;
        }

        /** The student of flow 2 or 3 (null when not configured). */
        public FlowSpec student(int flow) {
            return switch (flow) {
                case 2 -> flow2Student;
                case 3 -> flow3Student;
                default -> throw new IllegalArgumentException("only flows 2 and 3 have students, got " + flow);
            };
        }
    }

    /** Table III, students: probability density distillation of Flow-2 and Flow-3. */
    public record Distillation(
            @JsonProperty("flow2") DistillationSettings flow2,
            @JsonProperty("flow3") DistillationSettings flow3) {

        /** Settings of flow 2 or 3; a UserError when the configuration lacks them. */
        public DistillationSettings flow(int flow) {
            DistillationSettings d = switch (flow) {
                case 2 -> flow2;
                case 3 -> flow3;
                default -> throw new IllegalArgumentException("only flows 2 and 3 are distilled, got " + flow);
            };
            if (d == null) throw new UserError("the configuration has no distillation.flow" + flow);
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

        /** Settings of flow 1, 2 or 3; a UserError when the configuration lacks them. */
        public TrainingSettings flow(int flow) {
            TrainingSettings t = switch (flow) {
                case 1 -> flow1;
                case 2 -> flow2;
                case 3 -> flow3;
                default -> throw new IllegalArgumentException("flow must be 1, 2 or 3, got " + flow);
            };
            if (t == null) throw new UserError("the configuration has no training.flow" + flow);
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
            if (distillation.flow2() != null) distillation.flow2().validate("distillation.flow2", 2);
            if (distillation.flow3() != null) distillation.flow3().validate("distillation.flow3", 3);
        }
        // sections may be absent in the per-stage files of `icaloflow config split`: check what is there
        Architecture a = architecture;
        for (int f = 2; f <= 3; f++) {
            FlowSpec t = f == 2 ? a.flow2Teacher() : a.flow3Teacher();
            FlowSpec st = a.student(f);
            if (st == null || t == null) continue;
            String key = "architecture.flow" + f + "_student";
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
