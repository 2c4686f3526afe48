package org.rnn4j.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.MergeMode;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;

/**
 * {@link ReferenceRnn}'s hand-derived BPTT against central differences, through
 * {@link GradientCheck#checkReferenceRnn}, with PyTorch gradcheck's default tolerances, over random
 * shapes, lengths (including 0 and the all-equal case), dropout masks, initial states and every
 * option of {@link RnnSpec}: direction (forward, reverse-only, bidirectional with concat or sum),
 * LSTM projection and peepholes, GRU reset-before.
 *
 * <p>The whole class runs in about 15 s. jqwik draws the shapes and options; every array (and the
 * projection size) comes from a {@link SplittableRandom} seeded with the drawn {@code seed}, so a
 * failure is reproduced by jqwik's reported sample.
 */
class ReferenceRnnProperties {

    /** How the lengths are drawn. */
    enum Lengths { ALL_T, ONE_TO_T, ZERO_TO_T }

    /**
     * The spec of one draw: options that do not apply to the cell are dropped (projection and
     * peepholes need an LSTM, reset-before a GRU, sum a bidirectional network), and the projection
     * size is drawn in [1, H) when H allows one.
     */
    static RnnSpec spec(CellType cell, int inputSize, int hiddenSize, int numLayers, Direction direction,
                        MergeMode merge, boolean project, boolean peephole, boolean resetBefore,
                        SplittableRandom rnd) {
        boolean lstm = cell == CellType.LSTM;
        return RnnSpec.builder(cell, inputSize, hiddenSize).numLayers(numLayers).direction(direction)
                .merge(direction == Direction.BIDIRECTIONAL ? merge : MergeMode.CONCAT)
                .projSize(lstm && project && hiddenSize >= 2 ? 1 + rnd.nextInt(hiddenSize - 1) : 0)
                .peephole(lstm && peephole)
                .resetBefore(cell == CellType.GRU && resetBefore)
                .build();
    }

    /**
     * The cells, weighted towards the ones with variants: the LSTM (projection × peepholes) and the
     * GRU (reset after / before) have the most code paths per draw.
     */
    @Provide
    Arbitrary<CellType> cells() {
        return Arbitraries.frequency(Tuple.of(1, CellType.RNN_TANH), Tuple.of(1, CellType.RNN_RELU),
                Tuple.of(3, CellType.LSTM), Tuple.of(2, CellType.GRU));
    }

