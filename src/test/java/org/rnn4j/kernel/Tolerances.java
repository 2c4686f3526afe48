package org.rnn4j.kernel;

/**
 * Error bounds shared by the kernel tests.
 *
 * <p>ε = 2⁻²⁴ is the unit roundoff of float32: one correctly rounded operation has relative error at
 * most ε, and an ulp of a float y is at most 2ε·|y|.
 *
 * <p>The activation bounds are the maximum errors measured by {@link ActivationAccuracyTest} (every
 * float step 2⁻¹² in [−20, 20], log-spaced grids to the limits, 2²⁰ random floats, the special
 * points; a one-off scan of 2·10⁸ random floats found the same maxima to within 0.1 ulp), rounded up
 * to the next whole ulp; absolute errors are rounded up to whole ulps of 1 (2⁻²³). Measured: exp
 * 1.06 ulp, sigmoid 2.48 ulp and 8.9e-8 absolute, tanh 2.49 ulp and 1.49e-7 absolute. That test
 * asserts these constants, so they are the documented bounds, not a guess: loosening one needs a
 * reason.
 */
final class Tolerances {
    private Tolerances() {}

    /** Unit roundoff of float32, 2⁻²⁴ = Math.ulp(1f)/2. */
    static final double EPS = 0x1p-24;

    /** exp: max error in ulps of the correctly rounded result, for normal results below 2¹²⁷. */
    static final double EXP_MAX_ULP = 2;
    /** sigmoid: max error in ulps, for results ≥ the smallest normal float. */
    static final double SIGMOID_MAX_ULP = 3;
    /** sigmoid: max absolute error over all inputs (includes the clamped tail, error &lt; 5e-39 there). */
    static final double SIGMOID_MAX_ABS = 0x1p-23;
    /** tanh: max error in ulps over all inputs (relative accuracy also near 0). */
    static final double TANH_MAX_ULP = 3;
    /** tanh: max absolute error over all inputs. */
    static final double TANH_MAX_ABS = 0x1p-22;

    /** Size of one ulp of the float nearest to {@code ref} (MIN_VALUE for 0). */
    static double ulp(double ref) {
        float f = (float) ref;
        if (Float.isInfinite(f)) {
            return Math.ulp(Float.MAX_VALUE);
        }
        return Math.ulp(f);
    }

    /** Error of {@code got} against {@code ref} in ulps of the reference. */
    static double ulpError(float got, double ref) {
        if (got == ref) {
            return 0;
        }
        return Math.abs(got - ref) / ulp(ref);
    }

    /** Activation abs bound for use inside the fused-cell bounds: the larger of sigmoid's and tanh's. */
    static double activationAbs() {
        return Math.max(SIGMOID_MAX_ABS, TANH_MAX_ABS);
    }

    // ------------------------------------------------------------------ implementations under test

    /** The scalar twin, and the SIMD implementation when this JVM has the Vector API module. */
    static java.util.List<Kernels> implementations() {
        return KernelSelector.simdAvailable()
                ? java.util.List.of(Kernels.scalar(), Kernels.simd())
                : java.util.List.of(Kernels.scalar());
    }

    /**
     * Whether the SIMD activations use rnn4j's own polynomial (the default), which evaluates the same
     * FMA sequence as {@link FloatMath} lane by lane; with {@code -Drnn4j.vector.math=svml} they do not,
     * and neither bitwise twin equality nor the polynomial's error bounds apply to the SIMD path.
     */
    static boolean simdUsesOwnPolynomial() {
        return !KernelSelector.simdAvailable() || !VectorKernels.SVML_MATH;
    }
}
