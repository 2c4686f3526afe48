package org.rnn4j.kernel;

import static org.rnn4j.kernel.VectorLanes.F;
import static org.rnn4j.kernel.VectorLanes.L;

import jdk.incubator.vector.FloatVector;

/**
 * The Vector API loop of {@link FmaPeak}, on the kernels' species ({@link VectorLanes#F}). Loaded
 * reflectively and only with {@code jdk.incubator.vector} present, as {@link VectorKernels} is. The
 * accumulators are loaded and stored around the whole loop, so no vector crosses a call.
 */
final class VectorFmaPeak implements FmaPeak.Loop {
    static final VectorFmaPeak INSTANCE = new VectorFmaPeak();

    private VectorFmaPeak() {}

    @Override
    public int lanes() {
        return L;
    }

    @Override
    public void run(float[] acc, float[] ab, int iterations) {
        FloatVector a = FloatVector.broadcast(F, ab[0]);
        FloatVector b = FloatVector.broadcast(F, ab[1]);
        FloatVector c0 = FloatVector.fromArray(F, acc, 0);
        FloatVector c1 = FloatVector.fromArray(F, acc, L);
        FloatVector c2 = FloatVector.fromArray(F, acc, 2 * L);
        FloatVector c3 = FloatVector.fromArray(F, acc, 3 * L);
        FloatVector c4 = FloatVector.fromArray(F, acc, 4 * L);
        FloatVector c5 = FloatVector.fromArray(F, acc, 5 * L);
        FloatVector c6 = FloatVector.fromArray(F, acc, 6 * L);
        FloatVector c7 = FloatVector.fromArray(F, acc, 7 * L);
        FloatVector c8 = FloatVector.fromArray(F, acc, 8 * L);
        FloatVector c9 = FloatVector.fromArray(F, acc, 9 * L);
        FloatVector c10 = FloatVector.fromArray(F, acc, 10 * L);
        FloatVector c11 = FloatVector.fromArray(F, acc, 11 * L);
        for (int i = 0; i < iterations; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        c0.intoArray(acc, 0);
        c1.intoArray(acc, L);
        c2.intoArray(acc, 2 * L);
        c3.intoArray(acc, 3 * L);
        c4.intoArray(acc, 4 * L);
        c5.intoArray(acc, 5 * L);
        c6.intoArray(acc, 6 * L);
        c7.intoArray(acc, 7 * L);
        c8.intoArray(acc, 8 * L);
        c9.intoArray(acc, 9 * L);
        c10.intoArray(acc, 10 * L);
        c11.intoArray(acc, 11 * L);
    }
}
