package org.rnn4j.cell;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.kernel.Kernels;

/**
 * A random, fully specified problem for the engine (weights, batch, lengths, states and upstream
 * gradients) and the complete result of running it forward and backward, for tests.
 * Sequence tensors are in the spec's layout; values are uniform in [−1, 1), weights PyTorch-default.
 */
final class RnnCase {
    final RnnSpec spec;
    final RnnWeights weights;
    final int seqLen;
    final int batch;
    final int[] lengths;          // null = all T
    final float[] input;
    final float[] h0;             // null = zeros
    final float[] c0;
    final float[] gradOutput;
    final float[] gradHN;
    final float[] gradCN;
    final long seed;

    RnnCase(RnnSpec spec, int seqLen, int batch, int[] lengths, boolean withStates, long seed) {
        this.seed = seed;
        this.spec = spec;
        this.seqLen = seqLen;
        this.batch = batch;
        this.lengths = lengths;
        SplittableRandom r = new SplittableRandom(seed);
        weights = new RnnWeights(spec).initUniform(r.nextLong());
        int hStates = spec.numUnits() * batch * spec.stateSize();
        int cStates = spec.numUnits() * batch * spec.hiddenSize();
        input = uniform(r, seqLen * batch * spec.inputSize());
        h0 = withStates ? uniform(r, hStates) : null;
        c0 = withStates && spec.cell().hasCellState() ? uniform(r, cStates) : null;
        gradOutput = uniform(r, seqLen * batch * spec.outputSize());
        gradHN = uniform(r, hStates);
        gradCN = spec.cell().hasCellState() ? uniform(r, cStates) : null;
    }

