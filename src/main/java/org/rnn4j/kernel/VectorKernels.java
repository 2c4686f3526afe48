package org.rnn4j.kernel;

import static org.rnn4j.kernel.FloatMath.C2;
import static org.rnn4j.kernel.FloatMath.C3;
import static org.rnn4j.kernel.FloatMath.C4;
import static org.rnn4j.kernel.FloatMath.C5;
import static org.rnn4j.kernel.FloatMath.C6;
import static org.rnn4j.kernel.FloatMath.C7;
import static org.rnn4j.kernel.FloatMath.EXP_MIN;
import static org.rnn4j.kernel.FloatMath.EXP_OVERFLOW;
import static org.rnn4j.kernel.FloatMath.EXP_SAFE_MAX;
import static org.rnn4j.kernel.FloatMath.LN2_HI;
import static org.rnn4j.kernel.FloatMath.LN2_LO;
import static org.rnn4j.kernel.FloatMath.LOG2E;
import static org.rnn4j.kernel.FloatMath.ROUND_MAGIC;
import static org.rnn4j.kernel.FloatMath.TANH_CLAMP;
import static org.rnn4j.kernel.VectorLanes.F;
import static org.rnn4j.kernel.VectorLanes.I;
import static org.rnn4j.kernel.VectorLanes.L;
import static org.rnn4j.kernel.VectorLanes.sumLanes;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector API implementation. Loaded only when the module {@code jdk.incubator.vector} is present
 * (see {@link KernelSelector}), so the rest of the library never links against it.
 *
 * <p>Shape of every loop: a {@code static final} species ({@link VectorLanes#F}) (C2 intrinsifies only when the species is
 * a constant), 2-4 independent accumulators (an FMA has 4 cycles of latency and two pipes, so one
 * accumulator would leave the units idle 7/8 of the time), one lane reduction after the loop, a
 * scalar tail after {@code loopBound}. No masked loads: they were not intrinsified on JDK 17.
 *
 * <p><b>Why one long file.</b> It is the SIMD twin of every element-wise and post-GEMM hook of
 * {@link Kernels}: the hooks are overrides of one subclass per path (as {@link ScalarKernels} is the
 * other), and each keeps its whole loop inline (rule 3 of docs/kernels.md: no vector crosses a call),
 * so the loops cannot be shortened by shared vector helpers. The GEMMs are apart, in {@link VectorGemm}.
 */
final class VectorKernels extends Kernels {
    /** {@code VectorOperators.EXP/TANH} (SVML-backed on x86) instead of the own polynomial. */
    static final boolean SVML_MATH = "svml".equals(System.getProperty("rnn4j.vector.math", "poly"));

    static {
        // Touch the species here, so that a bad -Drnn4j.vector.bits fails inside KernelSelector's
        // loading of this class (reported, scalar fallback) and not at a first kernel call.
        if (L < 1) {
            throw new AssertionError("no lanes");
        }
    }

    static final VectorKernels INSTANCE = new VectorKernels();

    private VectorKernels() {}

    int lanes() {
        return L;
    }

    @Override
    int gemmSplitColumns() {
        return 4 * VectorGemm.NR;
    }

    @Override
    int gemmSplitRows() {
        return 2 * VectorGemm.MR;
    }

    String microKernel() {
        return VectorGemm.MR + "x" + VectorGemm.NR;
    }

    @Override
    public String name() {
        return "simd-" + F.vectorBitSize() + (SVML_MATH ? "-svml" : "");
    }

    /**
     * Where the kernels store vectors whose lanes they sum ({@link #sumStored}): four vectors per
     * thread, fetched once per call.
     */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[4 * L]);

    /**
     * Sum of buf[off, off+L) — a vector the caller stored there — by the same fixed tree as
     * {@link VectorLanes#sumLanes} (lanes L/2 apart added, then L/4, …), so bitwise its result. Used where
     * the sum sits in a kernel that C2 may inline into a large caller: a store and scalar adds cost a
     * few C2 nodes, while each rotation tree costs hundreds, and on JDK 17 at 512 bits four trees in
     * one compile unit ran past C2's node budget (NodeCountInliningCutoff); the tree left out of
     * line took its vector argument as a heap box, on every call. Overwrites buf[off, off+L/2).
     */
    static float sumStored(float[] buf, int off) {
        for (int h = L / 2; h >= 1; h >>= 1) {
            for (int i = 0; i < h; i++) {
                buf[off + i] += buf[off + i + h];
            }
        }
        return buf[off];
    }

    // ------------------------------------------------------------------ level 1

    @Override
    float dot0(int n, float[] x, int xOff, float[] y, int yOff) {
        double total = 0;
        float[] lanes = LANES.get();
        for (int b = 0; b < n; b += BLOCK) {
            total += dotBlock(Math.min(BLOCK, n - b), x, xOff + b, y, yOff + b, lanes);
        }
        return (float) total;
    }

    /** Float dot of one block: four accumulators, one reduction (through lanes), scalar tail. */
    private static float dotBlock(int n, float[] x, int xOff, float[] y, int yOff, float[] lanes) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
            s0 = FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.fromArray(F, y, yOff + i), s0);
            s1 = FloatVector.fromArray(F, x, xOff + i + L).fma(FloatVector.fromArray(F, y, yOff + i + L), s1);
            s2 = FloatVector.fromArray(F, x, xOff + i + 2 * L).fma(FloatVector.fromArray(F, y, yOff + i + 2 * L), s2);
            s3 = FloatVector.fromArray(F, x, xOff + i + 3 * L).fma(FloatVector.fromArray(F, y, yOff + i + 3 * L), s3);
        }
        for (int bound = F.loopBound(n); i < bound; i += L) {
            s0 = FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.fromArray(F, y, yOff + i), s0);
        }
        s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
        float s = sumStored(lanes, 0);
        for (; i < n; i++) {
            s = Math.fma(x[xOff + i], y[yOff + i], s);
        }
        return s;
    }

    @Override
    void axpy0(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        FloatVector a = FloatVector.broadcast(F, alpha);
        int i = 0;
        // Four independent load-FMA-store chains per iteration (a one-vector loop was slower than
        // HotSpot's auto-vectorized, unrolled scalar loop).
        for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
            FloatVector y0 = FloatVector.fromArray(F, x, xOff + i).fma(a, FloatVector.fromArray(F, y, yOff + i));
            FloatVector y1 = FloatVector.fromArray(F, x, xOff + i + L).fma(a, FloatVector.fromArray(F, y, yOff + i + L));
            FloatVector y2 = FloatVector.fromArray(F, x, xOff + i + 2 * L).fma(a, FloatVector.fromArray(F, y, yOff + i + 2 * L));
            FloatVector y3 = FloatVector.fromArray(F, x, xOff + i + 3 * L).fma(a, FloatVector.fromArray(F, y, yOff + i + 3 * L));
            y0.intoArray(y, yOff + i);
            y1.intoArray(y, yOff + i + L);
            y2.intoArray(y, yOff + i + 2 * L);
            y3.intoArray(y, yOff + i + 3 * L);
        }
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.broadcast(F, alpha), FloatVector.fromArray(F, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }

    @Override
    void scale0(int n, float alpha, float[] x, int xOff) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, xOff + i).mul(alpha).intoArray(x, xOff + i);
        }
        for (; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    void add0(int n, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, a, aOff + i).add(FloatVector.fromArray(F, b, bOff + i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = a[aOff + i] + b[bOff + i];
        }
    }

    @Override
    void mul0(int n, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, a, aOff + i).mul(FloatVector.fromArray(F, b, bOff + i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = a[aOff + i] * b[bOff + i];
        }
    }

    @Override
    void mulAdd0(int n, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), FloatVector.fromArray(F, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(a[aOff + i], b[bOff + i], y[yOff + i]);
        }
    }

    @Override
    double sum0(int n, float[] x, int xOff) {
        double total = 0;
        float[] lanes = LANES.get();
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), off = xOff + b;
            FloatVector s0 = FloatVector.zero(F), s1 = s0;
            int i = 0;
            for (int bound = len - 2 * L; i <= bound; i += 2 * L) {
                s0 = s0.add(FloatVector.fromArray(F, x, off + i));
                s1 = s1.add(FloatVector.fromArray(F, x, off + i + L));
            }
            s0.add(s1).intoArray(lanes, 0);
            float s = sumStored(lanes, 0);
            for (; i < len; i++) {
                s += x[off + i];
            }
            total += s;
        }
        return total;
    }

    @Override
    double sumSquares0(int n, float[] x, int xOff) {
        double total = 0;
        float[] lanes = LANES.get();
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), off = xOff + b;
            FloatVector s0 = FloatVector.zero(F), s1 = s0;
            int i = 0;
            for (int bound = len - 2 * L; i <= bound; i += 2 * L) {
                FloatVector v0 = FloatVector.fromArray(F, x, off + i);
                FloatVector v1 = FloatVector.fromArray(F, x, off + i + L);
                s0 = v0.fma(v0, s0);
                s1 = v1.fma(v1, s1);
            }
            s0.add(s1).intoArray(lanes, 0);
            float s = sumStored(lanes, 0);
            for (; i < len; i++) {
                s = Math.fma(x[off + i], x[off + i], s);
            }
            total += s;
        }
        return total;
    }

    @Override
    float max0(int n, float[] x, int xOff) {
        int i = 0;
        float m = x[xOff];
        if (n >= L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff);
            for (i = L; i <= n - L; i += L) {
                v = v.max(FloatVector.fromArray(F, x, xOff + i)); // MAX is Math.max: NaN propagates
            }
            m = v.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            m = Math.max(m, x[xOff + i]);
        }
        return m;
    }

    @Override
    int argmax0(int n, float[] x, int xOff) {
        float m = max0(n, x, xOff);
        int i = 0;
        if (m != m) {
            while (x[xOff + i] == x[xOff + i]) {
                i++;
            }
            return i;
        }
        for (int bound = F.loopBound(n); i < bound; i += L) {
            VectorMask<Float> eq = FloatVector.fromArray(F, x, xOff + i).eq(m);
            if (eq.anyTrue()) {
                return i + eq.firstTrue();
            }
        }
        for (; i < n; i++) {
            if (x[xOff + i] == m) {
                return i;
            }
        }
        throw new AssertionError("maximum not found");
    }

    // ------------------------------------------------------------------ GEMV

    @Override
    void multAddVec0(int m, int n, float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        int bound = F.loopBound(n);
        float[] lanes = LANES.get();
        // Four rows at a time: one load of x feeds four FMAs. (Two vectors per row per step, eight
        // accumulators, was slower on both JDKs, so four chains it is.)
        // The last 1-3 rows run in the same loop with the missing rows aliased to the last one and
        // their sums dropped: a separate one-row loop for them boxed a vector per call on JDK 17
        // (C2 kept the accumulator of that loop as an object), which broke zero-allocation streaming.
        for (int i = 0; i < m; i += 4) {
            int last = aOff + (m - 1) * lda;
            int r0 = aOff + i * lda;
            int r1 = Math.min(r0 + lda, last), r2 = Math.min(r0 + 2 * lda, last), r3 = Math.min(r0 + 3 * lda, last);
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xOff + j);
                s0 = FloatVector.fromArray(F, a, r0 + j).fma(xv, s0);
                s1 = FloatVector.fromArray(F, a, r1 + j).fma(xv, s1);
                s2 = FloatVector.fromArray(F, a, r2 + j).fma(xv, s2);
                s3 = FloatVector.fromArray(F, a, r3 + j).fma(xv, s3);
            }
            // four lane sums through memory, not four rotation trees (see sumStored)
            s0.intoArray(lanes, 0);
            s1.intoArray(lanes, L);
            s2.intoArray(lanes, 2 * L);
            s3.intoArray(lanes, 3 * L);
            float t0 = sumStored(lanes, 0), t1 = sumStored(lanes, L);
            float t2 = sumStored(lanes, 2 * L), t3 = sumStored(lanes, 3 * L);
            for (; j < n; j++) {
                float xj = x[xOff + j];
                t0 = Math.fma(a[r0 + j], xj, t0);
                t1 = Math.fma(a[r1 + j], xj, t1);
                t2 = Math.fma(a[r2 + j], xj, t2);
                t3 = Math.fma(a[r3 + j], xj, t3);
            }
            y[yOff + i] += t0;
            if (i + 1 < m) {
                y[yOff + i + 1] += t1;
            }
            if (i + 2 < m) {
                y[yOff + i + 2] += t2;
            }
            if (i + 3 < m) {
                y[yOff + i + 3] += t3;
            }
        }
    }

    @Override
    float[] packGemmB0(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] dst) {
        return VectorGemm.packAllB(transB, k, n, b, bOff, ldb, dst);
    }

    @Override
    void multAddPacked0(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] pb,
                        float[] c, int cOff, int ldc, int j0, int j1) {
        VectorGemm.gemmPacked(m, n, k, alpha, a, aOff, lda, pb, c, cOff, ldc, j0, j1);
    }

    /*
     * bf16 GEMV over the packed layout (see Bf16): one int vector widens into the weights of two
     * contiguous column runs, lo = int << 16 and hi = int & 0xFFFF0000, both exact floats, so a step
     * needs no shuffle. One row at a time in a small method: the four-row form of multAddVec0 (x
     * loads shared by four rows) left its vectors boxed on JDK 17 (garbage on every vector step),
     * and x comes from L1 either way; four accumulators (two ints vectors per iteration) keep
     * the FMA pipes busy.
     */
    @Override
    void multAddVecBf16_0(int m, int n, int[] a, int aOff, float[] x, int xOff, float[] y, int yOff) {
        int stride = Bf16.rowInts(n);
        int fullBlocks = n / Bf16.BLOCK_COLUMNS;
        int ints = fullBlocks * Bf16.BLOCK_INTS;
        for (int i = 0; i < m; i++) {
            int row = aOff + i * stride;
            y[yOff + i] += bf16Tail(n, fullBlocks, a, row, x, xOff, bf16Row(ints, a, row, x, xOff));
        }
    }

    /** Σ over the full blocks of one packed row: ints w in [0, ints) hold columns w + (w &amp; ~15) and that + 16. */
    private static float bf16Row(int ints, int[] a, int row, float[] x, int xOff) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, t0 = s0, t1 = s0;
        int w = 0;
        for (; w + 2 * L <= ints; w += 2 * L) {
            int c0 = xOff + w + (w & -Bf16.BLOCK_INTS);
            int w1 = w + L;
            int c1 = xOff + w1 + (w1 & -Bf16.BLOCK_INTS);
            IntVector v0 = IntVector.fromArray(I, a, row + w);
            IntVector v1 = IntVector.fromArray(I, a, row + w1);
            s0 = FloatVector.fromArray(F, x, c0).fma(v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s0);
            t0 = FloatVector.fromArray(F, x, c0 + Bf16.BLOCK_INTS).fma(v0.and(0xFFFF0000).reinterpretAsFloats(), t0);
            s1 = FloatVector.fromArray(F, x, c1).fma(v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s1);
            t1 = FloatVector.fromArray(F, x, c1 + Bf16.BLOCK_INTS).fma(v1.and(0xFFFF0000).reinterpretAsFloats(), t1);
        }
        for (; w < ints; w += L) {   // ints is a multiple of 16 ≥ L, so at most one more vector
            int c0 = xOff + w + (w & -Bf16.BLOCK_INTS);
            IntVector v0 = IntVector.fromArray(I, a, row + w);
            s0 = FloatVector.fromArray(F, x, c0).fma(v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s0);
            t0 = FloatVector.fromArray(F, x, c0 + Bf16.BLOCK_INTS).fma(v0.and(0xFFFF0000).reinterpretAsFloats(), t0);
        }
        return sumLanes(s0.add(s1).add(t0.add(t1)));
    }

    /** Adds the columns of the last, partial block (fewer than 32) to the row sum s. */
    private static float bf16Tail(int n, int fullBlocks, int[] a, int row, float[] x, int xOff, float s) {
        int w = row + fullBlocks * Bf16.BLOCK_INTS;
        for (int j = fullBlocks * Bf16.BLOCK_COLUMNS; j < n; j++) {
            int q = j % Bf16.BLOCK_COLUMNS;
            int word = a[w + (q % Bf16.BLOCK_INTS)];
            int half = q < Bf16.BLOCK_INTS ? word << 16 : word & 0xFFFF0000;
            s = Math.fma(Float.intBitsToFloat(half), x[xOff + j], s);
        }
        return s;
    }

    @Override
    void multAddTransVec0(int m, int n, float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        int bound = F.loopBound(n);
        int i = 0;
        // y += x_i·A[i,:] for four rows per pass, so y is loaded and stored once per four rows.
        for (; i + 4 <= m; i += 4) {
            int r0 = aOff + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
            float x0 = x[xOff + i], x1 = x[xOff + i + 1], x2 = x[xOff + i + 2], x3 = x[xOff + i + 3];
            FloatVector x0v = FloatVector.broadcast(F, x0), x1v = FloatVector.broadcast(F, x1);
            FloatVector x2v = FloatVector.broadcast(F, x2), x3v = FloatVector.broadcast(F, x3);
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector yv = FloatVector.fromArray(F, y, yOff + j);
                yv = FloatVector.fromArray(F, a, r0 + j).fma(x0v, yv);
                yv = FloatVector.fromArray(F, a, r1 + j).fma(x1v, yv);
                yv = FloatVector.fromArray(F, a, r2 + j).fma(x2v, yv);
                yv = FloatVector.fromArray(F, a, r3 + j).fma(x3v, yv);
                yv.intoArray(y, yOff + j);
            }
            for (; j < n; j++) {
                float v = y[yOff + j];
                v = Math.fma(a[r0 + j], x0, v);
                v = Math.fma(a[r1 + j], x1, v);
                v = Math.fma(a[r2 + j], x2, v);
                v = Math.fma(a[r3 + j], x3, v);
                y[yOff + j] = v;
            }
        }
        // The 1-3 rows left, written out here rather than as axpy0 calls: axpy0 has no hot caller of
        // its own in a training step, so it stayed interpreted and boxed every vector it touched
        // (250 kB per LSTM backward at T·B = 350, H = 650, the bias gradients' 2 leftover rows).
        // Per element the same single-rounding fma as axpy0, so the bits are unchanged.
        for (; i < m; i++) {
            int r0 = aOff + i * lda;
            float x0 = x[xOff + i];
            FloatVector x0v = FloatVector.broadcast(F, x0);
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector.fromArray(F, a, r0 + j).fma(x0v, FloatVector.fromArray(F, y, yOff + j)).intoArray(y, yOff + j);
            }
            for (; j < n; j++) {
                y[yOff + j] = Math.fma(a[r0 + j], x0, y[yOff + j]);
            }
        }
    }

    // ------------------------------------------------------------------ GEMM

    @Override
    void gemm0(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc, int mTotal) {
        VectorGemm.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, mTotal);
    }

    @Override
    void multAddTransAPair0(int m, int n1, int n2, int k, float[] a, int aOff, int lda,
                            float[] b1, int b1Off, int ldb1, float[] c1, int c1Off, int ldc1,
                            float[] b2, int b2Off, int ldb2, float[] c2, int c2Off, int ldc2, int mTotal) {
        VectorGemm.multAddTransAPair(m, n1, n2, k, a, aOff, lda, b1, b1Off, ldb1, c1, c1Off, ldc1,
                b2, b2Off, ldb2, c2, c2Off, ldc2, mTotal);
    }

    // ------------------------------------------------------------------ activations

    /** σ with the SVML-backed {@code EXP} ({@code -Drnn4j.vector.math=svml}). */
    static FloatVector vsigmoid(FloatVector x) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        return one.div(one.add(x.neg().lanewise(VectorOperators.EXP)));
    }

    /** tanh with the SVML-backed {@code TANH} ({@code -Drnn4j.vector.math=svml}). */
    static FloatVector vtanh(FloatVector x) {
        return x.lanewise(VectorOperators.TANH);
    }

    /**
     * The exp core is spelled out in this loop, not called as a vector helper: a helper C2 has
     * already compiled on its own is not inlined once its code is larger than InlineSmallCode
     * ("already compiled into a big method"), and then every vector crossing the call is boxed.
     * Whether it was compiled first depends on the order in which a JVM's callers got hot, so such
     * a helper made softmax allocate on every call in one test order and nothing in another.
     * Lane by lane this is {@link FloatMath#exp}: lanes above EXP_SAFE_MAX (n = 128) scale by
     * 2ⁿ⁻¹ (v − 1 holds n − 1) and double at the end.
     */
    @Override
    void exp0(int n, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        int bound = F.loopBound(n);
        if (SVML_MATH) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(F, x, xOff + i).lanewise(VectorOperators.EXP).intoArray(y, yOff + i);
            }
        } else {
            FloatVector c5 = FloatVector.broadcast(F, C5), c4 = FloatVector.broadcast(F, C4);
            FloatVector c3 = FloatVector.broadcast(F, C3), c2 = FloatVector.broadcast(F, C2);
            FloatVector ln2hi = FloatVector.broadcast(F, -LN2_HI), ln2lo = FloatVector.broadcast(F, -LN2_LO);
            for (; i < bound; i += L) {
                FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
                VectorMask<Float> big = x0.compare(VectorOperators.GT, EXP_SAFE_MAX);
                FloatVector xc = x0.max(EXP_MIN).min(EXP_OVERFLOW);
                FloatVector v = xc.fma(LOG2E, ROUND_MAGIC);
                FloatVector fn = v.sub(ROUND_MAGIC);
                FloatVector r = fn.fma(ln2lo, fn.fma(ln2hi, xc));
                FloatVector p = r.fma(C7, C6).fma(r, c5).fma(r, c4).fma(r, c3).fma(r, c2).fma(r.mul(r), r);
                FloatVector scale = v.blend(v.sub(1f), big)
                        .reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats();
                FloatVector e = scale.fma(p, scale);
                e = e.blend(e.mul(2f), big);
                e = e.blend(0f, x0.compare(VectorOperators.LT, EXP_MIN));
                e.blend(Float.POSITIVE_INFINITY, x0.compare(VectorOperators.GT, EXP_OVERFLOW)).intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] = SVML_MATH ? (float) Math.exp(x[xOff + i]) : FloatMath.exp(x[xOff + i]);
        }
    }

    /*
     * sigmoid0 and tanh0 spell out the exp/expm1 core inside their loops instead of calling
     * vsigmoid/vtanh. The fused cell kernels call these passes several times; with helper calls
     * nested three deep, C2 hit its inlining limits (PrintInlining: "callee is too large",
     * NodeCountInliningCutoff), left the vector exp and polynomial helpers out of line and boxed every vector crossing
     * them. A pass that is not inlined is harmless (it takes arrays); a vector helper that is not
     * inlined is not. The arithmetic is exactly FloatMath.sigmoid/tanh, lane by lane.
     */
    @Override
    void sigmoid0(int n, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        int bound = F.loopBound(n);
        if (SVML_MATH) {
            for (; i < bound; i += L) {
                vsigmoid(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
            }
        } else {
            FloatVector one = FloatVector.broadcast(F, 1f);
            FloatVector c5 = FloatVector.broadcast(F, C5), c4 = FloatVector.broadcast(F, C4);
            FloatVector c3 = FloatVector.broadcast(F, C3), c2 = FloatVector.broadcast(F, C2);
            FloatVector ln2hi = FloatVector.broadcast(F, -LN2_HI), ln2lo = FloatVector.broadcast(F, -LN2_LO);
            for (; i < bound; i += L) {
                // σ(x) = 1 / (1 + e^t), t = clamp(−x): e^t = 2ⁿ + 2ⁿ·expm1(r), as FloatMath.expClamped
                FloatVector t = FloatVector.fromArray(F, x, xOff + i).neg().max(EXP_MIN).min(EXP_SAFE_MAX);
                FloatVector v = t.fma(LOG2E, ROUND_MAGIC);
                FloatVector fn = v.sub(ROUND_MAGIC);
                FloatVector r = fn.fma(ln2lo, fn.fma(ln2hi, t));
                FloatVector p = r.fma(C7, C6).fma(r, c5).fma(r, c4).fma(r, c3).fma(r, c2).fma(r.mul(r), r);
                FloatVector scale = v.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats();
                one.div(one.add(scale.fma(p, scale))).intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] = ssigmoid(x[xOff + i]);
        }
    }

    @Override
    void tanh0(int n, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        int bound = F.loopBound(n);
        if (SVML_MATH) {
            for (; i < bound; i += L) {
                vtanh(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
            }
        } else {
            FloatVector c5 = FloatVector.broadcast(F, C5), c4 = FloatVector.broadcast(F, C4);
            FloatVector c3 = FloatVector.broadcast(F, C3), c2 = FloatVector.broadcast(F, C2);
            FloatVector ln2hi = FloatVector.broadcast(F, -LN2_HI), ln2lo = FloatVector.broadcast(F, -LN2_LO);
            for (; i < bound; i += L) {
                // tanh|x| = −em / (2 + em), em = expm1(−2·min(|x|, 9)), as FloatMath.tanh
                FloatVector xv = FloatVector.fromArray(F, x, xOff + i);
                FloatVector a = xv.abs().min(TANH_CLAMP).mul(-2f);
                FloatVector v = a.fma(LOG2E, ROUND_MAGIC);
                FloatVector fn = v.sub(ROUND_MAGIC);
                FloatVector r = fn.fma(ln2lo, fn.fma(ln2hi, a));
                FloatVector p = r.fma(C7, C6).fma(r, c5).fma(r, c4).fma(r, c3).fma(r, c2).fma(r.mul(r), r);
                FloatVector scale = v.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats();
                FloatVector em = scale.fma(p, scale.sub(1f));
                // |t| then the sign of x: t may be −0 (−0/2 at x = ±0)
                FloatVector t = em.neg().div(em.add(2f)).abs();
                t.reinterpretAsInts().or(xv.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats().intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] = stanh(x[xOff + i]);
        }
    }

    /** Scalar tails of sigmoid0/tanh0, computed like their vector lanes. */
    private static float ssigmoid(float x) {
        return SVML_MATH ? (float) (1.0 / (1.0 + Math.exp(-x))) : FloatMath.sigmoid(x);
    }

    private static float stanh(float x) {
        return SVML_MATH ? (float) Math.tanh(x) : FloatMath.tanh(x);
    }

    @Override
    void relu0(int n, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, xOff + i).max(0f).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.max(x[xOff + i], 0f);
        }
    }

    @Override
    void sigmoidBackward0(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector s = FloatVector.fromArray(F, y, yOff + i);
            FloatVector d = s.mul(s.neg().add(1f));
            FloatVector.fromArray(F, dy, dyOff + i).mul(d).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float s = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * (s * (1f - s));
        }
    }

    @Override
    void tanhBackward0(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector t = FloatVector.fromArray(F, y, yOff + i);
            FloatVector d = t.neg().fma(t, FloatVector.broadcast(F, 1f));
            FloatVector.fromArray(F, dy, dyOff + i).mul(d).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float t = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * Math.fma(-t, t, 1f);
        }
    }

    @Override
    void reluBackward0(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            VectorMask<Float> off = FloatVector.fromArray(F, y, yOff + i).compare(VectorOperators.LE, 0f);
            FloatVector.fromArray(F, dy, dyOff + i).blend(0f, off).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            dx[dxOff + i] = y[yOff + i] <= 0f ? 0f : dy[dyOff + i];
        }
    }

    /**
     * Per row: t = x − max into y, e = exp(t) by the {@link #exp0} pass (in y for softmax; for
     * log-softmax, 3L at a time into the per-thread lanes, since y then holds t and may be x), the
     * sum of e over whole vectors by one accumulator and the fixed tree, then the tail's e in order.
     * Only array passes are called, never a vector helper (see exp0).
     */
    @Override
    void softmaxRows0(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, boolean log) {
        int bound = F.loopBound(cols);
        float[] lanes = LANES.get();
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * ldx, yr = yOff + r * ldy;
            float mx = max0(cols, x, xr);
            // y = x − max
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector.fromArray(F, x, xr + j).sub(mx).intoArray(y, yr + j);
            }
            for (; j < cols; j++) {
                y[yr + j] = x[xr + j] - mx;
            }
            float s;
            if (log) {
                // The accumulator waits in lanes[3L, 4L) across each exp0 call: on JDK 17 a vector
                // live across a call that is not inlined is boxed for the call's debug info.
                FloatVector.zero(F).intoArray(lanes, 3 * L);
                for (j = 0; j < bound; j += 3 * L) {
                    int len = Math.min(3 * L, bound - j);
                    exp0(len, y, yr + j, lanes, 0);
                    FloatVector acc = FloatVector.fromArray(F, lanes, 3 * L);
                    for (int k = 0; k < len; k += L) {
                        acc = acc.add(FloatVector.fromArray(F, lanes, k));
                    }
                    acc.intoArray(lanes, 3 * L);
                }
                s = sumStored(lanes, 3 * L);
                for (j = bound; j < cols; j++) {
                    s += SVML_MATH ? (float) Math.exp(y[yr + j]) : FloatMath.exp(y[yr + j]);
                }
                // (x − max) − ln s, not x − (max + ln s): the latter loses ln s next to a large max.
                float logS = (float) Math.log(s);
                for (j = 0; j < bound; j += L) {
                    FloatVector.fromArray(F, y, yr + j).sub(logS).intoArray(y, yr + j);
                }
                for (; j < cols; j++) {
                    y[yr + j] -= logS;
                }
            } else {
                exp0(cols, y, yr, y, yr);
                FloatVector acc = FloatVector.zero(F);
                for (j = 0; j < bound; j += L) {
                    acc = acc.add(FloatVector.fromArray(F, y, yr + j));
                }
                acc.intoArray(lanes, 0);
                s = sumStored(lanes, 0);
                for (; j < cols; j++) {
                    s += y[yr + j];
                }
                scale0(cols, 1f / s, y, yr);
            }
        }
    }

    // ------------------------------------------------------------------ fused cell math

    /*
     * The fused cell kernels run the gate activations as separate passes over the row (sigmoid0,
     * tanh0) between element-wise passes. A single loop with three sigmoid and two tanh evaluations
     * was several times slower: it exceeds C2's inlining budget, the helpers stay out of line and every
     * FloatVector crossing them is boxed (see the comment above sigmoid0). The row (4H floats)
     * stays in L1 between passes. Per element the arithmetic is exactly the scalar twin's.
     */
    @Override
    void lstmCellForward0(int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                          float[] c, int cOff, float[] tanhC, int tcOff, float[] h, int hOff) {
        int oOff = gOff + 3 * hidden;
        lstmCellState(hidden, gates, gOff, cPrev, cpOff, c, cOff, tanhC, tcOff);
        // o = σ(a_o) in place ;  h = o⊙tanh(c)
        sigmoid0(hidden, gates, oOff, gates, oOff);
        mul0(hidden, gates, oOff, tanhC, tcOff, h, hOff);
    }

    /**
     * The passes shared by both LSTM forward kernels: i = σ(a_i), f = σ(a_f), g = tanh(a_g) in
     * place, c = f⊙c_prev + i⊙g, tanh(c). The o block is left as it is.
     */
    private void lstmCellState(int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                               float[] c, int cOff, float[] tanhC, int tcOff) {
        int fOff = gOff + hidden, gg = gOff + 2 * hidden;
        // i, f contiguous
        sigmoid0(2 * hidden, gates, gOff, gates, gOff);
        tanh0(hidden, gates, gg, gates, gg);
        int j = 0;
        for (int bound = F.loopBound(hidden); j < bound; j += L) {
            FloatVector i = FloatVector.fromArray(F, gates, gOff + j);
            FloatVector g = FloatVector.fromArray(F, gates, gg + j);
            FloatVector.fromArray(F, gates, fOff + j).fma(FloatVector.fromArray(F, cPrev, cpOff + j), i.mul(g))
                    .intoArray(c, cOff + j);
        }
        for (; j < hidden; j++) {
            c[cOff + j] = Math.fma(gates[fOff + j], cPrev[cpOff + j], gates[gOff + j] * gates[gg + j]);
        }
        tanh0(hidden, c, cOff, tanhC, tcOff);
    }

    /*
     * Peephole forward as passes too: the two input peepholes into a_i, a_f, the shared state
     * passes, then the output peephole (it needs the new c) into a_o before its σ.
     */
    @Override
    void lstmPeepholeCellForward0(int hidden, float[] gates, int gOff, float[] peep, int pOff,
                                  float[] cPrev, int cpOff, float[] c, int cOff, float[] tanhC, int tcOff,
                                  float[] h, int hOff) {
        int fOff = gOff + hidden, oOff = gOff + 3 * hidden;
        // a_i += p_i⊙c_prev ;  a_f += p_f⊙c_prev
        int j = 0;
        for (int bound = F.loopBound(hidden); j < bound; j += L) {
            FloatVector cp = FloatVector.fromArray(F, cPrev, cpOff + j);
            FloatVector.fromArray(F, peep, pOff + j).fma(cp, FloatVector.fromArray(F, gates, gOff + j))
                    .intoArray(gates, gOff + j);
            FloatVector.fromArray(F, peep, pOff + hidden + j).fma(cp, FloatVector.fromArray(F, gates, fOff + j))
                    .intoArray(gates, fOff + j);
        }
        for (; j < hidden; j++) {
            float cp = cPrev[cpOff + j];
            gates[gOff + j] = Math.fma(peep[pOff + j], cp, gates[gOff + j]);
            gates[fOff + j] = Math.fma(peep[pOff + hidden + j], cp, gates[fOff + j]);
        }
        lstmCellState(hidden, gates, gOff, cPrev, cpOff, c, cOff, tanhC, tcOff);
        // o = σ(a_o + p_o⊙c) ;  h = o⊙tanh(c)
        mulAdd0(hidden, peep, pOff + 2 * hidden, c, cOff, gates, oOff);
        sigmoid0(hidden, gates, oOff, gates, oOff);
        mul0(hidden, gates, oOff, tanhC, tcOff, h, hOff);
    }

    @Override
    void lstmCellBackward0(int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                           float[] tanhC, int tcOff, float[] dh, int dhOff, float[] dc, int dcOff,
                           float[] dGates, int dgOff) {
        int iOff = gOff, fOff = gOff + hidden, gg = gOff + 2 * hidden, oOff = gOff + 3 * hidden;
        FloatVector one = FloatVector.broadcast(F, 1f);
        int j = 0;
        for (int bound = F.loopBound(hidden); j < bound; j += L) {
            FloatVector i = FloatVector.fromArray(F, gates, iOff + j);
            FloatVector f = FloatVector.fromArray(F, gates, fOff + j);
            FloatVector g = FloatVector.fromArray(F, gates, gg + j);
            FloatVector o = FloatVector.fromArray(F, gates, oOff + j);
            FloatVector tc = FloatVector.fromArray(F, tanhC, tcOff + j);
            FloatVector dhv = FloatVector.fromArray(F, dh, dhOff + j);
            // h = o⊙tanh(c):  do = dh⊙tanh(c);  dc += dh⊙o⊙(1 − tanh²c)
            FloatVector dO = dhv.mul(tc);
            FloatVector dct = dhv.mul(o).fma(tc.neg().fma(tc, one), FloatVector.fromArray(F, dc, dcOff + j));
            // c = f⊙c_prev + i⊙g:  di = dc⊙g, df = dc⊙c_prev, dg = dc⊙i, dc_prev = dc⊙f
            FloatVector dI = dct.mul(g);
            FloatVector dF = dct.mul(FloatVector.fromArray(F, cPrev, cpOff + j));
            FloatVector dG = dct.mul(i);
            dct.mul(f).intoArray(dc, dcOff + j);
            // σ' = s(1 − s), tanh' = 1 − g²
            dI.mul(i.mul(one.sub(i))).intoArray(dGates, dgOff + j);
            dF.mul(f.mul(one.sub(f))).intoArray(dGates, dgOff + hidden + j);
            dG.mul(g.neg().fma(g, one)).intoArray(dGates, dgOff + 2 * hidden + j);
            dO.mul(o.mul(one.sub(o))).intoArray(dGates, dgOff + 3 * hidden + j);
        }
        ScalarKernels.lstmBackward(hidden, j, gates, gOff, cPrev, cpOff, tanhC, tcOff, dh, dhOff, dc, dcOff, dGates, dgOff);
    }

    @Override
    void gruCellForward0(int hidden, float[] gx, int gxOff, float[] gh, int ghOff,
                         float[] hPrev, int hpOff, float[] h, int hOff) {
        // r = σ(x_r + h_r), z = σ(x_z + h_z): the r and z blocks are contiguous, in place in gx
        add0(2 * hidden, gx, gxOff, gh, ghOff, gx, gxOff);
        sigmoid0(2 * hidden, gx, gxOff, gx, gxOff);
        // n = tanh(x_n + r⊙h_n), in place in gx ;  h = (1−z)⊙n + z⊙h_prev = n + z⊙(h_prev − n)
        int zOff = gxOff + hidden, nOff = gxOff + 2 * hidden, hnOff = ghOff + 2 * hidden;
        int j = 0;
        for (int bound = F.loopBound(hidden); j < bound; j += L) {
            FloatVector.fromArray(F, gx, gxOff + j).fma(FloatVector.fromArray(F, gh, hnOff + j), FloatVector.fromArray(F, gx, nOff + j))
                    .intoArray(gx, nOff + j);
        }
        for (; j < hidden; j++) {
            gx[nOff + j] = Math.fma(gx[gxOff + j], gh[hnOff + j], gx[nOff + j]);
        }
        tanh0(hidden, gx, nOff, gx, nOff);
        j = 0;
        for (int bound = F.loopBound(hidden); j < bound; j += L) {
            FloatVector nn = FloatVector.fromArray(F, gx, nOff + j);
            FloatVector.fromArray(F, gx, zOff + j).fma(FloatVector.fromArray(F, hPrev, hpOff + j).sub(nn), nn)
                    .intoArray(h, hOff + j);
        }
        for (; j < hidden; j++) {
            float nn = gx[nOff + j];
            h[hOff + j] = Math.fma(gx[zOff + j], hPrev[hpOff + j] - nn, nn);
        }
    }

    @Override
    void gruCellBackward0(int hidden, float[] gates, int gOff, float[] gh, int ghOff,
                          float[] hPrev, int hpOff, float[] dh, int dhOff,
                          float[] dGx, int dgxOff, float[] dGh, int dghOff, float[] dhPrev, int dhpOff) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        int j = 0;
        for (int bound = F.loopBound(hidden); j < bound; j += L) {
            FloatVector r = FloatVector.fromArray(F, gates, gOff + j);
            FloatVector z = FloatVector.fromArray(F, gates, gOff + hidden + j);
            FloatVector nn = FloatVector.fromArray(F, gates, gOff + 2 * hidden + j);
            FloatVector hn = FloatVector.fromArray(F, gh, ghOff + 2 * hidden + j);
            FloatVector dhv = FloatVector.fromArray(F, dh, dhOff + j);
            // h = (1−z)⊙n + z⊙h_prev:  dn = dh⊙(1−z), dz = dh⊙(h_prev − n), dh_prev = dh⊙z
            FloatVector dn = dhv.mul(one.sub(z));
            FloatVector dz = dhv.mul(FloatVector.fromArray(F, hPrev, hpOff + j).sub(nn));
            dhv.mul(z).intoArray(dhPrev, dhpOff + j);
            // n = tanh(x_n + r⊙h_n):  da_n = dn⊙(1 − n²), dr = da_n⊙h_n, d(h_n) = da_n⊙r
            FloatVector dan = dn.mul(nn.neg().fma(nn, one));
            FloatVector dar = dan.mul(hn).mul(r.mul(one.sub(r)));
            FloatVector daz = dz.mul(z.mul(one.sub(z)));
            dar.intoArray(dGx, dgxOff + j);
            daz.intoArray(dGx, dgxOff + hidden + j);
            dan.intoArray(dGx, dgxOff + 2 * hidden + j);
            dar.intoArray(dGh, dghOff + j);
            daz.intoArray(dGh, dghOff + hidden + j);
            dan.mul(r).intoArray(dGh, dghOff + 2 * hidden + j);
        }
        ScalarKernels.gruBackward(hidden, j, gates, gOff, gh, ghOff, hPrev, hpOff, dh, dhOff, dGx, dgxOff, dGh, dghOff, dhPrev, dhpOff);
    }

    @Override
    void lstmPeepholeCellBackward0(int hidden, float[] gates, int gOff, float[] peep, int pOff,
                                   float[] cPrev, int cpOff, float[] tanhC, int tcOff, float[] dh, int dhOff,
                                   float[] dc, int dcOff, float[] dGates, int dgOff) {
        int iOff = gOff, fOff = gOff + hidden, gg = gOff + 2 * hidden, oOff = gOff + 3 * hidden;
        FloatVector one = FloatVector.broadcast(F, 1f);
        int j = 0;
        for (int bound = F.loopBound(hidden); j < bound; j += L) {
            FloatVector i = FloatVector.fromArray(F, gates, iOff + j);
            FloatVector f = FloatVector.fromArray(F, gates, fOff + j);
            FloatVector g = FloatVector.fromArray(F, gates, gg + j);
            FloatVector o = FloatVector.fromArray(F, gates, oOff + j);
            FloatVector tc = FloatVector.fromArray(F, tanhC, tcOff + j);
            FloatVector dhv = FloatVector.fromArray(F, dh, dhOff + j);
            // o = σ(a_o + p_o⊙c):  da_o = dh⊙tanh(c)⊙o(1 − o),  dc += p_o⊙da_o
            FloatVector dO = dhv.mul(tc);
            FloatVector daO = dO.mul(o.mul(one.sub(o)));
            FloatVector dcIn = FloatVector.fromArray(F, peep, pOff + 2 * hidden + j)
                    .fma(daO, FloatVector.fromArray(F, dc, dcOff + j));
            // then exactly lstmCellBackward0 with that dc
            FloatVector dct = dhv.mul(o).fma(tc.neg().fma(tc, one), dcIn);
            FloatVector daI = dct.mul(g).mul(i.mul(one.sub(i)));
            FloatVector daF = dct.mul(FloatVector.fromArray(F, cPrev, cpOff + j)).mul(f.mul(one.sub(f)));
            dct.mul(i).mul(g.neg().fma(g, one)).intoArray(dGates, dgOff + 2 * hidden + j);
            daI.intoArray(dGates, dgOff + j);
            daF.intoArray(dGates, dgOff + hidden + j);
            daO.intoArray(dGates, dgOff + 3 * hidden + j);
            // a_i, a_f += p_{i,f}⊙c_prev:  dc_prev = dc⊙f + p_i⊙da_i + p_f⊙da_f, in that order
            FloatVector dcp = FloatVector.fromArray(F, peep, pOff + j).fma(daI, dct.mul(f));
            FloatVector.fromArray(F, peep, pOff + hidden + j).fma(daF, dcp).intoArray(dc, dcOff + j);
        }
        ScalarKernels.lstmPeepholeBackward(hidden, j, gates, gOff, peep, pOff, cPrev, cpOff, tanhC, tcOff, dh, dhOff,
                dc, dcOff, dGates, dgOff);
    }

    @Override
    void gruResetGateForward0(int hidden, float[] gates, int gOff, float[] hPrev, int hpOff, float[] rh, int rhOff) {
        // r, z contiguous: σ in place ;  rh = r⊙h_prev
        sigmoid0(2 * hidden, gates, gOff, gates, gOff);
        mul0(hidden, gates, gOff, hPrev, hpOff, rh, rhOff);
    }

    @Override
    void gruResetBeforeCellForward0(int hidden, float[] gx, int gxOff, float[] gh, int ghOff,
                                    float[] hPrev, int hpOff, float[] h, int hOff) {
        int zOff = gxOff + hidden, nOff = gxOff + 2 * hidden;
        // n = tanh(x_n + h_n) in place ;  h = n + z⊙(h_prev − n), product and sum rounded apart
        add0(hidden, gx, nOff, gh, ghOff + 2 * hidden, gx, nOff);
        tanh0(hidden, gx, nOff, gx, nOff);
        int j = 0;
        for (int bound = F.loopBound(hidden); j < bound; j += L) {
            FloatVector nn = FloatVector.fromArray(F, gx, nOff + j);
            FloatVector.fromArray(F, gx, zOff + j).mul(FloatVector.fromArray(F, hPrev, hpOff + j).sub(nn)).add(nn)
                    .intoArray(h, hOff + j);
        }
        for (; j < hidden; j++) {
            float nn = gx[nOff + j];
            h[hOff + j] = gx[zOff + j] * (hPrev[hpOff + j] - nn) + nn;
        }
    }

    @Override
    void gruResetBeforeCellBackward0(int hidden, float[] gates, int gOff, float[] hPrev, int hpOff,
                                     float[] dh, int dhOff, float[] dGates, int dgOff, float[] dhPrev, int dhpOff) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        int j = 0;
        for (int bound = F.loopBound(hidden); j < bound; j += L) {
            FloatVector z = FloatVector.fromArray(F, gates, gOff + hidden + j);
            FloatVector nn = FloatVector.fromArray(F, gates, gOff + 2 * hidden + j);
            FloatVector dhv = FloatVector.fromArray(F, dh, dhOff + j);
            // h = n + z⊙(h_prev − n):  dn = dh⊙(1 − z), dz = dh⊙(h_prev − n), dh_prev = dh⊙z
            FloatVector dn = dhv.mul(one.sub(z));
            FloatVector dz = dhv.mul(FloatVector.fromArray(F, hPrev, hpOff + j).sub(nn));
            dhv.mul(z).intoArray(dhPrev, dhpOff + j);
            // da_z = dz⊙z(1 − z) ;  da_n = dn⊙(1 − n²)
            dz.mul(z.mul(one.sub(z))).intoArray(dGates, dgOff + hidden + j);
            dn.mul(nn.neg().fma(nn, one)).intoArray(dGates, dgOff + 2 * hidden + j);
        }
        ScalarKernels.gruResetBeforeBackward(hidden, j, gates, gOff, hPrev, hpOff, dh, dhOff, dGates, dgOff,
                dhPrev, dhpOff);
    }

    @Override
    void gruResetGateBackward0(int hidden, float[] gates, int gOff, float[] hPrev, int hpOff,
                               float[] drh, int drhOff, float[] dGates, int dgOff, float[] dhPrev, int dhpOff) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        int j = 0;
        for (int bound = F.loopBound(hidden); j < bound; j += L) {
            FloatVector r = FloatVector.fromArray(F, gates, gOff + j);
            FloatVector d = FloatVector.fromArray(F, drh, drhOff + j);
            // da_r = drh⊙h_prev⊙r(1 − r) ;  dh_prev += drh⊙r
            d.mul(FloatVector.fromArray(F, hPrev, hpOff + j)).mul(r.mul(one.sub(r))).intoArray(dGates, dgOff + j);
            d.fma(r, FloatVector.fromArray(F, dhPrev, dhpOff + j)).intoArray(dhPrev, dhpOff + j);
        }
        ScalarKernels.gruResetGateBackward(hidden, j, gates, gOff, hPrev, hpOff, drh, drhOff, dGates, dgOff,
                dhPrev, dhpOff);
    }
}
