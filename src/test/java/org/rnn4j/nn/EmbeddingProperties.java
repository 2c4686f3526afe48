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
import org.rnn4j.kernel.Kernels;

/**
 * {@link Embedding} against a plain double reference and central differences, V, E and n in 1..70,
 * offsets 0..5, on both kernel implementations. Output buffers are NaN-filled around the range the
 * call may write, and that padding must survive.
 */
class EmbeddingProperties {

    @Provide
    Arbitrary<Integer> size() {
        return NnTestSupport.sizes();
    }

    /** Forward is a copy: bitwise equal to the weight rows. Backward: gradient rows vs a double scatter-add. */
    @Property(tries = 200)
    void forwardAndBackwardMatchTheReference(@ForAll("size") int vocab, @ForAll("size") int dim,
                                             @ForAll("size") int n, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int idsOff = rnd.nextInt(6);
        int outOff = rnd.nextInt(6);
        int[] ids = new int[idsOff + n + 3];
        java.util.Arrays.fill(ids, -1);   // outside the range: never read
        for (int i = 0; i < n; i++) {
            // small vocabularies repeat ids, which backward must accumulate
            ids[idsOff + i] = rnd.nextInt(vocab);
        }
        float[] w = NnTestSupport.padded(rnd, 0, vocab * dim, 1.0);
        float[] g0 = NnTestSupport.padded(rnd, 0, vocab * dim, 1.0);
        float[] dOut = NnTestSupport.padded(rnd, outOff, n * dim, 1.0);

        // reference, in double, written without the layer: out[i] = W[ids[i]], G = G0 + Σ_{i: ids[i]=v} dOut[i]
        double[] refGrad = new double[vocab * dim];
        double[] absSum = new double[vocab * dim];
        int[] count = new int[vocab];
        for (int j = 0; j < vocab * dim; j++) {
            refGrad[j] = g0[j];
            absSum[j] = Math.abs(g0[j]);
        }
        for (int i = 0; i < n; i++) {
            int v = ids[idsOff + i];
            count[v]++;
            for (int e = 0; e < dim; e++) {
                double d = dOut[outOff + i * dim + e];
                refGrad[v * dim + e] += d;
                absSum[v * dim + e] += Math.abs(d);
            }
        }

        for (Kernels k : NnTestSupport.kernels()) {
            Embedding emb = new Embedding(vocab, dim, k);
            System.arraycopy(w, 0, emb.weight(), 0, w.length);
            System.arraycopy(g0, 0, emb.grad(), 0, g0.length);
            float[] out = NnTestSupport.nans(outOff, n * dim);
            emb.forward(ids, idsOff, n, out, outOff);
            for (int i = 0; i < n; i++) {
                for (int e = 0; e < dim; e++) {
                    assertEquals(Float.floatToRawIntBits(w[ids[idsOff + i] * dim + e]),
                            Float.floatToRawIntBits(out[outOff + i * dim + e]), k.name() + " out[" + i + ", " + e + "]");
                }
            }
            assertSentinels(out, outOff, n * dim, k.name() + " out");

            emb.backward(ids, idsOff, n, dOut, outOff);
            for (int v = 0; v < vocab; v++) {
                for (int e = 0; e < dim; e++) {
                    int j = v * dim + e;
                    // count[v] + 1 terms summed in float
                    double bound = 2 * (count[v] + 1) * EPS * absSum[j];
                    assertWithin(emb.grad()[j], refGrad[j], bound, k.name() + " grad[" + v + ", " + e + "]");
                }
            }
            assertEquals(java.util.Arrays.hashCode(w), java.util.Arrays.hashCode(emb.weight()), "weight unchanged");
        }
    }

    /** The gradient of L = Σ out⊙R (double) with respect to the weight, by central differences. */
    @Property(tries = 60)
    void gradientMatchesFiniteDifferences(@ForAll("size") int vocab, @ForAll("size") int dim,
                                          @ForAll("size") int n, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rnd.nextInt(vocab);
        }
        float[] w = NnTestSupport.padded(rnd, 0, vocab * dim, 1.0);
        float[] r = NnTestSupport.padded(rnd, 0, n * dim, 1.0);
        double[] wd = NnTestSupport.toDouble(w, 0, w.length);
        double[] rd = NnTestSupport.toDouble(r, 0, r.length);
        // L(W) = Σ_i Σ_e R[i, e] · W[ids[i], e], in double
        java.util.function.DoubleSupplier loss = () -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                for (int e = 0; e < dim; e++) {
                    s += rd[i * dim + e] * wd[ids[i] * dim + e];
                }
            }
            return s;
        };
        for (Kernels k : NnTestSupport.kernels()) {
            Embedding emb = new Embedding(vocab, dim, k);
            System.arraycopy(w, 0, emb.weight(), 0, w.length);
            emb.backward(ids, 0, n, r, 0);
            GradientCheck.check(loss, List.of(GradientCheck.Target.of("weight", wd,
                                    NnTestSupport.toDouble(emb.grad(), 0, vocab * dim)).withShape(vocab, dim)),
                            GradientCheck.Options.DEFAULTS.withMaxElementsPerTensor(60).withSeed(seed))
                    .assertPassed();
        }
    }
}
