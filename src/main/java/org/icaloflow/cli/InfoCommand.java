package org.icaloflow.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import org.icaloflow.BuildInfo;
import picocli.CommandLine.Command;

/** {@code icaloflow info}: what this build runs on (engine, device, GPUs); loads the engine's natives once. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Print the build, the deep-learning engine and the device stages will use.",
                "Running it once also extracts DJL's libtorch into DJL_CACHE_DIR (the container images do this at build time)."})
public final class InfoCommand implements Runnable {
    @Override
    public void run() {
        Engine e = Engine.getInstance();
        Device d = e.defaultDevice();
        System.out.println("icaloflow " + BuildInfo.version() + " (commit " + BuildInfo.commit() + ")");
        System.out.println("java: " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        System.out.println("engine: " + e.getEngineName() + " " + e.getVersion());
        System.out.println("default device: " + d);
        System.out.println("gpus: " + e.getGpuCount() + (CudaUtils.hasCuda() ? " (CUDA " + CudaUtils.getCudaVersionString() + ")" : ""));
        System.out.println("cpu threads: " + Runtime.getRuntime().availableProcessors());
    }
}
