package org.rnn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.nn.NnTestSupport.assertIae;

import org.junit.jupiter.api.Test;
import org.rnn4j.kernel.Kernels;

/** {@link Linear}: PyTorch golden case, initialization, registration, argument errors, allocation. */
class LinearTest {

    @Test
    void matchesPyTorch() {
        int[] shape = NnTestSupport.gShape("lin.weight");
        int out = shape[0];
        int in = shape[1];
        int rows = NnTestSupport.gShape("lin.x")[0];
        for (Kernels k : NnTestSupport.kernels()) {
            Linear lin = new Linear(in, out, k);
            float[] w = NnTestSupport.toFloat(NnTestSupport.g("lin.weight"));
            float[] b = NnTestSupport.toFloat(NnTestSupport.g("lin.bias"));
            System.arraycopy(w, 0, lin.weight(), 0, w.length);
            System.arraycopy(b, 0, lin.bias(), 0, b.length);
            float[] x = NnTestSupport.toFloat(NnTestSupport.g("lin.x"));
            float[] y = new float[rows * out];
            lin.forward(rows, x, 0, y, 0);
            NnTestSupport.assertClose(y, 0, NnTestSupport.g("lin.y"), 1e-6, k.name() + " y");
            float[] dx = new float[rows * in];
            lin.backward(rows, x, 0, NnTestSupport.toFloat(NnTestSupport.g("lin.grad_y")), 0, dx, 0);
            NnTestSupport.assertClose(lin.gradWeight(), 0, NnTestSupport.g("lin.grad_weight"), 1e-6, k.name() + " gradWeight");
            NnTestSupport.assertClose(lin.gradBias(), 0, NnTestSupport.g("lin.grad_bias"), 1e-6, k.name() + " gradBias");
            NnTestSupport.assertClose(dx, 0, NnTestSupport.g("lin.grad_x"), 1e-6, k.name() + " dx");
        }
    }

    @Test
    void initUniformHasPyTorchBound() {
        Linear a = new Linear(64, 300).initUniform(3);
        Linear b = new Linear(64, 300).initUniform(3);
        assertArrayEquals(a.weight(), b.weight(), "same seed, same bits");
        assertArrayEquals(a.bias(), b.bias(), "same seed, same bits");
        double bound = 1 / Math.sqrt(64);   // 0.125
        double max = 0, s2 = 0;
        for (float v : a.weight()) {
            max = Math.max(max, Math.abs(v));
            s2 += v * (double) v;
        }
        for (float v : a.bias()) {
            assertTrue(Math.abs(v) <= bound, "bias within the bound: " + v);
        }
        assertTrue(max <= bound && max > 0.99 * bound, "weights fill U(-1/sqrt(in), 1/sqrt(in)): max |w| = " + max);
        // variance of U(-a, a) is a²/3; 19200 draws: relative sd of the sample variance ≈ 0.008
        assertEquals(bound * bound / 3, s2 / a.weight().length, 0.05 * bound * bound / 3, "variance");
        assertTrue(!java.util.Arrays.equals(a.bias(), new float[300]), "bias initialized too");
        assertArrayEquals(new float[64 * 300], a.gradWeight(), "gradients untouched");
    }

    @Test
    void registersWeightThenBias() {
        Linear lin = new Linear(5, 3);
        Params p = new Params();
        lin.register(p, "decoder");
        assertEquals(java.util.List.of("decoder.weight", "decoder.bias"), p.names());
        assertArrayEquals(new int[] {3, 5}, p.shape("decoder.weight"));
        assertArrayEquals(new int[] {3}, p.shape("decoder.bias"));
        assertSame(lin.weight(), p.value("decoder.weight"));
        assertSame(lin.gradWeight(), p.grad("decoder.weight"));
        assertSame(lin.bias(), p.value("decoder.bias"));
        assertSame(lin.gradBias(), p.grad("decoder.bias"));
        assertEquals(5, lin.inFeatures());
        assertEquals(3, lin.outFeatures());
    }

    @Test
    void argumentErrorsNameTheArgument() {
        assertIae(() -> new Linear(0, 3), "inFeatures", ">= 1", "0");
        assertIae(() -> new Linear(3, 0), "outFeatures", ">= 1", "0");
        assertIae(() -> new Linear(3, 3, null), "kernels");
        assertIae(() -> new Linear(70_000, 70_000), "does not fit");
        Linear lin = new Linear(4, 3);
        assertIae(() -> lin.forward(-1, new float[4], 0, new float[3], 0), "rows must be >= 0", "-1");
        assertIae(() -> lin.forward(2, new float[7], 0, new float[6], 0), "x must hold (rows, I) = (2, 4) = 8",
                "x.length = 7");
        assertIae(() -> lin.forward(2, new float[8], 1, new float[6], 0), "x", "length >= 9", "x.length = 8");
        assertIae(() -> lin.forward(2, new float[8], 0, new float[5], 0), "y must hold (rows, O) = (2, 3) = 6",
                "y.length = 5");
        assertIae(() -> lin.forward(2, null, 0, new float[6], 0), "x must not be null");
        assertIae(() -> lin.forward(1, new float[8], -2, new float[6], 0), "x offset", "-2");
        float[] shared = new float[20];
        assertIae(() -> lin.forward(2, shared, 0, shared, 5), "y must not overlap x");
        assertIae(() -> lin.forward(1, new float[4], 0, lin.weight(), 0), "y must not be one of this layer");
        assertIae(() -> lin.backward(2, new float[8], 0, new float[5], 0, null, 0), "dy must hold (rows, O)",
                "dy.length = 5");
        assertIae(() -> lin.backward(2, new float[8], 0, new float[6], 0, new float[7], 0), "dx must hold (rows, I)",
                "dx.length = 7");
        assertIae(() -> lin.backward(2, new float[8], 0, shared, 0, shared, 3), "dx must not overlap dy");
        assertIae(() -> lin.backward(1, new float[4], 0, lin.gradBias(), 0, null, 0), "dy must not be this layer");
        assertIae(() -> lin.backward(1, new float[4], 0, new float[3], 0, lin.gradWeight(), 0), "dx must not be one");
        // rows = 0 is allowed and does nothing
        lin.forward(0, new float[0], 0, new float[0], 0);
        lin.backward(0, new float[0], 0, new float[0], 0, new float[0], 0);
        assertArrayEquals(new float[12], lin.gradWeight());
    }

    @Test
    void steadyStateCallsAllocateNothing() {
        Linear lin = new Linear(37, 19, Kernels.scalar()).initUniform(1);
        int rows = 11;
        float[] x = new float[rows * 37];
        float[] y = new float[rows * 19];
        float[] dx = new float[rows * 37];
        java.util.Arrays.fill(x, 0.5f);
        NnTestSupport.assertSteadyStateAllocatesNothing(() -> {
            lin.forward(rows, x, 0, y, 0);
            lin.backward(rows, x, 0, y, 0, dx, 0);
            lin.backward(rows, x, 0, y, 0, null, 0);
        }, "forward + backward");
    }
}
