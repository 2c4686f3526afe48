package org.rnn4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.nn.Params;

/**
 * clip_grad_norm_ / clip_grad_value_ semantics: bound, direction, no-op, non-finite handling; for
 * RnnWeights and for Params (the same code: bitwise the same results on the same data).
 */
class GradClipTest {

    private static RnnWeights grads(int hidden, double scale, long seed) {
        RnnWeights g = new RnnWeights(RnnSpec.builder(CellType.GRU, 3, hidden).numLayers(2).build()).initUniform(seed);
        for (String n : g.names()) {
            float[] t = g.get(n);
            for (int i = 0; i < t.length; i++) {
                t[i] *= (float) scale;
            }
        }
        return g;
    }

    /** ‖g‖ in double, computed independently of the kernels. */
    private static double norm(RnnWeights g) {
        double s = 0;
        for (String n : g.names()) {
            for (float v : g.get(n)) {
                s += (double) v * v;
            }
        }
        return Math.sqrt(s);
    }

    private static List<float[]> copy(RnnWeights g) {
        List<float[]> c = new ArrayList<>();
        for (String n : g.names()) {
            c.add(g.get(n).clone());
        }
        return c;
    }

    @Property(tries = 200)
    void clippedNormIsAtMostMaxAndDirectionIsKept(@ForAll @IntRange(min = 1, max = 40) int hidden,
                                                  @ForAll @DoubleRange(min = 1e-3, max = 1e3) @Scale(4) double scale,
                                                  @ForAll @DoubleRange(min = 1e-3, max = 10) @Scale(4) double maxNorm,
                                                  @ForAll long seed) {
        RnnWeights g = grads(hidden, scale, seed);
        double before = norm(g);
        List<float[]> old = copy(g);
        double total = GradClip.clipGradNorm(g, maxNorm, true);
        // Kernels.sumSquares adds in float within blocks of ≤ 1024 elements, then in double: with all
        // terms ≥ 0 the relative error of Σg² is ≤ γ_1024 = 1024·2⁻²⁴/(1 − 1024·2⁻²⁴) ≈ 6.1e-5, so the
        // norm's is ≤ 3.1e-5 (proven bound, not a fitted one)
        assertEquals(before, total, 3.1e-5 * before, "returned total norm");
        double after = norm(g);
        if (maxNorm / (before + 1e-6) >= 1) {
            // no-op below the threshold: bitwise unchanged
            for (int i = 0; i < old.size(); i++) {
                assertArrayEquals(old.get(i), g.get(g.names().get(i)));
            }
        } else {
            assertTrue(after <= maxNorm * (1 + 1e-6), "norm after " + after + " > max " + maxNorm);
            // same direction: cosine 1 up to float rounding of the scaled elements
            double dot = 0;
            for (int i = 0; i < old.size(); i++) {
                float[] a = old.get(i);
                float[] b = g.get(g.names().get(i));
                for (int j = 0; j < a.length; j++) {
                    dot += (double) a[j] * b[j];
                }
            }
            assertEquals(1.0, dot / (before * after), 1e-6, "cosine between old and clipped gradient");
        }
    }

