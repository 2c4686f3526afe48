package org.rnn4j.kernel;

/**
 * The B operand of a GEMM packed once by {@link Kernels#packGemmB} for {@link Kernels#multAddPacked}:
 * for weights that stay fixed over many products (a recurrent matrix over all steps of a sequence,
 * a served model over all calls), so that the per-call packing {@link Kernels#gemm} does — about one
 * cycle per element of B — is paid once. The layout belongs to the kernel set that packed it.
 * Immutable after packing; any number of threads may use it.
 */
public final class PackedGemmB {
    final int k;
    final int n;
    final float[] data;
    final Kernels owner;

    PackedGemmB(int k, int n, float[] data, Kernels owner) {
        this.k = k;
        this.n = n;
        this.data = data;
        this.owner = owner;
    }

    /** Rows of op(B): the inner dimension k. */
    public int k() {
        return k;
    }

    /** Columns of op(B) and of C: n. */
    public int n() {
        return n;
    }

    /** Bytes of the packed data. */
    public long bytes() {
        return 4L * data.length;
    }
}
