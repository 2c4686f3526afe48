package org.rnn4j.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.check.ReferenceRnn;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

/**
 * A random stream problem for {@link TruncatedBptt}, and the constructions the tests compare the
 * driver with: a manual one from direct {@link Rnn} calls, and a double-precision one from
 * {@link ReferenceRnn}. Values are uniform in [−1, 1), weights PyTorch-default.
 *
 * <p>The loss is L = Σ over the shown steps of Σ_{b,j} (r·y + y²/2), so dL/dy = r + y: the
 * gradient depends on the outputs, and the loss on every output value.
 */
final class TbpttCase {
    final RnnSpec spec;
    final RnnWeights weights;
    final int steps;       // T
    final int batch;       // B
    final int k1;
    final int k2;
    final float[] x;       // (T, B, I) seq-first
    final float[] h0;      // (L, B, P) or null = zeros
    final float[] c0;      // (L, B, H), LSTM with states only
    final float[] r;       // (T, B, O) seq-first loss coefficients
    final long seed;
    final int[] lengths;   // (B) per-sequence lengths, or null = all T

    TbpttCase(RnnSpec spec, int steps, int batch, int k1, int k2, boolean withStates, long seed) {
        this.spec = spec;
        this.steps = steps;
        this.batch = batch;
        this.k1 = k1;
        this.k2 = k2;
        this.seed = seed;
        SplittableRandom rnd = new SplittableRandom(seed);
        weights = new RnnWeights(spec).initUniform(rnd.nextLong());
        x = uniform(rnd, steps * batch * spec.inputSize());
        h0 = withStates ? uniform(rnd, hState()) : null;
        c0 = withStates && lstm() ? uniform(rnd, cState()) : null;
        r = uniform(rnd, steps * batch * spec.outputSize());
        lengths = null;
    }

    private TbpttCase(TbpttCase o, RnnSpec spec, int k1, int k2, int[] lengths) {
        this.spec = spec;
        this.weights = new RnnWeights(spec);
        this.weights.copyFrom(o.weights);
        this.steps = o.steps;
        this.batch = o.batch;
        this.k1 = k1;
        this.k2 = k2;
        this.x = o.x;
        this.h0 = o.h0;
        this.c0 = o.c0;
        this.r = o.r;
        this.seed = o.seed;
        this.lengths = lengths;
    }

    /** The same data under another spec with the same parameters (dropout, layout); weights copied. */
    TbpttCase withSpec(RnnSpec s) {
        return new TbpttCase(this, s, k1, k2, lengths);
    }

    /** The same problem with other window sizes; weights copied. */
    TbpttCase withK(int newK1, int newK2) {
        return new TbpttCase(this, spec, newK1, newK2, lengths);
    }

    /** The same problem with per-sequence lengths (B entries in [0, T], or null); weights copied. */
    TbpttCase withLengths(int[] newLengths) {
        return new TbpttCase(this, spec, k1, k2, newLengths);
    }

    /** Sequence b's length: lengths[b], or T. */
    int length(int b) {
        return lengths == null ? steps : lengths[b];
    }

    /** The lengths within stream steps [from, from + n): clamp(lengths[b] − from, 0, n); null if all T. */
    int[] windowLengths(int from, int n) {
        if (lengths == null) {
            return null;
        }
        int[] w = new int[batch];
        for (int b = 0; b < batch; b++) {
            w[b] = Math.max(0, Math.min(lengths[b] - from, n));
        }
        return w;
    }

    static float[] uniform(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        return a;
    }

    boolean lstm() {
        return spec.cell().hasCellState();
    }

    int hState() {
        return spec.numUnits() * batch * spec.stateSize();
    }

    int cState() {
        return spec.numUnits() * batch * spec.hiddenSize();
    }

    int out() {
        return spec.outputSize();
    }

