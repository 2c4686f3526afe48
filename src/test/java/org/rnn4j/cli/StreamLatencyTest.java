package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.kernel.AllocationMeter;
import org.rnn4j.kernel.VectorShapes;
import org.rnn4j.serve.StreamState;
import org.rnn4j.serve.StreamingModel;

/**
 * {@link StreamLatency}: the nearest-rank percentile against ranks worked out by hand, a short
 * measurement with 1 and 2 threads whose figures are ordered and count every thread's steps, and
 * no allocation in the timed steps once the step is compiled.
 */
class StreamLatencyTest {

    private static long[] oneTo(int n) {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = i + 1;
        }
        return a;
    }

    @Test
    void nearestRankOnOneToAThousand() {
        long[] a = oneTo(1000);
        // rank = ceil(p · n): 500, 990, 999, 1000; the values are their ranks
        assertEquals(500, StreamLatency.nearestRank(a, 1000, 500));
        assertEquals(990, StreamLatency.nearestRank(a, 1000, 990));
        assertEquals(999, StreamLatency.nearestRank(a, 1000, 999));
        assertEquals(1000, StreamLatency.nearestRank(a, 1000, 1000));
        assertEquals(1, StreamLatency.nearestRank(a, 1000, 1));
    }

    @Test
    void nearestRankRoundsTheRankUp() {
        // n = 10: p50 → ceil(5) = 5th, p99 → ceil(9.9) = 10th, p99.9 → ceil(9.99) = 10th, p0.1 → ceil(0.01) = 1st
        long[] a = {3, 5, 8, 13, 21, 34, 55, 89, 144, 233};
        assertEquals(21, StreamLatency.nearestRank(a, 10, 500));
        assertEquals(233, StreamLatency.nearestRank(a, 10, 990));
        assertEquals(233, StreamLatency.nearestRank(a, 10, 999));
        assertEquals(3, StreamLatency.nearestRank(a, 10, 1));
        // n = 1001 (of 1..1001): p50 → ceil(500.5) = 501st, p99 → ceil(990.99) = 991st, p99.9 → ceil(999.999) = 1000th
        long[] b = oneTo(1001);
        assertEquals(501, StreamLatency.nearestRank(b, 1001, 500));
        assertEquals(991, StreamLatency.nearestRank(b, 1001, 990));
        assertEquals(1000, StreamLatency.nearestRank(b, 1001, 999));
        // only the first count samples count: of {3, 5, 8}, p50 → ceil(1.5) = 2nd
        assertEquals(5, StreamLatency.nearestRank(a, 3, 500));
        // one sample is every percentile
        assertEquals(7, StreamLatency.nearestRank(new long[] {7}, 1, 500));
        assertEquals(7, StreamLatency.nearestRank(new long[] {7}, 1, 999));
    }

    @Test
    void nearestRankRejectsBadArguments() {
        long[] a = oneTo(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamLatency.nearestRank(a, 0, 500));
        assertTrue(e.getMessage().startsWith("count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StreamLatency.nearestRank(a, 5, 500));
        assertTrue(e.getMessage().startsWith("count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StreamLatency.nearestRank(a, 4, 0));
        assertTrue(e.getMessage().startsWith("perMille"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StreamLatency.nearestRank(a, 4, 1001));
        assertTrue(e.getMessage().startsWith("perMille"), e.getMessage());
    }

    @Test
    void measureOrdersTheFiguresAndCountsEveryThreadsSteps() {
        StreamingModel m = StreamingModel.builder(new RnnWeights(RnnSpec.builder(CellType.GRU, 6, 6).build()).initUniform(1))
                .build();
        float[] x = new float[6];
        for (int threads = 1; threads <= 2; threads++) {
            StreamLatency.Result r = StreamLatency.measure(m, x, threads, 0.02);
            assertEquals(threads, r.threads());
            assertTrue(r.steps() >= 2L * threads, r.toString());
            assertTrue(0 <= r.p50Ns() && r.p50Ns() <= r.p99Ns() && r.p99Ns() <= r.p999Ns() && r.p999Ns() <= r.maxNs(),
                    r.toString());
            assertTrue(r.meanNs() > 0 && r.meanNs() <= r.maxNs(), r.toString());
            // every thread times its steps for the whole budget (20 ms), so their latencies add up to at least that
            assertTrue(r.meanNs() * r.steps() >= threads * 20e6, r.toString());
            assertTrue(r.bytesPerStep() >= 0, r.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> StreamLatency.measure(m, x, 0, 0.02));
        assertThrows(IllegalArgumentException.class, () -> StreamLatency.measure(m, x, 1, 0));
    }

    @Test
    void timedStepsAllocateNothingOnceCompiled() {
        // What rnn4j bench's bytes/step reports: the harness's own loop (clock reads, the sample
        // stores) must add no garbage to the step's zero, with one thread and with two. The step is
        // first brought to its allocation-free compiled form by a bounded count of steps (the time
        // budgets of measure leave too few steps to a step still interpreted).
        VectorShapes.assumeNative("the timed streaming steps' allocation");
        StreamingModel m = StreamingModel.builder(new RnnWeights(RnnSpec.builder(CellType.LSTM, 16, 16).build()).initUniform(2))
                .build();
        float[] x = new float[16];
        java.util.Arrays.fill(x, 0.25f);
        StreamState s = m.newState();
        float[] y = new float[m.outputSize()];
        long warm = AllocationMeter.steadyStateBytes(() -> {
            for (int i = 0; i < 2_000; i++) {
                m.step(s, x, 0, y, 0);
            }
        }, 100);
        assertEquals(0, warm, "the step itself still allocates (StreamingAllocationTest's case)");
        for (int threads = 1; threads <= 2; threads++) {
            String seen = "";
            boolean zero = false;
            for (int attempt = 0; attempt < 3 && !zero; attempt++) {
                StreamLatency.Result r = StreamLatency.measure(m, x, threads, 0.05);
                zero = r.bytesPerStep() == 0;
                seen += " " + r.bytesPerStep() + " (" + r.steps() + " steps)";
            }
            assertTrue(zero, threads + " thread(s): bytes per step in each attempt:" + seen);
        }
    }
}
