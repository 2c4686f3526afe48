package org.rnn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#multAddTransAPair}, the two weight-gradient products that share their left factor:
 * on both kernel sets, at sizes across the micro-tile edges (1, 3, 15, 17, 33 … and multiples of
 * every vector width), across the K block (KC = 256) and across the small-M / big-M threshold
 * (MC = 144), with 1 to 3 tasks, the result must be
 * <ul>
 *   <li>bitwise the two separate {@link Kernels#multAddTransA} calls of the same kernel set (the
 *       documented promise: sharing A's packing changes no element's arithmetic);
 *   <li>within the GEMM bound of the double reference ({@link KernelProperties#gemmBound});
 *   <li>bitwise the same for every task count;
 *   <li>written only inside the C1 and C2 windows, with A, B1 and B2 untouched.
 * </ul>
 */
class GemmPairProperties {

    /** Daemon threads, shared by the jqwik property and the JUnit test (no common lifecycle hook). */
    static final ExecutorService POOL = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "gemm-pair-test");
        t.setDaemon(true);
        return t;
    });

    @Provide
    Arbitrary<Integer> edge() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(0, 1, 3, 8, 15, 16, 17, 32, 33, 48, 64, 65)),
                Tuple.of(2, Arbitraries.integers().between(0, 80)));
    }

    @Provide
    Arbitrary<Integer> rows() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 40)),
                Tuple.of(1, Arbitraries.of(143, 144, 145, 150, 290, 301)));
    }

    @Provide
    Arbitrary<Integer> depth() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0, 40)),
                Tuple.of(1, Arbitraries.of(255, 256, 257, 300)));
    }

    @Property(tries = 200)
    void isTheTwoSeparateProductsBitwiseAndNearTheReference(
            @ForAll("rows") int m, @ForAll("edge") int n1, @ForAll("edge") int n2, @ForAll("depth") int k,
            @ForAll @IntRange(max = 4) int pad, @ForAll @IntRange(min = 1, max = 3) int tasks, @ForAll long seed) {
        check(m, n1, n2, k, pad, tasks, seed);
    }

    /** Together wider than one N block of the packed GEMM (NC = 4096): the pair falls back to two calls. */
    @Test
    void widerThanOneColumnBlock() {
        check(150, 4000, 200, 3, 1, 2, 7);
        check(20, 4100, 17, 5, 2, 1, 8);
    }

    static void check(int m, int n1, int n2, int k, int pad, int tasks, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int lda = Math.max(1, m) + pad, ldb1 = Math.max(1, n1) + pad, ldb2 = Math.max(1, n2) + 2 * pad;
        int ldc1 = Math.max(1, n1) + 1, ldc2 = Math.max(1, n2) + pad;
        int aOff = r.nextInt(4), b1Off = r.nextInt(4), b2Off = r.nextInt(4), c1Off = r.nextInt(4), c2Off = r.nextInt(4);
        float[] a = GemmParallelTest.fill(r, aOff + k * lda + 2);
        float[] b1 = GemmParallelTest.fill(r, b1Off + k * ldb1 + 2);
        float[] b2 = GemmParallelTest.fill(r, b2Off + k * ldb2 + 2);
        float[] c1 = GemmParallelTest.fill(r, c1Off + m * ldc1 + 2);
        float[] c2 = GemmParallelTest.fill(r, c2Off + m * ldc2 + 2);
        float[] a0 = a.clone(), b10 = b1.clone(), b20 = b2.clone();
        Reference.Acc ref1 = Reference.gemm(true, false, m, n1, k, 1f, a, aOff, lda, b1, b1Off, ldb1, 1f, c1, c1Off, ldc1);
        Reference.Acc ref2 = Reference.gemm(true, false, m, n2, k, 1f, a, aOff, lda, b2, b2Off, ldb2, 1f, c2, c2Off, ldc2);
        String shape = m + "x(" + n1 + "+" + n2 + ")x" + k + " tasks=" + tasks;
        for (Kernels kern : Tolerances.implementations()) {
            float[] sep1 = c1.clone(), sep2 = c2.clone();
            kern.multAddTransA(m, n1, k, a, aOff, lda, b1, b1Off, ldb1, sep1, c1Off, ldc1);
            kern.multAddTransA(m, n2, k, a, aOff, lda, b2, b2Off, ldb2, sep2, c2Off, ldc2);
            float[] p1 = c1.clone(), p2 = c2.clone();
            kern.multAddTransAPair(m, n1, n2, k, a, aOff, lda, b1, b1Off, ldb1, p1, c1Off, ldc1,
                    b2, b2Off, ldb2, p2, c2Off, ldc2, Parallelism.SERIAL);
            String what = kern.name() + " multAddTransAPair " + shape;
            GemmParallelTest.assertBitwise(what + " C1 vs two multAddTransA", sep1, p1);
            GemmParallelTest.assertBitwise(what + " C2 vs two multAddTransA", sep2, p2);
            near(kern, what + " C1", p1, c1Off, ldc1, m, n1, k, ref1);
            near(kern, what + " C2", p2, c2Off, ldc2, m, n2, k, ref2);
            float[] q1 = c1.clone(), q2 = c2.clone();
            kern.multAddTransAPair(m, n1, n2, k, a, aOff, lda, b1, b1Off, ldb1, q1, c1Off, ldc1,
                    b2, b2Off, ldb2, q2, c2Off, ldc2, new Parallelism(POOL, tasks));
            GemmParallelTest.assertBitwise(what + " C1 split vs serial", p1, q1);
            GemmParallelTest.assertBitwise(what + " C2 split vs serial", p2, q2);
            KernelProperties.onlyWindowWritten(what + " C1", c1, p1, c1Off, m, n1, ldc1);
            KernelProperties.onlyWindowWritten(what + " C2", c2, p2, c2Off, m, n2, ldc2);
            assertTrue(java.util.Arrays.equals(a0, a) && java.util.Arrays.equals(b10, b1)
                    && java.util.Arrays.equals(b20, b2), what + ": an input was written");
        }
    }

    static void near(Kernels kern, String what, float[] got, int off, int ld, int m, int n, int k, Reference.Acc ref) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int e = i * n + j;
                double tol = KernelProperties.gemmBound(kern, m, k, ref.sumAbsProducts()[e], ref.absOld()[e]);
                KernelProperties.near(what, e, null, got[off + i * ld + j], ref.value()[e], tol);
            }
        }
    }
}
