package org.rnn4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.cell.CellVariant;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.kernel.AllocationMeter;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.VectorShapes;

/**
 * The serving promise "a step allocates nothing", for every cell and option, both weight formats,
 * one stream and a batch of streams, an input vector and a token with a head whose logits go
 * through {@link Heads}, at whatever vector width this JVM runs ({@code -Drnn4j.vector.bits} in the
 * Surefire matrix). Exactly 0 bytes per round in steady state: a kernel that C2 cannot intrinsify
 * or inline boxes its vectors on every call, which is the bug these guards exist to catch on the
 * machine that runs them. Skipped where the width is emulated, whose Java fallback allocates by
 * design. The model's GEMMs run serially (StreamingModel has no Parallelism; a split GEMM would
 * allocate its task objects by design).
 */
class StreamingAllocationTest {

    /**
     * What goes in and out of a step. Vector: I = 12, H = 37 (a tail in every loop at every width),
     * the top h out. Token: I = 16, H = 64 (whole vectors only), V = O = 50, the logits through
     * softmax, log-softmax, argmax and top-5, the argmax fed back as the next token (greedy decoding).
     */
    enum Io {
        VECTOR("vector in, h out"), TOKEN("token in, head + softmax/argmax/top-k");

        final String label;

        Io(String label) {
            this.label = label;
        }
    }

    record Case(CellVariant net, WeightFormat format, int streams, Io io, String kernels) {
        @Override
        public String toString() {
            return net + ", " + format + ", " + (streams == 1 ? "one stream" : "batch of " + streams) + ", "
                    + io.label + ", " + kernels;
        }
    }

    static final int BATCH = 5;
    static final int VOCAB = 50;
    static final int MAX_ROUNDS = 100;

    static List<Case> cases() {
        List<Case> l = new ArrayList<>();
        for (Io io : Io.values()) {
            for (CellVariant net : CellVariant.values()) {
                if (!net.streams()) {
                    continue;   // bidirectional: the engine's guard (EngineAllocationTest) covers it
                }
                for (WeightFormat format : WeightFormat.values()) {
                    for (int streams : new int[] {1, BATCH}) {
                        l.add(new Case(net, format, streams, io, Kernels.get().name()));
                    }
                }
            }
        }
        return l;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void steadyStateStepsAllocateNothing(Case c) {
        VectorShapes.assumeNative(Kernels.get(), c.toString());
        boolean token = c.io() == Io.TOKEN;
        RnnSpec spec = (token ? c.net().builder(16, 64) : c.net().builder(12, 37)).build();
        Fixture f = new Fixture(spec, 7 + c.net().ordinal(), token ? VOCAB : 0, token ? VOCAB : 0);
        StreamingModel m = f.model(Kernels.get(), c.format());
        int n = c.streams(), out = m.outputSize();
        StreamState one = m.newState();
        StreamState[] many = new StreamState[n];
        for (int r = 0; r < n; r++) {
            many[r] = m.newState();
        }
        StreamBatch batch = m.newBatch(n);
        float[] xs = Fixture.gaussian(new SplittableRandom(3), 8 * n * m.inputSize());
        int[] tok = new int[n];
        for (int r = 0; r < n; r++) {
            tok[r] = (1 + 7 * r) % VOCAB;
        }
        float[] y = new float[n * out];
        float[] p = new float[n * out];
        int[] top = new int[5];
        float[] topValue = new float[5];
        int steps = n == 1 ? 2_000 : 500;
        Runnable round = () -> {
            for (int i = 0; i < steps; i++) {
                int xOff = (i % 8) * n * m.inputSize();
                if (n == 1) {
                    if (token) {
                        m.step(one, tok[0], y, 0);
                    } else {
                        m.step(one, xs, xOff, y, 0);
                    }
                } else if (token) {
                    m.step(batch, many, n, tok, 0, y, 0);
                } else {
                    m.step(batch, many, n, xs, xOff, y, 0);
                }
                if (token) {
                    for (int r = 0; r < n; r++) {
                        Heads.softmax(y, r * out, out, 0.8f, p, r * out);
                        Heads.logSoftmax(y, r * out, out, p, r * out);
                        Heads.topK(y, r * out, out, top.length, top, 0, topValue, 0);
                        tok[r] = Heads.argmax(y, r * out, out);
                    }
                }
            }
        };
        long bytes = AllocationMeter.steadyStateBytes(round, MAX_ROUNDS);
        assertEquals(0, bytes, c + ": bytes allocated by " + steps + " steps in the last of " + MAX_ROUNDS
                + " rounds (" + (bytes / steps) + " B per step)");
    }
}
