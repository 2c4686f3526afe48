package org.rnn4j.kernel;

import org.junit.jupiter.api.Assumptions;

/**
 * The vector shape the tests of this JVM run at, and whether the hardware has it.
 *
 * <p>The Surefire matrix runs the width-sensitive tests with {@code -Drnn4j.vector.bits=128|256|512}.
 * A width wider than {@code FloatVector.SPECIES_PREFERRED} (512 bits on an AVX2 machine) is not
 * intrinsified: the Vector API runs its Java fallback, which computes the same results 10-100× slower
 * and allocates on every operation by design. Such a run is still worth having (it is the only way
 * an AVX2 machine checks the 512-bit register blocking and tails), but it must be cheaper
 * ({@link #scaled}, and {@link ScaledTriesHook} for the jqwik properties), and the allocation guards
 * cannot hold there ({@link #assumeNative}).
 *
 * <p>Reads the Vector API only when the SIMD kernels exist, so a JVM without the module (the child
 * JVM of {@link ScalarFallbackTest}) can load this class.
 */
public final class VectorShapes {
    private VectorShapes() {}

    /** How much smaller an emulated run's random-input counts and grids are. */
    static final int EMULATED_DIVISOR = 10;

    private static final int SIMD_BITS = KernelSelector.simdAvailable() ? VectorInfo.lanes(Kernels.simd()) * 32 : 0;
    private static final int PREFERRED_BITS = KernelSelector.simdAvailable() ? Preferred.BITS : 0;

    /** Loaded only when the module is present. */
    private static final class Preferred {
        static final int BITS = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    /** @return the width of {@link Kernels#simd()} in bits, or 0 without the Vector API module */
    public static int simdBits() {
        return SIMD_BITS;
    }

    /** @return the hardware's preferred width in bits ({@code FloatVector.SPECIES_PREFERRED}), or 0 without the module */
    public static int preferredBits() {
        return PREFERRED_BITS;
    }

    /** @return the width forced by {@code -Drnn4j.vector.bits}, or 0 when the preferred width is used */
    public static int forcedBits() {
        String bits = System.getProperty("rnn4j.vector.bits");
        return bits == null || bits.isBlank() ? 0 : Integer.parseInt(bits.trim());
    }

    /** @return whether the SIMD kernels run wider than the hardware, i.e. on the Vector API's Java fallback */
    public static boolean emulated() {
        return SIMD_BITS > PREFERRED_BITS;
    }

    /**
     * @param nativeCount a count of random inputs or grid points sized for native speed
     * @return that count, or a tenth of it (at least 1) when {@link #emulated()}
     */
    public static int scaled(int nativeCount) {
        return emulated() ? Math.max(1, nativeCount / EMULATED_DIVISOR) : nativeCount;
    }

    /** @return e.g. {@code "simd-512 (forced; hardware prefers 256: emulated)"}, for messages and test names */
    public static String describe() {
        if (SIMD_BITS == 0) {
            return "scalar (no Vector API module)";
        }
        return Kernels.simd().name() + (forcedBits() != 0 ? " (forced" : " (preferred") + "; hardware prefers "
                + PREFERRED_BITS + (emulated() ? ": emulated)" : ": native)");
    }

    /**
     * Skips the calling test when the SIMD kernels are emulated. For allocation guards: the Java
     * fallback allocates its vectors by design, so zero bytes cannot be asked of it, while at every
     * native width any byte is a bug.
     *
     * @param what the guarded property, for the skip message
     */
    public static void assumeNative(String what) {
        Assumptions.assumeFalse(emulated(), () -> what + ": skipped at " + describe()
                + ", whose Java fallback allocates by design; this guard runs at every native width");
    }

    /**
     * As {@link #assumeNative(String)}, for a test that runs on {@code kernels}: the scalar kernels
     * never use the Vector API, so they are never skipped.
     *
     * @param kernels the kernels under test
     * @param what the guarded property, for the skip message
     */
    public static void assumeNative(Kernels kernels, String what) {
        if (kernels != Kernels.scalar()) {
            assumeNative(what);
        }
    }
}
