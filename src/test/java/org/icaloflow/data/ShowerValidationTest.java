package org.icaloflow.data;

import org.icaloflow.UserError;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every invalid input is a one-line UserError naming the file (and the row for values), via the API. */
class ShowerValidationTest {

    static List<BadFiles.Case> cases() {
        return BadFiles.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void invalidInputIsOneLineUserError(BadFiles.Case c, @TempDir Path dir) throws Exception {
        Geometry g = BadFiles.geometry(c.geometry(), dir);
        Path file = c.maker().make(dir);
        UserError e;
        if (c.onRead()) {
            try (ShowerFile f = ShowerFile.open(file, g)) {
                e = assertThrows(UserError.class, () -> {
                    for (long at = 0; at < f.size(); at += 1000) f.read(at, (int) Math.min(1000, f.size() - at));
                });
            }
        } else {
            e = assertThrows(UserError.class, () -> ShowerFile.open(file, g).close());
        }
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString() + ": "), m);
        assertTrue(m.contains(c.expect()), m);
        assertFalse(m.contains("\n") || m.contains("\r"), m);
        // the same through ShowerSource (a valid file first, so the error must still name the bad one)
        Path ok = dir.resolve("ok_first.hdf5");
        ShowerWriter.writeAll(ok, g, TestFiles.randomBatch(3, g.voxels(), 1), ShowerWriter.Precision.FLOAT32);
        UserError e2 = assertThrows(UserError.class, () -> {
            try (ShowerSource s = ShowerSource.open(List.of(ok, file), g)) {
                for (long at = 0; at < s.size(); at += 1000) s.read(at, (int) Math.min(1000, s.size() - at));
            }
        });
        String m2 = e2.getMessage();
        assertTrue(m2.startsWith(file.toString() + ": ") && m2.contains(c.expect()), m2);
    }
}
