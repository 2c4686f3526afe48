package org.rnn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.nn.NnTestSupport.EPS;
import static org.rnn4j.nn.NnTestSupport.assertSentinels;
import static org.rnn4j.nn.NnTestSupport.assertWithin;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.rnn4j.check.GradientCheck;
import org.rnn4j.kernel.Kernels;

/**
 * {@link SoftmaxCrossEntropy} against a plain double reference and central differences, n and C in
 * 1..70, offsets 0..5, about a fifth of the rows ignored, on both kernel implementations.
 *
 * <h2>Bounds</h2>
 * Per row with maximum m and s = Σ exp(x_j − m) ≥ 1, the float log-probability
 * {@code (x_j − m) − log s} is off by at most δ_j = 2ε(|x_j − m| + log s) + (1.37·C + 4)ε: a rounding
 * of x_j − m, the exp error (≤ 2 ulp ≤ 4ε relative) and the C-term sum in s (≤ γ_C, plus the
 * shifted arguments' rounding, e^{−z}·z ≤ 0.37), the rounding of log s and of the difference. The
 * tests allow twice that, 4ε(|x_j − m| + log s) + 4(C + 8)ε, for a row's loss. A gradient element
 * scale·(exp(lp_j) − [j = t]) is then off by |scale|·(p_j·(1.1·δ_j + 8ε) + 2ε) + 2ε|g|, plus 1e-37·|scale|
 * for exp's flush of results below the smallest normal float to 0.
 */
class SoftmaxCrossEntropyProperties {

    @Provide
    Arbitrary<Integer> size() {
        return NnTestSupport.sizes();
    }

    /** Random logits: one scale per call, from tiny to 1e3, sometimes quantized to integers (ties). */
    static float[] logits(SplittableRandom rnd, int pad, int n) {
        double[] scales = {0.01, 1, 3, 10, 100, 1000};
        double scale = scales[rnd.nextInt(scales.length)];
        boolean quantized = rnd.nextInt(4) == 0;
        float[] a = NnTestSupport.nans(pad, n);
        for (int i = 0; i < n; i++) {
            double v = (2 * rnd.nextDouble() - 1) * scale;
            a[pad + i] = quantized ? (float) Math.rint(v * 2 / scale) : (float) v;
        }
        return a;
    }

    /** Targets in [0, C), about one in five IGNORE_INDEX; -7 sentinels around the range. */
    static int[] targets(SplittableRandom rnd, int pad, int n, int classes) {
        int[] t = new int[pad + n + 2];
        java.util.Arrays.fill(t, -7);
        for (int i = 0; i < n; i++) {
            t[pad + i] = rnd.nextInt(5) == 0 ? SoftmaxCrossEntropy.IGNORE_INDEX : rnd.nextInt(classes);
        }
        return t;
    }

