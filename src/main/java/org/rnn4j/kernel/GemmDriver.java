package org.rnn4j.kernel;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Splits a validated GEMM into tasks over disjoint column (or row) blocks of C and runs them on the
 * caller's {@link Parallelism}. Each task is an ordinary serial {@code gemm0} on its sub-matrix,
 * addressed purely by offsets, so no data is copied and every element of C is computed exactly as
 * in the serial call (the K blocking does not depend on the split): bitwise-identical results for
 * any task count.
 */
final class GemmDriver {
    private GemmDriver() {}

    /** Below this many multiply-adds a task is not worth its hand-off (≈ tens of microseconds). */
    static final long MIN_FLOPS_PER_TASK = 1L << 20;

    static void run(Kernels impl, boolean transA, boolean transB, int m, int n, int k, float alpha,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float beta, float[] c, int cOff, int ldc, Parallelism par) {
        boolean splitN = n >= m;
        int extent = splitN ? n : m;
        // Pieces start on micro-tile boundaries, so no piece computes a padded edge tile it need not.
        int align = splitN ? impl.gemmSplitColumns() : impl.gemmSplitRows();
        int tasks = taskCount((long) m * n * Math.max(k, 1), extent, align, par);
        if (tasks <= 1) {
            impl.gemm0(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, m);
            return;
        }
        Runnable[] pieces = new Runnable[tasks];
        for (int t = 0; t < tasks; t++) {
            int lo = bound(t, tasks, extent, align), len = bound(t + 1, tasks, extent, align) - lo;
            if (splitN) {
                // Columns lo..lo+len of op(B) and C.
                int bo = transB ? bOff + lo * ldb : bOff + lo;
                pieces[t] = () -> impl.gemm0(transA, transB, m, len, k, alpha, a, aOff, lda, b, bo, ldb,
                        beta, c, cOff + lo, ldc, m);
            } else {
                // Rows lo..lo+len of op(A) and C.
                int ao = transA ? aOff + lo : aOff + lo * lda;
                pieces[t] = () -> impl.gemm0(transA, transB, len, n, k, alpha, a, ao, lda, b, bOff, ldb,
                        beta, c, cOff + lo * ldc, ldc, m);
            }
        }
        runPieces(pieces, par);
    }

    /** Runs pieces[0] on this thread and the others on par's executor; returns when all are done. */
    private static void runPieces(Runnable[] pieces, Parallelism par) {
        int tasks = pieces.length;
        CountDownLatch done = new CountDownLatch(tasks - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 1; t < tasks; t++) {
            Runnable piece = pieces[t];
            Runnable wrapped = () -> {
                try {
                    piece.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            };
            try {
                par.executor().execute(wrapped);
            } catch (RejectedExecutionException e) {
                wrapped.run(); // a saturated executor degrades to serial, never to a lost piece
            }
        }
        try {
            pieces[0].run();
        } finally {
            if (par.executor() instanceof WorkerTeam team) {
                // Active wait on this side too: the helpers finish about when this thread does, and a
                // park here would add a wake-up (tens of µs on a VM) to every split GEMM.
                team.spinUntilZero(done);
            }
            awaitUninterruptibly(done); // never return while another thread may still write C
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException) {
            throw (RuntimeException) f;
        } else if (f instanceof Error) {
            throw (Error) f;
        } else if (f != null) {
            throw new IllegalStateException("gemm task failed", f);
        }
    }

    /** The column split of {@link Kernels#multAddPacked}: as {@link #run}, over C's columns only. */
    static void runPacked(Kernels impl, int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] pb,
                          float[] c, int cOff, int ldc, Parallelism par) {
        int align = impl.gemmSplitColumns();
        int tasks = taskCount((long) m * n * Math.max(k, 1), n, align, par);
        if (tasks <= 1) {
            impl.multAddPacked0(m, n, k, alpha, a, aOff, lda, pb, c, cOff, ldc, 0, n);
            return;
        }
        Runnable[] pieces = new Runnable[tasks];
        for (int t = 0; t < tasks; t++) {
            int lo = bound(t, tasks, n, align), hi = bound(t + 1, tasks, n, align);
            pieces[t] = () -> impl.multAddPacked0(m, n, k, alpha, a, aOff, lda, pb, c, cOff, ldc, lo, hi);
        }
        runPieces(pieces, par);
    }

    /**
     * The row split of {@link Kernels#multAddTransAPair}: rows of C1 and C2 (columns of the shared A),
     * so every piece still packs its part of A once for both products.
     */
    static void runTransAPair(Kernels impl, int m, int n1, int n2, int k, float[] a, int aOff, int lda,
                              float[] b1, int b1Off, int ldb1, float[] c1, int c1Off, int ldc1,
                              float[] b2, int b2Off, int ldb2, float[] c2, int c2Off, int ldc2, Parallelism par) {
        int align = impl.gemmSplitRows();
        int tasks = taskCount((long) m * ((long) n1 + n2) * k, m, align, par);
        if (tasks <= 1) {
            impl.multAddTransAPair0(m, n1, n2, k, a, aOff, lda, b1, b1Off, ldb1, c1, c1Off, ldc1,
                    b2, b2Off, ldb2, c2, c2Off, ldc2, m);
            return;
        }
        Runnable[] pieces = new Runnable[tasks];
        for (int t = 0; t < tasks; t++) {
            int lo = bound(t, tasks, m, align), len = bound(t + 1, tasks, m, align) - lo;
            // Rows lo..lo+len of C1 and C2 are columns lo..lo+len of A as stored (k, m).
            pieces[t] = () -> impl.multAddTransAPair0(len, n1, n2, k, a, aOff + lo, lda, b1, b1Off, ldb1,
                    c1, c1Off + lo * ldc1, ldc1, b2, b2Off, ldb2, c2, c2Off + lo * ldc2, ldc2, m);
        }
        runPieces(pieces, par);
    }

    /**
     * Pieces for {@code work} multiply-adds over an extent of {@code extent} split on multiples of
     * {@code align}: at most par's tasks, at least {@link #MIN_FLOPS_PER_TASK} each, at least one
     * alignment unit each; 1 means run serially.
     */
    private static int taskCount(long work, int extent, int align, Parallelism par) {
        int tasks = (int) Math.min(par.tasks(), Math.max(1, work / MIN_FLOPS_PER_TASK));
        return Math.min(tasks, Math.max(1, extent / align));
    }

    /** Start of piece t of [0, extent) split into `tasks` aligned pieces of nearly equal size; t = tasks gives extent. */
    private static int bound(int t, int tasks, int extent, int align) {
        if (t == tasks) {
            return extent;
        }
        int units = (extent + align - 1) / align;
        return Math.min(extent, (int) ((long) units * t / tasks) * align);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code C = beta·C}; with {@code beta == 0} C is overwritten with zeros, never read. */
    static void applyBeta(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else {
                for (int j = 0; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }
}
