package org.icaloflow.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import org.icaloflow.BuildInfo;
import org.icaloflow.flow.EvalKernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code icaloflow info}: what this build runs on (engine, device, GPUs); loads the engine's natives once. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Print the build, the deep-learning engine and the device stages will use.",
                "Running it once also extracts DJL's libtorch into DJL_CACHE_DIR (the container images do this at build time)."})
public final class InfoCommand implements Runnable {

    @Option(names = "--versions-yml", paramLabel = "PROCESS",
            description = {"Print instead the versions.yml of a pipeline process (nf-core's format: the process name, then "
                    + "icaloflow, java, djl, libtorch and the device as keys), which the pipeline collects into "
                    + "pipeline_info/software_versions.yml."})
    String versionsProcess;

    @Override
    public void run() {
        Engine e = Engine.getInstance();
        Device d = e.defaultDevice();
        if (versionsProcess != null) {
            System.out.print(versionsYml(versionsProcess, e, d));
            return;
        }
        System.out.println("icaloflow " + BuildInfo.version() + " (commit " + BuildInfo.commit() + ")");
        System.out.println("java: " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        System.out.println("engine: " + e.getEngineName() + " " + e.getVersion());
        System.out.println("default device: " + d);
        System.out.println("gpus: " + e.getGpuCount() + (CudaUtils.hasCuda() ? " (CUDA " + CudaUtils.getCudaVersionString() + ")" : ""));
        System.out.println("cpu threads: " + Runtime.getRuntime().availableProcessors());
        System.out.println("eval kernels: " + kernelsLine(d));
    }

    /**
     * Which eval-mode path flows take on device {@code d}: the choice ({@code icaloflow.kernels} /
     * {@code ICALOFLOW_KERNELS}, docs/gpu.md) and what it means there.
     */
    static String kernelsLine(Device d) {
        EvalKernels.Choice c = EvalKernels.choice();
        EvalKernels k = EvalKernels.forDevice(d);
        return c.key() + " (" + (k != null ? k.getClass().getSimpleName() + " on " + d : "tensor path on " + d) + ")";
    }

    /** One process's entry: {@code "NAME":} then two-space indented {@code key: "value"} lines, values quoted. */
    static String versionsYml(String process, Engine e, Device d) {
        String cuda = CudaUtils.hasCuda() ? CudaUtils.getCudaVersionString() : "none";
        return "\"" + yamlEscape(process) + "\":\n"
                + "  icaloflow: \"" + yamlEscape(BuildInfo.version() + " (commit " + BuildInfo.commit() + ")") + "\"\n"
                + "  java: \"" + yamlEscape(System.getProperty("java.version")) + "\"\n"
                + "  djl: \"" + yamlEscape(Engine.getDjlVersion()) + "\"\n"
                + "  libtorch: \"" + yamlEscape(e.getVersion()) + "\"\n"
                + "  cuda: \"" + yamlEscape(cuda) + "\"\n"
                + "  device: \"" + yamlEscape(d.toString()) + "\"\n";
    }

    private static String yamlEscape(String s) {
        return String.valueOf(s).replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
