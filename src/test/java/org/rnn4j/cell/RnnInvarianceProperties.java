package org.rnn4j.cell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.rnn4j.kernel.Kernels;

/**
 * Padding invariance and batch independence, on both kernel sets.
 * These need no oracle: they compare the engine with itself.
 */
class RnnInvarianceProperties {

    /** A random problem: cell, sizes, layers, layout, cell-family options, lengths, states; seeded. */
    @Provide
    Arbitrary<RnnCase> cases() {
        Arbitrary<CellType> cell = Arbitraries.of(CellType.class);
        Arbitrary<Integer> in = Arbitraries.integers().between(1, 12);
        Arbitrary<Integer> hidden = Arbitraries.integers().between(1, 40);
        Arbitrary<Integer> batch = Arbitraries.integers().between(1, 5);
        Arbitrary<Integer> seq = Arbitraries.integers().between(1, 12);
        Arbitrary<Integer> layers = Arbitraries.integers().between(1, 3);
        Arbitrary<Boolean> batchFirst = Arbitraries.of(false, true);
        Arbitrary<Long> seed = Arbitraries.longs();
        return Combinators.combine(cell, in, hidden, batch, seq, layers, batchFirst, seed)
                .as((c, i, h, b, t, l, bf, s) -> {
                    SplittableRandom r = new SplittableRandom(s);
                    int[] lengths = new int[b];
                    for (int j = 0; j < b; j++) {
                        lengths[j] = r.nextInt(t + 1);   // 0..T: empty sequences included
                    }
                    lengths[r.nextInt(b)] = r.nextBoolean() ? t : lengths[0];
                    RnnSpec spec = EngineVsReferenceProperties.withRandomOptions(
                            RnnSpec.builder(c, i, h).numLayers(l).batchFirst(bf), c, h, r).build();
                    return new RnnCase(spec, t, b, lengths, r.nextBoolean(), r.nextLong());
                });
    }

    @Property(tries = 60)
    void garbageInPaddedPositionsChangesNothing(@ForAll("cases") RnnCase c, @ForAll boolean simd) {
        Kernels k = simd ? Kernels.simd() : Kernels.scalar();
        RnnCase.Result clean = c.withPadding(0f).run(k, new RnnWorkspace(), false);
        for (float garbage : new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1e30f, -7f}) {
            RnnCase.Result dirty = c.withPadding(garbage).run(k, new RnnWorkspace(), false);
            for (Map.Entry<String, float[]> e : clean.tensors.entrySet()) {
                assertArrayEquals(e.getValue(), dirty.get(e.getKey()), e.getKey() + " changed with garbage " + garbage);
            }
        }
    }

    @Property(tries = 30)
    void garbageInPaddedPositionsChangesNothingWithDropoutEither(@ForAll("cases") RnnCase c, @ForAll long seed) {
        if (c.spec.numLayers() == 1) {
            return;   // no inter-layer dropout with one layer
        }
        RnnCase d = c.withDropout(0.4);
        RnnCase.Result clean = d.withPadding(0f).run(Kernels.get(), new RnnWorkspace(org.rnn4j.kernel.Parallelism.SERIAL, seed), true);
        RnnCase.Result dirty = d.withPadding(Float.NaN).run(Kernels.get(), new RnnWorkspace(org.rnn4j.kernel.Parallelism.SERIAL, seed), true);
        for (Map.Entry<String, float[]> e : clean.tensors.entrySet()) {
            assertArrayEquals(e.getValue(), dirty.get(e.getKey()), e.getKey() + " changed with NaN padding under dropout");
        }
    }

    @Property(tries = 60)
    void outputsPastEachLengthAreZeroAndGradientsThereToo(@ForAll("cases") RnnCase c, @ForAll boolean simd) {
        RnnCase.Result res = c.withPadding(Float.NaN).run(simd ? Kernels.simd() : Kernels.scalar(), new RnnWorkspace(), false);
        int h = c.spec.outputSize();
        int in = c.spec.inputSize();
        for (int t = 0; t < c.seqLen; t++) {
            for (int b = 0; b < c.batch; b++) {
                if (c.padded(t, b)) {
                    for (int j = 0; j < h; j++) {
                        assertTrue(res.get("output")[c.row(t, b) * h + j] == 0f, "output at padded (t,b)");
                    }
                    for (int j = 0; j < in; j++) {
                        assertTrue(res.get("grad.input")[c.row(t, b) * in + j] == 0f, "grad.input at padded (t,b)");
                    }
                }
            }
        }
    }

    /**
     * A sequence's outputs, final states and input/state gradients do not depend on its neighbours.
     * On the scalar kernels every element is accumulated in an order fixed by its own row, so the
     * match is bitwise; the SIMD GEMM picks its blocking by the row count, which changes the
     * summation order, so there the match is to float rounding (1e-5 of the tensor's norm).
     */
    @Property(tries = 60)
    void eachSequenceIsIndependentOfItsNeighbours(@ForAll("cases") RnnCase c, @ForAll boolean simd) {
        Kernels k = simd ? Kernels.simd() : Kernels.scalar();
        RnnCase.Result all = c.run(k, new RnnWorkspace(), false);
        RnnWorkspace ws = new RnnWorkspace();
        for (int b = 0; b < c.batch; b++) {
            RnnCase one = c.single(b);
            RnnCase.Result alone = one.run(k, ws, false);
            for (String name : new String[] {"output", "h_n", "c_n", "grad.input", "grad.h0", "grad.c0"}) {
                if (all.get(name) == null) {
                    continue;
                }
                float[] inBatch = c.slice(name, all.get(name), b);
                float[] solo = alone.get(name);
                if (simd) {
                    Norms.assertClose(solo, inBatch, 1e-5, name + " of sequence " + b);
                } else {
                    assertArrayEquals(solo, inBatch, name + " of sequence " + b);
                }
            }
        }
    }
}
