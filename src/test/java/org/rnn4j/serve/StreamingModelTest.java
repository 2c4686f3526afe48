package org.rnn4j.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.io.NamedTensor;
import org.rnn4j.io.Safetensors;
import org.rnn4j.kernel.AllocationMeter;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.VectorShapes;

/**
 * The serving contract beyond the numbers: threads, allocation, state handling and argument errors.
 */
class StreamingModelTest {

    private static Fixture lstm() {
        return new Fixture(RnnSpec.builder(CellType.LSTM, 8, 24).numLayers(2).build(), 11, 0, 5);
    }

    private static IllegalArgumentException rejects(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run);
    }

    private static void mentions(Throwable e, String... fragments) {
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message \"" + e.getMessage() + "\" lacks \"" + f + "\"");
        }
    }

    // ------------------------------------------------------------------ threads

    /**
     * 8 threads share one model, each with 4 streams of its own, 3000 steps per stream with inputs
     * drawn from the stream's seed; every thread's outputs and final states must be bitwise those of
     * the same streams run on one thread beforehand. Threads start together (latch) so that the
     * steps really interleave. Both weight formats, batched and single steps. At an emulated vector
     * width (the Java fallback, 100× slower and allocating) 300 steps per stream.
     */
    @Test
    void eightThreadsOnOneModelGiveBitwiseTheResultsOfOne() throws Exception {
        for (WeightFormat format : WeightFormat.values()) {
            Fixture f = new Fixture(RnnSpec.builder(CellType.GRU, 16, 48).numLayers(2).build(), 5, 30, 7);
            StreamingModel m = f.model(Kernels.get(), format);
            int threads = 8, steps = VectorShapes.scaled(3000);
            long[][] expected = new long[threads][];
            for (int t = 0; t < threads; t++) {
                expected[t] = drive(m, t, steps);
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<long[]>> got = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    Callable<long[]> job = () -> {
                        start.await();
                        return drive(m, id, steps);
                    };
                    got.add(pool.submit(job));
                }
                start.countDown();
                for (int t = 0; t < threads; t++) {
                    assertArrayEquals(expected[t], got.get(t).get(), format + " thread " + t);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Four streams of one thread: two stepped singly with token ids, two in a batched call; returns a
     * bitwise digest of every output and of the final states.
     */
    private static long[] drive(StreamingModel m, int seed, int steps) {
        StreamState[] s = {m.newState(), m.newState(), m.newState(), m.newState()};
        StreamState[] pair = {s[2], s[3]};
        StreamBatch batch = m.newBatch(2);
        float[] y = new float[2 * m.outputSize()];
        int[] tok = new int[2];
        long digest = 17;
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int t = 0; t < steps; t++) {
            m.step(s[0], r.nextInt(m.vocabSize()), y, 0);
            digest = mix(digest, y, m.outputSize());
            m.step(s[1], r.nextInt(m.vocabSize()), y, 0);
            digest = mix(digest, y, m.outputSize());
            tok[0] = r.nextInt(m.vocabSize());
            tok[1] = r.nextInt(m.vocabSize());
            m.step(batch, pair, 2, tok, 0, y, 0);
            digest = mix(digest, y, y.length);
        }
        long[] out = new long[1 + 4 * s[0].hSize()];
        out[0] = digest;
        float[] h = new float[s[0].hSize()];
        for (int i = 0; i < 4; i++) {
            s[i].getH(h, 0);
            for (int j = 0; j < h.length; j++) {
                out[1 + i * h.length + j] = Float.floatToRawIntBits(h[j]);
            }
        }
        return out;
    }

    private static long mix(long d, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            d = d * 1_000_003L + Float.floatToRawIntBits(y[i]);
        }
        return d;
    }

    // ------------------------------------------------------------------ allocation

    /**
     * 10,000 steps allocate nothing on this thread, for every cell, both formats, single and batched,
     * token and vector input (ThreadMXBean#getThreadAllocatedBytes around the 10,000 steps). The first
     * rounds warm the JIT (the SIMD kernels allocate their vectors until C2 compiles them away); a
     * round must then show exactly 0 bytes within 100 rounds (AllocationMeter) — per-step garbage would show in every
     * round as at least 10,000 × 16 bytes. Skipped at an emulated width (the Java fallback allocates by
     * design); StreamingAllocationTest covers each case on its own.
     */
    @Test
    void tenThousandStepsAllocateNothing() {
        VectorShapes.assumeNative(Kernels.get(), "10,000 steps allocate nothing");
        for (CellType cell : CellType.values()) {
            for (WeightFormat format : WeightFormat.values()) {
                RnnSpec.Builder sb = RnnSpec.builder(cell, 12, 40).numLayers(2);
                if (cell == CellType.LSTM) {
                    sb.projSize(20).peephole(true);
                }
                if (cell == CellType.GRU) {
                    sb.resetBefore(format == WeightFormat.BF16);
                }
                Fixture f = new Fixture(sb.build(), 3, cell == CellType.GRU ? 50 : 0, 9);
                StreamingModel m = f.model(Kernels.get(), format);
                StreamState s = m.newState();
                StreamState[] many = {m.newState(), m.newState(), m.newState()};
                StreamBatch batch = m.newBatch(3);
                float[] x = Fixture.gaussian(new java.util.SplittableRandom(1), 3 * m.inputSize());
                int[] tok = {1, 7, 42};
                float[] y = new float[3 * m.outputSize()];
                Runnable tenThousand = () -> {
                    for (int i = 0; i < 10_000; i++) {
                        if (m.hasEmbedding()) {
                            m.step(s, tok[i % 3], y, 0);
                            if (i % 10 == 0) {
                                m.step(batch, many, 3, tok, 0, y, 0);
                            }
                        } else {
                            m.step(s, x, 0, y, 0);
                            if (i % 10 == 0) {
                                m.step(batch, many, 3, x, 0, y, 0);
                            }
                        }
                    }
                };
                // The shared meter: bounded rounds with a pause after one that allocated, so that C2's
                // background compiles finish on a loaded machine (a fixed round count without pauses
                // failed there while the code was still interpreted).
                long last = AllocationMeter.steadyStateBytes(tenThousand, 100);
                assertEquals(0, last, cell + " " + format + ": bytes allocated by 10,000 steps");
            }
        }
    }

    // ------------------------------------------------------------------ state

    @Test
    void resetCopyAndSaveRestoreTheStreamExactly(@TempDir Path dir) throws Exception {
        Fixture f = lstm();
        StreamingModel m = f.model(Kernels.get(), WeightFormat.F32);
        float[] xs = Fixture.gaussian(new java.util.SplittableRandom(2), 20 * 8);
        StreamState a = m.newState();
        m.run(a, xs, 0, 10, null, 0);
        StreamState fork = m.newState();
        fork.copyFrom(a);
        Path file = dir.resolve("state.safetensors");
        a.save(file);
        float[] ya = new float[10 * 5], yf = new float[10 * 5], yl = new float[10 * 5];
        m.run(a, xs, 80, 10, ya, 0);
        m.run(fork, xs, 80, 10, yf, 0);
        assertArrayEquals(ya, yf, "a copied stream continues bitwise as the original");
        StreamState loaded = m.newState();
        loaded.load(Safetensors.read(file));
        m.run(loaded, xs, 80, 10, yl, 0);
        assertArrayEquals(ya, yl, "a saved and loaded stream continues bitwise as the original");
        assertEquals(List.of("h_n", "c_n"), Safetensors.read(file).names());
        assertArrayEquals(new int[] {2, 1, 24}, Safetensors.read(file).tensor("h_n").shape());

        a.reset();
        StreamState fresh = m.newState();
        float[] y1 = new float[5], y2 = new float[5];
        m.step(a, xs, 0, y1, 0);
        m.step(fresh, xs, 0, y2, 0);
        assertArrayEquals(y2, y1, "reset equals a new stream");
    }

    @Test
    void loadRejectsMisshapedStateAndLeavesTheStreamUnchanged() throws Exception {
        StreamingModel m = lstm().model(Kernels.get(), WeightFormat.F32);
        StreamState s = m.newState();
        float[] h = new float[s.hSize()];
        java.util.Arrays.fill(h, 0.25f);
        s.setH(h, 0);
        var bad = Safetensors.read(Safetensors.toBytes(List.of(
                NamedTensor.ofFloats("h_n", new int[] {2, 1, 23}, new float[46]),
                NamedTensor.ofFloats("c_n", new int[] {2, 1, 24}, new float[48])), null));
        mentions(rejects(() -> s.load(bad)), "h_n", "[2, 1, 24]", "[2, 1, 23]");
        var noC = Safetensors.read(Safetensors.toBytes(List.of(
                NamedTensor.ofFloats("h_n", new int[] {2, 1, 24}, new float[48])), null));
        mentions(rejects(() -> s.load(noC)), "missing tensor 'c_n'");
        float[] back = new float[s.hSize()];
        s.getH(back, 0);
        assertArrayEquals(h, back);
    }

    @Test
    void nonFiniteInputIsDetectable() {
        StreamingModel m = lstm().model(Kernels.get(), WeightFormat.F32);
        StreamState s = m.newState();
        assertNull(s.firstNonFinite());
        float[] x = new float[8];
        x[3] = Float.NaN;
        m.step(s, x, 0, null, 0);
        assertEquals("h[0]", s.firstNonFinite());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void badArgumentsAreNamed() {
        Fixture f = lstm();
        StreamingModel m = f.model(Kernels.get(), WeightFormat.F32);
        StreamState s = m.newState();
        mentions(rejects(() -> m.step(s, new float[7], 0, new float[5], 0)), "x", "needs length >= 8", "x.length = 7");
        mentions(rejects(() -> m.step(s, new float[8], 0, new float[4], 0)), "y", "needs length >= 5");
        mentions(rejects(() -> m.step(s, 3, new float[5], 0)), "no embedding");
        StreamState other = f.model(Kernels.get(), WeightFormat.F32).newState();
        mentions(rejects(() -> m.step(other, new float[8], 0, null, 0)), "another model");
        mentions(rejects(() -> m.step(null, new float[8], 0, null, 0)), "state must not be null");
        mentions(rejects(() -> m.run(s, new float[16], 0, 3, null, 0)), "xs", "needs length >= 24");

        StreamBatch b = m.newBatch(2);
        StreamState s2 = m.newState();
        mentions(rejects(() -> m.step(b, new StreamState[] {s, s}, 2, new float[16], 0, null, 0)),
                "states[1] appears twice");
        mentions(rejects(() -> m.step(b, new StreamState[] {s, s2, m.newState()}, 3, new float[24], 0, null, 0)),
                "n must be in [1, capacity = 2], got 3");
        mentions(rejects(() -> m.step(b, new StreamState[] {s}, 2, new float[16], 0, null, 0)), "states.length = 1");
        mentions(rejects(() -> m.step(b, new StreamState[] {s, null}, 2, new float[16], 0, null, 0)),
                "states[1] must not be null");
        mentions(rejects(() -> m.newBatch(0)), "capacity must be >= 1, got 0");
        // the duplicate check leaves no trace: the same states work in the next call
        m.step(b, new StreamState[] {s, s2}, 2, new float[16], 0, null, 0);

        Fixture tok = new Fixture(RnnSpec.builder(CellType.GRU, 4, 6).build(), 1, 10, 0);
        StreamingModel mt = tok.model(Kernels.get(), WeightFormat.F32);
        StreamState st = mt.newState();
        mentions(rejects(() -> mt.step(st, 10, null, 0)), "token must be a token id in [0, 10), got 10");
        mentions(rejects(() -> mt.step(st, -1, null, 0)), "got -1");
        mentions(rejects(() -> mt.step(st, new float[4], 0, null, 0)), "has an embedding");
        mentions(rejects(() -> mt.run(st, new int[] {1, 2, 99}, 0, 3, null, 0)), "tokens[2]", "got 99");
        mentions(assertThrows(IllegalStateException.class, () -> st.getC(new float[6], 0)), "gru has no cell state");
    }

    @Test
    void builderRejectsWhatCannotStream() {
        RnnWeights bi = new RnnWeights(RnnSpec.builder(CellType.LSTM, 3, 4).direction(Direction.BIDIRECTIONAL).build());
        mentions(rejects(() -> StreamingModel.builder(bi)), "direction FORWARD, got BIDIRECTIONAL");
        RnnWeights rev = new RnnWeights(RnnSpec.builder(CellType.GRU, 3, 4).direction(Direction.REVERSE).build());
        mentions(rejects(() -> StreamingModel.builder(rev)), "got REVERSE");
        RnnWeights w = new RnnWeights(RnnSpec.builder(CellType.LSTM, 3, 4).projSize(2).build());
        mentions(rejects(() -> StreamingModel.builder(w).embedding(new float[3 * 9], 10)),
                "embedding weight must have shape (10, 3) = 30 elements, got 27");
        mentions(rejects(() -> StreamingModel.builder(w).head(new float[5 * 4], null, 5)),
                "head weight must have shape (5, 2) = 10 elements, got 20");
        mentions(rejects(() -> StreamingModel.builder(w).head(new float[10], new float[4], 5)),
                "head bias must have shape (5)");
    }

    @Test
    void theModelIsACopy() {
        Fixture f = lstm();
        StreamingModel m = f.model(Kernels.get(), WeightFormat.F32);
        float[] x = Fixture.gaussian(new java.util.SplittableRandom(4), 8);
        float[] before = new float[5], after = new float[5];
        m.step(m.newState(), x, 0, before, 0);
        f.weights.weightHh(0, 0)[0] += 1f;
        f.weights.biasIh(1, 0)[3] += 1f;
        f.headW[0] += 1f;
        m.step(m.newState(), x, 0, after, 0);
        assertArrayEquals(before, after, "writes to the source arrays after build() do not reach the model");
    }

    @Test
    void bf16HalvesTheBytesOfAStep() {
        Fixture f = new Fixture(RnnSpec.builder(CellType.LSTM, 64, 64).build(), 2, 0, 0);
        long f32 = f.model(Kernels.get(), WeightFormat.F32).stepWeightBytes();
        long bf16 = f.model(Kernels.get(), WeightFormat.BF16).stepWeightBytes();
        assertEquals(4L * 256 * 128, f32);
        assertEquals(f32 / 2, bf16);
    }
}
