package org.icaloflow.track;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real `mlflow server` (sqlite backend, served artifacts, loopback, free port) for tests. */
public final class MlflowTestServer implements AutoCloseable {
    private final Process process;
    public final String uri;
    public final MlflowRest rest;

    private MlflowTestServer(Process process, String uri, MlflowRest rest) {
        this.process = process;
        this.uri = uri;
        this.rest = rest;
    }

    /** True when `python3 -m mlflow` can be imported. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import mlflow").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Starts a server with its database and artifacts under {@code dir}; waits for /health. */
    public static MlflowTestServer start(Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String uri = "http://127.0.0.1:" + port;
        Files.createDirectories(dir);
        Path log = dir.resolve("server-" + port + ".log");
        ProcessBuilder pb = new ProcessBuilder("python3", "-m", "mlflow", "server",
                "--backend-store-uri", "sqlite:///" + dir.resolve("mlflow.db"),
                "--artifacts-destination", dir.resolve("artifacts").toString(),
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--workers", "1")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
        Process p = pb.start();
        MlflowRest rest = new MlflowRest(uri, java.time.Duration.ofSeconds(60));
        long deadline = System.currentTimeMillis() + 90_000;
        while (!rest.healthy()) {
            if (!p.isAlive()) throw new IllegalStateException("mlflow server exited:\n" + Files.readString(log));
            if (System.currentTimeMillis() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("mlflow server did not answer /health in 90 s:\n" + Files.readString(log));
            }
            Thread.sleep(250);
        }
        return new MlflowTestServer(p, uri, rest);
    }

    @Override
    public void close() {
        List<ProcessHandle> kids = process.descendants().toList();
        process.destroyForcibly();
        kids.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
