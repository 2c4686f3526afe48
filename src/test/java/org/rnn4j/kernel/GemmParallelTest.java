package org.rnn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GEMM split over a {@link Parallelism}: the documented guarantee is that the result is bitwise
 * identical to the serial call for any task count, because every element of C is computed by the
 * same instruction sequence whichever task computes it. The pieces handed to the executor are
 * counted and must be exactly what {@link #expectedPieces} derives from the kernel's own split
 * granularity, which depends on the vector width and the micro-kernel (at 512 bits one column unit
 * is 128 wide, so the 200-column shape below is not split there, while it is at 128 and 256 bits).
 * Every kernel must still see real splits along N (n ≥ m) and along M (m &gt; n, including pieces
 * that fall on the other side of the packed GEMM's small-M/big-M threshold), or the bitwise
 * comparisons would prove nothing. The serial result itself is checked against the double
 * reference with the bound of {@link KernelProperties#gemmBound}.
 */
class GemmParallelTest {

    static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(3, r -> {
            Thread t = new Thread(r, "gemm-parallel-test");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopPool() throws InterruptedException {
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "executor did not terminate");
    }

    /**
     * {m, n, k}: split along N; along M (m > n); along M with k > KC and odd sizes; along N, barely
     * (2.1 M multiply-adds make 2 pieces, but 200 columns are less than two split units at 512 bits).
     */
    static final int[][] SHAPES = {{96, 640, 160}, {640, 96, 160}, {301, 77, 300}, {130, 200, 81}};
    static final int[] TASKS = {1, 2, 3, 4, 7};

    record Problem(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {

        float[] run(Kernels kern, Parallelism par) {
            float[] cc = c.clone();
            kern.gemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, cc, cOff, ldc, par);
            return cc;
        }

        float[] runSerial(Kernels kern) {
            float[] cc = c.clone();
            kern.gemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, cc, cOff, ldc);
            return cc;
        }

        String describe() {
            return "gemm(transA=" + ta + ", transB=" + tb + ", " + m + "x" + n + "x" + k + ", alpha=" + alpha + ", beta=" + beta + ")";
        }
    }

    static Problem problem(int[] s, boolean ta, boolean tb, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int m = s[0], n = s[1], k = s[2];
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + r.nextInt(8), ldb = bCols + r.nextInt(8), ldc = n + r.nextInt(8);
        int aOff = r.nextInt(10), bOff = r.nextInt(10), cOff = r.nextInt(10);
        float alpha = seed % 2 == 0 ? 1f : -0.75f, beta = seed % 3 == 0 ? 0f : 0.5f;
        float[] a = fill(r, aOff + (aRows - 1) * lda + aCols + 3);
        float[] b = fill(r, bOff + (bRows - 1) * ldb + bCols + 3);
        float[] c = fill(r, cOff + (m - 1) * ldc + n + 3);
        if (beta == 0f) {
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN); // not read when beta == 0
            }
        }
        return new Problem(ta, tb, m, n, k, alpha, beta, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }

    static float[] fill(SplittableRandom r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** An executor that counts the pieces handed to it and runs them on the pool. */
    static final class Counting implements Executor {
        final AtomicInteger pieces = new AtomicInteger();

        @Override
        public void execute(Runnable command) {
            pieces.incrementAndGet();
            pool.execute(command);
        }
    }

    static void assertBitwise(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", serial gives " + expected[i]);
            }
        }
    }

    /**
     * The task count GemmDriver's documented rule gives, recomputed from the kernel's split
     * granularity: the longer side of C is split (N on a tie), into at most {@code tasks} pieces,
     * each at least {@link GemmDriver#MIN_FLOPS_PER_TASK} multiply-adds and at least one split unit.
     */
    static int expectedPieces(Kernels kern, int m, int n, int k, int tasks) {
        boolean alongN = n >= m;
        int unit = alongN ? kern.gemmSplitColumns() : kern.gemmSplitRows();
        int units = (alongN ? n : m) / unit;
        long byWork = (long) m * n * Math.max(k, 1) / GemmDriver.MIN_FLOPS_PER_TASK;
        return (int) Math.max(1, Math.min(tasks, Math.min(byWork, units)));
    }

    @Test
    void anyTaskCountGivesTheSerialResultBitwise() {
        long seed = 1;
        for (Kernels kern : Tolerances.implementations()) {
            boolean splitAlongN = false, splitAlongM = false;
            for (int[] s : SHAPES) {
                for (int t = 0; t < 4; t++) {
                    Problem p = problem(s, (t & 1) != 0, (t & 2) != 0, seed++);
                    float[] serial = p.runSerial(kern);
                    checkAgainstReference(kern, p, serial);
                    for (int tasks : TASKS) {
                        Counting exec = new Counting();
                        float[] par = p.run(kern, new Parallelism(exec, tasks));
                        String what = kern.name() + " " + p.describe() + " tasks=" + tasks;
                        assertBitwise(what, serial, par);
                        int expected = expectedPieces(kern, p.m(), p.n(), p.k(), tasks);
                        assertEquals(expected - 1, exec.pieces.get(), what + ": pieces handed to the executor (split units "
                                + kern.gemmSplitColumns() + " columns, " + kern.gemmSplitRows() + " rows)");
                        if (expected >= 2) {
                            splitAlongN |= p.n() >= p.m();
                            splitAlongM |= p.n() < p.m();
                        }
                    }
                }
            }
            assertTrue(splitAlongN && splitAlongM, kern.name() + ": SHAPES must split along both N and M, got N "
                    + splitAlongN + ", M " + splitAlongM);
        }
    }

    /** The same guarantee through a {@link WorkerTeam} (spinning helpers, spinning caller), 1 and 3 helpers. */
    @Test
    void workerTeamGivesTheSerialResultBitwise() {
        long seed = 300;
        for (int workers : new int[] {1, 3}) {
            try (WorkerTeam team = new WorkerTeam(workers)) {
                for (Kernels kern : Tolerances.implementations()) {
                    for (int[] s : SHAPES) {
                        Problem p = problem(s, seed % 2 == 0, seed % 3 == 0, seed++);
                        assertBitwise(kern.name() + " " + p.describe() + " WorkerTeam(" + workers + ")",
                                p.runSerial(kern), p.run(kern, team.parallelism()));
                    }
                }
            }
        }
    }

    /** A saturated executor (execute throws RejectedExecutionException) degrades to serial, losing nothing. */
    @Test
    void rejectingExecutorStillGivesTheRightResult() {
        Executor rejecting = command -> {
            throw new RejectedExecutionException("saturated");
        };
        long seed = 100;
        for (Kernels kern : Tolerances.implementations()) {
            for (int[] s : SHAPES) {
                Problem p = problem(s, seed % 2 == 0, seed % 3 == 0, seed++);
                float[] serial = p.runSerial(kern);
                for (int tasks : new int[] {2, 4, 7}) {
                    assertBitwise(kern.name() + " " + p.describe() + " rejecting executor, tasks=" + tasks,
                            serial, p.run(kern, new Parallelism(rejecting, tasks)));
                }
            }
        }
    }

    @Test
    void sameCallTwiceIsBitwiseIdentical() {
        long seed = 200;
        for (Kernels kern : Tolerances.implementations()) {
            for (int[] s : SHAPES) {
                Problem p = problem(s, seed % 2 == 1, seed % 4 < 2, seed++);
                Parallelism par = new Parallelism(pool, 4);
                float[] first = p.run(kern, par), second = p.run(kern, par);
                assertBitwise(kern.name() + " " + p.describe() + " repeated", first, second);
                assertBitwise(kern.name() + " " + p.describe() + " repeated serially", p.runSerial(kern), p.runSerial(kern));
            }
        }
    }

    /** The serial result against the double reference; C outside its window untouched. */
    static void checkAgainstReference(Kernels kern, Problem p, float[] got) {
        Reference.Acc ref = Reference.gemm(p.ta(), p.tb(), p.m(), p.n(), p.k(), p.alpha(), p.a(), p.aOff(), p.lda(),
                p.b(), p.bOff(), p.ldb(), p.beta(), p.c(), p.cOff(), p.ldc());
        for (int i = 0; i < p.m(); i++) {
            for (int j = 0; j < p.n(); j++) {
                int e = i * p.n() + j;
                KernelProperties.near(kern.name() + " " + p.describe() + " C[" + i + "," + j + "]", got[p.cOff() + i * p.ldc() + j],
                        ref.value()[e], KernelProperties.gemmBound(kern, p.m(), p.k(), ref.sumAbsProducts()[e], ref.absOld()[e]));
            }
        }
        KernelProperties.onlyWindowWritten(kern.name() + " " + p.describe() + " C", p.c(), got, p.cOff(), p.m(), p.n(), p.ldc());
    }
}
