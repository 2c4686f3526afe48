package org.rnn4j.train;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.nn.Params;

/**
 * Gradient clipping — the fix for exploding gradients (docs/sequence-modeling.md), with PyTorch's
 * semantics. Each operation exists for an {@link RnnWeights} gradient accumulator and for the
 * gradients of a {@link Params} (a whole model); both run the same code.
 */
public final class GradClip {
    private GradClip() {}

    /**
     * PyTorch's {@code clip_grad_norm_} with the 2-norm: the total norm ‖g‖ = √(Σ over every element
     * of every tensor of g²) is computed in double; every gradient is multiplied by
     * {@code min(1, maxNorm / (‖g‖ + 1e-6))} — when that factor is 1 nothing is touched.
     *
     * <p>A non-finite total norm: with {@code errorIfNonfinite} an {@link ArithmeticException} naming
     * the first non-finite element, and nothing is changed; without it, PyTorch's behaviour — the
     * factor is NaN (NaN norm) or 0 (infinite norm) and is applied, so the gradients become NaN/0.
     *
     * @param grads the gradient accumulator, scaled in place; must not be null
     * @param maxNorm the largest allowed total norm, {@code > 0}
     * @param errorIfNonfinite throw instead of scaling when the total norm is NaN or infinite
     * @return the total norm before clipping
     * @throws IllegalArgumentException for a null {@code grads} or {@code maxNorm <= 0}
     * @throws ArithmeticException if {@code errorIfNonfinite} and the norm is not finite
     */
    public static double clipGradNorm(RnnWeights grads, double maxNorm, boolean errorIfNonfinite) {
        if (grads == null) {
            throw new IllegalArgumentException("grads must not be null");
        }
        return clipNorm(grads.names(), grads::get, grads::firstNonFinite, maxNorm, errorIfNonfinite);
    }

    /**
     * {@link #clipGradNorm(RnnWeights, double, boolean)} over the gradients of every tensor of
     * {@code params} ({@link Params#grad}): the total norm is over all of them together, as
     * {@code torch.nn.utils.clip_grad_norm_(model.parameters(), maxNorm)}. The values are not touched.
     *
     * @param params the tensors whose gradients are scaled in place; must not be null
     * @param maxNorm the largest allowed total norm, {@code > 0}
     * @param errorIfNonfinite throw instead of scaling when the total norm is NaN or infinite; the
     *                         message names the first non-finite gradient element, e.g.
     *                         {@code rnn.weight_hh_l0[12]}
     * @return the total norm before clipping
     * @throws IllegalArgumentException for a null {@code params} or {@code maxNorm <= 0}
     * @throws ArithmeticException if {@code errorIfNonfinite} and the norm is not finite; nothing is changed
     */
    public static double clipGradNorm(Params params, double maxNorm, boolean errorIfNonfinite) {
        if (params == null) {
            throw new IllegalArgumentException("params must not be null");
        }
        return clipNorm(params.names(), params::grad, params::firstNonFiniteGrad, maxNorm, errorIfNonfinite);
    }

    /**
     * PyTorch's {@code clip_grad_value_}: every element clamped to [−clipValue, clipValue]; NaN stays NaN.
     *
     * @param grads the gradient accumulator, clamped in place; must not be null
     * @param clipValue the bound, {@code > 0}
     * @throws IllegalArgumentException for a null {@code grads} or {@code clipValue <= 0}
     */
    public static void clipGradValue(RnnWeights grads, double clipValue) {
        if (grads == null) {
            throw new IllegalArgumentException("grads must not be null");
        }
        clipValue(grads.names(), grads::get, clipValue);
    }

    /**
     * {@link #clipGradValue(RnnWeights, double)} over the gradients of every tensor of {@code params}.
     *
     * @param params the tensors whose gradients are clamped in place; must not be null
     * @param clipValue the bound, {@code > 0}
     * @throws IllegalArgumentException for a null {@code params} or {@code clipValue <= 0}
     */
    public static void clipGradValue(Params params, double clipValue) {
        if (params == null) {
            throw new IllegalArgumentException("params must not be null");
        }
        clipValue(params.names(), params::grad, clipValue);
    }

    /** clip_grad_norm_ over the tensors {@code grad.apply(name)} for each name. */
    private static double clipNorm(List<String> names, Function<String, float[]> grad, Supplier<String> firstNonFinite,
                                   double maxNorm, boolean errorIfNonfinite) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
        }
        Kernels k = Kernels.get();
        double sq = 0;
        for (String name : names) {
            float[] g = grad.apply(name);
            sq += k.sumSquares(g.length, g, 0);
        }
        double total = Math.sqrt(sq);
        if (!Double.isFinite(total) && errorIfNonfinite) {
            throw new ArithmeticException("the total gradient norm is " + total + " (first non-finite element: "
                    + firstNonFinite.get() + "); nothing was clipped");
        }
        double coef = maxNorm / (total + 1e-6);
        if (!(coef >= 1)) {   // also NaN, as PyTorch's clamp(max=1) passes NaN through
            for (String name : names) {
                float[] g = grad.apply(name);
                k.scale(g.length, (float) coef, g, 0);
            }
        }
        return total;
    }

    /** clip_grad_value_ over the tensors {@code grad.apply(name)} for each name. */
    private static void clipValue(List<String> names, Function<String, float[]> grad, double clipValue) {
        if (!(clipValue > 0)) {
            throw new IllegalArgumentException("clipValue must be > 0, got " + clipValue);
        }
        float c = (float) clipValue;
        for (String name : names) {
            float[] g = grad.apply(name);
            for (int i = 0; i < g.length; i++) {
                if (g[i] > c) {
                    g[i] = c;
                } else if (g[i] < -c) {
                    g[i] = -c;
                }
            }
        }
    }
}
