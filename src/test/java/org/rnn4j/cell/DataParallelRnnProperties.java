package org.rnn4j.cell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;
import org.rnn4j.kernel.WorkerTeam;

/**
 * The data-parallel engine against the one-slice engine and the double reference, over random
 * cells, options, layouts, lengths, batch sizes and slice counts:
 * <ul>
 *   <li>what each batch row computes alone (outputs, final states, input and initial-state
 *       gradients) is bitwise {@link Rnn}'s over the whole batch (the class comment says why);</li>
 *   <li>parameter gradients, which sum over rows in a different grouping, are within the engine's
 *       own tolerance of the double-precision {@link org.rnn4j.check.ReferenceRnn}
 *       ({@link EngineVsReferenceProperties#REL}, derived there);</li>
 *   <li>two runs on real threads give bitwise the same gradients (the one fixed-order reduction).</li>
 * </ul>
 */
class DataParallelRnnProperties {

    /** Up to 9 batch rows, so that 1 to 4 slices get uneven shares; no dropout (masks depend on S). */
    @Provide
    Arbitrary<RnnCase> cases() {
        return EngineVsReferenceProperties.cases(9, 40, 9, 8, 2, false);
    }

    @Property(tries = 150)
    void rowsMatchTheOneSliceEngineAndGradientsTheReference(@ForAll("cases") RnnCase c,
                                                           @ForAll @IntRange(min = 1, max = 4) int slices,
                                                           @ForAll boolean simd) {
        Kernels k = simd ? Kernels.simd() : Kernels.scalar();
        Rnn rnn = new Rnn(c.weights, k);
        RnnCase.Result whole = c.run(rnn, new RnnWorkspace(), false);
        // slices on the calling thread (Runnable::run): the arithmetic, without scheduling
        DataParallelRnn dp = new DataParallelRnn(rnn, Runnable::run, slices, Parallelism.SERIAL);
        RnnCase.Result split = run(c, dp, dp.newWorkspace(1));
        for (String name : new String[] {"output", "h_n", "c_n", "grad.input", "grad.h0", "grad.c0"}) {
            if (whole.get(name) != null) {
                assertArrayEquals(whole.get(name), split.get(name), name + " for " + c + " slices=" + slices);
            }
        }
        Map<String, double[]> ref = EngineVsReferenceProperties.reference(c, new RnnWorkspace());
        // a relu unit at its kink: the engine may take the other branch (EngineVsReferenceProperties.NEAREST_KINK)
        EngineVsReferenceProperties.compare(c, split, ref, EngineVsReferenceProperties.REL,
                EngineVsReferenceProperties.atKink(ref));
    }

    @Property(tries = 20)
    void realThreadsGiveBitwiseTheSameResultEveryTime(@ForAll("cases") RnnCase c) {
        Rnn rnn = new Rnn(c.weights);
        try (WorkerTeam team = new WorkerTeam(2)) {
            DataParallelRnn dp = DataParallelRnn.over(rnn, team);
            DataParallelRnn.Workspace w = dp.newWorkspace(3);
            RnnCase.Result first = run(c, dp, w);
            for (int i = 0; i < 3; i++) {
                RnnCase.Result again = run(c, dp, w);
                for (String name : first.tensors.keySet()) {
                    assertArrayEquals(first.get(name), again.get(name), name + " run " + i + " for " + c);
                }
            }
            DataParallelRnn alone = new DataParallelRnn(rnn, Runnable::run, 3, Parallelism.SERIAL);
            RnnCase.Result serial = run(c, alone, alone.newWorkspace(3));
            for (String name : first.tensors.keySet()) {
                assertArrayEquals(serial.get(name), first.get(name), name + ": threads vs the caller alone, " + c);
            }
        }
    }

    /**
     * Once the workspace has grown, a forward + backward over three slices allocates nothing on the
     * calling thread (slices on the caller, so every slice's allocation would be seen here; a real
     * executor adds only its own queue nodes). Rounds of 100 calls until one allocates 0 bytes, as
     * EngineAllocationTest does: the first rounds run interpreted or C1 code, where the Vector API
     * boxes every vector.
     */
    @Test
    void aWarmCallAllocatesNothing() {
        org.rnn4j.kernel.VectorShapes.assumeNative(Kernels.get(), "data-parallel allocation");
        for (CellType cell : CellType.values()) {
            RnnSpec spec = RnnSpec.builder(cell, 5, 24).numLayers(2).build();
            RnnCase c = new RnnCase(spec, 6, 7, new int[] {6, 3, 5, 6, 1, 6, 2}, true, 11);
            DataParallelRnn dp = new DataParallelRnn(new Rnn(c.weights), Runnable::run, 3, Parallelism.SERIAL);
            DataParallelRnn.Workspace w = dp.newWorkspace(0);
            RnnWeights grads = new RnnWeights(spec);
            float[] out = new float[c.seqLen * c.batch * spec.outputSize()];
            float[] gIn = new float[c.input.length];
            long bytes = org.rnn4j.kernel.AllocationMeter.steadyStateBytes(() -> {
                for (int i = 0; i < 100; i++) {
                    dp.forward(w, false, c.input, c.seqLen, c.batch, c.lengths, c.h0, c.c0, out, null, null);
                    dp.backward(w, c.gradOutput, null, null, grads, gIn, null, null);
                }
            }, 200);
            assertEquals(0, bytes, cell + ": bytes in the last round of 100 warm forward + backward calls");
        }
    }

