package org.rnn4j.cell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

/** Engine behaviour that needs no oracle: argument checks, determinism, reuse, threads, allocation. */
class RnnEngineTest {

    private static RnnCase lstmCase(int layers) {
        RnnSpec spec = RnnSpec.builder(CellType.LSTM, 5, 17).numLayers(layers).build();
        return new RnnCase(spec, 6, 4, new int[] {6, 1, 0, 4}, true, 11);
    }

    private static void assertSame(RnnCase.Result a, RnnCase.Result b, String what) {
        for (Map.Entry<String, float[]> e : a.tensors.entrySet()) {
            assertArrayEquals(e.getValue(), b.get(e.getKey()), what + ": " + e.getKey());
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void sameInputsGiveBitwiseSameResults(CellType cell) {
        RnnSpec spec = RnnSpec.builder(cell, 7, 33).numLayers(2).dropout(0.3).build();
        RnnCase c = new RnnCase(spec, 9, 3, new int[] {9, 2, 5}, true, 3);
        for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.simd()}) {
            RnnCase.Result a = c.run(k, new RnnWorkspace(Parallelism.SERIAL, 42), true);
            RnnCase.Result b = c.run(k, new RnnWorkspace(Parallelism.SERIAL, 42), true);
            assertSame(a, b, "same dropout seed");
        }
    }