    @Property(tries = 100)
    void gradientsMatchFiniteDifferences(@ForAll("cells") CellType cell,
                                         @ForAll @IntRange(min = 1, max = 12) int inputSize,
                                         @ForAll @IntRange(min = 1, max = 12) int hiddenSize,
                                         @ForAll @IntRange(min = 1, max = 4) int batch,
                                         @ForAll @IntRange(min = 1, max = 15) int seqLen,
                                         @ForAll @IntRange(min = 1, max = 3) int numLayers,
                                         @ForAll Lengths lengthMode,
                                         @ForAll boolean dropout,
                                         @ForAll boolean initialStates,
                                         @ForAll Direction direction,
                                         @ForAll MergeMode merge,
                                         @ForAll boolean project,
                                         @ForAll boolean peephole,
                                         @ForAll boolean resetBefore,
                                         @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        RnnSpec spec = spec(cell, inputSize, hiddenSize, numLayers, direction, merge, project, peephole,
                resetBefore, rnd);
        ReferenceRnn rnn = ReferenceRnn.of(spec);
        int I = inputSize;
        int H = hiddenSize;
        int B = batch;
        int T = seqLen;
        int L = numLayers;
        int U = L * rnn.numDirections();
        int P = rnn.stateSize();
        int O = rnn.outputSize();
        // Besides PyTorch's default, larger weights push the smooth cells into saturation. A relu
        // RNN stays at the default: larger weights make it explode over 15 steps, and the loss's
        // rounding error then swamps the finite differences.
        double[] bounds = {1 / Math.sqrt(H), 0.5, 1.5};
        double bound = cell == CellType.RNN_RELU ? bounds[0] : bounds[rnd.nextInt(bounds.length)];
        rnn.initUniform(rnd.nextLong(), bound);

        double[] input = ReferenceRnnTest.random(rnd, T * B * I);
        int[] lengths = null;
        if (lengthMode != Lengths.ALL_T) {
            int min = lengthMode == Lengths.ONE_TO_T ? 1 : 0;
            lengths = new int[B];
            for (int b = 0; b < B; b++) {
                lengths[b] = min + rnd.nextInt(T - min + 1);
            }
        }
        double[] h0 = initialStates ? ReferenceRnnTest.random(rnd, U * B * P) : null;
        double[] c0 = initialStates && cell.hasCellState() ? ReferenceRnnTest.random(rnd, U * B * H) : null;
        double[][] masks = null;
        if (dropout && L > 1) {
            double p = rnd.nextBoolean() ? 0.2 : 0.5;
            masks = new double[L - 1][];
            for (int l = 0; l < L - 1; l++) {
                masks[l] = new double[T * B * O];
                for (int k = 0; k < masks[l].length; k++) {
                    masks[l][k] = rnd.nextDouble() < p ? 0 : 1 / (1 - p);
                }
            }
        }

        if (cell == CellType.RNN_RELU) {
            // Finite differences across relu's kink are wrong by up to half the jump in slope: skip
            // draws where a unit is within 1e-4 of 0 (perturbations move it by ~1e-6 at most).
            Assume.that(minAbsActivePreActivation(rnn.forward(input, T, B, lengths, h0, c0, masks), L,
                    rnn.numDirections()) > 1e-4);
        }

        // Tensors of up to 150 elements are checked whole; bigger ones are sampled (the cost is
        // quadratic in the size: one forward pass per element), always including the element of
        // largest |gradient|. The largest draws (3 bidirectional LSTM layers reading 2H = 24
        // features) would otherwise take seconds each.
        GradientCheck.checkReferenceRnn(rnn, input, T, B, lengths, h0, c0, masks, rnd.nextLong(),
                GradientCheck.Options.DEFAULTS.withMaxElementsPerTensor(150).withSeed(seed)).assertPassed();
    }

    /** The reference lists exactly the parameters of {@link RnnWeights}: names, order and shapes. */
    @Property(tries = 300)
    void parametersAreThoseOfRnnWeights(@ForAll CellType cell,
                                        @ForAll @IntRange(min = 1, max = 6) int inputSize,
                                        @ForAll @IntRange(min = 1, max = 6) int hiddenSize,
                                        @ForAll @IntRange(min = 1, max = 3) int numLayers,
                                        @ForAll Direction direction,
                                        @ForAll MergeMode merge,
                                        @ForAll boolean project,
                                        @ForAll boolean peephole,
                                        @ForAll boolean resetBefore,
                                        @ForAll long seed) {
        RnnSpec spec = spec(cell, inputSize, hiddenSize, numLayers, direction, merge, project, peephole,
                resetBefore, new SplittableRandom(seed));
        ReferenceRnn rnn = ReferenceRnn.of(spec);
        RnnWeights weights = new RnnWeights(spec);
        assertEquals(weights.names(), rnn.parameterNames());
        for (String name : weights.names()) {
            assertArrayEquals(weights.shape(name), rnn.shape(name), name);
        }
        assertEquals(weights.size(), rnn.parameterCount());
        assertEquals(spec.stateSize(), rnn.stateSize());
        assertEquals(spec.numDirections(), rnn.numDirections());
        assertEquals(spec.outputSize(), rnn.outputSize());
        assertEquals(spec, rnn.spec());
    }

    static double minAbsActivePreActivation(ReferenceRnn.Forward fwd, int numLayers, int numDirections) {
        int[] len = fwd.lengths();
        int B = fwd.batch();
        double min = Double.POSITIVE_INFINITY;
        for (int l = 0; l < numLayers; l++) {
            for (int d = 0; d < numDirections; d++) {
                double[] pre = fwd.preActivations(l, d);
                int width = pre.length / (fwd.seqLen() * B);
                for (int b = 0; b < B; b++) {
                    for (int t = 0; t < len[b]; t++) {
                        for (int j = 0; j < width; j++) {
                            min = Math.min(min, Math.abs(pre[(t * B + b) * width + j]));
                        }
                    }
                }
            }
        }
        return min;
    }
}
