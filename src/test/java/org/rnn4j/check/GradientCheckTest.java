package org.rnn4j.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.check.ReferenceRnnTest.assertBitwise;
import static org.rnn4j.check.ReferenceRnnTest.assertMessage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.rnn4j.cell.CellType;

/** {@link GradientCheck} on losses with known gradients, and on deliberately wrong ones. */
class GradientCheckTest {

    /** L = Σ c_k·x_k³ + Σ y_k·x_(k mod n): gradients known in closed form. */
    static final class Cubic {
        final double[] x;
        final double[] y;
        final double[] c;

        Cubic(int n, int m, long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            x = ReferenceRnnTest.random(rnd, n);
            y = ReferenceRnnTest.random(rnd, m);
            c = ReferenceRnnTest.random(rnd, n);
        }

        double loss() {
            double s = 0;
            for (int k = 0; k < x.length; k++) {
                s += c[k] * x[k] * x[k] * x[k];
            }
            for (int k = 0; k < y.length; k++) {
                s += y[k] * x[k % x.length];
            }
            return s;
        }

        double[] gradX() {
            double[] g = new double[x.length];
            for (int k = 0; k < x.length; k++) {
                g[k] = 3 * c[k] * x[k] * x[k];
            }
            for (int k = 0; k < y.length; k++) {
                g[k % x.length] += y[k];
            }
            return g;
        }

        double[] gradY() {
            double[] g = new double[y.length];
            for (int k = 0; k < y.length; k++) {
                g[k] = x[k % x.length];
            }
            return g;
        }

        List<GradientCheck.Target> targets(double[] gx, double[] gy) {
            return List.of(GradientCheck.Target.of("x", x, gx).withShape(3, 4),
                    GradientCheck.Target.of("y", y, gy));
        }
    }

    @Test
    void correctGradientsPass() {
        Cubic f = new Cubic(12, 5, 1);
        GradientCheck.Report r = GradientCheck.check(f::loss, f.targets(f.gradX(), f.gradY()));
        r.assertPassed();
        assertEquals(2, r.rows().size());
        GradientCheck.Row x = r.row("x");
        assertEquals(12, x.checked());
        assertEquals(12, x.total());
        assertEquals(0, x.failed());
        assertEquals(0, x.nonFinite());
        assertTrue(x.absError() <= x.bound());
        assertTrue(r.table().contains("PASS: 2/2 tensors passed"), r.table());
    }

    @Test
    void wrongElementIsDetectedAndLocated() {
        Cubic f = new Cubic(12, 5, 2);
        double[] gx = f.gradX();
        gx[7] *= 1.01;
        GradientCheck.Report r = GradientCheck.check(f::loss, f.targets(gx, f.gradY()));
        assertFalse(r.passed());
        GradientCheck.Row row = r.row("x");
        assertFalse(row.passed());
        assertEquals(1, row.failed());
        assertEquals(7, row.worstIndex());
        assertArrayEquals(new int[] {1, 3}, row.worstMultiIndex());
        assertEquals(gx[7], row.analytic());
        assertEquals(f.gradX()[7], row.numeric(), 1e-8);
        assertTrue(r.row("y").passed());
        assertEquals(List.of(row), r.failures());
        String table = r.table();
        assertTrue(table.contains("[1,3] #7"), table);
        assertTrue(table.contains("FAIL 1"), table);
        assertTrue(table.contains("FAIL: 1/2 tensors passed"), table);
        AssertionError e = assertThrows(AssertionError.class, r::assertPassed);
        assertTrue(e.getMessage().contains(table));
    }