    static float[] uniform(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * r.nextDouble() - 1);
        }
        return a;
    }

    /** A (T, B, width) seq-first copy of a sequence tensor in the spec's layout. */
    float[] seqFirst(float[] t, int width) {
        float[] d = new float[seqLen * batch * width];
        for (int s = 0; s < seqLen; s++) {
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < width; j++) {
                    d[(s * batch + b) * width + j] = t[row(s, b) * width + j];
                }
            }
        }
        return d;
    }

    @Override
    public String toString() {
        return spec + " T=" + seqLen + " B=" + batch + " lengths=" + Arrays.toString(lengths)
                + " states=" + (h0 != null) + " seed=" + seed;
    }

    /** Flat row of (t, b) in the spec's layout. */
    int row(int t, int b) {
        return spec.batchFirst() ? b * seqLen + t : t * batch + b;
    }

    boolean padded(int t, int b) {
        return lengths != null && t >= lengths[b];
    }

    /** Everything one forward + backward produces, by name. */
    static final class Result {
        final Map<String, float[]> tensors = new LinkedHashMap<>();

        float[] get(String name) {
            return tensors.get(name);
        }
    }

    Result run(Kernels kernels, RnnWorkspace ws, boolean training) {
        return run(new Rnn(weights, kernels), ws, training);
    }

    Result run(Rnn rnn, RnnWorkspace ws, boolean training) {
        return run(new Pass() {
            @Override
            public void forward(boolean tr, float[] in, int t, int b, int[] len, float[] h0, float[] c0, float[] out,
                                float[] hN, float[] cN) {
                rnn.forward(ws, tr, in, t, b, len, h0, c0, out, hN, cN);
            }

            @Override
            public void backward(float[] gOut, float[] gHN, float[] gCN, RnnWeights grads, float[] gIn, float[] gH0,
                                 float[] gC0) {
                rnn.backward(ws, gOut, gHN, gCN, grads, gIn, gH0, gC0);
            }
        }, training);
    }

    /** An engine's forward and backward with {@link Rnn}'s arguments (the workspace its own). */
    interface Pass {
        void forward(boolean training, float[] input, int seqLen, int batch, int[] lengths, float[] h0, float[] c0,
                     float[] output, float[] hN, float[] cN);

        void backward(float[] gradOutput, float[] gradHN, float[] gradCN, RnnWeights grads, float[] gradInput,
                      float[] gradH0, float[] gradC0);
    }

    /** One forward and backward of this case through {@code pass}, everything it produced by name. */
    Result run(Pass pass, boolean training) {
        int hStates = spec.numUnits() * batch * spec.stateSize();
        int cStates = spec.numUnits() * batch * spec.hiddenSize();
        boolean lstm = spec.cell().hasCellState();
        Result res = new Result();
        float[] out = new float[seqLen * batch * spec.outputSize()];
        float[] hN = new float[hStates];
        float[] cN = lstm ? new float[cStates] : null;
        pass.forward(training, input, seqLen, batch, lengths, h0, c0, out, hN, cN);
        RnnWeights grads = new RnnWeights(spec);
        float[] gIn = new float[input.length];
        float[] gH0 = new float[hStates];
        float[] gC0 = lstm ? new float[cStates] : null;
        pass.backward(gradOutput, gradHN, gradCN, grads, gIn, gH0, gC0);
        res.tensors.put("output", out);
        res.tensors.put("h_n", hN);
        if (lstm) {
            res.tensors.put("c_n", cN);
        }
        res.tensors.put("grad.input", gIn);
        res.tensors.put("grad.h0", gH0);
        if (lstm) {
            res.tensors.put("grad.c0", gC0);
        }
        for (String n : grads.names()) {
            res.tensors.put("grad." + n, grads.get(n).clone());
        }
        return res;
    }

    /** A copy whose padded input and gradOutput positions hold {@code garbage}. */
    RnnCase withPadding(float garbage) {
        RnnCase c = new RnnCase(this);
        int in = spec.inputSize();
        int h = spec.outputSize();
        for (int t = 0; t < seqLen; t++) {
            for (int b = 0; b < batch; b++) {
                if (padded(t, b)) {
                    Arrays.fill(c.input, row(t, b) * in, row(t, b) * in + in, garbage);
                    Arrays.fill(c.gradOutput, row(t, b) * h, row(t, b) * h + h, garbage);
                }
            }
        }
        return c;
    }

    private RnnCase(RnnCase o) {
        seed = o.seed;
        spec = o.spec;
        weights = o.weights;
        seqLen = o.seqLen;
        batch = o.batch;
        lengths = o.lengths;
        input = o.input.clone();
        h0 = o.h0 == null ? null : o.h0.clone();
        c0 = o.c0 == null ? null : o.c0.clone();
        gradOutput = o.gradOutput.clone();
        gradHN = o.gradHN.clone();
        gradCN = o.gradCN == null ? null : o.gradCN.clone();
    }

    /** The same problem with inter-layer dropout p (the weights are shared, not copied). */
    RnnCase withDropout(double p) {
        return new RnnCase(this, spec.toBuilder().dropout(p).build());
    }

    private RnnCase(RnnCase o, RnnSpec s) {
        seed = o.seed;
        spec = s;
        weights = new RnnWeights(s);
        weights.copyFrom(o.weights);
        seqLen = o.seqLen;
        batch = o.batch;
        lengths = o.lengths;
        input = o.input;
        h0 = o.h0;
        c0 = o.c0;
        gradOutput = o.gradOutput;
        gradHN = o.gradHN;
        gradCN = o.gradCN;
    }

    /** The single sequence b of this batch as a batch of one (same weights). */
    RnnCase single(int b) {
        return new RnnCase(this, b);
    }

    private RnnCase(RnnCase o, int b) {
        seed = o.seed;
        spec = o.spec;
        weights = o.weights;
        seqLen = o.seqLen;
        batch = 1;
        lengths = o.lengths == null ? null : new int[] {o.lengths[b]};
        int in = spec.inputSize();
        int o2 = spec.outputSize();
        int p = spec.stateSize();
        int h = spec.hiddenSize();
        int units = spec.numUnits();
        input = new float[seqLen * in];
        gradOutput = new float[seqLen * o2];
        for (int t = 0; t < seqLen; t++) {
            System.arraycopy(o.input, o.row(t, b) * in, input, t * in, in);
            System.arraycopy(o.gradOutput, o.row(t, b) * o2, gradOutput, t * o2, o2);
        }
        h0 = o.h0 == null ? null : stateOf(o.h0, b, o.batch, units, p);
        c0 = o.c0 == null ? null : stateOf(o.c0, b, o.batch, units, h);
        gradHN = stateOf(o.gradHN, b, o.batch, units, p);
        gradCN = o.gradCN == null ? null : stateOf(o.gradCN, b, o.batch, units, h);
    }

    private static float[] stateOf(float[] s, int b, int batch, int units, int width) {
        float[] r = new float[units * width];
        for (int u = 0; u < units; u++) {
            System.arraycopy(s, (u * batch + b) * width, r, u * width, width);
        }
        return r;
    }

    /** Extracts sequence b's slice of a per-sequence result tensor (sequence or state layout). */
    float[] slice(String name, float[] t, int b) {
        if (name.equals("output") || name.equals("grad.input")) {
            int w = name.equals("output") ? spec.outputSize() : spec.inputSize();
            float[] r = new float[seqLen * w];
            for (int s = 0; s < seqLen; s++) {
                System.arraycopy(t, row(s, b) * w, r, s * w, w);
            }
            return r;
        }
        boolean cell = name.equals("c_n") || name.equals("grad.c0");
        return stateOf(t, b, batch, spec.numUnits(), cell ? spec.hiddenSize() : spec.stateSize());
    }
}
