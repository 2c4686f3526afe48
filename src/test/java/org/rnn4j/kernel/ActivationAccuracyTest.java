package org.rnn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.Test;

/**
 * Accuracy and special values of exp, sigmoid and tanh, for the scalar twin and the SIMD path.
 *
 * <p>Errors are measured against {@link Math#exp}/{@link Math#tanh} evaluated in double (their own
 * error, &lt; 1 ulp of double, is negligible at float precision), in ulps of the float nearest to the
 * reference, over every float step 2⁻¹² in [−20, 20], a log-spaced grid of magnitudes from 2⁻⁴⁰ to
 * the overflow limit, and the special points. The measured maxima are printed (for docs/kernels.md)
 * and asserted against {@link Tolerances}: the measured value rounded up to the next whole ulp.
 *
 * <p>exp flushes results below the smallest normal float to 0 (x &lt; ln 2⁻¹²⁶ ≈ −87.3365), as its
 * Javadoc says; the ulp bound therefore applies to normal results only and the flush is tested on
 * its own, float by float across the boundary. Likewise sigmoid's ulp bound applies where σ(x) is a
 * normal float; below that its documented clamp gives ≈ 4·10⁻³⁹ (absolute error &lt; 5·10⁻³⁹).
 *
 * <p>Also here: the derivative-from-output kernels against their analytic formulas, and NaN
 * propagation through dot, GEMM, max, argmax and softmax.
 */
class ActivationAccuracyTest {

    static final double EPS = Tolerances.EPS;
    static final double LN_MIN_NORMAL = Math.log(Float.MIN_NORMAL);
    static final double LN_MAX = Math.log(Float.MAX_VALUE);
    /** Results of at least 2¹²⁷ (x ≥ 127·ln 2) form exp's top binade, tested on its own. */
    static final double LN_2_127 = 127 * Math.log(2);

    static final float[] SPECIAL = {
        0f, -0f, 1e-8f, -1e-8f, 1e-30f, -1e-30f, 1f, -1f, 9f, -9f, 20f, -20f, 87f, -87f, 88f, -88f,
        88.7f, -88.7f, 89f, -89f, 1e30f, -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.MIN_NORMAL, -Float.MIN_NORMAL,
    };

    enum Fn {
        EXP, SIGMOID, TANH;

        void apply(Kernels k, float[] x, float[] y) {
            switch (this) {
                case EXP -> k.exp(x.length, x, 0, y, 0);
                case SIGMOID -> k.sigmoid(x.length, x, 0, y, 0);
                default -> k.tanh(x.length, x, 0, y, 0);
            }
        }

        double ref(float x) {
            return switch (this) {
                case EXP -> Reference.exp(x);
                case SIGMOID -> Reference.sigmoid(x);
                default -> Reference.tanh(x);
            };
        }
    }

