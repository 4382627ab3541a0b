package org.icaloflow.flow;

import ai.djl.Device;

/**
 * The process-wide state behind {@link EvalKernels#forDevice}, {@link EvalKernels#choice} and
 * {@link EvalKernels#select}: the current {@link EvalKernels.Choice} (read from the configuration when first
 * asked) and, for tests only, kernels that stand in for the installed ones.
 */
final class KernelSelection {
    private static volatile EvalKernels.Choice choice;
    /** Stands in for the installed kernels where not null (tests: a counting wrapper). */
    private static volatile EvalKernels standIn;

    private KernelSelection() {
    }

    static EvalKernels.Choice choice() {
        EvalKernels.Choice c = choice;
        if (c == null) {
            synchronized (KernelSelection.class) {
                if (choice == null) {
                    choice = EvalKernels.Choice.configured();
                }
                c = choice;
            }
        }
        return c;
    }

    static EvalKernels forDevice(Device device) {
        if (choice() == EvalKernels.Choice.TENSOR) {
            return null;
        }
        EvalKernels s = standIn;
        EvalKernels k = s != null ? s : EvalKernels.Installed.KERNELS;
        return k != null && k.handles(device) ? k : null;
    }

    static synchronized EvalKernels.Selection select(EvalKernels.Choice next) {
        if (next == null) {
            throw new IllegalArgumentException("choice must not be null");
        }
        EvalKernels.Choice previous = choice();
        choice = next;
        return () -> {
            synchronized (KernelSelection.class) {
                choice = previous;
            }
        };
    }

    /** Tests: {@code kernels} stand in for the installed ones until the selection is closed. */
    static synchronized EvalKernels.Selection standIn(EvalKernels kernels) {
        EvalKernels previous = standIn;
        standIn = kernels;
        return () -> {
            synchronized (KernelSelection.class) {
                standIn = previous;
            }
        };
    }
}
