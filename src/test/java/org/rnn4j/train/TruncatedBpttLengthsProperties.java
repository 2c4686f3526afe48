package org.rnn4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.rnn4j.cell.CellVariant;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.check.GradientCheck;
import org.rnn4j.check.ReferenceRnn;
import org.rnn4j.kernel.Kernels;

/**
 * {@link TruncatedBptt} with per-sequence lengths and the input gradient, over every forward cell
 * variant ({@link CellVariant#streams()}; the bidirectional ones are rejected by the driver), I 1..8,
 * H 3..10 (a projected LSTM needs P = H/2 + 1 &lt; H), B 1..4, T 1..20, L 1..2, lengths in [0, T],
 * window sizes in the three regimes as in {@link TruncatedBpttProperties}, initial states and seeds.
 * Every driver run here reads a stream whose padded positions hold NaN, so each property also
 * checks that they are never read.
 *
 * <p>Bitwise comparisons run on {@link Kernels#scalar()} (where a row's arithmetic does not depend
 * on the other rows, so neither on the batch order the lengths sort gives nor on the window split),
 * except the one-window case, which is the same {@link Rnn} calls on either kernel set.
 */
class TruncatedBpttLengthsProperties {

    private static final CellVariant[] FORWARD_VARIANTS =
            Arrays.stream(CellVariant.values()).filter(CellVariant::streams).toArray(CellVariant[]::new);

    /** A random problem with lengths; k1, k2 drawn in one of the three regimes with equal probability. */
    @Provide
    Arbitrary<TbpttCase> cases() {
        Arbitrary<CellVariant> variant = Arbitraries.of(FORWARD_VARIANTS);
        Arbitrary<Integer> in = Arbitraries.integers().between(1, 8);
        Arbitrary<Integer> hidden = Arbitraries.integers().between(3, 10);
        Arbitrary<Integer> batch = Arbitraries.integers().between(1, 4);
        Arbitrary<Integer> seq = Arbitraries.integers().between(1, 20).withDistribution(RandomDistribution.uniform());
        Arbitrary<Integer> layers = Arbitraries.integers().between(1, 2);
        Arbitrary<Integer> mode = Arbitraries.integers().between(0, 2);
        Arbitrary<Long> seed = Arbitraries.longs();
        return Combinators.combine(variant, in, hidden, batch, seq, layers, mode, seed).as((v, i, h, b, t, l, m, s) -> {
            SplittableRandom r = new SplittableRandom(s);
            int[] k = TruncatedBpttProperties.windowSizes(r, t, m);
            RnnSpec spec = v.builder(i, h).numLayers(l).build();
            TbpttCase c = new TbpttCase(spec, t, b, k[0], k[1], r.nextBoolean(), r.nextLong());
            return c.withLengths(randomLengths(r, t, b));
        });
    }

    /** Lengths in [0, T]; a quarter of the time one of them is T, a quarter of the time all are below T. */
    static int[] randomLengths(SplittableRandom r, int t, int b) {
        int[] len = new int[b];
        for (int i = 0; i < b; i++) {
            len[i] = r.nextInt(t + 1);
        }
        if (r.nextInt(4) == 0) {
            len[r.nextInt(b)] = t;
        }
        return len;
    }

    /** The case's stream in its spec's layout with NaN at every padded position (t ≥ lengths[b]). */
    static float[] nanPadded(TbpttCase c) {
        float[] x = c.input();
        int in = c.spec.inputSize();
        for (int t = 0; t < c.steps; t++) {
            for (int b = 0; b < c.batch; b++) {
                if (t >= c.length(b)) {
                    int at = (c.spec.batchFirst() ? b * c.steps + t : t * c.batch + b) * in;
                    Arrays.fill(x, at, at + in, Float.NaN);
                }
            }
        }
        return x;
    }

