package org.rnn4j.train;

import java.util.Map;
import org.rnn4j.nn.Params;

/**
 * Adagrad (Duchi et al., 2011) with learning-rate decay and L2 weight decay: PyTorch's
 * {@code torch.optim.Adagrad} (dense gradients, {@code maximize=False}).
 *
 * <p>Per element, step t = 1, 2, … (float arithmetic, {@code fma(a, b, c)} = a·b + c rounded once;
 * the step size in double, then rounded to float once, as are wd and ε):
 * <pre>
 *   d   = g                                        (the gradient is read, never written)
 *   if wd ≠ 0:  d = fma(p, wd, d)                  PyTorch grad = grad.add(param, alpha=wd)
 *   clr = lr / (1 + (t − 1)·lr_decay)              in double
 *   s   = fma(d, d, s)                             state_sum.addcmul_(grad, grad, value=1)
 *   std = sqrt(s) + ε                              std = state_sum.sqrt().add_(eps)
 *   p   = p + ((−clr)·d) / std                     param.addcdiv_(grad, std, value=−clr)
 * </pre>
 * State: {@code sum.<tensor>} (s), which starts at {@code initial_accumulator_value}.
 */
public final class Adagrad extends Optimizer {
    private static final String[] SLOTS = {"sum"};

    private final double lrDecay;
    private final double weightDecay;
    private final double initialAccumulatorValue;
    private final double eps;

    /**
     * @param lrDecay ≥ 0: step t uses lr / (1 + (t − 1)·lrDecay)
     * @param weightDecay L2 penalty ≥ 0, added to the gradient
     * @param initialAccumulatorValue ≥ 0, the initial sum of squared gradients
     * @param eps &gt; 0, added to the root of the sum (PyTorch also accepts 0, which divides 0 by 0 where a
     *            gradient and the sum are 0)
     * @throws IllegalArgumentException for a value out of range or not finite
     */
    public Adagrad(double lrDecay, double weightDecay, double initialAccumulatorValue, double eps) {
        Configs.check("adagrad", "lr_decay", lrDecay, 0, false, Double.POSITIVE_INFINITY, true);
        Configs.check("adagrad", "weight_decay", weightDecay, 0, false, Double.POSITIVE_INFINITY, true);
        Configs.check("adagrad", "initial_accumulator_value", initialAccumulatorValue, 0, false,
                Double.POSITIVE_INFINITY, true);
        Configs.check("adagrad", "eps", eps, 0, true, Double.POSITIVE_INFINITY, true);
        this.lrDecay = lrDecay;
        this.weightDecay = weightDecay;
        this.initialAccumulatorValue = initialAccumulatorValue;
        this.eps = eps;
    }

    /** PyTorch's defaults: lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10. */
    public Adagrad() {
        this(0, 0, 0, 1e-10);
    }

    @Override
    public String name() {
        return "adagrad";
    }

    @Override
    String[] slotNames() {
        return SLOTS;
    }

    @Override
    void initSlot(int slot, float[] a) {
        java.util.Arrays.fill(a, f(initialAccumulatorValue));
    }

    @Override
    public void step(Params params, double lr) {
        float[][][] st = begin(params, lr);
        long t = steps() + 1;
        double clr = lr / (1 + (t - 1) * lrDecay);
        float negClr = f(-clr);
        float wd = f(weightDecay);
        float e = f(eps);
        boolean decay = weightDecay != 0;
        for (int i = 0; i < tensors(); i++) {
            float[] p = value(i);
            float[] g = grad(i);
            float[] s = st[i][0];
            for (int j = 0; j < p.length; j++) {
                float d = g[j];
                if (decay) {
                    d = Math.fma(p[j], wd, d);
                }
                float sj = Math.fma(d, d, s[j]);
                s[j] = sj;
                float std = (float) Math.sqrt(sj) + e;
                p[j] = p[j] + negClr * d / std;
            }
        }
        advance();
    }

    @Override
    public Map<String, String> config() {
        return Configs.of("optimizer", name(), "lr_decay", Configs.str(lrDecay), "weight_decay",
                Configs.str(weightDecay), "initial_accumulator_value", Configs.str(initialAccumulatorValue),
                "eps", Configs.str(eps));
    }
}
