package org.rnn4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Kernels;

/**
 * {@link TruncatedBptt} with per-sequence lengths and gradInput on literal cases: sequences that
 * end inside and before a window, and the argument errors. Random sweeps are in
 * {@link TruncatedBpttLengthsProperties}.
 */
class TruncatedBpttLengthsTest {

    /**
     * LSTM, T = 10, k1 = k2 = 4 (windows [0, 4), [4, 8), [8, 10)), lengths {10, 3, 0}: sequence 1
     * ends inside the first window, sequence 2 before any. Sequence 1's final state is that of an
     * {@link Rnn} over its 3 steps alone, sequence 2's is its h0, c0; from their ends on, their
     * outputs are 0 and their input gradients 0, bitwise (scalar kernels).
     */
    @Test
    void aSequenceThatEndedCarriesItsFinalStateThroughLaterWindows() {
        RnnSpec spec = RnnSpec.builder(CellType.LSTM, 5, 7).numLayers(2).build();
        int[] lengths = {10, 3, 0};
        TbpttCase c = new TbpttCase(spec, 10, 3, 4, 4, true, 314L).withLengths(lengths);
        TbpttCase.Result tb = c.driver(Kernels.scalar(), 0, null, TruncatedBpttLengthsProperties.nanPadded(c), true);
        int p = spec.stateSize();
        int h = spec.hiddenSize();
        int in = spec.inputSize();
        int o = c.out();
        for (int b = 1; b < 3; b++) {
            int len = lengths[b];
            float[] h0 = new float[2 * p];
            float[] c0 = new float[2 * h];
            for (int l = 0; l < 2; l++) {
                System.arraycopy(c.h0, (l * 3 + b) * p, h0, l * p, p);
                System.arraycopy(c.c0, (l * 3 + b) * h, c0, l * h, h);
            }
            float[] hWant = h0.clone();
            float[] cWant = c0.clone();
            if (len > 0) {
                float[] x = new float[len * in];
                for (int t = 0; t < len; t++) {
                    System.arraycopy(c.x, (t * 3 + b) * in, x, t * in, in);
                }
                new Rnn(c.weights, Kernels.scalar()).forward(new RnnWorkspace(), false, x, len, 1, null, h0, c0,
                        null, hWant, cWant);
            }
            for (int l = 0; l < 2; l++) {
                assertArrayEquals(Arrays.copyOfRange(hWant, l * p, (l + 1) * p),
                        Arrays.copyOfRange(tb.hN, (l * 3 + b) * p, (l * 3 + b + 1) * p),
                        "hN, layer " + l + ", seq " + b);
                assertArrayEquals(Arrays.copyOfRange(cWant, l * h, (l + 1) * h),
                        Arrays.copyOfRange(tb.cN, (l * 3 + b) * h, (l * 3 + b + 1) * h),
                        "cN, layer " + l + ", seq " + b);
            }
            for (int t = len; t < 10; t++) {
                assertArrayEquals(new float[o], Arrays.copyOfRange(tb.seen, (t * 3 + b) * o, (t * 3 + b + 1) * o),
                        "output at padded step " + t + " of seq " + b);
                assertArrayEquals(new float[in],
                        Arrays.copyOfRange(tb.gradInput, (t * 3 + b) * in, (t * 3 + b + 1) * in),
                        "gradInput at padded step " + t + " of seq " + b);
            }
        }
    }

    @Test
    void badLengthsAndGradInputAreNamedWithExpectedAndActualValues() {
        RnnSpec spec = RnnSpec.builder(CellType.GRU, 5, 7).numLayers(2).build();
        TbpttCase c = new TbpttCase(spec, 6, 3, 4, 4, false, 5L);   // (6, 3, 5) = 90 inputs
        TruncatedBptt tb = new TruncatedBptt(new Rnn(c.weights), 4, 4);
        RnnWorkspace ws = new RnnWorkspace();
        RnnWeights g = new RnnWeights(spec);
        int[] lossCalls = new int[1];
        TruncatedBptt.WindowLoss loss = (s, n, out, d) -> ++lossCalls[0];
        float[] x = c.x;
        float[] dx = new float[90];
        TruncatedBpttTest.expect("lengths must hold B = 3 entries, got length 2",
                () -> tb.run(ws, x, 6, 3, new int[] {6, 6}, null, null, loss, g, null, null, null, dx));
        TruncatedBpttTest.expect("lengths[1] must be in [0, streamLen = 6], got -1",
                () -> tb.run(ws, x, 6, 3, new int[] {6, -1, 2}, null, null, loss, g, null, null, null, null));
        TruncatedBpttTest.expect("lengths[2] must be in [0, streamLen = 6], got 7",
                () -> tb.run(ws, x, 6, 3, new int[] {6, 0, 7}, null, null, loss, g, null, null, null, null));
        TruncatedBpttTest.expect("gradInput must hold (T, B, I) = 90 floats, got length 89",
                () -> tb.run(ws, x, 6, 3, null, null, null, loss, g, null, null, null, new float[89]));
        TruncatedBpttTest.expect("gradInput must be a separate array from input: the windows still to come read"
                + " the stream",
                () -> tb.run(ws, x, 6, 3, null, null, null, loss, g, null, null, null, x));
        TruncatedBptt bf = new TruncatedBptt(new Rnn(new RnnWeights(spec.toBuilder().batchFirst(true).build())), 2, 2);
        TruncatedBpttTest.expect("gradInput must hold (B, T, I) = 90 floats, got length 0",
                () -> bf.run(ws, x, 6, 3, null, null, null, loss, g, null, null, null, new float[0]));
        assertEquals(0, lossCalls[0], "no window may run before the arguments are checked");

        // longer arrays are allowed (the first B lengths are used), and then a run works
        assertEquals(1.0 + 2.0, tb.run(ws, x, 6, 3, new int[] {6, 0, 3, -5}, null, null, loss, g, null, null, null,
                new float[91]), "then a run works");
    }
}
