package org.rnn4j.nn;

import org.rnn4j.kernel.Checks;

/**
 * Squared-error loss, as PyTorch's {@code F.mse_loss}, fused with its gradient:
 * <pre>
 *   loss = Σ_i (p_i − y_i)²          dloss/dp_i = 2·(p_i − y_i)
 * </pre>
 * The method returns the <em>sum</em>; PyTorch's default {@code reduction='mean'} is that sum divided
 * by {@code n}, with the gradient obtained by passing {@code gradScale = 1/n}. Each difference is
 * formed in double from the two floats (exact), squared and summed in double; the gradient is
 * rounded to float once. NaN and infinities propagate. Stateless; allocates nothing; thread-safe.
 * See {@code docs/nn.md}.
 */
public final class MeanSquaredError {
    private MeanSquaredError() {}

    /**
     * The summed squared error and its scaled gradient.
     *
     * @param n the number of elements, {@code >= 0}
     * @param pred the predictions {@code pred[pOff .. pOff+n)}; read only (unless it is {@code dPred})
     * @param pOff offset into {@code pred}
     * @param target the targets {@code target[tOff .. tOff+n)}; read only (unless it is {@code dPred})
     * @param tOff offset into {@code target}
     * @param dPred receives {@code gradScale · 2 · (pred − target)} at {@code dOff}, n floats; may be
     *              exactly {@code pred} or {@code target} (same array and offset), must not overlap
     *              either otherwise
     * @param dOff offset into {@code dPred}
     * @param gradScale the factor of every gradient element: 1 for the sum, {@code 1/n} for the mean
     * @return {@code Σ (pred − target)²} in double (0 for n = 0)
     * @throws IllegalArgumentException naming the first bad argument, its expected and actual size
     */
    public static double forwardBackward(int n, float[] pred, int pOff, float[] target, int tOff,
                                         float[] dPred, int dOff, float gradScale) {
        Checks.size("n", n);
        Args.floats("pred", pred, pOff, n);
        Args.floats("target", target, tOff, n);
        Args.floats("dPred", dPred, dOff, n);
        Args.sameOrDisjoint("pred", pred, pOff, "dPred", dPred, dOff, n);
        Args.sameOrDisjoint("target", target, tOff, "dPred", dPred, dOff, n);
        double twoScale = 2.0 * gradScale;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) pred[pOff + i] - target[tOff + i];   // exact: two floats
            sum += d * d;
            dPred[dOff + i] = (float) (twoScale * d);
        }
        return sum;
    }
}