    /** The double reference of one row: its loss, and the gradient scale·(p − onehot) into grad. */
    static double refRow(float[] x, int off, int classes, int t, double scale, double[] grad, int gOff) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            m = Math.max(m, x[off + j]);
        }
        double s = 0;
        for (int j = 0; j < classes; j++) {
            s += Math.exp(x[off + j] - m);
        }
        if (grad != null) {
            for (int j = 0; j < classes; j++) {
                grad[gOff + j] = scale * (Math.exp(x[off + j] - m) / s - (j == t ? 1 : 0));
            }
        }
        return Math.log(s) - (x[off + t] - m);
    }

    /** δ_j doubled: the tests' bound on the error of one float log-probability (class comment). */
    static double logProbBound(float[] x, int off, int classes, int j) {
        double m = Double.NEGATIVE_INFINITY;
        for (int q = 0; q < classes; q++) {
            m = Math.max(m, x[off + q]);
        }
        double s = 0;
        for (int q = 0; q < classes; q++) {
            s += Math.exp(x[off + q] - m);
        }
        return 4 * EPS * (Math.abs(x[off + j] - m) + Math.log(s)) + 4 * (classes + 8) * EPS;
    }

    /**
     * Checks loss and gradient of one call against the reference, row by row; ignored rows must be
     * exactly +0 in the gradient.
     */
    static void checkAgainstReference(String what, int n, int classes, float[] x, int lOff, int[] targets, int tOff,
                                      float[] d, int dOff, float scale, double loss) {
        double refLoss = 0;
        double lossBound = 0;
        double[] g = new double[classes];
        for (int r = 0; r < n; r++) {
            int t = targets[tOff + r];
            int row = lOff + r * classes;
            if (t == SoftmaxCrossEntropy.IGNORE_INDEX) {
                for (int j = 0; j < classes; j++) {
                    assertEquals(0, Float.floatToRawIntBits(d[dOff + r * classes + j]), what + ": ignored row " + r
                            + " must have +0 gradient, got " + d[dOff + r * classes + j]);
                }
                continue;
            }
            refLoss += refRow(x, row, classes, t, 1, g, 0);   // g = p − onehot
            lossBound += logProbBound(x, row, classes, t);
            for (int j = 0; j < classes; j++) {
                double p = g[j] + (j == t ? 1 : 0);
                double ref = scale * g[j];
                double delta = logProbBound(x, row, classes, j);
                double bound = Math.abs(scale) * (p * (1.1 * delta + 8 * EPS) + 2 * EPS + 1e-37) + 2 * EPS * Math.abs(ref);
                assertWithin(d[dOff + r * classes + j], ref, bound, what + ": dLogits[" + r + ", " + j + "]");
            }
        }
        assertWithin(loss, refLoss, lossBound + 1e-12 * Math.abs(refLoss), what + ": loss");
    }

    @Property(tries = 300)
    void forwardBackwardMatchesTheReference(@ForAll("size") int n, @ForAll("size") int classes, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int lOff = rnd.nextInt(6), tOff = rnd.nextInt(6), dOff = rnd.nextInt(6);
        float[] x = logits(rnd, lOff, n * classes);
        int[] targets = targets(rnd, tOff, n, classes);
        int count = SoftmaxCrossEntropy.countTargets(targets, tOff, n);
        float[] scales = {1f, count == 0 ? 1f : 1f / count, 0.37f, -1.5f};
        float scale = scales[rnd.nextInt(scales.length)];
        float[] xCopy = x.clone();
        for (Kernels k : NnTestSupport.kernels()) {
            SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(k);
            float[] d = NnTestSupport.nans(dOff, n * classes);
            double loss = ce.forwardBackward(n, classes, x, lOff, targets, tOff, d, dOff, scale);
            assertSentinels(d, dOff, n * classes, k.name() + " dLogits");
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(xCopy[i]), Float.floatToRawIntBits(x[i]), "logits not written");
            }
            checkAgainstReference(k.name() + ", scale " + scale, n, classes, x, lOff, targets, tOff, d, dOff, scale, loss);

            // forward alone: bitwise the same loss, nothing written
            assertEquals(Double.doubleToRawLongBits(loss),
                    Double.doubleToRawLongBits(ce.forward(n, classes, x, lOff, targets, tOff)), k.name() + " forward");

            // in place: dLogits is exactly logits; the same bits as into a separate array
            float[] inPlace = x.clone();
            double lossInPlace = ce.forwardBackward(n, classes, inPlace, lOff, targets, tOff, inPlace, lOff, scale);
            assertEquals(Double.doubleToRawLongBits(loss), Double.doubleToRawLongBits(lossInPlace), k.name() + " in place loss");
            for (int j = 0; j < n * classes; j++) {
                assertEquals(Float.floatToRawIntBits(d[dOff + j]), Float.floatToRawIntBits(inPlace[lOff + j]),
                        k.name() + " in place dLogits[" + j + "]");
            }
            assertSentinels(inPlace, lOff, n * classes, k.name() + " in place");
        }
    }

    /** Ignored rows change nothing: loss and counted rows' gradients equal those of the batch without them. */
    @Property(tries = 150)
    void ignoredRowsContributeNothing(@ForAll("size") int n, @ForAll("size") int classes, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = logits(rnd, 0, n * classes);
        int[] targets = targets(rnd, 0, n, classes);
        // garbage in the ignored rows, NaN and Inf included: must not matter
        List<Integer> kept = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            if (targets[r] == SoftmaxCrossEntropy.IGNORE_INDEX) {
                for (int j = 0; j < classes; j++) {
                    x[r * classes + j] = j % 3 == 0 ? Float.NaN : j % 3 == 1 ? Float.POSITIVE_INFINITY : 1e30f;
                }
            } else {
                kept.add(r);
            }
        }
        int m = kept.size();
        float[] xs = new float[m * classes];
        int[] ts = new int[m];
        for (int i = 0; i < m; i++) {
            System.arraycopy(x, kept.get(i) * classes, xs, i * classes, classes);
            ts[i] = targets[kept.get(i)];
        }
        assertEquals(m, SoftmaxCrossEntropy.countTargets(targets, 0, n));
        for (Kernels k : NnTestSupport.kernels()) {
            SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(k);
            float[] d = new float[n * classes];
            float[] ds = new float[m * classes];
            double loss = ce.forwardBackward(n, classes, x, 0, targets, 0, d, 0, 0.5f);
            double lossSub = ce.forwardBackward(m, classes, xs, 0, ts, 0, ds, 0, 0.5f);
            assertTrue(Double.isFinite(loss), "garbage in ignored rows leaks into the loss: " + loss);
            assertEquals(Double.doubleToRawLongBits(lossSub), Double.doubleToRawLongBits(loss),
                    k.name() + " loss " + loss + " vs the batch without ignored rows " + lossSub);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < classes; j++) {
                    assertEquals(Float.floatToRawIntBits(ds[i * classes + j]),
                            Float.floatToRawIntBits(d[kept.get(i) * classes + j]), k.name() + " counted row " + kept.get(i));
                }
            }
            for (int r = 0; r < n; r++) {
                if (targets[r] == SoftmaxCrossEntropy.IGNORE_INDEX) {
                    for (int j = 0; j < classes; j++) {
                        assertEquals(0f, d[r * classes + j], k.name() + " ignored row " + r);
                    }
                }
            }
        }
    }

    /** Logits of ±1e4 and near-ties there: finite loss and gradient, within the reference bounds. */
    @Property(tries = 150)
    void extremeLogitsStayFiniteAndCorrect(@ForAll("size") int n, @ForAll("size") int classes, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n * classes];
        float[] choices = {1e4f, -1e4f, 0f, 9999f, 9999.5f, -9999f, 5f};
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextInt(3) == 0 ? (float) ((2 * rnd.nextDouble() - 1) * 1e4) : choices[rnd.nextInt(choices.length)];
        }
        int[] targets = targets(rnd, 0, n, classes);
        for (Kernels k : NnTestSupport.kernels()) {
            SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(k);
            float[] d = new float[n * classes];
            double loss = ce.forwardBackward(n, classes, x, 0, targets, 0, d, 0, 1f);
            assertTrue(Double.isFinite(loss), k.name() + " loss must be finite, got " + loss);
            for (int j = 0; j < d.length; j++) {
                assertTrue(Float.isFinite(d[j]) && Math.abs(d[j]) <= 1f, k.name() + " dLogits[" + j + "] = " + d[j]);
            }
            checkAgainstReference(k.name() + " extreme", n, classes, x, 0, targets, 0, d, 0, 1f, loss);
        }
    }

    /**
     * dLogits against central differences of L(x) = gradScale·Σ_r CE_r(x) in double; the ignored
     * rows' logits as a separate target whose analytic and numeric gradients must both be exactly 0.
     */
    @Property(tries = 60)
    void gradientMatchesFiniteDifferences(@ForAll("size") int n, @ForAll("size") int classes, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = NnTestSupport.padded(rnd, 0, n * classes, 4.0);
        int[] targets = targets(rnd, 0, n, classes);
        int count = SoftmaxCrossEntropy.countTargets(targets, 0, n);
        float scale = count == 0 ? 1f : 1f / count;   // the mean reduction
        double[] xd = NnTestSupport.toDouble(x, 0, x.length);
        java.util.function.DoubleSupplier loss = () -> {
            double s = 0;
            for (int r = 0; r < n; r++) {
                int t = targets[r];
                if (t == SoftmaxCrossEntropy.IGNORE_INDEX) {
                    continue;
                }
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < classes; j++) {
                    m = Math.max(m, xd[r * classes + j]);
                }
                double e = 0;
                for (int j = 0; j < classes; j++) {
                    e += Math.exp(xd[r * classes + j] - m);
                }
                s += Math.log(e) + m - xd[r * classes + t];
            }
            return (double) scale * s;
        };
        List<Integer> counted = new ArrayList<>();
        List<Integer> ignored = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < classes; j++) {
                (targets[r] == SoftmaxCrossEntropy.IGNORE_INDEX ? ignored : counted).add(r * classes + j);
            }
        }
        for (Kernels k : NnTestSupport.kernels()) {
            float[] d = new float[n * classes];
            new SoftmaxCrossEntropy(k).forwardBackward(n, classes, x, 0, targets, 0, d, 0, scale);
            double[] analytic = NnTestSupport.toDouble(d, 0, d.length);
            List<GradientCheck.Target> t = new ArrayList<>();
            if (!counted.isEmpty()) {
                t.add(GradientCheck.Target.of("logits", xd, analytic).withShape(n, classes).onlyAt(ints(counted)));
            }
            if (!ignored.isEmpty()) {
                t.add(GradientCheck.Target.of("logits[ignored]", xd, analytic).withShape(n, classes)
                        .onlyAt(ints(ignored)).expectingZero());
            }
            GradientCheck.check(loss, t, GradientCheck.Options.DEFAULTS.withMaxElementsPerTensor(60).withSeed(seed))
                    .assertPassed();
        }
    }

    private static int[] ints(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}
