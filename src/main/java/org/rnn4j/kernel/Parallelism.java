package org.rnn4j.kernel;

import java.util.concurrent.Executor;

/**
 * How a large kernel call (GEMM) may split its work: over a caller-supplied {@link Executor} into
 * at most {@code tasks} pieces. A service that embeds rnn4j can pass the executor it already
 * manages; {@link WorkerTeam#parallelism()} gives one whose helpers stay awake between the short
 * per-step GEMMs of a step loop (rnn4j starts no threads unless a {@link WorkerTeam} is created). The
 * calling thread runs one piece itself and waits for the others.
 *
 * <p>The split is over disjoint blocks of the output, and every output element is computed by the
 * same instruction sequence whichever piece it lands in, so results are bitwise identical for any
 * number of tasks.
 *
 * @param executor runs the pieces other than the caller's own; must not be null
 * @param tasks maximum number of pieces, {@code >= 1}; 1 means run on the calling thread only
 */
public record Parallelism(Executor executor, int tasks) {
    /** Single-threaded: everything runs on the calling thread. The default. */
    public static final Parallelism SERIAL = new Parallelism(Runnable::run, 1);

    /** Validates the components. */
    public Parallelism {
        if (executor == null) {
            throw new IllegalArgumentException("executor must not be null (use Parallelism.SERIAL for the calling thread)");
        }
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
        }
    }
}
