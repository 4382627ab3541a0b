package org.icaloflow.pipeline;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** No Docker engine runs here: the recipes are checked statically against the build. */
class ContainerRecipeTest {
    static final Path ROOT = Path.of("").toAbsolutePath();

    static String read(String p) throws Exception {
        return Files.readString(ROOT.resolve(p));
    }

    static String pomProperty(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
        assertTrue(m.find(), "pom.xml property " + name);
        return m.group(1).trim();
    }

    @Test
    void dockerfilesNameWhatTheBuildProduces() throws Exception {
        String pom = read("pom.xml");
        Matcher fn = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertTrue(fn.find());
        String jar = "target/" + fn.group(1) + ".jar";
        String torch = pomProperty(pom, "pytorch.version");
        for (String f : List.of("containers/Dockerfile.cpu", "containers/Dockerfile.gpu")) {
            String d = read(f);
            assertTrue(d.contains("/src/" + jar), f + " copies the shaded jar " + jar);
            Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(d);
            while (copy.find()) assertTrue(Files.exists(ROOT.resolve(copy.group(1))), f + ": COPY source " + copy.group(1) + " exists");
            Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(d);
            int images = 0;
            while (from.find()) {
                images++;
                String image = from.group(1);
                assertTrue(image.contains(":") && !image.endsWith(":latest"), f + ": base image pinned: " + image);
            }
            assertEquals(2, images, f + ": build and runtime stages");
            assertTrue(d.contains("PYTORCH_VERSION=" + torch), f + " pins libtorch " + torch + " as the pom does");
            assertTrue(Pattern.compile("(?m)^USER (?!root)\\S+").matcher(d).find(), f + " runs as a non-root user");
            assertTrue(d.contains("ICALOFLOW_JAR=/opt/icaloflow/icaloflow.jar"), f + " points bin/icaloflow at the jar");
            assertTrue(d.contains("icaloflow info"), f + " extracts libtorch at build time");
            assertTrue(d.contains("-Dgit.commit="), f + " stamps the commit");
        }
        assertTrue(read("containers/Dockerfile.gpu").contains("PYTORCH_FLAVOR=cu"));
        // DJL loads a bundled CPU libtorch even on a GPU node: the GPU jar leaves it out (docs/gpu.md)
        String gpu = read("containers/Dockerfile.gpu");
        assertTrue(gpu.contains("-Dicaloflow.cuda -DskipTests"), "the GPU image builds its jar without the CPU libtorch");
        assertTrue(gpu.contains("-Dicaloflow.cuda dependency:go-offline"), "and fetches the dependencies of that build");
        assertFalse(read("containers/Dockerfile.cpu").contains("icaloflow.cuda"), "the CPU image keeps it");
        assertTrue(pom.contains("<id>cpu-natives</id>") && pom.contains("<name>!icaloflow.cuda</name>"),
                "pom.xml: the CPU libtorch comes from a profile that -Dicaloflow.cuda turns off");
        assertTrue(read("bin/icaloflow").contains("ICALOFLOW_JAR"), "bin/icaloflow honours ICALOFLOW_JAR");
    }

    @Test
    void apptainerDefinitionsComeFromTheImages() throws Exception {
        for (String kind : List.of("cpu", "gpu")) {
            String def = read("containers/icaloflow-" + kind + ".def");
            assertTrue(def.contains("From: icaloflow:" + kind));
            assertTrue(def.contains("exec icaloflow \"$@\""));
        }
    }
}
