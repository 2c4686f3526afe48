package org.rnn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link WorkerTeam} as an executor: every task runs (also across the park/unpark path, where a lost
 * wake-up would hang a task), a throwing task does not kill its worker, bad arguments and use after
 * close are rejected with messages naming the argument. The GEMM results through a team are checked
 * bitwise in GemmParallelTest and RnnEngineTest.
 */
class WorkerTeamTest {

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WorkerTeam(0));
        assertEquals("workers must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new WorkerTeam(1, -1));
        assertEquals("spinNanos must be >= 0, got -1", e.getMessage());
        try (WorkerTeam team = new WorkerTeam(1)) {
            assertThrows(NullPointerException.class, () -> team.execute(null));
            assertEquals(1, team.workers());
            assertEquals(2, team.parallelism().tasks());
        }
    }

    @Test
    void runsEveryTaskWhileSpinning() throws InterruptedException {
        try (WorkerTeam team = new WorkerTeam(2)) {
            int n = 10_000;
            CountDownLatch done = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                team.execute(done::countDown);
            }
            assertTrue(done.await(30, TimeUnit.SECONDS), done.getCount() + " of " + n + " tasks never ran");
        }
    }

    /**
     * Spin time 0 and 20 µs with pauses longer than that between tasks: every task finds its worker
     * parked (or parking), so each one exercises the flag-then-look / offer-then-unpark hand-shake.
     */
    @Test
    void wakesParkedWorkersWithoutLosingTasks() throws InterruptedException {
        for (long spin : new long[] {0L, 20_000L}) {
            try (WorkerTeam team = new WorkerTeam(2, spin)) {
                int n = 300;
                CountDownLatch done = new CountDownLatch(n);
                for (int i = 0; i < n; i++) {
                    team.execute(done::countDown);
                    if (i % 3 == 0) {
                        Thread.sleep(0, 50_000 * (i % 7));
                    }
                }
                assertTrue(done.await(30, TimeUnit.SECONDS), "spin " + spin + ": " + done.getCount() + " tasks never ran");
            }
        }
    }

    @Test
    void aThrowingTaskDoesNotStopItsWorker() throws InterruptedException {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        AtomicInteger reported = new AtomicInteger();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> reported.incrementAndGet());
        try (WorkerTeam team = new WorkerTeam(1)) {
            team.execute(() -> {
                throw new IllegalStateException("task failure (expected by the test)");
            });
            CountDownLatch after = new CountDownLatch(1);
            team.execute(after::countDown);
            assertTrue(after.await(30, TimeUnit.SECONDS), "the worker died with the throwing task");
            assertEquals(1, reported.get(), "the failure reaches the uncaught-exception handler");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    /** Tasks accepted before close() still run: a GEMM caller waiting for its pieces must not hang. */
    @Test
    void closeRunsTheTasksAlreadyAccepted() throws InterruptedException {
        WorkerTeam team = new WorkerTeam(1);
        CountDownLatch release = new CountDownLatch(1);
        team.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        int n = 100;
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            team.execute(done::countDown);   // queued behind the blocked task
        }
        team.close();
        release.countDown();
        assertTrue(done.await(30, TimeUnit.SECONDS), done.getCount() + " of " + n + " accepted tasks were dropped by close()");
    }

    @Test
    void closedTeamRejectsTasksAndParallelismFallsBackToTheCaller() {
        WorkerTeam team = new WorkerTeam(1);
        team.close();
        team.close(); // idempotent
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> team.execute(() -> { }));
        assertEquals("WorkerTeam is closed", e.getMessage());
        // GemmDriver answers a rejection by running the piece itself: a split GEMM still completes
        Kernels k = Kernels.get();
        int m = 64, n = 512, kk = 128;
        float[] a = new float[m * kk], b = new float[kk * n], c = new float[m * n], serial = new float[m * n];
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextFloat() - 0.5f;
        }
        k.gemm(false, false, m, n, kk, 1f, a, 0, kk, b, 0, n, 0f, serial, 0, n);
        k.gemm(false, false, m, n, kk, 1f, a, 0, kk, b, 0, n, 0f, c, 0, n, team.parallelism());
        assertTrue(java.util.Arrays.equals(serial, c), "split GEMM on a closed team differs from the serial one");
    }
}
