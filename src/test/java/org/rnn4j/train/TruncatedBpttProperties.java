package org.rnn4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

/**
 * {@link TruncatedBptt} over random cells, sizes (I, H 1..12, B 1..4, T 1..30, L 1..2), window
 * sizes in all three regimes (k2 = k1, k2 &lt; k1, k2 &gt; k1, including windows longer than the
 * stream), initial states and seeds. Bitwise comparisons run on {@link Kernels#scalar()}, where
 * every element is accumulated in an order fixed by its own row, so a chain of forward calls
 * equals one long call exactly.
 */
class TruncatedBpttProperties {

    /** A random problem; k1, k2 drawn in one of the three regimes with equal probability. */
    @Provide
    Arbitrary<TbpttCase> cases() {
        Arbitrary<CellType> cell = Arbitraries.of(CellType.RNN_TANH, CellType.LSTM, CellType.GRU, CellType.RNN_RELU);
        Arbitrary<Integer> in = Arbitraries.integers().between(1, 12);
        Arbitrary<Integer> hidden = Arbitraries.integers().between(1, 12);
        Arbitrary<Integer> batch = Arbitraries.integers().between(1, 4);
        // uniform: jqwik's default integer distribution favours the small end, where T = 1, 2 leave
        // too few runs with several overlapping windows
        Arbitrary<Integer> seq = Arbitraries.integers().between(1, 30).withDistribution(RandomDistribution.uniform());
        Arbitrary<Integer> layers = Arbitraries.integers().between(1, 2);
        Arbitrary<Integer> mode = Arbitraries.integers().between(0, 2);
        Arbitrary<Long> seed = Arbitraries.longs();
        return Combinators.combine(cell, in, hidden, batch, seq, layers, mode, seed).as((c, i, h, b, t, l, m, s) -> {
            SplittableRandom r = new SplittableRandom(s);
            int[] k = windowSizes(r, t, m);
            RnnSpec spec = RnnSpec.builder(c, i, h).numLayers(l).build();
            return new TbpttCase(spec, t, b, k[0], k[1], r.nextBoolean(), r.nextLong());
        });
    }

    /**
     * {k1, k2} for a stream of t steps in regime m (0: k2 = k1, 1: k2 &lt; k1, 2: k2 &gt; k1), drawn
     * from r: k1 mostly well below T, so that most runs have several windows; k2 up to beyond T.
     */
    static int[] windowSizes(SplittableRandom r, int t, int m) {
        if (m == 0) {                      // k2 = k1
            int k1 = 1 + r.nextInt(t + 2);
            return new int[] {k1, k1};
        }
        if (m == 1) {                      // k2 < k1
            int k1 = 2 + r.nextInt(Math.max(1, t / 2));
            return new int[] {k1, 1 + r.nextInt(k1 - 1)};
        }
        int k1 = 1 + r.nextInt(Math.max(1, t / 3));   // k2 > k1: overlapping windows
        return new int[] {k1, k1 + 1 + r.nextInt(Math.max(1, t / 2))};
    }

    /** c's spec with dropout 0.3 if asked and L > 1, and the given layout. */
    static RnnSpec variant(TbpttCase c, boolean dropout, boolean batchFirst) {
        double p = dropout && c.spec.numLayers() > 1 ? 0.3 : 0;
        return c.spec.toBuilder().dropout(p).batchFirst(batchFirst).build();
    }

    /** Property 1: k1 = k2 ≥ T is one forward (training) + one backward call, bitwise, on either kernel set. */
    @Property(tries = 150)
    void oneWindowCoveringTheStreamIsFullBptt(@ForAll("cases") TbpttCase base,
                                              @ForAll @IntRange(min = 0, max = 5) int extra,
                                              @ForAll boolean simd, @ForAll boolean dropout,
                                              @ForAll boolean batchFirst, @ForAll long dropSeed) {
        int k = base.steps + extra;
        TbpttCase c = base.withSpec(variant(base, dropout, batchFirst)).withK(k, k);
        Kernels kernels = simd ? Kernels.simd() : Kernels.scalar();
        TbpttCase.Result tb = c.driver(kernels, dropSeed, null);
        assertSameResult(c.fullBptt(kernels, dropSeed, false), tb, c);
    }

    /** Properties 3 and 4: every regime equals TBPTT written out with direct Rnn calls, bitwise, dropout included. */
    @Property(tries = 200)
    void driverEqualsTheManualConstruction(@ForAll("cases") TbpttCase base, @ForAll boolean dropout,
                                           @ForAll long dropSeed) {
        TbpttCase c = base.withSpec(variant(base, dropout, false));
        TbpttCase.Result tb = c.driver(Kernels.scalar(), dropSeed, null);
        TbpttCase.Result manual = c.manual(Kernels.scalar(), dropSeed, null);
        assertSameResult(manual, tb, c);
    }

