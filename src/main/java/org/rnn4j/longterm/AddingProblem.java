package org.rnn4j.longterm;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.rnn4j.nn.MeanSquaredError;

/**
 * The adding problem (Hochreiter and Schmidhuber 1997), in the form of Le, Jaitly and Hinton (2015):
 * a regression whose answer depends on two inputs far apart.
 *
 * <h2>The data</h2>
 * Every sequence has N = T steps of I = 2 features:
 * <ul>
 *   <li>channel 0: a value drawn uniformly from [0, 1) at every step;</li>
 *   <li>channel 1: a marker, 0 everywhere except two steps where it is 1: one drawn uniformly from
 *       the first half, steps [0, ⌊T/2⌋), one from the second half, steps [⌊T/2⌋, T).</li>
 * </ul>
 * The target is the sum of the two marked values (added in float), read by a linear head
 * ({@link #headSize()} = 1) from the network's output at the last step ({@link #lossSteps()} = 1),
 * with the squared error as loss. The first marked value is therefore between ⌈T/2⌉ and T−1 steps
 * before the prediction.
 *
 * <h2>The baseline</h2>
 * Predicting the constant 1, the mean of the target, without looking at the markers, gives an expected
 * squared error Var(u₁ + u₂) = 2 · 1/12 = 1/6 ≈ 0.1667 ({@link #EXPECTED_BASELINE_MSE}), the best any
 * constant does. {@link #baseline(Task.Batch[])} measures it on the given set.
 */
public final class AddingProblem extends Task {
    /** The expected squared error of always predicting 1: Var(u₁ + u₂) = 1/6. */
    public static final double EXPECTED_BASELINE_MSE = 1.0 / 6.0;

    private final int lag;

    /**
     * @param lag T, the sequence length, {@code >= 2} (each half needs a step)
     * @throws IllegalArgumentException for a lag below 2
     */
    public AddingProblem(int lag) {
        if (lag < 2) {
            throw new IllegalArgumentException("the adding problem needs a lag >= 2, got " + lag);
        }
        this.lag = lag;
    }

    @Override
    public String id() {
        return "adding";
    }

    @Override
    public String describe() {
        return "adding problem, T = " + lag;
    }

    @Override
    public int lag() {
        return lag;
    }

    /** @return N = T */
    @Override
    public int seqLen() {
        return lag;
    }

    /** @return 2: the value and the marker */
    @Override
    public int inputSize() {
        return 2;
    }

    /** @return 1: the predicted sum */
    @Override
    public int headSize() {
        return 1;
    }

    /** @return 1: only the last step is read */
    @Override
    public int lossSteps() {
        return 1;
    }

    /** @return false: a regression */
    @Override
    public boolean classification() {
        return false;
    }

    /*
     * Per sequence, in this order: T values, then the first marker in [0, T/2), then the second in
     * [T/2, T).
     */
    @Override
    void generate(SplittableRandom rnd, int batch, Batch dst) {
        float[] x = dst.x;
        int half = lag / 2;
        Arrays.fill(x, 0, lag * batch * 2, 0f);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < lag; t++) {
                x[(t * batch + b) * 2] = (float) rnd.nextDouble();
            }
            int first = rnd.nextInt(half);
            int second = half + rnd.nextInt(lag - half);
            x[(first * batch + b) * 2 + 1] = 1f;
            x[(second * batch + b) * 2 + 1] = 1f;
            dst.values[b] = x[(first * batch + b) * 2] + x[(second * batch + b) * 2];
        }
    }

    /** Σ_b (head_b − target_b)², gradient {@code gradScale · 2 · (head − target)}. */
    @Override
    public double loss(Batch batch, float[] head, float[] dHead, float gradScale) {
        return MeanSquaredError.forwardBackward(batch.size(), head, 0, batch.values, 0, dHead, 0, gradScale);
    }

    @Override
    public void score(Batch batch, float[] head, Score.Accumulator acc) {
        for (int b = 0; b < batch.size(); b++) {
            double d = (double) head[b] - batch.values[b];
            acc.lossSum += d * d;
        }
        acc.count += batch.size();
    }

    /**
     * The mean squared error of always predicting 1 on the set (about {@link #EXPECTED_BASELINE_MSE}).
     *
     * @param set batches of this task; read only
     * @return that error, accuracy NaN
     */
    @Override
    public Score baseline(Batch[] set) {
        Score.Accumulator acc = new Score.Accumulator(false);
        for (Batch batch : set) {
            for (int b = 0; b < batch.size(); b++) {
                double d = 1.0 - batch.values[b];
                acc.lossSum += d * d;
            }
            acc.count += batch.size();
        }
        return acc.score();
    }
}