    /** The PyTorch criterion |a − n| ≤ atol + rtol·|n|, with configurable tolerances. */
    @Test
    void toleranceIsAtolPlusRtolTimesNumeric() {
        double[] x = {2.0};
        DoubleSupplier loss = () -> 100 * x[0]; // numeric = 100 up to rounding
        // bound = 1e-5 + 1e-3·100 ≈ 0.10001
        assertTrue(GradientCheck.check(loss, List.of(GradientCheck.Target.of("x", x, new double[] {100.0999})))
                .passed());
        assertFalse(GradientCheck.check(loss, List.of(GradientCheck.Target.of("x", x, new double[] {100.1002})))
                .passed());
        GradientCheck.Options strict = GradientCheck.Options.DEFAULTS.withRtol(0).withAtol(1e-3).withEps(1e-4);
        assertFalse(GradientCheck.check(loss, List.of(GradientCheck.Target.of("x", x, new double[] {100.01})), strict)
                .passed());
        assertTrue(GradientCheck.check(loss, List.of(GradientCheck.Target.of("x", x, new double[] {100.0005})), strict)
                .passed());
        assertEquals(1e-6, GradientCheck.Options.DEFAULTS.eps());
        assertEquals(1e-5, GradientCheck.Options.DEFAULTS.atol());
        assertEquals(1e-3, GradientCheck.Options.DEFAULTS.rtol());
    }

    @Test
    void nonFiniteValuesFail() {
        double[] x = {1, 2, 3};
        double[] g = {1, Double.NaN, 1};
        DoubleSupplier sum = () -> x[0] + x[1] + x[2];
        GradientCheck.Row row = GradientCheck.check(sum, List.of(GradientCheck.Target.of("x", x, g))).row("x");
        assertFalse(row.passed());
        assertEquals(1, row.nonFinite());
        assertEquals(1, row.worstIndex());
        assertTrue(Double.isNaN(row.analytic()));

        // A loss that is infinite near x[2] gives a non-finite numeric derivative.
        DoubleSupplier blowUp = () -> x[2] > 3 ? Double.POSITIVE_INFINITY : x[0] + x[1] + x[2];
        GradientCheck.Report r = GradientCheck.check(blowUp,
                List.of(GradientCheck.Target.of("x", x, new double[] {1, 1, 1})));
        assertFalse(r.passed());
        assertEquals(2, r.row("x").worstIndex());
        assertEquals(1, r.row("x").nonFinite());
        assertTrue(r.table().contains("non-finite"), r.table());
        // Even with sampling, a non-finite analytic element is always checked.
        double[] big = new double[1000];
        double[] gb = new double[1000];
        Arrays.fill(gb, 1);
        gb[613] = Double.POSITIVE_INFINITY;
        DoubleSupplier s = () -> Arrays.stream(big).sum();
        GradientCheck.Row sampled = GradientCheck.check(s, List.of(GradientCheck.Target.of("b", big, gb)),
                GradientCheck.Options.DEFAULTS.withMaxElementsPerTensor(5)).row("b");
        assertEquals(613, sampled.worstIndex());
        assertEquals(1, sampled.nonFinite());
    }

    @Test
    void valuesAreRestoredBitwiseAlsoWhenTheLossThrows() {
        double[] x = {0.1, -0.0, Double.MIN_VALUE, 1e300, Double.longBitsToDouble(0x7ff8_0000_0000_1234L), 3};
        double[] before = x.clone();
        DoubleSupplier loss = () -> {
            double s = 0;
            for (double v : x) {
                s += Double.isFinite(v) ? Math.sin(v) : 0;
            }
            return s;
        };
        GradientCheck.check(loss, List.of(GradientCheck.Target.of("x", x, new double[x.length])));
        assertBitwise(before, x);
        int[] calls = {0};
        DoubleSupplier failing = () -> {
            if (++calls[0] == 4) {
                throw new IllegalStateException("boom");
            }
            return 0;
        };
        assertThrows(IllegalStateException.class,
                () -> GradientCheck.check(failing, List.of(GradientCheck.Target.of("x", x, new double[x.length]))));
        assertBitwise(before, x);
    }

    /** Which elements the loss saw perturbed, in order (the loss compares against a copy). */
    static List<Integer> perturbedElements(double[] x, double[] g, GradientCheck.Options o) {
        double[] original = x.clone();
        List<Integer> seen = new ArrayList<>();
        DoubleSupplier loss = () -> {
            for (int k = 0; k < x.length; k++) {
                if (x[k] != original[k] && (seen.isEmpty() || seen.get(seen.size() - 1) != k)) {
                    seen.add(k);
                }
            }
            return Arrays.stream(x).sum();
        };
        GradientCheck.check(loss, List.of(GradientCheck.Target.of("x", x, g)), o);
        return seen;
    }

