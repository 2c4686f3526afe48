package org.rnn4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, register-blocked GEMM on the Vector API (the Goto/BLIS structure):
 * <pre>
 *   for jc in N step NC                      B block  (KC, NC)  → packB, panels of NR columns
 *     for pc in K step KC
 *       pack op(B)[pc:pc+KC, jc:jc+NC]
 *       for ic in M step MC                  A block  (MC, KC)  → packA, panels of MR rows, ×alpha
 *         pack op(A)[ic:ic+MC, pc:pc+KC]
 *         for jr in NC step NR
 *           for ir in MC step MR
 *             C[ir:ir+MR, jr:jr+NR] += packA_panel · packB_panel      (micro-kernel)
 * </pre>
 * Packing makes both operands unit-stride in the order the micro-kernel reads them, which is what
 * turns the three BLAS forms (A·B, A·Bᵀ, Aᵀ·B) into one kernel: transposition is absorbed by the
 * packing routines. Edges are zero-padded in the packed panels, so the micro-kernel never
 * branches; an edge tile is computed into a small buffer and then added to C element by element.
 *
 * <p>Micro-kernel: MR rows × NR = 2 vectors. Each k step loads two vectors of B, broadcasts MR
 * elements of A and issues 2·MR independent FMAs (≥ 8 are needed to cover the 4-cycle FMA latency on
 * two pipes). MR is chosen by the register file and the JDK:
 * <ul>
 *   <li><b>8 × 2</b> (16 accumulators, 26 registers) where C2 has AVX-512's 32 vector registers
 *       (HotSpot UseAVX = 3) on JDK 18 and later. It feeds 16 FMAs with 10 loads where 4 × 2 feeds 8
 *       with 6: on an AVX-512 AMD EPYC core the LSTM training step ran 1.07–1.10× (inference 1.11–1.15×)
 *       faster than with 4 rows at 512-bit species, 1.10× at 256 bits, and the same at 128
 *       (docs/performance.md, "Register tile").</li>
 *   <li><b>4 × 2</b> (8 accumulators, 14 registers) everywhere else. On AVX2's 16 registers JDK 25's
 *       C2 issues all broadcasts at the top of the iteration; with 6 rows it then spills an
 *       accumulator through the stack every k step (the store-forwarding latency lands on that FMA
 *       chain), halving the speed. 4 × 2 never needs more than 14. 5 × 2 spills like 6 × 2; 4 × 3
 *       (16 registers) spills on both JDKs.</li>
 *   <li><b>Not 8 or 6 rows on JDK 17.</b> Its tier-4 compile of the larger kernels fails two Vector
 *       API intrinsics on the last rows' stores ("missing constant: vclass=DecodeN": the vector class
 *       is read through a compressed oop that C2 does not fold), and the kernel then boxes on every
 *       tile, about 2× slower: the 8-row kernel in every JVM tried (52 MB per LSTM training step), the
 *       6-row one in one JVM in three to six. {@code -XX:-UseCompressedOops} makes the 8-row kernel
 *       compile cleanly (0 bytes), which locates the cause, but costs more than the kernel gains.</li>
 * </ul>
 * {@code -Drnn4j.gemm.mr=4|6|8} overrides; the test suite runs every kernel the JDK compiles cleanly.
 *
 * <p>The kernels write their C updates out instead of calling a helper that takes the accumulators:
 * a vector crossing a call that C2 declines to inline is boxed, and C2 did decline such a helper
 * (43 bytes: "callee is too large" when the call site looked cold after an OSR compile,
 * NodeCountInliningCutoff deep in a caller's tree), 22 KB of garbage per batched streaming step
 * until the kernels stopped passing vectors to methods.
 *
 * <p>Every C element gets the same arithmetic whatever tile it lands in (per KC block: an FMA chain
 * from zero over k, then one add into C), so results do not depend on where the problem is split,
 * nor on M: every form and size runs this one path. (A dot-product form for small-M A·Bᵀ was
 * removed because it reduced lanes in another order: a row's bits depended on whether its call had
 * more than MC rows, so a data-parallel slice of a batch differed from the whole batch.)
 *
 * <p><b>Why one long file.</b> One algorithm: the packing, the register tiles and the blocking loop
 * share the tile constants (MR, NR, KC) and the one order of arithmetic that makes every split give
 * the same bits; apart, they would have to agree through package constants with no single reader.
 */
final class VectorGemm {
    private VectorGemm() {}

    static final VectorSpecies<Float> F = VectorLanes.F;
    static final int L = F.length();
    /**
     * Micro-kernel rows: 8 with AVX-512's 32 registers from JDK 18 on, else 4 (the class comment says
     * why). {@code -Drnn4j.gemm.mr=4|6|8} overrides (tests use it to run every kernel on one JDK).
     */
    static final int MR = chooseMr();

    static final int NR = 2 * L;
    /** K block: a packed B micro-panel (KC·NR floats = 16 KiB at NR = 16) stays in L1 across the ir loop. */
    static final int KC = 256;
    /** M block: the packed A block (MC·KC floats = 144 KiB) stays in L2. */
    static final int MC = 144;
    /** N block: the packed B block (KC·NC floats = 4 MiB) lives in L3. */
    static final int NC = 4096;
    /** Columns packed at a time on the small-M path: KC·STRIP floats = 128 KiB at NR = 16, in L2. */
    static final int STRIP = 8 * NR;

    /** Per-thread packing buffers, grown on demand and reused: no allocation in steady state. */
    private static final class Workspace {
        float[] packA = new float[MC * KC];
        float[] packB = new float[0];
        final float[] tile = new float[Math.max(MR * NR, 8)];
        final float[] panel = new float[KC * STRIP];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc, int mTotal) {
        GemmDriver.applyBeta(m, n, beta, c, cOff, ldc);
        if (k == 0 || alpha == 0f) {
            return;
        }
        Workspace ws = WORKSPACE.get();
        if (m <= MC) {
            smallM(ws, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            return;
        }
        int ncMax = Math.min(n, NC);
        int packBSize = KC * roundUp(ncMax, NR);
        if (ws.packB.length < packBSize) {
            ws.packB = new float[packBSize];
        }
        float[] packA = ws.packA, packB = ws.packB;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, packB, 0);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(transA, a, aOff, lda, ic, mc, pc, kc, alpha, packA);
                    for (int jr = 0; jr < nc; jr += NR) {
                        macroColumn(ws, kc, mc, Math.min(NR, nc - jr), packA, packB, (jr / NR) * kc * NR,
                                c, cOff + ic * ldc + jc + jr, ldc);
                    }
                }
            }
        }
    }

    /**
     * Packs all of op(B) (k, n) into the micro-kernel's panels once, for {@link #gemmPacked}: K block
     * pc (KC rows of op(B)) starts at pc·roundUp(n, NR) and holds its NR-column panels of kc·NR floats
     * each, exactly what {@link #gemm} packs per call.
     */
    static float[] packAllB(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] into) {
        int np = roundUp(n, NR);
        float[] dst = into != null ? into : new float[k * np];
        for (int pc = 0; pc < k; pc += KC) {
            packB(transB, b, bOff, ldb, pc, Math.min(KC, k - pc), 0, n, dst, pc * np);
        }
        return dst;
    }

    /**
     * C[:, j0:j1] += alpha·A·op(B)[:, j0:j1], A (m, k) row-major, op(B) (k, n) pre-packed by
     * {@link #packAllB}; j0 a multiple of NR. Each C element's arithmetic does not depend on j0 or
     * j1, so a column split over threads gives the serial result bit for bit.
     */
    static void gemmPacked(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] pb,
                           float[] c, int cOff, int ldc, int j0, int j1) {
        Workspace ws = WORKSPACE.get();
        int np = roundUp(n, NR);
        if (m <= THIN_M) {
            thinPacked(ws, m, k, alpha, a, aOff, lda, pb, np, c, cOff, ldc, j0, j1);
            return;
        }
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            for (int ic = 0; ic < m; ic += MC) {
                int mc = Math.min(MC, m - ic);
                packA(false, a, aOff, lda, ic, mc, pc, kc, alpha, ws.packA);
                for (int jr = j0; jr < j1; jr += NR) {
                    macroColumn(ws, kc, mc, Math.min(NR, j1 - jr), ws.packA, pb, pc * np + (jr / NR) * kc * NR,
                            c, cOff + ic * ldc + jr, ldc);
                }
            }
        }
    }

    /**
     * Rows up to which {@link #gemmPacked} runs each row of A as its own vector-times-matrix pass
     * ({@link #thinRow4}) instead of padding it to an MR-row tile. Per k step the tile kernel reads 2
     * vectors of B for 2·MR FMAs, the row kernel 8 vectors for 8 FMAs, so a row costs about what a
     * tile costs at 1/MR of its FMAs, less when B streams from L2: rows win below MR/2 (a probe at MR = 4:
     * one and two rows gained, three did not).
     */
    static final int THIN_M = MR / 2;

    /**
     * C[r, j0:j1] += alpha·A[r, :]·op(B)[:, j0:j1] for each of the m rows on its own: the batch-1 (or 2)
     * recurrent step. Arithmetic per C element is the tile kernel's — per K block an FMA chain from
     * zero over k with the A element scaled by alpha as packA scales it, then one add into C — so the
     * result is bitwise the one {@link #macroColumn} would give.
     */
    private static void thinPacked(Workspace ws, int m, int k, float alpha, float[] a, int aOff, int lda, float[] pb,
                                   int np, float[] c, int cOff, int ldc, int j0, int j1) {
        float[] tile = ws.tile;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            for (int r = 0; r < m; r++) {
                int aIdx = aOff + r * lda + pc;
                int cRow = cOff + r * ldc;
                int jr = j0;
                for (; jr + 4 * NR <= j1; jr += 4 * NR) {
                    thinRow4(kc, alpha, a, aIdx, pb, pc * np + (jr / NR) * kc * NR, kc * NR, c, cRow + jr);
                }
                if (jr + 2 * NR <= j1) {
                    thinRow2(kc, alpha, a, aIdx, pb, pc * np + (jr / NR) * kc * NR, kc * NR, c, cRow + jr);
                    jr += 2 * NR;
                }
                for (; jr < j1; jr += NR) {
                    int nr = Math.min(NR, j1 - jr);
                    boolean full = nr == NR;
                    if (!full) {
                        java.util.Arrays.fill(tile, 0, NR, 0f);
                    }
                    // one call site, as in macroColumn: an edge call of its own would not be inlined
                    thinRow1(kc, alpha, a, aIdx, pb, pc * np + (jr / NR) * kc * NR, full ? c : tile, full ? cRow + jr : 0);
                    if (!full) {
                        for (int j = 0; j < nr; j++) {
                            c[cRow + jr + j] += tile[j];
                        }
                    }
                }
            }
        }
    }

    /**
     * c[cIdx : cIdx+4·NR] += Σ_p (alpha·a[aIdx+p]) · (4 consecutive NR-wide panels at row p), the
     * panels {@code stride} floats apart: 8 accumulators (enough independent FMA chains to cover the
     * latency), 8 loads and one broadcast per k step.
     */
    static void thinRow4(int kc, float alpha, float[] a, int aIdx, float[] pb, int pbOff, int stride,
                         float[] c, int cIdx) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        int q1 = pbOff + stride, q2 = q1 + stride, q3 = q2 + stride;
        for (int p = 0; p < kc; p++) {
            FloatVector x = FloatVector.broadcast(F, alpha * a[aIdx + p]);
            int o = p * NR;
            c00 = x.fma(FloatVector.fromArray(F, pb, pbOff + o), c00);
            c01 = x.fma(FloatVector.fromArray(F, pb, pbOff + o + L), c01);
            c10 = x.fma(FloatVector.fromArray(F, pb, q1 + o), c10);
            c11 = x.fma(FloatVector.fromArray(F, pb, q1 + o + L), c11);
            c20 = x.fma(FloatVector.fromArray(F, pb, q2 + o), c20);
            c21 = x.fma(FloatVector.fromArray(F, pb, q2 + o + L), c21);
            c30 = x.fma(FloatVector.fromArray(F, pb, q3 + o), c30);
            c31 = x.fma(FloatVector.fromArray(F, pb, q3 + o + L), c31);
        }
        FloatVector.fromArray(F, c, cIdx).add(c00).intoArray(c, cIdx);
        FloatVector.fromArray(F, c, cIdx + L).add(c01).intoArray(c, cIdx + L);
        FloatVector.fromArray(F, c, cIdx + NR).add(c10).intoArray(c, cIdx + NR);
        FloatVector.fromArray(F, c, cIdx + NR + L).add(c11).intoArray(c, cIdx + NR + L);
        FloatVector.fromArray(F, c, cIdx + 2 * NR).add(c20).intoArray(c, cIdx + 2 * NR);
        FloatVector.fromArray(F, c, cIdx + 2 * NR + L).add(c21).intoArray(c, cIdx + 2 * NR + L);
        FloatVector.fromArray(F, c, cIdx + 3 * NR).add(c30).intoArray(c, cIdx + 3 * NR);
        FloatVector.fromArray(F, c, cIdx + 3 * NR + L).add(c31).intoArray(c, cIdx + 3 * NR + L);
    }

    /**
     * Two panels of {@link #thinRow4}: 4 accumulators. A row of 2 panels is common (H = 64 at 512
     * bits is one 2·NR wide step) and one panel's 2 chains would leave the FMA latency uncovered.
     */
    static void thinRow2(int kc, float alpha, float[] a, int aIdx, float[] pb, int pbOff, int stride,
                         float[] c, int cIdx) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00;
        int q1 = pbOff + stride;
        for (int p = 0; p < kc; p++) {
            FloatVector x = FloatVector.broadcast(F, alpha * a[aIdx + p]);
            int o = p * NR;
            c00 = x.fma(FloatVector.fromArray(F, pb, pbOff + o), c00);
            c01 = x.fma(FloatVector.fromArray(F, pb, pbOff + o + L), c01);
            c10 = x.fma(FloatVector.fromArray(F, pb, q1 + o), c10);
            c11 = x.fma(FloatVector.fromArray(F, pb, q1 + o + L), c11);
        }
        FloatVector.fromArray(F, c, cIdx).add(c00).intoArray(c, cIdx);
        FloatVector.fromArray(F, c, cIdx + L).add(c01).intoArray(c, cIdx + L);
        FloatVector.fromArray(F, c, cIdx + NR).add(c10).intoArray(c, cIdx + NR);
        FloatVector.fromArray(F, c, cIdx + NR + L).add(c11).intoArray(c, cIdx + NR + L);
    }

    /** One panel of {@link #thinRow4}: c[cIdx : cIdx+NR] += Σ_p (alpha·a[aIdx+p]) · panel row p. */
    static void thinRow1(int kc, float alpha, float[] a, int aIdx, float[] pb, int pbOff, float[] c, int cIdx) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0;
        for (int p = 0; p < kc; p++) {
            FloatVector x = FloatVector.broadcast(F, alpha * a[aIdx + p]);
            c0 = x.fma(FloatVector.fromArray(F, pb, pbOff + p * NR), c0);
            c1 = x.fma(FloatVector.fromArray(F, pb, pbOff + p * NR + L), c1);
        }
        FloatVector.fromArray(F, c, cIdx).add(c0).intoArray(c, cIdx);
        FloatVector.fromArray(F, c, cIdx + L).add(c1).intoArray(c, cIdx + L);
    }

    /**
     * M fits one A block (the RNN case: M = batch). Packing all of B up front would cost as much
     * memory traffic as the multiply itself (each B element is used only 2·M times), so each B
     * strip of STRIP columns is packed just before use into a buffer that stays in L2 while every A
     * panel passes over it: B is read from memory exactly once, in row segments of STRIP floats
     * (long enough for the hardware prefetcher; one NR-wide column per row would be a 1-line stride
     * walk across ~KC pages).
     */
    private static void smallM(Workspace ws, boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc) {
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            packA(transA, a, aOff, lda, 0, m, pc, kc, alpha, ws.packA);
            strips(ws, transB, kc, m, n, pc, b, bOff, ldb, c, cOff, ldc);
        }
    }

    /** C[0:m, 0:n] += ws.packA (K block pc, kc deep) · op(B)[pc:pc+kc, 0:n], B packed STRIP columns at a time. */
    private static void strips(Workspace ws, boolean transB, int kc, int m, int n, int pc, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc) {
        float[] panel = ws.panel;
        for (int js = 0; js < n; js += STRIP) {
            int ns = Math.min(STRIP, n - js);
            packB(transB, b, bOff, ldb, pc, kc, js, ns, panel, 0);
            for (int jr = 0; jr < ns; jr += NR) {
                macroColumn(ws, kc, m, Math.min(NR, ns - jr), ws.packA, panel, (jr / NR) * kc * NR, c, cOff + js + jr, ldc);
            }
        }
    }

    /**
     * C1 += Aᵀ·B1 and C2 += Aᵀ·B2, A stored (k, m): each (K, M) block of A is packed once for both
     * products, where two {@link #gemm} calls pack all of A twice (a transposing scatter of the T·B ×
     * G·H gate gradients, the largest pack of a training step). Blocking, panel starts (column 0 of
     * each product) and micro-kernel are gemm's for transA = true, transB = false, so every element
     * gets the separate calls' arithmetic bit for bit.
     */
    static void multAddTransAPair(int m, int n1, int n2, int k, float[] a, int aOff, int lda,
                                  float[] b1, int b1Off, int ldb1, float[] c1, int c1Off, int ldc1,
                                  float[] b2, int b2Off, int ldb2, float[] c2, int c2Off, int ldc2, int mTotal) {
        Workspace ws = WORKSPACE.get();
        if (m <= MC) {
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packA(true, a, aOff, lda, 0, m, pc, kc, 1f, ws.packA);
                strips(ws, false, kc, m, n1, pc, b1, b1Off, ldb1, c1, c1Off, ldc1);
                strips(ws, false, kc, m, n2, pc, b2, b2Off, ldb2, c2, c2Off, ldc2);
            }
            return;
        }
        int np1 = roundUp(n1, NR), np2 = roundUp(n2, NR);
        if ((long) np1 + np2 > NC) {   // beyond one N block of gemm's own: its column blocking would differ
            gemm(true, false, m, n1, k, 1f, a, aOff, lda, b1, b1Off, ldb1, 1f, c1, c1Off, ldc1, mTotal);
            gemm(true, false, m, n2, k, 1f, a, aOff, lda, b2, b2Off, ldb2, 1f, c2, c2Off, ldc2, mTotal);
            return;
        }
        if (ws.packB.length < KC * (np1 + np2)) {
            ws.packB = new float[KC * (np1 + np2)];
        }
        float[] packA = ws.packA, packB = ws.packB;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            int pb2 = kc * np1;   // B2's panels follow B1's
            packB(false, b1, b1Off, ldb1, pc, kc, 0, n1, packB, 0);
            packB(false, b2, b2Off, ldb2, pc, kc, 0, n2, packB, pb2);
            for (int ic = 0; ic < m; ic += MC) {
                int mc = Math.min(MC, m - ic);
                packA(true, a, aOff, lda, ic, mc, pc, kc, 1f, packA);
                for (int jr = 0; jr < n1; jr += NR) {
                    macroColumn(ws, kc, mc, Math.min(NR, n1 - jr), packA, packB, (jr / NR) * kc * NR,
                            c1, c1Off + ic * ldc1 + jr, ldc1);
                }
                for (int jr = 0; jr < n2; jr += NR) {
                    macroColumn(ws, kc, mc, Math.min(NR, n2 - jr), packA, packB, pb2 + (jr / NR) * kc * NR,
                            c2, c2Off + ic * ldc2 + jr, ldc2);
                }
            }
        }
    }

    /** All MR-row tiles of one NR-column micro-panel: C[0:mc, 0:nr] += packA · panel. */
    private static void macroColumn(Workspace ws, int kc, int mc, int nr, float[] packA, float[] packB, int pb,
                                    float[] c, int cIdx0, int ldc) {
        float[] tile = ws.tile;
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int pa = (ir / MR) * kc * MR;
            int cIdx = cIdx0 + ir * ldc;
            boolean full = mr == tileRows(mr) && nr == NR;
            if (!full) {
                java.util.Arrays.fill(tile, 0f);
            }
            // One call site: C2 inlines the micro-kernel once. With a second call for edge tiles the
            // doubled body exceeded C2's inlining budget, the edge copy's vector intrinsics were not
            // inlined, and every edge tile ran the Vector API's boxing Java fallback (kilobytes of
            // garbage and many times slower per edge tile; found by ThreadMXBean allocation counts).
            // With MR = 8 the site inlines two bodies, 8 × 2 and the 4 × 2 edge kernel; that stays
            // within budget on JDK 25 (the allocation guards at every width, rnn4j info --jit).
            kernel(kc, mr, packA, pa, packB, pb, full ? c : tile, full ? cIdx : 0, full ? ldc : NR);
            if (!full) {
                for (int r = 0; r < mr; r++) {
                    int row = cIdx + r * ldc;
                    for (int j = 0; j < nr; j++) {
                        c[row + j] += tile[r * NR + j];
                    }
                }
            }
        }
    }

    private static int chooseMr() {
        String v = System.getProperty("rnn4j.gemm.mr");
        if (v != null && !v.isBlank()) {
            int mr = Integer.parseInt(v.trim());
            if (mr != 4 && mr != 6 && mr != 8) {
                throw new IllegalArgumentException("rnn4j.gemm.mr must be 4, 6 or 8, got " + mr);
            }
            return mr;
        }
        return avx512Registers() && Runtime.version().feature() >= 18 ? 8 : 4;
    }

    /** True when C2 may use 32 vector registers: HotSpot's UseAVX is 3 (AVX-512 enabled). */
    private static boolean avx512Registers() {
        String avx = KernelSelector.vmOption("UseAVX");
        try {
            return avx != null && Integer.parseInt(avx.trim()) >= 3;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static int roundUp(int x, int q) {
        return (x + q - 1) / q * q;
    }

    /**
     * Packs op(A)[ic:ic+mc, pc:pc+kc]·alpha into panels of MR rows: panel q holds, for each p, the MR
     * values A[ic+q·MR+r, pc+p] contiguously (r fastest), zero-padded past mc.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
                      float alpha, float[] dst) {
        if (transA) {
            // A stored (k, m): row p holds op(A)[., p] contiguously along i. Walk rows in order and
            // scatter each row segment into the panels, so memory is read sequentially.
            int panels = (mc + MR - 1) / MR;
            for (int p = 0; p < kc; p++) {
                int src = aOff + (pc + p) * lda + ic;
                for (int q = 0; q < panels; q++) {
                    int i0 = q * MR, mr = Math.min(MR, mc - i0);
                    int o = q * kc * MR + p * MR;
                    int r = 0;
                    for (; r < mr; r++) {
                        dst[o + r] = alpha * a[src + i0 + r];
                    }
                    for (; r < MR; r++) {
                        dst[o + r] = 0f;
                    }
                }
            }
            return;
        }
        int d = 0;
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int mr = Math.min(MR, mc - i0);
            for (int r = 0; r < MR; r++) {
                if (r < mr) {
                    int src = aOff + (ic + i0 + r) * lda + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * MR + r] = alpha * a[src + p];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * MR + r] = 0f;
                    }
                }
            }
            d += kc * MR;
        }
    }

    /**
     * Packs op(B)[pc:pc+kc, jc:jc+nc] into panels of NR columns: panel q holds, for each p, the NR
     * values B[pc+p, jc+q·NR+j] contiguously (j fastest), zero-padded past nc.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] dst, int d) {
        if (!transB) {
            // Row p of B is contiguous along j: walk rows in order and scatter each row segment into
            // the panels, so memory is read sequentially (a panel-major walk would touch one cache line
            // per row, kc rows apart — a latency-bound stride through kc pages).
            int full = nc / NR * NR;
            for (int p = 0; p < kc; p++) {
                int src = bOff + (pc + p) * ldb + jc;
                int o = d + p * NR;
                int j0 = 0;
                for (; j0 < full; j0 += NR, o += kc * NR) {
                    for (int v = 0; v < NR; v += L) {
                        FloatVector.fromArray(F, b, src + j0 + v).intoArray(dst, o + v);
                    }
                }
                if (j0 < nc) {
                    int nr = nc - j0;
                    System.arraycopy(b, src + j0, dst, o, nr);
                    java.util.Arrays.fill(dst, o + nr, o + NR, 0f);
                }
            }
            return;
        }
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int nr = Math.min(NR, nc - j0);
            // B stored (n, k): row j holds op(B)[., j] contiguously along p.
            for (int j = 0; j < NR; j++) {
                if (j < nr) {
                    int src = bOff + (jc + j0 + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * NR + j] = b[src + p];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * NR + j] = 0f;
                    }
                }
            }
            d += kc * NR;
        }
    }

    /**
     * C[0:4, 0:2L] += Σ_p pa[p·as + r] · pb[p·2L + j] over p &lt; kc, with C at {@code cIdx}, row stride ldc;
     * {@code as} is the A panel's row count (4, or 8 for the first 4 rows of an 8-row panel).
     * 8 accumulators + 2 B vectors + 4 broadcasts = 14 registers, even when C2 hoists all four
     * broadcasts to the top of the iteration (JDK 25 does).
     */
    static void kernel4x2(int kc, int as, float[] pa, int paOff, float[] pb, int pbOff, float[] c, int cIdx, int ldc) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        for (int p = 0; p < kc; p++) {
            int ap = paOff + p * as, bp = pbOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(F, pb, bp);
            FloatVector b1 = FloatVector.fromArray(F, pb, bp + L);
            FloatVector a0 = FloatVector.broadcast(F, pa[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(F, pa[ap + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(F, pa[ap + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(F, pa[ap + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        FloatVector.fromArray(F, c, cIdx).add(c00).intoArray(c, cIdx);
        FloatVector.fromArray(F, c, cIdx + L).add(c01).intoArray(c, cIdx + L);
        FloatVector.fromArray(F, c, cIdx + ldc).add(c10).intoArray(c, cIdx + ldc);
        FloatVector.fromArray(F, c, cIdx + ldc + L).add(c11).intoArray(c, cIdx + ldc + L);
        FloatVector.fromArray(F, c, cIdx + 2 * ldc).add(c20).intoArray(c, cIdx + 2 * ldc);
        FloatVector.fromArray(F, c, cIdx + 2 * ldc + L).add(c21).intoArray(c, cIdx + 2 * ldc + L);
        FloatVector.fromArray(F, c, cIdx + 3 * ldc).add(c30).intoArray(c, cIdx + 3 * ldc);
        FloatVector.fromArray(F, c, cIdx + 3 * ldc + L).add(c31).intoArray(c, cIdx + 3 * ldc + L);
    }

    /**
     * C[0:6, 0:2L] += Σ_p pa[p·6 + r] · pb[p·2L + j] over p &lt; kc: 12 accumulators + 2 B vectors + 1
     * broadcast = 15 registers when C2 interleaves the broadcasts with the FMAs (JDK 17 does).
     */
    static void kernel6x2(int kc, float[] pa, int paOff, float[] pb, int pbOff, float[] c, int cIdx, int ldc) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++) {
            int ap = paOff + p * 6, bp = pbOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(F, pb, bp);
            FloatVector b1 = FloatVector.fromArray(F, pb, bp + L);
            FloatVector a0 = FloatVector.broadcast(F, pa[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(F, pa[ap + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(F, pa[ap + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(F, pa[ap + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(F, pa[ap + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(F, pa[ap + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        FloatVector.fromArray(F, c, cIdx).add(c00).intoArray(c, cIdx);
        FloatVector.fromArray(F, c, cIdx + L).add(c01).intoArray(c, cIdx + L);
        FloatVector.fromArray(F, c, cIdx + ldc).add(c10).intoArray(c, cIdx + ldc);
        FloatVector.fromArray(F, c, cIdx + ldc + L).add(c11).intoArray(c, cIdx + ldc + L);
        FloatVector.fromArray(F, c, cIdx + 2 * ldc).add(c20).intoArray(c, cIdx + 2 * ldc);
        FloatVector.fromArray(F, c, cIdx + 2 * ldc + L).add(c21).intoArray(c, cIdx + 2 * ldc + L);
        FloatVector.fromArray(F, c, cIdx + 3 * ldc).add(c30).intoArray(c, cIdx + 3 * ldc);
        FloatVector.fromArray(F, c, cIdx + 3 * ldc + L).add(c31).intoArray(c, cIdx + 3 * ldc + L);
        FloatVector.fromArray(F, c, cIdx + 4 * ldc).add(c40).intoArray(c, cIdx + 4 * ldc);
        FloatVector.fromArray(F, c, cIdx + 4 * ldc + L).add(c41).intoArray(c, cIdx + 4 * ldc + L);
        FloatVector.fromArray(F, c, cIdx + 5 * ldc).add(c50).intoArray(c, cIdx + 5 * ldc);
        FloatVector.fromArray(F, c, cIdx + 5 * ldc + L).add(c51).intoArray(c, cIdx + 5 * ldc + L);
    }

    /**
     * C[0:8, 0:2L] += Σ_p pa[p·8 + r] · pb[p·2L + j] over p &lt; kc: 16 accumulators + 2 B vectors + 8
     * broadcasts = 26 registers even when C2 hoists every broadcast, so it fits AVX-512's 32 vector
     * registers (at any species width: AVX-512VL gives 256- and 128-bit code the same 32) and would
     * spill on AVX2's 16. Per k step 10 loads feed 16 FMAs, where 4 × 2 needs 6 for 8: two FMA pipes
     * of 512 bits stay fed with fewer load slots per FMA.
     */
    static void kernel8x2(int kc, float[] pa, int paOff, float[] pb, int pbOff, float[] c, int cIdx, int ldc) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0; p < kc; p++) {
            int ap = paOff + p * 8, bp = pbOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(F, pb, bp);
            FloatVector b1 = FloatVector.fromArray(F, pb, bp + L);
            FloatVector a0 = FloatVector.broadcast(F, pa[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(F, pa[ap + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(F, pa[ap + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(F, pa[ap + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(F, pa[ap + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(F, pa[ap + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(F, pa[ap + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(F, pa[ap + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        FloatVector.fromArray(F, c, cIdx).add(c00).intoArray(c, cIdx);
        FloatVector.fromArray(F, c, cIdx + L).add(c01).intoArray(c, cIdx + L);
        FloatVector.fromArray(F, c, cIdx + ldc).add(c10).intoArray(c, cIdx + ldc);
        FloatVector.fromArray(F, c, cIdx + ldc + L).add(c11).intoArray(c, cIdx + ldc + L);
        FloatVector.fromArray(F, c, cIdx + 2 * ldc).add(c20).intoArray(c, cIdx + 2 * ldc);
        FloatVector.fromArray(F, c, cIdx + 2 * ldc + L).add(c21).intoArray(c, cIdx + 2 * ldc + L);
        FloatVector.fromArray(F, c, cIdx + 3 * ldc).add(c30).intoArray(c, cIdx + 3 * ldc);
        FloatVector.fromArray(F, c, cIdx + 3 * ldc + L).add(c31).intoArray(c, cIdx + 3 * ldc + L);
        FloatVector.fromArray(F, c, cIdx + 4 * ldc).add(c40).intoArray(c, cIdx + 4 * ldc);
        FloatVector.fromArray(F, c, cIdx + 4 * ldc + L).add(c41).intoArray(c, cIdx + 4 * ldc + L);
        FloatVector.fromArray(F, c, cIdx + 5 * ldc).add(c50).intoArray(c, cIdx + 5 * ldc);
        FloatVector.fromArray(F, c, cIdx + 5 * ldc + L).add(c51).intoArray(c, cIdx + 5 * ldc + L);
        FloatVector.fromArray(F, c, cIdx + 6 * ldc).add(c60).intoArray(c, cIdx + 6 * ldc);
        FloatVector.fromArray(F, c, cIdx + 6 * ldc + L).add(c61).intoArray(c, cIdx + 6 * ldc + L);
        FloatVector.fromArray(F, c, cIdx + 7 * ldc).add(c70).intoArray(c, cIdx + 7 * ldc);
        FloatVector.fromArray(F, c, cIdx + 7 * ldc + L).add(c71).intoArray(c, cIdx + 7 * ldc + L);
    }

    /**
     * Rows the micro-kernel computes for a tile with {@code mr} valid rows: MR, except that with the
     * 8-row kernel an edge of at most 4 rows runs the 4-row kernel over the first half of the 8-row
     * panel. Batch slices such as 10 rows (B = 20 on two threads) would otherwise spend 6 of 16 row
     * slots on zero padding instead of 2 of 12.
     */
    private static int tileRows(int mr) {
        return MR == 8 && mr <= 4 ? 4 : MR;
    }

    /** The micro-kernel of {@link #tileRows}{@code (mr)} rows over an MR-row panel (pa[p·MR + r]). */
    private static void kernel(int kc, int mr, float[] pa, int paOff, float[] pb, int pbOff, float[] c, int cIdx, int ldc) {
        int rows = tileRows(mr);
        if (rows == 8) {
            kernel8x2(kc, pa, paOff, pb, pbOff, c, cIdx, ldc);
        } else if (rows == 6) {
            kernel6x2(kc, pa, paOff, pb, pbOff, c, cIdx, ldc);
        } else {
            kernel4x2(kc, MR, pa, paOff, pb, pbOff, c, cIdx, ldc);
        }
    }
}
