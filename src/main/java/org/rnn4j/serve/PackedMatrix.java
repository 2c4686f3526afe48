package org.rnn4j.serve;

import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.PackedGemmB;

/**
 * One weight matrix W (rows, cols), as the streaming kernels read it: float32 packed once into the
 * GEMM micro-kernel's panels ({@link WeightFormat#F32}, {@link Kernels#packGemmB} of Wᵀ), or
 * bfloat16 pairs packed into ints ({@link WeightFormat#BF16}, {@link Kernels#packBf16}). Immutable
 * after construction, so any number of threads may read it.
 *
 * <p>The one operation is {@code out[r] += W·x[r]} for {@code n} input rows, i.e. out (n, rows) +=
 * x (n, cols)·Wᵀ. In float32 every n, 1 included, runs {@link Kernels#multAddPacked}: its row kernel
 * accumulates each output as a broadcast-FMA chain over the columns, so no lane reduction (the
 * cross-lane shuffles whose JIT support varies by JDK and vector width) runs in the step, and a
 * single-stream step gives bitwise the result of the same stream in a batched step. bfloat16
 * weights run n GEMVs: the format exists to halve the bytes of the batch-1 step, and a bf16 GEMM
 * kernel is not worth its code here.
 */
final class PackedMatrix {
    final int rows;
    final int cols;
    private final PackedGemmB f32T;  // Wᵀ (cols, rows) packed, or null
    private final int[] bf16;        // Kernels.packBf16 layout, or null

    /**
     * Packs W (rows, cols), row-major at {@code wOff} with leading dimension cols; w is read, not
     * retained.
     */
    PackedMatrix(Kernels k, WeightFormat format, float[] w, int wOff, int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        if (format == WeightFormat.BF16) {
            f32T = null;
            bf16 = k.packBf16(rows, cols, w, wOff, cols);
        } else {
            f32T = k.packGemmB(true, cols, rows, w, wOff, cols);
            bf16 = null;
        }
    }

    /**
     * {@code out[r, 0:rows] += W·x[r]} for rows r in [0, n) of x (leading dimension ldx) and out
     * (leading dimension ldo).
     */
    void multAdd(Kernels k, int n, float[] x, int xOff, int ldx, float[] out, int outOff, int ldo) {
        if (bf16 != null) {
            for (int r = 0; r < n; r++) {
                k.multAddVecBf16(rows, cols, bf16, 0, x, xOff + r * ldx, out, outOff + r * ldo);
            }
        } else {
            k.multAddPacked(n, 1f, x, xOff, ldx, f32T, out, outOff, ldo);
        }
    }

    /** Bytes this matrix occupies (what one step streams from memory). */
    long bytes() {
        return f32T != null ? f32T.bytes() : 4L * bf16.length;
    }
}