    /**
     * The property's shapes keep T·B below the GEMM's small-M bound (one A block, 144 rows), so every
     * slice takes the same GEMM path as the whole batch. Here the whole batch's input projection has
     * T·B = 200 rows and each of the two slices 100: a row's result must not depend on which side of
     * that bound its call falls (it did, when small-M A·Bᵀ calls ran a dot-product form).
     */
    @Test
    void slicesOnEitherSideOfTheSmallMBoundMatchTheWholeBatch() {
        for (CellType cell : CellType.values()) {
            for (Kernels k : new Kernels[] {Kernels.simd(), Kernels.scalar()}) {
                RnnSpec spec = RnnSpec.builder(cell, 5, 7).numLayers(2).build();
                RnnCase c = new RnnCase(spec, 10, 20, null, true, 5);
                Rnn rnn = new Rnn(c.weights, k);
                RnnCase.Result whole = c.run(rnn, new RnnWorkspace(), false);
                DataParallelRnn dp = new DataParallelRnn(rnn, Runnable::run, 2, Parallelism.SERIAL);
                RnnCase.Result split = run(c, dp, dp.newWorkspace(1));
                for (String name : new String[] {"output", "h_n", "c_n", "grad.input", "grad.h0", "grad.c0"}) {
                    if (whole.get(name) != null) {
                        assertArrayEquals(whole.get(name), split.get(name), name + " for " + cell + " " + k.name());
                    }
                }
            }
        }
    }

    @Test
    void badArgumentsAreNamed() {
        RnnSpec spec = RnnSpec.builder(CellType.LSTM, 3, 4).build();
        Rnn rnn = new Rnn(new RnnWeights(spec).initUniform(1));
        DataParallelRnn dp = new DataParallelRnn(rnn, Runnable::run, 2, Parallelism.SERIAL);
        DataParallelRnn other = new DataParallelRnn(rnn, Runnable::run, 2, Parallelism.SERIAL);
        DataParallelRnn.Workspace w = dp.newWorkspace(0);
        float[] x = new float[2 * 4 * 3];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dp.forward(other.newWorkspace(0), false, x, 2, 4, null, null, null, null, null, null));
        assertTrue(e.getMessage().startsWith("w must be a workspace of this DataParallelRnn"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> dp.forward(w, false, new float[5], 2, 4, null, null, null, null, null, null));
        assertTrue(e.getMessage().contains("input") && e.getMessage().contains("24"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> dp.forward(w, false, x, 2, 4, new int[] {1, 2, 3, 9}, null, null, null, null, null));
        assertTrue(e.getMessage().contains("lengths"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> dp.backward(dp.newWorkspace(0), null, null, null, new RnnWeights(spec), null, null, null));
        dp.forward(w, false, x, 2, 4, null, null, null, null, null, null);
        e = assertThrows(IllegalArgumentException.class,
                () -> dp.backward(w, null, null, null, rnn.weights(), null, null, null));
        assertTrue(e.getMessage().startsWith("grads must be a separate RnnWeights"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> dp.backward(w, new float[3], null, null, new RnnWeights(spec), null, null, null));
        assertTrue(e.getMessage().contains("gradOutput"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DataParallelRnn(rnn, Runnable::run, 0, Parallelism.SERIAL));
        assertEquals(2, dp.slices());
    }

    @Test
    void rejectedSlicesRunOnTheCaller() {
        RnnSpec spec = RnnSpec.builder(CellType.GRU, 2, 3).build();
        Rnn rnn = new Rnn(new RnnWeights(spec).initUniform(1));
        // a closed executor rejects every slice: the caller runs them all and the result stands
        DataParallelRnn dp = new DataParallelRnn(rnn, task -> {
            throw new java.util.concurrent.RejectedExecutionException("closed");
        }, 3, Parallelism.SERIAL);
        RnnCase c = new RnnCase(spec, 3, 5, null, true, 9);
        RnnCase.Result whole = c.run(rnn, new RnnWorkspace(), false);
        RnnCase.Result split = run(c, dp, dp.newWorkspace(0));
        assertArrayEquals(whole.get("output"), split.get("output"));
    }

    /** RnnCase.run's forward + backward, through the data-parallel engine. */
    static RnnCase.Result run(RnnCase c, DataParallelRnn dp, DataParallelRnn.Workspace w) {
        return c.run(new RnnCase.Pass() {
            @Override
            public void forward(boolean training, float[] input, int seqLen, int batch, int[] lengths, float[] h0,
                                float[] c0, float[] output, float[] hN, float[] cN) {
                dp.forward(w, training, input, seqLen, batch, lengths, h0, c0, output, hN, cN);
            }

            @Override
            public void backward(float[] gradOutput, float[] gradHN, float[] gradCN, RnnWeights grads,
                                 float[] gradInput, float[] gradH0, float[] gradC0) {
                dp.backward(w, gradOutput, gradHN, gradCN, grads, gradInput, gradH0, gradC0);
            }
        }, false);
    }
}
