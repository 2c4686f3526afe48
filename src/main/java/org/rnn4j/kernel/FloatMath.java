package org.rnn4j.kernel;

/**
 * Scalar transcendental functions of rnn4j, and the constants that the SIMD versions share with
 * them. The SIMD code in {@code VectorKernels} evaluates the same formulas lane by lane with the same
 * fused multiply-adds, so the two paths agree to the last bit where the operation order is the same.
 *
 * <h2>exp / expm1 core</h2>
 * {@code x = n·ln2 + r} with {@code n = round(x·log2 e)} and {@code |r| ≤ ln2/2}, r computed with a
 * two-constant (Cody–Waite) ln2 so that it is exact to float precision; then
 * {@code expm1(r) ≈ r + r²(1/2! + r(1/3! + … + r·1/7!))} (Taylor, truncation error
 * {@code r⁸/8! < 6e-9}), and {@code exp(x) = 2ⁿ + 2ⁿ·expm1(r)}. Rounding to the nearest integer uses
 * the 1.5·2²³ trick, whose low mantissa bits then hold n, so {@code 2ⁿ} is built by shifting them
 * into the exponent field. Valid for {@code n ∈ [-126, 127]}, which the callers ensure by clamping.
 *
 * <p>Measured max errors (see docs/kernels.md and {@code ActivationAccuracyTest}) are stated there;
 * the test asserts them.
 */
public final class FloatMath {
    private FloatMath() {}

    static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that {@code n·LN2_HI} is exact for |n| ≤ 256: 0.693145751953125 has 16 significant bits. */
    static final float LN2_HI = 0.693145751953125f;
    static final float LN2_LO = 1.428606765330187e-06f;
    /** 1.5·2²³: adding it rounds a float of magnitude &lt; 2²² to an integer held in the low mantissa bits. */
    static final float ROUND_MAGIC = 12582912f;
    /** 1/k! for k = 2..7. */
    static final float C2 = 0.5f;
    static final float C3 = 1.66666666666666667e-1f;
    static final float C4 = 4.16666666666666667e-2f;
    static final float C5 = 8.33333333333333333e-3f;
    static final float C6 = 1.38888888888888889e-3f;
    static final float C7 = 1.98412698412698413e-4f;
    /**
     * The smallest float x with e^x ≥ 2⁻¹²⁶ (the smallest normal float): ln(2⁻¹²⁶) = −87.336544750…
     * rounded up. exp flushes results for x below it to 0.
     */
    static final float EXP_MIN = -87.33654022216797f;
    /** Largest x whose n = round(x·log2 e) is still 127, so 2ⁿ is finite: 127.5·ln 2. */
    static final float EXP_SAFE_MAX = 88.3762626647949f;
    /** Above this exp(x) overflows float: ln(FLT_MAX). */
    static final float EXP_OVERFLOW = 88.72283905206835f;
    /** tanh(x) rounds to ±1 in float for |x| above about 9.01; clamping there keeps 2ⁿ in range. */
    static final float TANH_CLAMP = 9f;

    /** expm1(r) for |r| ≤ ln2/2 by the Taylor polynomial above. */
    static float expm1Poly(float r) {
        float p = Math.fma(r, C7, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        return Math.fma(p, r * r, r);
    }

    /** 2ⁿ from {@code v = x·log2e + ROUND_MAGIC}, whose low mantissa bits hold n. */
    static float pow2FromRounded(float v) {
        return Float.intBitsToFloat((Float.floatToRawIntBits(v) << 23) + (127 << 23));
    }

    /**
     * exp(x) for x already clamped to [EXP_MIN, EXP_SAFE_MAX] (or NaN).
     */
    static float expClamped(float x) {
        float v = Math.fma(x, LOG2E, ROUND_MAGIC);
        float fn = v - ROUND_MAGIC;
        float r = Math.fma(fn, -LN2_HI, x);
        r = Math.fma(fn, -LN2_LO, r);
        float scale = pow2FromRounded(v);
        return Math.fma(scale, expm1Poly(r), scale);
    }

    /**
     * e^x in float. {@code +Inf} above {@link #EXP_OVERFLOW}, 0 below {@link #EXP_MIN} (no
     * subnormal results), NaN for NaN.
     *
     * @param x the argument
     * @return e^x
     */
    public static float exp(float x) {
        if (x > EXP_SAFE_MAX) {
            if (x > EXP_OVERFLOW) {
                return Float.POSITIVE_INFINITY;
            }
            // n = 128 here and 2¹²⁸ is not a float: scale by 2ⁿ⁻¹ (v − 1 holds n − 1) and double at the end.
            float v = Math.fma(x, LOG2E, ROUND_MAGIC);
            float fn = v - ROUND_MAGIC;
            float r = Math.fma(fn, -LN2_HI, x);
            r = Math.fma(fn, -LN2_LO, r);
            float scale = pow2FromRounded(v - 1f);
            return 2f * Math.fma(scale, expm1Poly(r), scale);
        }
        if (x < EXP_MIN) {
            return 0f;
        }
        return expClamped(x);
    }

    /**
     * Logistic sigmoid {@code 1/(1+e^-x)}.
     *
     * @param x the argument
     * @return σ(x) in [0, 1]; NaN for NaN
     */
    public static float sigmoid(float x) {
        float t = Math.min(Math.max(-x, EXP_MIN), EXP_SAFE_MAX);
        return 1f / (1f + expClamped(t));
    }

    /**
     * Hyperbolic tangent via {@code tanh|x| = −expm1(−2|x|) / (2 + expm1(−2|x|))}, which keeps full
     * relative accuracy near 0 (no 1 − e cancellation).
     *
     * @param x the argument
     * @return tanh(x) in [-1, 1]; NaN for NaN
     */
    public static float tanh(float x) {
        float a = Math.min(Math.abs(x), TANH_CLAMP);
        float y = -2f * a;
        float v = Math.fma(y, LOG2E, ROUND_MAGIC);
        float fn = v - ROUND_MAGIC;
        float r = Math.fma(fn, -LN2_HI, y);
        r = Math.fma(fn, -LN2_LO, r);
        float scale = pow2FromRounded(v);
        float em = Math.fma(scale, expm1Poly(r), scale - 1f);
        float t = -em / (2f + em);
        return Math.copySign(t, x);
    }
}
