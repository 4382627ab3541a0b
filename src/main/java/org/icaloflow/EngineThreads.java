package org.icaloflow;

/** The PyTorch engine's CPU threads, set before the engine starts (it reads the properties once). */
public final class EngineThreads {
    private EngineThreads() {
    }

    /**
     * {@code threads} intra-op threads and one inter-op thread; 0 or less leaves the engine's default. 1 avoids
     * OpenMP spinning on a shared or busy machine.
     */
    public static void set(int threads) {
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }
}