    /** Every float step 2⁻¹² in [−20, 20]. */
    static float[] denseGrid() {
        int n = 40 * 4096 + 1;
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = -20f + i * 0x1p-12f; // exact: all values are multiples of 2^-12 below 2^5
        }
        return g;
    }

    /** ±magnitudes log-spaced from 2⁻⁴⁰ to {@code hi}. */
    static float[] logGrid(double hi, int perSign) {
        float[] g = new float[2 * perSign];
        double lo = Math.log(0x1p-40), span = Math.log(hi) - lo;
        for (int i = 0; i < perSign; i++) {
            float v = (float) Math.exp(lo + span * i / (perSign - 1));
            v = Math.min(v, (float) hi);
            g[2 * i] = v;
            g[2 * i + 1] = -v;
        }
        return g;
    }

    /** Every float in [lo, hi]. */
    static float[] allFloats(float lo, float hi) {
        List<Float> l = new ArrayList<>();
        for (float x = lo; x <= hi; x = Math.nextUp(x)) {
            l.add(x);
        }
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] r = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, r, o, p.length);
            o += p.length;
        }
        return r;
    }

    /** 2²⁰ floats, uniform in [−lim, lim] and uniform over bit patterns with |x| ≤ lim, fixed seed. */
    static float[] randomFloats(float lim) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(20240611L);
        float[] r = new float[1 << 20];
        for (int i = 0; i < r.length; ) {
            float x = (i & 1) == 0 ? (float) ((rnd.nextDouble() * 2 - 1) * lim) : Float.intBitsToFloat(rnd.nextInt());
            if (Math.abs(x) <= lim) {
                r[i++] = x;
            }
        }
        return r;
    }

    static float[] all() {
        return concat(denseGrid(), logGrid(LN_MAX, 20000), randomFloats(89f), SPECIAL);
    }

    static float[] eval(Kernels k, Fn fn, float[] x) {
        float[] y = new float[x.length];
        fn.apply(k, x, y);
        return y;
    }

    record Stats(double maxUlp, float atUlp, double maxAbs, float atAbs, int points) {
        @Override
        public String toString() {
            return String.format("max %.3f ulp (x = %s), max abs %.3e (x = %s), %d points",
                    maxUlp, atUlp, maxAbs, atAbs, points);
        }
    }

    /** Max errors of fn over the points whose reference value satisfies {@code inDomain}. */
    static Stats measure(Kernels k, Fn fn, float[] x, DoublePredicate inDomain) {
        float[] y = eval(k, fn, x);
        double maxUlp = 0, maxAbs = 0;
        float atUlp = Float.NaN, atAbs = Float.NaN;
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (Float.isNaN(x[i])) {
                continue;
            }
            double ref = fn.ref(x[i]);
            if (!inDomain.test(ref) || !inDomainX(fn, x[i])) {
                continue;
            }
            n++;
            double abs = y[i] == ref ? 0 : Math.abs(y[i] - ref);
            double ulp = Tolerances.ulpError(y[i], ref);
            if (!(ulp <= maxUlp)) {
                maxUlp = ulp;
                atUlp = x[i];
            }
            if (!(abs <= maxAbs)) {
                maxAbs = abs;
                atAbs = x[i];
            }
        }
        return new Stats(maxUlp, atUlp, maxAbs, atAbs, n);
    }

    private static boolean inDomainX(Fn fn, float x) {
        return fn != Fn.EXP || Float.isFinite(x);
    }

    static void report(String what, Kernels k, Stats s) {
        System.out.printf("[accuracy] %-8s %-9s %s%n", what, k.name(), s);
    }

    static void check(List<String> failures, boolean ok, String message) {
        if (!ok) {
            failures.add(message);
        }
    }

    static List<Kernels> polyImpls() {
        List<Kernels> l = new ArrayList<>();
        for (Kernels k : Tolerances.implementations()) {
            if (k == Kernels.scalar() || Tolerances.simdUsesOwnPolynomial()) {
                l.add(k);
            }
        }
        return l;
    }

    // ------------------------------------------------------------------ measured accuracy

    @Test
    void expIsAccurateForNormalResultsBelowTheTopBinade() {
        float[] x = concat(denseGrid(), logGrid(LN_2_127, 20000), randomFloats(88f), allFloats(-87.34f, -87.33f), SPECIAL);
        List<String> failures = new ArrayList<>();
        for (Kernels k : polyImpls()) {
            Stats s = measure(k, Fn.EXP, x, ref -> ref >= Float.MIN_NORMAL && ref < 0x1p127);
            report("exp", k, s);
            check(failures, s.maxUlp() <= Tolerances.EXP_MAX_ULP, k.name() + ": exp error " + s);
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    /**
     * Results in [2¹²⁷, FLT_MAX]: the same documented bound must hold in the top binade. (It does
     * not on (88.376, 88.723]: x − ln 2 is rounded to float there before the polynomial, an absolute
     * error of up to 2⁻¹⁸ in the argument, i.e. a relative error of up to ~2⁻¹⁸ in the result.)
     */
    @Test
    void expIsAsAccurateInTheTopBinade() {
        float lo = Math.nextUp((float) LN_2_127), hi = (float) LN_MAX;
        while (hi > LN_MAX) {
            hi = Math.nextDown(hi);
        }
        float[] x = allFloats(lo, hi);
        List<String> failures = new ArrayList<>();
        for (Kernels k : polyImpls()) {
            Stats s = measure(k, Fn.EXP, x, ref -> true);
            report("exp-top", k, s);
            check(failures, s.maxUlp() <= Tolerances.EXP_MAX_ULP, k.name() + ": exp error in [2^127, MAX] " + s);
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    @Test
    void sigmoidIsAccurate() {
        float[] x = all();
        List<String> failures = new ArrayList<>();
        for (Kernels k : polyImpls()) {
            // ulps where σ(x) is a normal float; absolute error everywhere (incl. the clamped tail)
            Stats rel = measure(k, Fn.SIGMOID, x, ref -> ref >= Float.MIN_NORMAL);
            Stats abs = measure(k, Fn.SIGMOID, x, ref -> true);
            report("sigmoid", k, new Stats(rel.maxUlp(), rel.atUlp(), abs.maxAbs(), abs.atAbs(), abs.points()));
            check(failures, rel.maxUlp() <= Tolerances.SIGMOID_MAX_ULP, k.name() + ": sigmoid error " + rel);
            check(failures, abs.maxAbs() <= Tolerances.SIGMOID_MAX_ABS, k.name() + ": sigmoid abs error " + abs);
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    @Test
    void tanhIsAccurateAbsolutelyAndRelatively() {
        float[] x = all();
        List<String> failures = new ArrayList<>();
        for (Kernels k : polyImpls()) {
            Stats s = measure(k, Fn.TANH, x, ref -> true);
            report("tanh", k, s);
            check(failures, s.maxUlp() <= Tolerances.TANH_MAX_ULP, k.name() + ": tanh error " + s);
            check(failures, s.maxAbs() <= Tolerances.TANH_MAX_ABS, k.name() + ": tanh abs error " + s);
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    @Test
    void tanhKeepsRelativeAccuracyNearZero() {
        float[] x = {1e-8f, -1e-8f, 1e-30f, 3e-5f, 1e-3f, Float.MIN_NORMAL, Float.MIN_VALUE, 0x1p-20f};
        for (Kernels k : polyImpls()) {
            float[] y = eval(k, Fn.TANH, x);
            for (int i = 0; i < x.length; i++) {
                double err = Tolerances.ulpError(y[i], Math.tanh(x[i]));
                assertTrue(err <= 2, k.name() + ": tanh(" + x[i] + ") = " + y[i] + ", " + err + " ulp from " + Math.tanh(x[i]));
            }
        }
    }

    /** With the own polynomial the SIMD lanes evaluate FloatMath's FMA sequence: bitwise equal. */
    @Test
    void simdActivationsEqualTheScalarTwinBitwise() {
        assumeTrue(KernelSelector.simdAvailable() && Tolerances.simdUsesOwnPolynomial());
        // ±0 excluded here: the sign of tanh(±0) is asserted by tanhOfSignedZeroIsSignedZero.
        float[] src = all();
        float[] x = new float[src.length];
        int n = 0;
        for (float v : src) {
            if (v != 0f) {
                x[n++] = v;
            }
        }
        x = Arrays.copyOf(x, n);
        for (Fn fn : Fn.values()) {
            float[] s = eval(Kernels.scalar(), fn, x), v = eval(Kernels.simd(), fn, x);
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToIntBits(s[i]) != Float.floatToIntBits(v[i])) {
                    fail(fn + "(" + x[i] + "): simd " + v[i] + " != scalar " + s[i]);
                }
            }
        }
    }

    // ------------------------------------------------------------------ special values

    @Test
    void outputsStayInRangeAndLargeInputsGiveNoNaN() {
        float[] x = all();
        for (Kernels k : Tolerances.implementations()) {
            float[] e = eval(k, Fn.EXP, x), s = eval(k, Fn.SIGMOID, x), t = eval(k, Fn.TANH, x);
            for (int i = 0; i < x.length; i++) {
                if (Float.isNaN(x[i])) {
                    assertTrue(Float.isNaN(e[i]) && Float.isNaN(s[i]) && Float.isNaN(t[i]), k.name() + ": NaN in must give NaN out");
                    continue;
                }
                String at = k.name() + " at x = " + x[i];
                assertTrue(e[i] >= 0, at + ": exp = " + e[i]);
                assertTrue(s[i] >= 0 && s[i] <= 1, at + ": sigmoid = " + s[i]);
                assertTrue(t[i] >= -1 && t[i] <= 1, at + ": tanh = " + t[i]);
            }
        }
    }

    @Test
    void infinitiesAndNaN() {
        float inf = Float.POSITIVE_INFINITY;
        float[] x = {inf, -inf, Float.NaN, 89f, 88.73f, 1e30f, Float.MAX_VALUE, -1e30f, -Float.MAX_VALUE, -89f};
        for (Kernels k : Tolerances.implementations()) {
            float[] e = eval(k, Fn.EXP, x), s = eval(k, Fn.SIGMOID, x), t = eval(k, Fn.TANH, x);
            String n = k.name() + ": ";
            assertEquals(inf, e[0], n + "exp(+Inf)");
            assertEquals(0f, e[1], n + "exp(-Inf)");
            assertTrue(Float.isNaN(e[2]), n + "exp(NaN)");
            for (int i = 3; i <= 6; i++) {
                assertEquals(inf, e[i], n + "exp(" + x[i] + ")");
            }
            for (int i = 7; i < x.length; i++) {
                assertEquals(0f, e[i], n + "exp(" + x[i] + ")");
            }
            assertEquals(1f, s[0], n + "sigmoid(+Inf)");
            // Documented (docs/kernels.md): -x is clamped, so σ(-Inf) ≈ 4e-39 with absolute error < 5e-39.
            assertTrue(s[1] >= 0f && s[1] < 5e-39f, n + "sigmoid(-Inf) = " + s[1]);
            assertTrue(Float.isNaN(s[2]), n + "sigmoid(NaN)");
            assertEquals(1f, t[0], n + "tanh(+Inf)");
            assertEquals(-1f, t[1], n + "tanh(-Inf)");
            assertTrue(Float.isNaN(t[2]), n + "tanh(NaN)");
        }
    }

    /** Every float above ln(FLT_MAX) overflows to +Inf; the largest below it does not. */
    @Test
    void expOverflowBoundary() {
        float below = (float) LN_MAX;
        while (below > LN_MAX) {
            below = Math.nextDown(below);
        }
        float[] x = allFloats(Math.nextUp(below), 88.73f);
        for (Kernels k : Tolerances.implementations()) {
            float[] e = eval(k, Fn.EXP, x);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.POSITIVE_INFINITY, e[i], k.name() + ": exp(" + x[i] + ")");
            }
            float last = eval(k, Fn.EXP, new float[] {below})[0];
            assertTrue(Float.isFinite(last), k.name() + ": exp(" + below + ") = " + last);
        }
    }

    /**
     * The documented flush: every float x whose e^x is below the smallest normal float gives exactly
     * 0; every x whose e^x is normal gives a normal result within the ulp bound.
     */
    @Test
    void expFlushesSubnormalResultsToZero() {
        float[] x = allFloats(-87.40f, -87.28f);
        for (Kernels k : Tolerances.implementations()) {
            float[] e = eval(k, Fn.EXP, x);
            for (int i = 0; i < x.length; i++) {
                double ref = Math.exp(x[i]);
                if (ref < Float.MIN_NORMAL) {
                    assertEquals(0f, e[i], k.name() + ": exp(" + x[i] + ") = " + ref + " is below MIN_NORMAL");
                } else {
                    assertTrue(e[i] >= Float.MIN_NORMAL, k.name() + ": exp(" + x[i] + ") = " + e[i]);
                    assertTrue(Tolerances.ulpError(e[i], ref) <= Tolerances.EXP_MAX_ULP, k.name() + ": exp(" + x[i] + ")");
                }
            }
        }
    }

    /** tanh is exactly odd: tanh(−x) is −tanh(x) to the bit (nonzero x; zeros below). */
    @Test
    void tanhIsExactlyOdd() {
        float[] x = all();
        float[] neg = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            neg[i] = -x[i];
        }
        for (Kernels k : Tolerances.implementations()) {
            float[] p = eval(k, Fn.TANH, x), q = eval(k, Fn.TANH, neg);
            for (int i = 0; i < x.length; i++) {
                if (Float.isNaN(x[i]) || x[i] == 0f) {
                    continue;
                }
                assertEquals(Float.floatToIntBits(-p[i]), Float.floatToIntBits(q[i]),
                        k.name() + ": tanh(" + neg[i] + ") = " + q[i] + " but tanh(" + x[i] + ") = " + p[i]);
            }
        }
    }

    /** docs/kernels.md: "the sign of x is copied onto the result, so tanh is exactly odd and tanh(±0) = ±0". */
    @Test
    void tanhOfSignedZeroIsSignedZero() {
        float[] x = {0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f};
        for (Kernels k : Tolerances.implementations()) {
            float[] t = eval(k, Fn.TANH, x);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToIntBits(x[i]), Float.floatToIntBits(t[i]),
                        k.name() + ": tanh(" + x[i] + ") = " + t[i] + " (element " + i + " of " + x.length + ")");
            }
        }
    }

    // ------------------------------------------------------------------ derivatives from the output

    @Test
    void derivativesFromTheOutputMatchTheAnalyticFormulas() {
        Random rnd = new Random(7);
        int n = 4099; // a multiple of no vector length: the tails are exercised too
        float[] ys = new float[n], yt = new float[n], yr = new float[n], dy = new float[n];
        for (int i = 0; i < n; i++) {
            ys[i] = i % 3 == 0 ? (float) i / (n - 1) : (float) Reference.sigmoid((float) (rnd.nextGaussian() * 6));
            yt[i] = i % 3 == 0 ? 2f * i / (n - 1) - 1f : (float) Math.tanh(rnd.nextGaussian() * 3);
            yr[i] = switch (i % 7) {
                case 0 -> 0f;
                case 1 -> -0f;
                case 2 -> Float.NaN;
                case 3 -> Float.POSITIVE_INFINITY;
                default -> (float) rnd.nextGaussian();
            };
            dy[i] = (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(21) - 10));
        }
        Reference.Vec rs = Reference.sigmoidBackward(n, ys, 0, dy, 0);
        Reference.Vec rt = Reference.tanhBackward(n, yt, 0, dy, 0);
        double[] rr = Reference.reluBackward(n, yr, 0, dy, 0);
        for (Kernels k : Tolerances.implementations()) {
            float[] ds = new float[n], dt = new float[n], dr = new float[n];
            k.sigmoidBackward(n, ys, 0, dy, 0, ds, 0);
            k.tanhBackward(n, yt, 0, dy, 0, dt, 0);
            k.reluBackward(n, yr, 0, dy, 0, dr, 0);
            for (int i = 0; i < n; i++) {
                // dy·(s·(1−s)): three roundings (1−s, s·(…), dy·(…)) ⇒ ≤ γ₃·cond; 4ε covers γ₃.
                assertTrue(Math.abs(ds[i] - rs.value()[i]) <= 4 * EPS * rs.cond()[i],
                        k.name() + ": sigmoidBackward y=" + ys[i] + " dy=" + dy[i] + " got " + ds[i] + " want " + rs.value()[i]);
                // dy·(1−y²) with at most two roundings (fma or square+subtract, then ·dy) ⇒ 3ε·cond.
                assertTrue(Math.abs(dt[i] - rt.value()[i]) <= 3 * EPS * rt.cond()[i],
                        k.name() + ": tanhBackward y=" + yt[i] + " dy=" + dy[i] + " got " + dt[i] + " want " + rt.value()[i]);
                // relu': exact selection (a NaN y passes dy, as documented).
                assertEquals(Float.floatToIntBits((float) rr[i]), Float.floatToIntBits(dr[i]),
                        k.name() + ": reluBackward y=" + yr[i] + " dy=" + dy[i]);
            }
        }
    }

    // ------------------------------------------------------------------ NaN propagation

    @Test
    void dotPropagatesNaN() {
        for (Kernels k : Tolerances.implementations()) {
            for (int n : new int[] {1, 7, 37, 64, 1100, 2050}) {
                for (int pos : new int[] {0, n / 2, n - 1}) {
                    float[] x = filled(n, 0.5f), y = filled(n, 2f);
                    x[pos] = Float.NaN;
                    assertTrue(Float.isNaN(k.dot(n, x, 0, y, 0)), k.name() + ": dot n=" + n + " NaN at " + pos);
                    assertTrue(Double.isNaN(k.sum(n, x, 0)), k.name() + ": sum n=" + n + " NaN at " + pos);
                    assertTrue(Double.isNaN(k.sumSquares(n, x, 0)), k.name() + ": sumSquares n=" + n + " NaN at " + pos);
                }
            }
        }
    }

    /** A NaN in row i of op(A) makes row i of C NaN (and only that row), in every storage form. */
    @Test
    void gemmPropagatesNaNAlongTheRowOfC() {
        int[][] shapes = {{5, 7, 3}, {13, 37, 40}, {160, 20, 300}};
        for (Kernels k : Tolerances.implementations()) {
            for (int[] s : shapes) {
                int m = s[0], n = s[1], kk = s[2];
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    int lda = ta ? m : kk, ldb = tb ? kk : n;
                    float[] a = filled(m * kk, 0.25f), b = filled(kk * n, -1.5f), c = filled(m * n, 3f);
                    int row = m / 2, p = kk - 1;
                    a[ta ? p * lda + row : row * lda + p] = Float.NaN;
                    k.gemm(ta, tb, m, n, kk, 1f, a, 0, lda, b, 0, ldb, t % 2 == 0 ? 0f : 1f, c, 0, n);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            assertEquals(i == row, Float.isNaN(c[i * n + j]),
                                    k.name() + " gemm " + m + "x" + n + "x" + kk + " transA=" + ta + " transB=" + tb + " C[" + i + "," + j + "]");
                        }
                    }
                }
            }
        }
    }

    @Test
    void maxAndArgmaxSeeNaN() {
        for (Kernels k : Tolerances.implementations()) {
            for (int n : new int[] {1, 3, 8, 17, 100}) {
                for (int pos = 0; pos < n; pos += Math.max(1, n / 5)) {
                    float[] x = new float[n];
                    for (int i = 0; i < n; i++) {
                        x[i] = i;
                    }
                    x[pos] = Float.NaN;
                    if (pos + 2 < n) {
                        x[pos + 2] = Float.NaN;
                    }
                    assertTrue(Float.isNaN(k.max(n, x, 0)), k.name() + ": max n=" + n + " NaN at " + pos);
                    assertEquals(pos, k.argmax(n, x, 0), k.name() + ": argmax n=" + n + " first NaN at " + pos);
                }
            }
        }
    }

    @Test
    void softmaxNaNRowsAndHugeRows() {
        int cols = 19;
        for (Kernels k : Tolerances.implementations()) {
            for (boolean log : new boolean[] {false, true}) {
                float[] x = new float[3 * cols];
                for (int j = 0; j < cols; j++) {
                    x[j] = j * 0.25f;
                    x[cols + j] = j * 0.25f;
                    x[2 * cols + j] = j % 3 == 0 ? 1e30f : j % 3 == 1 ? -1e30f : 1e29f;
                }
                x[cols + 11] = Float.NaN;
                float[] y = new float[x.length];
                if (log) {
                    k.logSoftmaxRows(3, cols, x, 0, cols, y, 0, cols);
                } else {
                    k.softmaxRows(3, cols, x, 0, cols, y, 0, cols);
                }
                double sum0 = 0, sum2 = 0;
                for (int j = 0; j < cols; j++) {
                    String at = k.name() + (log ? " logSoftmax" : " softmax") + " col " + j;
                    assertFalse(Float.isNaN(y[j]), at + " row 0");
                    assertTrue(Float.isNaN(y[cols + j]), at + ": the row holding a NaN must be NaN");
                    assertFalse(Float.isNaN(y[2 * cols + j]), at + ": huge finite values must not give NaN");
                    sum0 += log ? Math.exp(y[j]) : y[j];
                    sum2 += log ? Math.exp(y[2 * cols + j]) : y[2 * cols + j];
                }
                assertEquals(1.0, sum0, 1e-5, k.name() + (log ? " logSoftmax" : " softmax") + " row 0 sums to 1");
                if (!log) {
                    assertEquals(1.0, sum2, 1e-5, k.name() + " softmax row of ±1e30 sums to 1");
                    // the 7 entries equal to the max share the mass; the rest underflow to 0
                    assertEquals(1.0 / 7, y[2 * cols], 1e-6, k.name() + " softmax row of ±1e30");
                }
            }
        }
    }

    /**
     * log-softmax of a row whose maximum is huge: the 7 entries equal to the maximum must get
     * −ln 7 (their exps sum to 1). Mathematically x − max is exactly 0 for them; only an evaluation
     * that forms max + ln s first (≈ 1e30, where ln 7 is far below half an ulp) loses it.
     */
    @Test
    void logSoftmaxOfAHugeRowIsAccurate() {
        int cols = 19;
        float[] x = new float[cols];
        for (int j = 0; j < cols; j++) {
            x[j] = j % 3 == 0 ? 1e30f : j % 3 == 1 ? -1e30f : 1e29f;
        }
        for (Kernels k : Tolerances.implementations()) {
            float[] y = new float[cols];
            k.logSoftmaxRows(1, cols, x, 0, cols, y, 0, cols);
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                assertFalse(Float.isNaN(y[j]), k.name() + " logSoftmax of a huge row gave NaN at " + j);
                sum += Math.exp(y[j]);
            }
            assertEquals(-Math.log(7), y[0], 1e-6, k.name() + ": logSoftmax at a maximum of 1e30 (exp-sum " + sum + ")");
        }
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}
