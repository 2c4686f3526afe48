package org.rnn4j.serve;

import java.util.SplittableRandom;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.check.ReferenceRnn;
import org.rnn4j.kernel.Bf16;
import org.rnn4j.kernel.Kernels;

/**
 * A random servable network — forward RNN of any cell and options, optional embedding and head — and
 * its independent double-precision evaluation: {@link ReferenceRnn} for the RNN, the embedding
 * lookup and the head's {@code W·h + b} written out here.
 */
final class Fixture {
    final RnnSpec spec;
    final RnnWeights weights;
    final float[] embedding;   // (V, I) or null
    final int vocab;
    final float[] headW;       // (O, P) or null
    final float[] headB;
    final int headOut;

    Fixture(RnnSpec spec, long seed, int vocab, int headOut) {
        this.spec = spec;
        SplittableRandom r = new SplittableRandom(seed);
        weights = new RnnWeights(spec).initUniform(r.nextLong());
        if (spec.peephole()) {   // initUniform leaves peepholes at 0, which would hide a peephole bug
            for (int l = 0; l < spec.numLayers(); l++) {
                float[] p = weights.peephole(l, 0);
                for (int i = 0; i < p.length; i++) {
                    p[i] = (float) (r.nextDouble() - 0.5);
                }
            }
        }
        this.vocab = vocab;
        embedding = vocab > 0 ? gaussian(r, vocab * spec.inputSize()) : null;
        this.headOut = headOut;
        headW = headOut > 0 ? gaussian(r, headOut * spec.stateSize()) : null;
        headB = headOut > 0 ? gaussian(r, headOut) : null;
    }

    /** Both kernel sets: the scalar twins and the SIMD kernels. */
    static java.util.List<Kernels> kernels() {
        return java.util.List.of(Kernels.scalar(), Kernels.simd());
    }

    static float[] gaussian(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble(), v = r.nextDouble();
            a[i] = (float) (Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v) * 0.5);
        }
        return a;
    }

    /** A random forward-only spec with every option the cell allows drawn at ½. */
    static RnnSpec randomSpec(SplittableRandom r, int maxHidden) {
        CellType cell = CellType.values()[r.nextInt(CellType.values().length)];
        int h = 1 + r.nextInt(maxHidden);
        RnnSpec.Builder b = RnnSpec.builder(cell, 1 + r.nextInt(12), h).numLayers(1 + r.nextInt(3));
        if (cell == CellType.LSTM) {
            if (h > 1 && r.nextBoolean()) {
                b.projSize(1 + r.nextInt(h - 1));
            }
            b.peephole(r.nextBoolean());
        }
        if (cell == CellType.GRU) {
            b.resetBefore(r.nextBoolean());
        }
        return b.build();
    }

    StreamingModel model(Kernels k, WeightFormat format) {
        StreamingModel.Builder b = StreamingModel.builder(weights).kernels(k).format(format);
        if (embedding != null) {
            b.embedding(embedding, vocab);
        }
        if (headW != null) {
            b.head(headW, headB, headOut);
        }
        return b.build();
    }

    int outputSize() {
        return headW != null ? headOut : spec.stateSize();
    }

    /**
     * The double evaluation of T steps of one stream from (h0, c0): outputs (T, O) then h_n (L·P) and
     * c_n (L·H) in one array each of the returned triple. With {@code bf16}, W_ih and W_hh are first
     * rounded to bfloat16 (what the BF16 model multiplies by).
     */
    double[][] reference(float[] xs, int[] tokens, int steps, float[] h0, float[] c0, boolean bf16) {
        ReferenceRnn ref = new ReferenceRnn(spec);
        for (String name : weights.names()) {
            float[] w = weights.get(name).clone();
            if (bf16 && (name.startsWith("weight_ih") || name.startsWith("weight_hh"))) {
                for (int i = 0; i < w.length; i++) {
                    w[i] = Bf16.toFloat(Bf16.fromFloat(w[i]));
                }
            }
            ref.setParameter(name, w);
        }
        int in = spec.inputSize();
        double[] x = new double[steps * in];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < in; i++) {
                x[t * in + i] = tokens != null ? embedding[tokens[t] * in + i] : xs[t * in + i];
            }
        }
        ReferenceRnn.Forward f = ref.forward(x, steps, 1, null, toDouble(h0), toDouble(c0), null);
        int p = spec.stateSize();
        double[] y = f.output();   // (T, 1, P)
        if (headW != null) {
            double[] logits = new double[steps * headOut];
            for (int t = 0; t < steps; t++) {
                for (int o = 0; o < headOut; o++) {
                    double s = headB[o];
                    for (int j = 0; j < p; j++) {
                        s += (double) headW[o * p + j] * y[t * p + j];
                    }
                    logits[t * headOut + o] = s;
                }
            }
            y = logits;
        }
        return new double[][] {y, f.hN(), f.cN()};
    }

    private static double[] toDouble(float[] a) {
        if (a == null) {
            return null;
        }
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** ‖got − ref‖₂ ≤ 1e-4·‖ref‖₂ + 1e-6·√n, the engine's criterion (docs/cells.md). */
    static String normwise(String what, float[] got, double[] ref) {
        double d = 0, r = 0;
        for (int i = 0; i < ref.length; i++) {
            d += (got[i] - ref[i]) * (got[i] - ref[i]);
            r += ref[i] * ref[i];
        }
        double bound = 1e-4 * Math.sqrt(r) + 1e-6 * Math.sqrt(ref.length);
        return Math.sqrt(d) <= bound ? null
                : what + ": ‖Δ‖ = " + Math.sqrt(d) + " > " + bound + " (‖ref‖ = " + Math.sqrt(r) + ")";
    }
}
