package org.rnn4j.nn;

import org.rnn4j.kernel.Checks;
import org.rnn4j.kernel.Kernels;

/**
 * Softmax cross-entropy over class logits, as PyTorch's {@code F.cross_entropy(logits, target,
 * ignore_index = -100)}, fused with its gradient. For a row with logits {@code x} (C) and target
 * class {@code t}:
 * <pre>
 *   loss = −log softmax(x)[t] = log Σ_j exp(x_j − m) − (x_t − m),   m = max_j x_j
 *   dloss/dx_j = softmax(x)_j − [j = t]
 * </pre>
 * Rows whose target is {@link #IGNORE_INDEX} contribute no loss and a zero gradient, whatever their
 * logits hold (PyTorch's autograd gives such a row a NaN gradient if it holds a NaN or infinite
 * logit; for finite logits both give 0). The methods
 * return the <em>sum</em> over counted rows; PyTorch's default {@code reduction='mean'} is that sum
 * divided by {@link #countTargets} (the number of rows not ignored), and its gradient is obtained by
 * passing {@code gradScale = 1 / countTargets}. See {@code docs/nn.md}.
 *
 * <h2>Numerics</h2>
 * Each row goes through {@link Kernels#logSoftmaxRows}, which subtracts the row maximum before
 * exponentiating: no exponent is positive, so nothing overflows, and the log-probability of the
 * target is formed as {@code (x_t − m) − log s}, which stays exact for logits of any magnitude
 * (±1e4 gives a finite loss of about 2e4, not Inf or NaN). The softmax is then {@code exp} of the
 * log-probabilities. Per-row losses are accumulated in double. A NaN logit, or a +Inf one, makes its
 * row's loss and gradient NaN, which the returned sum shows: nothing is clipped. A −Inf logit at a
 * non-target class is harmless (probability 0); at the target class the loss is +Inf.
 *
 * <h2>Ownership and threads</h2>
 * All arrays belong to the caller. {@link #forwardBackward} keeps no state and may run on many
 * threads at once; {@link #forward} uses one scratch row of this object (grown to the largest C seen,
 * then reused, so steady-state calls allocate nothing) and so is not thread-safe: use one instance
 * per thread.
 */
public final class SoftmaxCrossEntropy {
    /** The target value of a row to skip, PyTorch's default {@code ignore_index}. */
    public static final int IGNORE_INDEX = -100;

    private final Kernels k;
    private float[] scratch = new float[0];

    /**
     * A loss on the given kernels.
     *
     * @param kernels the kernel implementation (e.g. {@link Kernels#scalar()}); not null
     * @throws IllegalArgumentException if {@code kernels} is null
     */
    public SoftmaxCrossEntropy(Kernels kernels) {
        Args.notNull("kernels", kernels);
        this.k = kernels;
    }

    /** A loss on the default kernels ({@link Kernels#get()}). */
    public SoftmaxCrossEntropy() {
        this(Kernels.get());
    }