    /**
     * k1 = k2 ≥ T is one {@link Rnn#forward} (training) with the same lengths plus one
     * {@link Rnn#backward} with gradInput, bitwise, on either kernel set, with dropout and either
     * layout: the driver makes exactly those two calls (the window lengths are the lengths).
     */
    @Property(tries = 80)
    void oneWindowCoveringTheStreamIsRnnWithTheSameLengths(@ForAll("cases") TbpttCase base,
                                                           @ForAll @IntRange(min = 0, max = 3) int extra,
                                                           @ForAll boolean simd, @ForAll boolean dropout,
                                                           @ForAll boolean batchFirst, @ForAll long dropSeed) {
        int k = base.steps + extra;
        TbpttCase c = base.withSpec(TruncatedBpttProperties.variant(base, dropout, batchFirst)).withK(k, k);
        Kernels kernels = simd ? Kernels.simd() : Kernels.scalar();
        TbpttCase.Result tb = c.driver(kernels, dropSeed, null, nanPadded(c), true);
        TruncatedBpttProperties.assertSameResult(c.fullBptt(kernels, dropSeed, true), tb, c);
    }

    /**
     * The state crosses window boundaries exactly: without dropout and with fixed weights, each
     * sequence's final state and every output shown to the loss equal one full-length inference
     * pass with the same lengths, bitwise, so a sequence that ended in an earlier window carries its
     * final state unchanged and shows zeros. Also: gradInput is 0 at padded steps, asking for it
     * changes no parameter gradient, and lengths all T are bitwise the run without lengths.
     */
    @Property(tries = 100)
    void stateIsCarriedAcrossWindowsWithLengths(@ForAll("cases") TbpttCase c) {
        TbpttCase.Result full = c.fullInference(Kernels.scalar());
        TbpttCase.Result tb = c.driver(Kernels.scalar(), 0, null, nanPadded(c), true);
        assertArrayEquals(full.hN, tb.hN, "hN after the driver vs one inference pass (" + c + ")");
        assertArrayEquals(full.cN, tb.cN, "cN after the driver vs one inference pass");
        assertArrayEquals(full.seen, tb.seen, "outputs shown to the loss vs one inference pass");
        int in = c.spec.inputSize();
        for (int t = 0; t < c.steps; t++) {
            for (int b = 0; b < c.batch; b++) {
                for (int j = 0; j < in && t >= c.length(b); j++) {
                    assertEquals(0f, tb.gradInput[(t * c.batch + b) * in + j], "gradInput at padded step " + t
                            + " of sequence " + b);
                }
            }
        }
        TbpttCase.Result noDx = c.driver(Kernels.scalar(), 0, null, nanPadded(c), false);
        TruncatedBpttProperties.assertSameGrads(noDx.grads, tb.grads, c);

        int[] all = new int[c.batch];
        Arrays.fill(all, c.steps);
        TbpttCase.Result withAll = c.withLengths(all).driver(Kernels.scalar(), 0, null, c.input(), false);
        TbpttCase.Result without = c.withLengths(null).driver(Kernels.scalar(), 0, null);
        assertEquals(without.loss, withAll.loss, "loss, lengths all T vs none");
        TruncatedBpttProperties.assertSameGrads(without.grads, withAll.grads, c);
        assertArrayEquals(without.hN, withAll.hN, "hN, lengths all T vs none");
        assertArrayEquals(without.cN, withAll.cN, "cN, lengths all T vs none");
    }

    /**
     * Parameter and input gradients equal TBPTT with lengths in double precision from its
     * definition ({@link TbpttCase#reference(double[], double[])}), to the engine-vs-reference
     * criterion ‖Δ‖ ≤ 1e-4·‖ref‖ + 1e-6·√n per tensor (EngineVsReferenceProperties explains it);
     * the loss to the bound {@link TruncatedBpttProperties} uses.
     */
    @Property(tries = 80)
    void gradientsAndGradInputMatchTheDoubleReference(@ForAll("cases") TbpttCase c, @ForAll boolean simd) {
        assertMatchesTheReference(c, simd ? Kernels.simd() : Kernels.scalar());
    }

