package org.rnn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.nn.NnTestSupport.assertIae;

import org.junit.jupiter.api.Test;

/** {@link MeanSquaredError}: PyTorch golden case, NaN propagation, argument errors, allocation. */
class MeanSquaredErrorTest {

    @Test
    void matchesPyTorchMeanAndSum() {
        float[] p = NnTestSupport.toFloat(NnTestSupport.g("mse.pred"));
        float[] t = NnTestSupport.toFloat(NnTestSupport.g("mse.target"));
        int n = p.length;
        float[] d = new float[n];
        double sum = MeanSquaredError.forwardBackward(n, p, 0, t, 0, d, 0, 1f / n);
        assertEquals(NnTestSupport.g("mse.loss_sum")[0], sum, 1e-12 * sum, "sum");
        assertEquals(NnTestSupport.g("mse.loss_mean")[0], sum / n, 1e-12 * sum, "mean = sum / n");
        NnTestSupport.assertClose(d, 0, NnTestSupport.g("mse.grad_mean"), 1e-6, "mean grad");
    }

    @Test
    void nonFiniteValuesPropagate() {
        float[] d = new float[2];
        assertTrue(Double.isNaN(MeanSquaredError.forwardBackward(2, new float[] {1f, Float.NaN}, 0, new float[2], 0, d, 0, 1f)));
        assertTrue(Float.isNaN(d[1]));
        assertEquals(Double.POSITIVE_INFINITY,
                MeanSquaredError.forwardBackward(1, new float[] {Float.POSITIVE_INFINITY}, 0, new float[1], 0, d, 0, 1f));
    }

    @Test
    void argumentErrorsNameTheArgument() {
        float[] a = new float[4];
        assertIae(() -> MeanSquaredError.forwardBackward(-1, a, 0, a, 0, new float[4], 0, 1f), "n must be >= 0", "-1");
        assertIae(() -> MeanSquaredError.forwardBackward(4, new float[3], 0, a, 0, new float[4], 0, 1f),
                "pred must hold 4 floats", "pred.length = 3");
        assertIae(() -> MeanSquaredError.forwardBackward(4, a, 0, a, 1, new float[4], 0, 1f), "target", "length >= 5");
        assertIae(() -> MeanSquaredError.forwardBackward(4, a, 0, new float[4], 0, new float[4], -1, 1f),
                "dPred offset", "-1");
        assertIae(() -> MeanSquaredError.forwardBackward(1, null, 0, a, 0, a, 0, 1f), "pred must not be null");
        float[] big = new float[8];
        assertIae(() -> MeanSquaredError.forwardBackward(4, big, 0, new float[4], 0, big, 2, 1f),
                "dPred must be exactly pred (same offset) or not overlap it");
        assertEquals(0.0, MeanSquaredError.forwardBackward(0, new float[0], 0, new float[0], 0, new float[0], 0, 1f));
    }

    @Test
    void callsAllocateNothing() {
        float[] p = new float[33];
        float[] t = new float[33];
        float[] d = new float[33];
        java.util.Arrays.fill(p, 0.5f);
        NnTestSupport.assertSteadyStateAllocatesNothing(
                () -> MeanSquaredError.forwardBackward(33, p, 0, t, 0, d, 0, 0.1f), "forwardBackward");
    }
}