    /**
     * The summed loss and its scaled gradient in one pass. Per row {@code r < n} with target
     * {@code t = targets[tOff + r]}:
     * <ul>
     *   <li>{@code t} in [0, C): adds {@code −log softmax(logits[r])[t]} to the result and writes
     *       {@code dLogits[r, j] = gradScale · (softmax(logits[r])_j − [j = t])};</li>
     *   <li>{@code t == IGNORE_INDEX}: adds nothing and writes {@code dLogits[r, :] = 0}.</li>
     * </ul>
     * Every target is checked before anything is written.
     *
     * @param n the number of rows, {@code >= 0}
     * @param classes C, {@code >= 1}
     * @param logits (n, C) row-major at {@code lOff}; read only (unless it is {@code dLogits})
     * @param lOff offset into {@code logits}
     * @param targets (n) at {@code tOff}, each in [0, C) or {@link #IGNORE_INDEX}; read only
     * @param tOff offset into {@code targets}
     * @param dLogits receives (n, C) row-major at {@code dOff}; may be exactly {@code logits} (same
     *                array and offset: computed in place), must not overlap it otherwise
     * @param dOff offset into {@code dLogits}
     * @param gradScale the factor of every gradient element: 1 for the sum, {@code 1/countTargets}
     *                  for the mean
     * @return Σ over counted rows of {@code −log softmax(logits[r])[t]}, in double (0 for no counted
     *         rows); NaN if a counted row holds NaN or +Inf
     * @throws IllegalArgumentException naming the first bad argument; for a bad target its row and
     *                                  value
     */
    public double forwardBackward(int n, int classes, float[] logits, int lOff, int[] targets, int tOff,
                                  float[] dLogits, int dOff, float gradScale) {
        checkCommon(n, classes, logits, lOff, targets, tOff);
        Args.floats("dLogits", dLogits, dOff, n, classes, "(n, C)");
        Args.sameOrDisjoint("logits", logits, lOff, "dLogits", dLogits, dOff, (long) n * classes);
        double loss = 0;
        int r = 0;
        while (r < n) {
            if (targets[tOff + r] == IGNORE_INDEX) {
                int d = dOff + r * classes;
                java.util.Arrays.fill(dLogits, d, d + classes, 0f);
                r++;
                continue;
            }
            // a run of counted rows [r, end): one kernel call per pass
            int end = r + 1;
            while (end < n && targets[tOff + end] != IGNORE_INDEX) {
                end++;
            }
            int rows = end - r;
            int d = dOff + r * classes;
            // dLogits = log softmax(logits), stable: (x − m) − log Σ exp(x − m)
            k.logSoftmaxRows(rows, classes, logits, lOff + r * classes, classes, dLogits, d, classes);
            for (int i = 0; i < rows; i++) {
                loss -= dLogits[d + i * classes + targets[tOff + r + i]];
            }
            // softmax = exp(log softmax); then − onehot(target); then · gradScale
            k.exp(rows * classes, dLogits, d, dLogits, d);
            for (int i = 0; i < rows; i++) {
                dLogits[d + i * classes + targets[tOff + r + i]] -= 1f;
            }
            k.scale(rows * classes, gradScale, dLogits, d);
            r = end;
        }
        return loss;
    }

    /**
     * The summed loss only, as {@link #forwardBackward} returns it (bitwise the same value for the
     * same kernels); nothing is written. Uses this object's scratch row: not thread-safe.
     *
     * @param n the number of rows, {@code >= 0}
     * @param classes C, {@code >= 1}
     * @param logits (n, C) row-major at {@code lOff}; read only
     * @param lOff offset into {@code logits}
     * @param targets (n) at {@code tOff}, each in [0, C) or {@link #IGNORE_INDEX}; read only
     * @param tOff offset into {@code targets}
     * @return Σ over counted rows of {@code −log softmax(logits[r])[t]}, in double
     * @throws IllegalArgumentException naming the first bad argument; for a bad target its row and
     *                                  value
     */
    public double forward(int n, int classes, float[] logits, int lOff, int[] targets, int tOff) {
        checkCommon(n, classes, logits, lOff, targets, tOff);
        if (scratch.length < classes) {
            scratch = new float[classes];
        }
        double loss = 0;
        for (int r = 0; r < n; r++) {
            int t = targets[tOff + r];
            if (t == IGNORE_INDEX) {
                continue;
            }
            k.logSoftmaxRows(1, classes, logits, lOff + r * classes, classes, scratch, 0, classes);
            loss -= scratch[t];
        }
        return loss;
    }

    /**
     * The number of rows whose target is not {@link #IGNORE_INDEX}: the divisor of PyTorch's
     * {@code reduction='mean'}. Target values are not otherwise checked.
     *
     * @param targets the targets, {@code targets[tOff .. tOff+n)}; read only
     * @param tOff offset into {@code targets}
     * @param n the number of rows, {@code >= 0}
     * @return the count, in [0, n]
     * @throws IllegalArgumentException on a null array or a bad range
     */
    public static int countTargets(int[] targets, int tOff, int n) {
        Checks.size("n", n);
        Args.ints("targets", targets, tOff, n);
        int c = 0;
        for (int r = 0; r < n; r++) {
            if (targets[tOff + r] != IGNORE_INDEX) {
                c++;
            }
        }
        return c;
    }

    private static void checkCommon(int n, int classes, float[] logits, int lOff, int[] targets, int tOff) {
        Checks.size("n", n);
        Args.positive("classes", classes);
        Args.floats("logits", logits, lOff, n, classes, "(n, C)");
        Args.ints("targets", targets, tOff, n);
        for (int r = 0; r < n; r++) {
            int t = targets[tOff + r];
            if ((t < 0 || t >= classes) && t != IGNORE_INDEX) {
                throw new IllegalArgumentException("target of row " + r + " (targets[" + (tOff + r) + "]) is " + t
                        + ", expected a class in [0, classes = " + classes + ") or IGNORE_INDEX = " + IGNORE_INDEX);
            }
        }
    }
}
