package org.rnn4j.kernel;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * Bytes the calling thread allocates in steady state, for the allocation guards.
 *
 * <p>A round of calls is repeated until one round allocates exactly nothing, or until a bounded
 * number of rounds: until C2 has compiled and inlined a kernel its vectors are heap boxes, so the
 * first rounds allocate whatever the code is; garbage that is really per call shows in every round,
 * at least one object per call. The bound is a round count, never a time, so a slow machine only
 * takes longer. C2 compiles in background threads, which on a small shared machine compete with
 * the test thread for the cores (a training step was seen boxing for 6,000 calls and clean after
 * 2,000 in another run), so a round that allocated is followed by a short pause that lets them run.
 */
public final class AllocationMeter {
    private AllocationMeter() {}

    private static final com.sun.management.ThreadMXBean MX = threadBean();
    private static final long PAUSE_MS = 5;

    private static com.sun.management.ThreadMXBean threadBean() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean b ? b : null;
    }

    /**
     * @param round the calls of one round; must not allocate in its own code (capture no boxes)
     * @param maxRounds how many rounds before giving up on reaching zero
     * @return 0, or the bytes of the last round when no round allocated nothing
     */
    public static long steadyStateBytes(Runnable round, int maxRounds) {
        Assumptions.assumeTrue(MX != null && MX.isThreadAllocatedMemorySupported() && MX.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot measure per-thread allocation");
        long last = -1;
        for (int r = 0; r < maxRounds && last != 0; r++) {
            if (r > 0) {
                pause();
            }
            long before = MX.getCurrentThreadAllocatedBytes();
            round.run();
            last = MX.getCurrentThreadAllocatedBytes() - before;
        }
        return last;
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
