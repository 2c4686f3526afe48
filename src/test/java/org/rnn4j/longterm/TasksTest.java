package org.rnn4j.longterm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;

/** The task generators (exact layouts and targets), their losses and baselines by hand, the variants. */
class TasksTest {

    @Test
    void addingHasOneMarkerPerHalfAndTheSumOfTheMarkedValuesAsTarget() {
        for (int lag : new int[] {2, 3, 10, 11, 50}) {
            AddingProblem task = new AddingProblem(lag);
            int b = 40;
            Task.Batch batch = task.newBatch(b);
            task.fill(new SplittableRandom(lag), b, batch);
            assertEquals(b, batch.size());
            assertNull(batch.labels);
            int half = lag / 2;
            for (int s = 0; s < b; s++) {
                int first = -1;
                int second = -1;
                for (int t = 0; t < lag; t++) {
                    float v = batch.x[(t * b + s) * 2];
                    float m = batch.x[(t * b + s) * 2 + 1];
                    assertTrue(v >= 0f && v < 1f, "value in [0, 1)");
                    assertTrue(m == 0f || m == 1f, "marker is 0 or 1");
                    if (m == 1f) {
                        if (t < half) {
                            assertEquals(-1, first, "exactly one marker in the first half, T = " + lag);
                            first = t;
                        } else {
                            assertEquals(-1, second, "exactly one marker in the second half, T = " + lag);
                            second = t;
                        }
                    }
                }
                assertTrue(first >= 0 && second >= half, "both markers present, T = " + lag);
                float sum = batch.x[(first * b + s) * 2] + batch.x[(second * b + s) * 2];
                assertEquals(sum, batch.values[s], 0f, "target = sum of the marked values");
            }
        }
    }

    @Test
    void addingMarkersAreUniformWithinTheirHalves() {
        AddingProblem task = new AddingProblem(10);
        int b = 4000;
        Task.Batch batch = task.newBatch(b);
        task.fill(new SplittableRandom(7), b, batch);
        int[] count = new int[10];
        for (int t = 0; t < 10; t++) {
            for (int s = 0; s < b; s++) {
                count[t] += (int) batch.x[(t * b + s) * 2 + 1];
            }
        }
        for (int t = 0; t < 10; t++) {
            assertEquals(800, count[t], 120, "step " + t + ": each step of a half holds a marker 1/5 of the time");
        }
    }

    @Test
    void sameSeedSameData() {
        CopyTask task = new CopyTask(5, 3, 4);
        Task.Batch a = task.newBatch(6);
        Task.Batch b = task.newBatch(6);
        task.fill(new SplittableRandom(3), 6, a);
        task.fill(new SplittableRandom(3), 6, b);
        assertArrayEquals(a.x, b.x);
        assertArrayEquals(a.labels, b.labels);
    }

    @Test
    void addingLossAndBaselineByHand() {
        AddingProblem task = new AddingProblem(4);
        Task.Batch batch = task.newBatch(4);
        task.fill(new SplittableRandom(1), 4, batch);
        float[] y = {0.5f, 1.5f, 1.0f, 2.0f};
        System.arraycopy(y, 0, batch.values, 0, 4);
        // always 1: ((0.5)² + (0.5)² + 0 + 1²) / 4 = 0.375
        Score base = task.baseline(new Task.Batch[] {batch});
        assertEquals(0.375, base.loss(), 1e-12);
        assertEquals(4, base.count());
        assertTrue(Double.isNaN(base.accuracy()));
        float[] head = {1f, 1f, 0f, 2.5f};
        float[] dHead = new float[4];
        // (0.5)² + (0.5)² + 1 + (0.5)² = 1.75; gradient 2·(p − y)·scale
        assertEquals(1.75, task.loss(batch, head, dHead, 0.25f), 1e-12);
        assertArrayEquals(new float[] {0.25f, -0.25f, -0.5f, 0.25f}, dHead, 0f);
        Score.Accumulator acc = new Score.Accumulator(false);
        task.score(batch, head, acc);
        assertEquals(1.75 / 4, acc.score().loss(), 1e-12);
    }

    @Test
    void addingBaselineIsOneSixthOnALargeSet() {
        AddingProblem task = new AddingProblem(2);
        Task.Batch batch = task.newBatch(40000);
        task.fill(new SplittableRandom(11), 40000, batch);
        // the standard error of the mean of (1 − y)² is about 0.001 here
        assertEquals(AddingProblem.EXPECTED_BASELINE_MSE, task.baseline(new Task.Batch[] {batch}).loss(), 0.005);
    }