    /**
     * Property 2: the state is carried exactly. Without dropout and with fixed weights, the final
     * state equals that of one full-length inference pass, and so does every output shown to the
     * loss; each step is shown exactly once, in order, in windows of k1 steps.
     */
    @Property(tries = 200)
    void stateIsCarriedExactly(@ForAll("cases") TbpttCase c) {
        TbpttCase.Result full = c.fullInference(Kernels.scalar());
        TruncatedBptt tb = new TruncatedBptt(new Rnn(c.weights, Kernels.scalar()), c.k1, c.k2);
        TbpttCase.Loss loss = c.newLoss();
        float[] hN = new float[c.hState()];
        float[] cN = c.lstm() ? new float[c.cState()] : null;
        int[] afterCalls = new int[1];
        tb.run(new RnnWorkspace(), c.input(), c.steps, c.batch, c.h0, c.c0, loss, new RnnWeights(c.spec),
                (u, e, l) -> {
                    assertEquals(afterCalls[0], u, "update index");
                    assertEquals(Math.min((u + 1) * c.k1, c.steps), e, "end of update " + u);
                    afterCalls[0]++;
                }, hN, cN);
        assertArrayEquals(full.hN, hN, "hN after the driver vs one inference pass");
        assertArrayEquals(full.cN, cN, "cN after the driver vs one inference pass");
        assertArrayEquals(full.seen, loss.seen, "outputs shown to the loss vs one inference pass");
        int updates = (c.steps + c.k1 - 1) / c.k1;
        assertEquals(updates, loss.calls, "loss calls");
        assertEquals(updates, afterCalls[0], "afterUpdate calls");
        assertEquals(updates, tb.updates(c.steps), "updates(T)");
        for (int j = 0; j < updates; j++) {
            assertEquals(j * c.k1, loss.starts[j], "start of window " + j);
            assertEquals(Math.min(c.k1, c.steps - j * c.k1), loss.counts[j], "steps of window " + j);
        }
    }

    /**
     * Property 4, independently: the gradients equal TBPTT computed in double precision from its
     * definition ({@link TbpttCase#reference}), to the engine-vs-reference criterion
     * ‖Δ‖ ≤ 1e-4·‖ref‖ + 1e-6·√n per tensor (see EngineVsReferenceProperties).
     */
    @Property(tries = 120)
    void gradientsMatchTheDoubleReference(@ForAll("cases") TbpttCase c, @ForAll boolean simd) {
        TbpttCase.Result tb = c.driver(simd ? Kernels.simd() : Kernels.scalar(), 0, null);
        double[] refLoss = new double[1];
        Map<String, double[]> ref = c.reference(refLoss);
        for (Map.Entry<String, double[]> e : ref.entrySet()) {
            TbpttCase.assertNearReference(e.getKey(), e.getValue(), tb.grads.get(e.getKey()));
        }
        // the loss: a sum of T·B·O terms of size O(1), each from a float output
        double terms = c.steps * c.batch * c.out();
        assertEquals(refLoss[0], tb.loss, 1e-4 * Math.abs(refLoss[0]) + 1e-5 * terms, "loss");
    }

    /** A batch-first stream gives bitwise the same result as its seq-first transpose. */
    @Property(tries = 100)
    void batchFirstEqualsSeqFirst(@ForAll("cases") TbpttCase base, @ForAll boolean dropout, @ForAll long dropSeed) {
        TbpttCase seq = base.withSpec(variant(base, dropout, false));
        TbpttCase bf = base.withSpec(variant(base, dropout, true));
        TbpttCase.Result a = seq.driver(Kernels.scalar(), dropSeed, null);
        TbpttCase.Result b = bf.driver(Kernels.scalar(), dropSeed, null);
        assertSameResult(a, b, base);
    }

    /**
     * For k2 ≤ k1, a stream processed in two runs split at a window boundary, the second starting
     * from the first's final state (hN passed back as h0, in place), equals one run.
     */
    @Property(tries = 100)
    void aRunSplitAtAWindowBoundaryEqualsOneRun(@ForAll("cases") TbpttCase base, @ForAll boolean dropout,
                                                @ForAll long dropSeed,
                                                @ForAll @IntRange(min = 0, max = 1000) int pick) {
        TbpttCase c0 = base.withSpec(variant(base, dropout, false));
        TbpttCase c = c0.k2 > c0.k1 ? c0.withK(c0.k2, c0.k1) : c0;
        int updates = (c.steps + c.k1 - 1) / c.k1;
        if (updates < 2) {
            return;
        }
        int at = (1 + pick % (updates - 1)) * c.k1;
        TbpttCase.Result one = c.driver(Kernels.scalar(), dropSeed, null);

        TruncatedBptt tb = new TruncatedBptt(new Rnn(c.weights, Kernels.scalar()), c.k1, c.k2);
        RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, dropSeed);
        RnnWeights grads = new RnnWeights(c.spec);
        TbpttCase.Loss loss = c.newLoss();
        float[] h = c.h0OrZeros();
        float[] cs = c.c0OrZeros();
        double l1 = tb.run(ws, c.slice(0, at), at, c.batch, h, cs, loss, grads, null, h, cs);
        double l2 = tb.run(ws, c.slice(at, c.steps), c.steps - at, c.batch, h, cs,
                (s, n, o, g) -> loss.loss(s + at, n, o, g), grads, null, h, cs);
        assertSameGrads(one.grads, grads, c);
        assertArrayEquals(one.hN, h, "hN");
        assertArrayEquals(one.cN, cs, "cN");
        assertArrayEquals(one.seen, loss.seen, "outputs shown to the loss");
        assertEquals(one.loss, l1 + l2, 1e-12 * (1 + Math.abs(one.loss)), "loss");
    }

    /** Bitwise: loss, parameter gradients, hN, cN, the outputs shown, and gradInput if {@code want} has one. */
    static void assertSameResult(TbpttCase.Result want, TbpttCase.Result got, TbpttCase c) {
        assertEquals(want.loss, got.loss, "loss");
        assertSameGrads(want.grads, got.grads, c);
        assertArrayEquals(want.hN, got.hN, "hN");
        assertArrayEquals(want.cN, got.cN, "cN");
        assertArrayEquals(want.seen, got.seen, "outputs shown to the loss");
        if (want.gradInput != null) {
            assertArrayEquals(want.gradInput, got.gradInput, "gradInput");
        }
    }

        static void assertSameGrads(RnnWeights want, RnnWeights got, TbpttCase c) {
        for (String n : want.names()) {
            assertArrayEquals(want.get(n), got.get(n), "grad " + n + " (" + c + ")");
        }
    }
}
