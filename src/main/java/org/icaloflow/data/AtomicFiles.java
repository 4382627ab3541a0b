package org.icaloflow.data;

import org.icaloflow.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Every output file and folder is written through here: first to a temporary sibling in the target's folder
 * ({@code .NAME.tmp-RANDOM}), then moved onto the target with {@code ATOMIC_MOVE}. Readers never see a
 * half-written output, and a failed or killed stage leaves at most a hidden temp file or folder behind.
 * A folder ({@link #writeFolder}) is built complete in its temp sibling, then swapped in: an existing target
 * is first renamed aside to {@code .NAME.old}, the temp folder renamed onto the target, and the old one deleted.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /**
     * Runs {@code writeToTemp} on a fresh temp path next to {@code target} (the path does not exist yet;
     * the action creates it), then moves it onto {@code target}, replacing any old file. On any failure the
     * temp file is deleted and the exception rethrown ({@link IOException} as {@link UserError} naming the
     * target).
     */
    public static void write(Path target, IOAction<Path> writeToTemp) {
        Path tmp = tempFor(target);
        boolean done = false;
        try {
            writeToTemp.accept(tmp);
            if (!Files.exists(tmp)) throw new IllegalStateException("the writer did not create " + tmp);
            commit(tmp, target);
            done = true;
        } catch (IOException e) {
            throw new UserError(target + ": cannot write (" + describe(e) + ")", e);
        } finally {
            if (!done) deleteQuietly(tmp);
        }
    }

    /** Writes {@code text} as UTF-8, atomically. */
    public static void writeString(Path target, String text) {
        write(target, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }

    /**
     * A fresh temp path {@code .NAME.tmp-RANDOM} in the target's folder (created if missing); nothing is
     * created at the path itself.
     */
    public static Path tempFor(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError(target + ": cannot create folder " + dir + " (" + describe(e) + ")", e);
        }
        String rnd = Long.toUnsignedString(RANDOM.nextLong(), 36);
        return dir.resolve("." + abs.getFileName() + ".tmp-" + rnd);
    }

    /** Moves a finished temp file onto its target: atomically, replacing the target. */
    public static void commit(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // same folder, so this only happens on exotic file systems: fall back to a plain replace
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Builds a folder atomically: runs {@code buildInTemp} on a fresh temp path next to {@code target} (the path
     * does not exist yet; the action creates it), then swaps it in place of {@code target} (see the class
     * comment). On any failure the temp folder is deleted and the exception rethrown as it is, for the caller
     * to word.
     */
    public static void writeFolder(Path target, IOAction<Path> buildInTemp) throws IOException {
        Path tmp = tempFor(target);
        try {
            buildInTemp.accept(tmp);
            swapFolder(tmp, target);
        } catch (IOException | RuntimeException e) {
            deleteTreeQuietly(tmp);
            throw e;
        }
    }

    /** Swaps a finished temp folder in place of {@code dir}: the old one, if any, goes aside first, then away. */
    private static void swapFolder(Path tmp, Path dir) throws IOException {
        Path old = dir.resolveSibling("." + dir.getFileName() + ".old");
        deleteTreeQuietly(old);
        if (Files.exists(dir)) Files.move(dir, old);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        deleteTreeQuietly(old);
    }

    /** Creates {@code folder} and its parents, or ends with one line naming it (an output folder). */
    public static void createFolder(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UserError(folder + ": cannot create folder (" + e.getMessage() + ")");
        }
    }

    /** Deletes a folder tree (or a file) if present, ignoring failures (for cleanup paths). */
    public static void deleteTreeQuietly(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> w = Files.walk(p)) {
            w.sorted(Comparator.reverseOrder()).forEach(AtomicFiles::deleteQuietly);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort cleanup
        }
    }

    /** Deletes a file if present, ignoring failures (for cleanup paths). */
    public static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        String s = e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
