package org.rnn4j.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.MergeMode;
import org.rnn4j.cell.RnnSpec;

/**
 * Forward values of {@link ReferenceRnn} from closed forms and hand computation, the packed-sequence
 * semantics, and argument validation. Gradients are checked against finite differences in
 * {@link ReferenceRnnProperties}; here only a few are derived by hand.
 */
class ReferenceRnnTest {

    static double sigmoid(double a) {
        return 1 / (1 + Math.exp(-a));
    }

    static double[] random(SplittableRandom rnd, int n) {
        double[] a = new double[n];
        for (int k = 0; k < n; k++) {
            a[k] = 2 * rnd.nextDouble() - 1;
        }
        return a;
    }

    // ================================================================== parameters

    @Test
    void parameterNamesAndShapesFollowPyTorchStateDict() {
        ReferenceRnn rnn = new ReferenceRnn(CellType.LSTM, 3, 5, 2);
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"), rnn.parameterNames());
        assertArrayEquals(new int[] {20, 3}, rnn.shape("weight_ih_l0"));
        assertArrayEquals(new int[] {20, 5}, rnn.shape("weight_hh_l0"));
        assertArrayEquals(new int[] {20}, rnn.shape("bias_ih_l0"));
        assertArrayEquals(new int[] {20, 5}, rnn.shape("weight_ih_l1"));
        assertEquals(60, rnn.parameter("weight_ih_l0").length);
        assertEquals(2 * (20 * 5 + 2 * 20) + 20 * 3 + 20 * 5, rnn.parameterCount());
        ReferenceRnn gru = ReferenceRnn.of(RnnSpec.builder(CellType.GRU, 4, 2).numLayers(3).dropout(0.5).build());
        assertArrayEquals(new int[] {6, 4}, gru.shape("weight_ih_l0"));
        assertArrayEquals(new int[] {6, 2}, gru.shape("weight_ih_l2"));
    }

