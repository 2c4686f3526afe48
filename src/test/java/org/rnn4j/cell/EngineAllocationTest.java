package org.rnn4j.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.kernel.AllocationMeter;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;
import org.rnn4j.kernel.VectorShapes;

/**
 * The engine's promise "nothing is allocated once the workspace is sized", for every cell, option
 * and direction, at whatever vector width this JVM runs ({@code -Drnn4j.vector.bits} in the Surefire
 * matrix): the batched forward pass alone and the training step (forward + backward). Exactly 0 bytes
 * per round in steady state, so a kernel that C2 fails to intrinsify or inline (its vectors boxed on
 * every call) fails here on the machine where it happens. Skipped where the width is emulated, whose
 * Java fallback allocates by design.
 *
 * <p>The shape is B = 5, T = 7 with unequal lengths (the active prefix shrinks within the pass), H =
 * 37 (tails in every loop at every width) and H = 64 (whole vectors only). Workspaces are
 * {@link Parallelism#SERIAL}: a GEMM split over an executor allocates its task objects by design.
 *
 * <p>The forward-only cases run first so that, within this class at least, the engine is compiled
 * with the profile of an inference-only service: the batched forward pass was seen to allocate in a
 * JVM that ran nothing else, and not in one that also ran backward passes. Other classes of the same
 * Surefire fork may have run before; a fork of its own would be the stronger check.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EngineAllocationTest {
    static final int T = 7;
    static final int B = 5;
    static final int[] LENGTHS = {7, 4, 7, 2, 6};
    static final int MAX_ROUNDS = 200;

    record Case(CellVariant net, int hidden, String kernels) {
        @Override
        public String toString() {
            return net + ", H=" + hidden + ", B=" + B + ", T=" + T + ", " + kernels;
        }

        RnnCase problem() {
            RnnSpec spec = net.builder(11, hidden).dropout(0.2).build();
            return new RnnCase(spec, T, B, LENGTHS, true, 31 + net.ordinal());
        }
    }

    static List<Case> cases() {
        List<Case> l = new ArrayList<>();
        for (int hidden : new int[] {37, 64}) {
            for (CellVariant net : CellVariant.values()) {
                l.add(new Case(net, hidden, Kernels.get().name()));
            }
        }
        return l;
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void batchedForwardAloneAllocatesNothing(Case c) {
        VectorShapes.assumeNative(Kernels.get(), c + " forward");
        RnnCase p = c.problem();
        RnnSpec s = p.spec;
        Rnn rnn = new Rnn(p.weights, Kernels.get());
        RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, 1);
        float[] out = new float[T * B * s.outputSize()];
        float[] hN = new float[s.numUnits() * B * s.stateSize()];
        float[] cN = s.cell().hasCellState() ? new float[s.numUnits() * B * s.hiddenSize()] : null;
        int calls = 200;
        Runnable round = () -> {
            for (int i = 0; i < calls; i++) {
                rnn.forward(ws, false, p.input, T, B, p.lengths, p.h0, p.c0, out, hN, cN);
            }
        };
        long bytes = AllocationMeter.steadyStateBytes(round, MAX_ROUNDS);
        assertEquals(0, bytes, c + ": bytes allocated by " + calls + " inference forward passes in the last of "
                + MAX_ROUNDS + " rounds (" + bytes / calls + " B per pass)");
    }

    @Order(2)
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trainingStepAllocatesNothing(Case c) {
        VectorShapes.assumeNative(Kernels.get(), c + " training step");
        RnnCase p = c.problem();
        RnnSpec s = p.spec;
        Rnn rnn = new Rnn(p.weights, Kernels.get());
        RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, 1);
        RnnWeights grads = new RnnWeights(s);
        float[] out = new float[T * B * s.outputSize()];
        float[] gIn = new float[p.input.length];
        float[] gH0 = new float[s.numUnits() * B * s.stateSize()];
        float[] gC0 = s.cell().hasCellState() ? new float[s.numUnits() * B * s.hiddenSize()] : null;
        int calls = 100;
        Runnable round = () -> {
            for (int i = 0; i < calls; i++) {
                rnn.forward(ws, true, p.input, T, B, p.lengths, p.h0, p.c0, out, null, null);
                rnn.backward(ws, p.gradOutput, p.gradHN, p.gradCN, grads, gIn, gH0, gC0);
            }
        };
        long bytes = AllocationMeter.steadyStateBytes(round, MAX_ROUNDS);
        assertEquals(0, bytes, c + ": bytes allocated by " + calls + " training steps (forward + backward) in the last of "
                + MAX_ROUNDS + " rounds (" + bytes / calls + " B per step)");
    }
}
