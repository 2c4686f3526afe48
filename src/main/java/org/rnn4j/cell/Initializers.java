package org.rnn4j.cell;

import java.util.SplittableRandom;

/**
 * Seeded, deterministic weight initializers for {@link RnnWeights} — the initialization half of the
 * fight against vanishing and exploding gradients (docs/sequence-modeling.md). Each method draws from
 * a {@link SplittableRandom} seeded with {@code seed}, so the same seed gives the same bits (not the
 * same numbers as PyTorch's generator).
 *
 * <p>Recurrent matrices {@code weight_hh_l{l}} (G·H, P) are initialized per gate block: each of the
 * G (H, P) blocks gets its own orthogonal (P &lt; H: orthonormal columns) or identity matrix, as is
 * usual for gated cells (Keras' {@code orthogonal} on the whole (H, G·H) matrix would make the blocks
 * only jointly orthogonal). Input matrices use fan-in/fan-out of the whole (G·H, in) matrix, as
 * PyTorch's {@code xavier_uniform_} on {@code weight_ih} does. Every method covers every layer and
 * direction.
 */
public final class Initializers {
    private Initializers() {}

    /**
     * Xavier/Glorot uniform on every weight matrix, U(−a, a) with a = gain·√(6 / (fan_in + fan_out)),
     * fan_in = columns, fan_out = rows (projection matrices included); biases and peephole weights set to 0.
     *
     * @param w the parameters to overwrite; must not be null
     * @param gain the gain (1 for tanh/sigmoid layers in Glorot's analysis), {@code > 0}
     * @param seed the seed
     */
    public static void xavierUniform(RnnWeights w, double gain, long seed) {
        // U(−a, a) with a = gain·√(6 / (fan_in + fan_out))
        xavier(w, gain, 6.0, seed, (rnd, a) -> (2 * rnd.nextDouble() - 1) * a);
    }

    /**
     * Xavier/Glorot normal on every weight matrix, N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out));
     * biases and peephole weights set to 0.
     *
     * @param w the parameters to overwrite; must not be null
     * @param gain the gain, {@code > 0}
     * @param seed the seed
     */
    public static void xavierNormal(RnnWeights w, double gain, long seed) {
        // N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out))
        xavier(w, gain, 2.0, seed, (rnd, sigma) -> gaussian(rnd) * sigma);
    }

    /** A draw of scale {@code scale} from {@code rnd}. */
    private interface Draw {
        double next(SplittableRandom rnd, double scale);
    }

    /** Every weight matrix from {@code draw} at scale gain·√(numerator / (fan_in + fan_out)); biases 0. */
    private static void xavier(RnnWeights w, double gain, double numerator, long seed, Draw draw) {
        checkGain(gain);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (String name : w.names()) {
            int[] shape = w.shape(name);
            if (shape.length != 2) {
                continue;   // biases and peepholes: zeroBiases below
            }
            float[] m = w.get(name);
            double scale = gain * Math.sqrt(numerator / (shape[0] + shape[1]));
            for (int i = 0; i < m.length; i++) {
                m[i] = (float) draw.next(rnd, scale);
            }
        }
        zeroBiases(w);
    }

    /**
     * Every G (H, P) block of every {@code weight_hh} set to gain · Q with Q a random orthogonal
     * matrix (QR of a standard normal matrix, signs fixed by R's diagonal so that Q is uniformly
     * distributed, as PyTorch's {@code orthogonal_}; for P &lt; H, Q has orthonormal columns), and
     * every projection {@code weight_hr} (P, H) to gain · a matrix with orthonormal rows, since it is
     * on the recurrent path too. Input weights, biases and peepholes are left as they are.
     *
     * @param w the parameters whose recurrent matrices are overwritten; must not be null
     * @param gain the scale, {@code > 0}
     * @param seed the seed
     */
    public static void orthogonalRecurrent(RnnWeights w, double gain, long seed) {
        checkGain(gain);
        SplittableRandom rnd = new SplittableRandom(seed);
        RnnSpec s = w.spec();
        int h = s.hiddenSize();
        int p = s.stateSize();
        for (int l = 0; l < s.numLayers(); l++) {
            for (int d = 0; d < s.numDirections(); d++) {
                float[] m = w.weightHh(l, d);
                for (int g = 0; g < s.cell().gates(); g++) {
                    double[] q = randomOrthogonal(h, p, rnd);   // (H, P)
                    for (int i = 0; i < h * p; i++) {
                        m[g * h * p + i] = (float) (gain * q[i]);
                    }
                }
                if (s.projSize() > 0) {
                    float[] hr = w.weightHr(l, d);   // (P, H) = Qᵀ, Q (H, P)
                    double[] q = randomOrthogonal(h, p, rnd);
                    for (int r = 0; r < p; r++) {
                        for (int c = 0; c < h; c++) {
                            hr[r * h + c] = (float) (gain * q[c * p + r]);
                        }
                    }
                }
            }
        }
    }

