package org.rnn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * bfloat16: the rounding of {@link Bf16#fromFloat} against an independent formulation (the nearer of
 * the two neighbouring bf16 values by exact double distance, ties to the even one), the packed layout
 * of {@link Kernels#packBf16} element by element, and {@link Kernels#multAddVecBf16} on both kernel
 * sets against a double GEMV over the widened weights, at sizes around the 32-column block and the
 * vector width.
 */
class Bf16Properties {

    /** The bf16 nearest to f by exact distance, ties to even; NaN → NaN; overflow past the largest finite → ∞. */
    static float nearestBf16(float f) {
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            return f;
        }
        int bits = Float.floatToRawIntBits(f);
        int down = bits & 0xFFFF0000;              // toward zero
        int up = down + 0x10000;                   // away from zero (may become ∞)
        double d = Math.abs((double) f - Float.intBitsToFloat(down));
        double u = Math.abs((double) Float.intBitsToFloat(up) - f);
        if (Float.isInfinite(Float.intBitsToFloat(up))) {
            // the midpoint between the largest finite bf16 and 2^128 rounds to ∞, as IEEE does
            u = Math.abs(Math.scalb(1.0, 128) * Math.signum(f) - f);
        }
        if (d < u) {
            return Float.intBitsToFloat(down);
        }
        if (u < d) {
            return Float.intBitsToFloat(up);
        }
        return ((down >>> 16) & 1) == 0 ? Float.intBitsToFloat(down) : Float.intBitsToFloat(up);
    }

    @Property(tries = 3000)
    void roundsToNearestEven(@ForAll int bits) {
        float f = Float.intBitsToFloat(bits);
        float got = Bf16.toFloat(Bf16.fromFloat(f));
        float want = nearestBf16(f);
        if (Float.isNaN(f)) {
            assertEquals(true, Float.isNaN(got), "NaN stays NaN");
            return;
        }
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got),
                () -> "bf16(" + f + " = 0x" + Integer.toHexString(bits) + ")");
    }

    @Property(tries = 200)
    void packedLayoutHoldsEveryElement(@ForAll @IntRange(min = 0, max = 9) int rows,
                                       @ForAll @IntRange(min = 0, max = 100) int cols,
                                       @ForAll @IntRange(max = 5) int off, @ForAll @IntRange(max = 3) int pad,
                                       @ForAll long seed) {
        Random r = new Random(seed);
        int ld = Math.max(1, cols) + pad;
        float[] w = new float[off + rows * ld];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        for (Kernels k : Tolerances.implementations()) {
            int[] p = k.packBf16(rows, cols, w, off, ld);
            assertEquals(rows * Bf16.rowInts(cols), p.length);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    assertEquals(nearestBf16(w[off + i * ld + j]), Bf16.get(p, cols, i, j), "W[" + i + "," + j + "]");
                }
                // the padding columns of the last block are zero, so a full-block load reads 0·x
                int stride = Bf16.rowInts(cols);
                for (int j = cols; j < stride * 2; j++) {
                    assertEquals(0f, padded(p, stride, i, j), "padding W[" + i + "," + j + "]");
                }
            }
        }
    }

    /** Element (i, j) of the packed storage with j beyond cols but within the row's blocks. */
    private static float padded(int[] p, int stride, int i, int j) {
        int word = p[i * stride + (j / Bf16.BLOCK_COLUMNS) * Bf16.BLOCK_INTS + (j % Bf16.BLOCK_INTS)];
        int half = (j % Bf16.BLOCK_COLUMNS) < Bf16.BLOCK_INTS ? word << 16 : word & 0xFFFF0000;
        return Float.intBitsToFloat(half);
    }

    /*
     * y += A·x over widened weights: each y_i is a float sum of n products (fused) in at most n + 4
     * chained roundings (the SIMD form splits it into 2L chains and a reduction tree, the scalar form
     * is one chain), and one add into y: γ_{n+4}·Σ_j|a_ij·x_j| + ε·|ref_i|.
     */
    @Property(tries = 400)
    void gemvMatchesDoubleReference(@ForAll("size") int m, @ForAll("size") int n,
                                    @ForAll @IntRange(max = 3) int firstRow,
                                    @ForAll @IntRange(max = 9) int xOff, @ForAll @IntRange(max = 9) int yOff,
                                    @ForAll long seed) {
        Random r = new Random(seed);
        int rows = firstRow + m;
        float[] w = new float[rows * Math.max(1, n)];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        float[] x = new float[xOff + n], y = new float[yOff + m];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) r.nextGaussian();
        }
        int[] packed = Kernels.scalar().packBf16(rows, n, w, 0, Math.max(1, n));
        float[] widened = new float[m * Math.max(1, n)];   // rows [firstRow, firstRow + m) of A
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                widened[i * Math.max(1, n) + j] = Bf16.get(packed, n, firstRow + i, j);
            }
        }
        Reference.Acc ref = Reference.gemv(m, n, widened, 0, Math.max(1, n), x, xOff, y, yOff);
        for (Kernels k : Tolerances.implementations()) {
            float[] xc = x.clone(), yc = y.clone();
            k.multAddVecBf16(m, n, packed, firstRow, xc, xOff, yc, yOff);
            for (int i = 0; i < m; i++) {
                double tol = KernelProperties.gamma(n + 4) * ref.sumAbsProducts()[i]
                        + KernelProperties.EPS * Math.abs(ref.value()[i]);
                KernelProperties.near(k.name() + " multAddVecBf16 " + m + "x" + n, i, null, yc[yOff + i],
                        ref.value()[i], tol);
            }
            KernelProperties.unchanged(k.name() + " multAddVecBf16 x", x, xc);
            KernelProperties.onlyRangeWritten(k.name() + " multAddVecBf16 y", y, yc, yOff, m);
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> size() {
        return net.jqwik.api.Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, net.jqwik.api.Arbitraries.of(0, 1, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33,
                        47, 48, 63, 64, 65, 95, 96, 97)),
                net.jqwik.api.Tuple.of(2, net.jqwik.api.Arbitraries.integers().between(0, 260)));
    }
}