    @Test
    void samplingIsDeterministicPerSeedAndKeepsTheLargestGradient() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[] x = ReferenceRnnTest.random(rnd, 500);
        double[] g = new double[500];
        Arrays.fill(g, 1);
        g[321] = 1.5; // largest |analytic|; wrong too, so the row must fail
        GradientCheck.Options o = GradientCheck.Options.DEFAULTS.withMaxElementsPerTensor(20).withSeed(99);
        List<Integer> a = perturbedElements(x, g, o);
        List<Integer> b = perturbedElements(x, g, o);
        List<Integer> c = perturbedElements(x, g, o.withSeed(100));
        assertEquals(20, a.size());
        assertEquals(20, new TreeSet<>(a).size());
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertTrue(a.contains(321) && c.contains(321));
        GradientCheck.Report r = GradientCheck.check(() -> Arrays.stream(x).sum(),
                List.of(GradientCheck.Target.of("x", x, g)), o);
        assertEquals(20, r.row("x").checked());
        assertEquals(500, r.row("x").total());
        assertEquals(321, r.row("x").worstIndex());
        assertNull(r.row("x").worstMultiIndex());
        assertTrue(r.table().contains("20/500"), r.table());
    }

    @Test
    void subsetsAndExactZeroTargets() {
        double[] x = {1, 2, 3, 4};
        DoubleSupplier loss = () -> x[0] * x[1]; // x[2], x[3] unused
        double[] g = {2, 1, 0, 0};
        GradientCheck.Report r = GradientCheck.check(loss, List.of(
                GradientCheck.Target.of("used", x, g).onlyAt(new int[] {0, 1}),
                GradientCheck.Target.of("unused", x, g).onlyAt(new int[] {2, 3}).expectingZero()));
        r.assertPassed();
        assertEquals(2, r.row("unused").checked());
        assertEquals(4, r.row("unused").total());
        // A tiny but nonzero analytic value passes the tolerance but not the exact-zero expectation.
        double[] tiny = {2, 1, 1e-9, 0};
        assertFalse(GradientCheck.check(loss, List.of(
                GradientCheck.Target.of("unused", x, tiny).onlyAt(new int[] {2, 3}).expectingZero())).passed());
        assertTrue(GradientCheck.check(loss, List.of(GradientCheck.Target.of("all", x, tiny))).passed());
    }

    @Test
    void badArgumentsNameTheArgument() {
        double[] x = new double[6];
        DoubleSupplier loss = () -> 0;
        assertMessage("loss must not be null",
                () -> GradientCheck.check(null, List.of(GradientCheck.Target.of("x", x, x))));
        assertMessage("targets must not be null", () -> GradientCheck.check(loss, null));
        assertMessage("options must not be null",
                () -> GradientCheck.check(loss, List.of(), null));
        assertMessage("targets[1] must not be null",
                () -> GradientCheck.check(loss, Arrays.asList(GradientCheck.Target.of("x", x, x), null)));
        assertMessage("targets[1].name must be unique, got 'x' twice", () -> GradientCheck.check(loss,
                List.of(GradientCheck.Target.of("x", x, x), GradientCheck.Target.of("x", x, x))));
        assertMessage("w: analytic.length must equal values.length = 6, got 5",
                () -> GradientCheck.Target.of("w", x, new double[5]));
        assertMessage("w: values must not be null", () -> GradientCheck.Target.of("w", null, x));
        assertMessage("w: analytic must not be null", () -> GradientCheck.Target.of("w", x, null));
        assertMessage("name must not be null or empty", () -> GradientCheck.Target.of("", x, x));
        assertMessage("w: shape [2, 2] has 4 elements, but values.length = 6",
                () -> GradientCheck.Target.of("w", x, x).withShape(2, 2));
        assertMessage("w: indices must be in [0, 6), got 6",
                () -> GradientCheck.Target.of("w", x, x).onlyAt(new int[] {6}));
        assertMessage("w: indices must be distinct, got 1 twice",
                () -> GradientCheck.Target.of("w", x, x).onlyAt(new int[] {1, 1}));
        assertMessage("eps must be finite and > 0, got 0.0", () -> GradientCheck.Options.DEFAULTS.withEps(0));
        assertMessage("atol must be finite and >= 0, got -1.0", () -> GradientCheck.Options.DEFAULTS.withAtol(-1));
        assertMessage("rtol must be finite and >= 0, got NaN",
                () -> GradientCheck.Options.DEFAULTS.withRtol(Double.NaN));
        assertMessage("maxElementsPerTensor must be >= 1, got 0",
                () -> GradientCheck.Options.DEFAULTS.withMaxElementsPerTensor(0));
        assertMessage("name must be one of [x], got 'y'",
                () -> GradientCheck.check(loss, List.of(GradientCheck.Target.of("x", x, x))).row("y"));
        assertMessage("rnn must not be null", () -> GradientCheck.checkReferenceRnn(null, x, 1, 1, 0));
        assertMessage("input.length must be 8",
                () -> GradientCheck.checkReferenceRnn(new ReferenceRnn(CellType.GRU, 2, 1, 1), x, 2, 2, 0));
    }

    // ================================================================== ReferenceRnn convenience

    @Test
    void referenceRnnCheckCoversEveryTensorAndLeavesCallerArraysAlone() {
        int I = 2;
        int H = 3;
        int B = 3;
        int T = 4;
        int L = 2;
        ReferenceRnn rnn = new ReferenceRnn(CellType.LSTM, I, H, L);
        rnn.initUniform(5);
        SplittableRandom rnd = new SplittableRandom(6);
        double[] input = ReferenceRnnTest.random(rnd, T * B * I);
        int[] lengths = {4, 0, 2};
        for (int t = 2; t < T; t++) {
            input[(t * B + 2) * I] = Double.NaN; // garbage in sequence 2's padding
        }
        double[] h0 = ReferenceRnnTest.random(rnd, L * B * H);
        double[] inputBefore = input.clone();
        double[] h0Before = h0.clone();
        double[] wBefore = rnn.parameter("weight_hh_l1").clone();
        GradientCheck.Report r = GradientCheck.checkReferenceRnn(rnn, input, T, B, lengths, h0, null, null, 8,
                GradientCheck.Options.DEFAULTS);
        r.assertPassed();
        List<String> names = new ArrayList<>(rnn.parameterNames());
        names.addAll(List.of("input", "input[padded]", "h0", "c0"));
        assertEquals(names, r.rows().stream().map(GradientCheck.Row::name).toList());
        assertEquals((4 + 0 + 2) * I, r.row("input").checked());
        assertEquals((0 + 4 + 2) * I, r.row("input[padded]").checked());
        assertEquals(0.0, r.row("input[padded]").bound());
        assertBitwise(inputBefore, input);
        assertBitwise(h0Before, h0);
        assertBitwise(wBefore, rnn.parameter("weight_hh_l1"));

        GradientCheck.Report sampled = GradientCheck.checkReferenceRnn(rnn, input, T, B, lengths, h0, null, null, 8,
                GradientCheck.Options.DEFAULTS.withMaxElementsPerTensor(7));
        sampled.assertPassed();
        assertEquals(7, sampled.row("weight_ih_l0").checked());
        assertEquals(4 * H * I, sampled.row("weight_ih_l0").total());
    }

    /** The convenience without padding has no padded row, and a GRU has no c0 row. */
    @Test
    void referenceRnnCheckShortForm() {
        ReferenceRnn rnn = new ReferenceRnn(CellType.GRU, 2, 2, 1);
        rnn.initUniform(1);
        GradientCheck.Report r = GradientCheck.checkReferenceRnn(rnn,
                ReferenceRnnTest.random(new SplittableRandom(2), 3 * 2 * 2), 3, 2, 4);
        r.assertPassed();
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "input", "h0"),
                r.rows().stream().map(GradientCheck.Row::name).toList());
    }
}
