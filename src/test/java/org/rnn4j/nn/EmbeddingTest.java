package org.rnn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.nn.NnTestSupport.assertIae;

import org.junit.jupiter.api.Test;
import org.rnn4j.kernel.Kernels;

/** {@link Embedding}: PyTorch golden case, initialization, registration, argument errors, allocation. */
class EmbeddingTest {

    @Test
    void matchesPyTorch() {
        int[] shape = NnTestSupport.gShape("emb.weight");
        int vocab = shape[0];
        int dim = shape[1];
        int[] ids = NnTestSupport.gInts("emb.ids");
        for (Kernels k : NnTestSupport.kernels()) {
            Embedding emb = new Embedding(vocab, dim, k);
            float[] w = NnTestSupport.toFloat(NnTestSupport.g("emb.weight"));
            System.arraycopy(w, 0, emb.weight(), 0, w.length);
            float[] out = new float[ids.length * dim];
            emb.forward(ids, 0, ids.length, out, 0);
            NnTestSupport.assertClose(out, 0, NnTestSupport.g("emb.out"), 0, k.name() + " out");
            emb.backward(ids, 0, ids.length, NnTestSupport.toFloat(NnTestSupport.g("emb.grad_out")), 0);
            NnTestSupport.assertClose(emb.grad(), 0, NnTestSupport.g("emb.grad_weight"), 1e-6, k.name() + " grad");
        }
    }

    @Test
    void initNormalIsSeededStandardNormal() {
        Embedding a = new Embedding(300, 70).initNormal(7);
        Embedding b = new Embedding(300, 70).initNormal(7);
        Embedding c = new Embedding(300, 70).initNormal(8);
        assertArrayEquals(a.weight(), b.weight(), "same seed, same bits");
        assertTrue(!java.util.Arrays.equals(a.weight(), c.weight()), "another seed, other numbers");
        double s = 0, s2 = 0;
        int n = a.weight().length;
        for (float v : a.weight()) {
            s += v;
            s2 += v * (double) v;
        }
        double mean = s / n;
        double var = s2 / n - mean * mean;
        // 21000 draws: the sample mean has sd 0.007, the sample variance sd 0.01
        assertEquals(0, mean, 0.035, "mean");
        assertEquals(1, var, 0.05, "variance");
        for (float v : a.grad()) {
            assertEquals(0f, v);
        }
        assertEquals(0f, new Embedding(3, 4).weight()[5], "constructor: zeros");
    }

    @Test
    void registersWeightUnderPrefix() {
        Embedding e = new Embedding(11, 6);
        Params p = new Params();
        e.register(p, "encoder");
        assertEquals(java.util.List.of("encoder.weight"), p.names());
        assertArrayEquals(new int[] {11, 6}, p.shape("encoder.weight"));
        assertSame(e.weight(), p.value("encoder.weight"));
        assertSame(e.grad(), p.grad("encoder.weight"));
        assertEquals(11, e.numEmbeddings());
        assertEquals(6, e.dim());
        assertIae(() -> e.register(p, "encoder"), "encoder.weight");
        assertIae(() -> e.register(null, "x"), "params");
        assertIae(() -> e.register(p, null), "prefix");
    }

    @Test
    void argumentErrorsNameTheArgument() {
        assertIae(() -> new Embedding(0, 3), "numEmbeddings", ">= 1", "0");
        assertIae(() -> new Embedding(3, -1), "dim", ">= 1", "-1");
        assertIae(() -> new Embedding(3, 3, null), "kernels");
        assertIae(() -> new Embedding(100_000, 100_000), "does not fit");
        Embedding e = new Embedding(10, 4);
        float[] out = new float[3 * 4];
        assertIae(() -> e.forward(new int[] {1, 2, 10}, 0, 3, out, 0), "ids[idsOff + 2]", "ids[2]", "= 10",
                "[0, numEmbeddings = 10)");
        assertIae(() -> e.forward(new int[] {0, 0, 1, -3}, 1, 3, out, 0), "ids[idsOff + 2]", "ids[3]", "-3");
        assertIae(() -> e.backward(new int[] {0, 12}, 0, 2, out, 0), "ids[idsOff + 1]", "12");
        assertIae(() -> e.forward(new int[] {1, 2}, 0, 3, out, 0), "ids", "3 ints", "ids.length = 2");
        assertIae(() -> e.forward(null, 0, 1, out, 0), "ids must not be null");
        assertIae(() -> e.forward(new int[] {1}, 0, -1, out, 0), "n must be >= 0", "-1");
        assertIae(() -> e.forward(new int[] {1, 2, 3}, 0, 3, new float[11], 0), "out", "(n, E) = (3, 4) = 12",
                "out.length = 11");
        assertIae(() -> e.forward(new int[] {1, 2, 3}, 0, 3, out, 1), "out", "length >= 13");
        assertIae(() -> e.forward(new int[] {1}, 0, 1, out, -1), "out offset", "-1");
        assertIae(() -> e.backward(new int[] {1, 2, 3}, 0, 3, new float[5], 0), "dOut", "(n, E)", "dOut.length = 5");
        assertIae(() -> e.forward(new int[] {1}, 0, 1, e.weight(), 8), "out must not overlap weight");
        assertIae(() -> e.backward(new int[] {1}, 0, 1, e.grad(), 0), "dOut must not overlap grad");
        // nothing is written when an id is bad, even if earlier ids were fine
        float[] o = new float[8];
        java.util.Arrays.fill(o, 5f);
        assertIae(() -> e.forward(new int[] {1, 99}, 0, 2, o, 0), "99");
        for (float v : o) {
            assertEquals(5f, v);
        }
        // n = 0 is allowed and does nothing
        e.forward(new int[0], 0, 0, new float[0], 0);
        e.backward(new int[0], 0, 0, new float[0], 0);
    }

    @Test
    void steadyStateCallsAllocateNothing() {
        Embedding e = new Embedding(50, 37, Kernels.scalar()).initNormal(1);
        int[] ids = {3, 49, 0, 3, 17, 17, 8};
        float[] out = new float[ids.length * 37];
        NnTestSupport.assertSteadyStateAllocatesNothing(() -> {
            e.forward(ids, 0, ids.length, out, 0);
            e.backward(ids, 0, ids.length, out, 0);
        }, "forward + backward");
    }
}
