package org.icaloflow.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium for the browser checks (Debian's {@code chromium}, which bin/run-tests installs): the rendered
 * DOM of a page after its scripts ran, and a screenshot. {@code $ICALOFLOW_CHROMIUM} overrides the binary.
 */
public final class Chromium {
    private final String binary;

    private Chromium(String binary) {
        this.binary = binary;
    }

    /** The browser, or null when none is installed. */
    public static Chromium find() {
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("ICALOFLOW_CHROMIUM");
        if (env != null && !env.isBlank()) candidates.add(env);
        candidates.addAll(List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"));
        for (String c : candidates) if (Files.isExecutable(Path.of(c))) return new Chromium(c);
        return null;
    }

    private List<String> base(int width, int height) {
        return new ArrayList<>(List.of(binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--window-size=" + width + "," + height, "--virtual-time-budget=30000"));
    }

    /** The DOM after the page's scripts ran (for a single-page app: after its data fetches, within 30 s of virtual time). */
    public String dom(String url, int width, int height) throws IOException, InterruptedException {
        List<String> cmd = base(width, height);
        cmd.add("--dump-dom");
        cmd.add(url);
        Path out = Files.createTempFile("chromium-dom", ".html");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("chromium did not finish " + url + " in 120 s");
            }
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** A PNG screenshot of the page. */
    public void screenshot(String url, int width, int height, Path png) throws IOException, InterruptedException {
        List<String> cmd = base(width, height);
        cmd.add("--screenshot=" + png.toAbsolutePath());
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("chromium did not finish " + url + " in 120 s");
        }
    }

    /** The visible text of a DOM: tags, scripts and styles removed, whitespace collapsed. */
    public static String text(String dom) {
        return dom.replaceAll("(?s)<style.*?</style>", " ").replaceAll("(?s)<script.*?</script>", " ")
                .replaceAll("<[^>]+>", " ").replace("&amp;", "&").replaceAll("\\s+", " ");
    }
}