    /** The driver (NaN-padded stream, with gradInput) on k against {@link TbpttCase#reference(double[], double[])}. */
    private static Map<String, double[]> assertMatchesTheReference(TbpttCase c, Kernels k) {
        TbpttCase.Result tb = c.driver(k, 0, null, nanPadded(c), true);
        double[] refLoss = new double[1];
        double[] refDx = new double[c.x.length];
        Map<String, double[]> ref = c.reference(refLoss, refDx);
        for (Map.Entry<String, double[]> e : ref.entrySet()) {
            TbpttCase.assertNearReference(e.getKey() + " (" + c + ")", e.getValue(), tb.grads.get(e.getKey()));
        }
        TbpttCase.assertNearReference("gradInput (" + c + ")", refDx, tb.gradInput);
        double terms = c.steps * c.batch * c.out();
        assertEquals(refLoss[0], tb.loss, 1e-4 * Math.abs(refLoss[0]) + 1e-5 * terms, "loss");
        return ref;
    }

    /**
     * gradInput is the gradient of the truncated loss ({@link TbpttCase#truncatedLoss}): central
     * differences in double precision ({@link GradientCheck}, default tolerances; up to 30 sampled
     * active elements) against the float driver; padded elements must be exactly 0 both ways.
     */
    @Property(tries = 25)
    void gradInputIsTheFiniteDifferenceOfTheTruncatedLoss(@ForAll("cases") TbpttCase c) {
        TbpttCase.Result tb = c.driver(Kernels.scalar(), 0, null, nanPadded(c), true);
        ReferenceRnn ref = ReferenceRnn.of(c.spec);
        for (String n : c.weights.names()) {
            ref.setParameter(n, c.weights.get(n));
        }
        double[] x = TbpttCase.toDouble(c.x);
        List<Integer> active = new ArrayList<>();
        List<Integer> padded = new ArrayList<>();
        int in = c.spec.inputSize();
        for (int i = 0; i < x.length; i++) {
            int b = (i / in) % c.batch;
            int t = i / (in * c.batch);
            (t < c.length(b) ? active : padded).add(i);
        }
        double[] analytic = TbpttCase.toDouble(tb.gradInput);
        List<GradientCheck.Target> targets = new ArrayList<>();
        if (!active.isEmpty()) {
            targets.add(GradientCheck.Target.of("input", x, analytic).onlyAt(toArray(active)));
        }
        if (!padded.isEmpty()) {
            targets.add(GradientCheck.Target.of("input[padded]", x, analytic).onlyAt(toArray(padded))
                    .expectingZero());
        }
        GradientCheck.Options o = GradientCheck.Options.DEFAULTS.withMaxElementsPerTensor(30).withSeed(c.seed);
        GradientCheck.check(c.truncatedLoss(ref, x), targets, o).assertPassed();
    }

    private static int[] toArray(List<Integer> a) {
        return a.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Every cell variant once, deterministically (the random cases may miss one): a forward variant
     * with lengths over several windows of each regime matches the double reference, and a
     * bidirectional one is rejected by the constructor.
     */
    @Test
    void everyCellVariant() {
        for (CellVariant v : CellVariant.values()) {
            RnnSpec spec = v.builder(3, 5).build();
            if (!v.streams()) {
                Rnn rnn = new Rnn(new RnnWeights(spec));
                assertThrows(IllegalArgumentException.class, () -> new TruncatedBptt(rnn, 2, 2), v.name());
                continue;
            }
            for (int[] k : new int[][] {{3, 3}, {4, 2}, {2, 5}}) {
                TbpttCase c = new TbpttCase(spec, 9, 3, k[0], k[1], true, 7L * v.ordinal() + k[1])
                        .withLengths(new int[] {9, 4, 1});
                Map<String, double[]> ref = assertMatchesTheReference(c, Kernels.get());
                assertTrue(Arrays.stream(ref.get("weight_ih_l0")).anyMatch(g -> g != 0), "a non-trivial case");
            }
        }
    }
}
