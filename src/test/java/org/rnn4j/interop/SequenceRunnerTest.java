package org.rnn4j.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Kernels;

/**
 * The runner's own work — embedding lookup, head, zeros at padded steps, layouts, argument checks,
 * allocation — against a one-layer tanh RNN written out in double here:
 * h_t = tanh(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh), y_t = W·h_t + b for t < len, 0 after.
 */
class SequenceRunnerTest {
    static final int I = 3;
    static final int H = 4;
    static final int V = 6;
    static final int O = 2;
    static final int T = 4;
    static final int B = 3;
    static final int[] LENGTHS = {4, 1, 0};

    final RnnSpec spec = RnnSpec.builder(CellType.RNN_TANH, I, H).build();
    final RnnWeights w = new RnnWeights(spec).initUniform(11);
    final float[] emb = TorchModelExportTest.random(12, V * I);
    final float[] headW = TorchModelExportTest.random(13, O * H);
    final float[] headB = TorchModelExportTest.random(14, O);
    final float[] h0 = TorchModelExportTest.random(15, B * H);
    final int[] ids = {0, 5, 3, 2, -7, 99, 4, 8, 1, 1, 2, 3};   // (T, B); -7, 99, 8 ... only at padded steps

    /** The expected y (T, B, O) (or (T, B, H) without head) and h_n (B, H), in double, from the ids. */
    double[][] reference(boolean head) {
        double[] y = new double[T * B * (head ? O : H)];
        double[] hN = new double[B * H];
        for (int b = 0; b < B; b++) {
            double[] h = new double[H];
            for (int j = 0; j < H; j++) {
                h[j] = h0[b * H + j];
            }
            for (int t = 0; t < LENGTHS[b]; t++) {
                int id = ids[t * B + b];
                double[] next = new double[H];
                for (int j = 0; j < H; j++) {
                    double a = w.biasIh(0)[j] + w.biasHh(0)[j];
                    for (int i = 0; i < I; i++) {
                        a += w.weightIh(0)[j * I + i] * (double) emb[id * I + i];
                    }
                    for (int k = 0; k < H; k++) {
                        a += w.weightHh(0)[j * H + k] * h[k];
                    }
                    next[j] = Math.tanh(a);
                }
                h = next;
                if (head) {
                    for (int o = 0; o < O; o++) {
                        double s = headB[o];
                        for (int j = 0; j < H; j++) {
                            s += headW[o * H + j] * h[j];
                        }
                        y[(t * B + b) * O + o] = s;
                    }
                } else {
                    System.arraycopy(h, 0, y, (t * B + b) * H, H);
                }
            }
            System.arraycopy(h, 0, hN, b * H, H);
        }
        return new double[][] {y, hN};
    }

    private static void close(double[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            // float weights, double reference: a few float ulps of O(1) values
            assertTrue(Math.abs(expected[i] - actual[i]) <= 1e-6, what + "[" + i + "]: " + actual[i] + " vs " + expected[i]);
            if (expected[i] == 0) {
                assertEquals(0f, actual[i], what + "[" + i + "] must be exactly 0");
            }
        }
    }

