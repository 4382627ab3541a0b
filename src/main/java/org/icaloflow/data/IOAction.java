package org.icaloflow.data;

import java.io.IOException;

/** An action on one argument that may throw {@link IOException}. */
@FunctionalInterface
public interface IOAction<T> {
    void accept(T t) throws IOException;
}
