package org.rnn4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.check.GradientCheck;
import org.rnn4j.check.ReferenceRnn;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

/**
 * {@link TruncatedBptt}: the full-BPTT limit, chunks as independent calls from the carried state,
 * the two unequal regimes recomputed by hand from literal window lists, a finite-difference check
 * of the truncated loss, optimizer steps between windows, argument errors and allocation.
 * Random sweeps of the same claims are in {@link TruncatedBpttProperties}.
 */
class TruncatedBpttTest {

    private static TbpttCase lstmCase(int steps, int k1, int k2, double dropout) {
        RnnSpec spec = RnnSpec.builder(CellType.LSTM, 5, 7).numLayers(2).dropout(dropout).build();
        return new TbpttCase(spec, steps, 3, k1, k2, true, 20240601L);
    }

    // ================================================================== 1. full BPTT

    @Test
    void oneWindowCoveringTheStreamIsFullBptt() {
        for (int k : new int[] {9, 16}) {
            TbpttCase c = lstmCase(9, k, k, 0.3);
            TbpttCase.Result tb = c.driver(Kernels.get(), 7, null);

            Rnn rnn = new Rnn(c.weights, Kernels.get());
            RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, 7);
            float[] out = new float[9 * 3 * 7];
            float[] hN = new float[2 * 3 * 7];
            float[] cN = new float[2 * 3 * 7];
            rnn.forward(ws, true, c.x, 9, 3, null, c.h0, c.c0, out, hN, cN);
            float[] gOut = new float[out.length];
            double loss = c.newLoss().loss(0, 9, out, gOut);
            RnnWeights grads = new RnnWeights(c.spec);
            rnn.backward(ws, gOut, null, null, grads, null, null, null);

            assertEquals(loss, tb.loss, "loss, k = " + k);
            TruncatedBpttProperties.assertSameGrads(grads, tb.grads, c);
            assertArrayEquals(hN, tb.hN, "hN, k = " + k);
            assertArrayEquals(cN, tb.cN, "cN, k = " + k);
        }
    }

    // ================================================================== 3. k1 = k2 < T

    /** Chunks [0,4), [4,8), [8,10), each forwarded from the previous chunk's hN, cN and back-propagated alone. */
    @Test
    void chunksEqualIndependentCallsFromTheCarriedState() {
        TbpttCase c = lstmCase(10, 4, 4, 0.25);
        TbpttCase.Result tb = c.driver(Kernels.scalar(), 11, null);

        Rnn rnn = new Rnn(c.weights, Kernels.scalar());
        RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, 11);
        RnnWeights grads = new RnnWeights(c.spec);
        TbpttCase.Loss lossFn = c.newLoss();
        double loss = 0;
        float[] h = c.h0.clone();
        float[] cs = c.c0.clone();
        for (int[] chunk : new int[][] {{0, 4}, {4, 8}, {8, 10}}) {
            int n = chunk[1] - chunk[0];
            float[] y = new float[n * 3 * 7];
            float[] hN = new float[2 * 3 * 7];
            float[] cN = new float[2 * 3 * 7];
            rnn.forward(ws, true, c.slice(chunk[0], chunk[1]), n, 3, null, h, cs, y, hN, cN);
            float[] g = new float[y.length];
            loss += lossFn.loss(chunk[0], n, y, g);
            rnn.backward(ws, g, null, null, grads, null, null, null);   // gradHN = 0: cut at the chunk's end
            h = hN;
            cs = cN;
        }
        assertEquals(loss, tb.loss, "loss");
        TruncatedBpttProperties.assertSameGrads(grads, tb.grads, c);
        assertArrayEquals(h, tb.hN, "hN");
        assertArrayEquals(cs, tb.cN, "cN");
    }

    // ================================================================== 4. k2 < k1, k2 > k1 by hand

    /**
     * Literal windows {first back-propagated step a, shown start, end}: each is forwarded in
     * training mode from the state at a — taken from one inference pass over [0, a), independent of
     * any chaining — with output gradient r + y on [max(start, a), end) and 0 before. Without
     * dropout and with fixed weights, every output equals that of one full inference pass.
     */
    private static void assertMatchesHandRecomputation(TbpttCase c, int[][] windows) {
        TbpttCase.Result tb = c.driver(Kernels.scalar(), 0, null);
        Rnn rnn = new Rnn(c.weights, Kernels.scalar());
        RnnWorkspace ws = new RnnWorkspace();
        TbpttCase.Result full = c.fullInference(Kernels.scalar());
        int bo = c.batch * c.out();
        RnnWeights grads = new RnnWeights(c.spec);
        TbpttCase.Loss lossFn = c.newLoss();
        double loss = 0;
        for (int[] w : windows) {
            int a = w[0];
            int start = w[1];
            int end = w[2];
            float[] ha = c.h0OrZeros();
            float[] ca = c.c0OrZeros();
            if (a > 0) {
                rnn.forward(ws, false, c.slice(0, a), a, c.batch, null, c.h0, c.c0, null, ha, ca);
            }
            float[] y = new float[(end - a) * bo];
            rnn.forward(ws, true, c.slice(a, end), end - a, c.batch, null, ha, ca, y, null, null);
            // the loss of the shown steps, on the full pass's outputs
            float[] shownY = Arrays.copyOfRange(full.seen, start * bo, end * bo);
            float[] shownG = new float[shownY.length];
            loss += lossFn.loss(start, end - start, shownY, shownG);
            float[] g = new float[y.length];
            for (int t = Math.max(start, a); t < end; t++) {
                System.arraycopy(shownG, (t - start) * bo, g, (t - a) * bo, bo);
            }
            rnn.backward(ws, g, null, null, grads, null, null, null);
        }
        assertEquals(loss, tb.loss, "loss");
        TruncatedBpttProperties.assertSameGrads(grads, tb.grads, c);
        assertArrayEquals(full.hN, tb.hN, "hN");
        assertArrayEquals(full.cN, tb.cN, "cN");
    }

    @Test
    void inferencePrefixWhenK2IsBelowK1() {
        // k1 = 5, k2 = 2, T = 12: chunks [0,5) [5,10) [10,12); the last chunk is not longer than k2
        int[][] windows = {{3, 0, 5}, {8, 5, 10}, {10, 10, 12}};
        for (CellType cell : new CellType[] {CellType.GRU, CellType.LSTM}) {
            RnnSpec spec = RnnSpec.builder(cell, 4, 6).numLayers(2).build();
            assertMatchesHandRecomputation(new TbpttCase(spec, 12, 3, 5, 2, true, 5), windows);
        }
    }

    @Test
    void overlappingWindowsWhenK2IsAboveK1() {
        // k1 = 2, k2 = 5, T = 9: ends 2, 4, 6, 8, 9; windows start at max(0, end − 5)
        int[][] windows = {{0, 0, 2}, {0, 2, 4}, {1, 4, 6}, {3, 6, 8}, {4, 8, 9}};
        for (CellType cell : new CellType[] {CellType.RNN_TANH, CellType.LSTM}) {
            RnnSpec spec = RnnSpec.builder(cell, 4, 6).numLayers(2).build();
            assertMatchesHandRecomputation(new TbpttCase(spec, 9, 2, 2, 5, true, 6), windows);
        }
    }

    @Test
    void callbacksFollowTheSchedule() {
        for (int[] k : new int[][] {{4, 4}, {5, 2}, {2, 5}, {20, 20}}) {
            TbpttCase c = new TbpttCase(RnnSpec.builder(CellType.GRU, 2, 3).build(), 9, 2, k[0], k[1], false, 1);
            TruncatedBptt tb = new TruncatedBptt(new Rnn(c.weights), k[0], k[1]);
            List<String> calls = new ArrayList<>();
            tb.run(new RnnWorkspace(), c.x, 9, 2, null, null, (s, n, o, g) -> {
                calls.add("loss " + s + "+" + n);
                return s;
            }, new RnnWeights(c.spec), (u, e, l) -> calls.add("after " + u + " " + e + " " + l), null, null);
            List<String> want = new ArrayList<>();
            for (int u = 0, s = 0; s < 9; u++, s += k[0]) {
                int n = Math.min(k[0], 9 - s);
                want.add("loss " + s + "+" + n);
                want.add("after " + u + " " + (s + n) + " " + (double) s);
            }
            assertEquals(want, calls, "k1 = " + k[0] + ", k2 = " + k[1]);
            assertEquals(want.size() / 2, tb.updates(9));
        }
    }

    // ================================================================== finite differences

    /**
     * The TBPTT gradient is the exact gradient of the truncated loss: Σ over updates of the loss of
     * the back-propagated shown steps, each window forwarded from its start state held constant.
     * Checked by central differences in double precision (ReferenceRnn) against the float driver.
     * The full BPTT gradient of the same stream must fail that check — the test can tell them apart.
     */
    @Test
    void gradientIsTheFiniteDifferenceOfTheTruncatedLoss() {
        for (int[] k : new int[][] {{3, 3}, {4, 2}, {2, 4}}) {
            int k1 = k[0];
            int k2 = k[1];
            RnnSpec spec = RnnSpec.builder(CellType.LSTM, 3, 4).numLayers(2).build();
            TbpttCase c = new TbpttCase(spec, 8, 2, k1, k2, true, 99);
            TbpttCase.Result tb = c.driver(Kernels.scalar(), 0, null);

            ReferenceRnn ref = ReferenceRnn.of(spec);
            for (String n : c.weights.names()) {
                ref.setParameter(n, c.weights.get(n));
            }
            int bo = c.batch * c.out();
            java.util.function.DoubleSupplier truncatedLoss = c.truncatedLoss(ref, TbpttCase.toDouble(c.x));
            List<GradientCheck.Target> targets = new ArrayList<>();
            for (String n : c.weights.names()) {
                targets.add(GradientCheck.Target.of(n, ref.parameter(n), TbpttCase.toDouble(tb.grads.get(n))));
            }
            GradientCheck.check(truncatedLoss, targets).assertPassed();

            if (k1 == k2) {
                // full BPTT of the same loss: the gradient also flows through the carried states
                Rnn rnn = new Rnn(c.weights, Kernels.scalar());
                RnnWorkspace ws = new RnnWorkspace();
                float[] out = new float[c.steps * bo];
                rnn.forward(ws, true, c.x, c.steps, c.batch, null, c.h0, c.c0, out, null, null);
                float[] g = new float[out.length];
                c.newLoss().loss(0, c.steps, out, g);
                RnnWeights full = new RnnWeights(spec);
                rnn.backward(ws, g, null, null, full, null, null, null);
                List<GradientCheck.Target> fullTargets = new ArrayList<>();
                for (String n : c.weights.names()) {
                    fullTargets.add(GradientCheck.Target.of(n, ref.parameter(n), TbpttCase.toDouble(full.get(n))));
                }
                assertFalse(GradientCheck.check(truncatedLoss, fullTargets).passed(),
                        "full BPTT must not pass as the truncated gradient");
            }
        }
    }

    // ================================================================== afterUpdate

    /** An SGD step in afterUpdate changes the weights the next window is forwarded with, in every regime. */
    @Test
    void optimizerStepsInAfterUpdateAreSeenByTheNextWindow() {
        for (int[] k : new int[][] {{4, 4}, {5, 2}, {2, 5}}) {
            TbpttCase c = lstmCase(13, k[0], k[1], 0.3);
            TbpttCase.Result tb = c.driver(Kernels.scalar(), 3, new TbpttCase.Sgd(0.5f));
            TbpttCase.Result manual = c.manual(Kernels.scalar(), 3, new TbpttCase.Sgd(0.5f));
            String what = " (k1 = " + k[0] + ", k2 = " + k[1] + ")";
            assertEquals(manual.loss, tb.loss, "loss" + what);
            for (String n : c.weights.names()) {
                assertArrayEquals(manual.weights.get(n), tb.weights.get(n), n + " after the run" + what);
            }
            assertArrayEquals(manual.hN, tb.hN, "hN" + what);
            assertArrayEquals(manual.cN, tb.cN, "cN" + what);
            assertArrayEquals(manual.seen, tb.seen, "outputs" + what);
            TbpttCase.Result still = c.driver(Kernels.scalar(), 3, null);
            assertNotEquals(still.loss, tb.loss, "the steps must change later windows" + what);
        }
    }

    // ================================================================== 5. argument errors

    /** Asserts that call throws an IllegalArgumentException with exactly this message. */
    static void expect(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    @Test
    void badArgumentsAreNamedWithExpectedAndActualValues() {
        TbpttCase c = lstmCase(6, 4, 4, 0);   // I = 5, H = 7, L = 2, B = 3
        Rnn rnn = new Rnn(c.weights);
        expect("rnn must not be null", () -> new TruncatedBptt(null, 1, 1));
        expect("k1 (steps between updates) must be >= 1, got 0", () -> new TruncatedBptt(rnn, 0, 1));
        expect("k2 (steps back-propagated per update) must be >= 1, got -3", () -> new TruncatedBptt(rnn, 2, -3));
        for (Direction d : new Direction[] {Direction.BIDIRECTIONAL, Direction.REVERSE}) {
            Rnn reversed = new Rnn(new RnnWeights(c.spec.toBuilder().direction(d).build()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TruncatedBptt(reversed, 4, 4));
            assertTrue(e.getMessage().startsWith("rnn must have direction FORWARD for truncated BPTT, got " + d
                    + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("future of the stream"), e.getMessage());
        }

        TruncatedBptt tb = new TruncatedBptt(rnn, 4, 4);
        RnnWorkspace ws = new RnnWorkspace();
        RnnWeights g = new RnnWeights(c.spec);
        int[] lossCalls = new int[1];
        TruncatedBptt.WindowLoss loss = (s, n, o, d) -> ++lossCalls[0];
        float[] x = c.x;   // (6, 3, 5) = 90
        float[] st = new float[42];   // (2, 3, 7)
        expect("ws must not be null", () -> tb.run(null, x, 6, 3, null, null, loss, g, null, null, null));
        expect("streamLen must be >= 1, got 0", () -> tb.run(ws, x, 0, 3, null, null, loss, g, null, null, null));
        expect("batch must be >= 1, got 0", () -> tb.run(ws, x, 6, 0, null, null, loss, g, null, null, null));
        expect("input must not be null", () -> tb.run(ws, null, 6, 3, null, null, loss, g, null, null, null));
        expect("input must hold (T, B, I) = 90 floats, got length 89",
                () -> tb.run(ws, new float[89], 6, 3, null, null, loss, g, null, null, null));
        expect("input must hold (T, B, I) = 105 floats, got length 90",
                () -> tb.run(ws, x, 7, 3, null, null, loss, g, null, null, null));
        expect("h0 must hold (L·D, B, P) = 42 floats, got length 41",
                () -> tb.run(ws, x, 6, 3, new float[41], null, loss, g, null, null, null));
        expect("c0 must hold (L·D, B, H) = 42 floats, got length 21",
                () -> tb.run(ws, x, 6, 3, st, new float[21], loss, g, null, null, null));
        expect("hN must hold (L·D, B, P) = 42 floats, got length 14",
                () -> tb.run(ws, x, 6, 3, null, null, loss, g, null, new float[14], null));
        expect("cN must hold (L·D, B, H) = 42 floats, got length 0",
                () -> tb.run(ws, x, 6, 3, null, null, loss, g, null, st, new float[0]));
        expect("loss must not be null", () -> tb.run(ws, x, 6, 3, null, null, null, g, null, null, null));
        expect("grads must not be null", () -> tb.run(ws, x, 6, 3, null, null, loss, null, null, null, null));
        expect("grads must be a separate RnnWeights, not the engine's weights",
                () -> tb.run(ws, x, 6, 3, null, null, loss, c.weights, null, null, null));
        RnnWeights oneLayer = new RnnWeights(RnnSpec.builder(CellType.LSTM, 5, 7).build());
        expect("grads must have the parameter shapes of lstm(I=5, H=7, L=2), got lstm(I=5, H=7, L=1)",
                () -> tb.run(ws, x, 6, 3, null, null, loss, oneLayer, null, null, null));
        expect("streamLen must be >= 1, got -1", () -> tb.updates(-1));

        Rnn gru = new Rnn(new RnnWeights(RnnSpec.builder(CellType.GRU, 5, 7).batchFirst(true).build()));
        TruncatedBptt tg = new TruncatedBptt(gru, 3, 3);
        RnnWeights gg = new RnnWeights(gru.spec());
        expect("c0 must be null: a gru has no cell state",
                () -> tg.run(ws, x, 6, 3, null, new float[42], loss, gg, null, null, null));
        expect("cN must be null: a gru has no cell state",
                () -> tg.run(ws, x, 6, 3, null, null, loss, gg, null, null, new float[42]));
        expect("input must hold (B, T, I) = 105 floats, got length 90",
                () -> tg.run(ws, x, 7, 3, null, null, loss, gg, null, null, null));

        assertEquals(0, lossCalls[0], "no window may run before the arguments are checked");
        assertEquals(1.0 + 2.0, tb.run(ws, x, 6, 3, null, null, loss, g, null, null, null), "then a run works");
    }

    @Test
    void runIsNotReentrantAndRecoversFromACallbackException() {
        TbpttCase c = lstmCase(6, 2, 2, 0);
        TruncatedBptt tb = new TruncatedBptt(new Rnn(c.weights), 2, 2);
        RnnWorkspace ws = new RnnWorkspace();
        RnnWeights g = new RnnWeights(c.spec);
        TruncatedBptt.WindowLoss plain = (s, n, o, d) -> 1;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tb.run(ws, c.x, 6, 3, null, null,
                (s, n, o, d) -> tb.run(ws, c.x, 6, 3, null, null, plain, g, null, null, null), g, null, null, null));
        assertTrue(e.getMessage().startsWith("run is already in progress on this TruncatedBptt"), e.getMessage());
        assertThrows(ArithmeticException.class, () -> tb.run(ws, c.x, 6, 3, null, null, plain, g,
                (u, end, l) -> {
                    throw new ArithmeticException("diverged");
                }, null, null));
        assertEquals(3.0, tb.run(ws, c.x, 6, 3, null, null, plain, g, null, null, null));
    }

    // ================================================================== 6. allocation

    /**
     * Once its buffers are sized, the driver allocates nothing per window, nor per run. Scalar
     * kernels (SIMD vector boxes are heap objects until C2 compiles the kernels, which says nothing
     * about the driver); LSTM with training-mode dropout; all three regimes; without and with
     * lengths and gradInput.
     */
    @Test
    void steadyStateWindowsAllocateNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        int[] lengths = {40, 17, 0};
        float[] dx = new float[40 * 3 * 5];
        for (int[] k : new int[][] {{5, 5}, {7, 3}, {3, 8}, {5, 5, 1}, {7, 3, 1}, {3, 8, 1}}) {
            boolean padded = k.length > 2;
            TbpttCase c = lstmCase(40, k[0], k[1], 0.3);
            TruncatedBptt tb = new TruncatedBptt(new Rnn(c.weights, Kernels.scalar()), k[0], k[1]);
            RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, 1);
            RnnWeights grads = new RnnWeights(c.spec);
            TbpttCase.Loss loss = c.newLoss();
            float[] hN = new float[c.hState()];
            float[] cN = new float[c.cState()];
            int updates = tb.updates(40);
            long[] perWindow = new long[updates];
            long[] last = new long[1];
            TruncatedBptt.AfterUpdate measure = (u, e, l) -> {
                long now = mx.getThreadAllocatedBytes(id);
                perWindow[u] = now - last[0];
                last[0] = now;
            };
            // Run 0 sizes the buffers. Afterwards a leak would show in every run; the JVM itself
            // occasionally charges a few hundred bytes to the thread (in a random window, from JIT
            // activity), so one fully clean run among the next ones is required.
            long total = -1;
            boolean clean = false;
            for (int run = 0; run < 30 && !clean; run++) {
                loss.reset();
                long before = mx.getThreadAllocatedBytes(id);
                last[0] = before;
                if (padded) {
                    tb.run(ws, c.x, 40, 3, lengths, c.h0, c.c0, loss, grads, measure, hN, cN, dx);
                } else {
                    tb.run(ws, c.x, 40, 3, c.h0, c.c0, loss, grads, measure, hN, cN);
                }
                total = mx.getThreadAllocatedBytes(id) - before;
                clean = run > 0 && total == 0 && Arrays.stream(perWindow).allMatch(b -> b == 0);
            }
            assertTrue(clean, "no allocation-free run, k = " + Arrays.toString(Arrays.copyOf(k, 2))
                    + (padded ? " with lengths and gradInput" : "") + "; the last allocated " + total
                    + " bytes, per window " + Arrays.toString(perWindow));
        }
    }

    // ================================================================== docs

    /** The snippet of docs/sequence-modeling.md, "Truncated BPTT", verbatim between the markers, and that it trains. */
    @Test
    void docsSnippetCompilesAndLearns() {
        double[] epochLoss = new double[3];
        for (int epoch = 0; epoch < 3; epoch++) {
            epochLoss[epoch] = docsSnippet(epoch);
        }
        assertTrue(epochLoss[2] < epochLoss[0], "the loss must fall: " + Arrays.toString(epochLoss));
    }

    private RnnWeights snippetWeights;

    private double docsSnippet(int epoch) {
        int I = 8, H = 32, L = 2, T = 200, B = 4;
        RnnSpec spec = RnnSpec.builder(CellType.LSTM, I, H).numLayers(L).dropout(0.2).build();
        if (snippetWeights == null) {
            snippetWeights = new RnnWeights(spec).initUniform(42);
        }
        RnnWeights w = snippetWeights;
        float[] stream = new float[T * B * I];
        float[] target = new float[T * B * H];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < stream.length; i++) {
            stream[i] = (float) rnd.nextDouble(-1, 1);
        }
        for (int i = 0; i < target.length; i++) {
            target[i] = (float) rnd.nextDouble(0, 0.5);
        }
        // ---- docs/sequence-modeling.md, "Truncated BPTT" (from "RnnWeights grads" on) ----
        RnnWeights grads = new RnnWeights(spec);
        Rnn lstm = new Rnn(w);
        RnnWorkspace ws = new RnnWorkspace();
        float[] hN = new float[L * B * H], cN = new float[L * B * H];   // (L, B, P), (L, B, H): P = H here
        float lr = 0.05f;

        TruncatedBptt tbptt = new TruncatedBptt(lstm, 20, 20);          // k1 = k2 = 20: disjoint windows
        double loss = tbptt.run(ws, stream, T, B, null, null,           // h0 = c0 = 0
                (start, n, out, dOut) -> {       // out, dOut: (n, B, H), steps start … start+n−1; dOut is 0
                    double l = 0;
                    for (int i = 0; i < n * B * H; i++) {
                        float d = out[i] - target[start * B * H + i];
                        l += 0.5 * d * d;
                        dOut[i] = d;             // dL/d(out)
                    }
                    return l;
                },
                grads,
                (update, end, windowLoss) -> {   // after each window's backward pass
                    GradClip.clipGradNorm(grads, 5.0, true);
                    for (String name : w.names()) {   // plain SGD
                        float[] p = w.get(name), g = grads.get(name);
                        for (int i = 0; i < p.length; i++) {
                            p[i] -= lr * g[i];
                        }
                    }
                    grads.zero();
                },
                hN, cN);                         // the state after the last step
        // ---- end of snippet ----
        return loss;
    }
}
