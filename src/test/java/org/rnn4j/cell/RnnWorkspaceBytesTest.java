package org.rnn4j.cell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.kernel.Kernels;

/**
 * {@link RnnWorkspace#bytesByBuffer()} and {@link RnnWorkspace#bytes()} after one training step,
 * against the buffer sizes written out here from the shapes (the table of docs/performance.md,
 * "Memory against T"), so that the accounting the memory sweep reports is the workspace's real
 * footprint; and that a step without an input gradient sizes no dX and leaves every other result
 * bitwise the same.
 */
class RnnWorkspaceBytesTest {

    static Stream<Arguments> specs() {
        return Stream.of(
                Arguments.of(RnnSpec.builder(CellType.LSTM, 5, 6).build()),
                Arguments.of(RnnSpec.builder(CellType.GRU, 5, 6).build()),
                Arguments.of(RnnSpec.builder(CellType.GRU, 5, 6).resetBefore(true).build()),
                Arguments.of(RnnSpec.builder(CellType.RNN_TANH, 5, 6).build()),
                Arguments.of(RnnSpec.builder(CellType.LSTM, 5, 6).projSize(3).peephole(true).build()),
                Arguments.of(RnnSpec.builder(CellType.LSTM, 5, 6).numLayers(2).dropout(0.25)
                        .direction(Direction.BIDIRECTIONAL).build()),
                Arguments.of(RnnSpec.builder(CellType.GRU, 9, 4).numLayers(3).direction(Direction.REVERSE).build()));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void accountingMatchesTheShapeFormula(RnnSpec spec) {
        int t = 7, b = 3;
        for (boolean inputGradient : new boolean[] {true, false}) {
            RnnWorkspace ws = new RnnWorkspace();
            step(spec, ws, t, b, inputGradient);
            Map<String, Long> want = expected(spec, t, b, inputGradient);
            Map<String, Long> got = ws.bytesByBuffer();
            assertEquals(want, got, spec.describe() + (inputGradient ? " with" : " without") + " dL/dx");
            assertEquals(want.values().stream().mapToLong(Long::longValue).sum(), ws.bytes());
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void noInputGradientChangesNoOtherResult(RnnSpec spec) {
        int t = 7, b = 3;
        Map<String, float[]> with = step(spec, new RnnWorkspace(), t, b, true);
        Map<String, float[]> without = step(spec, new RnnWorkspace(), t, b, false);
        for (Map.Entry<String, float[]> e : without.entrySet()) {
            assertArrayEquals(with.get(e.getKey()), e.getValue(), spec.describe() + ": " + e.getKey());
        }
    }

    /** One forward (training mode) and backward of a seeded problem; every result but dL/dx by name. */
    private static Map<String, float[]> step(RnnSpec spec, RnnWorkspace ws, int t, int b, boolean inputGradient) {
        SplittableRandom r = new SplittableRandom(3);
        RnnWeights w = new RnnWeights(spec).initUniform(11);
        Rnn rnn = new Rnn(w);
        int[] lengths = {t, 2, 5};
        float[] x = uniform(r, t * b * spec.inputSize());
        float[] out = new float[t * b * spec.outputSize()];
        float[] dOut = uniform(r, out.length);
        boolean lstm = spec.cell().hasCellState();
        float[] hN = new float[spec.numUnits() * b * spec.stateSize()];
        float[] cN = lstm ? new float[spec.numUnits() * b * spec.hiddenSize()] : null;
        rnn.forward(ws, true, x, t, b, lengths, null, null, out, hN, cN);
        RnnWeights grads = new RnnWeights(spec);
        float[] dh0 = new float[hN.length];
        float[] dc0 = lstm ? new float[cN.length] : null;
        rnn.backward(ws, dOut, null, null, grads, inputGradient ? new float[x.length] : null, dh0, dc0);
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("out", out);
        m.put("hN", hN);
        m.put("dh0", dh0);
        if (lstm) {
            m.put("cN", cN);
            m.put("dc0", dc0);
        }
        for (String name : grads.names()) {
            m.put("grad." + name, grads.get(name));
        }
        return m;
    }

    /** Every buffer's bytes after one training step of a fresh workspace, from the shapes alone. */
    private static Map<String, Long> expected(RnnSpec s, int t, int b, boolean inputGradient) {
        long tb = (long) t * b;
        int h = s.hiddenSize(), p = s.stateSize(), g = s.gateRows(), o = s.outputSize();
        int layers = s.numLayers(), dirs = s.numDirections(), units = s.numUnits();
        boolean lstm = s.cell() == CellType.LSTM;
        boolean gru = s.cell() == CellType.GRU;
        boolean plain = s.direction() == Direction.FORWARD;
        boolean drop = s.dropout() > 0;
        boolean proj = s.projSize() > 0;
        boolean dx = inputGradient || layers > 1;
        long widestIn = Math.max(s.inputSize(), o);
        long xOwn = 0;
        for (int l = 0; l < layers; l++) {
            for (int d = 0; d < dirs; d++) {
                if (s.direction().reversed(d)) {
                    xOwn += tb * s.layerInputSize(l);
                }
            }
        }
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("perm", 4L * b);
        m.put("rank", 4L * b);
        m.put("lengths", 4L * b);
        m.put("active", 4L * t);
        m.put("count", 4L * (t + 2));
        m.put("xOwn", 4 * xOwn);
        m.put("gates", 4 * units * tb * g);
        m.put("hs", 4 * units * (t + 1L) * b * p);
        m.put("cs", lstm ? 4 * units * (t + 1L) * b * h : 0);
        m.put("tanhC", lstm ? 4 * units * tb * h : 0);
        m.put("hPre", lstm && proj ? 4 * units * tb * h : 0);
        m.put("gh", gru ? 4 * units * tb * g : 0);
        m.put("rh", gru && s.resetBefore() ? 4 * units * tb * h : 0);
        m.put("input0", 4 * tb * s.inputSize());
        m.put("ys", plain ? 0 : 4 * layers * tb * o);
        m.put("xDrop", drop ? 4 * (layers - 1) * tb * o : 0);
        m.put("mask", drop ? 4 * (layers - 1) * tb * o : 0);
        m.put("biasSum", 4L * g);
        m.put("dGates", 4 * tb * g);
        m.put("dGh", gru && !s.resetBefore() ? 4 * tb * g : 0);
        m.put("dY", 4 * tb * o);
        m.put("dYu", plain ? 0 : 4 * tb * p);
        m.put("dX", dx ? 4 * tb * widestIn : 0);
        m.put("dXSum", dx && !plain ? 4 * tb * widestIn : 0);
        m.put("dHs", proj ? 4 * tb * p : 0);
        m.put("dh", 4L * b * p);
        m.put("dhTmp", 4L * b * p);
        m.put("dhPre", proj ? 4L * b * h : 0);
        m.put("drh", s.resetBefore() ? 4L * b * h : 0);
        m.put("dc", 4L * b * h);
        m.put("ones", 4 * tb);
        // the packed recurrent matrices: as large as packing the same (k, n) matrices on their own
        Kernels k = Kernels.get();
        float[] w = new float[g * p];
        if (gru && s.resetBefore()) {
            m.put("packFwd", k.packGemmB(true, h, 2 * h, w, 0, h, null).bytes());
            m.put("packBwd", k.packGemmB(false, 2 * h, h, w, 0, h, null).bytes());
            m.put("packFwd2", k.packGemmB(true, h, h, w, 0, h, null).bytes());
            m.put("packBwd2", k.packGemmB(false, h, h, w, 0, h, null).bytes());
        } else {
            m.put("packFwd", k.packGemmB(true, p, g, w, 0, p, null).bytes());
            m.put("packBwd", k.packGemmB(false, g, p, w, 0, p, null).bytes());
            // the projected LSTM's W_hrᵀ (H, P) and W_hr (P, H)
            m.put("packFwd2", proj ? k.packGemmB(true, h, p, w, 0, h, null).bytes() : 0L);
            m.put("packBwd2", proj ? k.packGemmB(false, p, h, w, 0, h, null).bytes() : 0L);
        }
        return m;
    }

    private static float[] uniform(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * r.nextDouble() - 1);
        }
        return a;
    }
}