    @Test
    void copyLayoutSymbolsBlanksDelimiterAndLabels() {
        int lag = 7;
        int k = 3;
        int a = 4;
        CopyTask task = new CopyTask(lag, k, a);
        assertEquals(k + lag + 1 + k, task.seqLen());
        assertEquals(a + 2, task.inputSize());
        assertEquals(a, task.headSize());
        assertEquals(k, task.lossSteps());
        assertEquals(k + lag, task.delimiterStep());
        int b = 5;
        Task.Batch batch = task.newBatch(b);
        task.fill(new SplittableRandom(2), b, batch);
        assertNull(batch.values);
        int in = a + 2;
        for (int s = 0; s < b; s++) {
            for (int t = 0; t < task.seqLen(); t++) {
                int hot = -1;
                for (int c = 0; c < in; c++) {
                    float v = batch.x[(t * b + s) * in + c];
                    assertTrue(v == 0f || v == 1f);
                    if (v == 1f) {
                        assertEquals(-1, hot, "one-hot");
                        hot = c;
                    }
                }
                if (t < k) {
                    assertEquals(batch.labels[t * b + s], hot, "symbol " + t + " is its label");
                    assertTrue(hot < a);
                } else if (t == k + lag) {
                    assertEquals(task.delimiterChannel(), hot, "delimiter");
                } else {
                    assertEquals(task.blankChannel(), hot, "blank at step " + t);
                }
            }
        }
    }

    @Test
    void copyLossScoreAndBaselineByHand() {
        CopyTask task = new CopyTask(0, 1, 3);
        Task.Batch batch = task.newBatch(2);
        task.fill(new SplittableRandom(5), 2, batch);
        batch.labels[0] = 2;
        batch.labels[1] = 0;
        float[] head = {0f, 0f, (float) Math.log(2), 1f, 1f, 1f};
        // row 0: p = (1, 1, 2)/4 → −log(1/2); right (argmax 2). row 1: uniform → −log(1/3); first max is 0: right
        Score.Accumulator acc = new Score.Accumulator(true);
        task.score(batch, head, acc);
        Score s = acc.score();
        assertEquals((Math.log(2) + Math.log(3)) / 2, s.loss(), 1e-6);
        assertEquals(1.0, s.accuracy());
        float[] dHead = new float[6];
        assertEquals(Math.log(2) + Math.log(3), task.loss(batch, head, dHead, 1f), 1e-6);
        assertEquals(0.5f - 1f, dHead[2], 1e-6f);
        assertEquals(1f / 3 - 1f, dHead[3], 1e-6f);
        Score base = task.baseline(new Task.Batch[] {batch, batch});
        assertEquals(Math.log(3), base.loss(), 0);
        assertEquals(1.0 / 3, base.accuracy(), 0);
        assertEquals(4, base.count());
    }

    @Test
    void argumentErrors() {
        assertThrows(IllegalArgumentException.class, () -> new AddingProblem(1));
        assertThrows(IllegalArgumentException.class, () -> new CopyTask(-1, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> new CopyTask(1, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> new CopyTask(1, 2, 1));
        AddingProblem task = new AddingProblem(4);
        Task.Batch small = task.newBatch(2);
        assertThrows(IllegalArgumentException.class, () -> task.fill(new SplittableRandom(1), 3, small));
        assertThrows(IllegalArgumentException.class, () -> task.fill(new SplittableRandom(1), 0, small));
        Task.Batch other = new AddingProblem(4).newBatch(2);
        assertThrows(IllegalArgumentException.class, () -> task.fill(new SplittableRandom(1), 2, other));
    }

    @Test
    void variantsParseAndInitialize() {
        assertEquals(List.of(Variant.LSTM, Variant.RNN), Variant.parseList("lstm,RNN"));
        assertThrows(IllegalArgumentException.class, () -> Variant.parseList("lstm,lstm"));
        assertThrows(IllegalArgumentException.class, () -> Variant.parseList("lstm,"));
        assertThrows(IllegalArgumentException.class, () -> Variant.parse("rnn_tanh"));

        int h = 6;
        RnnWeights irnn = Variant.IRNN.initialize(new RnnWeights(RnnSpec.builder(CellType.RNN_RELU, 2, h).build()), 4);
        float[] whh = irnn.weightHh(0);
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < h; j++) {
                assertEquals(i == j ? 1f : 0f, whh[i * h + j], 0f, "W_hh = I");
            }
        }
        assertArrayEquals(new float[h], irnn.biasIh(0), 0f);
        assertArrayEquals(new float[h], irnn.biasHh(0), 0f);
        double sq = 0;
        for (float v : irnn.weightIh(0)) {
            assertTrue(Math.abs(v) < 0.006, "N(0, 0.001²) input weights");
            sq += v * v;
        }
        assertEquals(0.001, Math.sqrt(sq / irnn.weightIh(0).length), 0.0006);

        RnnWeights lstm = Variant.LSTM.initialize(new RnnWeights(RnnSpec.builder(CellType.LSTM, 2, h).build()), 4);
        for (int i = h; i < 2 * h; i++) {
            assertEquals(1f, lstm.biasIh(0)[i] + lstm.biasHh(0)[i], 0f, "forget-gate bias 1");
        }
        RnnWeights rnn = Variant.RNN.initialize(new RnnWeights(RnnSpec.builder(CellType.RNN_TANH, 2, h).build()), 4);
        RnnWeights uniform = new RnnWeights(RnnSpec.builder(CellType.RNN_TANH, 2, h).build()).initUniform(4);
        for (String n : rnn.names()) {
            assertArrayEquals(uniform.get(n), rnn.get(n), 0f, "rnn: PyTorch default " + n);
        }
        assertThrows(IllegalArgumentException.class,
                () -> Variant.GRU.initialize(new RnnWeights(RnnSpec.builder(CellType.LSTM, 2, h).build()), 1));
    }
}