    @Test
    void optionParametersFollowPyTorchStateDict() {
        ReferenceRnn rnn = ReferenceRnn.of(RnnSpec.builder(CellType.LSTM, 3, 5).numLayers(2)
                .direction(Direction.BIDIRECTIONAL).projSize(2).peephole(true).build());
        List<String> names = new java.util.ArrayList<>();
        for (String sfx : List.of("0", "0_reverse", "1", "1_reverse")) {
            for (String p : List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr", "weight_peephole")) {
                names.add(p + "_l" + sfx);
            }
        }
        assertEquals(names, rnn.parameterNames());
        assertArrayEquals(new int[] {20, 3}, rnn.shape("weight_ih_l0_reverse"));
        assertArrayEquals(new int[] {20, 4}, rnn.shape("weight_ih_l1"));      // reads [fwd, rev], 2P = 4
        assertArrayEquals(new int[] {20, 2}, rnn.shape("weight_hh_l1_reverse")); // (4H, P)
        assertArrayEquals(new int[] {2, 5}, rnn.shape("weight_hr_l0"));        // (P, H)
        assertArrayEquals(new int[] {15}, rnn.shape("weight_peephole_l1"));     // (3H)
        assertEquals(2, rnn.stateSize());
        assertEquals(2, rnn.numDirections());
        assertEquals(4, rnn.outputSize());
        assertEquals(Direction.BIDIRECTIONAL, rnn.spec().direction());
        ReferenceRnn rev = ReferenceRnn.of(RnnSpec.builder(CellType.GRU, 3, 5).direction(Direction.REVERSE)
                .resetBefore(true).build());
        assertEquals(List.of("weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                "bias_hh_l0_reverse"), rev.parameterNames());
        assertEquals(5, rev.outputSize());
        // The 4-argument constructor is the plain forward spec.
        assertEquals(RnnSpec.builder(CellType.GRU, 3, 5).numLayers(2).build(),
                new ReferenceRnn(CellType.GRU, 3, 5, 2).spec());
    }

    @Test
    void parameterIsLiveAndSetParameterCopies() {
        ReferenceRnn rnn = new ReferenceRnn(CellType.RNN_TANH, 1, 1, 1);
        rnn.parameter("bias_ih_l0")[0] = 0.25;
        double[] out1 = rnn.forward(new double[] {0}, 1, 1).output();
        assertEquals(Math.tanh(0.25), out1[0]);
        float[] w = {0.5f};
        rnn.setParameter("weight_ih_l0", w);
        w[0] = 7;
        assertEquals(0.5, rnn.parameter("weight_ih_l0")[0]);
        rnn.setParameter("weight_ih_l0", new double[] {2});
        assertEquals(Math.tanh(2 * 3.0 + 0.25), rnn.forward(new double[] {3}, 1, 1).output()[0]);
        // The forward result keeps its own snapshot: a later parameter change does not reach it.
        assertEquals(Math.tanh(0.25), out1[0]);
    }

    @Test
    void initUniformIsDeterministicAndBounded() {
        ReferenceRnn a = new ReferenceRnn(CellType.GRU, 3, 4, 2);
        ReferenceRnn b = new ReferenceRnn(CellType.GRU, 3, 4, 2);
        a.initUniform(42, 0.3);
        b.initUniform(42, 0.3);
        for (String name : a.parameterNames()) {
            assertArrayEquals(a.parameter(name), b.parameter(name), name);
            for (double v : a.parameter(name)) {
                assertTrue(Math.abs(v) <= 0.3, name);
            }
        }
        b.initUniform(43, 0.3);
        assertTrue(!Arrays.equals(a.parameter("weight_ih_l0"), b.parameter("weight_ih_l0")));
        a.initUniform(7);
        for (double v : a.parameter("weight_hh_l1")) {
            assertTrue(Math.abs(v) <= 0.5);
        }
    }

    // ================================================================== forward from closed forms

    /**
     * With all weights 0 the LSTM gates are constants of the biases: c_t = f·c_{t−1} + i·g has the
     * closed form c_t = f^t·c_0 + i·g·(1 − f^t)/(1 − f), and h_t = o·tanh(c_t).
     */
    @Test
    void lstmWithZeroWeightsFollowsClosedForm() {
        int H = 2;
        ReferenceRnn rnn = new ReferenceRnn(CellType.LSTM, 3, H, 1);
        double[] bIh = rnn.parameter("bias_ih_l0");
        double[] bHh = rnn.parameter("bias_hh_l0");
        // Per unit j: pre-activations of i, f, g, o split over the two biases.
        double[][] pre = {{0.3, 1.1, -0.7, 0.2}, {-1.5, 0.4, 2.0, -0.3}};
        for (int j = 0; j < H; j++) {
            for (int k = 0; k < 4; k++) {
                bIh[k * H + j] = pre[j][k] - 0.125;
                bHh[k * H + j] = 0.125;
            }
        }
        int T = 6;
        SplittableRandom rnd = new SplittableRandom(1);
        double[] x = random(rnd, T * 3); // irrelevant: W_ih = 0
        double[] h0 = {0.9, -0.4};
        double[] c0 = {0.5, -2.0};
        ReferenceRnn.Forward fwd = rnn.forward(x, T, 1, null, h0, c0, null);
        for (int j = 0; j < H; j++) {
            double i = sigmoid(pre[j][0]);
            double f = sigmoid(pre[j][1]);
            double g = Math.tanh(pre[j][2]);
            double o = sigmoid(pre[j][3]);
            for (int t = 1; t <= T; t++) {
                double ft = Math.pow(f, t);
                double c = ft * c0[j] + i * g * (1 - ft) / (1 - f);
                assertEquals(o * Math.tanh(c), fwd.output()[(t - 1) * H + j], 1e-14, "h t=" + t + " j=" + j);
                if (t == T) {
                    assertEquals(c, fwd.cN()[j], 1e-14);
                    assertEquals(o * Math.tanh(c), fwd.hN()[j], 1e-14);
                }
            }
        }
    }

    /** A 1×1 tanh RNN over three steps, and its gradients for the loss h_3, derived by hand. */
    @Test
    void oneByOneRnnByHand() {
        ReferenceRnn rnn = new ReferenceRnn(CellType.RNN_TANH, 1, 1, 1);
        double wih = 0.5;
        double whh = -0.3;
        double bih = 0.1;
        double bhh = 0.2;
        rnn.setParameter("weight_ih_l0", new double[] {wih});
        rnn.setParameter("weight_hh_l0", new double[] {whh});
        rnn.setParameter("bias_ih_l0", new double[] {bih});
        rnn.setParameter("bias_hh_l0", new double[] {bhh});
        double[] x = {1, 2, -1};
        double h0 = 0.4;
        double h1 = Math.tanh(wih * 1 + bih + whh * h0 + bhh);
        double h2 = Math.tanh(wih * 2 + bih + whh * h1 + bhh);
        double h3 = Math.tanh(wih * -1 + bih + whh * h2 + bhh);
        ReferenceRnn.Forward fwd = rnn.forward(x, 3, 1, null, new double[] {h0}, null, null);
        assertArrayEquals(new double[] {h1, h2, h3}, fwd.output(), 1e-15);
        assertArrayEquals(new double[] {h3}, fwd.hN(), 1e-15);
        assertNull(fwd.cN());

        // loss = h_3: da_t = dh_t·(1 − h_t²), dh_{t−1} = da_t·w_hh.
        double da3 = 1 - h3 * h3;
        double da2 = da3 * whh * (1 - h2 * h2);
        double da1 = da2 * whh * (1 - h1 * h1);
        ReferenceRnn.Gradients g = rnn.backward(fwd, null, new double[] {1}, null);
        assertEquals(da1 * 1 + da2 * 2 + da3 * -1, g.parameter("weight_ih_l0")[0], 1e-15);
        assertEquals(da1 * h0 + da2 * h1 + da3 * h2, g.parameter("weight_hh_l0")[0], 1e-15);
        assertEquals(da1 + da2 + da3, g.parameter("bias_ih_l0")[0], 1e-15);
        assertEquals(da1 + da2 + da3, g.parameter("bias_hh_l0")[0], 1e-15);
        assertArrayEquals(new double[] {da1 * wih, da2 * wih, da3 * wih}, g.input(), 1e-15);
        assertEquals(da1 * whh, g.h0()[0], 1e-15);
        assertNull(g.c0());
    }

    /** A saturated update gate (σ(1000) = 1 in double) makes every GRU layer keep its h0 exactly. */
    @Test
    void gruWithUpdateGateOneKeepsInitialState() {
        int H = 3;
        int B = 2;
        int T = 4;
        int L = 2;
        ReferenceRnn rnn = new ReferenceRnn(CellType.GRU, 2, H, L);
        rnn.initUniform(5, 1.0);
        for (int l = 0; l < L; l++) {
            double[] bIz = rnn.parameter("bias_ih_l" + l);
            for (int j = 0; j < H; j++) {
                bIz[H + j] = 1000;
            }
        }
        SplittableRandom rnd = new SplittableRandom(2);
        double[] h0 = random(rnd, L * B * H);
        ReferenceRnn.Forward fwd = rnn.forward(random(rnd, T * B * 2), T, B, null, h0, null, null);
        assertArrayEquals(h0, fwd.hN());
        for (int t = 0; t < T; t++) {
            assertArrayEquals(Arrays.copyOfRange(h0, B * H, 2 * B * H),
                    Arrays.copyOfRange(fwd.output(), t * B * H, (t + 1) * B * H));
        }
    }

    /** relu(W_ih·0 + 0 + I·h + 0) = h for h >= 0: the state is a fixed point. */
    @Test
    void reluRnnWithIdentityRecurrenceAndZeroInputKeepsState() {
        int H = 4;
        int B = 2;
        int T = 5;
        ReferenceRnn rnn = new ReferenceRnn(CellType.RNN_RELU, 3, H, 1);
        rnn.initUniform(9, 1.0);
        Arrays.fill(rnn.parameter("bias_ih_l0"), 0);
        Arrays.fill(rnn.parameter("bias_hh_l0"), 0);
        double[] whh = rnn.parameter("weight_hh_l0");
        Arrays.fill(whh, 0);
        for (int j = 0; j < H; j++) {
            whh[j * H + j] = 1;
        }
        double[] h0 = {0, 0.5, 1.25, 3, 0.1, 0, 2, 7};
        ReferenceRnn.Forward fwd = rnn.forward(new double[T * B * 3], T, B, null, h0, null, null);
        assertArrayEquals(h0, fwd.hN());
        for (int t = 0; t < T; t++) {
            assertArrayEquals(h0, Arrays.copyOfRange(fwd.output(), t * B * H, (t + 1) * B * H));
        }
    }

    /** PyTorch's relu'(0) = 0: a unit sitting exactly at the kink passes no gradient. */
    @Test
    void reluDerivativeAtZeroIsZero() {
        ReferenceRnn rnn = new ReferenceRnn(CellType.RNN_RELU, 1, 1, 1);
        rnn.setParameter("weight_ih_l0", new double[] {1});
        rnn.setParameter("weight_hh_l0", new double[] {1});
        ReferenceRnn.Forward fwd = rnn.forward(new double[] {0}, 1, 1);
        ReferenceRnn.Gradients g = rnn.backward(fwd, new double[] {1}, new double[] {1}, null);
        assertEquals(0, fwd.output()[0]);
        assertEquals(0, g.parameter("bias_ih_l0")[0]);
        assertEquals(0, g.input()[0]);
        assertEquals(0, g.h0()[0]);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void zeroLengthKeepsInitialStateAndPassesGradientThrough(CellType cell) {
        int H = 3;
        int B = 3;
        int T = 4;
        int L = 2;
        ReferenceRnn rnn = new ReferenceRnn(cell, 2, H, L);
        rnn.initUniform(3, 0.8);
        SplittableRandom rnd = new SplittableRandom(4);
        double[] h0 = random(rnd, L * B * H);
        double[] c0 = cell.hasCellState() ? random(rnd, L * B * H) : null;
        double[] input = random(rnd, T * B * 2);
        int[] lengths = {0, 0, 0};
        ReferenceRnn.Forward fwd = rnn.forward(input, T, B, lengths, h0, c0, null);
        assertArrayEquals(h0, fwd.hN());
        if (c0 != null) {
            assertArrayEquals(c0, fwd.cN());
        }
        assertArrayEquals(new double[T * B * H], fwd.output());
        double[] gh = random(rnd, L * B * H);
        double[] gc = c0 != null ? random(rnd, L * B * H) : null;
        ReferenceRnn.Gradients g = rnn.backward(fwd, random(rnd, T * B * H), gh, gc);
        assertArrayEquals(gh, g.h0());
        if (gc != null) {
            assertArrayEquals(gc, g.c0());
        }
        assertArrayEquals(new double[T * B * 2], g.input());
        for (String name : rnn.parameterNames()) {
            assertArrayEquals(new double[rnn.parameter(name).length], g.parameter(name), name);
        }
    }

    // ================================================================== packed-sequence semantics

    /**
     * Each sequence of a variable-length batch gives bitwise the same output and final state as the
     * same sequence run alone with T = its length, and 0 output past its length.
     */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void variableLengthsEqualSeparateRuns(CellType cell) {
        int I = 3;
        int H = 4;
        int B = 4;
        int T = 5;
        int L = 2;
        ReferenceRnn rnn = new ReferenceRnn(cell, I, H, L);
        rnn.initUniform(11, 0.7);
        SplittableRandom rnd = new SplittableRandom(12);
        double[] input = random(rnd, T * B * I);
        double[] h0 = random(rnd, L * B * H);
        double[] c0 = cell.hasCellState() ? random(rnd, L * B * H) : null;
        int[] lengths = {5, 2, 0, 3};
        ReferenceRnn.Forward fwd = rnn.forward(input, T, B, lengths, h0, c0, null);
        for (int b = 0; b < B; b++) {
            int n = lengths[b];
            double[] xb = new double[n * I];
            for (int t = 0; t < n; t++) {
                System.arraycopy(input, (t * B + b) * I, xb, t * I, I);
            }
            double[] hb = new double[L * H];
            double[] cb = c0 == null ? null : new double[L * H];
            for (int l = 0; l < L; l++) {
                System.arraycopy(h0, (l * B + b) * H, hb, l * H, H);
                if (cb != null) {
                    System.arraycopy(c0, (l * B + b) * H, cb, l * H, H);
                }
            }
            ReferenceRnn.Forward alone = rnn.forward(xb, n, 1, null, hb, cb, null);
            for (int t = 0; t < T; t++) {
                double[] got = Arrays.copyOfRange(fwd.output(), (t * B + b) * H, (t * B + b + 1) * H);
                double[] want = t < n ? Arrays.copyOfRange(alone.output(), t * H, (t + 1) * H) : new double[H];
                assertArrayEquals(want, got, "b=" + b + " t=" + t);
            }
            for (int l = 0; l < L; l++) {
                assertArrayEquals(Arrays.copyOfRange(alone.hN(), l * H, (l + 1) * H),
                        Arrays.copyOfRange(fwd.hN(), (l * B + b) * H, (l * B + b + 1) * H));
                if (cb != null) {
                    assertArrayEquals(Arrays.copyOfRange(alone.cN(), l * H, (l + 1) * H),
                            Arrays.copyOfRange(fwd.cN(), (l * B + b) * H, (l * B + b + 1) * H));
                }
            }
        }
    }

    /**
     * NaN and huge values in the padded input positions and in the padded upstream gradient change
     * no forward or backward result by a single bit.
     */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void garbageInPaddedPositionsChangesNothing(CellType cell) {
        int I = 2;
        int H = 3;
        int B = 3;
        int T = 4;
        int L = 2;
        ReferenceRnn rnn = new ReferenceRnn(cell, I, H, L);
        rnn.initUniform(21, 0.9);
        SplittableRandom rnd = new SplittableRandom(22);
        int[] lengths = {4, 1, 3};
        double[] input = random(rnd, T * B * I);
        double[] gradOut = random(rnd, T * B * H);
        double[] gh = random(rnd, L * B * H);
        double[] gc = cell.hasCellState() ? random(rnd, L * B * H) : null;
        double[][] masks = {random(rnd, T * B * H)};
        // Clean: padding all zeros.
        double[] cleanIn = input.clone();
        double[] cleanGrad = gradOut.clone();
        double[] dirtyIn = input.clone();
        double[] dirtyGrad = gradOut.clone();
        double[] dirtyMask = masks[0].clone();
        double[] garbage = {Double.NaN, Double.POSITIVE_INFINITY, -1e300, Double.longBitsToDouble(0x7ff0_dead_beef_0001L)};
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) {
                if (t >= lengths[b]) {
                    for (int j = 0; j < I; j++) {
                        cleanIn[(t * B + b) * I + j] = 0;
                        dirtyIn[(t * B + b) * I + j] = garbage[(t + j) % garbage.length];
                    }
                    for (int j = 0; j < H; j++) {
                        cleanGrad[(t * B + b) * H + j] = 0;
                        dirtyGrad[(t * B + b) * H + j] = garbage[(b + j) % garbage.length];
                        dirtyMask[(t * B + b) * H + j] = Double.NaN;
                    }
                }
            }
        }
        ReferenceRnn.Forward clean = rnn.forward(cleanIn, T, B, lengths, null, null, masks);
        ReferenceRnn.Forward dirty = rnn.forward(dirtyIn, T, B, lengths, null, null, new double[][] {dirtyMask});
        assertBitwise(clean.output(), dirty.output());
        assertBitwise(clean.hN(), dirty.hN());
        ReferenceRnn.Gradients gClean = rnn.backward(clean, cleanGrad, gh, gc);
        ReferenceRnn.Gradients gDirty = rnn.backward(dirty, dirtyGrad, gh, gc);
        assertBitwise(gClean.input(), gDirty.input());
        assertBitwise(gClean.h0(), gDirty.h0());
        if (gc != null) {
            assertBitwise(clean.cN(), dirty.cN());
            assertBitwise(gClean.c0(), gDirty.c0());
        }
        for (String name : rnn.parameterNames()) {
            assertBitwise(gClean.parameter(name), gDirty.parameter(name));
        }
        // Padded input positions get exactly 0 gradient.
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) {
                for (int j = 0; j < I && t >= lengths[b]; j++) {
                    assertEquals(0.0, gDirty.input()[(t * B + b) * I + j]);
                }
            }
        }
    }

    static void assertBitwise(double[] want, double[] got) {
        assertEquals(want.length, got.length);
        for (int k = 0; k < want.length; k++) {
            if (Double.doubleToRawLongBits(want[k]) != Double.doubleToRawLongBits(got[k])) {
                throw new AssertionError("element " + k + ": want " + want[k] + ", got " + got[k]);
            }
        }
    }

    /** Defaults are what they claim: null lengths = all T, null states = zeros, null masks = ones. */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void nullArgumentsMeanTheirDefaults(CellType cell) {
        int I = 2;
        int H = 3;
        int B = 2;
        int T = 3;
        int L = 3;
        ReferenceRnn rnn = new ReferenceRnn(cell, I, H, L);
        rnn.initUniform(31);
        SplittableRandom rnd = new SplittableRandom(32);
        double[] input = random(rnd, T * B * I);
        double[] ones = new double[T * B * H];
        Arrays.fill(ones, 1);
        double[] zeros = new double[L * B * H];
        ReferenceRnn.Forward a = rnn.forward(input, T, B);
        ReferenceRnn.Forward b = rnn.forward(input, T, B, new int[] {T, T}, zeros,
                cell.hasCellState() ? zeros : null, new double[][] {ones, null});
        assertBitwise(a.output(), b.output());
        assertBitwise(a.hN(), b.hN());
        double[] gOut = random(rnd, T * B * H);
        ReferenceRnn.Gradients ga = rnn.backward(a, gOut, null, null);
        ReferenceRnn.Gradients gb = rnn.backward(b, gOut, zeros, cell.hasCellState() ? zeros : null);
        assertBitwise(ga.input(), gb.input());
        assertBitwise(ga.h0(), gb.h0());
        for (String name : rnn.parameterNames()) {
            assertBitwise(ga.parameter(name), gb.parameter(name));
        }
    }

    /**
     * Stacking: a 2-layer network equals layer 0 run alone, its output multiplied by the mask, fed to
     * layer 1 run alone; and a constant mask s equals scaling layer 1's W_ih by s.
     */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void stackingWithDropoutMaskEqualsTwoSingleLayers(CellType cell) {
        int I = 3;
        int H = 4;
        int B = 2;
        int T = 4;
        ReferenceRnn two = new ReferenceRnn(cell, I, H, 2);
        two.initUniform(41, 0.8);
        ReferenceRnn bottom = new ReferenceRnn(cell, I, H, 1);
        ReferenceRnn top = new ReferenceRnn(cell, H, H, 1);
        for (String p : List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh")) {
            bottom.setParameter(p + "_l0", two.parameter(p + "_l0"));
            top.setParameter(p + "_l0", two.parameter(p + "_l1"));
        }
        SplittableRandom rnd = new SplittableRandom(42);
        double[] input = random(rnd, T * B * I);
        int[] lengths = {4, 2};
        double[] mask = new double[T * B * H];
        for (int k = 0; k < mask.length; k++) {
            mask[k] = rnd.nextInt(3) == 0 ? 0 : 1 / (1 - 1.0 / 3);
        }
        ReferenceRnn.Forward whole = two.forward(input, T, B, lengths, null, null, new double[][] {mask});
        ReferenceRnn.Forward first = bottom.forward(input, T, B, lengths, null, null, null);
        double[] mid = first.output().clone();
        for (int k = 0; k < mid.length; k++) {
            mid[k] *= mask[k];
        }
        ReferenceRnn.Forward second = top.forward(mid, T, B, lengths, null, null, null);
        assertBitwise(first.output(), whole.layerOutput(0));
        assertBitwise(second.output(), whole.output());
        assertBitwise(first.hN(), Arrays.copyOfRange(whole.hN(), 0, B * H));
        assertBitwise(second.hN(), Arrays.copyOfRange(whole.hN(), B * H, 2 * B * H));

        double s = 0.375;
        double[] constant = new double[T * B * H];
        Arrays.fill(constant, s);
        ReferenceRnn.Forward masked = two.forward(input, T, B, lengths, null, null, new double[][] {constant});
        double[] w = two.parameter("weight_ih_l1");
        for (int k = 0; k < w.length; k++) {
            w[k] *= s;
        }
        ReferenceRnn.Forward scaled = two.forward(input, T, B, lengths, null, null, null);
        assertArrayEquals(scaled.output(), masked.output(), 1e-14);
    }

    @Test
    void preActivationsAreTheGateArguments() {
        int H = 2;
        ReferenceRnn rnn = new ReferenceRnn(CellType.GRU, 1, H, 1);
        rnn.initUniform(51, 1.0);
        double[] x = {0.7};
        double[] h0 = {0.2, -0.6};
        ReferenceRnn.Forward fwd = rnn.forward(x, 1, 1, null, h0, null, null);
        double[] wih = rnn.parameter("weight_ih_l0");
        double[] whh = rnn.parameter("weight_hh_l0");
        double[] bih = rnn.parameter("bias_ih_l0");
        double[] bhh = rnn.parameter("bias_hh_l0");
        double[] pre = fwd.preActivations(0);
        for (int j = 0; j < H; j++) {
            double ar = wih[j] * x[0] + bih[j] + whh[j * H] * h0[0] + whh[j * H + 1] * h0[1] + bhh[j];
            double az = wih[H + j] * x[0] + bih[H + j] + whh[(H + j) * H] * h0[0] + whh[(H + j) * H + 1] * h0[1]
                    + bhh[H + j];
            double hn = whh[(2 * H + j) * H] * h0[0] + whh[(2 * H + j) * H + 1] * h0[1] + bhh[2 * H + j];
            double an = wih[2 * H + j] * x[0] + bih[2 * H + j] + sigmoid(ar) * hn;
            assertEquals(ar, pre[j], 1e-15);
            assertEquals(az, pre[H + j], 1e-15);
            assertEquals(an, pre[2 * H + j], 1e-15);
            double z = sigmoid(az);
            assertEquals((1 - z) * Math.tanh(an) + z * h0[j], fwd.output()[j], 1e-15);
        }
    }

    // ================================================================== spec options

    /** One spec per cell variant (forward, 2 layers, I = 3, H = 4); the tests derive directions from them. */
    static Stream<RnnSpec> variants() {
        return Stream.of(
                RnnSpec.builder(CellType.RNN_TANH, 3, 4).numLayers(2).build(),
                RnnSpec.builder(CellType.RNN_RELU, 3, 4).numLayers(2).build(),
                RnnSpec.builder(CellType.LSTM, 3, 4).numLayers(2).build(),
                RnnSpec.builder(CellType.LSTM, 3, 4).numLayers(2).peephole(true).build(),
                RnnSpec.builder(CellType.LSTM, 3, 4).numLayers(2).projSize(2).build(),
                RnnSpec.builder(CellType.LSTM, 3, 4).numLayers(2).projSize(3).peephole(true).build(),
                RnnSpec.builder(CellType.GRU, 3, 4).numLayers(2).build(),
                RnnSpec.builder(CellType.GRU, 3, 4).numLayers(2).resetBefore(true).build());
    }

    /** Packed, unsorted lengths (T = 5) with an empty sequence, used by the direction tests. */
    static final int[] PACKED = {3, 5, 0, 2};

    /**
     * (T, B, w) → the same with each sequence b's active steps reversed within its own length:
     * r[len_b−1−t, b] = a[t, b] for t < len_b; {@code pad} at inactive positions.
     */
    static double[] reverseWithin(double[] a, int T, int B, int w, int[] len, double pad) {
        double[] r = new double[T * B * w];
        Arrays.fill(r, pad);
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < len[b]; t++) {
                System.arraycopy(a, (t * B + b) * w, r, ((len[b] - 1 - t) * B + b) * w, w);
            }
        }
        return r;
    }

    /** a copy of a with {@code pad} at every inactive position of (T, B, w). */
    static double[] padded(double[] a, int T, int B, int w, int[] len, double pad) {
        double[] r = a.clone();
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) {
                if (t >= len[b]) {
                    Arrays.fill(r, (t * B + b) * w, (t * B + b + 1) * w, pad);
                }
            }
        }
        return r;
    }

    /**
     * (a) A reverse-only network is a forward network (the same weights, taken from the
     * {@code _reverse} names) run on every sequence reversed within its own length, its outputs
     * reversed back: bitwise, forward and backward, for 2 layers with a dropout mask and packed
     * unsorted lengths. NaN in the padding shows that no padded position is read.
     */
    @ParameterizedTest
    @MethodSource("variants")
    void reverseOnlyIsForwardOnSequencesReversedWithinTheirLengths(RnnSpec forwardSpec) {
        int T = 5;
        int B = 4;
        int[] len = PACKED;
        ReferenceRnn rev = ReferenceRnn.of(forwardSpec.toBuilder().direction(Direction.REVERSE).build());
        ReferenceRnn fwd = ReferenceRnn.of(forwardSpec);
        rev.initUniform(61, 0.8);
        assertTrue(rev.parameterNames().stream().allMatch(n -> n.endsWith("_reverse")), rev.parameterNames()::toString);
        for (String name : fwd.parameterNames()) {
            fwd.setParameter(name, rev.parameter(name + "_reverse"));
        }
        int I = rev.inputSize();
        int H = rev.hiddenSize();
        int P = rev.stateSize();
        int O = rev.outputSize();
        int L = rev.numLayers();
        assertEquals(P, O);
        boolean lstm = rev.cell().hasCellState();
        SplittableRandom rnd = new SplittableRandom(62);
        double[] x = padded(random(rnd, T * B * I), T, B, I, len, Double.NaN);
        double[] h0 = random(rnd, L * B * P);
        double[] c0 = lstm ? random(rnd, L * B * H) : null;
        double[] mask = random(rnd, T * B * O);

        ReferenceRnn.Forward a = rev.forward(x, T, B, len, h0, c0, new double[][] {mask});
        ReferenceRnn.Forward b = fwd.forward(reverseWithin(x, T, B, I, len, Double.NaN), T, B, len, h0, c0,
                new double[][] {reverseWithin(mask, T, B, O, len, Double.NaN)});
        assertBitwise(reverseWithin(b.output(), T, B, O, len, 0), a.output());
        assertBitwise(reverseWithin(b.layerOutput(0), T, B, O, len, 0), a.layerOutput(0));
        assertBitwise(b.hN(), a.hN());
        if (lstm) {
            assertBitwise(b.cN(), a.cN());
        }

        double[] gOut = padded(random(rnd, T * B * O), T, B, O, len, Double.NaN);
        double[] gh = random(rnd, L * B * P);
        double[] gc = lstm ? random(rnd, L * B * H) : null;
        ReferenceRnn.Gradients ga = rev.backward(a, gOut, gh, gc);
        ReferenceRnn.Gradients gb = fwd.backward(b, reverseWithin(gOut, T, B, O, len, Double.NaN), gh, gc);
        assertBitwise(reverseWithin(gb.input(), T, B, I, len, 0), ga.input());
        assertBitwise(gb.h0(), ga.h0());
        if (lstm) {
            assertBitwise(gb.c0(), ga.c0());
        }
        for (String name : fwd.parameterNames()) {
            assertBitwise(gb.parameter(name), ga.parameter(name + "_reverse"));
        }
    }

    /**
     * (b) One bidirectional layer is a forward-only and a reverse-only layer side by side: CONCAT
     * output = [forward, reverse] per step, SUM output = forward + reverse, h_n/c_n entry
     * {@code direction·B + b}, and the input gradient is the sum of the two; with packed unsorted
     * lengths and NaN in the padding.
     */
    @ParameterizedTest
    @MethodSource("variants")
    void bidirectionalLayerIsAForwardAndAReverseRun(RnnSpec forwardSpec) {
        int T = 5;
        int B = 4;
        int[] len = PACKED;
        RnnSpec one = forwardSpec.toBuilder().numLayers(1).build();
        for (MergeMode merge : MergeMode.values()) {
            ReferenceRnn bi = ReferenceRnn.of(one.toBuilder().direction(Direction.BIDIRECTIONAL).merge(merge).build());
            ReferenceRnn f = ReferenceRnn.of(one);
            ReferenceRnn r = ReferenceRnn.of(one.toBuilder().direction(Direction.REVERSE).build());
            bi.initUniform(71, 0.8);
            for (String name : f.parameterNames()) {
                f.setParameter(name, bi.parameter(name));
                r.setParameter(name + "_reverse", bi.parameter(name + "_reverse"));
            }
            int I = bi.inputSize();
            int H = bi.hiddenSize();
            int P = bi.stateSize();
            int O = bi.outputSize();
            assertEquals(merge == MergeMode.CONCAT ? 2 * P : P, O);
            assertEquals(2, bi.numDirections());
            boolean lstm = bi.cell().hasCellState();
            SplittableRandom rnd = new SplittableRandom(72);
            double[] x = padded(random(rnd, T * B * I), T, B, I, len, Double.NaN);
            double[] h0 = random(rnd, 2 * B * P);
            double[] c0 = lstm ? random(rnd, 2 * B * H) : null;
            double[] h0f = Arrays.copyOfRange(h0, 0, B * P);
            double[] h0r = Arrays.copyOfRange(h0, B * P, 2 * B * P);
            double[] c0f = lstm ? Arrays.copyOfRange(c0, 0, B * H) : null;
            double[] c0r = lstm ? Arrays.copyOfRange(c0, B * H, 2 * B * H) : null;

            ReferenceRnn.Forward A = bi.forward(x, T, B, len, h0, c0, null);
            ReferenceRnn.Forward F = f.forward(x, T, B, len, h0f, c0f, null);
            ReferenceRnn.Forward R = r.forward(x, T, B, len, h0r, c0r, null);
            double[] want = new double[T * B * O];
            for (int k = 0; k < T * B; k++) {
                for (int j = 0; j < P; j++) {
                    if (merge == MergeMode.CONCAT) {
                        want[k * O + j] = F.output()[k * P + j];
                        want[k * O + P + j] = R.output()[k * P + j];
                    } else {
                        want[k * O + j] = F.output()[k * P + j] + R.output()[k * P + j];
                    }
                }
            }
            assertArrayEquals(want, A.output(), 0.0, merge.name());
            assertBitwise(F.output(), A.directionOutput(0, 0));
            assertBitwise(R.output(), A.directionOutput(0, 1));
            assertBitwise(concat(F.hN(), R.hN()), A.hN());
            if (lstm) {
                assertBitwise(concat(F.cN(), R.cN()), A.cN());
            }

            double[] gOut = padded(random(rnd, T * B * O), T, B, O, len, Double.NaN);
            double[] gF = new double[T * B * P];
            double[] gR = new double[T * B * P];
            for (int k = 0; k < T * B; k++) {
                for (int j = 0; j < P; j++) {
                    gF[k * P + j] = gOut[k * O + j];
                    gR[k * P + j] = gOut[k * O + (merge == MergeMode.CONCAT ? P : 0) + j];
                }
            }
            double[] gh = random(rnd, 2 * B * P);
            double[] gc = lstm ? random(rnd, 2 * B * H) : null;
            ReferenceRnn.Gradients GA = bi.backward(A, gOut, gh, gc);
            ReferenceRnn.Gradients GF = f.backward(F, gF, Arrays.copyOfRange(gh, 0, B * P),
                    lstm ? Arrays.copyOfRange(gc, 0, B * H) : null);
            ReferenceRnn.Gradients GR = r.backward(R, gR, Arrays.copyOfRange(gh, B * P, 2 * B * P),
                    lstm ? Arrays.copyOfRange(gc, B * H, 2 * B * H) : null);
            double[] gIn = new double[T * B * I];
            for (int k = 0; k < gIn.length; k++) {
                gIn[k] = GF.input()[k] + GR.input()[k];
            }
            assertArrayEquals(gIn, GA.input(), 0.0);
            assertBitwise(concat(GF.h0(), GR.h0()), GA.h0());
            if (lstm) {
                assertBitwise(concat(GF.c0(), GR.c0()), GA.c0());
            }
            for (String name : f.parameterNames()) {
                assertBitwise(GF.parameter(name), GA.parameter(name));
                assertBitwise(GR.parameter(name + "_reverse"), GA.parameter(name + "_reverse"));
            }
        }
    }

    static double[] concat(double[] a, double[] b) {
        double[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /**
     * Layer 1 of a bidirectional network reads layer 0's merged output (width 2P or P) times the
     * dropout mask: the 2-layer network equals layer 1 run alone on that input, and h_n is laid
     * out (layer·D + direction, B, P).
     */
    @ParameterizedTest
    @MethodSource("variants")
    void bidirectionalLayersStackOnTheMergedOutput(RnnSpec forwardSpec) {
        int T = 5;
        int B = 4;
        int[] len = PACKED;
        for (MergeMode merge : MergeMode.values()) {
            RnnSpec spec = forwardSpec.toBuilder().direction(Direction.BIDIRECTIONAL).merge(merge).build();
            ReferenceRnn two = ReferenceRnn.of(spec);
            two.initUniform(81, 0.8);
            int O = two.outputSize();
            int P = two.stateSize();
            RnnSpec topSpec = RnnSpec.builder(spec.cell(), O, spec.hiddenSize()).direction(Direction.BIDIRECTIONAL)
                    .merge(merge).projSize(spec.projSize()).peephole(spec.peephole()).resetBefore(spec.resetBefore())
                    .build();
            ReferenceRnn top = ReferenceRnn.of(topSpec);
            for (String name : top.parameterNames()) {
                top.setParameter(name, two.parameter(name.replace("_l0", "_l1")));
            }
            SplittableRandom rnd = new SplittableRandom(82);
            double[] x = random(rnd, T * B * two.inputSize());
            double[] h0 = random(rnd, 4 * B * P);
            double[] mask = random(rnd, T * B * O);
            ReferenceRnn.Forward whole = two.forward(x, T, B, len, h0, null, new double[][] {mask});
            double[] mid = whole.layerOutput(0).clone();
            for (int k = 0; k < mid.length; k++) {
                mid[k] *= mask[k];
            }
            ReferenceRnn.Forward upper = top.forward(mid, T, B, len, Arrays.copyOfRange(h0, 2 * B * P, 4 * B * P),
                    null, null);
            assertBitwise(upper.output(), whole.output());
            assertBitwise(upper.hN(), Arrays.copyOfRange(whole.hN(), 2 * B * P, 4 * B * P));
            assertEquals(4 * B * P, whole.hN().length);
        }
    }

    /**
     * (c) A peephole LSTM whose peephole weights are all 0 is the plain LSTM, bitwise, in every
     * direction and with and without projection; its peephole gradient is still a real one.
     */
    @ParameterizedTest
    @EnumSource(Direction.class)
    void peepholeWithZeroWeightsIsThePlainLstm(Direction direction) {
        int T = 5;
        int B = 4;
        int[] len = PACKED;
        for (int proj : new int[] {0, 3}) {
            RnnSpec plainSpec = RnnSpec.builder(CellType.LSTM, 3, 4).numLayers(2).direction(direction)
                    .projSize(proj).build();
            ReferenceRnn peep = ReferenceRnn.of(plainSpec.toBuilder().peephole(true).build());
            ReferenceRnn plain = ReferenceRnn.of(plainSpec);
            peep.initUniform(91, 0.9);
            for (String name : peep.parameterNames()) {
                if (name.startsWith("weight_peephole")) {
                    Arrays.fill(peep.parameter(name), 0);
                } else {
                    plain.setParameter(name, peep.parameter(name));
                }
            }
            int U = plain.numLayers() * plain.numDirections();
            SplittableRandom rnd = new SplittableRandom(92);
            double[] x = random(rnd, T * B * 3);
            double[] h0 = random(rnd, U * B * plain.stateSize());
            double[] c0 = random(rnd, U * B * 4);
            ReferenceRnn.Forward a = peep.forward(x, T, B, len, h0, c0, null);
            ReferenceRnn.Forward b = plain.forward(x, T, B, len, h0, c0, null);
            assertBitwise(b.output(), a.output());
            assertBitwise(b.hN(), a.hN());
            assertBitwise(b.cN(), a.cN());
            double[] gOut = random(rnd, T * B * plain.outputSize());
            double[] gh = random(rnd, h0.length);
            double[] gc = random(rnd, c0.length);
            ReferenceRnn.Gradients ga = peep.backward(a, gOut, gh, gc);
            ReferenceRnn.Gradients gb = plain.backward(b, gOut, gh, gc);
            assertBitwise(gb.input(), ga.input());
            assertBitwise(gb.h0(), ga.h0());
            assertBitwise(gb.c0(), ga.c0());
            for (String name : plain.parameterNames()) {
                assertBitwise(gb.parameter(name), ga.parameter(name));
            }
            String p0 = "weight_peephole_l0" + (direction == Direction.REVERSE ? "_reverse" : "");
            assertTrue(Arrays.stream(ga.parameter(p0)).allMatch(v -> v != 0 && Double.isFinite(v)), p0);
        }
    }

    /**
     * A 1-unit peephole LSTM by hand over three steps, with distinct weights for the blocks
     * [p_i, p_f, p_o]: i and f peek at c_{t−1}, o at the new c_t (ONNX / Gers semantics).
     */
    @Test
    void peepholeLstmByHand() {
        ReferenceRnn rnn = ReferenceRnn.of(RnnSpec.builder(CellType.LSTM, 1, 1).peephole(true).build());
        rnn.initUniform(111, 0.9);
        double[] p = {0.8, -1.1, 1.4};
        rnn.setParameter("weight_peephole_l0", p);
        double[] wih = rnn.parameter("weight_ih_l0");
        double[] whh = rnn.parameter("weight_hh_l0");
        double[] bih = rnn.parameter("bias_ih_l0");
        double[] bhh = rnn.parameter("bias_hh_l0");
        double[] x = {0.6, -1.5, 1.1};
        double h = -0.3;
        double c = 1.2;
        ReferenceRnn.Forward fwd = rnn.forward(x, 3, 1, null, new double[] {h}, new double[] {c}, null);
        for (int t = 0; t < 3; t++) {
            double[] a = new double[4];
            for (int k = 0; k < 4; k++) {
                a[k] = wih[k] * x[t] + bih[k] + whh[k] * h + bhh[k];
            }
            double cPrev = c;
            double i = sigmoid(a[0] + p[0] * cPrev);
            double f = sigmoid(a[1] + p[1] * cPrev);
            double g = Math.tanh(a[2]);
            c = f * cPrev + i * g;
            double o = sigmoid(a[3] + p[2] * c);
            h = o * Math.tanh(c);
            assertEquals(h, fwd.output()[t], 1e-15, "t=" + t);
            // The pre-activations include the peephole terms.
            double[] pre = Arrays.copyOfRange(fwd.preActivations(0), t * 4, t * 4 + 4);
            assertArrayEquals(new double[] {a[0] + p[0] * cPrev, a[1] + p[1] * cPrev, a[2], a[3] + p[2] * c}, pre,
                    1e-15);
        }
        assertEquals(c, fwd.cN()[0], 1e-15);
        assertEquals(h, fwd.hN()[0], 1e-15);
    }

    /**
     * (d) A projected LSTM (I = 1, H = 2, P = 1) by hand: h_t = W_hr·(o ⊙ tanh c_t) with an
     * engineered W_hr = [0.7, −0.4], fed back through the (4H, P) W_hh; c_n keeps H elements; and for
     * one step ∂h_1/∂W_hr = m_1.
     */
    @Test
    void projectedLstmByHand() {
        int H = 2;
        ReferenceRnn rnn = ReferenceRnn.of(RnnSpec.builder(CellType.LSTM, 1, H).projSize(1).build());
        rnn.initUniform(101, 0.9);
        double[] whr = {0.7, -0.4};
        rnn.setParameter("weight_hr_l0", whr);
        assertArrayEquals(new int[] {1, 2}, rnn.shape("weight_hr_l0"));
        assertArrayEquals(new int[] {8, 1}, rnn.shape("weight_hh_l0"));
        double[] wih = rnn.parameter("weight_ih_l0");
        double[] whh = rnn.parameter("weight_hh_l0");
        double[] bih = rnn.parameter("bias_ih_l0");
        double[] bhh = rnn.parameter("bias_hh_l0");
        double[] x = {0.9, -1.3, 0.4};
        double h = 0.25;
        double[] c = {-0.6, 0.8};
        ReferenceRnn.Forward fwd = rnn.forward(x, 3, 1, null, new double[] {h}, c.clone(), null);
        double[] m = new double[H];
        for (int t = 0; t < 3; t++) {
            for (int j = 0; j < H; j++) {
                double[] a = new double[4];
                for (int k = 0; k < 4; k++) {
                    int row = k * H + j;
                    a[k] = wih[row] * x[t] + bih[row] + whh[row] * h + bhh[row];
                }
                double i = sigmoid(a[0]);
                double f = sigmoid(a[1]);
                double g = Math.tanh(a[2]);
                double o = sigmoid(a[3]);
                c[j] = f * c[j] + i * g;
                m[j] = o * Math.tanh(c[j]);
            }
            h = whr[0] * m[0] + whr[1] * m[1];
            assertEquals(h, fwd.output()[t], 1e-15, "t=" + t);
        }
        assertArrayEquals(new double[] {h}, fwd.hN(), 1e-15);
        assertArrayEquals(c, fwd.cN(), 1e-15);

        ReferenceRnn.Forward one = rnn.forward(new double[] {x[0]}, 1, 1, null, new double[] {0.25},
                new double[] {-0.6, 0.8}, null);
        double h1 = one.output()[0];
        ReferenceRnn.Gradients g = rnn.backward(one, null, new double[] {1}, null);
        double[] m1 = new double[H];
        for (int j = 0; j < H; j++) {
            double[] a = new double[4];
            for (int k = 0; k < 4; k++) {
                int row = k * H + j;
                a[k] = wih[row] * x[0] + bih[row] + whh[row] * 0.25 + bhh[row];
            }
            double c1 = sigmoid(a[1]) * (j == 0 ? -0.6 : 0.8) + sigmoid(a[0]) * Math.tanh(a[2]);
            m1[j] = sigmoid(a[3]) * Math.tanh(c1);
        }
        assertEquals(whr[0] * m1[0] + whr[1] * m1[1], h1, 1e-15);
        assertArrayEquals(m1, g.parameter("weight_hr_l0"), 1e-15);
    }

    /**
     * (e) A 1-unit reset-before GRU by hand, n = tanh(w_in·x + b_in + w_hn·(r·h) + b_hn), two steps;
     * hand derivatives of one step; and it differs from PyTorch's reset-after GRU with the same
     * weights (they coincide for one unit only when b_hn = 0).
     */
    @Test
    void resetBeforeGruByHand() {
        double[] wih = {0.5, -0.3, 0.8};   // r, z, n
        double[] whh = {0.6, 0.2, -0.9};
        double[] bih = {0.1, -0.2, 0.05};
        double[] bhh = {0.3, 0.15, 0.4};
        RnnSpec spec = RnnSpec.builder(CellType.GRU, 1, 1).resetBefore(true).build();
        ReferenceRnn before = ReferenceRnn.of(spec);
        ReferenceRnn after = ReferenceRnn.of(spec.toBuilder().resetBefore(false).build());
        for (ReferenceRnn rnn : List.of(before, after)) {
            rnn.setParameter("weight_ih_l0", wih);
            rnn.setParameter("weight_hh_l0", whh);
            rnn.setParameter("bias_ih_l0", bih);
            rnn.setParameter("bias_hh_l0", bhh);
        }
        double[] x = {1.2, -0.7};
        double h0 = 0.35;
        double h = h0;
        double[] want = new double[2];
        for (int t = 0; t < 2; t++) {
            double r = sigmoid(wih[0] * x[t] + bih[0] + whh[0] * h + bhh[0]);
            double z = sigmoid(wih[1] * x[t] + bih[1] + whh[1] * h + bhh[1]);
            double n = Math.tanh(wih[2] * x[t] + bih[2] + whh[2] * (r * h) + bhh[2]);
            h = (1 - z) * n + z * h;
            want[t] = h;
        }
        ReferenceRnn.Forward fb = before.forward(x, 2, 1, null, new double[] {h0}, null, null);
        ReferenceRnn.Forward fa = after.forward(x, 2, 1, null, new double[] {h0}, null, null);
        assertArrayEquals(want, fb.output(), 1e-15);
        assertArrayEquals(new double[] {h}, fb.hN(), 1e-15);
        assertTrue(Math.abs(fa.output()[0] - fb.output()[0]) > 1e-3,
                () -> "reset-after " + fa.output()[0] + " vs reset-before " + fb.output()[0]);

        // One step, loss = h_1.
        double r = sigmoid(wih[0] * x[0] + bih[0] + whh[0] * h0 + bhh[0]);
        double z = sigmoid(wih[1] * x[0] + bih[1] + whh[1] * h0 + bhh[1]);
        double n = Math.tanh(wih[2] * x[0] + bih[2] + whh[2] * (r * h0) + bhh[2]);
        double dAn = (1 - z) * (1 - n * n);        // ∂h_1/∂(argument of n)
        double dAz = (h0 - n) * z * (1 - z);       // ∂h_1/∂(argument of z)
        double dAr = dAn * whh[2] * h0 * r * (1 - r);
        ReferenceRnn.Forward one = before.forward(new double[] {x[0]}, 1, 1, null, new double[] {h0}, null, null);
        ReferenceRnn.Gradients g = before.backward(one, new double[] {1}, null, null);
        assertArrayEquals(new double[] {dAr, dAz, dAn}, g.parameter("bias_ih_l0"), 1e-15);
        assertArrayEquals(new double[] {dAr, dAz, dAn}, g.parameter("bias_hh_l0"), 1e-15);
        assertArrayEquals(new double[] {dAr * h0, dAz * h0, dAn * r * h0}, g.parameter("weight_hh_l0"), 1e-15);
        assertArrayEquals(new double[] {dAr * x[0], dAz * x[0], dAn * x[0]}, g.parameter("weight_ih_l0"), 1e-15);
        assertArrayEquals(new double[] {dAr * wih[0] + dAz * wih[1] + dAn * wih[2]}, g.input(), 1e-15);
        assertArrayEquals(new double[] {z + dAz * whh[1] + dAr * whh[0] + dAn * whh[2] * r}, g.h0(), 1e-15);
    }

    // ================================================================== validation of the options

    /**
     * (f) Bad option combinations are refused by {@link RnnSpec}, naming the field, before a
     * reference exists; the reference adds no path around that validation.
     */
    @Test
    void badOptionCombinationsNameTheField() {
        assertMessage("projSize needs an lstm, got gru",
                () -> ReferenceRnn.of(RnnSpec.builder(CellType.GRU, 2, 3).projSize(1).build()));
        assertMessage("projSize must be 0 or in [1, hiddenSize = 3), got 3",
                () -> ReferenceRnn.of(RnnSpec.builder(CellType.LSTM, 2, 3).projSize(3).build()));
        assertMessage("projSize must be 0 or in [1, hiddenSize = 3), got -1",
                () -> ReferenceRnn.of(RnnSpec.builder(CellType.LSTM, 2, 3).projSize(-1).build()));
        assertMessage("peephole needs an lstm, got rnn_tanh",
                () -> ReferenceRnn.of(RnnSpec.builder(CellType.RNN_TANH, 2, 3).peephole(true).build()));
        assertMessage("resetBefore needs a gru, got lstm",
                () -> ReferenceRnn.of(RnnSpec.builder(CellType.LSTM, 2, 3).resetBefore(true).build()));
        assertMessage("merge SUM needs direction BIDIRECTIONAL, got REVERSE",
                () -> ReferenceRnn.of(RnnSpec.builder(CellType.GRU, 2, 3).direction(Direction.REVERSE)
                        .merge(MergeMode.SUM).build()));
        assertMessage("direction must not be null",
                () -> new ReferenceRnn(new RnnSpec(CellType.GRU, 2, 3, 1, 0, false, null, MergeMode.CONCAT, 0,
                        false, false)));
        assertMessage("spec must not be null", () -> ReferenceRnn.of(null));
        assertMessage("spec must not be null", () -> new ReferenceRnn((RnnSpec) null));
    }

    /** Array arguments are checked against (L·D, B, P), (L·D, B, H) and (T, B, outputSize). */
    @Test
    void shapesOfTheOptionsAreValidated() {
        // bidirectional, concat, 2 layers, H = 4, P = 3: states (4, B, 3) and (4, B, 4), output width 6
        ReferenceRnn rnn = ReferenceRnn.of(RnnSpec.builder(CellType.LSTM, 2, 4).numLayers(2)
                .direction(Direction.BIDIRECTIONAL).projSize(3).build());
        int T = 3;
        int B = 2;
        double[] in = new double[T * B * 2];
        assertMessage("h0.length must be 24 for shape (L·D, B, P) = (4, 2, 3), got 16",
                () -> rnn.forward(in, T, B, null, new double[16], null, null));
        assertMessage("c0.length must be 32 for shape (L·D, B, H) = (4, 2, 4), got 24",
                () -> rnn.forward(in, T, B, null, null, new double[24], null));
        assertMessage("dropoutMasks[0].length must be 36 for shape (T, B, outputSize) = (3, 2, 6), got 18",
                () -> rnn.forward(in, T, B, null, null, null, new double[][] {new double[18]}));
        ReferenceRnn.Forward fwd = rnn.forward(in, T, B);
        assertEquals(T * B * 6, fwd.output().length);
        assertEquals(4 * B * 3, fwd.hN().length);
        assertEquals(4 * B * 4, fwd.cN().length);
        assertEquals(T * B * 3, fwd.directionOutput(1, 1).length);
        assertEquals(T * B * 16, fwd.preActivations(1, 1).length);
        assertMessage("gradOutput.length must be 36 for shape (T, B, outputSize) = (3, 2, 6), got 18",
                () -> rnn.backward(fwd, new double[18], null, null));
        assertMessage("gradHN.length must be 24", () -> rnn.backward(fwd, null, new double[16], null));
        assertMessage("gradCN.length must be 32", () -> rnn.backward(fwd, null, null, new double[24]));
        assertMessage("direction must be in [0, 2), got 2", () -> fwd.directionOutput(0, 2));
        assertMessage("direction must be in [0, 2), got -1", () -> fwd.preActivations(0, -1));
        assertMessage("layer must be in [0, 2), got 2", () -> fwd.directionOutput(2, 0));
        ReferenceRnn.Gradients g = rnn.backward(fwd, null, null, null);
        assertEquals(T * B * 2, g.input().length);
        assertEquals(4 * B * 3, g.h0().length);
        assertEquals(4 * B * 4, g.c0().length);
        // sum: the output and the masks are P wide
        ReferenceRnn sum = ReferenceRnn.of(RnnSpec.builder(CellType.GRU, 2, 4).numLayers(2)
                .direction(Direction.BIDIRECTIONAL).merge(MergeMode.SUM).build());
        assertEquals(4, sum.outputSize());
        assertEquals(T * B * 4, sum.forward(in, T, B, null, null, null, new double[][] {new double[T * B * 4]})
                .output().length);
    }

    // ================================================================== validation

    @Test
    void badArgumentsNameTheArgument() {
        ReferenceRnn rnn = new ReferenceRnn(CellType.LSTM, 2, 3, 2);
        double[] in = new double[4 * 2 * 2];
        assertMessage("input.length must be 16", () -> rnn.forward(new double[15], 4, 2));
        assertMessage("input must not be null", () -> rnn.forward(null, 4, 2));
        assertMessage("seqLen must be >= 0, got -1", () -> rnn.forward(in, -1, 2));
        assertMessage("lengths.length must be batch = 2, got 3",
                () -> rnn.forward(in, 4, 2, new int[3], null, null, null));
        assertMessage("lengths[1] must be in [0, seqLen = 4], got 5",
                () -> rnn.forward(in, 4, 2, new int[] {1, 5}, null, null, null));
        assertMessage("h0.length must be 12", () -> rnn.forward(in, 4, 2, null, new double[6], null, null));
        assertMessage("c0.length must be 12", () -> rnn.forward(in, 4, 2, null, null, new double[6], null));
        assertMessage("dropoutMasks.length must be numLayers − 1 = 1, got 2",
                () -> rnn.forward(in, 4, 2, null, null, null, new double[2][]));
        assertMessage("dropoutMasks[0].length must be 24",
                () -> rnn.forward(in, 4, 2, null, null, null, new double[][] {new double[3]}));
        ReferenceRnn gru = new ReferenceRnn(CellType.GRU, 2, 3, 1);
        assertMessage("c0 must be null for cell gru",
                () -> gru.forward(new double[4], 1, 2, null, null, new double[6], null));
        ReferenceRnn.Forward fwd = rnn.forward(in, 4, 2);
        assertMessage("gradOutput.length must be 24", () -> rnn.backward(fwd, new double[3], null, null));
        assertMessage("gradHN.length must be 12", () -> rnn.backward(fwd, null, new double[3], null));
        assertMessage("fwd must come from this ReferenceRnn",
                () -> new ReferenceRnn(CellType.LSTM, 2, 3, 2).backward(fwd, null, null, null));
        assertMessage("gradCN must be null for cell gru",
                () -> gru.backward(gru.forward(new double[2], 1, 1), null, null, new double[3]));
        assertMessage("parameter name must be one of", () -> rnn.parameter("weight_ih_l2"));
        assertMessage("bias_hh_l1.length must be 12", () -> rnn.setParameter("bias_hh_l1", new double[3]));
        assertMessage("hiddenSize must be >= 1, got 0", () -> new ReferenceRnn(CellType.GRU, 1, 0, 1));
        assertMessage("cell must not be null", () -> new ReferenceRnn(null, 1, 1, 1));
        assertMessage("bound must be finite and >= 0", () -> rnn.initUniform(1, Double.NaN));
        assertMessage("layer must be in [0, 2), got 2", () -> fwd.layerOutput(2));
    }

    static void assertMessage(String expectedPart, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expectedPart), () -> "message '" + e.getMessage()
                + "' does not contain '" + expectedPart + "'");
    }
}
