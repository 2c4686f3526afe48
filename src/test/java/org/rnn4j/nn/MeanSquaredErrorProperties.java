package org.rnn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rnn4j.nn.NnTestSupport.EPS;
import static org.rnn4j.nn.NnTestSupport.assertSentinels;
import static org.rnn4j.nn.NnTestSupport.assertWithin;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.rnn4j.check.GradientCheck;

/**
 * {@link MeanSquaredError} against a plain double reference and central differences, n in 1..70,
 * offsets 0..5. The loss is exact but for the double sum (bound 1e-15 relative); each gradient element
 * is one rounding of the exact double product to float (≤ ε relative).
 */
class MeanSquaredErrorProperties {

    @Provide
    Arbitrary<Integer> size() {
        return NnTestSupport.sizes();
    }

    @Property(tries = 300)
    void matchesTheReference(@ForAll("size") int n, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int pOff = rnd.nextInt(6), tOff = rnd.nextInt(6), dOff = rnd.nextInt(6);
        double scale = new double[] {0.01, 1, 100}[rnd.nextInt(3)];
        float[] p = NnTestSupport.padded(rnd, pOff, n, scale);
        float[] t = NnTestSupport.padded(rnd, tOff, n, scale);
        float gradScale = new float[] {1f, 1f / n, -0.3f}[rnd.nextInt(3)];
        double ref = 0;
        for (int i = 0; i < n; i++) {
            double diff = (double) p[pOff + i] - (double) t[tOff + i];
            ref += diff * diff;
        }
        float[] d = NnTestSupport.nans(dOff, n);
        double loss = MeanSquaredError.forwardBackward(n, p, pOff, t, tOff, d, dOff, gradScale);
        assertWithin(loss, ref, 1e-15 * ref, "loss");
        assertSentinels(d, dOff, n, "dPred");
        for (int i = 0; i < n; i++) {
            double g = (double) gradScale * 2 * ((double) p[pOff + i] - t[tOff + i]);
            assertWithin(d[dOff + i], g, EPS * Math.abs(g), "dPred[" + i + "]");
        }
        // in place over pred and over target: the same bits
        float[] inP = p.clone();
        assertEquals(loss, MeanSquaredError.forwardBackward(n, inP, pOff, t, tOff, inP, pOff, gradScale));
        float[] inT = t.clone();
        assertEquals(loss, MeanSquaredError.forwardBackward(n, p, pOff, inT, tOff, inT, tOff, gradScale));
        for (int i = 0; i < n; i++) {
            assertEquals(d[dOff + i], inP[pOff + i], "in place over pred");
            assertEquals(d[dOff + i], inT[tOff + i], "in place over target");
        }
    }

    @Property(tries = 100)
    void gradientMatchesFiniteDifferences(@ForAll("size") int n, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] p = NnTestSupport.padded(rnd, 0, n, 2.0);
        float[] t = NnTestSupport.padded(rnd, 0, n, 2.0);
        float gradScale = 1f / n;   // the mean reduction
        double[] pd = NnTestSupport.toDouble(p, 0, n);
        java.util.function.DoubleSupplier loss = () -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += (pd[i] - t[i]) * (pd[i] - t[i]);
            }
            return (double) gradScale * s;
        };
        float[] d = new float[n];
        MeanSquaredError.forwardBackward(n, p, 0, t, 0, d, 0, gradScale);
        GradientCheck.check(loss, List.of(GradientCheck.Target.of("pred", pd, NnTestSupport.toDouble(d, 0, n))))
                .assertPassed();
    }
}
