package org.rnn4j.longterm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rnn4j.check.ReferenceRnn;

/**
 * ∂L/∂h_t by the engine (the one-step chain of {@link GradientFlow#measure} and the suffix method of
 * {@link GradientFlow#gradientAt}) against the same quantity in double precision from
 * {@link ReferenceRnn}, and against central differences of the loss as a function of the state h_t
 * (and c_t); plus the vanishing-gradient picture and the plot.
 */
class GradientFlowTest {
    private static final int H = 5;
    private static final int B = 3;

    /** A model with random weights of moderate size (all cells, so that nothing is trivially 0 or 1). */
    private static TaskModel model(Task task, Variant v, long seed) {
        TaskModel m = new TaskModel(task, v, H, B, seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (String n : m.weights().names()) {
            float[] p = m.weights().get(n);
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) (1.2 * r.nextDouble() - 0.6);
            }
        }
        return m;
    }

    private static Task.Batch batch(Task task, long seed) {
        Task.Batch b = task.newBatch(B);
        task.fill(new SplittableRandom(seed), B, b);
        return b;
    }

    /** The double-precision twin: reference RNN, the head and the task loss written out. */
    private static final class Ref {
        final ReferenceRnn rnn;
        final Task task;
        final Task.Batch batch;
        final double[] x;
        final double[] w;
        final double[] bias;
        final int n;
        final int o;
        final boolean lstm;

        Ref(TaskModel m, Task.Batch batch) {
            this.rnn = new ReferenceRnn(m.weights().spec());
            for (String name : m.weights().names()) {
                rnn.setParameter(name, m.weights().get(name));
            }
            this.task = m.task();
            this.batch = batch;
            this.n = task.seqLen();
            this.o = task.headSize();
            this.lstm = m.variant() == Variant.LSTM;
            this.x = new double[n * B * task.inputSize()];
            for (int i = 0; i < x.length; i++) {
                x[i] = batch.x[i];
            }
            this.w = toDouble(m.head().weight());
            this.bias = toDouble(m.head().bias());
        }

        /** Summed loss of the outputs (N, B, H); fills dOut with dL/dout if not null. */
        double loss(double[] out, double[] dOut) {
            double l = 0;
            int k = task.lossSteps();
            for (int s = 0; s < k; s++) {
                int t = n - k + s;
                for (int b = 0; b < B; b++) {
                    double[] z = new double[o];
                    for (int c = 0; c < o; c++) {
                        z[c] = bias[c];
                        for (int j = 0; j < H; j++) {
                            z[c] += w[c * H + j] * out[(t * B + b) * H + j];
                        }
                    }
                    double[] dz = new double[o];
                    if (task.classification()) {
                        double m = Arrays.stream(z).max().getAsDouble();
                        double sum = 0;
                        for (double v : z) {
                            sum += Math.exp(v - m);
                        }
                        int y = batch.labels[s * B + b];
                        l += Math.log(sum) - (z[y] - m);
                        for (int c = 0; c < o; c++) {
                            dz[c] = Math.exp(z[c] - m) / sum - (c == y ? 1 : 0);
                        }
                    } else {
                        double d = z[0] - batch.values[b];
                        l += d * d;
                        dz[0] = 2 * d;
                    }
                    if (dOut != null) {
                        for (int j = 0; j < H; j++) {
                            for (int c = 0; c < o; c++) {
                                dOut[(t * B + b) * H + j] += w[c * H + j] * dz[c];
                            }
                        }
                    }
                }
            }
            return l;
        }

        /** (h_t, c_t) after the prefix of t steps (zeros for t = 0) and its outputs. */
        ReferenceRnn.Forward prefix(int t) {
            return t == 0 ? null : rnn.forward(Arrays.copyOf(x, t * B * task.inputSize()), t, B, null, null, null, null);
        }

        /**
         * The loss as a function of the state at t: the output at step t is h, the suffix t+1 … N runs
         * from (h, c).
         */
        double lossFrom(int t, ReferenceRnn.Forward pre, double[] h, double[] c) {
            double[] out = new double[n * B * H];
            if (pre != null) {
                System.arraycopy(pre.output(), 0, out, 0, t * B * H);
                System.arraycopy(h, 0, out, (t - 1) * B * H, B * H);   // the output at step t is h_t itself
            }
            if (t < n) {
                int in = task.inputSize();
                ReferenceRnn.Forward suf = rnn.forward(Arrays.copyOfRange(x, t * B * in, n * B * in), n - t, B, null,
                        h, c, null);
                System.arraycopy(suf.output(), 0, out, t * B * H, (n - t) * B * H);
            }
            return loss(out, null);
        }

        /** The suffix method in double: {dL/dh_t, dL/dc_t (LSTM) }. */
        double[][] gradientAt(int t) {
            double[] out = new double[n * B * H];
            ReferenceRnn.Forward full = rnn.forward(x, n, B);
            double[] dOut = new double[n * B * H];
            loss(full.output(), dOut);
            ReferenceRnn.Forward pre = prefix(t);
            double[] h = pre == null ? new double[B * H] : pre.hN();
            double[] c = !lstm ? null : pre == null ? new double[B * H] : pre.cN();
            double[] dh = new double[B * H];
            double[] dc = lstm ? new double[B * H] : null;
            if (t < n) {
                int in = task.inputSize();
                ReferenceRnn.Forward suf = rnn.forward(Arrays.copyOfRange(x, t * B * in, n * B * in), n - t, B, null,
                        h, c, null);
                // prefix + suffix reproduce the full pass: the state at t summarizes the past exactly
                if (pre != null) {
                    System.arraycopy(pre.output(), 0, out, 0, t * B * H);
                }
                System.arraycopy(suf.output(), 0, out, t * B * H, (n - t) * B * H);
                assertArrayEquals(full.output(), out, 1e-12, "prefix then suffix = full forward");
                ReferenceRnn.Gradients g = rnn.backward(suf, Arrays.copyOfRange(dOut, t * B * H, n * B * H), null,
                        null);
                dh = g.h0().clone();
                if (lstm) {
                    dc = g.c0().clone();
                }
            }
            if (t >= 1) {
                for (int i = 0; i < B * H; i++) {
                    dh[i] += dOut[((t - 1) * B) * H + i];
                }
            }
            return new double[][] {dh, dc};
        }
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static double meanRowNorm(double[] a) {
        double s = 0;
        for (int r = 0; r < B; r++) {
            double q = 0;
            for (int j = 0; j < H; j++) {
                q += a[r * H + j] * a[r * H + j];
            }
            s += Math.sqrt(q);
        }
        return s / B;
    }

    private static void assertClose(double[] ref, float[] got, double rel, String what) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < ref.length; i++) {
            diff += (ref[i] - got[i]) * (ref[i] - got[i]);
            norm += ref[i] * ref[i];
        }
        assertTrue(Math.sqrt(diff) <= rel * Math.sqrt(norm) + 1e-9,
                what + ": |engine − reference| = " + Math.sqrt(diff) + ", |reference| = " + Math.sqrt(norm));
    }

    private static final List<Task> TASKS = List.of(new AddingProblem(7), new CopyTask(2, 2, 3));

    @Test
    void engineChainAndSuffixMethodEqualTheDoubleReference() {
        for (Task task : TASKS) {
            for (Variant v : Variant.values()) {
                String what = v.id() + " on " + task.describe();
                TaskModel m = model(task, v, 17);
                Task.Batch batch = batch(task, 3);
                Ref ref = new Ref(m, batch);
                GradientFlow.Profile p = GradientFlow.measure(m, batch);
                int n = task.seqLen();
                assertEquals(n, p.seqLen());
                assertEquals(n + 1, p.hNorm().length);
                assertEquals(v == Variant.LSTM, p.cNorm() != null);
                double[] full = new double[n * B * H];
                assertEquals(ref.loss(ref.rnn.forward(ref.x, n, B).output(), full), p.loss(), 1e-5 * (1 + p.loss()), what);
                for (int t = 0; t <= n; t++) {
                    double[][] r = ref.gradientAt(t);
                    float[] dh = new float[B * H];
                    float[] dc = v == Variant.LSTM ? new float[B * H] : null;
                    GradientFlow.gradientAt(m, batch, t, dh, dc);
                    assertClose(r[0], dh, 1e-4, what + ": suffix dL/dh_" + t);
                    assertEquals(meanRowNorm(r[0]), p.hNorm()[t], 1e-4 * meanRowNorm(r[0]) + 1e-9,
                            what + ": chain |dL/dh_" + t + "|");
                    if (dc != null) {
                        assertClose(r[1], dc, 1e-4, what + ": suffix dL/dc_" + t);
                        assertEquals(meanRowNorm(r[1]), p.cNorm()[t], 1e-4 * meanRowNorm(r[1]) + 1e-9,
                                what + ": chain |dL/dc_" + t + "|");
                    }
                }
            }
        }
    }

    @Test
    void theGradientIsTheDerivativeOfTheLossAsAFunctionOfTheState() {
        double eps = 1e-6;
        for (Task task : TASKS) {
            for (Variant v : Variant.values()) {
                TaskModel m = model(task, v, 29);
                Task.Batch batch = batch(task, 8);
                Ref ref = new Ref(m, batch);
                int n = task.seqLen();
                for (int t : new int[] {0, 1, n / 2, n - 1}) {
                    ReferenceRnn.Forward pre = ref.prefix(t);
                    double[] h = pre == null ? new double[B * H] : pre.hN();
                    double[] c = !ref.lstm ? null : pre == null ? new double[B * H] : pre.cN();
                    float[] dh = new float[B * H];
                    float[] dc = ref.lstm ? new float[B * H] : null;
                    GradientFlow.gradientAt(m, batch, t, dh, dc);
                    for (int i : new int[] {0, H + 2, B * H - 1}) {
                        double[] hp = h.clone();
                        double[] hm = h.clone();
                        hp[i] += eps;
                        hm[i] -= eps;
                        double fd = (ref.lossFrom(t, pre, hp, c) - ref.lossFrom(t, pre, hm, c)) / (2 * eps);
                        assertEquals(fd, dh[i], 1e-3 * Math.abs(fd) + 1e-6,
                                v.id() + " on " + task.describe() + ": dL/dh_" + t + "[" + i + "]");
                        if (c != null) {
                            double[] cp = c.clone();
                            double[] cm = c.clone();
                            cp[i] += eps;
                            cm[i] -= eps;
                            double fdc = (ref.lossFrom(t, pre, h, cp) - ref.lossFrom(t, pre, h, cm)) / (2 * eps);
                            assertEquals(fdc, dc[i], 1e-3 * Math.abs(fdc) + 1e-6,
                                    "lstm on " + task.describe() + ": dL/dc_" + t + "[" + i + "]");
                        }
                    }
                }
            }
        }
    }

    @Test
    void atInitializationTheTanhGradientVanishesAndTheIrnnGradientDoesNot() {
        AddingProblem task = new AddingProblem(60);
        Task.Batch batch = task.newBatch(8);
        task.fill(new SplittableRandom(1), 8, batch);
        GradientFlow.Profile rnn = GradientFlow.measure(new TaskModel(task, Variant.RNN, 16, 8, 1), batch);
        GradientFlow.Profile irnn = GradientFlow.measure(new TaskModel(task, Variant.IRNN, 16, 8, 1), batch);
        assertTrue(rnn.hAtDistance(50) < 1e-3 * rnn.hAtDistance(1),
                "tanh RNN: " + rnn.hAtDistance(50) + " at 50 vs " + rnn.hAtDistance(1) + " at 1");
        assertTrue(irnn.hAtDistance(50) > 0.5 * irnn.hAtDistance(1),
                "IRNN: " + irnn.hAtDistance(50) + " at 50 vs " + irnn.hAtDistance(1) + " at 1");
        assertTrue(Double.isNaN(rnn.cAtDistance(3)));
    }

    @Test
    void argumentErrors() {
        AddingProblem task = new AddingProblem(5);
        TaskModel m = new TaskModel(task, Variant.GRU, 4, 2, 1);
        Task.Batch b = task.newBatch(2);
        task.fill(new SplittableRandom(1), 2, b);
        assertThrows(IllegalArgumentException.class, () -> GradientFlow.gradientAt(m, b, 6, new float[8], null));
        assertThrows(IllegalArgumentException.class, () -> GradientFlow.gradientAt(m, b, 2, new float[8], new float[8]));
        assertThrows(IllegalArgumentException.class, () -> GradientFlow.gradientAt(m, b, 2, new float[7], null));
        Task.Batch big = task.newBatch(3);
        task.fill(new SplittableRandom(1), 3, big);
        assertThrows(IllegalArgumentException.class, () -> GradientFlow.measure(m, big));
    }

    @Test
    void tableDistances() {
        assertArrayEquals(new int[] {1, 2, 5, 10, 20, 50, 100}, GradientFlow.tableDistances(100));
        assertArrayEquals(new int[] {1, 2, 5, 10, 20, 50, 100, 200}, GradientFlow.tableDistances(200));
        assertArrayEquals(new int[] {1, 2, 5, 7}, GradientFlow.tableDistances(7));
        assertArrayEquals(new int[] {1}, GradientFlow.tableDistances(1));
        assertArrayEquals(new int[] {1, 2}, GradientFlow.tableDistances(2));
        assertArrayEquals(new int[] {1, 2, 5, 10, 20, 50, 100, 200, 500, 700}, GradientFlow.tableDistances(700));
    }

    @Test
    void plotHasALogAxisOneLinePerRunAndBreaksAtZeros() {
        double[] a = {9, 1, 0.1, 0.01, 1e-3};
        double[] b = {9, 2, 0, Double.NaN, 1e-4};   // two runs: [1, 1] and [4, 4]
        String svg = FlowPlot.svg("t <&>", 4, List.of(new FlowPlot.Series("rnn", "#111", true, a),
                new FlowPlot.Series("rnn", "#111", false, b)), "dashed: init", "solid: trained");
        assertTrue(svg.startsWith("<svg"));
        assertTrue(svg.contains("t &lt;&amp;&gt;"));
        assertEquals(3, svg.split("<polyline", -1).length - 1, svg);
        assertTrue(svg.contains("stroke-dasharray=\"5 4\" points="));
        assertTrue(svg.contains(">1e-4<") && svg.contains(">1e0<"), "decade ticks");
        assertEquals(1, svg.split(">rnn<", -1).length - 1, "one legend entry per label");
        assertArrayEquals(new int[] {1, 20, 40, 60, 80, 100}, FlowPlot.xTicks(100));
        assertArrayEquals(new int[] {1, 2}, FlowPlot.xTicks(2));
        assertThrows(IllegalArgumentException.class, () -> FlowPlot.svg("x", 5, List.of(
                new FlowPlot.Series("a", "#000", false, a)), "", ""));
    }
}
