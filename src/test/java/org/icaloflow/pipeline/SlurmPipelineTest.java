package org.icaloflow.pipeline;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The `slurm` profile against a real SLURM: `-profile test,slurm -stub-run` pushes every task through sbatch
 * (stubs only touch their outputs, so it takes seconds per task), then SLURM itself is asked where each job ran:
 * gpu-labelled processes in the gpu partition with one GPU gres, cpu-labelled ones in the cpu partition without.
 *
 * Runs when the local test cluster of scripts/slurm-local.sh is up (ClusterName=icaloflow) and is skipped
 * otherwise, so a developer without SLURM gets a green suite; ICALOFLOW_SLURM_TESTS=1 (set by .ci/run) makes a
 * missing SLURM a failure, and then any cluster answering `sinfo` is used: ICALOFLOW_SLURM_GPU_QUEUE and
 * ICALOFLOW_SLURM_CPU_QUEUE name its partitions (default gpu, cpu).
 */
@Tag("slurm")
class SlurmPipelineTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Set<String> GPU = Set.of("TRAIN_FLOW1", "TRAIN_FLOW2", "TRAIN_FLOW3", "DISTILL_FLOW2", "DISTILL_FLOW3",
            "SAMPLE", "BENCH_SAMPLE");
    static final Set<String> CPU = Set.of("CONFIG", "SYNTH", "SYNTH_REFERENCE", "VALIDATE", "PREPROCESS", "EVALUATE", "REPORT");
    static final String GPU_QUEUE = env("ICALOFLOW_SLURM_GPU_QUEUE", "gpu");
    static final String CPU_QUEUE = env("ICALOFLOW_SLURM_CPU_QUEUE", "cpu");

    @TempDir
    static Path tmp;

    static String env(String k, String dflt) {
        String v = System.getenv(k);
        return v == null || v.isBlank() ? dflt : v;
    }

    record Result(int exit, String out) {}

    static Result exec(Path dir, long timeoutSeconds, String... cmd) {
        try {
            Path log = Files.createTempFile(tmp, "cmd", ".log");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + ": no answer within " + timeoutSeconds + " s\n" + Files.readString(log));
            }
            return new Result(p.exitValue(), Files.readString(log));
        } catch (Exception e) {
            return new Result(-1, String.join(" ", cmd) + ": " + e);
        }
    }

    @BeforeAll
    static void slurmUp() {
        boolean required = "1".equals(System.getenv("ICALOFLOW_SLURM_TESTS"));
        Result sinfo = exec(tmp, 20, "sinfo", "-h", "-o", "%P");
        if (sinfo.exit != 0) {
            assertFalse(required, "ICALOFLOW_SLURM_TESTS=1 but `sinfo` does not answer (start the local cluster with "
                    + "`scripts/slurm-local.sh start` as root): " + sinfo.out.strip());
            assumeTrue(false, "no SLURM (`sinfo` does not answer): skipped; scripts/slurm-local.sh start brings one up");
        }
        // on a login node of a real cluster, only submit when asked to
        Result config = exec(tmp, 20, "scontrol", "show", "config");
        boolean harness = config.out.matches("(?s).*ClusterName\\s*=\\s*icaloflow\\b.*");
        if (!required) assumeTrue(harness, "SLURM answers but is not the local test cluster of scripts/slurm-local.sh: "
                + "skipped (ICALOFLOW_SLURM_TESTS=1 runs it anyway)");
        Set<String> partitions = new TreeSet<>();
        for (String l : sinfo.out.strip().split("\\s+")) partitions.add(l.replace("*", ""));
        assertTrue(partitions.containsAll(List.of(GPU_QUEUE, CPU_QUEUE)), "SLURM partitions " + partitions + " lack "
                + GPU_QUEUE + " or " + CPU_QUEUE + " (ICALOFLOW_SLURM_GPU_QUEUE / ICALOFLOW_SLURM_CPU_QUEUE name them)");
    }

    /** One line of the trace: the process name without its tag, the SLURM job id, the work dir. */
    record Task(String process, String name, String jobId, Path workDir, String status) {}

    @Test
    void everyTaskGoesThroughSbatchToItsPartition() throws Exception {
        Path out = tmp.resolve("results");
        Path trace = tmp.resolve("trace.txt");
        // the profile's own settings are what is tested; only the submission pace is raised for a one-node
        // cluster (10/min would make this take minutes), and the trace names the work dirs
        Path extra = tmp.resolve("slurm-test.config");
        Files.writeString(extra, """
                executor { submitRateLimit = '100/1min'; pollInterval = '1 sec'; queueStatInterval = '2 sec' }
                trace { enabled = true; overwrite = true; file = '%s'; fields = 'task_id,hash,native_id,name,status,exit,workdir' }
                """.formatted(trace));
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("nextflow").toString(), "-log", tmp.resolve("nextflow.log").toString(),
                "run", ROOT.resolve("main.nf").toString(), "-profile", "test,slurm", "-stub-run", "-ansi-log", "false",
                "-c", extra.toString(), "-w", tmp.resolve("work").toString(), "--outdir", out.toString(),
                "--gpu_queue", GPU_QUEUE, "--cpu_queue", CPU_QUEUE));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true);
        pb.environment().put("ICALOFLOW_JAR", ROOT.resolve("target/icaloflow.jar").toString());
        Path log = tmp.resolve("run.log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        boolean done = p.waitFor(8, TimeUnit.MINUTES);
        if (!done) p.destroyForcibly();
        String nfOut = Files.readString(log);
        assertTrue(done, "pipeline on SLURM finished within 8 minutes:\n" + nfOut);
        assertEquals(0, p.exitValue(), "pipeline on SLURM failed:\n" + nfOut + "\n" + tail(tmp.resolve("nextflow.log")));

        List<Task> tasks = readTrace(trace);
        Set<String> seen = new TreeSet<>();
        for (Task t : tasks) seen.add(t.process);
        Set<String> all = new TreeSet<>(GPU);
        all.addAll(CPU);
        assertEquals(all, seen, "every process of the pipeline ran");

        Result cfg = exec(tmp, 20, "scontrol", "show", "config");
        Matcher jc = Pattern.compile("(?m)^JobCompType\\s*=\\s*(\\S+)").matcher(cfg.out);
        Matcher jl = Pattern.compile("(?m)^JobCompLoc\\s*=\\s*(\\S+)").matcher(cfg.out);
        Map<String, String> jobcomp = new HashMap<>();
        if (jc.find() && jc.group(1).equals("jobcomp/filetxt") && jl.find()) {
            // the completion log is written when SLURM cleans a job up, a moment after Nextflow sees it finish
            Path f = Path.of(jl.group(1));
            for (int i = 0; i < 50; i++) {
                jobcomp.clear();
                if (Files.isReadable(f)) for (String l : Files.readAllLines(f)) {
                    Matcher id = Pattern.compile("^JobId=(\\d+) ").matcher(l);
                    if (id.find()) jobcomp.put(id.group(1), l);
                }
                if (tasks.stream().allMatch(t -> jobcomp.containsKey(t.jobId))) break;
                Thread.sleep(200);
            }
        }

        for (Task t : tasks) {
            boolean gpu = GPU.contains(t.process);
            String queue = gpu ? GPU_QUEUE : CPU_QUEUE;
            assertEquals("COMPLETED", t.status, t.name);
            assertTrue(t.jobId.matches("\\d+"), t.name + " has a SLURM job id (went through sbatch): '" + t.jobId + "'");

            // what SLURM itself says about the job
            Result job = exec(tmp, 20, "scontrol", "-o", "show", "job", t.jobId);
            assertEquals(0, job.exit, t.name + ": scontrol show job " + t.jobId + ": " + job.out);
            Map<String, String> f = fields(job.out);
            assertEquals(queue, f.get("Partition"), t.name + " (job " + t.jobId + ") partition");
            assertEquals("COMPLETED", f.get("JobState"), t.name + " (job " + t.jobId + ") state");
            String tres = f.getOrDefault("TresPerNode", "") + " " + f.getOrDefault("TresPerJob", "") + " " + f.getOrDefault("Gres", "");
            boolean oneGpu = Pattern.compile("gres[:/]gpu[:=]1\\b").matcher(tres).find();
            if (gpu) assertTrue(oneGpu, t.name + " (job " + t.jobId + ") asked SLURM for one GPU: " + job.out.strip());
            else assertFalse(tres.contains("gpu"), t.name + " (job " + t.jobId + ") asked for no GPU: " + job.out.strip());
            if (!jobcomp.isEmpty()) {
                String line = jobcomp.get(t.jobId);
                assertNotNull(line, t.name + ": job " + t.jobId + " in the job-completion log");
                assertEquals(queue, fields(line).get("Partition"), t.name + " partition in the job-completion log");
                assertEquals("COMPLETED", fields(line).get("JobState"), t.name + " in the job-completion log");
            }

            // and what Nextflow asked for
            String run = Files.readString(t.workDir.resolve(".command.run"));
            assertTrue(run.contains("\n#SBATCH -p " + queue + "\n"), t.name + ": .command.run has #SBATCH -p " + queue + "\n" + header(run));
            assertEquals(gpu, run.contains("\n#SBATCH --gres=gpu:1\n"), t.name + ": #SBATCH --gres=gpu:1 only for gpu tasks\n" + header(run));
            if (!gpu) assertFalse(run.contains("--gres"), t.name + ": no gres for a cpu task\n" + header(run));
        }
        assertTrue(tasks.size() >= all.size());
    }

    static List<Task> readTrace(Path trace) throws Exception {
        List<String> lines = Files.readAllLines(trace);
        List<String> head = List.of(lines.get(0).split("\t"));
        List<Task> tasks = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] c = l.split("\t", -1);
            String name = c[head.indexOf("name")];
            String process = name.replaceFirst(" \\(.*\\)$", "").replaceFirst("^.*:", "");
            tasks.add(new Task(process, name, c[head.indexOf("native_id")].strip(), Path.of(c[head.indexOf("workdir")]),
                    c[head.indexOf("status")]));
        }
        assertFalse(tasks.isEmpty(), "trace lists the tasks");
        return tasks;
    }

    /** KEY=VALUE fields of a one-line scontrol/jobcomp record. */
    static Map<String, String> fields(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher kv = Pattern.compile("(?:^|\\s)([A-Za-z:/]+)=(\\S*)").matcher(line.strip());
        while (kv.find()) m.putIfAbsent(kv.group(1), kv.group(2));
        return m;
    }

    static String header(String run) {
        try (Stream<String> s = run.lines()) {
            return String.join("\n", s.filter(l -> l.startsWith("#SBATCH")).toList());
        }
    }

    static String tail(Path p) throws Exception {
        if (!Files.exists(p)) return "";
        List<String> l = Files.readAllLines(p);
        return String.join("\n", l.subList(Math.max(0, l.size() - 60), l.size()));
    }
}
