package org.rnn4j.kernel;

import static org.rnn4j.kernel.Checks.matrix;
import static org.rnn4j.kernel.Checks.range;
import static org.rnn4j.kernel.Checks.size;

/**
 * The float32 compute kernels every layer of rnn4j runs on: level-1 vector operations, GEMV, GEMM,
 * activations and the fused LSTM/GRU gate math.
 *
 * <p>Two implementations exist, a Vector API (SIMD) one and its plain-Java scalar twin; the one used
 * by {@link #get()} is chosen once, at class initialization, by {@link KernelSelector}. Both are
 * reachable for tests and benchmarks through {@link #scalar()} and {@link #simd()}.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Arrays are {@code float[]} with an explicit offset; matrices are row-major with a leading
 *       dimension {@code ld} (distance between the starts of consecutive rows, {@code ld >= cols}).</li>
 *   <li>Arrays are owned by the caller. A kernel reads its inputs, writes only the output range it
 *       documents, and keeps no reference after it returns.</li>
 *   <li>Element-wise operations allow an output to be exactly the same range as an input (same
 *       array, same offset); partially overlapping ranges give unspecified results.</li>
 *   <li>Every public method validates its arguments here, before any work, and throws
 *       {@link IllegalArgumentException} naming the argument, the expected and the actual value.
 *       Inner loops carry no checks.</li>
 *   <li>NaN and infinities propagate as IEEE arithmetic says; no kernel hides them.</li>
 *   <li>Results are deterministic: same implementation, same inputs, same {@link Parallelism} task
 *       count (in fact any task count) give bitwise the same output. The SIMD path and the scalar twin
 *       sum in different orders and so differ in the last bits.</li>
 * </ul>
 *
 * <p>Instances are immutable and thread-safe (scratch space lives in thread-local buffers).
 *
 * <p><b>Why one long file.</b> This is the checked façade: every kernel's contract (shapes, layouts,
 * who owns each array) and its argument checks are written once here, and callers read one class to
 * learn them. More than half the lines are that Javadoc; the arithmetic lives in the two twins.
 */
public abstract class Kernels {

    Kernels() {}

    /** @return the implementation chosen once for this JVM (SIMD when available and enabled). */
    public static Kernels get() {
        return KernelSelector.ACTIVE;
    }

    /** @return the scalar (plain Java) implementation; always available. */
    public static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    /**
     * @return the Vector API implementation
     * @throws UnsupportedOperationException if the JVM was started without
     *         {@code --add-modules jdk.incubator.vector}; the message says how to enable it
     */
    public static Kernels simd() {
        return KernelSelector.simd();
    }

    /** @return a short name of this implementation, e.g. {@code "simd-512"} or {@code "scalar"}. */
    public abstract String name();

    // ------------------------------------------------------------------ level 1