    /**
     * Every G (H, P) block of every {@code weight_hh} set to scale · I (ones on the leading diagonal) — with {@link CellType#RNN_RELU}
     * and zero biases this is the IRNN of Le, Jaitly and Hinton (2015). Input weights are left as
     * they are; pass {@code zeroBiases = true} to clear both biases of every layer.
     *
     * @param w the parameters whose recurrent matrices are overwritten; must not be null
     * @param scale the diagonal value (1 for IRNN, smaller for a scaled identity)
     * @param zeroBiases also set every bias to 0
     */
    public static void identityRecurrent(RnnWeights w, double scale, boolean zeroBiases) {
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be finite, got " + scale);
        }
        RnnSpec s = w.spec();
        int h = s.hiddenSize();
        int p = s.stateSize();
        for (int l = 0; l < s.numLayers(); l++) {
            for (int d = 0; d < s.numDirections(); d++) {
                float[] m = w.weightHh(l, d);   // (G·H, P)
                java.util.Arrays.fill(m, 0f);
                for (int g = 0; g < s.cell().gates(); g++) {
                    for (int j = 0; j < p; j++) {
                        m[(g * h + j) * p + j] = (float) scale;
                    }
                }
            }
        }
        if (zeroBiases) {
            zeroBiases(w);
        }
    }

    /**
     * LSTM forget-gate bias: block f (elements [H, 2H), gate order i, f, g, o) of every layer's
     * {@code bias_ih} set to {@code value} and of {@code bias_hh} to 0, so their sum, which the cell
     * uses, is {@code value}. With value 1 (Gers et al. 2000; Jozefowicz et al. 2015), f ≈ σ(1) ≈ 0.73
     * at the start: the cell state is kept rather than halved at each step.
     *
     * @param w LSTM parameters; must not be null
     * @param value the forget-gate bias
     * @throws IllegalArgumentException if the cell is not an LSTM
     */
    public static void forgetGateBias(RnnWeights w, double value) {
        RnnSpec s = w.spec();
        if (s.cell() != CellType.LSTM) {
            throw new IllegalArgumentException("forgetGateBias needs an lstm, got " + s.cell().id());
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value must be finite, got " + value);
        }
        int h = s.hiddenSize();
        for (int l = 0; l < s.numLayers(); l++) {
            for (int d = 0; d < s.numDirections(); d++) {
                java.util.Arrays.fill(w.biasIh(l, d), h, 2 * h, (float) value);
                java.util.Arrays.fill(w.biasHh(l, d), h, 2 * h, 0f);
            }
        }
    }

    /** Biases and peephole weights (every 1-D tensor) to 0. */
    private static void zeroBiases(RnnWeights w) {
        for (String name : w.names()) {
            if (w.shape(name).length == 1) {
                java.util.Arrays.fill(w.get(name), 0f);
            }
        }
    }

    private static void checkGain(double gain) {
        if (!(gain > 0) || Double.isInfinite(gain)) {
            throw new IllegalArgumentException("gain must be finite and > 0, got " + gain);
        }
    }

    /** Standard normal by Box-Muller, in double; one draw per call (the second is discarded for simplicity). */
    private static double gaussian(SplittableRandom rnd) {
        double u1 = 1.0 - rnd.nextDouble();   // (0, 1]: log is finite
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** A uniformly distributed n×n orthogonal matrix, row-major (see {@link #randomOrthogonal(int, int, SplittableRandom)}). */
    static double[] randomOrthogonal(int n, SplittableRandom rnd) {
        return randomOrthogonal(n, n, rnd);
    }

    /**
     * A uniformly distributed n×k matrix with orthonormal columns (k ≤ n), row-major: modified
     * Gram-Schmidt QR of a standard normal matrix in double (re-orthogonalised once, which keeps
     * QᵀQ = I to ~1e-15 for the sizes of RNN layers), with each column's sign chosen so that R has a
     * positive diagonal.
     */
    static double[] randomOrthogonal(int n, int k, SplittableRandom rnd) {
        double[][] col = new double[k][n];   // col[j] = column j
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                col[j][i] = gaussian(rnd);
            }
        }
        for (int j = 0; j < k; j++) {
            for (int pass = 0; pass < 2; pass++) {
                for (int prev = 0; prev < j; prev++) {
                    double d = 0;
                    for (int i = 0; i < n; i++) {
                        d += col[prev][i] * col[j][i];
                    }
                    for (int i = 0; i < n; i++) {
                        col[j][i] -= d * col[prev][i];
                    }
                }
            }
            double norm = 0;
            for (int i = 0; i < n; i++) {
                norm += col[j][i] * col[j][i];
            }
            norm = Math.sqrt(norm);
            // Gram-Schmidt's R has a positive diagonal by construction (the norm), which is the sign
            // convention that makes Q Haar-distributed.
            for (int i = 0; i < n; i++) {
                col[j][i] /= norm;
            }
        }
        double[] q = new double[n * k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                q[i * k + j] = col[j][i];
            }
        }
        return q;
    }
}
