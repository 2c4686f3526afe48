package org.rnn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.nn.NnTestSupport.assertIae;

import org.junit.jupiter.api.Test;
import org.rnn4j.kernel.Kernels;

/**
 * {@link SoftmaxCrossEntropy}: PyTorch golden cases (mean and sum reduction with ignore_index rows,
 * extreme logits), NaN/Inf propagation, argument errors, allocation.
 */
class SoftmaxCrossEntropyTest {
    private static final int IGNORE = SoftmaxCrossEntropy.IGNORE_INDEX;

    @Test
    void ignoreIndexIsPyTorchsDefault() {
        assertEquals(-100, IGNORE);
    }

    /** reduction='mean' is the sum / countTargets with gradScale = 1 / countTargets; 'sum' is gradScale 1. */
    @Test
    void matchesPyTorchMeanAndSum() {
        int[] shape = NnTestSupport.gShape("ce.logits");
        int n = shape[0];
        int classes = shape[1];
        float[] x = NnTestSupport.toFloat(NnTestSupport.g("ce.logits"));
        int[] t = NnTestSupport.gInts("ce.targets");
        int count = SoftmaxCrossEntropy.countTargets(t, 0, n);
        assertEquals(4, count, "the golden case ignores two of six rows");
        for (Kernels k : NnTestSupport.kernels()) {
            SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(k);
            float[] d = new float[n * classes];
            double sum = ce.forwardBackward(n, classes, x, 0, t, 0, d, 0, 1f / count);
            assertEquals(NnTestSupport.g("ce.loss_mean")[0], sum / count, 1e-6, k.name() + " mean loss");
            NnTestSupport.assertClose(d, 0, NnTestSupport.g("ce.grad_mean"), 1e-6, k.name() + " mean grad");
            sum = ce.forwardBackward(n, classes, x, 0, t, 0, d, 0, 1f);
            assertEquals(NnTestSupport.g("ce.loss_sum")[0], sum, 1e-6 * Math.abs(sum), k.name() + " sum loss");
            NnTestSupport.assertClose(d, 0, NnTestSupport.g("ce.grad_sum"), 1e-6, k.name() + " sum grad");
            assertEquals(sum, ce.forward(n, classes, x, 0, t, 0), 0, k.name() + " forward");
        }
    }

    @Test
    void matchesPyTorchOnExtremeLogits() {
        int[] shape = NnTestSupport.gShape("cex.logits");
        int n = shape[0];
        int classes = shape[1];
        float[] x = NnTestSupport.toFloat(NnTestSupport.g("cex.logits"));
        int[] t = NnTestSupport.gInts("cex.targets");
        for (Kernels k : NnTestSupport.kernels()) {
            float[] d = new float[n * classes];
            double sum = new SoftmaxCrossEntropy(k).forwardBackward(n, classes, x, 0, t, 0, d, 0, 1f);
            double ref = NnTestSupport.g("cex.loss_sum")[0];   // ≈ 20004.04
            assertEquals(ref, sum, 1e-6 * ref, k.name() + " loss");
            NnTestSupport.assertClose(d, 0, NnTestSupport.g("cex.grad_sum"), 1e-6, k.name() + " grad");
        }
    }

    @Test
    void nonFiniteLogitsPropagate() {
        for (Kernels k : NnTestSupport.kernels()) {
            SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(k);
            float[] d = new float[6];
            // NaN anywhere in a counted row: NaN loss and NaN gradient row
            float[] x = {1f, Float.NaN, 2f, 0f, 1f, 2f};
            double loss = ce.forwardBackward(2, 3, x, 0, new int[] {0, 2}, 0, d, 0, 1f);
            assertTrue(Double.isNaN(loss), k.name() + " NaN logit: loss " + loss);
            assertTrue(Float.isNaN(d[0]) && Float.isNaN(d[2]), k.name() + " NaN logit: gradient row");
            assertTrue(Double.isNaN(ce.forward(2, 3, x, 0, new int[] {0, 2}, 0)), k.name() + " forward");
            // +Inf in a counted row: NaN (as PyTorch), not clipped to a finite value
            float[] inf = {1f, Float.POSITIVE_INFINITY, 2f};
            assertTrue(Double.isNaN(ce.forwardBackward(1, 3, inf, 0, new int[] {1}, 0, d, 0, 1f)), k.name() + " +Inf");
            // −Inf at the target: +Inf loss; at another class: probability 0, finite loss
            float[] negInf = {Float.NEGATIVE_INFINITY, 0f, 0f};
            assertEquals(Double.POSITIVE_INFINITY, ce.forwardBackward(1, 3, negInf, 0, new int[] {0}, 0, d, 0, 1f),
                    k.name() + " −Inf target");
            assertEquals(-1f, d[0], k.name() + " −Inf target: p − 1 = −1");
            assertEquals(Math.log(2), ce.forwardBackward(1, 3, negInf, 0, new int[] {1}, 0, d, 0, 1f), 1e-6,
                    k.name() + " −Inf elsewhere");
            assertEquals(0f, d[0], k.name() + " −Inf elsewhere: probability 0");
            // NaN in an ignored row: skipped
            assertEquals(Math.log(3), ce.forwardBackward(2, 3, new float[] {Float.NaN, 0, 0, 0, 0, 0}, 0,
                    new int[] {IGNORE, 1}, 0, d, 0, 1f), 1e-6, k.name() + " NaN in an ignored row");
        }
    }

