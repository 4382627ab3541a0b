package org.icaloflow.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The project's rule for bad input, checked case by case: exit 2, one line naming the problem ({@code must[k]}),
 * no stack trace, and none of {@code outputs} written.
 */
final class BadInputCases {
    private BadInputCases() {
    }

    /**
     * @param usageCases cases where picocli itself rejects the option and prints its usage after the one line: only
     *                   their first line is checked
     */
    static void assertEachRefused(String[][] cases, String[] must, Set<Integer> usageCases, Path... outputs) {
        assertEquals(cases.length, must.length, "one expected text per case");
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            var cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true));
            for (int k = 0; k < cases.length; k++) {
                err.reset();
                assertEquals(2, cl.execute(cases[k]), "case " + k + ": " + err);
                String line = err.toString().strip();
                if (usageCases.contains(k)) line = line.lines().findFirst().orElse("");
                assertEquals(1, line.lines().count(), "case " + k + ": one line: " + line);
                assertFalse(line.contains("Exception"), line);
                assertTrue(line.contains(must[k]), "case " + k + ": " + line);
                for (Path p : outputs) assertFalse(Files.exists(p), "case " + k + ": no " + p.getFileName());
            }
        } finally {
            System.setErr(old);
        }
    }
}
