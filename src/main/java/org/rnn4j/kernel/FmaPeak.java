package org.rnn4j.kernel;

import java.util.Locale;

/**
 * This core's measured float32 FMA peak: the ceiling that GEMM GFLOP/s figures are read against, so
 * that every machine reports its own rather than a datasheet's.
 *
 * <p>The loop keeps {@value #ACCUMULATORS} independent accumulators, each updated as
 * {@code c = c·a + b} by one fused multiply-add per iteration, over the SIMD kernels' species
 * ({@code FloatVector.fma}; the width of {@code -Drnn4j.vector.bits} when set) or, as the scalar
 * twin, over single floats ({@code Math.fma}). It counts 2 FLOPs per lane per FMA. The vector loop
 * is first called in short rounds until one round allocates nothing: until then it is the Vector
 * API's Java fallback, which boxes every vector, not C2's compiled loop (at most 1 s: at a width the
 * CPU lacks the fallback is all there is). Then, after a short timed warm-up, it takes the best of
 * at least {@value #TRIALS} timed trials of 30 ms (interference only adds time, so the best trial is
 * the least disturbed one), and more, up to {@value #MAX_TRIALS}, while the latest trial still
 * beats the earlier ones by over 5 %. About 0.4 s in all. The accumulators converge to b/(1 − a), so
 * they stay normal and finite, and they are stored and read after the trials, so the JIT cannot
 * remove the loop.
 *
 * <p>The figure is one thread's: what one core sustains with the FMA pipes fed from registers, no
 * loads. A kernel's fraction of it is its arithmetic efficiency on this core.
 */
public final class FmaPeak {
    private FmaPeak() {}

    /**
     * Independent accumulators per loop iteration. Filling the FMA pipes takes latency × pipes
     * chains: 4 × 2 = 8 on AVX2 and AVX-512 cores of the last decade, 5 × 2 = 10 on Haswell. Twelve
     * covers a latency up to 6 and, with the two operands, holds 14 of AVX2's 16 vector registers,
     * so the loop never spills.
     */
    static final int ACCUMULATORS = 12;
    /** Timed trials at least; the best is the result. */
    static final int TRIALS = 5;
    /** Timed trials at most, while the figure still rises. */
    static final int MAX_TRIALS = 20;
    /** Loop iterations per call of a {@link Loop}: long enough that the call and the clock reads vanish. */
    static final int CHUNK = 1 << 13;
    /** Loop iterations per call while waiting for C2's code. */
    private static final int WARMUP_CHUNK = 64;
    private static final long WARMUP_NANOS = 50_000_000L;
    private static final long MAX_WARMUP_NANOS = 1_000_000_000L;
    private static final long TRIAL_NANOS = 30_000_000L;

    /** This thread's allocation counter, or null where the JVM has none (then the warm-up is timed only). */
    private static final java.lang.management.ThreadMXBean ALLOCATION = allocationCounter();

