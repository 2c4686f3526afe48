package org.rnn4j.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rnn4j.cell.CellType;
import org.rnn4j.check.ReferenceRnn;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.nn.Params;
import org.rnn4j.nn.SoftmaxCrossEntropy;

/**
 * The language model against an independent double-precision composition: embedding lookup and
 * decoder written out here, the RNN from {@link ReferenceRnn}, softmax cross-entropy from its
 * definition, and every gradient by hand-derived chain rule through the reference's BPTT.
 */
class LanguageModelTest {

    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM", "GRU", "RNN_TANH"})
    void lossAndEveryGradientMatchADoubleComposition(CellType cell) {
        int v = 11, e = 5, h = 7, layers = 2, t0 = 6, b = 3;
        LanguageModel.Config config = new LanguageModel.Config(cell, v, e, h, layers, 0);
        for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.simd()}) {
            LanguageModel m = new LanguageModel(config, k).init(42);
            SplittableRandom r = new SplittableRandom(7);
            int[] input = new int[t0 * b];
            int[] target = new int[t0 * b];
            for (int i = 0; i < input.length; i++) {
                input[i] = r.nextInt(v);
                target[i] = i % 5 == 3 ? SoftmaxCrossEntropy.IGNORE_INDEX : r.nextInt(v);
            }
            float[] hState = new float[m.stateSize(b)];
            float[] cState = cell == CellType.LSTM ? new float[m.stateSize(b)] : null;
            for (int i = 0; i < hState.length; i++) {
                hState[i] = (float) (r.nextDouble() - 0.5);
                if (cState != null) {
                    cState[i] = (float) (r.nextDouble() - 0.5);
                }
            }
            float[] h0 = hState.clone();
            float[] c0 = cState == null ? null : cState.clone();
            int count = SoftmaxCrossEntropy.countTargets(target, 0, target.length);
            Params p = m.params();
            p.zeroGrad();
            double sum = m.trainChunk(new LanguageModel.Workspace(), input, target, t0, b, hState, cState, 1f / count);

            // --- the double composition
            ReferenceRnn ref = ReferenceRnn.of(config.rnnSpec());
            for (String n : ref.parameterNames()) {
                ref.setParameter(n, p.value("rnn." + n));
            }
            float[] emb = p.value("encoder.weight");      // (V, E)
            float[] wDec = p.value("decoder.weight");     // (V, H)
            float[] bDec = p.value("decoder.bias");       // (V)
            double[] x = new double[t0 * b * e];
            for (int i = 0; i < t0 * b; i++) {
                for (int j = 0; j < e; j++) {
                    x[i * e + j] = emb[input[i] * e + j];
                }
            }
            ReferenceRnn.Forward f = ref.forward(x, t0, b, null, widen(h0), widen(c0), null);
            double[] out = f.output();                   // (T·B, H)
            double refSum = 0;
            double[] dOut = new double[out.length];
            double[] dWDec = new double[v * h];
            double[] dBDec = new double[v];
            for (int i = 0; i < t0 * b; i++) {
                if (target[i] == SoftmaxCrossEntropy.IGNORE_INDEX) {
                    continue;
                }
                double[] logits = new double[v];
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < v; c++) {
                    double z = bDec[c];
                    for (int j = 0; j < h; j++) {
                        z += wDec[c * h + j] * out[i * h + j];
                    }
                    logits[c] = z;
                    max = Math.max(max, z);
                }
                double se = 0;
                for (int c = 0; c < v; c++) {
                    se += Math.exp(logits[c] - max);
                }
                double lse = max + Math.log(se);
                refSum += lse - logits[target[i]];
                for (int c = 0; c < v; c++) {
                    double g = (Math.exp(logits[c] - lse) - (c == target[i] ? 1 : 0)) / count;
                    dBDec[c] += g;
                    for (int j = 0; j < h; j++) {
                        dWDec[c * h + j] += g * out[i * h + j];
                        dOut[i * h + j] += g * wDec[c * h + j];
                    }
                }
            }
            ReferenceRnn.Gradients g = ref.backward(f, dOut, null, null);
            double[] dEmb = new double[v * e];
            double[] dx = g.input();
            for (int i = 0; i < t0 * b; i++) {
                for (int j = 0; j < e; j++) {
                    dEmb[input[i] * e + j] += dx[i * e + j];
                }
            }
            String what = cell + " " + k.name();
            assertEquals(refSum, sum, 1e-5 * Math.abs(refSum), what + ": loss");
            close(dEmb, p.grad("encoder.weight"), what + ": encoder.weight");
            close(dWDec, p.grad("decoder.weight"), what + ": decoder.weight");
            close(dBDec, p.grad("decoder.bias"), what + ": decoder.bias");
            for (String n : ref.parameterNames()) {
                close(g.parameter(n), p.grad("rnn." + n), what + ": rnn." + n);
            }
            // the state is advanced to h_T (and c_T)
            double[] hn = f.hN();
            for (int i = 0; i < hn.length; i++) {
                assertEquals(hn[i], hState[i], 1e-5, what + ": carried h");
            }
        }
    }

    /** Normwise relative error ≤ 1e-4 + 1e-6·√n absolute, the engine-vs-reference criterion. */
    private static void close(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double d = 0;
        double n = 0;
        for (int i = 0; i < expected.length; i++) {
            d += (expected[i] - actual[i]) * (expected[i] - actual[i]);
            n += expected[i] * expected[i];
        }
        assertTrue(Math.sqrt(d) <= 1e-4 * Math.sqrt(n) + 1e-6 * Math.sqrt(expected.length),
                what + ": error " + Math.sqrt(d) + " vs norm " + Math.sqrt(n));
    }

    private static double[] widen(float[] a) {
        if (a == null) {
            return null;
        }
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    @org.junit.jupiter.api.Test
    void batchifyCutsParallelStreamsAsPyTorchDoes() {
        int[] tokens = new int[26];
        for (int i = 0; i < 26; i++) {
            tokens[i] = i;
        }
        // 24 usable tokens (remainder 2 dropped) in B = 4 streams of 6: stream b = tokens[6b .. 6b+6)
        int[] data = Trainer.batchify(tokens, 0, 26, 4);
        assertArrayEquals(new int[] {0, 6, 12, 18, 1, 7, 13, 19, 2, 8, 14, 20, 3, 9, 15, 21, 4, 10, 16, 22,
            5, 11, 17, 23}, data);
        assertEquals(3, Trainer.chunks(6, 2));   // inputs at steps 0..4 (5 steps) in chunks of 2
        assertEquals(1, Trainer.chunks(6, 64));
        assertEquals(0, Trainer.chunks(1, 4));
    }
}