    @Test
    void nonFiniteNormThrowsWhenAskedAndChangesNothing() {
        RnnWeights g = grads(5, 1, 1);
        g.get("weight_hh_l1")[7] = Float.POSITIVE_INFINITY;
        List<float[]> old = copy(g);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> GradClip.clipGradNorm(g, 1, true));
        assertTrue(e.getMessage().contains("weight_hh_l1[7]"), e.getMessage());
        for (int i = 0; i < old.size(); i++) {
            assertArrayEquals(old.get(i), g.get(g.names().get(i)));
        }
        // PyTorch without the error flag: infinite norm → factor 0 → finite elements become 0, ∞·0 = NaN
        assertEquals(Double.POSITIVE_INFINITY, GradClip.clipGradNorm(g, 1, false));
        assertEquals(0f, g.get("weight_ih_l0")[0]);
        assertTrue(Float.isNaN(g.get("weight_hh_l1")[7]));
    }

    @Test
    void clipByValueClampsEveryElementAndNothingElse() {
        RnnWeights g = grads(6, 3, 2);
        List<float[]> old = copy(g);
        GradClip.clipGradValue(g, 1.0);
        for (int i = 0; i < old.size(); i++) {
            float[] a = old.get(i);
            float[] b = g.get(g.names().get(i));
            for (int j = 0; j < a.length; j++) {
                assertEquals(Math.max(-1f, Math.min(1f, a[j])), b[j]);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradValue(g, 0));
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(g, -1, false));
    }

    // ================================================================== Params overloads

    /** A model's Params: an RNN's tensors under "rnn." plus a decoder, gradients scaled like {@link #grads}. */
    private static Params params(int hidden, double scale, long seed) {
        RnnWeights w = new RnnWeights(RnnSpec.builder(CellType.GRU, 3, hidden).numLayers(2).build());
        RnnWeights g = grads(hidden, scale, seed);
        Params p = new Params().addAll("rnn", w, g);
        float[] dec = new float[5 * hidden];
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < dec.length; i++) {
            dec[i] = (float) ((2 * r.nextDouble() - 1) * scale);
        }
        p.add("decoder.weight", new float[dec.length], dec, 5, hidden);
        return p;
    }

    private static double norm(Params p) {
        double s = 0;
        for (String n : p.names()) {
            for (float v : p.grad(n)) {
                s += (double) v * v;
            }
        }
        return Math.sqrt(s);
    }

    private static List<float[]> copyGrads(Params p) {
        List<float[]> c = new ArrayList<>();
        for (String n : p.names()) {
            c.add(p.grad(n).clone());
        }
        return c;
    }

    @Property(tries = 200)
    void paramsClippedNormIsAtMostMaxDirectionKeptNoOpBelow(@ForAll @IntRange(min = 1, max = 40) int hidden,
                                                            @ForAll @DoubleRange(min = 1e-3, max = 1e3) @Scale(4) double scale,
                                                            @ForAll @DoubleRange(min = 1e-3, max = 10) @Scale(4) double maxNorm,
                                                            @ForAll long seed) {
        Params p = params(hidden, scale, seed);
        double before = norm(p);
        List<float[]> old = copyGrads(p);
        List<float[]> values = new ArrayList<>();
        for (String n : p.names()) {
            values.add(p.value(n).clone());
        }
        double total = GradClip.clipGradNorm(p, maxNorm, true);
        assertEquals(before, total, 3.1e-5 * before, "returned total norm (bound as for RnnWeights)");
        double after = norm(p);
        if (maxNorm / (before + 1e-6) >= 1) {
            for (int i = 0; i < old.size(); i++) {
                assertArrayEquals(old.get(i), p.grad(p.names().get(i)), "no-op below the threshold");
            }
        } else {
            assertTrue(after <= maxNorm * (1 + 1e-6), "norm after " + after + " > max " + maxNorm);
            double dot = 0;
            for (int i = 0; i < old.size(); i++) {
                float[] a = old.get(i);
                float[] b = p.grad(p.names().get(i));
                for (int j = 0; j < a.length; j++) {
                    dot += (double) a[j] * b[j];
                }
            }
            assertEquals(1.0, dot / (before * after), 1e-6, "cosine between old and clipped gradient");
        }
        for (int i = 0; i < values.size(); i++) {
            assertArrayEquals(values.get(i), p.value(p.names().get(i)), "values untouched");
        }
    }

    /** The Params and RnnWeights overloads are one implementation: the same bits on the same gradients. */
    @Property(tries = 100)
    void paramsAndRnnWeightsOverloadsAgreeBitwise(@ForAll @IntRange(min = 1, max = 30) int hidden,
                                                  @ForAll @DoubleRange(min = 1e-2, max = 1e2) double scale,
                                                  @ForAll @DoubleRange(min = 1e-2, max = 10) double bound,
                                                  @ForAll long seed) {
        RnnWeights g = grads(hidden, scale, seed);
        RnnWeights g2 = grads(hidden, scale, seed);
        Params p = new Params().addAll("rnn", new RnnWeights(g.spec()), g2);
        assertEquals(GradClip.clipGradNorm(g, bound, false), GradClip.clipGradNorm(p, bound, false));
        for (String n : g.names()) {
            assertArrayEquals(g.get(n), p.grad("rnn." + n));
        }
        GradClip.clipGradValue(g, bound / 10);
        GradClip.clipGradValue(p, bound / 10);
        for (String n : g.names()) {
            assertArrayEquals(g.get(n), p.grad("rnn." + n));
        }
    }

    @Test
    void paramsNonFiniteNormNamesTheTensorAndChangesNothing() {
        Params p = params(5, 1, 1);
        p.grad("rnn.weight_hh_l1")[7] = Float.NaN;
        List<float[]> old = copyGrads(p);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> GradClip.clipGradNorm(p, 1, true));
        assertTrue(e.getMessage().contains("rnn.weight_hh_l1[7]"), e.getMessage());
        for (int i = 0; i < old.size(); i++) {
            assertArrayEquals(old.get(i), p.grad(p.names().get(i)));
        }
        assertTrue(Double.isNaN(GradClip.clipGradNorm(p, 1, false)));
        assertTrue(Float.isNaN(p.grad("decoder.weight")[0]), "a NaN norm makes every gradient NaN, as PyTorch");
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> GradClip.clipGradNorm((Params) null, 1, true));
        assertEquals("params must not be null", x.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(p, 0, true));
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradValue(p, -1));
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradValue((Params) null, 1));
    }

    @Test
    void paramsClipByValueClampsEveryGradientElementOnly() {
        Params p = params(6, 3, 2);
        List<float[]> old = copyGrads(p);
        GradClip.clipGradValue(p, 1.0);
        for (int i = 0; i < old.size(); i++) {
            float[] a = old.get(i);
            float[] b = p.grad(p.names().get(i));
            for (int j = 0; j < a.length; j++) {
                assertEquals(Math.max(-1f, Math.min(1f, a[j])), b[j]);
            }
        }
    }
}