    /**
     * Dot product {@code Σ x[xOff+i]·y[yOff+i]} for {@code i < n}. Partial sums are formed in float
     * over blocks of at most {@value #BLOCK} elements and the block sums added in double, so the error
     * does not grow with {@code n} beyond a block's.
     *
     * @param n number of elements, {@code >= 0}
     * @param x first vector, {@code x[xOff .. xOff+n)}
     * @param xOff offset into {@code x}
     * @param y second vector, {@code y[yOff .. yOff+n)}
     * @param yOff offset into {@code y}
     * @return the dot product rounded to float (0 for {@code n == 0})
     */
    public final float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        size("n", n);
        range("x", x, xOff, n);
        range("y", y, yOff, n);
        return dot0(n, x, xOff, y, yOff);
    }

    /**
     * {@code y += alpha·x} over {@code n} elements.
     *
     * @param n number of elements, {@code >= 0}
     * @param alpha scale of {@code x}
     * @param x input, {@code x[xOff .. xOff+n)}
     * @param xOff offset into {@code x}
     * @param y input and output, {@code y[yOff .. yOff+n)}
     * @param yOff offset into {@code y}
     */
    public final void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        size("n", n);
        range("x", x, xOff, n);
        range("y", y, yOff, n);
        axpy0(n, alpha, x, xOff, y, yOff);
    }

    /**
     * {@code x *= alpha} in place over {@code n} elements.
     *
     * @param n number of elements, {@code >= 0}
     * @param alpha the factor
     * @param x input and output, {@code x[xOff .. xOff+n)}
     * @param xOff offset into {@code x}
     */
    public final void scale(int n, float alpha, float[] x, int xOff) {
        size("n", n);
        range("x", x, xOff, n);
        scale0(n, alpha, x, xOff);
    }

    /**
     * {@code out = a + b} element-wise.
     *
     * @param n number of elements, {@code >= 0}
     * @param a first input, {@code a[aOff .. aOff+n)}
     * @param aOff offset into {@code a}
     * @param b second input, {@code b[bOff .. bOff+n)}
     * @param bOff offset into {@code b}
     * @param out output, {@code out[outOff .. outOff+n)}; may be exactly {@code a} or {@code b}
     * @param outOff offset into {@code out}
     */
    public final void add(int n, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff) {
        size("n", n);
        range("a", a, aOff, n);
        range("b", b, bOff, n);
        range("out", out, outOff, n);
        add0(n, a, aOff, b, bOff, out, outOff);
    }

    /**
     * {@code out = a ⊙ b} element-wise.
     *
     * @param n number of elements, {@code >= 0}
     * @param a first input, {@code a[aOff .. aOff+n)}
     * @param aOff offset into {@code a}
     * @param b second input, {@code b[bOff .. bOff+n)}
     * @param bOff offset into {@code b}
     * @param out output, {@code out[outOff .. outOff+n)}; may be exactly {@code a} or {@code b}
     * @param outOff offset into {@code out}
     */
    public final void mul(int n, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff) {
        size("n", n);
        range("a", a, aOff, n);
        range("b", b, bOff, n);
        range("out", out, outOff, n);
        mul0(n, a, aOff, b, bOff, out, outOff);
    }

    /**
     * {@code y += a ⊙ b} element-wise (fused multiply-add).
     *
     * @param n number of elements, {@code >= 0}
     * @param a first factor, {@code a[aOff .. aOff+n)}
     * @param aOff offset into {@code a}
     * @param b second factor, {@code b[bOff .. bOff+n)}
     * @param bOff offset into {@code b}
     * @param y accumulator, {@code y[yOff .. yOff+n)}
     * @param yOff offset into {@code y}
     */
    public final void mulAdd(int n, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff) {
        size("n", n);
        range("a", a, aOff, n);
        range("b", b, bOff, n);
        range("y", y, yOff, n);
        mulAdd0(n, a, aOff, b, bOff, y, yOff);
    }

    /**
     * Sum of {@code n} elements, float partial sums over blocks of {@value #BLOCK} added in double.
     *
     * @param n number of elements, {@code >= 0}
     * @param x input, {@code x[xOff .. xOff+n)}
     * @param xOff offset into {@code x}
     * @return the sum (0 for {@code n == 0})
     */
    public final double sum(int n, float[] x, int xOff) {
        size("n", n);
        range("x", x, xOff, n);
        return sum0(n, x, xOff);
    }

    /**
     * Sum of squares {@code Σ x²} (the squared 2-norm), accumulated like {@link #sum}.
     *
     * @param n number of elements, {@code >= 0}
     * @param x input, {@code x[xOff .. xOff+n)}
     * @param xOff offset into {@code x}
     * @return the sum of squares (0 for {@code n == 0})
     */
    public final double sumSquares(int n, float[] x, int xOff) {
        size("n", n);
        range("x", x, xOff, n);
        return sumSquares0(n, x, xOff);
    }

    /**
     * Largest element; NaN if any element is NaN.
     *
     * @param n number of elements, {@code >= 1}
     * @param x input, {@code x[xOff .. xOff+n)}
     * @param xOff offset into {@code x}
     * @return the maximum
     */
    public final float max(int n, float[] x, int xOff) {
        positive("n", n);
        range("x", x, xOff, n);
        return max0(n, x, xOff);
    }

    /**
     * Index (relative to {@code xOff}) of the first largest element; a NaN counts as larger than
     * everything, so the first NaN's index is returned if there is one (as numpy does).
     *
     * @param n number of elements, {@code >= 1}
     * @param x input, {@code x[xOff .. xOff+n)}
     * @param xOff offset into {@code x}
     * @return index in {@code [0, n)}
     */
    public final int argmax(int n, float[] x, int xOff) {
        positive("n", n);
        range("x", x, xOff, n);
        return argmax0(n, x, xOff);
    }

    // ------------------------------------------------------------------ GEMV

    /**
     * {@code y += A·x}: matrix-vector product, the batch-1 streaming case.
     *
     * @param m rows of {@code A} and length of {@code y}, {@code >= 0}
     * @param n columns of {@code A} and length of {@code x}, {@code >= 0}
     * @param a {@code A}, (m, n) row-major at {@code aOff} with leading dimension {@code lda}
     * @param aOff offset of {@code A[0,0]}
     * @param lda leading dimension of {@code A}, {@code >= max(1, n)}
     * @param x input, {@code x[xOff .. xOff+n)}
     * @param xOff offset into {@code x}
     * @param y accumulator, {@code y[yOff .. yOff+m)}; must not overlap {@code x} or {@code A}
     * @param yOff offset into {@code y}
     */
    public final void multAddVec(int m, int n, float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        size("m", m);
        size("n", n);
        matrix("A", a, aOff, m, n, lda);
        range("x", x, xOff, n);
        range("y", y, yOff, m);
        multAddVec0(m, n, a, aOff, lda, x, xOff, y, yOff);
    }

    /**
     * {@code y += Aᵀ·x}: transposed matrix-vector product (e.g. {@code dh += W_hhᵀ·dgates} at batch 1).
     *
     * @param m rows of {@code A} and length of {@code x}, {@code >= 0}
     * @param n columns of {@code A} and length of {@code y}, {@code >= 0}
     * @param a {@code A}, (m, n) row-major at {@code aOff} with leading dimension {@code lda}
     * @param aOff offset of {@code A[0,0]}
     * @param lda leading dimension of {@code A}, {@code >= max(1, n)}
     * @param x input, {@code x[xOff .. xOff+m)}
     * @param xOff offset into {@code x}
     * @param y accumulator, {@code y[yOff .. yOff+n)}; must not overlap {@code x} or {@code A}
     * @param yOff offset into {@code y}
     */
    public final void multAddTransVec(int m, int n, float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        size("m", m);
        size("n", n);
        matrix("A", a, aOff, m, n, lda);
        range("x", x, xOff, m);
        range("y", y, yOff, n);
        multAddTransVec0(m, n, a, aOff, lda, x, xOff, y, yOff);
    }

    /**
     * Packs a float matrix as bfloat16 (rounded to nearest even) in the layout that
     * {@link #multAddVecBf16} reads (see {@link Bf16}). Half the bytes of the float matrix, so a
     * GEMV bound by reading its weights runs up to twice as fast.
     *
     * @param rows rows of {@code W}, {@code >= 0}
     * @param cols columns of {@code W}, {@code >= 0}
     * @param w {@code W}, (rows, cols) row-major at {@code wOff} with leading dimension {@code ldw}; read only
     * @param wOff offset of {@code W[0,0]}
     * @param ldw leading dimension of {@code W}, {@code >= max(1, cols)}
     * @return a new array of {@code rows·Bf16.rowInts(cols)} ints, owned by the caller
     */
    public final int[] packBf16(int rows, int cols, float[] w, int wOff, int ldw) {
        size("rows", rows);
        size("cols", cols);
        matrix("w", w, wOff, rows, cols, ldw);
        long n = (long) rows * Bf16.rowInts(cols);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("packed bf16 matrix of " + rows + "x" + cols + " needs " + n
                    + " ints, more than a Java array holds");
        }
        int stride = Bf16.rowInts(cols);
        int[] p = new int[(int) n];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int bits = Bf16.fromFloat(w[wOff + r * ldw + j]) & 0xFFFF;
                int idx = r * stride + (j / Bf16.BLOCK_COLUMNS) * Bf16.BLOCK_INTS + (j % Bf16.BLOCK_INTS);
                p[idx] |= (j % Bf16.BLOCK_COLUMNS) < Bf16.BLOCK_INTS ? bits : bits << 16;
            }
        }
        return p;
    }

    /**
     * {@code y += A·x} with {@code A} stored as packed bfloat16 ({@link #packBf16}): each weight is
     * widened to float exactly, products and sums are float (FMA), as in {@link #multAddVec}.
     *
     * @param m number of rows used, {@code >= 0}; the length of {@code y}
     * @param n columns of {@code A}, {@code >= 0}; the length of {@code x}
     * @param a packed {@code A}, at least {@code (firstRow+m)·Bf16.rowInts(n)} ints; read only
     * @param firstRow the first row of {@code A} used, {@code >= 0}
     * @param x input, {@code x[xOff .. xOff+n)}
     * @param xOff offset into {@code x}
     * @param y accumulator, {@code y[yOff .. yOff+m)}; must not overlap {@code x}
     * @param yOff offset into {@code y}
     */
    public final void multAddVecBf16(int m, int n, int[] a, int firstRow, float[] x, int xOff, float[] y, int yOff) {
        size("m", m);
        size("n", n);
        size("firstRow", firstRow);
        if (a == null) {
            throw new IllegalArgumentException("a must not be null");
        }
        long need = ((long) firstRow + m) * Bf16.rowInts(n);
        if (need > a.length) {
            throw new IllegalArgumentException("a: packed rows [" + firstRow + ", " + ((long) firstRow + m)
                    + ") of " + n + " columns need length >= " + need + ", but a.length = " + a.length);
        }
        range("x", x, xOff, n);
        range("y", y, yOff, m);
        multAddVecBf16_0(m, n, a, firstRow * Bf16.rowInts(n), x, xOff, y, yOff);
    }

    /**
     * Packs op(B) once for {@link #multAddPacked} (see {@link PackedGemmB}).
     *
     * @param transB use {@code Bᵀ}: {@code B} is stored (n, k) instead of (k, n)
     * @param k rows of op(B), {@code >= 0}
     * @param n columns of op(B), {@code >= 0}
     * @param b {@code B} row-major at {@code bOff}; read only
     * @param bOff offset of {@code B[0,0]}
     * @param ldb leading dimension of {@code B} as stored
     * @return the packed copy, owned by the caller, usable with this kernel set only
     */
    public final PackedGemmB packGemmB(boolean transB, int k, int n, float[] b, int bOff, int ldb) {
        checkB(transB, k, n, b, bOff, ldb);
        if ((long) k * (n + 64) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("packed B of " + k + "x" + n + " exceeds a Java array");
        }
        return new PackedGemmB(k, n, packGemmB0(transB, k, n, b, bOff, ldb, null), this);
    }

    /**
     * {@link #packGemmB(boolean, int, int, float[], int, int)} into the storage of an earlier packing
     * when it has the same shape and kernel set (otherwise into new storage): for weights that are
     * repacked on every call, such as an engine's recurrent matrix between optimizer steps, without
     * allocating. Overwrites {@code reuse}: the caller must own it and no other thread may be using it.
     *
     * @param transB use {@code Bᵀ}: {@code B} is stored (n, k) instead of (k, n)
     * @param k rows of op(B), {@code >= 0}
     * @param n columns of op(B), {@code >= 0}
     * @param b {@code B} row-major at {@code bOff}; read only
     * @param bOff offset of {@code B[0,0]}
     * @param ldb leading dimension of {@code B} as stored
     * @param reuse an earlier packing to overwrite, or null
     * @return {@code reuse} repacked, or a new packing
     */
    public final PackedGemmB packGemmB(boolean transB, int k, int n, float[] b, int bOff, int ldb, PackedGemmB reuse) {
        if (reuse == null || reuse.owner != this || reuse.k != k || reuse.n != n) {
            return packGemmB(transB, k, n, b, bOff, ldb);
        }
        checkB(transB, k, n, b, bOff, ldb);
        packGemmB0(transB, k, n, b, bOff, ldb, reuse.data);
        return reuse;
    }

    /** Validates op(B) (k, n), stored (n, k) when transposed. */
    private static void checkB(boolean transB, int k, int n, float[] b, int bOff, int ldb) {
        size("k", k);
        size("n", n);
        if (transB) {
            matrix("B", b, bOff, n, k, ldb);
        } else {
            matrix("B", b, bOff, k, n, ldb);
        }
    }

    /**
     * {@code C += alpha·A·op(B)} with op(B) packed by this kernel set's {@link #packGemmB}.
     *
     * @param m rows of {@code A} and {@code C}, {@code >= 0}
     * @param alpha scale of the product
     * @param a {@code A}, (m, k) row-major at {@code aOff}; read only
     * @param aOff offset of {@code A[0,0]}
     * @param lda leading dimension of {@code A}, {@code >= max(1, k)}
     * @param b the packed op(B) (k, n); not null
     * @param c {@code C}, (m, n) row-major at {@code cOff}; must not overlap {@code A}
     * @param cOff offset of {@code C[0,0]}
     * @param ldc leading dimension of {@code C}, {@code >= max(1, n)}
     */
    public final void multAddPacked(int m, float alpha, float[] a, int aOff, int lda, PackedGemmB b,
                                    float[] c, int cOff, int ldc) {
        multAddPacked(m, alpha, a, aOff, lda, b, c, cOff, ldc, Parallelism.SERIAL);
    }

    /**
     * {@link #multAddPacked(int, float, float[], int, int, PackedGemmB, float[], int, int)} with the
     * columns of C split over {@code par}'s tasks (on micro-panel boundaries, when the product is
     * large enough to pay for a hand-off); the result is bitwise the serial one.
     *
     * @param m rows of {@code A} and {@code C}, {@code >= 0}
     * @param alpha scale of the product
     * @param a {@code A}, (m, k) row-major at {@code aOff}; read only
     * @param aOff offset of {@code A[0,0]}
     * @param lda leading dimension of {@code A}, {@code >= max(1, k)}
     * @param b the packed op(B) (k, n); not null
     * @param c {@code C}, (m, n) row-major at {@code cOff}; must not overlap {@code A}
     * @param cOff offset of {@code C[0,0]}
     * @param ldc leading dimension of {@code C}, {@code >= max(1, n)}
     * @param par the tasks; not null
     */
    public final void multAddPacked(int m, float alpha, float[] a, int aOff, int lda, PackedGemmB b,
                                    float[] c, int cOff, int ldc, Parallelism par) {
        if (par == null) {
            throw new IllegalArgumentException("par must not be null");
        }
        size("m", m);
        if (b == null) {
            throw new IllegalArgumentException("b must not be null");
        }
        if (b.owner != this) {
            throw new IllegalArgumentException("b was packed by the " + b.owner.name() + " kernels; this is "
                    + name() + ": pack it with this kernel set");
        }
        matrix("A", a, aOff, m, b.k, lda);
        matrix("C", c, cOff, m, b.n, ldc);
        if (m == 0 || b.k == 0 || b.n == 0 || alpha == 0f) {
            return;
        }
        GemmDriver.runPacked(this, m, b.n, b.k, alpha, a, aOff, lda, b.data, c, cOff, ldc, par);
    }

    // ------------------------------------------------------------------ GEMM

    /**
     * General matrix multiply, BLAS {@code sgemm} semantics on row-major storage:
     * {@code C = alpha·op(A)·op(B) + beta·C} with {@code op(A)} of shape (m, k) and {@code op(B)} of
     * shape (k, n). {@code op(X) = Xᵀ} when the corresponding {@code trans} flag is set.
     * When {@code beta == 0}, {@code C} is not read (NaN already in {@code C} does not propagate).
     *
     * @param transA use {@code Aᵀ}: {@code A} is stored (k, m) instead of (m, k)
     * @param transB use {@code Bᵀ}: {@code B} is stored (n, k) instead of (k, n)
     * @param m rows of {@code C}, {@code >= 0}
     * @param n columns of {@code C}, {@code >= 0}
     * @param k inner dimension, {@code >= 0}
     * @param alpha scale of the product
     * @param a {@code A} row-major at {@code aOff}
     * @param aOff offset of {@code A[0,0]}
     * @param lda leading dimension of {@code A} as stored
     * @param b {@code B} row-major at {@code bOff}
     * @param bOff offset of {@code B[0,0]}
     * @param ldb leading dimension of {@code B} as stored
     * @param beta scale of the old {@code C}
     * @param c {@code C}, (m, n) row-major at {@code cOff}; must not overlap {@code A} or {@code B}
     * @param cOff offset of {@code C[0,0]}
     * @param ldc leading dimension of {@code C}, {@code >= max(1, n)}
     */
    public final void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           float beta, float[] c, int cOff, int ldc) {
        gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, Parallelism.SERIAL);
    }

    /**
     * {@link #gemm(boolean, boolean, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int)}
     * split over {@code par}. The result is bitwise identical to the serial call.
     *
     * @param transA use {@code Aᵀ}
     * @param transB use {@code Bᵀ}
     * @param m rows of {@code C}
     * @param n columns of {@code C}
     * @param k inner dimension
     * @param alpha scale of the product
     * @param a {@code A}
     * @param aOff offset of {@code A[0,0]}
     * @param lda leading dimension of {@code A}
     * @param b {@code B}
     * @param bOff offset of {@code B[0,0]}
     * @param ldb leading dimension of {@code B}
     * @param beta scale of the old {@code C}
     * @param c {@code C}
     * @param cOff offset of {@code C[0,0]}
     * @param ldc leading dimension of {@code C}
     * @param par executor and maximum task count; must not be null
     */
    public final void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           float beta, float[] c, int cOff, int ldc, Parallelism par) {
        size("m", m);
        size("n", n);
        size("k", k);
        if (transA) {
            matrix("A", a, aOff, k, m, lda);
        } else {
            matrix("A", a, aOff, m, k, lda);
        }
        checkB(transB, k, n, b, bOff, ldb);
        matrix("C", c, cOff, m, n, ldc);
        if (par == null) {
            throw new IllegalArgumentException("par must not be null (use Parallelism.SERIAL)");
        }
        if (m == 0 || n == 0) {
            return;
        }
        GemmDriver.run(this, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, par);
    }

    /**
     * {@code C = A·B}. A (m, k), B (k, n), C (m, n); all row-major with the given leading dimensions.
     *
     * @param m rows of C
     * @param n columns of C
     * @param k inner dimension
     * @param a A at aOff
     * @param aOff offset of A
     * @param lda leading dimension of A
     * @param b B at bOff
     * @param bOff offset of B
     * @param ldb leading dimension of B
     * @param c C at cOff, overwritten
     * @param cOff offset of C
     * @param ldc leading dimension of C
     */
    public final void mult(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           float[] c, int cOff, int ldc) {
        gemm(false, false, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, c, cOff, ldc);
    }

    /**
     * {@code C += A·B}. Shapes as in {@link #mult}.
     *
     * @param m rows of C
     * @param n columns of C
     * @param k inner dimension
     * @param a A (m, k) at aOff
     * @param aOff offset of A
     * @param lda leading dimension of A
     * @param b B (k, n) at bOff
     * @param bOff offset of B
     * @param ldb leading dimension of B
     * @param c C (m, n) at cOff, accumulated into
     * @param cOff offset of C
     * @param ldc leading dimension of C
     */
    public final void multAdd(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc) {
        gemm(false, false, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 1f, c, cOff, ldc);
    }

    /**
     * {@code C = A·Bᵀ} — the gate pre-activations {@code X·W_ihᵀ} with PyTorch's (4H, I) weights.
     *
     * @param m rows of C
     * @param n columns of C
     * @param k inner dimension
     * @param a A (m, k) at aOff
     * @param aOff offset of A
     * @param lda leading dimension of A
     * @param b B stored (n, k) at bOff
     * @param bOff offset of B
     * @param ldb leading dimension of B
     * @param c C (m, n) at cOff, overwritten
     * @param cOff offset of C
     * @param ldc leading dimension of C
     */
    public final void multTransB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc) {
        gemm(false, true, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, c, cOff, ldc);
    }

    /**
     * {@code C += A·Bᵀ}.
     *
     * @param m rows of C
     * @param n columns of C
     * @param k inner dimension
     * @param a A (m, k) at aOff
     * @param aOff offset of A
     * @param lda leading dimension of A
     * @param b B stored (n, k) at bOff
     * @param bOff offset of B
     * @param ldb leading dimension of B
     * @param c C (m, n) at cOff, accumulated into
     * @param cOff offset of C
     * @param ldc leading dimension of C
     */
    public final void multAddTransB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                    float[] c, int cOff, int ldc) {
        gemm(false, true, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 1f, c, cOff, ldc);
    }

    /**
     * {@code C = Aᵀ·B} — weight gradients {@code dW = dGatesᵀ·X} summed over all time steps.
     *
     * @param m rows of C
     * @param n columns of C
     * @param k inner dimension
     * @param a A stored (k, m) at aOff
     * @param aOff offset of A
     * @param lda leading dimension of A
     * @param b B (k, n) at bOff
     * @param bOff offset of B
     * @param ldb leading dimension of B
     * @param c C (m, n) at cOff, overwritten
     * @param cOff offset of C
     * @param ldc leading dimension of C
     */
    public final void multTransA(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc) {
        gemm(true, false, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, c, cOff, ldc);
    }

    /**
     * {@code C += Aᵀ·B}.
     *
     * @param m rows of C
     * @param n columns of C
     * @param k inner dimension
     * @param a A stored (k, m) at aOff
     * @param aOff offset of A
     * @param lda leading dimension of A
     * @param b B (k, n) at bOff
     * @param bOff offset of B
     * @param ldb leading dimension of B
     * @param c C (m, n) at cOff, accumulated into
     * @param cOff offset of C
     * @param ldc leading dimension of C
     */
    public final void multAddTransA(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                    float[] c, int cOff, int ldc) {
        gemm(true, false, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 1f, c, cOff, ldc);
    }

    /**
     * Two {@link #multAddTransA} products that share their left factor, in one pass:
     * <pre>
     *   C1 += Aᵀ·B1      (m, n1) += (m, k)·(k, n1)
     *   C2 += Aᵀ·B2      (m, n2) += (m, k)·(k, n2)
     * </pre>
     * This is the pair of weight gradients of a recurrent layer, {@code dW_ih += dGatesᵀ·x} and
     * {@code dW_hh += dGatesᵀ·h_prev} over all T·B rows: the GEMM packs each block of A (dGates,
     * transposed into panels, which costs about as much as reading it twice) once for both products
     * instead of once per product. Each element of C1 and C2 is computed exactly as by the two
     * separate calls on this kernel set, so the result is bitwise theirs, for every {@code par}.
     *
     * @param m rows of C1 and C2 (columns of A as stored), {@code >= 0}
     * @param n1 columns of B1 and C1, {@code >= 0}
     * @param n2 columns of B2 and C2, {@code >= 0}
     * @param k inner dimension (rows of A, B1 and B2 as stored), {@code >= 0}
     * @param a A stored (k, m) at aOff, read only
     * @param aOff offset of A
     * @param lda leading dimension of A
     * @param b1 B1 (k, n1) at b1Off, read only
     * @param b1Off offset of B1
     * @param ldb1 leading dimension of B1
     * @param c1 C1 (m, n1) at c1Off, accumulated into; must not overlap A, B1, B2 or C2
     * @param c1Off offset of C1
     * @param ldc1 leading dimension of C1
     * @param b2 B2 (k, n2) at b2Off, read only
     * @param b2Off offset of B2
     * @param ldb2 leading dimension of B2
     * @param c2 C2 (m, n2) at c2Off, accumulated into; must not overlap A, B1, B2 or C1
     * @param c2Off offset of C2
     * @param ldc2 leading dimension of C2
     * @param par executor and maximum task count (the rows of C are split); must not be null
     */
    public final void multAddTransAPair(int m, int n1, int n2, int k, float[] a, int aOff, int lda,
                                        float[] b1, int b1Off, int ldb1, float[] c1, int c1Off, int ldc1,
                                        float[] b2, int b2Off, int ldb2, float[] c2, int c2Off, int ldc2,
                                        Parallelism par) {
        size("m", m);
        size("n1", n1);
        size("n2", n2);
        size("k", k);
        matrix("A", a, aOff, k, m, lda);
        matrix("B1", b1, b1Off, k, n1, ldb1);
        matrix("C1", c1, c1Off, m, n1, ldc1);
        matrix("B2", b2, b2Off, k, n2, ldb2);
        matrix("C2", c2, c2Off, m, n2, ldc2);
        if (par == null) {
            throw new IllegalArgumentException("par must not be null (use Parallelism.SERIAL)");
        }
        if (m == 0 || k == 0 || (n1 == 0 && n2 == 0)) {
            return;
        }
        GemmDriver.runTransAPair(this, m, n1, n2, k, a, aOff, lda, b1, b1Off, ldb1, c1, c1Off, ldc1,
                b2, b2Off, ldb2, c2, c2Off, ldc2, par);
    }

    // ------------------------------------------------------------------ activations

    /**
     * {@code y = exp(x)}. Inputs above 88.72 give {@code +Inf}; results below the smallest normal
     * float (x &lt; -87.336) are flushed to 0 instead of returned as subnormals. Max error 2 ulp
     * (docs/kernels.md).
     *
     * @param n number of elements
     * @param x input {@code x[xOff .. xOff+n)}
     * @param xOff offset into x
     * @param y output {@code y[yOff .. yOff+n)}; may be exactly x
     * @param yOff offset into y
     */
    public final void exp(int n, float[] x, int xOff, float[] y, int yOff) {
        unary(n, x, xOff, y, yOff);
        exp0(n, x, xOff, y, yOff);
    }

    /**
     * {@code y = σ(x) = 1/(1+e^-x)}, in [0, 1], NaN for NaN.
     *
     * @param n number of elements
     * @param x input {@code x[xOff .. xOff+n)}
     * @param xOff offset into x
     * @param y output {@code y[yOff .. yOff+n)}; may be exactly x
     * @param yOff offset into y
     */
    public final void sigmoid(int n, float[] x, int xOff, float[] y, int yOff) {
        unary(n, x, xOff, y, yOff);
        sigmoid0(n, x, xOff, y, yOff);
    }

    /**
     * {@code y = tanh(x)}, in [-1, 1], NaN for NaN, accurate relative to |tanh x| also near 0.
     *
     * @param n number of elements
     * @param x input {@code x[xOff .. xOff+n)}
     * @param xOff offset into x
     * @param y output {@code y[yOff .. yOff+n)}; may be exactly x
     * @param yOff offset into y
     */
    public final void tanh(int n, float[] x, int xOff, float[] y, int yOff) {
        unary(n, x, xOff, y, yOff);
        tanh0(n, x, xOff, y, yOff);
    }

    /**
     * {@code y = max(x, 0)}; NaN stays NaN.
     *
     * @param n number of elements
     * @param x input {@code x[xOff .. xOff+n)}
     * @param xOff offset into x
     * @param y output {@code y[yOff .. yOff+n)}; may be exactly x
     * @param yOff offset into y
     */
    public final void relu(int n, float[] x, int xOff, float[] y, int yOff) {
        unary(n, x, xOff, y, yOff);
        relu0(n, x, xOff, y, yOff);
    }

    /**
     * Sigmoid derivative from its output: {@code dx = dy · y·(1−y)} where {@code y = σ(x)}.
     *
     * @param n number of elements
     * @param y the activation output
     * @param yOff offset into y
     * @param dy upstream gradient
     * @param dyOff offset into dy
     * @param dx result; may be exactly dy
     * @param dxOff offset into dx
     */
    public final void sigmoidBackward(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        binary(n, y, yOff, dy, dyOff, dx, dxOff);
        sigmoidBackward0(n, y, yOff, dy, dyOff, dx, dxOff);
    }

    /**
     * Tanh derivative from its output: {@code dx = dy · (1−y²)} where {@code y = tanh(x)}.
     *
     * @param n number of elements
     * @param y the activation output
     * @param yOff offset into y
     * @param dy upstream gradient
     * @param dyOff offset into dy
     * @param dx result; may be exactly dy
     * @param dxOff offset into dx
     */
    public final void tanhBackward(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        binary(n, y, yOff, dy, dyOff, dx, dxOff);
        tanhBackward0(n, y, yOff, dy, dyOff, dx, dxOff);
    }

    /**
     * ReLU derivative from its output: {@code dx = (y <= 0) ? 0 : dy}, as PyTorch's
     * {@code threshold_backward} — a NaN output passes the gradient through.
     *
     * @param n number of elements
     * @param y the activation output
     * @param yOff offset into y
     * @param dy upstream gradient
     * @param dyOff offset into dy
     * @param dx result; may be exactly dy
     * @param dxOff offset into dx
     */
    public final void reluBackward(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        binary(n, y, yOff, dy, dyOff, dx, dxOff);
        reluBackward0(n, y, yOff, dy, dyOff, dx, dxOff);
    }

    /**
     * Numerically stable softmax of each row: {@code y[r,j] = exp(x[r,j] − max_r) / Σ_j exp(x[r,j] − max_r)}.
     *
     * @param rows number of rows, {@code >= 0}
     * @param cols number of columns, {@code >= 1} when rows &gt; 0
     * @param x input (rows, cols) at xOff, leading dimension ldx
     * @param xOff offset of x[0,0]
     * @param ldx leading dimension of x
     * @param y output (rows, cols) at yOff, leading dimension ldy; may be exactly x
     * @param yOff offset of y[0,0]
     * @param ldy leading dimension of y
     */
    public final void softmaxRows(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        rowwise(rows, cols, x, xOff, ldx, y, yOff, ldy);
        softmaxRows0(rows, cols, x, xOff, ldx, y, yOff, ldy, false);
    }

    /**
     * Numerically stable log-softmax of each row: {@code y[r,j] = x[r,j] − max_r − log Σ_j exp(x[r,j] − max_r)}.
     *
     * @param rows number of rows, {@code >= 0}
     * @param cols number of columns, {@code >= 1} when rows &gt; 0
     * @param x input (rows, cols) at xOff, leading dimension ldx
     * @param xOff offset of x[0,0]
     * @param ldx leading dimension of x
     * @param y output (rows, cols) at yOff, leading dimension ldy; may be exactly x
     * @param yOff offset of y[0,0]
     * @param ldy leading dimension of y
     */
    public final void logSoftmaxRows(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        rowwise(rows, cols, x, xOff, ldx, y, yOff, ldy);
        softmaxRows0(rows, cols, x, xOff, ldx, y, yOff, ldy, true);
    }

    // ------------------------------------------------------------------ fused cell math

    /**
     * Every row of y gets the same vector: {@code y[r][0:n] = x[0:n]} for r in [0, rows), the
     * rows {@code ldy} floats apart. The bias initialisation of a GEMM that then accumulates
     * ({@code beta = 1}). Pure copies, so there is one implementation for every kernel set.
     *
     * @param rows number of rows, {@code >= 0}
     * @param n floats per row, {@code >= 0}
     * @param x the row (n); read only
     * @param xOff offset into x
     * @param y out: (rows, ldy) row-major, columns [0, n) of each row written, the rest untouched
     * @param yOff offset into y
     * @param ldy leading dimension of y, {@code >= n}
     */
    public final void broadcastRows(int rows, int n, float[] x, int xOff, float[] y, int yOff, int ldy) {
        size("rows", rows);
        size("n", n);
        range("x", x, xOff, n);
        matrix("y", y, yOff, rows, n, ldy);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, xOff, y, yOff + r * ldy, n);
        }
    }

    /**
     * LSTM post-GEMM pass for one batch row (PyTorch gate order i, f, g, o):
     * <pre>
     *   i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
     *   c = f ⊙ c_prev + i ⊙ g
     *   h = o ⊙ tanh(c)
     * </pre>
     * The pre-activations {@code a} are replaced in place by the activated gates, which the backward
     * pass needs; {@code tanh(c)} is stored for the same reason.
     *
     * @param hidden H, {@code >= 0}
     * @param gates in: pre-activations (4H) [a_i, a_f, a_g, a_o]; out: [i, f, g, o]
     * @param gOff offset into gates
     * @param cPrev c_{t−1} (H)
     * @param cpOff offset into cPrev
     * @param c out: c_t (H); may be exactly cPrev
     * @param cOff offset into c
     * @param tanhC out: tanh(c_t) (H)
     * @param tcOff offset into tanhC
     * @param h out: h_t (H)
     * @param hOff offset into h
     */
    public final void lstmCellForward(int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                                      float[] c, int cOff, float[] tanhC, int tcOff, float[] h, int hOff) {
        size("hidden", hidden);
        range("gates", gates, gOff, 4L * hidden);
        range("cPrev", cPrev, cpOff, hidden);
        range("c", c, cOff, hidden);
        range("tanhC", tanhC, tcOff, hidden);
        range("h", h, hOff, hidden);
        lstmCellForward0(hidden, gates, gOff, cPrev, cpOff, c, cOff, tanhC, tcOff, h, hOff);
    }

    /**
     * LSTM backward through the gate math of one step and one batch row:
     * <pre>
     *   h = o ⊙ tanh(c)            ⇒ do = dh ⊙ tanh(c),   dc += dh ⊙ o ⊙ (1 − tanh²(c))
     *   c = f ⊙ c_prev + i ⊙ g     ⇒ di = dc ⊙ g,  df = dc ⊙ c_prev,  dg = dc ⊙ i,  dc_prev = dc ⊙ f
     *   i,f,o = σ(a)               ⇒ da = d· ⊙ s(1 − s);     g = tanh(a_g) ⇒ da_g = dg ⊙ (1 − g²)
     * </pre>
     *
     * @param hidden H
     * @param gates activated gates (4H) [i, f, g, o] as left by {@link #lstmCellForward}
     * @param gOff offset into gates
     * @param cPrev c_{t−1} (H)
     * @param cpOff offset into cPrev
     * @param tanhC tanh(c_t) (H) as left by the forward pass
     * @param tcOff offset into tanhC
     * @param dh dL/dh_t (H), total (from the output and from step t+1)
     * @param dhOff offset into dh
     * @param dc in: dL/dc_t arriving from step t+1 (H); out: dL/dc_{t−1}
     * @param dcOff offset into dc
     * @param dGates out: dL/d(pre-activations) (4H) [da_i, da_f, da_g, da_o]
     * @param dgOff offset into dGates
     */
    public final void lstmCellBackward(int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                                       float[] tanhC, int tcOff, float[] dh, int dhOff, float[] dc, int dcOff,
                                       float[] dGates, int dgOff) {
        size("hidden", hidden);
        range("gates", gates, gOff, 4L * hidden);
        range("cPrev", cPrev, cpOff, hidden);
        range("tanhC", tanhC, tcOff, hidden);
        range("dh", dh, dhOff, hidden);
        range("dc", dc, dcOff, hidden);
        range("dGates", dGates, dgOff, 4L * hidden);
        lstmCellBackward0(hidden, gates, gOff, cPrev, cpOff, tanhC, tcOff, dh, dhOff, dc, dcOff, dGates, dgOff);
    }

    /**
     * GRU post-GEMM pass for one batch row, PyTorch semantics (gate order r, z, n; reset applied to
     * the hidden projection including its bias):
     * <pre>
     *   r = σ(x_r + h_r)    z = σ(x_z + h_z)
     *   n = tanh(x_n + r ⊙ h_n)
     *   h = (1 − z) ⊙ n + z ⊙ h_prev
     * </pre>
     * where {@code x = W_ih·x_t + b_ih} and {@code h = W_hh·h_{t−1} + b_hh}, each (3H).
     *
     * @param hidden H
     * @param gx in: input projection (3H) [x_r, x_z, x_n]; out: activated gates [r, z, n]
     * @param gxOff offset into gx
     * @param gh hidden projection (3H) [h_r, h_z, h_n]; read only (h_n is needed again in backward)
     * @param ghOff offset into gh
     * @param hPrev h_{t−1} (H)
     * @param hpOff offset into hPrev
     * @param h out: h_t (H); may be exactly hPrev
     * @param hOff offset into h
     */
    public final void gruCellForward(int hidden, float[] gx, int gxOff, float[] gh, int ghOff,
                                     float[] hPrev, int hpOff, float[] h, int hOff) {
        size("hidden", hidden);
        range("gx", gx, gxOff, 3L * hidden);
        range("gh", gh, ghOff, 3L * hidden);
        range("hPrev", hPrev, hpOff, hidden);
        range("h", h, hOff, hidden);
        gruCellForward0(hidden, gx, gxOff, gh, ghOff, hPrev, hpOff, h, hOff);
    }

    /**
     * GRU backward through the gate math of one step and one batch row:
     * <pre>
     *   h = (1 − z) ⊙ n + z ⊙ h_prev  ⇒ dn = dh ⊙ (1 − z),  dz = dh ⊙ (h_prev − n),  dh_prev = dh ⊙ z
     *   n = tanh(x_n + r ⊙ h_n)       ⇒ da_n = dn ⊙ (1 − n²),  dr = da_n ⊙ h_n,  dh_n = da_n ⊙ r
     *   r, z = σ(·)                   ⇒ da_r = dr ⊙ r(1 − r),  da_z = dz ⊙ z(1 − z)
     * </pre>
     * The recurrent contribution {@code W_hhᵀ·dGh} to dh_prev is added by the caller's GEMM.
     *
     * @param hidden H
     * @param gates activated gates (3H) [r, z, n] as left in gx by {@link #gruCellForward}
     * @param gOff offset into gates
     * @param gh hidden projection (3H) [h_r, h_z, h_n] of the forward step
     * @param ghOff offset into gh
     * @param hPrev h_{t−1} (H)
     * @param hpOff offset into hPrev
     * @param dh dL/dh_t (H)
     * @param dhOff offset into dh
     * @param dGx out: dL/d(input projection) (3H) [da_r, da_z, da_n]
     * @param dgxOff offset into dGx
     * @param dGh out: dL/d(hidden projection) (3H) [da_r, da_z, da_n ⊙ r]
     * @param dghOff offset into dGh
     * @param dhPrev out: the direct part dh ⊙ z of dL/dh_{t−1} (H), overwritten
     * @param dhpOff offset into dhPrev
     */
    public final void gruCellBackward(int hidden, float[] gates, int gOff, float[] gh, int ghOff,
                                      float[] hPrev, int hpOff, float[] dh, int dhOff,
                                      float[] dGx, int dgxOff, float[] dGh, int dghOff, float[] dhPrev, int dhpOff) {
        size("hidden", hidden);
        range("gates", gates, gOff, 3L * hidden);
        range("gh", gh, ghOff, 3L * hidden);
        range("hPrev", hPrev, hpOff, hidden);
        range("dh", dh, dhOff, hidden);
        range("dGx", dGx, dgxOff, 3L * hidden);
        range("dGh", dGh, dghOff, 3L * hidden);
        range("dhPrev", dhPrev, dhpOff, hidden);
        gruCellBackward0(hidden, gates, gOff, gh, ghOff, hPrev, hpOff, dh, dhOff, dGx, dgxOff, dGh, dghOff, dhPrev, dhpOff);
    }

    /**
     * Peephole LSTM post-GEMM pass for one batch row (gate order i, f, g, o; peepholes as ONNX's P
     * and Keras's {@code PeepholeLSTMCell}):
     * <pre>
     *   i = σ(a_i + p_i ⊙ c_prev)   f = σ(a_f + p_f ⊙ c_prev)   g = tanh(a_g)
     *   c = f ⊙ c_prev + i ⊙ g
     *   o = σ(a_o + p_o ⊙ c)        h = o ⊙ tanh(c)
     * </pre>
     * Per element the same operations as {@link #lstmCellForward} after the two peephole
     * fma's, then one more fma for a_o; the pre-activations are replaced by the activated gates.
     *
     * @param hidden H, {@code >= 0}
     * @param gates in: pre-activations (4H) [a_i, a_f, a_g, a_o]; out: [i, f, g, o]
     * @param gOff offset into gates
     * @param peep peephole weights (3H) [p_i, p_f, p_o]; read only
     * @param pOff offset into peep
     * @param cPrev c_{t−1} (H)
     * @param cpOff offset into cPrev
     * @param c out: c_t (H); may be exactly cPrev
     * @param cOff offset into c
     * @param tanhC out: tanh(c_t) (H)
     * @param tcOff offset into tanhC
     * @param h out: h_t (H)
     * @param hOff offset into h
     */
    public final void lstmPeepholeCellForward(int hidden, float[] gates, int gOff, float[] peep, int pOff,
                                              float[] cPrev, int cpOff, float[] c, int cOff, float[] tanhC, int tcOff,
                                              float[] h, int hOff) {
        size("hidden", hidden);
        range("gates", gates, gOff, 4L * hidden);
        range("peep", peep, pOff, 3L * hidden);
        range("cPrev", cPrev, cpOff, hidden);
        range("c", c, cOff, hidden);
        range("tanhC", tanhC, tcOff, hidden);
        range("h", h, hOff, hidden);
        lstmPeepholeCellForward0(hidden, gates, gOff, peep, pOff, cPrev, cpOff, c, cOff, tanhC, tcOff, h, hOff);
    }

    /**
     * Peephole LSTM backward through the gate math of one step and one batch row:
     * <pre>
     *   o = σ(a_o + p_o ⊙ c)   ⇒ da_o = dh ⊙ tanh(c) ⊙ o(1 − o),   dc += p_o ⊙ da_o
     *   then as {@link #lstmCellBackward} with that dc:  dGates, dc ← dc ⊙ f
     *   i, f = σ(a + p ⊙ c_prev)  ⇒ dc_prev += p_i ⊙ da_i + p_f ⊙ da_f
     * </pre>
     * The peephole weights' own gradients (Σ da ⊙ c over rows and steps) are the caller's, from the
     * returned dGates.
     *
     * @param hidden H
     * @param gates activated gates (4H) [i, f, g, o] as left by {@link #lstmPeepholeCellForward}
     * @param gOff offset into gates
     * @param peep peephole weights (3H) [p_i, p_f, p_o]
     * @param pOff offset into peep
     * @param cPrev c_{t−1} (H)
     * @param cpOff offset into cPrev
     * @param tanhC tanh(c_t) (H) as left by the forward pass
     * @param tcOff offset into tanhC
     * @param dh dL/dh_t (H), total
     * @param dhOff offset into dh
     * @param dc in: dL/dc_t arriving from step t+1 (H); out: dL/dc_{t−1}
     * @param dcOff offset into dc
     * @param dGates out: dL/d(pre-activations) (4H) [da_i, da_f, da_g, da_o]
     * @param dgOff offset into dGates
     */
    public final void lstmPeepholeCellBackward(int hidden, float[] gates, int gOff, float[] peep, int pOff,
                                               float[] cPrev, int cpOff, float[] tanhC, int tcOff, float[] dh, int dhOff,
                                               float[] dc, int dcOff, float[] dGates, int dgOff) {
        size("hidden", hidden);
        range("gates", gates, gOff, 4L * hidden);
        range("peep", peep, pOff, 3L * hidden);
        range("cPrev", cPrev, cpOff, hidden);
        range("tanhC", tanhC, tcOff, hidden);
        range("dh", dh, dhOff, hidden);
        range("dc", dc, dcOff, hidden);
        range("dGates", dGates, dgOff, 4L * hidden);
        lstmPeepholeCellBackward0(hidden, gates, gOff, peep, pOff, cPrev, cpOff, tanhC, tcOff, dh, dhOff, dc, dcOff,
                dGates, dgOff);
    }

    /**
     * First post-GEMM pass of the GRU with the reset gate before the recurrent matmul (ONNX
     * {@code linear_before_reset = 0}), for one batch row, once the r and z pre-activations hold
     * both projections:
     * <pre>
     *   r = σ(a_r)   z = σ(a_z)   rh = r ⊙ h_prev
     * </pre>
     * rh is the input of the n block's recurrent GEMM, {@code gh_n = rh·W_hnᵀ + b_hn}, after which
     * {@link #gruResetBeforeCellForward} finishes the step.
     *
     * @param hidden H
     * @param gates in: (3H) [a_r, a_z, ·]; out: [r, z, ·] (the n block is neither read nor written)
     * @param gOff offset into gates
     * @param hPrev h_{t−1} (H)
     * @param hpOff offset into hPrev
     * @param rh out: r ⊙ h_{t−1} (H)
     * @param rhOff offset into rh
     */
    public final void gruResetGateForward(int hidden, float[] gates, int gOff, float[] hPrev, int hpOff,
                                          float[] rh, int rhOff) {
        size("hidden", hidden);
        range("gates", gates, gOff, 3L * hidden);
        range("hPrev", hPrev, hpOff, hidden);
        range("rh", rh, rhOff, hidden);
        gruResetGateForward0(hidden, gates, gOff, hPrev, hpOff, rh, rhOff);
    }

    /**
     * Second post-GEMM pass of the reset-before GRU, one batch row:
     * <pre>
     *   n = tanh(x_n + h_n)      h = n + z ⊙ (h_prev − n)
     * </pre>
     * with {@code x_n = x·W_inᵀ + b_in} and {@code h_n = (r ⊙ h_prev)·W_hnᵀ + b_hn}. The last line
     * rounds the product and the sum separately (no fma), as the sequence engine always has.
     *
     * @param hidden H
     * @param gx in: (3H) [r, z, x_n] as left by {@link #gruResetGateForward}; out: [r, z, n]
     * @param gxOff offset into gx
     * @param gh (3H) [·, ·, h_n]; only the n block is read
     * @param ghOff offset into gh
     * @param hPrev h_{t−1} (H)
     * @param hpOff offset into hPrev
     * @param h out: h_t (H); may be exactly hPrev
     * @param hOff offset into h
     */
    public final void gruResetBeforeCellForward(int hidden, float[] gx, int gxOff, float[] gh, int ghOff,
                                                float[] hPrev, int hpOff, float[] h, int hOff) {
        size("hidden", hidden);
        range("gx", gx, gxOff, 3L * hidden);
        range("gh", gh, ghOff, 3L * hidden);
        range("hPrev", hPrev, hpOff, hidden);
        range("h", h, hOff, hidden);
        gruResetBeforeCellForward0(hidden, gx, gxOff, gh, ghOff, hPrev, hpOff, h, hOff);
    }

    /**
     * Backward through {@link #gruResetBeforeCellForward}, one batch row:
     * <pre>
     *   h = n + z ⊙ (h_prev − n)  ⇒ da_n = dh ⊙ (1 − z)(1 − n²),  da_z = dh ⊙ (h_prev − n) ⊙ z(1 − z),
     *                                dh_prev = dh ⊙ z  (the direct part)
     * </pre>
     * Here x_n and h_n reach n unscaled, so da_n is the gradient of both. The caller then forms
     * {@code drh = da_n·W_hn} and calls {@link #gruResetGateBackward}.
     *
     * @param hidden H
     * @param gates activated gates (3H) [r, z, n]
     * @param gOff offset into gates
     * @param hPrev h_{t−1} (H)
     * @param hpOff offset into hPrev
     * @param dh dL/dh_t (H), total
     * @param dhOff offset into dh
     * @param dGates out: (3H) [·, da_z, da_n]; the r block is left for {@link #gruResetGateBackward}
     * @param dgOff offset into dGates
     * @param dhPrev out: dh ⊙ z (H), overwritten
     * @param dhpOff offset into dhPrev
     */
    public final void gruResetBeforeCellBackward(int hidden, float[] gates, int gOff, float[] hPrev, int hpOff,
                                                 float[] dh, int dhOff, float[] dGates, int dgOff,
                                                 float[] dhPrev, int dhpOff) {
        size("hidden", hidden);
        range("gates", gates, gOff, 3L * hidden);
        range("hPrev", hPrev, hpOff, hidden);
        range("dh", dh, dhOff, hidden);
        range("dGates", dGates, dgOff, 3L * hidden);
        range("dhPrev", dhPrev, dhpOff, hidden);
        gruResetBeforeCellBackward0(hidden, gates, gOff, hPrev, hpOff, dh, dhOff, dGates, dgOff, dhPrev, dhpOff);
    }

    /**
     * Backward through {@link #gruResetGateForward}, one batch row, given {@code drh = dL/d(rh)}:
     * <pre>
     *   rh = r ⊙ h_prev, r = σ(a_r)  ⇒ da_r = drh ⊙ h_prev ⊙ r(1 − r),   dh_prev += drh ⊙ r
     * </pre>
     *
     * @param hidden H
     * @param gates activated gates (3H) [r, z, n]; only r is read
     * @param gOff offset into gates
     * @param hPrev h_{t−1} (H)
     * @param hpOff offset into hPrev
     * @param drh dL/d(r ⊙ h_{t−1}) (H)
     * @param drhOff offset into drh
     * @param dGates out: da_r into the r block (3H) [da_r, ·, ·]; the other blocks are left alone
     * @param dgOff offset into dGates
     * @param dhPrev in/out: dL/dh_{t−1} (H), accumulated
     * @param dhpOff offset into dhPrev
     */
    public final void gruResetGateBackward(int hidden, float[] gates, int gOff, float[] hPrev, int hpOff,
                                           float[] drh, int drhOff, float[] dGates, int dgOff,
                                           float[] dhPrev, int dhpOff) {
        size("hidden", hidden);
        range("gates", gates, gOff, 3L * hidden);
        range("hPrev", hPrev, hpOff, hidden);
        range("drh", drh, drhOff, hidden);
        range("dGates", dGates, dgOff, 3L * hidden);
        range("dhPrev", dhPrev, dhpOff, hidden);
        gruResetGateBackward0(hidden, gates, gOff, hPrev, hpOff, drh, drhOff, dGates, dgOff, dhPrev, dhpOff);
    }

    // ------------------------------------------------------------------ validation helpers

    /** Block length of the float partial sums in dot/sum/sumSquares before they go to double. */
    public static final int BLOCK = 1024;

    private static void positive(String name, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + n);
        }
    }

    private static void unary(int n, float[] x, int xOff, float[] y, int yOff) {
        size("n", n);
        range("x", x, xOff, n);
        range("y", y, yOff, n);
    }

    private static void binary(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        size("n", n);
        range("y", y, yOff, n);
        range("dy", dy, dyOff, n);
        range("dx", dx, dxOff, n);
    }

    private static void rowwise(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        size("rows", rows);
        if (rows > 0 && cols < 1) {
            throw new IllegalArgumentException("cols must be >= 1 when rows > 0, got " + cols);
        }
        matrix("x", x, xOff, rows, cols, ldx);
        matrix("y", y, yOff, rows, cols, ldy);
    }

    // ------------------------------------------------------------------ implementation hooks (unchecked)

    abstract float dot0(int n, float[] x, int xOff, float[] y, int yOff);

    abstract void axpy0(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    abstract void scale0(int n, float alpha, float[] x, int xOff);

    abstract void add0(int n, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff);

    abstract void mul0(int n, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff);

    abstract void mulAdd0(int n, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff);

    abstract double sum0(int n, float[] x, int xOff);

    abstract double sumSquares0(int n, float[] x, int xOff);

    abstract float max0(int n, float[] x, int xOff);

    abstract int argmax0(int n, float[] x, int xOff);

    abstract void multAddVec0(int m, int n, float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff);

    /** Packs into {@code dst} (its length fits this shape) or, when null, into a new array. */
    abstract float[] packGemmB0(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] dst);

    /** C[:, j0:j1] += alpha·A·op(B)[:, j0:j1]; j0 a multiple of {@link #gemmSplitColumns()}. */
    abstract void multAddPacked0(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] pb,
                                 float[] c, int cOff, int ldc, int j0, int j1);

    abstract void multAddVecBf16_0(int m, int n, int[] a, int aOff, float[] x, int xOff, float[] y, int yOff);

    abstract void multAddTransVec0(int m, int n, float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff);

    /**
     * Serial GEMM on a validated, non-empty problem: {@code C = alpha·op(A)·op(B) + beta·C}.
     * {@link GemmDriver} calls it once per task on a block of C. {@code mTotal} is the row count of
     * the whole problem before any split: an implementation that picks its algorithm by M must pick
     * by {@code mTotal}, so that every piece of a split computes exactly as the serial call would.
     */
    abstract void gemm0(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                        float beta, float[] c, int cOff, int ldc, int mTotal);

    /**
     * Serial {@link #multAddTransAPair} on validated, non-empty rows [i0, i1) of C1 and C2
     * ({@code i0} a multiple of {@link #gemmSplitRows()}); {@code mTotal} as in {@link #gemm0}. The
     * default is its definition, the two separate products; a kernel set that can share A's packing
     * overrides it with the same per-element arithmetic.
     */
    void multAddTransAPair0(int m, int n1, int n2, int k, float[] a, int aOff, int lda,
                            float[] b1, int b1Off, int ldb1, float[] c1, int c1Off, int ldc1,
                            float[] b2, int b2Off, int ldb2, float[] c2, int c2Off, int ldc2, int mTotal) {
        if (n1 > 0) {
            gemm0(true, false, m, n1, k, 1f, a, aOff, lda, b1, b1Off, ldb1, 1f, c1, c1Off, ldc1, mTotal);
        }
        if (n2 > 0) {
            gemm0(true, false, m, n2, k, 1f, a, aOff, lda, b2, b2Off, ldb2, 1f, c2, c2Off, ldc2, mTotal);
        }
    }

    /** Column granularity for splitting a GEMM between tasks (a multiple of the micro-tile's NR). */
    int gemmSplitColumns() {
        return 64;
    }

    /** Row granularity for splitting a GEMM between tasks (a multiple of the micro-tile's MR). */
    int gemmSplitRows() {
        return 8;
    }

    abstract void exp0(int n, float[] x, int xOff, float[] y, int yOff);

    abstract void sigmoid0(int n, float[] x, int xOff, float[] y, int yOff);

    abstract void tanh0(int n, float[] x, int xOff, float[] y, int yOff);

    abstract void relu0(int n, float[] x, int xOff, float[] y, int yOff);

    abstract void sigmoidBackward0(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff);

    abstract void tanhBackward0(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff);

    abstract void reluBackward0(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff);

    abstract void softmaxRows0(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, boolean log);

    abstract void lstmCellForward0(int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                                   float[] c, int cOff, float[] tanhC, int tcOff, float[] h, int hOff);

    abstract void lstmCellBackward0(int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                                    float[] tanhC, int tcOff, float[] dh, int dhOff, float[] dc, int dcOff,
                                    float[] dGates, int dgOff);

    abstract void gruCellForward0(int hidden, float[] gx, int gxOff, float[] gh, int ghOff,
                                  float[] hPrev, int hpOff, float[] h, int hOff);

    abstract void gruCellBackward0(int hidden, float[] gates, int gOff, float[] gh, int ghOff,
                                   float[] hPrev, int hpOff, float[] dh, int dhOff,
                                   float[] dGx, int dgxOff, float[] dGh, int dghOff, float[] dhPrev, int dhpOff);

    abstract void lstmPeepholeCellForward0(int hidden, float[] gates, int gOff, float[] peep, int pOff,
                                           float[] cPrev, int cpOff, float[] c, int cOff, float[] tanhC, int tcOff,
                                           float[] h, int hOff);

    abstract void lstmPeepholeCellBackward0(int hidden, float[] gates, int gOff, float[] peep, int pOff,
                                            float[] cPrev, int cpOff, float[] tanhC, int tcOff, float[] dh, int dhOff,
                                            float[] dc, int dcOff, float[] dGates, int dgOff);

    abstract void gruResetGateForward0(int hidden, float[] gates, int gOff, float[] hPrev, int hpOff,
                                       float[] rh, int rhOff);

    abstract void gruResetBeforeCellForward0(int hidden, float[] gx, int gxOff, float[] gh, int ghOff,
                                             float[] hPrev, int hpOff, float[] h, int hOff);

    abstract void gruResetBeforeCellBackward0(int hidden, float[] gates, int gOff, float[] hPrev, int hpOff,
                                              float[] dh, int dhOff, float[] dGates, int dgOff,
                                              float[] dhPrev, int dhpOff);

    abstract void gruResetGateBackward0(int hidden, float[] gates, int gOff, float[] hPrev, int hpOff,
                                        float[] drh, int drhOff, float[] dGates, int dgOff,
                                        float[] dhPrev, int dhpOff);
}
