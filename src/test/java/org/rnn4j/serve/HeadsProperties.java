package org.rnn4j.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Output heads against independent oracles: softmax and log-softmax against double formulas, argmax
 * and top-k against a full sort with PyTorch's order (NaN largest, ties to the lower index), on
 * logits drawn from a small set so that ties are common.
 */
class HeadsProperties {

    private static float[] logits(SplittableRandom r, int n, boolean nan) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(4) == 0 ? (float) r.nextInt(3) : (float) (r.nextDouble() * 8 - 4);
            if (nan && r.nextInt(10) == 0) {
                v[i] = Float.NaN;
            }
        }
        return v;
    }

    /** Indices sorted by PyTorch's topk order, by a comparator over the whole array. */
    private static int[] sortedIndices(float[] v) {
        Comparator<Integer> order = (a, b) -> {
            boolean na = Float.isNaN(v[a]), nb = Float.isNaN(v[b]);
            if (na != nb) {
                return na ? -1 : 1;
            }
            if (!na && v[a] != v[b]) {
                return v[a] > v[b] ? -1 : 1;
            }
            return Integer.compare(a, b);
        };
        return IntStream.range(0, v.length).boxed().sorted(order).mapToInt(Integer::intValue).toArray();
    }

    @Property(tries = 500)
    void topKAndArgmaxFollowTheFullSort(@ForAll @IntRange(min = 1, max = 80) int n, @ForAll long seed,
                                        @ForAll @IntRange(max = 4) int off) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = logits(r, n, r.nextBoolean());
        float[] padded = new float[off + n];
        System.arraycopy(v, 0, padded, off, n);
        int[] want = sortedIndices(v);
        int k = 1 + r.nextInt(n);
        int[] idx = new int[k + 2];
        float[] val = new float[k + 1];
        Heads.topK(padded, off, n, k, idx, 2, val, 1);
        assertArrayEquals(Arrays.copyOf(want, k), Arrays.copyOfRange(idx, 2, k + 2), "top-" + k + " of " + Arrays.toString(v));
        for (int i = 0; i < k; i++) {
            assertEquals(Float.floatToRawIntBits(v[want[i]]), Float.floatToRawIntBits(val[1 + i]));
        }
        assertEquals(want[0], Heads.argmax(padded, off, n), "argmax of " + Arrays.toString(v));
    }

    @Property(tries = 300)
    void softmaxMatchesTheDoubleFormula(@ForAll @IntRange(min = 1, max = 300) int n, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = logits(r, n, false);
        float temperature = r.nextBoolean() ? 1f : (float) (0.1 + r.nextDouble() * 3);
        float[] p = new float[n], lp = new float[n];
        Heads.softmax(v, 0, n, temperature, p, 0);
        Heads.logSoftmax(v, 0, n, lp, 0);
        double max = Double.NEGATIVE_INFINITY, maxRaw = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            max = Math.max(max, (double) (x * (1f / temperature)));
            maxRaw = Math.max(maxRaw, x);
        }
        double z = 0, zRaw = 0;
        for (float x : v) {
            z += Math.exp((double) (x * (1f / temperature)) - max);
            zRaw += Math.exp(x - maxRaw);
        }
        for (int i = 0; i < n; i++) {
            double want = Math.exp((double) (v[i] * (1f / temperature)) - max) / z;
            // the rounding of a = x/T − max (ε·|a| absolute, so ε·|a| relative after exp), float exp (a
            // few ulp) and a sum of n terms: (n + 8 + |a|)·2⁻²⁴ relative
            double a = Math.abs((double) (v[i] * (1f / temperature)) - max);
            assertTrue(Math.abs(p[i] - want) <= (n + 8 + a) * 0x1p-24 * want + 1e-30,
                    "p[" + i + "] = " + p[i] + " vs " + want + " (T = " + temperature + ")");
            double wantLog = v[i] - maxRaw - Math.log(zRaw);
            assertTrue(Math.abs(lp[i] - wantLog) <= (n + 8) * 0x1p-24 * (Math.abs(wantLog) + Math.abs(maxRaw) + 1),
                    "logp[" + i + "] = " + lp[i] + " vs " + wantLog);
        }
    }

    @Test
    void argumentsAreChecked() {
        float[] v = {1, 2, 3};
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Heads.topK(v, 0, 3, 4, new int[4], 0, null, 0))
                .getMessage().contains("k must be in [1, n = 3], got 4"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Heads.topK(v, 0, 3, 2, new int[2], 1, null, 0))
                .getMessage().contains("index.length = 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Heads.softmax(v, 0, 3, 0f, new float[3], 0))
                .getMessage().contains("temperature must be > 0 and finite, got 0.0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Heads.softmax(v, 1, 3, 1f, new float[3], 0))
                .getMessage().contains("logits"));
    }
}
