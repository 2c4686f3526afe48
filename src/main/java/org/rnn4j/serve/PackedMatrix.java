package org.rnn4j.serve;

import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.PackedGemmB;

/**
 * One weight matrix W (rows, cols), row-major, as the streaming kernels read it: a private copy in
 * float32 ({@link WeightFormat#F32}) or as bfloat16 pairs packed into ints ({@link WeightFormat#BF16},
 * see {@link Kernels#packBf16}). Immutable after construction, so any number of threads may read it.
 *
 * <p>The one operation is {@code out[r] += W·x[r]} for {@code n} input rows: a GEMV when n = 1 (the
 * latency case, one pass over the weights) and a GEMM against Wᵀ when n &gt; 1 in float32 (one pass
 * over the weights for all n streams), with Wᵀ packed once into the micro-kernel's panels on the
 * first batched call instead of on every call. bfloat16 weights at n &gt; 1 run n GEMVs: the format exists to
 * halve the bytes of the batch-1 step, and a bf16 GEMM kernel is not worth its code here.
 */
final class PackedMatrix {
    final int rows;
    final int cols;
    private final float[] f32;   // (rows, cols), or null
    private final int[] bf16;    // Kernels.packBf16 layout, or null
    // Wᵀ packed for the GEMM of batched steps: made on the first batched call (a model that is only
    // ever stepped one stream at a time does not pay the second copy). Benign race: two threads may
    // both pack; the results are equal and PackedGemmB is immutable, published through the volatile.
    private volatile PackedGemmB packedT;

    PackedMatrix(Kernels k, WeightFormat format, float[] w, int wOff, int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        if (format == WeightFormat.BF16) {
            f32 = null;
            bf16 = k.packBf16(rows, cols, w, wOff, cols);
        } else {
            f32 = new float[rows * cols];
            System.arraycopy(w, wOff, f32, 0, rows * cols);
            bf16 = null;
        }
    }

    /**
     * {@code out[r, 0:m] += W[first:first+m, :]·x[r]} for rows r in [0, n) of x (leading dimension
     * ldx) and out (leading dimension ldo).
     */
    void multAdd(Kernels k, int n, int first, int m, float[] x, int xOff, int ldx, float[] out, int outOff, int ldo) {
        if (bf16 != null) {
            for (int r = 0; r < n; r++) {
                k.multAddVecBf16(m, cols, bf16, first, x, xOff + r * ldx, out, outOff + r * ldo);
            }
        } else if (n == 1) {
            k.multAddVec(m, cols, f32, first * cols, cols, x, xOff, out, outOff);
        } else if (first == 0 && m == rows) {
            // out (n, rows) += x (n, cols)·Wᵀ on the GEMM micro-kernel, with Wᵀ packed once
            k.multAddPacked(n, 1f, x, xOff, ldx, gemmPacked(k), out, outOff, ldo);
        } else {
            // out (n, m) += x (n, cols)·W[first:first+m]ᵀ
            k.gemm(false, true, n, m, cols, 1f, x, xOff, ldx, f32, first * cols, cols, 1f, out, outOff, ldo);
        }
    }

    private PackedGemmB gemmPacked(Kernels k) {
        PackedGemmB p = packedT;
        if (p == null) {
            p = k.packGemmB(true, cols, rows, f32, 0, cols);
            packedT = p;
        }
        return p;
    }

    /** Bytes this matrix occupies (what one GEMV streams from memory). */
    long bytes() {
        return f32 != null ? 4L * f32.length : 4L * bf16.length;
    }
}
