package org.rnn4j.kernel;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Property tests of every kernel of {@link Kernels}: each property runs the scalar twin and (when the
 * Vector API is present) the SIMD implementation on the same random inputs, compares each against
 * the double-precision {@link Reference}, and compares the two implementations with each other.
 *
 * <h2>Inputs</h2>
 * Sizes 0..300 biased to vector-width boundaries ({@link #SPECIAL_SIZES}); offsets 0..9 into arrays
 * that are larger than needed; leading dimensions cols + 0..7. Everything outside a kernel's
 * documented ranges is filled with NaN sentinels (distinct payload per array): reading them would
 * poison a result, and every sentinel must still hold its exact bits after the call (a kernel writes
 * only its output range). Values are sign·mantissa·2^e with e drawn from a per-kernel range
 * ({@link Dist}); array contents come from a {@link SplittableRandom} seeded by a jqwik-generated
 * {@code long}, so every failure is reproducible from jqwik's reported seed and sample.
 *
 * <h2>Tolerances</h2>
 * ε = 2⁻²⁴, γ_K = K·ε/(1 − K·ε) (the bound of K chained roundings). Each bound is derived next to
 * its property from the operation count; {@link Reference} supplies the condition magnitudes
 * (Σ|terms| etc.). Single IEEE operations (add, mul, scale, relu, max) must equal the correctly
 * rounded double result exactly. Where both implementations perform the same operations in the same
 * order (element-wise ops, activations with the own polynomial, fused cell math) they must agree
 * bitwise; where the summation order differs (dot, sum, GEMV, GEMM, softmax, axpy whose scalar form
 * is unfused) they must agree within the sum of their two bounds.
 */
class KernelProperties {

    /**
     * Every kernel method of {@link Kernels} that a property here (or another test class, noted)
     * covers. {@link KernelCoverageTest} fails when a public kernel method is missing from this set.
     */
    static final Set<String> COVERED = Set.of(
            "dot", "axpy", "scale", "add", "mul", "mulAdd", "sum", "sumSquares", "max", "argmax",
            "multAddVec", "multAddTransVec",
            "packBf16", "multAddVecBf16", // Bf16Properties
            "packGemmB", "multAddPacked", // PackedGemmProperties
            "gemm", // and its Parallelism overload: GemmParallelTest
            "multAddTransAPair", // GemmPairProperties
            "mult", "multAdd", "multTransB", "multAddTransB", "multTransA", "multAddTransA",
            "exp", "sigmoid", "tanh", "relu", "sigmoidBackward", "tanhBackward", "reluBackward",
            "softmaxRows", "logSoftmaxRows",
            "lstmCellForward", "lstmCellBackward", "gruCellForward", "gruCellBackward",
            // CellVariantKernelProperties:
            "lstmPeepholeCellForward", "lstmPeepholeCellBackward", "gruResetGateForward",
            "gruResetBeforeCellForward", "gruResetBeforeCellBackward", "gruResetGateBackward", "broadcastRows");

    static final double EPS = Tolerances.EPS;
    /** Relative slack on every bound for the double reference's own rounding (≤ 2⁻⁵³ per op). */
    static final double SLACK = 1 + 0x1p-20;

    static final int[] SPECIAL_SIZES = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65,
        95, 96, 97, 127, 128, 129};
    /** Around {@link Kernels#BLOCK}, for the reductions whose float partial sums are blocked. */
    static final int[] BLOCK_SIZES = {1023, 1024, 1025, 2047, 2048, 2049, 3100};

    static double gamma(int k) {
        return k * EPS / (1 - k * EPS);
    }

    // ================================================================== arbitraries

    @Provide
    Arbitrary<Integer> size() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(boxed(SPECIAL_SIZES))),
                Tuple.of(2, Arbitraries.integers().between(0, 300)));
    }

    /** Sizes for dot/sum/sumSquares: also across the float-block boundary. */
    @Provide
    Arbitrary<Integer> longSize() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, size()),
                Tuple.of(1, Arbitraries.of(boxed(BLOCK_SIZES))));
    }

    @Provide
    Arbitrary<Integer> offset() {
        return Arbitraries.integers().between(0, 9);
    }

    @Provide
    Arbitrary<Integer> ldPad() {
        return Arbitraries.integers().between(0, 7);
    }

    @Provide
    Arbitrary<Integer> rows() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(0, 1, 2, 3)),
                Tuple.of(1, Arbitraries.integers().between(0, 9)));
    }

    /**
     * Scalars of axpy/scale/GEMM: 1, −0.5, sign·mantissa·2^e with e in −3..3, and now and then 0
     * (GEMM with alpha = 0 must give beta·C without reading A and B).
     */
    @Provide
    Arbitrary<Float> alpha() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(1f)),
                Tuple.of(4, Arbitraries.just(-0.5f)),
                Tuple.of(8, randomScalar()),
                Tuple.of(1, Arbitraries.just(0f)));
    }

    @Provide
    Arbitrary<Float> beta() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0f)),
                Tuple.of(1, Arbitraries.just(1f)),
                Tuple.of(2, randomScalar()));
    }

    static Arbitrary<Float> randomScalar() {
        return Combinators.combine(
                Arbitraries.of(1f, -1f),
                Arbitraries.integers().between(0, (1 << 23) - 1),
                Arbitraries.integers().between(-3, 3))
                .as((s, m, e) -> s * Math.scalb(1f + m * 0x1p-23f, e));
    }

    /** GEMM dimensions up to 80, biased to the special sizes. */
    static Arbitrary<Integer> gemmDim() {
        Integer[] small = java.util.Arrays.stream(SPECIAL_SIZES).filter(v -> v <= 80).boxed().toArray(Integer[]::new);
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(small)),
                Tuple.of(2, Arbitraries.integers().between(0, 80)));
    }

    record Shape(int m, int n, int k) {}

    /**
     * (m, n, k) up to 80 each; one try in five stretches one dimension to 81..300 and caps the other
     * two at 48, so the work per try stays below ~0.7 M multiply-adds.
     */
    @Provide
    Arbitrary<Shape> gemmShape() {
        return Combinators.combine(gemmDim(), gemmDim(), gemmDim(),
                Arbitraries.integers().between(0, 14), Arbitraries.integers().between(81, 300))
                .as((m, n, k, which, big) -> switch (which) {
                    case 0 -> new Shape(big, Math.min(n, 48), Math.min(k, 48));
                    case 1 -> new Shape(Math.min(m, 48), big, Math.min(k, 48));
                    case 2 -> new Shape(Math.min(m, 48), Math.min(n, 48), big);
                    default -> new Shape(m, n, k);
                });
    }

    /** Shapes of the big-M (Goto) path: m > MC = 144, k across the KC = 256 block boundary. */
    @Provide
    Arbitrary<Shape> gotoShape() {
        Arbitrary<Integer> m = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(145, 150, 151, 288, 289, 300)),
                Tuple.of(1, Arbitraries.integers().between(145, 300)));
        Arbitrary<Integer> n = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(1, 7, 15, 16, 17, 31, 32, 33)),
                Tuple.of(1, Arbitraries.integers().between(0, 40)));
        Arbitrary<Integer> k = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(1, 255, 256, 257, 300, 511, 512, 513)),
                Tuple.of(1, Arbitraries.integers().between(0, 600)));
        return Combinators.combine(m, n, k).as(Shape::new);
    }

    static Integer[] boxed(int[] a) {
        return java.util.Arrays.stream(a).boxed().toArray(Integer[]::new);
    }

    // ================================================================== value generation

    /** Value distributions: sign · mantissa · 2^e with e in [eMin, eMax]. */
    enum Dist {
        /** Level-1 and GEMM: e in −10..10, ±0 one time in 40. */
        WIDE,
        /** Activation arguments: e in −4..4, and one time in 16 a magnitude in [20, 40]. */
        ACT,
        /** Outputs of σ: σ(v) for v from ACT. */
        UNIT,
        /** Outputs of tanh: tanh(v) for v from ACT. */
        SIGNED_UNIT,
        /** Few distinct values (integers −3..3, ±0): ties for max/argmax. */
        TIES
    }

    static final class Gen {
        final SplittableRandom rnd;
        int arrays;

        Gen(long seed) {
            rnd = new SplittableRandom(seed);
        }

        float value(Dist d) {
            switch (d) {
                case UNIT:
                    return (float) Reference.sigmoid(value(Dist.ACT));
                case SIGNED_UNIT:
                    return (float) Reference.tanh(value(Dist.ACT));
                case TIES: {
                    int v = rnd.nextInt(9) - 4;
                    return v == 4 ? -0f : v;
                }
                default:
            }
            int eMin = d == Dist.WIDE ? -10 : -4, eMax = d == Dist.WIDE ? 10 : 4;
            float sign = rnd.nextBoolean() ? 1f : -1f;
            if (d == Dist.WIDE && rnd.nextInt(40) == 0) {
                return sign * 0f;
            }
            if (d == Dist.ACT && rnd.nextInt(16) == 0) {
                return sign * (20f + 20f * (float) rnd.nextDouble());
            }
            float mant = 1f + rnd.nextInt(1 << 23) * 0x1p-23f;
            return sign * Math.scalb(mant, eMin + rnd.nextInt(eMax - eMin + 1));
        }

        /** A NaN with a payload of its own, so that a value copied out of the wrong array is seen. */
        float sentinel() {
            return Float.intBitsToFloat(0x7fc01000 + (arrays++ & 0xfff));
        }

        /** An array holding {@code len} values at {@code off}, 0..9 sentinels after, sentinels before. */
        float[] vec(Dist d, int off, int len) {
            return mat(d, off, 1, len, len);
        }

        /** A (rows, cols) matrix at off with leading dimension ld; sentinels everywhere else. */
        float[] mat(Dist d, int off, int rows, int cols, int ld) {
            int used = rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols;
            float[] a = new float[off + used + rnd.nextInt(10)];
            java.util.Arrays.fill(a, sentinel());
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    a[off + r * ld + c] = value(d);
                }
            }
            return a;
        }

        /** Fills the (rows, cols) window with NaN: the "C is not read when beta == 0" probe. */
        static void nanWindow(float[] a, int off, int rows, int cols, int ld) {
            for (int r = 0; r < rows && cols > 0; r++) {
                java.util.Arrays.fill(a, off + r * ld, off + r * ld + cols, Float.NaN);
            }
        }
    }

    // ================================================================== assertions

    static List<Kernels> impls() {
        return Tolerances.implementations();
    }

    static boolean twinActivationsBitwise() {
        return Tolerances.simdUsesOwnPolynomial();
    }

    static AssertionError failure(String msg) {
        return new AssertionError(msg);
    }

    /** |got − ref| ≤ tol·SLACK (NaN fails). */
    static void near(String what, double got, double ref, double tol) {
        near(what, -1, null, got, ref, tol);
    }

    /** Element {@code idx} of {@code op}: |got − ref| ≤ tol·SLACK; the message (with detail) is built only on failure. */
    static void near(String op, int idx, IntFunction<String> detail, double got, double ref, double tol) {
        double err = Math.abs(got - ref);
        if (!(err <= tol * SLACK) && !(got == ref)) {
            throw failure(where(op, idx, detail) + ": got " + got + ", reference " + ref + ", error " + err + " > bound " + tol);
        }
    }

    static String where(String op, int idx, IntFunction<String> detail) {
        return op + (idx >= 0 ? "[" + idx + "]" : "") + (detail == null ? "" : " " + detail.apply(idx));
    }

    /** got is bitwise the correctly rounded reference. */
    static void exact(String op, int idx, IntFunction<String> detail, float got, double ref) {
        if (Float.floatToIntBits(got) != Float.floatToIntBits((float) ref)) {
            throw failure(where(op, idx, detail) + ": got " + got + ", correctly rounded reference " + (float) ref + " (" + ref + ")");
        }
    }

    static void sameBits(String op, int idx, float scalar, float simd) {
        if (Float.floatToIntBits(scalar) != Float.floatToIntBits(simd)) {
            throw failure(where(op, idx, null) + ": simd " + simd + " != scalar " + scalar + " (must be bitwise equal)");
        }
    }

    /** The whole array is bitwise as before: an input, or an output outside the written window. */
    static void unchanged(String what, float[] before, float[] after) {
        for (int i = 0; i < before.length; i++) {
            if (Float.floatToRawIntBits(before[i]) != Float.floatToRawIntBits(after[i])) {
                throw failure(what + ": element " + i + " changed from " + before[i] + " to " + after[i]
                        + " although the kernel must not write it");
            }
        }
    }

    /** Everything outside the (rows, cols, ld) window at off is bitwise as before. */
    static void onlyWindowWritten(String what, float[] before, float[] after, int off, int rows, int cols, int ld) {
        for (int i = 0; i < before.length; i++) {
            int rel = i - off;
            boolean inside = rows > 0 && cols > 0 && rel >= 0 && rel / ld < rows && rel % ld < cols;
            if (!inside && Float.floatToRawIntBits(before[i]) != Float.floatToRawIntBits(after[i])) {
                throw failure(what + ": element " + i + " outside the output range [" + off + ", " + rows + "x"
                        + cols + " ld " + ld + "] changed from " + before[i] + " to " + after[i]);
            }
        }
    }

    static void onlyRangeWritten(String what, float[] before, float[] after, int off, int len) {
        onlyWindowWritten(what, before, after, off, 1, len, Math.max(1, len));
    }


    // ================================================================== level 1

    /*
     * dot / sum / sumSquares: float partial sums over blocks of at most BLOCK elements, in any order
     * (the SIMD path in several lanes and accumulators), then the block sums in double: a float
     * summation of b ≤ min(n, BLOCK) terms errs by ≤ γ_b·Σ|terms| (+1 rounding per product; the
     * lane reduction adds log₂L ≤ 4 more levels at most), the double steps are negligible, and the
     * final cast to float adds ε·|ref|. Hence (min(n, BLOCK) + 4)·ε·Σ|terms| + ε·|ref|.
     */
    static double sumBound(int n, double cond, double ref) {
        return gamma(Math.min(n, Kernels.BLOCK) + 4) * cond + EPS * Math.abs(ref);
    }

    @Property(tries = 1000)
    void dot(@ForAll("longSize") int n, @ForAll("offset") int xOff, @ForAll("offset") int yOff, @ForAll long seed) {
        Gen g = new Gen(seed);
        float[] x = g.vec(Dist.WIDE, xOff, n), y = g.vec(Dist.WIDE, yOff, n);
        Reference.Scalar ref = Reference.dot(n, x, xOff, y, yOff);
        double tol = sumBound(n, ref.cond(), ref.value());
        float[] got = new float[2];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] xc = x.clone(), yc = y.clone();
            got[t] = k.dot(n, xc, xOff, yc, yOff);
            near(k.name() + " dot n=" + n, got[t], ref.value(), tol);
            unchanged(k.name() + " dot x", x, xc);
            unchanged(k.name() + " dot y", y, yc);
        }
        if (impls().size() == 2) {
            near("dot simd vs scalar n=" + n, got[1], got[0], 2 * tol);
        }
    }

    @Property(tries = 1000)
    void sum(@ForAll("longSize") int n, @ForAll("offset") int xOff, @ForAll long seed) {
        Gen g = new Gen(seed);
        float[] x = g.vec(Dist.WIDE, xOff, n);
        Reference.Scalar ref = Reference.sum(n, x, xOff);
        double tol = sumBound(n, ref.cond(), ref.value());
        double[] got = new double[2];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] xc = x.clone();
            got[t] = k.sum(n, xc, xOff);
            near(k.name() + " sum n=" + n, got[t], ref.value(), tol);
            unchanged(k.name() + " sum x", x, xc);
        }
        if (impls().size() == 2) {
            near("sum simd vs scalar n=" + n, got[1], got[0], 2 * tol);
        }
    }

    @Property(tries = 1000)
    void sumSquares(@ForAll("longSize") int n, @ForAll("offset") int xOff, @ForAll long seed) {
        Gen g = new Gen(seed);
        float[] x = g.vec(Dist.WIDE, xOff, n);
        Reference.Scalar ref = Reference.sumSquares(n, x, xOff);
        double tol = sumBound(n, ref.cond(), ref.value());
        double[] got = new double[2];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] xc = x.clone();
            got[t] = k.sumSquares(n, xc, xOff);
            near(k.name() + " sumSquares n=" + n, got[t], ref.value(), tol);
            unchanged(k.name() + " sumSquares x", x, xc);
        }
        if (impls().size() == 2) {
            near("sumSquares simd vs scalar n=" + n, got[1], got[0], 2 * tol);
        }
    }

    /*
     * axpy: y + alpha·x with one rounding (fma) or two (product, then sum): |err| ≤ ε·|ref| +
     * ε(1 + ε)·|alpha·x|. The scalar twin is unfused and the SIMD path fused, so the twins are
     * compared within the sum of both bounds.
     */
    @Property(tries = 1250)
    void axpy(@ForAll("size") int n, @ForAll("alpha") float alpha, @ForAll("offset") int xOff,
              @ForAll("offset") int yOff, @ForAll long seed) {
        Gen g = new Gen(seed);
        float[] x = g.vec(Dist.WIDE, xOff, n), y = g.vec(Dist.WIDE, yOff, n);
        Reference.Vec ref = Reference.axpy(n, alpha, x, xOff, y, yOff);
        float[][] out = new float[2][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] xc = x.clone(), yc = y.clone();
            k.axpy(n, alpha, xc, xOff, yc, yOff);
            for (int i = 0; i < n; i++) {
                near(k.name() + " axpy", i, null, yc[yOff + i], ref.value()[i], axpyBound(ref, i));
            }
            unchanged(k.name() + " axpy x", x, xc);
            onlyRangeWritten(k.name() + " axpy y", y, yc, yOff, n);
            out[t] = yc;
        }
        if (impls().size() == 2) {
            for (int i = 0; i < n; i++) {
                near("axpy simd vs scalar", i, null, out[1][yOff + i], out[0][yOff + i], 2 * axpyBound(ref, i));
            }
        }
    }

    static double axpyBound(Reference.Vec ref, int i) {
        return EPS * Math.abs(ref.value()[i]) + EPS * (1 + EPS) * ref.cond()[i];
    }

    /** x·alpha is one IEEE multiplication: exactly the correctly rounded product; twins bitwise. */
    @Property(tries = 1250)
    void scale(@ForAll("size") int n, @ForAll("alpha") float alpha, @ForAll("offset") int xOff, @ForAll long seed) {
        Gen g = new Gen(seed);
        float[] x = g.vec(Dist.WIDE, xOff, n);
        double[] ref = Reference.scale(n, alpha, x, xOff);
        float[][] out = new float[2][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] xc = x.clone();
            k.scale(n, alpha, xc, xOff);
            for (int i = 0; i < n; i++) {
                exact(k.name() + " scale", i, null, xc[xOff + i], ref[i]);
            }
            onlyRangeWritten(k.name() + " scale x", x, xc, xOff, n);
            out[t] = xc;
        }
        twinBitwise("scale", out, xOff, n);
    }

    static void twinBitwise(String op, float[][] out, int off, int n) {
        if (out[1] == null) {
            return;
        }
        for (int i = 0; i < n; i++) {
            sameBits(op, i, out[0][off + i], out[1][off + i]);
        }
    }

    /** Where the output goes: a separate array, or exactly input a, or exactly input b. */
    @Provide
    Arbitrary<Integer> alias() {
        return Arbitraries.of(0, 0, 1, 2);
    }

    @Property(tries = 1250)
    void add(@ForAll("size") int n, @ForAll("offset") int aOff, @ForAll("offset") int bOff, @ForAll("offset") int oOff,
             @ForAll("alias") int alias, @ForAll long seed) {
        binaryExact("add", n, aOff, bOff, oOff, alias, seed);
    }

    @Property(tries = 1250)
    void mul(@ForAll("size") int n, @ForAll("offset") int aOff, @ForAll("offset") int bOff, @ForAll("offset") int oOff,
             @ForAll("alias") int alias, @ForAll long seed) {
        binaryExact("mul", n, aOff, bOff, oOff, alias, seed);
    }

    /** a+b and a·b are single IEEE operations: exactly the correctly rounded double result; twins bitwise. */
    static void binaryExact(String op, int n, int aOff, int bOff, int oOff, int alias, long seed) {
        Gen g = new Gen(seed);
        float[] a = g.vec(Dist.WIDE, aOff, n), b = g.vec(Dist.WIDE, bOff, n), o = g.vec(Dist.WIDE, oOff, n);
        double[] ref = op.equals("add") ? Reference.add(n, a, aOff, b, bOff) : Reference.mul(n, a, aOff, b, bOff);
        float[][] out = new float[2][];
        int off = alias == 1 ? aOff : alias == 2 ? bOff : oOff;
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] ac = a.clone(), bc = b.clone(), oc = alias == 1 ? ac : alias == 2 ? bc : o.clone();
            if (op.equals("add")) {
                k.add(n, ac, aOff, bc, bOff, oc, off);
            } else {
                k.mul(n, ac, aOff, bc, bOff, oc, off);
            }
            for (int i = 0; i < n; i++) {
                exact(k.name() + " " + op + " alias=" + alias, i, null, oc[off + i], ref[i]);
            }
            if (alias != 1) {
                unchanged(k.name() + " " + op + " a", a, ac);
            }
            if (alias != 2) {
                unchanged(k.name() + " " + op + " b", b, bc);
            }
            onlyRangeWritten(k.name() + " " + op + " out", alias == 1 ? a : alias == 2 ? b : o, oc, off, n);
            out[t] = oc;
        }
        twinBitwise(op, out, off, n);
    }

    /*
     * mulAdd is documented as a fused multiply-add: one rounding of the exact a·b + y, so
     * |got − ref| ≤ ε·|ref| (the double reference is itself within 2⁻⁵³ of exact: SLACK). Twins
     * bitwise (both fuse).
     */
    @Property(tries = 1250)
    void mulAdd(@ForAll("size") int n, @ForAll("offset") int aOff, @ForAll("offset") int bOff, @ForAll("offset") int yOff,
                @ForAll long seed) {
        Gen g = new Gen(seed);
        float[] a = g.vec(Dist.WIDE, aOff, n), b = g.vec(Dist.WIDE, bOff, n), y = g.vec(Dist.WIDE, yOff, n);
        Reference.Vec ref = Reference.mulAdd(n, a, aOff, b, bOff, y, yOff);
        float[][] out = new float[2][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] ac = a.clone(), bc = b.clone(), yc = y.clone();
            k.mulAdd(n, ac, aOff, bc, bOff, yc, yOff);
            for (int i = 0; i < n; i++) {
                near(k.name() + " mulAdd", i, null, yc[yOff + i], ref.value()[i], EPS * Math.abs(ref.value()[i]) + 0x1p-52 * ref.cond()[i]);
            }
            unchanged(k.name() + " mulAdd a", a, ac);
            unchanged(k.name() + " mulAdd b", b, bc);
            onlyRangeWritten(k.name() + " mulAdd y", y, yc, yOff, n);
            out[t] = yc;
        }
        twinBitwise("mulAdd", out, yOff, n);
    }

    @Provide
    Arbitrary<Integer> positiveSize() {
        return size().map(n -> Math.max(1, n));
    }

    /** max is exact: the reference maximum itself; twins bitwise. Ties and ±0 via Dist.TIES. */
    @Property(tries = 1250)
    void max(@ForAll("positiveSize") int n, @ForAll("offset") int xOff, @ForAll boolean ties, @ForAll long seed) {
        Gen g = new Gen(seed);
        float[] x = g.vec(ties ? Dist.TIES : Dist.WIDE, xOff, n);
        double ref = Reference.max(n, x, xOff);
        float[] got = new float[2];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] xc = x.clone();
            got[t] = k.max(n, xc, xOff);
            if (got[t] != ref) {
                throw failure(k.name() + " max n=" + n + ": got " + got[t] + ", reference " + ref);
            }
            unchanged(k.name() + " max x", x, xc);
        }
        if (impls().size() == 2) {
            sameBits("max n=" + n, -1, got[0], got[1]);
        }
    }

    /** argmax: the index of the first element equal to the maximum (ties are common with Dist.TIES). */
    @Property(tries = 1250)
    void argmax(@ForAll("positiveSize") int n, @ForAll("offset") int xOff, @ForAll boolean ties, @ForAll long seed) {
        Gen g = new Gen(seed);
        float[] x = g.vec(ties ? Dist.TIES : Dist.WIDE, xOff, n);
        int ref = Reference.argmax(n, x, xOff);
        for (Kernels k : impls()) {
            float[] xc = x.clone();
            int got = k.argmax(n, xc, xOff);
            if (got != ref) {
                throw failure(k.name() + " argmax n=" + n + ": got " + got + " (" + x[xOff + got] + "), reference "
                        + ref + " (" + x[xOff + ref] + ")");
            }
            unchanged(k.name() + " argmax x", x, xc);
        }
    }

    // ================================================================== GEMV

    /*
     * y += A·x: each y_i is a float dot product over a row (≤ min(n, BLOCK) + 4 roundings per term,
     * as for dot) and one add into y: (min(n, BLOCK) + 4)·ε·Σ_j|a_ij·x_j| + ε·|ref_i|.
     */
    @Property(tries = 750)
    void multAddVec(@ForAll("size") int m, @ForAll("size") int n, @ForAll("offset") int aOff, @ForAll("ldPad") int pad,
                    @ForAll("offset") int xOff, @ForAll("offset") int yOff, @ForAll long seed) {
        Gen g = new Gen(seed);
        int lda = Math.max(1, n) + pad;
        float[] a = g.mat(Dist.WIDE, aOff, m, n, lda), x = g.vec(Dist.WIDE, xOff, n), y = g.vec(Dist.WIDE, yOff, m);
        Reference.Acc ref = Reference.gemv(m, n, a, aOff, lda, x, xOff, y, yOff);
        float[][] out = new float[2][];
        double[] tol = new double[m];
        for (int i = 0; i < m; i++) {
            tol[i] = gamma(Math.min(n, Kernels.BLOCK) + 4) * ref.sumAbsProducts()[i] + EPS * Math.abs(ref.value()[i]);
        }
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] ac = a.clone(), xc = x.clone(), yc = y.clone();
            k.multAddVec(m, n, ac, aOff, lda, xc, xOff, yc, yOff);
            for (int i = 0; i < m; i++) {
                near(k.name() + " multAddVec " + m + "x" + n, i, null, yc[yOff + i], ref.value()[i], tol[i]);
            }
            unchanged(k.name() + " multAddVec A", a, ac);
            unchanged(k.name() + " multAddVec x", x, xc);
            onlyRangeWritten(k.name() + " multAddVec y", y, yc, yOff, m);
            out[t] = yc;
        }
        if (out[1] != null) {
            for (int i = 0; i < m; i++) {
                near("multAddVec simd vs scalar", i, null, out[1][yOff + i], out[0][yOff + i], 2 * tol[i]);
            }
        }
    }

    /*
     * y += Aᵀ·x: each y_j is accumulated over the m rows, starting from the old y_j, in a chain of m
     * (fused or unfused) multiply-adds: every term, the old y_j included, sees at most m + 1
     * roundings: (m + 4)·ε·(Σ_i|a_ij·x_i| + |y_j|).
     */
    @Property(tries = 750)
    void multAddTransVec(@ForAll("size") int m, @ForAll("size") int n, @ForAll("offset") int aOff, @ForAll("ldPad") int pad,
                         @ForAll("offset") int xOff, @ForAll("offset") int yOff, @ForAll long seed) {
        Gen g = new Gen(seed);
        int lda = Math.max(1, n) + pad;
        float[] a = g.mat(Dist.WIDE, aOff, m, n, lda), x = g.vec(Dist.WIDE, xOff, m), y = g.vec(Dist.WIDE, yOff, n);
        Reference.Acc ref = Reference.gemvT(m, n, a, aOff, lda, x, xOff, y, yOff);
        float[][] out = new float[2][];
        double[] tol = new double[n];
        for (int j = 0; j < n; j++) {
            tol[j] = gamma(m + 4) * (ref.sumAbsProducts()[j] + ref.absOld()[j]);
        }
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] ac = a.clone(), xc = x.clone(), yc = y.clone();
            k.multAddTransVec(m, n, ac, aOff, lda, xc, xOff, yc, yOff);
            for (int j = 0; j < n; j++) {
                near(k.name() + " multAddTransVec " + m + "x" + n, j, null, yc[yOff + j], ref.value()[j], tol[j]);
            }
            unchanged(k.name() + " multAddTransVec A", a, ac);
            unchanged(k.name() + " multAddTransVec x", x, xc);
            onlyRangeWritten(k.name() + " multAddTransVec y", y, yc, yOff, n);
            out[t] = yc;
        }
        if (out[1] != null) {
            for (int j = 0; j < n; j++) {
                near("multAddTransVec simd vs scalar", j, null, out[1][yOff + j], out[0][yOff + j], 2 * tol[j]);
            }
        }
    }

    // ================================================================== GEMM

    /**
     * Per-element GEMM bound of one implementation, from its operation sequence.
     * <ul>
     * <li>SIMD (packed): alpha is applied while packing A (1 rounding), each K block of at most KC
     *     is an FMA chain from 0 (≤ min(k, KC) roundings per term), then one add into C per block
     *     (nb = ⌈k/KC⌉ adds): γ(min(k, KC) + 1 + nb)·Σ_p|alpha·a_ip·b_pj|, and beta·c takes its own
     *     rounding plus the nb adds: γ(1 + nb)·|beta·c_ij|. For k ≤ KC this is the documented
     *     (k + 4)·ε·Σ|alpha·a·b| + 2ε·|beta·c|.</li>
     * <li>Scalar twin: i-p-j order adds every product (alpha·a, then ·b: 2 roundings) straight into
     *     C, so beta·c is part of a chain of k adds: γ(k + 2)·Σ|alpha·a·b| + γ(k + 1)·|beta·c|. (Its
     *     A·Bᵀ form, a dot then alpha·s then one add, is within the same bound.)</li>
     * </ul>
     */
    static double gemmBound(Kernels k, int m, int kk, double sumAbs, double absBetaC) {
        if (k == Kernels.scalar()) {
            return gamma(kk + 2) * sumAbs + gamma(kk + 1) * absBetaC;
        }
        int kc = VectorGemm.KC;
        int nb = (kk + kc - 1) / kc;
        return gamma(Math.min(kk, kc) + 1 + nb + 1) * sumAbs + gamma(1 + nb) * absBetaC;
    }

    @Property(tries = 1000)
    void gemm(@ForAll boolean transA, @ForAll boolean transB, @ForAll("gemmShape") Shape s,
              @ForAll("alpha") float alpha, @ForAll("beta") float beta,
              @ForAll("offset") int aOff, @ForAll("offset") int bOff, @ForAll("offset") int cOff,
              @ForAll("ldPad") int padA, @ForAll("ldPad") int padB, @ForAll("ldPad") int padC, @ForAll long seed) {
        checkGemm(transA, transB, s, alpha, beta, aOff, bOff, cOff, padA, padB, padC, seed, -1);
    }

    /** The big-M (Goto) path of the packed GEMM: m > MC, with several K blocks (k > KC). */
    @Property(tries = 100)
    void gemmGotoPath(@ForAll boolean transA, @ForAll boolean transB, @ForAll("gotoShape") Shape s,
                      @ForAll("alpha") float alpha, @ForAll("beta") float beta,
                      @ForAll("offset") int cOff, @ForAll("ldPad") int padA, @ForAll("ldPad") int padC, @ForAll long seed) {
        checkGemm(transA, transB, s, alpha, beta, 3, 5, cOff, padA, 2, padC, seed, -1);
    }

    /** mult, multAdd, multTransB, multAddTransB, multTransA, multAddTransA: fixed trans, alpha = 1, beta ∈ {0, 1}. */
    @Property(tries = 375)
    void gemmConvenienceForms(@ForAll("form") int form, @ForAll("gemmShape") Shape s,
                              @ForAll("offset") int aOff, @ForAll("offset") int bOff, @ForAll("offset") int cOff,
                              @ForAll("ldPad") int padA, @ForAll("ldPad") int padB, @ForAll("ldPad") int padC, @ForAll long seed) {
        boolean transA = form >= 4, transB = form == 2 || form == 3;
        float beta = form % 2 == 0 ? 0f : 1f;
        checkGemm(transA, transB, s, 1f, beta, aOff, bOff, cOff, padA, padB, padC, seed, form);
    }

    @Provide
    Arbitrary<Integer> form() {
        return Arbitraries.integers().between(0, 5);
    }

    static final String[] FORMS = {"mult", "multAdd", "multTransB", "multAddTransB", "multTransA", "multAddTransA"};

    static void checkGemm(boolean transA, boolean transB, Shape s, float alpha, float beta,
                          int aOff, int bOff, int cOff, int padA, int padB, int padC, long seed, int form) {
        int m = s.m(), n = s.n(), kk = s.k();
        Gen g = new Gen(seed);
        int aRows = transA ? kk : m, aCols = transA ? m : kk, bRows = transB ? n : kk, bCols = transB ? kk : n;
        int lda = Math.max(1, aCols) + padA, ldb = Math.max(1, bCols) + padB, ldc = Math.max(1, n) + padC;
        float[] a = g.mat(Dist.WIDE, aOff, aRows, aCols, lda), b = g.mat(Dist.WIDE, bOff, bRows, bCols, ldb);
        float[] c = g.mat(Dist.WIDE, cOff, m, n, ldc);
        if (beta == 0f) {
            Gen.nanWindow(c, cOff, m, n, ldc); // BLAS: C is not read when beta == 0
        }
        Reference.Acc ref = Reference.gemm(transA, transB, m, n, kk, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        String op = (form >= 0 ? FORMS[form] : "gemm") + "(transA=" + transA + ", transB=" + transB + ", " + m + "x" + n + "x" + kk
                + ", alpha=" + alpha + ", beta=" + beta + ", lda=" + lda + ", ldb=" + ldb + ", ldc=" + ldc + ")";
        float[][] out = new float[2][];
        double[][] tol = new double[2][m * n];
        IntFunction<String> cij = e -> "C[" + e / n + "," + e % n + "]";
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] ac = a.clone(), bc = b.clone(), cc = c.clone();
            switch (form) {
                case 0 -> k.mult(m, n, kk, ac, aOff, lda, bc, bOff, ldb, cc, cOff, ldc);
                case 1 -> k.multAdd(m, n, kk, ac, aOff, lda, bc, bOff, ldb, cc, cOff, ldc);
                case 2 -> k.multTransB(m, n, kk, ac, aOff, lda, bc, bOff, ldb, cc, cOff, ldc);
                case 3 -> k.multAddTransB(m, n, kk, ac, aOff, lda, bc, bOff, ldb, cc, cOff, ldc);
                case 4 -> k.multTransA(m, n, kk, ac, aOff, lda, bc, bOff, ldb, cc, cOff, ldc);
                case 5 -> k.multAddTransA(m, n, kk, ac, aOff, lda, bc, bOff, ldb, cc, cOff, ldc);
                default -> k.gemm(transA, transB, m, n, kk, alpha, ac, aOff, lda, bc, bOff, ldb, beta, cc, cOff, ldc);
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int e = i * n + j;
                    float got = cc[cOff + i * ldc + j];
                    if (Float.isNaN(got)) {
                        throw failure(k.name() + " " + op + ": C[" + i + "," + j + "] is NaN"
                                + (beta == 0f ? " (C must not be read when beta == 0)" : ""));
                    }
                    tol[t][e] = gemmBound(k, m, kk, ref.sumAbsProducts()[e], ref.absOld()[e]);
                    near(k.name() + " " + op, e, cij, got, ref.value()[e], tol[t][e]);
                }
            }
            unchanged(k.name() + " " + op + " A", a, ac);
            unchanged(k.name() + " " + op + " B", b, bc);
            onlyWindowWritten(k.name() + " " + op + " C", c, cc, cOff, m, n, ldc);
            out[t] = cc;
        }
        if (out[1] != null) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int e = i * n + j;
                    near(op + " simd vs scalar", e, cij, out[1][cOff + i * ldc + j], out[0][cOff + i * ldc + j], tol[0][e] + tol[1][e]);
                }
            }
        }
    }

    // ================================================================== activations

    @Provide
    Arbitrary<Boolean> inPlace() {
        return Arbitraries.of(false, false, true);
    }

    enum Act { EXP, SIGMOID, TANH, RELU }

    /*
     * exp, sigmoid, tanh: within the ulp bounds measured by ActivationAccuracyTest (Tolerances);
     * twins bitwise with the own polynomial (same FMA sequence per lane). relu is max(x, 0), exact;
     * twins bitwise.
     */
    @Property(tries = 1000)
    void exp(@ForAll("size") int n, @ForAll("offset") int xOff, @ForAll("offset") int yOff,
             @ForAll("inPlace") boolean inPlace, @ForAll long seed) {
        checkActivation(Act.EXP, n, xOff, yOff, inPlace, seed);
    }

    @Property(tries = 1000)
    void sigmoid(@ForAll("size") int n, @ForAll("offset") int xOff, @ForAll("offset") int yOff,
                 @ForAll("inPlace") boolean inPlace, @ForAll long seed) {
        checkActivation(Act.SIGMOID, n, xOff, yOff, inPlace, seed);
    }

    @Property(tries = 1000)
    void tanh(@ForAll("size") int n, @ForAll("offset") int xOff, @ForAll("offset") int yOff,
              @ForAll("inPlace") boolean inPlace, @ForAll long seed) {
        checkActivation(Act.TANH, n, xOff, yOff, inPlace, seed);
    }

    @Property(tries = 1000)
    void relu(@ForAll("size") int n, @ForAll("offset") int xOff, @ForAll("offset") int yOff,
              @ForAll("inPlace") boolean inPlace, @ForAll long seed) {
        checkActivation(Act.RELU, n, xOff, yOff, inPlace, seed);
    }

    static void checkActivation(Act act, int n, int xOff, int yOff, boolean inPlace, long seed) {
        Gen g = new Gen(seed);
        float[] x = g.vec(act == Act.RELU ? Dist.WIDE : Dist.ACT, xOff, n);
        float[] y = g.vec(Dist.WIDE, yOff, n);
        int off = inPlace ? xOff : yOff;
        float[][] out = new float[2][];
        String op = act.name().toLowerCase(java.util.Locale.ROOT);
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] xc = x.clone(), yc = inPlace ? xc : y.clone();
            switch (act) {
                case EXP -> k.exp(n, xc, xOff, yc, off);
                case SIGMOID -> k.sigmoid(n, xc, xOff, yc, off);
                case TANH -> k.tanh(n, xc, xOff, yc, off);
                default -> k.relu(n, xc, xOff, yc, off);
            }
            // The measured bounds are those of rnn4j's polynomial; with -Drnn4j.vector.math=svml the
            // SIMD transcendental accuracy is SVML's and is not asserted here.
            boolean poly = k == Kernels.scalar() || Tolerances.simdUsesOwnPolynomial();
            String where = k.name() + " " + op;
            IntFunction<String> detail = i -> "x=" + x[xOff + i];
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i], got = yc[off + i];
                switch (act) {
                    case EXP -> ulps(where, i, detail, got, Reference.exp(xi), poly ? Tolerances.EXP_MAX_ULP : Double.POSITIVE_INFINITY);
                    case SIGMOID -> ulps(where, i, detail, got, Reference.sigmoid(xi), poly ? Tolerances.SIGMOID_MAX_ULP : Double.POSITIVE_INFINITY);
                    case TANH -> ulps(where, i, detail, got, Reference.tanh(xi), poly ? Tolerances.TANH_MAX_ULP : Double.POSITIVE_INFINITY);
                    default -> exact(where, i, detail, got, Reference.relu(xi));
                }
            }
            if (!inPlace) {
                unchanged(k.name() + " " + op + " x", x, xc);
            }
            onlyRangeWritten(k.name() + " " + op + " y", inPlace ? x : y, yc, off, n);
            out[t] = yc;
        }
        if (act == Act.RELU || twinActivationsBitwise()) {
            twinBitwise(op, out, off, n);
        }
    }

    static void ulps(String op, int idx, IntFunction<String> detail, float got, double ref, double maxUlp) {
        double e = Tolerances.ulpError(got, ref);
        if (!(e <= maxUlp)) {
            throw failure(where(op, idx, detail) + ": got " + got + ", reference " + ref + ", " + e + " ulp > " + maxUlp);
        }
    }

    /*
     * Derivatives from the output (straight-line float programs, bound γ_K·cond with cond the
     * expression on absolute values): dy·(y·(1−y)) has K = 3 roundings; dy·(1−y²) has K ≤ 3 (fma or
     * square and subtract, then the product); relu' is a selection, exact. Twins bitwise.
     */
    @Property(tries = 1000)
    void sigmoidBackward(@ForAll("size") int n, @ForAll("offset") int yOff, @ForAll("offset") int dyOff,
                         @ForAll("offset") int dxOff, @ForAll("inPlace") boolean inPlace, @ForAll long seed) {
        checkBackward(Act.SIGMOID, n, yOff, dyOff, dxOff, inPlace, seed);
    }

    @Property(tries = 1000)
    void tanhBackward(@ForAll("size") int n, @ForAll("offset") int yOff, @ForAll("offset") int dyOff,
                      @ForAll("offset") int dxOff, @ForAll("inPlace") boolean inPlace, @ForAll long seed) {
        checkBackward(Act.TANH, n, yOff, dyOff, dxOff, inPlace, seed);
    }

    @Property(tries = 1000)
    void reluBackward(@ForAll("size") int n, @ForAll("offset") int yOff, @ForAll("offset") int dyOff,
                      @ForAll("offset") int dxOff, @ForAll("inPlace") boolean inPlace, @ForAll long seed) {
        checkBackward(Act.RELU, n, yOff, dyOff, dxOff, inPlace, seed);
    }

    static void checkBackward(Act act, int n, int yOff, int dyOff, int dxOff, boolean inPlace, long seed) {
        Gen g = new Gen(seed);
        Dist yd = act == Act.SIGMOID ? Dist.UNIT : act == Act.TANH ? Dist.SIGNED_UNIT : Dist.WIDE;
        float[] y = g.vec(yd, yOff, n), dy = g.vec(Dist.WIDE, dyOff, n), dx = g.vec(Dist.WIDE, dxOff, n);
        int off = inPlace ? dyOff : dxOff;
        Reference.Vec ref = switch (act) {
            case SIGMOID -> Reference.sigmoidBackward(n, y, yOff, dy, dyOff);
            case TANH -> Reference.tanhBackward(n, y, yOff, dy, dyOff);
            default -> new Reference.Vec(Reference.reluBackward(n, y, yOff, dy, dyOff), new double[n]);
        };
        String op = act.name().toLowerCase(java.util.Locale.ROOT) + "Backward";
        float[][] out = new float[2][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] yc = y.clone(), dyc = dy.clone(), dxc = inPlace ? dyc : dx.clone();
            switch (act) {
                case SIGMOID -> k.sigmoidBackward(n, yc, yOff, dyc, dyOff, dxc, off);
                case TANH -> k.tanhBackward(n, yc, yOff, dyc, dyOff, dxc, off);
                default -> k.reluBackward(n, yc, yOff, dyc, dyOff, dxc, off);
            }
            String where = k.name() + " " + op;
            IntFunction<String> detail = i -> "y=" + y[yOff + i] + " dy=" + dy[dyOff + i];
            for (int i = 0; i < n; i++) {
                switch (act) {
                    case SIGMOID, TANH -> near(where, i, detail, dxc[off + i], ref.value()[i], gamma(3) * ref.cond()[i]);
                    default -> exact(where, i, detail, dxc[off + i], ref.value()[i]);
                }
            }
            unchanged(k.name() + " " + op + " y", y, yc);
            if (!inPlace) {
                unchanged(k.name() + " " + op + " dy", dy, dyc);
            }
            onlyRangeWritten(k.name() + " " + op + " dx", inPlace ? dy : dx, dxc, off, n);
            out[t] = dxc;
        }
        twinBitwise(op, out, off, n);
    }

    // ================================================================== softmax

    @Provide
    Arbitrary<Integer> cols() {
        return size().map(c -> Math.max(1, c));
    }

    @Property(tries = 750)
    void softmaxRows(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll("offset") int xOff, @ForAll("ldPad") int padX,
                     @ForAll("offset") int yOff, @ForAll("ldPad") int padY, @ForAll("inPlace") boolean inPlace, @ForAll long seed) {
        checkSoftmax(false, rows, cols, xOff, padX, yOff, padY, inPlace, seed);
    }

    @Property(tries = 750)
    void logSoftmaxRows(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll("offset") int xOff, @ForAll("ldPad") int padX,
                        @ForAll("offset") int yOff, @ForAll("ldPad") int padY, @ForAll("inPlace") boolean inPlace, @ForAll long seed) {
        checkSoftmax(true, rows, cols, xOff, padX, yOff, padY, inPlace, seed);
    }

    /*
     * Softmax bound, per row with maximum m and U = EXP_MAX_ULP:
     *   e_j = exp(fl(x_j − m)): the subtraction errs by ≤ ε|x_j − m| in the exponent, exp by
     *   ≤ U ulp ≤ 2Uε relative, so e_j has relative error ρ_j ≤ 2Uε + ε|x_j − m| (+ 2nd order);
     *   s = Σ e_j in float in any order: all terms positive, so relative error ≤ max ρ + γ(cols);
     *   softmax_j = e_j · fl(1/s): two more roundings ⇒ relative error ≤ ρ_j + σ_s + γ(2).
     *   log-softmax_j = x_j − m − ln s: ln of the float s errs by ≤ σ_s (absolute), its cast to
     *   float by ε|ln s|, and the two float subtractions (in either association) by
     *   ε·(|x_j| + |m| + |ln s|) each.
     * The twins differ only in the summation order of s: compared within the sum of both bounds.
     */
    static void checkSoftmax(boolean log, int rows, int cols, int xOff, int padX, int yOff, int padY, boolean inPlace, long seed) {
        Gen g = new Gen(seed);
        int ldx = cols + padX, ldy = inPlace ? ldx : cols + padY, off = inPlace ? xOff : yOff;
        float[] x = g.mat(Dist.ACT, xOff, rows, cols, ldx), y = g.mat(Dist.WIDE, yOff, rows, cols, ldy);
        Reference.Rows ref = Reference.softmaxRows(rows, cols, x, xOff, ldx, log);
        double u = Tolerances.EXP_MAX_ULP;
        double[] tol = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double maxRho = 2 * u * EPS + EPS * ref.rowSpread()[r];
            double sigmaS = (maxRho + gamma(cols)) * 1.01;
            double m = ref.rowMax()[r], lnS = ref.logSum()[r];
            for (int j = 0; j < cols; j++) {
                double xj = x[xOff + r * ldx + j];
                double v = ref.value()[r * cols + j];
                tol[r * cols + j] = log
                        ? sigmaS + EPS * Math.abs(lnS) + 2 * EPS * (Math.abs(xj) + Math.abs(m) + Math.abs(lnS))
                        : v * ((2 * u * EPS + EPS * (m - xj)) * 1.01 + sigmaS + gamma(2));
            }
        }
        String op = (log ? "logSoftmaxRows " : "softmaxRows ") + rows + "x" + cols + " ldx=" + ldx + " ldy=" + ldy
                + (inPlace ? " in place" : "");
        float[][] out = new float[2][];
        IntFunction<String> rc = e -> "y[" + e / cols + "," + e % cols + "]";
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] xc = x.clone(), yc = inPlace ? xc : y.clone();
            if (log) {
                k.logSoftmaxRows(rows, cols, xc, xOff, ldx, yc, off, ldy);
            } else {
                k.softmaxRows(rows, cols, xc, xOff, ldx, yc, off, ldy);
            }
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    near(k.name() + " " + op, r * cols + j, rc, yc[off + r * ldy + j], ref.value()[r * cols + j], tol[r * cols + j]);
                }
            }
            if (!inPlace) {
                unchanged(k.name() + " " + op + " x", x, xc);
            }
            onlyWindowWritten(k.name() + " " + op + " y", inPlace ? x : y, yc, off, rows, cols, ldy);
            out[t] = yc;
        }
        if (out[1] != null) {
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    near(op + " simd vs scalar", r * cols + j, rc, out[1][off + r * ldy + j], out[0][off + r * ldy + j],
                            2 * tol[r * cols + j]);
                }
            }
        }
    }

    // ================================================================== LSTM

    /*
     * LSTM forward, per unit, with A = max abs error of σ and tanh (Tolerances) and the activated
     * gates in [0, 1] / [−1, 1]:
     *   gates: each within A of σ(a) / tanh(a).
     *   c = f·c_prev + i·g: the gate errors contribute ≤ A·|c_prev| + A·|g| + A·|i| ≤ A·(|c_prev| + 2),
     *       the product i·g and the (fused) sum at most 2 roundings of terms ≤ |c_prev| + 1:
     *       tol_c = (A + 3ε)·(|c_prev| + 2).
     *   tanh(c): tanh is 1-Lipschitz, so tol_tc = tol_c + A.
     *   h = o·tanh(c): tol_h = A·|tanh c| + tol_tc·(1 + A) + ε.
     * A swapped gate or a wrong term changes an output by O(0.1 · (1 + |c_prev|)), far above these.
     * Twins bitwise.
     */
    @Property(tries = 750)
    void lstmCellForward(@ForAll("size") int hidden, @ForAll("offset") int gOff, @ForAll("offset") int cpOff,
                         @ForAll("offset") int cOff, @ForAll("offset") int tcOff, @ForAll("offset") int hOff,
                         @ForAll("inPlace") boolean inPlace, @ForAll long seed) {
        int H = hidden;
        Gen g = new Gen(seed);
        float[] gates = g.vec(Dist.ACT, gOff, 4 * H), cPrev = g.vec(Dist.ACT, cpOff, H);
        float[] c = g.vec(Dist.WIDE, cOff, H), tanhC = g.vec(Dist.WIDE, tcOff, H), h = g.vec(Dist.WIDE, hOff, H);
        int cO = inPlace ? cpOff : cOff;
        Reference.LstmForward ref = Reference.lstmForward(H, gates, gOff, cPrev, cpOff);
        double a = Tolerances.activationAbs();
        float[][][] out = new float[2][][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] gc = gates.clone(), cpc = cPrev.clone(), cc = inPlace ? cpc : c.clone(), tcc = tanhC.clone(), hc = h.clone();
            k.lstmCellForward(H, gc, gOff, cpc, cpOff, cc, cO, tcc, tcOff, hc, hOff);
            String op = k.name() + " lstmCellForward H=" + H + (inPlace ? " c=cPrev" : "");
            IntFunction<String> gate = j -> "(gate " + "ifgo".charAt(j / H) + " of unit " + j % H + ", a=" + gates[gOff + j] + ")";
            for (int j = 0; j < 4 * H; j++) {
                near(op + " gates", j, gate, gc[gOff + j], ref.gates()[j], a);
            }
            IntFunction<String> unit = j -> "(a_ifgo=" + gates[gOff + j] + ", " + gates[gOff + H + j] + ", "
                    + gates[gOff + 2 * H + j] + ", " + gates[gOff + 3 * H + j] + " c_prev=" + cPrev[cpOff + j] + ")";
            for (int j = 0; j < H; j++) {
                double cp = Math.abs(cPrev[cpOff + j]);
                double tolC = (a + 3 * EPS) * (cp + 2);
                double tolTc = tolC + a;
                double tolH = a * Math.abs(ref.tanhC()[j]) + tolTc * (1 + a) + EPS;
                near(op + " c", j, unit, cc[cO + j], ref.c()[j], tolC);
                near(op + " tanhC", j, unit, tcc[tcOff + j], ref.tanhC()[j], tolTc);
                near(op + " h", j, unit, hc[hOff + j], ref.h()[j], tolH);
            }
            onlyRangeWritten(op + " gates", gates, gc, gOff, 4 * H);
            onlyRangeWritten(op + " c", inPlace ? cPrev : c, cc, cO, H);
            if (!inPlace) {
                unchanged(op + " cPrev", cPrev, cpc);
            }
            onlyRangeWritten(op + " tanhC", tanhC, tcc, tcOff, H);
            onlyRangeWritten(op + " h", h, hc, hOff, H);
            out[t] = new float[][] {gc, cc, tcc, hc};
        }
        if (out[1] != null && twinActivationsBitwise()) {
            int[] offs = {gOff, cO, tcOff, hOff};
            int[] lens = {4 * H, H, H, H};
            String[] names = {"gates", "c", "tanhC", "h"};
            for (int q = 0; q < 4; q++) {
                twinBitwise("lstmCellForward " + names[q], new float[][] {out[0][q], out[1][q]}, offs[q], lens[q]);
            }
        }
    }

    /*
     * LSTM backward: no transcendental functions, only +, −, × and fma on the given activations.
     * The longest chain (da_i = ((dc + dh·o·(1 − tc²))·g)·(i·(1 − i))) has 7 roundings, so every
     * output is within γ(8)·cond, cond being the formula on absolute values (Reference). Twins bitwise.
     */
    @Property(tries = 750)
    void lstmCellBackward(@ForAll("size") int hidden, @ForAll("offset") int gOff, @ForAll("offset") int cpOff,
                          @ForAll("offset") int tcOff, @ForAll("offset") int dhOff, @ForAll("offset") int dcOff,
                          @ForAll("offset") int dgOff, @ForAll long seed) {
        int H = hidden;
        Gen g = new Gen(seed);
        float[] gates = g.mat(Dist.UNIT, gOff, 1, 4 * H, Math.max(1, 4 * H));
        for (int j = 0; j < H; j++) {
            gates[gOff + 2 * H + j] = g.value(Dist.SIGNED_UNIT); // g = tanh(a_g) ∈ (−1, 1)
        }
        float[] cPrev = g.vec(Dist.ACT, cpOff, H), tanhC = g.vec(Dist.SIGNED_UNIT, tcOff, H);
        float[] dh = g.vec(Dist.ACT, dhOff, H), dc = g.vec(Dist.ACT, dcOff, H), dGates = g.vec(Dist.WIDE, dgOff, 4 * H);
        Reference.LstmBackward ref = Reference.lstmBackward(H, gates, gOff, cPrev, cpOff, tanhC, tcOff, dh, dhOff, dc, dcOff);
        float[][][] out = new float[2][][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] gc = gates.clone(), cpc = cPrev.clone(), tcc = tanhC.clone(), dhc = dh.clone(), dcc = dc.clone();
            float[] dgc = dGates.clone();
            k.lstmCellBackward(H, gc, gOff, cpc, cpOff, tcc, tcOff, dhc, dhOff, dcc, dcOff, dgc, dgOff);
            String op = k.name() + " lstmCellBackward H=" + H;
            IntFunction<String> unit = j -> "(da_" + "ifgo".charAt(j / H) + " of unit " + j % H + " "
                    + lstmUnit(gates, gOff, H, j % H, cPrev, cpOff, tanhC, tcOff, dh, dhOff, dc, dcOff) + ")";
            for (int j = 0; j < 4 * H; j++) {
                near(op + " dGates", j, unit, dgc[dgOff + j], ref.dGates()[j], gamma(8) * ref.dGatesCond()[j]);
            }
            for (int j = 0; j < H; j++) {
                near(op + " dc_prev", j, null, dcc[dcOff + j], ref.dcPrev()[j], gamma(8) * ref.dcPrevCond()[j]);
            }
            unchanged(op + " gates", gates, gc);
            unchanged(op + " cPrev", cPrev, cpc);
            unchanged(op + " tanhC", tanhC, tcc);
            unchanged(op + " dh", dh, dhc);
            onlyRangeWritten(op + " dc", dc, dcc, dcOff, H);
            onlyRangeWritten(op + " dGates", dGates, dgc, dgOff, 4 * H);
            out[t] = new float[][] {dgc, dcc};
        }
        if (out[1] != null) {
            twinBitwise("lstmCellBackward dGates", new float[][] {out[0][0], out[1][0]}, dgOff, 4 * H);
            twinBitwise("lstmCellBackward dc", new float[][] {out[0][1], out[1][1]}, dcOff, H);
        }
    }

    static String lstmUnit(float[] gates, int gOff, int H, int j, float[] cPrev, int cpOff, float[] tanhC, int tcOff,
                           float[] dh, int dhOff, float[] dc, int dcOff) {
        return "(i,f,g,o=" + gates[gOff + j] + "," + gates[gOff + H + j] + "," + gates[gOff + 2 * H + j] + ","
                + gates[gOff + 3 * H + j] + " c_prev=" + cPrev[cpOff + j] + " tanhC=" + tanhC[tcOff + j] + " dh="
                + dh[dhOff + j] + " dc=" + dc[dcOff + j] + ")";
    }

    // ================================================================== GRU

    /*
     * GRU forward, per unit, with Aσ, At the abs bounds of σ and tanh (Tolerances):
     *   r = σ(fl(x_r + h_r)): the sum rounds by ε|x_r + h_r| and σ' ≤ 1/4, so tol_r = Aσ + ε|x_r + h_r|/4;
     *       likewise z.
     *   n = tanh(fma(r, h_n, x_n)): argument error ≤ tol_r·|h_n| + ε·(|x_n| + |h_n|); tanh is
     *       1-Lipschitz: tol_n = At + tol_r·|h_n| + ε·(|x_n| + |h_n|).
     *   h = n + z·(h_prev − n): ∂h/∂n = 1 − z, ∂h/∂z = h_prev − n, plus the subtraction and the fma:
     *       tol_h = (|1 − z| + tol_z)·tol_n + (|h_prev − n| + tol_n)·tol_z + 2ε·(|h_prev| + 1) + ε·|h|.
     * Twins bitwise.
     */
    @Property(tries = 750)
    void gruCellForward(@ForAll("size") int hidden, @ForAll("offset") int gxOff, @ForAll("offset") int ghOff,
                        @ForAll("offset") int hpOff, @ForAll("offset") int hOff, @ForAll("inPlace") boolean inPlace,
                        @ForAll long seed) {
        int H = hidden;
        Gen g = new Gen(seed);
        float[] gx = g.vec(Dist.ACT, gxOff, 3 * H), gh = g.vec(Dist.ACT, ghOff, 3 * H);
        float[] hPrev = g.vec(Dist.ACT, hpOff, H), h = g.vec(Dist.WIDE, hOff, H);
        int hO = inPlace ? hpOff : hOff;
        Reference.GruForward ref = Reference.gruForward(H, gx, gxOff, gh, ghOff, hPrev, hpOff);
        double as = Tolerances.SIGMOID_MAX_ABS, at = Tolerances.TANH_MAX_ABS;
        float[][][] out = new float[2][][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] gxc = gx.clone(), ghc = gh.clone(), hpc = hPrev.clone(), hc = inPlace ? hpc : h.clone();
            k.gruCellForward(H, gxc, gxOff, ghc, ghOff, hpc, hpOff, hc, hO);
            String op = k.name() + " gruCellForward H=" + H + (inPlace ? " h=hPrev" : "");
            IntFunction<String> unit = j -> "(x_rzn=" + gx[gxOff + j] + ", " + gx[gxOff + H + j] + ", " + gx[gxOff + 2 * H + j]
                    + " h_rzn=" + gh[ghOff + j] + ", " + gh[ghOff + H + j] + ", " + gh[ghOff + 2 * H + j] + " h_prev="
                    + hPrev[hpOff + j] + ")";
            for (int j = 0; j < H; j++) {
                double hn = Math.abs(gh[ghOff + 2 * H + j]), xn = Math.abs(gx[gxOff + 2 * H + j]);
                double tolR = as + EPS * Math.abs(ref.preAct()[j]) / 4;
                double tolZ = as + EPS * Math.abs(ref.preAct()[H + j]) / 4;
                double tolN = at + tolR * hn + EPS * (xn + hn);
                double z = ref.gates()[H + j], nn = ref.gates()[2 * H + j], hp = hPrev[hpOff + j];
                double tolH = (Math.abs(1 - z) + tolZ) * tolN + (Math.abs(hp - nn) + tolN) * tolZ
                        + 2 * EPS * (Math.abs(hp) + 1) + EPS * Math.abs(ref.h()[j]);
                near(op + " r", j, unit, gxc[gxOff + j], ref.gates()[j], tolR);
                near(op + " z", j, unit, gxc[gxOff + H + j], z, tolZ);
                near(op + " n", j, unit, gxc[gxOff + 2 * H + j], nn, tolN);
                near(op + " h", j, unit, hc[hO + j], ref.h()[j], tolH);
            }
            onlyRangeWritten(op + " gx", gx, gxc, gxOff, 3 * H);
            unchanged(op + " gh", gh, ghc);
            if (!inPlace) {
                unchanged(op + " hPrev", hPrev, hpc);
            }
            onlyRangeWritten(op + " h", inPlace ? hPrev : h, hc, hO, H);
            out[t] = new float[][] {gxc, hc};
        }
        if (out[1] != null && twinActivationsBitwise()) {
            twinBitwise("gruCellForward gates", new float[][] {out[0][0], out[1][0]}, gxOff, 3 * H);
            twinBitwise("gruCellForward h", new float[][] {out[0][1], out[1][1]}, hO, H);
        }
    }

    /*
     * GRU backward: +, −, ×, fma on the given activations; the longest chain
     * (da_r = ((dh·(1 − z))·(1 − n²))·h_n·(r·(1 − r))) has 8 roundings: γ(9)·cond. Twins bitwise.
     */
    @Property(tries = 750)
    void gruCellBackward(@ForAll("size") int hidden, @ForAll("offset") int gOff, @ForAll("offset") int ghOff,
                         @ForAll("offset") int hpOff, @ForAll("offset") int dhOff, @ForAll("offset") int dgxOff,
                         @ForAll("offset") int dghOff, @ForAll("offset") int dhpOff, @ForAll long seed) {
        int H = hidden;
        Gen g = new Gen(seed);
        float[] gates = g.vec(Dist.UNIT, gOff, 3 * H);
        for (int j = 0; j < H; j++) {
            gates[gOff + 2 * H + j] = g.value(Dist.SIGNED_UNIT); // n = tanh(·) ∈ (−1, 1)
        }
        float[] gh = g.vec(Dist.ACT, ghOff, 3 * H), hPrev = g.vec(Dist.ACT, hpOff, H), dh = g.vec(Dist.ACT, dhOff, H);
        float[] dGx = g.vec(Dist.WIDE, dgxOff, 3 * H), dGh = g.vec(Dist.WIDE, dghOff, 3 * H), dhPrev = g.vec(Dist.WIDE, dhpOff, H);
        Reference.GruBackward ref = Reference.gruBackward(H, gates, gOff, gh, ghOff, hPrev, hpOff, dh, dhOff);
        float[][][] out = new float[2][][];
        for (int t = 0; t < impls().size(); t++) {
            Kernels k = impls().get(t);
            float[] gc = gates.clone(), ghc = gh.clone(), hpc = hPrev.clone(), dhc = dh.clone();
            float[] dgxc = dGx.clone(), dghc = dGh.clone(), dhpc = dhPrev.clone();
            k.gruCellBackward(H, gc, gOff, ghc, ghOff, hpc, hpOff, dhc, dhOff, dgxc, dgxOff, dghc, dghOff, dhpc, dhpOff);
            String op = k.name() + " gruCellBackward H=" + H;
            IntFunction<String> unit = j -> {
                int u = j % H;
                return "(da_" + "rzn".charAt(j / H) + " of unit " + u + ": r,z,n=" + gates[gOff + u] + "," + gates[gOff + H + u]
                        + "," + gates[gOff + 2 * H + u] + " h_n=" + gh[ghOff + 2 * H + u] + " h_prev=" + hPrev[hpOff + u]
                        + " dh=" + dh[dhOff + u] + ")";
            };
            for (int j = 0; j < 3 * H; j++) {
                near(op + " dGx", j, unit, dgxc[dgxOff + j], ref.dGx()[j], gamma(9) * ref.dGxCond()[j]);
                near(op + " dGh", j, unit, dghc[dghOff + j], ref.dGh()[j], gamma(9) * ref.dGhCond()[j]);
            }
            for (int j = 0; j < H; j++) {
                near(op + " dhPrev", j, null, dhpc[dhpOff + j], ref.dhPrev()[j], gamma(2) * ref.dhPrevCond()[j]);
            }
            unchanged(op + " gates", gates, gc);
            unchanged(op + " gh", gh, ghc);
            unchanged(op + " hPrev", hPrev, hpc);
            unchanged(op + " dh", dh, dhc);
            onlyRangeWritten(op + " dGx", dGx, dgxc, dgxOff, 3 * H);
            onlyRangeWritten(op + " dGh", dGh, dghc, dghOff, 3 * H);
            onlyRangeWritten(op + " dhPrev", dhPrev, dhpc, dhpOff, H);
            out[t] = new float[][] {dgxc, dghc, dhpc};
        }
        if (out[1] != null) {
            twinBitwise("gruCellBackward dGx", new float[][] {out[0][0], out[1][0]}, dgxOff, 3 * H);
            twinBitwise("gruCellBackward dGh", new float[][] {out[0][1], out[1][1]}, dghOff, 3 * H);
            twinBitwise("gruCellBackward dhPrev", new float[][] {out[0][2], out[1][2]}, dhpOff, H);
        }
    }
}