    /** The stream in the spec's layout. */
    float[] input() {
        if (!spec.batchFirst()) {
            return x;
        }
        int in = spec.inputSize();
        float[] d = new float[x.length];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                System.arraycopy(x, (t * batch + b) * in, d, (b * steps + t) * in, in);
            }
        }
        return d;
    }

    /** Steps [from, to) of the seq-first stream. */
    float[] slice(int from, int to) {
        int w = batch * spec.inputSize();
        return Arrays.copyOfRange(x, from * w, to * w);
    }

    float[] h0OrZeros() {
        return h0 == null ? new float[hState()] : h0.clone();
    }

    float[] c0OrZeros() {
        return lstm() ? (c0 == null ? new float[cState()] : c0.clone()) : null;
    }

    @Override
    public String toString() {
        return spec.describe() + (spec.dropout() > 0 ? " dropout=" + spec.dropout() : "")
                + (spec.batchFirst() ? " batchFirst" : "") + " T=" + steps + " B=" + batch + " k1=" + k1
                + " k2=" + k2 + " states=" + (h0 != null) + " seed=" + seed
                + (lengths == null ? "" : " lengths=" + Arrays.toString(lengths));
    }

    // ================================================================== the loss

    Loss newLoss() {
        return new Loss(this, spec.batchFirst());
    }

    /**
     * The test loss as a {@link TruncatedBptt.WindowLoss}: sums in (t, b, j) order whatever the
     * layout (so seq-first and batch-first runs give bitwise the same loss), records every output
     * it is shown at its stream position, the calls, and whether gradOutput was zero on entry.
     * Allocates nothing.
     */
    static final class Loss implements TruncatedBptt.WindowLoss {
        final float[] r;
        final int batch;
        final int width;
        final boolean batchFirst;
        final float[] seen;           // (T, B, O) seq-first
        final int[] starts;
        final int[] counts;
        int calls;
        boolean gradZeroOnEntry = true;

        Loss(TbpttCase c, boolean batchFirst) {
            this.r = c.r;
            this.batch = c.batch;
            this.width = c.out();
            this.batchFirst = batchFirst;
            this.seen = new float[c.r.length];
            this.starts = new int[c.steps];
            this.counts = new int[c.steps];
        }

        /** Forgets the calls (not the outputs seen), for another run. */
        void reset() {
            calls = 0;
        }

        @Override
        public double loss(int start, int n, float[] output, float[] gradOutput) {
            double l = 0;
            for (int t = 0; t < n; t++) {
                for (int b = 0; b < batch; b++) {
                    for (int j = 0; j < width; j++) {
                        int i = (batchFirst ? b * n + t : t * batch + b) * width + j;
                        int si = ((start + t) * batch + b) * width + j;
                        float y = output[i];
                        if (gradOutput[i] != 0f) {
                            gradZeroOnEntry = false;
                        }
                        l += (double) r[si] * y + 0.5 * (double) y * y;
                        gradOutput[i] = r[si] + y;
                        seen[si] = y;
                    }
                }
            }
            starts[calls] = start;
            counts[calls] = n;
            calls++;
            return l;
        }
    }

    // ================================================================== results

    /** What a TBPTT run produces. */
    static final class Result {
        double loss;
        RnnWeights grads;
        float[] hN;
        float[] cN;
        float[] seen;      // every shown output at its stream position, (T, B, O) seq-first
        float[] gradInput; // the driver's truncated dL/d(input), in the spec's layout, or null
        RnnWeights weights;   // the weights after the run (changed only by an Sgd)
    }

    /** The driver on a copy of the weights (so callers may step them), with the given kernels and dropout seed. */
    Result driver(Kernels k, long dropSeed, Sgd sgd) {
        return driver(k, dropSeed, sgd, input(), false);
    }

    /**
     * As {@link #driver(Kernels, long, Sgd)} on the given stream (in the spec's layout); with lengths
     * or {@code withGradInput}, through the run that takes lengths and gradInput.
     */
    Result driver(Kernels k, long dropSeed, Sgd sgd, float[] stream, boolean withGradInput) {
        RnnWeights w = new RnnWeights(spec);
        w.copyFrom(weights);
        Rnn rnn = new Rnn(w, k);
        TruncatedBptt tb = new TruncatedBptt(rnn, k1, k2);
        Result res = new Result();
        res.grads = new RnnWeights(spec);
        res.hN = new float[hState()];
        res.cN = lstm() ? new float[cState()] : null;
        Loss loss = newLoss();
        RnnWeights g = res.grads;
        RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, dropSeed);
        TruncatedBptt.AfterUpdate after = sgd == null ? null : (u, e, l) -> sgd.step(w, g);
        if (lengths == null && !withGradInput) {
            res.loss = tb.run(ws, stream, steps, batch, h0, c0, loss, g, after, res.hN, res.cN);
        } else {
            res.gradInput = withGradInput ? new float[steps * batch * spec.inputSize()] : null;
            res.loss = tb.run(ws, stream, steps, batch, lengths, h0, c0, loss, g, after, res.hN, res.cN,
                    res.gradInput);
        }
        if (!loss.gradZeroOnEntry) {
            throw new AssertionError("gradOutput was not all zeros on entry to the loss");
        }
        res.seen = loss.seen;
        res.weights = w;
        return res;
    }

    /**
     * Full BPTT with direct {@link Rnn} calls: one training-mode forward over all T steps (with the
     * lengths), the test loss on all of them, one backward (with gradInput if asked).
     */
    Result fullBptt(Kernels k, long dropSeed, boolean withGradInput) {
        Rnn rnn = new Rnn(weights, k);
        RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, dropSeed);
        Result res = new Result();
        float[] out = new float[steps * batch * out()];
        res.hN = new float[hState()];
        res.cN = lstm() ? new float[cState()] : null;
        rnn.forward(ws, true, input(), steps, batch, lengths, h0, c0, out, res.hN, res.cN);
        float[] gOut = new float[out.length];
        Loss loss = newLoss();
        res.loss = loss.loss(0, steps, out, gOut);
        res.grads = new RnnWeights(spec);
        res.gradInput = withGradInput ? new float[steps * batch * spec.inputSize()] : null;
        rnn.backward(ws, gOut, null, null, res.grads, res.gradInput, null, null);
        res.seen = loss.seen;
        return res;
    }

    /** Plain SGD, w −= lr·g, then g = 0: what an afterUpdate does. */
    static final class Sgd {
        final float lr;

        Sgd(float lr) {
            this.lr = lr;
        }

        void step(RnnWeights w, RnnWeights g) {
            for (String n : w.names()) {
                float[] wt = w.get(n);
                float[] gt = g.get(n);
                for (int i = 0; i < wt.length; i++) {
                    wt[i] -= lr * gt[i];
                }
            }
            g.zero();
        }
    }

    /**
     * TBPTT(k1, k2) written out with direct {@link Rnn} calls, one window at a time, following the
     * documented schedule (seq-first only). Not shared with the driver: every buffer is fresh.
     */
    Result manual(Kernels k, long dropSeed, Sgd sgd) {
        if (spec.batchFirst() || lengths != null) {
            throw new IllegalStateException("manual construction is seq-first, without lengths");
        }
        RnnWeights w = new RnnWeights(spec);
        w.copyFrom(weights);
        Rnn rnn = new Rnn(w, k);
        RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, dropSeed);
        Result res = new Result();
        RnnWeights grads = new RnnWeights(spec);
        res.grads = grads;
        Loss lossFn = newLoss();
        int bo = batch * out();
        boolean lstm = lstm();
        float[] h = h0OrZeros();   // the state at the next window's first step
        float[] c = c0OrZeros();
        float[] hEnd = null;
        float[] cEnd = null;
        for (int start = 0; start < steps; start += k1) {
            int end = Math.min(start + k1, steps);
            float[] y = new float[(end - start) * bo];
            float[] g = new float[(end - start) * bo];
            if (k2 <= k1) {
                int a = Math.max(start, end - k2);
                if (a > start) {   // inference only, shown, no gradient
                    float[] py = new float[(a - start) * bo];
                    float[] h2 = new float[hState()];
                    float[] c2 = lstm ? new float[cState()] : null;
                    rnn.forward(ws, false, slice(start, a), a - start, batch, null, h, c, py, h2, c2);
                    System.arraycopy(py, 0, y, 0, py.length);
                    h = h2;
                    c = c2;
                }
                float[] ty = new float[(end - a) * bo];
                float[] h2 = new float[hState()];
                float[] c2 = lstm ? new float[cState()] : null;
                rnn.forward(ws, true, slice(a, end), end - a, batch, null, h, c, ty, h2, c2);
                System.arraycopy(ty, 0, y, (a - start) * bo, ty.length);
                res.loss += lossFn.loss(start, end - start, y, g);
                float[] gt = Arrays.copyOfRange(g, (a - start) * bo, g.length);
                rnn.backward(ws, gt, null, null, grads, null, null, null);
                h = h2;
                c = c2;
                hEnd = h2;
                cEnd = c2;
            } else {
                int a = Math.max(0, end - k2);   // h, c hold the state at a
                float[] ty = new float[(end - a) * bo];
                float[] h2 = new float[hState()];
                float[] c2 = lstm ? new float[cState()] : null;
                rnn.forward(ws, true, slice(a, end), end - a, batch, null, h, c, ty, h2, c2);
                System.arraycopy(ty, (start - a) * bo, y, 0, y.length);
                res.loss += lossFn.loss(start, end - start, y, g);
                float[] gt = new float[ty.length];   // older steps: zero output gradient
                System.arraycopy(g, 0, gt, (start - a) * bo, g.length);
                rnn.backward(ws, gt, null, null, grads, null, null, null);
                hEnd = h2;
                cEnd = c2;
                int nextA = Math.max(0, Math.min(end + k1, steps) - k2);
                if (end < steps && nextA > a) {   // the next window's start state, with this window's weights
                    float[] h3 = new float[hState()];
                    float[] c3 = lstm ? new float[cState()] : null;
                    rnn.forward(ws, false, slice(a, nextA), nextA - a, batch, null, h, c, null, h3, c3);
                    h = h3;
                    c = c3;
                }
            }
            if (sgd != null) {
                sgd.step(w, grads);
            }
        }
        res.hN = hEnd;
        res.cN = cEnd;
        res.seen = lossFn.seen;
        res.weights = w;
        return res;
    }

    /** The full-length inference forward pass: output (T, B, O), hN, cN. */
    Result fullInference(Kernels k) {
        if (spec.batchFirst()) {
            throw new IllegalStateException("fullInference output is compared seq-first");
        }
        Rnn rnn = new Rnn(weights, k);
        Result res = new Result();
        res.seen = new float[steps * batch * out()];
        res.hN = new float[hState()];
        res.cN = lstm() ? new float[cState()] : null;
        rnn.forward(new RnnWorkspace(), false, input(), steps, batch, lengths, h0, c0, res.seen, res.hN, res.cN);
        return res;
    }

    // ================================================================== double-precision reference

    /**
     * TBPTT in double precision from its definition (no dropout, fixed weights): the state at any
     * step s is the forward pass over [0, s) from h0; update j back-propagates the window [a, e)
     * from the state at a, with output gradient r + y on the shown steps that are back-propagated
     * ([max(start, a), e)) and 0 elsewhere; the loss is that of the full forward pass. With
     * lengths, every forward pass over [from, from + n) runs {@link #windowLengths}.
     */
    Map<String, double[]> reference(double[] lossOut) {
        return reference(lossOut, null);
    }

    /**
     * As {@link #reference(double[])}, and if {@code dxOut} is not null it receives (T, B, I)
     * seq-first the truncated input gradient: the sum over updates of each window's input gradient.
     */
    Map<String, double[]> reference(double[] lossOut, double[] dxOut) {
        if (spec.dropout() > 0 || spec.batchFirst()) {
            throw new IllegalStateException("the reference is seq-first without dropout");
        }
        ReferenceRnn ref = ReferenceRnn.of(spec);
        for (String n : weights.names()) {
            ref.setParameter(n, weights.get(n));
        }
        int bo = batch * out();
        double[] xd = toDouble(x);
        double[] h0d = toDouble(h0);
        double[] c0d = toDouble(c0);
        ReferenceRnn.Forward full = ref.forward(xd, steps, batch, lengths, h0d, c0d, null);
        double loss = 0;
        for (int i = 0; i < steps * bo; i++) {
            double y = full.output()[i];
            loss += r[i] * y + 0.5 * y * y;
        }
        lossOut[0] = loss;
        Map<String, double[]> grads = new LinkedHashMap<>();
        for (String n : weights.names()) {
            grads.put(n, new double[weights.get(n).length]);
        }
        for (int start = 0; start < steps; start += k1) {
            int end = Math.min(start + k1, steps);
            int a = k2 <= k1 ? Math.max(start, end - k2) : Math.max(0, end - k2);
            double[] ha = h0d;
            double[] ca = c0d;
            if (a > 0) {
                ReferenceRnn.Forward pre = ref.forward(Arrays.copyOfRange(xd, 0, a * batch * spec.inputSize()), a,
                        batch, windowLengths(0, a), h0d, c0d, null);
                ha = pre.hN();
                ca = pre.cN();
            }
            ReferenceRnn.Forward f = ref.forward(Arrays.copyOfRange(xd, a * batch * spec.inputSize(),
                    end * batch * spec.inputSize()), end - a, batch, windowLengths(a, end - a), ha, ca, null);
            double[] gy = new double[(end - a) * bo];
            for (int t = Math.max(start, a); t < end; t++) {
                for (int i = 0; i < bo; i++) {
                    int wi = (t - a) * bo + i;
                    gy[wi] = r[t * bo + i] + f.output()[wi];
                }
            }
            ReferenceRnn.Gradients g = ref.backward(f, gy, null, null);
            if (dxOut != null) {
                int bi = batch * spec.inputSize();
                for (int i = 0; i < (end - a) * bi; i++) {
                    dxOut[a * bi + i] += g.input()[i];
                }
            }
            for (String n : weights.names()) {
                double[] acc = grads.get(n);
                double[] d = g.parameter(n);
                for (int i = 0; i < acc.length; i++) {
                    acc[i] += d[i];
                }
            }
        }
        return grads;
    }

    /**
     * The truncated loss Σ_j L_j as a function of the live seq-first stream {@code x} (T, B, I), for
     * finite differences: the windows {a, start, end} of the schedule and the states at each a are
     * computed once, from {@code x} as it is now, and then held constant; each evaluation forwards
     * every window [a, end) from its state (with {@link #windowLengths}) and sums r·y + y²/2 over
     * its shown and back-propagated steps [max(a, start), end).
     */
    java.util.function.DoubleSupplier truncatedLoss(ReferenceRnn ref, double[] x) {
        int bo = batch * out();
        int bi = batch * spec.inputSize();
        List<int[]> windows = new ArrayList<>();
        List<double[][]> states = new ArrayList<>();
        for (int start = 0; start < steps; start += k1) {
            int end = Math.min(start + k1, steps);
            int a = k2 <= k1 ? Math.max(start, end - k2) : Math.max(0, end - k2);
            windows.add(new int[] {a, start, end});
            ReferenceRnn.Forward pre = ref.forward(Arrays.copyOf(x, a * bi), a, batch, windowLengths(0, a),
                    toDouble(h0), toDouble(c0), null);
            states.add(new double[][] {pre.hN(), pre.cN()});
        }
        return () -> {
            double l = 0;
            for (int j = 0; j < windows.size(); j++) {
                int[] w = windows.get(j);
                ReferenceRnn.Forward f = ref.forward(Arrays.copyOfRange(x, w[0] * bi, w[2] * bi), w[2] - w[0],
                        batch, windowLengths(w[0], w[2] - w[0]), states.get(j)[0], states.get(j)[1], null);
                for (int t = Math.max(w[0], w[1]); t < w[2]; t++) {
                    for (int i = 0; i < bo; i++) {
                        double y = f.output()[(t - w[0]) * bo + i];
                        l += r[t * bo + i] * y + 0.5 * y * y;
                    }
                }
            }
            return l;
        };
    }

    /**
     * The engine-vs-reference criterion (see EngineVsReferenceProperties) for one tensor of n
     * elements: ‖got − want‖ ≤ 1e-4·‖want‖ + 1e-6·√n, every element finite.
     */
    static void assertNearReference(String name, double[] want, float[] got) {
        double d = 0;
        double n = 0;
        for (int i = 0; i < want.length; i++) {
            assertTrue(Float.isFinite(got[i]), name + " not finite at " + i);
            d += (got[i] - want[i]) * (got[i] - want[i]);
            n += want[i] * want[i];
        }
        double bound = 1e-4 * Math.sqrt(n) + 1e-6 * Math.sqrt(want.length);
        assertTrue(Math.sqrt(d) <= bound, name + ": ‖Δ‖ = " + Math.sqrt(d) + " > " + bound);
    }

    static double[] toDouble(float[] a) {
        if (a == null) {
            return null;
        }
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
