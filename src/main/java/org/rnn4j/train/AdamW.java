package org.rnn4j.train;

import java.util.Map;
import org.rnn4j.nn.Params;

/**
 * AdamW (Loshchilov and Hutter, 2019), Adam with decoupled weight decay: PyTorch's
 * {@code torch.optim.AdamW} ({@code amsgrad=False}, {@code maximize=False}).
 *
 * <p>Per element, step t = 1, 2, … (float arithmetic, {@code fma(a, b, c)} = a·b + c rounded once;
 * the scalars in double as PyTorch computes them in Python, each rounded to float once: β1, β2, ε, wd,
 * 1 − β1, 1 − β2, −s, √bc2, and for AdamW 1 − lr·wd):
 * <pre>
 *   d   = g                                        (the gradient is read, never written)
 *   p   = p · (1 − lr·wd)                          param.mul_(1 − lr·wd)   (1 − lr·wd in double)
 *   m   = fma(d, 1 − β1, m·β1)                     exp_avg.mul_(β1).add_(grad, alpha=1 − β1)
 *   v   = fma((1 − β2)·d, d, v·β2)                 exp_avg_sq.mul_(β2).addcmul_(grad, grad, value=1 − β2)
 *   bc1 = 1 − β1^t,  bc2 = 1 − β2^t                in double (Math.pow)
 *   s   = lr / bc1                                 in double
 *   den = sqrt(v) / √bc2 + ε                       (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
 *   p   = p + ((−s)·m) / den                       param.addcdiv_(exp_avg, denom, value=−step_size)
 * </pre>
 * State: {@code exp_avg.<tensor>} (m) and {@code exp_avg_sq.<tensor>} (v), zero before the first step.
 */
public final class AdamW extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;

    /**
     * @param beta1 β1 in [0, 1), the decay of the first moment
     * @param beta2 β2 in [0, 1), the decay of the second moment
     * @param eps ε &gt; 0, added to the bias-corrected root of the second moment (PyTorch also accepts 0,
     *            which divides 0 by 0 where a gradient has only been 0)
     * @param weightDecay decoupled decay ≥ 0: each step first multiplies the parameters by 1 − lr·weightDecay
     * @throws IllegalArgumentException for a value out of range or not finite
     */
    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        AdamMath.checkHyper("adamw", beta1, beta2, eps, weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2. */
    public AdamW() {
        this(0.9, 0.999, 1e-8, 1e-2);
    }

    @Override
    public String name() {
        return "adamw";
    }

    @Override
    String[] slotNames() {
        return AdamMath.SLOTS;
    }

    @Override
    public void step(Params params, double lr) {
        AdamMath.step(this, begin(params, lr), lr, beta1, beta2, eps, weightDecay, true);
    }

    @Override
    public Map<String, String> config() {
        return Configs.of("optimizer", name(), "beta1", Configs.str(beta1), "beta2", Configs.str(beta2), "eps",
                Configs.str(eps), "weight_decay", Configs.str(weightDecay));
    }
}