    private static java.lang.management.ThreadMXBean allocationCounter() {
        try {
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            if (mx instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported()
                    && t.isThreadAllocatedMemoryEnabled() && t.getCurrentThreadAllocatedBytes() >= 0) {
                return mx;
            }
        } catch (LinkageError | RuntimeException e) {
            // no jdk.management in this runtime image
        }
        return null;
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ALLOCATION).getCurrentThreadAllocatedBytes();
    }

    /** Keeps the accumulators' final values observable. */
    private static volatile float sink;

    /**
     * One measurement.
     *
     * @param gflops the best trial's GFLOP/s on one thread (2 FLOPs per lane per FMA)
     * @param bits the width of one operand in bits: the vector species' width, or 32 for the scalar twin
     * @param simd whether the loop ran on the Vector API ({@code FloatVector.fma}) or is the scalar twin
     *             ({@code Math.fma})
     * @param accumulators the independent FMA chains of the loop
     */
    public record Result(double gflops, int bits, boolean simd, int accumulators) {
        /** @return what was run, e.g. {@code "256-bit FloatVector.fma, 12 accumulators"} */
        public String loop() {
            return (simd ? bits + "-bit FloatVector.fma" : "scalar Math.fma") + ", " + accumulators + " accumulators";
        }

        /** @return e.g. {@code "123.4 GFLOP/s per core (256-bit FloatVector.fma, 12 accumulators)"} */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.1f GFLOP/s per core (%s)", gflops, loop());
        }
    }

    /** The timed body: {@code iterations} rounds of one FMA on each accumulator in {@code acc}. */
    interface Loop {
        /** @return floats per accumulator (the vector's lanes, or 1) */
        int lanes();

        /**
         * @param acc {@code ACCUMULATORS · lanes()} accumulators, read and written back
         * @param ab the multiplier a and the addend b
         * @param iterations rounds of the loop
         */
        void run(float[] acc, float[] ab, int iterations);
    }

    /**
     * Measures the loop of the kernels {@link Kernels#get()} returns: the Vector API loop when they
     * are the SIMD kernels, else the scalar twin.
     *
     * @return this core's peak as the active kernels would see it
     */
    public static Result measure() {
        return KernelSelector.ACTIVE == ScalarKernels.INSTANCE ? measureScalar() : measureSimd();
    }

    /**
     * Measures the scalar twin ({@code Math.fma} on single floats), whichever kernels are active.
     *
     * @return the scalar loop's peak
     */
    public static Result measureScalar() {
        return new Result(gflops(ScalarLoop.INSTANCE, false), 32, false, ACCUMULATORS);
    }

    /**
     * Measures the Vector API loop on the SIMD kernels' species, whichever kernels are active.
     *
     * @return the vector loop's peak
     * @throws UnsupportedOperationException if the Vector API is not available in this JVM
     *         ({@link KernelSelector#simdAvailable()})
     */
    public static Result measureSimd() {
        Loop loop = vectorLoop();
        return new Result(gflops(loop, true), loop.lanes() * 32, true, ACCUMULATORS);
    }

    private static Loop vectorLoop() {
        if (!KernelSelector.simdAvailable()) {
            throw new UnsupportedOperationException("the Vector API loop needs the SIMD kernels: " + KernelSelector.reason());
        }
        // Reflectively, like VectorKernels, so that without the module no class linking against it loads.
        try {
            return (Loop) Class.forName("org.rnn4j.kernel.VectorFmaPeak").getDeclaredField("INSTANCE").get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new UnsupportedOperationException("the Vector API loop could not be loaded: " + e, e);
        }
    }

    private static double gflops(Loop loop, boolean untilNoAllocation) {
        int lanes = loop.lanes();
        float[] acc = new float[ACCUMULATORS * lanes];
        float[] ab = {0.999f, 0.001f};
        long start = System.nanoTime();
        if (untilNoAllocation && ALLOCATION != null) {
            // The Vector API's Java fallback, which runs until C2 has compiled the loop with its
            // intrinsics, boxes every vector; the first call that allocates nothing is C2's code.
            // Short calls, so that the method's invocation count (not only its loop) reaches C2's
            // threshold. Bounded: at a width the CPU lacks the fallback never ends, and is then
            // what the kernels run.
            long a0;
            do {
                a0 = allocatedBytes();
                loop.run(acc, ab, WARMUP_CHUNK);
            } while (allocatedBytes() != a0 && System.nanoTime() - start < MAX_WARMUP_NANOS);
        }
        while (System.nanoTime() - start < WARMUP_NANOS) {
            loop.run(acc, ab, CHUNK);
        }
        double flopsPerCall = 2.0 * lanes * ACCUMULATORS * CHUNK;
        double best = 0;
        boolean rising = false;
        for (int t = 0; t < MAX_TRIALS && (t < TRIALS || rising); t++) {
            long calls = 0;
            long t0 = System.nanoTime();
            long t1;
            do {
                loop.run(acc, ab, CHUNK);
                calls++;
                t1 = System.nanoTime();
            } while (t1 - t0 < TRIAL_NANOS);
            double g = flopsPerCall * calls / (t1 - t0);
            rising = g > 1.05 * best;
            best = Math.max(best, g);
        }
        float s = 0;
        for (float v : acc) {
            s += v;
        }
        sink = s;
        if (!Float.isFinite(s)) {
            throw new AssertionError("FMA peak loop diverged: " + s);
        }
        return best;
    }

    /** The scalar twin: the same chains on single floats. */
    private static final class ScalarLoop implements Loop {
        static final ScalarLoop INSTANCE = new ScalarLoop();

        @Override
        public int lanes() {
            return 1;
        }

        @Override
        public void run(float[] acc, float[] ab, int iterations) {
            float a = ab[0], b = ab[1];
            float c0 = acc[0], c1 = acc[1], c2 = acc[2], c3 = acc[3], c4 = acc[4], c5 = acc[5];
            float c6 = acc[6], c7 = acc[7], c8 = acc[8], c9 = acc[9], c10 = acc[10], c11 = acc[11];
            for (int i = 0; i < iterations; i++) {
                c0 = Math.fma(c0, a, b);
                c1 = Math.fma(c1, a, b);
                c2 = Math.fma(c2, a, b);
                c3 = Math.fma(c3, a, b);
                c4 = Math.fma(c4, a, b);
                c5 = Math.fma(c5, a, b);
                c6 = Math.fma(c6, a, b);
                c7 = Math.fma(c7, a, b);
                c8 = Math.fma(c8, a, b);
                c9 = Math.fma(c9, a, b);
                c10 = Math.fma(c10, a, b);
                c11 = Math.fma(c11, a, b);
            }
            acc[0] = c0;
            acc[1] = c1;
            acc[2] = c2;
            acc[3] = c3;
            acc[4] = c4;
            acc[5] = c5;
            acc[6] = c6;
            acc[7] = c7;
            acc[8] = c8;
            acc[9] = c9;
            acc[10] = c10;
            acc[11] = c11;
        }
    }
}
