package org.rnn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The pre-packed GEMM: {@code C += alpha·A·op(B)} with op(B) packed once, on both kernel sets,
 * against a double reference (bound as for GEMM: every C element is a float sum of k products
 * plus the old value, γ_{k+2}·Σ|terms|), at sizes across the micro-kernel's tile edges and the K
 * block (KC = 256), in both storage forms of B; also bitwise equal to the unpacked {@link
 * Kernels#gemm} on the SIMD set where both run the same micro-kernel path, and packing is per set.
 */
class PackedGemmProperties {

    @Property(tries = 300)
    void matchesDoubleReference(@ForAll @IntRange(min = 0, max = 70) int m, @ForAll @IntRange(min = 0, max = 80) int n,
                                @ForAll("k") int k, @ForAll boolean transB, @ForAll @IntRange(max = 5) int off,
                                @ForAll long seed) {
        Random r = new Random(seed);
        int lda = Math.max(1, k) + off, ldb = (transB ? Math.max(1, k) : Math.max(1, n)) + off, ldc = Math.max(1, n) + 1;
        float[] a = rand(r, off + m * lda), b = rand(r, off + (transB ? n : k) * ldb), c = rand(r, off + m * ldc);
        float alpha = r.nextBoolean() ? 1f : (float) (r.nextDouble() * 2 - 1);
        for (Kernels kern : Tolerances.implementations()) {
            PackedGemmB pb = kern.packGemmB(transB, k, n, b, off, ldb);
            float[] cc = c.clone();
            kern.multAddPacked(m, alpha, a, off, lda, pb, cc, off, ldc);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = c[off + i * ldc + j], abs = Math.abs(s);
                    for (int p = 0; p < k; p++) {
                        double bv = transB ? b[off + j * ldb + p] : b[off + p * ldb + j];
                        double t = (double) alpha * a[off + i * lda + p] * bv;
                        s += t;
                        abs += Math.abs(t);
                    }
                    double tol = KernelProperties.gamma(k + 2) * abs;
                    KernelProperties.near(kern.name() + " multAddPacked " + m + "x" + n + "x" + k, i * n + j, null,
                            cc[off + i * ldc + j], s, tol);
                }
            }
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> k() {
        return net.jqwik.api.Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, net.jqwik.api.Arbitraries.integers().between(0, 40)),
                net.jqwik.api.Tuple.of(1, net.jqwik.api.Arbitraries.of(255, 256, 257, 300, 513)));
    }

    private static float[] rand(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** With the same A and B, the packed product equals the per-call packed GEMM bit for bit (SIMD, m > the dot-form limit). */
    @Test
    void equalsTheUnpackedGemmOnTheSamePath() {
        Kernels k = Kernels.get();
        Random r = new Random(3);
        int m = 150, n = 70, kk = 300;
        float[] a = rand(r, m * kk), b = rand(r, n * kk), c1 = rand(r, m * n), c2 = c1.clone();
        k.gemm(false, true, m, n, kk, 1f, a, 0, kk, b, 0, kk, 1f, c1, 0, n);
        k.multAddPacked(m, 1f, a, 0, kk, k.packGemmB(true, kk, n, b, 0, kk), c2, 0, n);
        assertArrayEquals(c1, c2);
    }

    /**
     * One or two rows (the batch-1 recurrent step) run a row-at-a-time kernel instead of a padded
     * tile; its arithmetic per element is the tile kernel's, so each row equals the same row computed
     * inside a 9-row call bit for bit, across panel and K-block edges, for every alpha.
     */
    @Test
    void thinRowsEqualTheSameRowsInATile() {
        Random r = new Random(11);
        for (Kernels k : Tolerances.implementations()) {
            for (int n : new int[] {1, 3, 15, 16, 17, 33, 64, 65, 100, 200}) {
                for (int kk : new int[] {1, 7, 256, 300}) {
                    for (boolean transB : new boolean[] {false, true}) {
                        int big = 9;
                        float[] a = rand(r, big * kk), b = rand(r, n * kk), c0 = rand(r, big * n);
                        float alpha = r.nextBoolean() ? 1f : 0.37f;
                        PackedGemmB pb = k.packGemmB(transB, kk, n, b, 0, transB ? kk : n);
                        float[] tiled = c0.clone();
                        k.multAddPacked(big, alpha, a, 0, kk, pb, tiled, 0, n);
                        for (int m = 1; m <= 3; m++) {
                            for (int row0 = 0; row0 + m <= big; row0 += 4) {
                                float[] thin = c0.clone();
                                k.multAddPacked(m, alpha, a, row0 * kk, kk, pb, thin, row0 * n, n);
                                float[] want = java.util.Arrays.copyOfRange(tiled, row0 * n, (row0 + m) * n);
                                float[] got = java.util.Arrays.copyOfRange(thin, row0 * n, (row0 + m) * n);
                                assertArrayEquals(want, got, k.name() + " m=" + m + " n=" + n + " k=" + kk + " transB=" + transB);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Split over 2 and 3 tasks (columns), the product is the serial one bit for bit; a repacking reuses its storage. */
    @Test
    void parallelSplitAndReuseGiveTheSerialBits() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            Random r = new Random(5);
            for (Kernels k : Tolerances.implementations()) {
                for (int m : new int[] {1, 2, 32}) {
                    // enough work per task for the split to happen at every m (GemmDriver.MIN_FLOPS_PER_TASK)
                    int n = m == 32 ? 1000 : 11000, kk = 300;
                    float[] a = rand(r, m * kk), b = rand(r, n * kk), c0 = rand(r, m * n);
                    PackedGemmB pb = k.packGemmB(true, kk, n, b, 0, kk);
                    float[] serial = c0.clone();
                    k.multAddPacked(m, 1f, a, 0, kk, pb, serial, 0, n);
                    for (int tasks : new int[] {2, 3}) {
                        float[] par = c0.clone();
                        k.multAddPacked(m, 1f, a, 0, kk, pb, par, 0, n, new Parallelism(pool, tasks));
                        assertArrayEquals(serial, par, k.name() + " " + tasks + " tasks");
                    }
                    float[] b2 = rand(r, n * kk);
                    PackedGemmB again = k.packGemmB(true, kk, n, b2, 0, kk, pb);
                    org.junit.jupiter.api.Assertions.assertSame(pb, again, "same shape and set: storage reused");
                    float[] viaReuse = c0.clone(), fresh = c0.clone();
                    k.multAddPacked(m, 1f, a, 0, kk, again, viaReuse, 0, n);
                    k.multAddPacked(m, 1f, a, 0, kk, k.packGemmB(true, kk, n, b2, 0, kk), fresh, 0, n);
                    assertArrayEquals(fresh, viaReuse, k.name() + " repacked");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPackingBelongsToItsKernelSet() {
        if (Tolerances.implementations().size() < 2) {
            return;
        }
        PackedGemmB pb = Kernels.scalar().packGemmB(false, 2, 2, new float[4], 0, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Kernels.simd().multAddPacked(1, 1f, new float[2], 0, 2, pb, new float[2], 0, 2));
        assertTrue(e.getMessage().contains("packed by the scalar kernels"), e.getMessage());
    }
}