    @Test
    void aReusedWorkspaceGivesTheSameBitsAsAFreshOne() {
        RnnCase big = new RnnCase(RnnSpec.builder(CellType.GRU, 5, 17).numLayers(2).build(), 12, 6, null, true, 5);
        RnnCase small = new RnnCase(RnnSpec.builder(CellType.GRU, 5, 17).numLayers(2).build(), 4, 3,
                new int[] {1, 4, 2}, true, 6);
        RnnWorkspace ws = new RnnWorkspace();
        big.run(Kernels.get(), ws, false);
        RnnCase.Result reused = small.run(Kernels.get(), ws, false);
        RnnCase.Result fresh = small.run(Kernels.get(), new RnnWorkspace(), false);
        assertSame(fresh, reused, "after a larger call");
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void twoTasksGiveTheSameBitsAsOne(CellType cell) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        java.util.concurrent.atomic.AtomicInteger handedOff = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.Executor counting = task -> {
            handedOff.incrementAndGet();
            pool.execute(task);
        };
        try {
            // big enough that GemmDriver splits (≥ 2·2²⁰ multiply-adds): the per-step GEMMs of the
            // LSTM/GRU and every all-step GEMM
            RnnCase c = new RnnCase(RnnSpec.builder(cell, 128, 128).numLayers(2).build(), 8, 32,
                    new int[] {8, 8, 3, 7, 1, 8, 0, 5, 2, 8, 8, 8, 6, 6, 6, 6, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8,
                        2, 3, 8, 8}, true, 8);
            RnnCase.Result serial = c.run(Kernels.get(), new RnnWorkspace(), false);
            RnnCase.Result parallel = c.run(Kernels.get(), new RnnWorkspace(new Parallelism(counting, 2), 0), false);
            assertTrue(handedOff.get() > 0, "no GEMM was split");
            assertSame(serial, parallel, "2 tasks");
            // the spinning team (caller and helper both actively wait): same bits
            try (org.rnn4j.kernel.WorkerTeam team = new org.rnn4j.kernel.WorkerTeam(1)) {
                assertSame(serial, c.run(Kernels.get(), new RnnWorkspace(team.parallelism(), 0), false), "WorkerTeam(1)");
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void oneWorkspaceServesDifferentNetworksAndShapesInTurn() {
        RnnCase[] cases = {
            new RnnCase(RnnSpec.builder(CellType.LSTM, 5, 17).numLayers(2).build(), 12, 2, null, true, 1),
            new RnnCase(RnnSpec.builder(CellType.GRU, 5, 33).numLayers(2).build(), 3, 9,
                    new int[] {3, 1, 2, 3, 0, 3, 2, 1, 3}, true, 2),
            new RnnCase(RnnSpec.builder(CellType.RNN_RELU, 7, 9).numLayers(3).dropout(0.5).build(), 5, 4,
                    new int[] {5, 2, 4, 1}, true, 3),
            new RnnCase(RnnSpec.builder(CellType.LSTM, 3, 20).numLayers(1).batchFirst(true).build(), 4, 3,
                    new int[] {4, 2, 3}, false, 4),
            new RnnCase(RnnSpec.builder(CellType.RNN_TANH, 5, 17).numLayers(2).dropout(0.5).build(), 6, 3, null, true, 5),
            new RnnCase(RnnSpec.builder(CellType.LSTM, 5, 17).numLayers(2).bidirectional(true).projSize(6)
                    .peephole(true).dropout(0.5).build(), 7, 3, new int[] {2, 7, 5}, true, 6),
            new RnnCase(RnnSpec.builder(CellType.GRU, 4, 9).numLayers(3).direction(Direction.REVERSE).resetBefore(true)
                    .build(), 5, 4, new int[] {5, 0, 3, 5}, true, 7),
            new RnnCase(RnnSpec.builder(CellType.RNN_TANH, 6, 12).numLayers(2).bidirectional(true).merge(MergeMode.SUM)
                    .batchFirst(true).build(), 4, 2, new int[] {1, 4}, false, 8),
        };
        RnnWorkspace shared = new RnnWorkspace(Parallelism.SERIAL, 77);
        for (int round = 0; round < 2; round++) {
            for (RnnCase c : cases) {
                boolean training = c.spec.dropout() > 0;
                RnnCase.Result reused = c.run(Kernels.get(), shared.seedDropout(77), training);
                RnnCase.Result fresh = c.run(Kernels.get(), new RnnWorkspace(Parallelism.SERIAL, 77), training);
                assertSame(fresh, reused, "round " + round + ", " + c);
            }
        }
    }

    @Test
    void backwardCanRunTwiceAndAccumulates() {
        RnnCase c = lstmCase(2);
        Rnn rnn = new Rnn(c.weights);
        RnnWorkspace ws = new RnnWorkspace();
        int states = 2 * 4 * 17;
        rnn.forward(ws, false, c.input, 6, 4, c.lengths, c.h0, c.c0, null, null, null);
        RnnWeights once = new RnnWeights(c.spec);
        RnnWeights twice = new RnnWeights(c.spec);
        rnn.backward(ws, c.gradOutput, c.gradHN, c.gradCN, once, null, null, null);
        rnn.backward(ws, c.gradOutput, c.gradHN, c.gradCN, twice, null, null, null);
        rnn.backward(ws, c.gradOutput, c.gradHN, c.gradCN, twice, null, new float[states], null);
        for (String n : once.names()) {
            float[] doubled = once.get(n).clone();
            for (int i = 0; i < doubled.length; i++) {
                doubled[i] *= 2;
            }
            // equal up to the rounding of adding into a non-zero accumulator
            Norms.assertClose(doubled, twice.get(n), 1e-6, n);
        }
    }

    @Test
    void dropoutIsOffInInferenceAndDrawsScaledMasksInTraining() {
        RnnSpec spec = RnnSpec.builder(CellType.RNN_TANH, 4, 50).numLayers(3).dropout(0.25).build();
        RnnCase c = new RnnCase(spec, 20, 5, null, false, 2);
        RnnSpec noDrop = RnnSpec.builder(CellType.RNN_TANH, 4, 50).numLayers(3).build();
        RnnWeights w = new RnnWeights(noDrop);
        w.copyFrom(c.weights);
        RnnCase.Result inference = c.run(Kernels.get(), new RnnWorkspace(), false);
        float[] out = new float[20 * 5 * 50];
        new Rnn(w).forward(new RnnWorkspace(), true, c.input, 20, 5, null, null, null, out, null, null);
        assertArrayEquals(out, inference.get("output"), "inference ignores dropout");

        RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, 9);
        new Rnn(c.weights).forward(ws, true, c.input, 20, 5, null, null, null, null, null, null);
        float[] mask = new float[20 * 5 * 50];
        int zeros = 0;
        for (int l = 0; l < 2; l++) {
            ws.dropoutMask(l, mask);
            for (float m : mask) {
                assertTrue(m == 0f || m == (float) (1 / 0.75), "mask value " + m);
                zeros += m == 0f ? 1 : 0;
            }
        }
        // 10000 Bernoulli(0.25) draws: mean 2500, sd 43; 6 sd either side
        assertTrue(Math.abs(zeros - 2500) < 260, "zeroed " + zeros + " of 10000");
        assertThrows(IllegalArgumentException.class, () -> ws.dropoutMask(2, mask));
        RnnWorkspace inf = new RnnWorkspace();
        new Rnn(c.weights).forward(inf, false, c.input, 20, 5, null, null, null, null, null, null);
        assertThrows(IllegalStateException.class, () -> inf.dropoutMask(0, mask));
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void steadyStateCallsAllocateNothingOnTheSimdKernelsOnceCompiled(CellType cell) {
        // Vector objects are heap boxes until C2 compiles a kernel, and a kernel C2 cannot fully
        // inline keeps boxing forever (that happened: see VectorGemm#dot2x4). So: warm up, then
        // require a long run of calls that allocate nothing at all.
        RnnSpec spec = RnnSpec.builder(cell, 5, 37).numLayers(2).dropout(0.2).batchFirst(true).build();
        RnnCase c = new RnnCase(spec, 6, 4, new int[] {6, 1, 0, 4}, true, 11);
        Rnn rnn = new Rnn(c.weights, Kernels.simd());
        RnnWorkspace ws = new RnnWorkspace();
        RnnWeights grads = new RnnWeights(spec);
        float[] out = new float[6 * 4 * 37];
        float[] gIn = new float[c.input.length];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        int zeroRun = 0;
        long lastAllocated = -1;
        for (int i = 0; i < 60_000 && zeroRun < 200; i++) {
            long before = mx.getThreadAllocatedBytes(id);
            rnn.forward(ws, true, c.input, 6, 4, c.lengths, c.h0, c.c0, out, null, null);
            rnn.backward(ws, c.gradOutput, c.gradHN, c.gradCN, grads, gIn, null, null);
            lastAllocated = mx.getThreadAllocatedBytes(id) - before;
            zeroRun = lastAllocated == 0 ? zeroRun + 1 : 0;
        }
        assertTrue(zeroRun >= 200, "no run of 200 allocation-free calls; the last call allocated " + lastAllocated + " bytes");
    }

    @Test
    void steadyStateCallsAllocateNothing() {
        // Scalar kernels: with SIMD, vector boxes are heap objects until C2 compiles the kernels, which
        // says nothing about the engine. The engine itself must not allocate once the workspace is sized.
        RnnCase c = lstmCase(2);
        Rnn rnn = new Rnn(c.weights, Kernels.scalar());
        RnnWorkspace ws = new RnnWorkspace();
        RnnWeights grads = new RnnWeights(c.spec);
        float[] out = new float[6 * 4 * 17];
        float[] gIn = new float[c.input.length];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long allocated = 0;
        for (int i = 0; i < 5; i++) {
            long before = mx.getThreadAllocatedBytes(id);
            rnn.forward(ws, true, c.input, 6, 4, c.lengths, c.h0, c.c0, out, null, null);
            rnn.backward(ws, c.gradOutput, c.gradHN, c.gradCN, grads, gIn, null, null);
            allocated = mx.getThreadAllocatedBytes(id) - before;
        }
        assertEquals(0, allocated, "bytes allocated by a steady-state forward + backward");
    }

    /** One spec per cell-family option (and a combination), 2 layers with dropout, unsorted lengths. */
    static java.util.stream.Stream<RnnSpec> optionSpecs() {
        return java.util.stream.Stream.of(
                RnnSpec.builder(CellType.LSTM, 5, 19).numLayers(2).dropout(0.2).bidirectional(true).build(),
                RnnSpec.builder(CellType.GRU, 5, 19).numLayers(2).dropout(0.2).direction(Direction.REVERSE).build(),
                RnnSpec.builder(CellType.RNN_TANH, 5, 19).numLayers(2).dropout(0.2).bidirectional(true)
                        .merge(MergeMode.SUM).build(),
                RnnSpec.builder(CellType.LSTM, 5, 19).numLayers(2).dropout(0.2).projSize(7).build(),
                RnnSpec.builder(CellType.LSTM, 5, 19).numLayers(2).dropout(0.2).peephole(true).build(),
                RnnSpec.builder(CellType.GRU, 5, 19).numLayers(2).dropout(0.2).resetBefore(true).build(),
                RnnSpec.builder(CellType.LSTM, 5, 19).numLayers(2).dropout(0.2).bidirectional(true).projSize(7)
                        .peephole(true).batchFirst(true).build(),
                RnnSpec.builder(CellType.GRU, 5, 19).numLayers(2).dropout(0.2).bidirectional(true).resetBefore(true)
                        .build());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("optionSpecs")
    void optionsAreDeterministicAndSplitBitwiseAcrossTasks(RnnSpec spec) {
        RnnCase c = new RnnCase(spec, 7, 4, new int[] {3, 7, 0, 5}, true, 21);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.simd()}) {
                RnnCase.Result a = c.run(k, new RnnWorkspace(Parallelism.SERIAL, 42), true);
                RnnCase.Result b = c.run(k, new RnnWorkspace(Parallelism.SERIAL, 42), true);
                assertSame(a, b, "same dropout seed, " + k.name());
                RnnCase.Result split = c.run(k, new RnnWorkspace(new Parallelism(pool, 2), 42), true);
                assertSame(a, split, "2 tasks, " + k.name());
            }
        } finally {
            pool.shutdown();
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("optionSpecs")
    void optionsAllocateNothingInSteadyState(RnnSpec spec) {
        RnnCase c = new RnnCase(spec, 7, 4, new int[] {3, 7, 0, 5}, true, 22);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        float[] out = new float[7 * 4 * spec.outputSize()];
        float[] gIn = new float[c.input.length];
        // scalar: exact from the second call; SIMD: once C2 has compiled the kernels (see the test above)
        for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.simd()}) {
            Rnn rnn = new Rnn(c.weights, k);
            RnnWorkspace ws = new RnnWorkspace();
            RnnWeights grads = new RnnWeights(spec);
            int zeroRun = 0;
            long last = -1;
            for (int i = 0; i < 60_000 && zeroRun < 100; i++) {
                long before = mx.getThreadAllocatedBytes(id);
                rnn.forward(ws, true, c.input, 7, 4, c.lengths, c.h0, c.c0, out, null, null);
                rnn.backward(ws, c.gradOutput, c.gradHN, c.gradCN, grads, gIn, null, null);
                last = mx.getThreadAllocatedBytes(id) - before;
                zeroRun = last == 0 ? zeroRun + 1 : 0;
                if (k == Kernels.scalar() && i == 1) {
                    assertEquals(0, last, "scalar kernels: bytes allocated by the second call");
                }
            }
            assertTrue(zeroRun >= 100, k.name() + ": no run of 100 allocation-free calls; the last allocated " + last);
        }
    }

    @Test
    void optionSpecsAreValidatedWithTheFieldNamed() {
        expect("projSize needs an lstm, got gru", () -> RnnSpec.builder(CellType.GRU, 5, 3).projSize(2).build());
        expect("projSize must be 0 or in [1, hiddenSize = 3), got 3",
                () -> RnnSpec.builder(CellType.LSTM, 5, 3).projSize(3).build());
        expect("projSize must be 0 or in [1, hiddenSize = 3), got -1",
                () -> RnnSpec.builder(CellType.LSTM, 5, 3).projSize(-1).build());
        expect("peephole needs an lstm, got rnn_tanh", () -> RnnSpec.builder(CellType.RNN_TANH, 5, 3).peephole(true).build());
        expect("resetBefore needs a gru, got lstm", () -> RnnSpec.builder(CellType.LSTM, 5, 3).resetBefore(true).build());
        expect("merge SUM needs direction BIDIRECTIONAL, got REVERSE",
                () -> RnnSpec.builder(CellType.GRU, 5, 3).direction(Direction.REVERSE).merge(MergeMode.SUM).build());
        expect("direction must not be null", () -> RnnSpec.builder(CellType.GRU, 5, 3).direction(null).build());
        expect("direction must be one of forward, reverse, bidirectional, got 'up'", () -> Direction.parse("up"));
        expect("merge must be one of concat, sum, got 'mean'", () -> MergeMode.parse("mean"));
        RnnSpec bi = RnnSpec.builder(CellType.LSTM, 5, 8).numLayers(2).bidirectional(true).projSize(3).build();
        assertEquals(3, bi.stateSize());
        assertEquals(6, bi.outputSize());
        assertEquals(4, bi.numUnits());
        assertEquals(6, bi.layerInputSize(1));
        assertEquals(3, bi.toBuilder().merge(MergeMode.SUM).build().outputSize());
        Rnn rnn = new Rnn(new RnnWeights(bi));
        RnnWorkspace ws = new RnnWorkspace();
        float[] x = new float[6 * 2 * 5];
        expect("h0 must hold (L·D, B, P) = 24 floats, got length 23",
                () -> rnn.forward(ws, false, x, 6, 2, null, new float[23], null, null, null, null));
        expect("c0 must hold (L·D, B, H) = 64 floats, got length 24",
                () -> rnn.forward(ws, false, x, 6, 2, null, null, new float[24], null, null, null));
        expect("output must hold (T, B, O) = 72 floats, got length 71",
                () -> rnn.forward(ws, false, x, 6, 2, null, null, null, new float[71], null, null));
        RnnWeights w = new RnnWeights(bi);
        expect("direction must be in [0, 2), got 2", () -> w.weightHh(0, 2));
        assertThrows(IllegalStateException.class, () -> new RnnWeights(RnnSpec.builder(CellType.LSTM, 5, 8).build())
                .weightHr(0, 0));
    }

    @Test
    void optionWeightsFollowPyTorchStateDictNamesAndShapes() {
        RnnSpec spec = RnnSpec.builder(CellType.LSTM, 5, 8).numLayers(2).bidirectional(true).projSize(3)
                .peephole(true).build();
        RnnWeights w = new RnnWeights(spec);
        java.util.List<String> expected = new java.util.ArrayList<>();
        for (int l = 0; l < 2; l++) {
            for (String sfx : new String[] {"", "_reverse"}) {
                for (String n : new String[] {"weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr", "weight_peephole"}) {
                    expected.add(n + "_l" + l + sfx);
                }
            }
        }
        assertEquals(expected, w.names());
        assertArrayEquals(new int[] {32, 5}, w.shape("weight_ih_l0_reverse"));
        assertArrayEquals(new int[] {32, 3}, w.shape("weight_hh_l0"));
        assertArrayEquals(new int[] {32, 6}, w.shape("weight_ih_l1"));
        assertArrayEquals(new int[] {3, 8}, w.shape("weight_hr_l1_reverse"));
        assertArrayEquals(new int[] {24}, w.shape("weight_peephole_l1"));
        assertTrue(w.weightHr(1, 1) == w.get("weight_hr_l1_reverse"), "typed accessor is the live named array");
        assertEquals(java.util.List.of("weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                "bias_hh_l0_reverse"), new RnnWeights(RnnSpec.builder(CellType.GRU, 5, 8).direction(Direction.REVERSE)
                .build()).names());
    }

    @Test
    void badArgumentsAreNamedWithExpectedAndActualSizes() {
        RnnCase c = lstmCase(2);
        Rnn rnn = new Rnn(c.weights);
        RnnWorkspace ws = new RnnWorkspace();
        float[] x = c.input;
        expect("input must hold (T, B, I) = 120 floats, got length 119",
                () -> rnn.forward(ws, false, new float[119], 6, 4, null, null, null, null, null, null));
        expect("input must not be null", () -> rnn.forward(ws, false, null, 6, 4, null, null, null, null, null, null));
        expect("seqLen must be >= 1, got 0", () -> rnn.forward(ws, false, x, 0, 4, null, null, null, null, null, null));
        expect("batch must be >= 1, got -1", () -> rnn.forward(ws, false, x, 6, -1, null, null, null, null, null, null));
        expect("lengths must hold B = 4 entries, got length 3",
                () -> rnn.forward(ws, false, x, 6, 4, new int[3], null, null, null, null, null));
        expect("lengths[2] must be in [0, T = 6], got 7",
                () -> rnn.forward(ws, false, x, 6, 4, new int[] {1, 2, 7, 1}, null, null, null, null, null));
        expect("h0 must hold (L·D, B, P) = 136 floats, got length 68",
                () -> rnn.forward(ws, false, x, 6, 4, null, new float[68], null, null, null, null));
        expect("cN must hold (L·D, B, H) = 136 floats, got length 1",
                () -> rnn.forward(ws, false, x, 6, 4, null, null, null, null, null, new float[1]));
        expect("output must hold (T, B, O) = 408 floats, got length 407",
                () -> rnn.forward(ws, false, x, 6, 4, null, null, null, new float[407], null, null));
        expect("ws must not be null", () -> rnn.forward(null, false, x, 6, 4, null, null, null, null, null, null));
        assertThrows(IllegalStateException.class,
                () -> rnn.backward(new RnnWorkspace(), null, null, null, new RnnWeights(c.spec), null, null, null));
        rnn.forward(ws, false, x, 6, 4, null, null, null, null, null, null);
        assertThrows(IllegalStateException.class,
                () -> new Rnn(c.weights).backward(ws, null, null, null, new RnnWeights(c.spec), null, null, null));
        expect("grads must have the shape lstm(I=5, H=17, L=2), got lstm(I=5, H=17, L=1)",
                () -> rnn.backward(ws, null, null, null, new RnnWeights(lstmCase(1).spec), null, null, null));
        expect("grads must be a separate RnnWeights, not the engine's weights",
                () -> rnn.backward(ws, null, null, null, c.weights, null, null, null));
        expect("gradInput must hold (T, B, I) = 120 floats, got length 5",
                () -> rnn.backward(ws, null, null, null, new RnnWeights(c.spec), new float[5], null, null));

        Rnn gru = new Rnn(new RnnWeights(RnnSpec.builder(CellType.GRU, 5, 17).build()));
        expect("c0 must be null: a gru has no cell state",
                () -> gru.forward(ws, false, x, 6, 4, null, null, new float[68], null, null, null));
        RnnSpec.Builder bad = RnnSpec.builder(CellType.GRU, 5, 0);
        expect("hiddenSize must be >= 1, got 0", bad::build);
        expect("dropout must be in [0, 1), got 1.0", () -> RnnSpec.builder(CellType.GRU, 5, 3).dropout(1).build());
        expect("cell must be one of rnn, rnn_tanh, rnn_relu, lstm, gru; got 'elman'", () -> CellType.parse("elman"));
        expect("no parameter 'weight_ih_l2'", () -> c.weights.get("weight_ih_l2"));
    }

    private static void expect(String message, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(message), "message was: " + e.getMessage());
    }

    @Test
    void weightsKnowTheirPyTorchNamesShapesAndNonFiniteValues() {
        RnnWeights w = new RnnWeights(RnnSpec.builder(CellType.GRU, 5, 7).numLayers(2).build());
        assertEquals(java.util.List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"), w.names());
        assertArrayEquals(new int[] {21, 5}, w.shape("weight_ih_l0"));
        assertArrayEquals(new int[] {21, 7}, w.shape("weight_ih_l1"));
        assertArrayEquals(new int[] {21}, w.shape("bias_hh_l1"));
        assertEquals(21 * 5 + 21 * 7 * 3 + 21 * 4, w.size());
        w.initUniform(4);
        double bound = 1 / Math.sqrt(7);
        for (String n : w.names()) {
            for (float v : w.get(n)) {
                assertTrue(Math.abs(v) <= bound, n + " value " + v + " outside ±1/√H");
            }
        }
        assertEquals(null, w.firstNonFinite());
        w.weightHh(1)[37] = Float.NaN;
        assertEquals("weight_hh_l1[37]", w.firstNonFinite());
    }
}
