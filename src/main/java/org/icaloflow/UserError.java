package org.icaloflow;

/**
 * A problem the user can fix: a bad file, a bad configuration key, a server that is down when
 * required. The CLI prints its one-line message (no stack trace) and exits with code 2.
 * Anything else that escapes is a bug and keeps its stack trace.
 */
public class UserError extends RuntimeException {
    public static final int EXIT_CODE = 2;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
