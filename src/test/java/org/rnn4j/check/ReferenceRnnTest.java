package org.rnn4j.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rnn4j.cell.CellType;
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