    @Test
    void countTargetsSkipsIgnoreIndexOnly() {
        assertEquals(3, SoftmaxCrossEntropy.countTargets(new int[] {9, 0, IGNORE, 4, IGNORE, 2}, 1, 5));
        assertEquals(0, SoftmaxCrossEntropy.countTargets(new int[] {IGNORE}, 0, 1));
        assertEquals(0, SoftmaxCrossEntropy.countTargets(new int[0], 0, 0));
        assertIae(() -> SoftmaxCrossEntropy.countTargets(new int[2], 1, 2), "targets", "length >= 3");
        assertIae(() -> SoftmaxCrossEntropy.countTargets(null, 0, 0), "targets must not be null");
        assertIae(() -> SoftmaxCrossEntropy.countTargets(new int[2], 0, -1), "n must be >= 0");
    }

    @Test
    void allRowsIgnoredGiveZeroLossAndGradient() {
        float[] x = {3f, 1f, 2f, 7f};
        float[] d = {9f, 9f, 9f, 9f};
        assertEquals(0.0, new SoftmaxCrossEntropy().forwardBackward(2, 2, x, 0, new int[] {IGNORE, IGNORE}, 0, d, 0, 1f));
        for (float v : d) {
            assertEquals(0f, v);
        }
    }

    @Test
    void argumentErrorsNameTheArgument() {
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        float[] x = new float[6];
        float[] d = new float[6];
        assertIae(() -> new SoftmaxCrossEntropy(null), "kernels");
        assertIae(() -> ce.forwardBackward(2, 3, x, 0, new int[] {1, 3}, 0, d, 0, 1f),
                "target of row 1", "targets[1]", "is 3", "[0, classes = 3)", "IGNORE_INDEX = -100");
        assertIae(() -> ce.forwardBackward(2, 3, x, 0, new int[] {7, -1, 0}, 1, d, 0, 1f),
                "target of row 0", "targets[1]", "is -1");
        assertIae(() -> ce.forward(2, 3, x, 0, new int[] {0, -99}, 0), "target of row 1", "is -99");
        assertIae(() -> ce.forwardBackward(-1, 3, x, 0, new int[0], 0, d, 0, 1f), "n must be >= 0", "-1");
        assertIae(() -> ce.forwardBackward(2, 0, x, 0, new int[2], 0, d, 0, 1f), "classes must be >= 1", "0");
        assertIae(() -> ce.forwardBackward(2, 3, new float[5], 0, new int[2], 0, d, 0, 1f),
                "logits must hold (n, C) = (2, 3) = 6", "logits.length = 5");
        assertIae(() -> ce.forwardBackward(2, 3, x, 0, new int[2], 0, new float[6], 1, 1f),
                "dLogits", "length >= 7", "dLogits.length = 6");
        assertIae(() -> ce.forwardBackward(2, 3, x, 0, new int[1], 0, d, 0, 1f), "targets", "2 ints", "targets.length = 1");
        assertIae(() -> ce.forwardBackward(2, 3, x, 0, null, 0, d, 0, 1f), "targets must not be null");
        float[] big = new float[12];
        assertIae(() -> ce.forwardBackward(2, 3, big, 0, new int[2], 0, big, 2, 1f),
                "dLogits must be exactly logits (same offset) or not overlap it");
        // a bad target writes nothing
        float[] untouched = {5f, 5f, 5f, 5f, 5f, 5f};
        assertIae(() -> ce.forwardBackward(2, 3, x, 0, new int[] {0, 4}, 0, untouched, 0, 1f), "is 4");
        for (float v : untouched) {
            assertEquals(5f, v);
        }
        // n = 0: no rows, zero loss
        assertEquals(0.0, ce.forwardBackward(0, 3, new float[0], 0, new int[0], 0, new float[0], 0, 1f));
    }

    @Test
    void steadyStateCallsAllocateNothing() {
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(Kernels.scalar());
        int n = 9, classes = 37;
        float[] x = new float[n * classes];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 7 % 13) - 6f;
        }
        int[] t = {0, IGNORE, 36, 5, 5, IGNORE, IGNORE, 1, 20};
        float[] d = new float[n * classes];
        NnTestSupport.assertSteadyStateAllocatesNothing(() -> {
            ce.forwardBackward(n, classes, x, 0, t, 0, d, 0, 0.25f);
            ce.forward(n, classes, x, 0, t, 0);
            SoftmaxCrossEntropy.countTargets(t, 0, n);
        }, "forward + backward");
    }
}