    @Test
    void tokensThroughEmbeddingRnnAndHeadWithZerosAtPaddedSteps() {
        TorchModel m = TorchModel.of(w, emb, headW, headB);
        double[][] ref = reference(true);
        float[] y = new float[T * B * O];
        java.util.Arrays.fill(y, Float.NaN);
        float[] hN = new float[B * H];
        for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.simd()}) {
            new SequenceRunner(m, k, new RnnWorkspace()).forwardTokens(ids, T, B, LENGTHS, h0, null, y, hN, null);
            close(ref[0], y, "y");
            close(ref[1], hN, "h_n");
        }
        // sequence 2 has length 0: no step, h_n = h0, y all 0 although the head has a bias
        for (int j = 0; j < H; j++) {
            assertEquals(h0[2 * H + j], hN[2 * H + j]);
        }
    }

    @Test
    void withoutHeadTheOutputIsTheRnns() {
        TorchModel m = TorchModel.of(w, emb, null, null);
        float[] y = new float[T * B * H];
        new SequenceRunner(m).forwardTokens(ids, T, B, LENGTHS, h0, null, y, null, null);
        close(reference(false)[0], y, "y");
    }

    @Test
    void featuresInBatchFirstLayout() {
        TorchModel m = TorchModel.of(new RnnWeights(spec.toBuilder().batchFirst(true).build()).initUniform(11), null,
                headW, headB);
        // x (B, T, I): the embedding rows of the ids, placed by hand; garbage at padded steps
        float[] x = new float[B * T * I];
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) {
                for (int i = 0; i < I; i++) {
                    x[(b * T + t) * I + i] = t < LENGTHS[b] ? emb[ids[t * B + b] * I + i] : Float.NaN;
                }
            }
        }
        float[] y = new float[B * T * O];
        float[] hN = new float[B * H];
        new SequenceRunner(m).forward(x, T, B, LENGTHS, h0, null, y, hN, null);
        double[][] ref = reference(true);
        double[] yBatchFirst = new double[y.length];
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) {
                System.arraycopy(ref[0], (t * B + b) * O, yBatchFirst, (b * T + t) * O, O);
            }
        }
        close(yBatchFirst, y, "y (B, T, O)");
        close(ref[1], hN, "h_n");
    }

    @Test
    void argumentsAreCheckedWithTheirNamesAndSizes() {
        TorchModel tokens = TorchModel.of(w, emb, headW, headB);
        TorchModel features = TorchModel.of(w, null, null, null);
        SequenceRunner rt = new SequenceRunner(tokens);
        SequenceRunner rf = new SequenceRunner(features);
        float[] y = new float[T * B * O];
        message(() -> rt.forward(new float[T * B * I], T, B, null, null, null, y, null, null),
                "starts with the embedding 'encoder' (V = 6)", "forwardTokens");
        message(() -> rf.forwardTokens(ids, T, B, null, null, null, y, null, null), "no embedding", "I = 3");
        int[] bad = ids.clone();
        bad[2 * B + 0] = 6;
        message(() -> rt.forwardTokens(bad, T, B, LENGTHS, null, null, y, null, null),
                "ids[6] (t = 2, b = 0) = 6", "[0, 6)");
        message(() -> rt.forwardTokens(ids, T, B, new int[] {4, 5, 0}, null, null, y, null, null),
                "lengths[1] must be in [0, T = 4], got 5");
        message(() -> rt.forwardTokens(ids, T, B, new int[] {4, 1}, null, null, y, null, null),
                "lengths must hold B = 3 entries, got length 2");
        message(() -> rt.forwardTokens(ids, T, B, LENGTHS, null, null, new float[5], null, null),
                "y must hold (T, B, O) = 24 floats, got length 5");
        message(() -> rt.forwardTokens(new int[5], T, B, null, null, null, y, null, null),
                "ids must hold (T, B) = 12 ids, got 5");
        message(() -> rt.forwardTokens(ids, 0, B, null, null, null, y, null, null), "seqLen must be >= 1, got 0");
        message(() -> rf.forward(new float[T * B * I], T, B, null, new float[3], null, null, null, null), "h0");
    }

    private static void message(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void steadyStateCallsAllocateNothing() {
        // Scalar kernels: SIMD vectors are heap boxes until C2 compiles the kernels (see RnnEngineTest).
        SequenceRunner r = new SequenceRunner(TorchModel.of(w, emb, headW, headB), Kernels.scalar(), new RnnWorkspace());
        float[] y = new float[T * B * O];
        float[] hN = new float[B * H];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long allocated = -1;
        for (int i = 0; i < 5; i++) {
            long before = mx.getThreadAllocatedBytes(id);
            r.forwardTokens(ids, T, B, LENGTHS, h0, null, y, hN, null);
            allocated = mx.getThreadAllocatedBytes(id) - before;
        }
        assertEquals(0, allocated, "bytes allocated by a steady-state call");
    }
}
