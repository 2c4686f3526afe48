package org.rnn4j.train;

import java.util.Map;
import org.rnn4j.nn.Params;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay: PyTorch's {@code torch.optim.SGD} ({@code maximize=False}).
 *
 * <p>Per element, step t = 1, 2, … (float arithmetic; {@code fma(a, b, c)} = a·b + c rounded once;
 * wd, μ, 1 − τ and −lr rounded to float once, 1 − τ and −lr computed in double first):
 * <pre>
 *   d = g                                         (the gradient is read, never written)
 *   if wd ≠ 0:  d = fma(p, wd, d)                 PyTorch d_p = grad.add(param, alpha=wd)
 *   if μ ≠ 0:
 *     t = 1:    b = d                             buf = clone(d_p)
 *     t > 1:    b = fma(d, 1 − τ, b·μ)            buf.mul_(μ).add_(d_p, alpha=1 − τ)
 *     nesterov: d = fma(b, μ, d)                  d_p = d_p.add(buf, alpha=μ)
 *     else:     d = b
 *   p = fma(d, −lr, p)                            param.add_(d_p, alpha=−lr)
 * </pre>
 * μ = momentum, τ = dampening, wd = weight decay. State: {@code momentum_buffer.<tensor>} (b) when
 * μ ≠ 0; none otherwise.
 */
public final class Sgd extends Optimizer {
    private static final String[] SLOTS = {"momentum_buffer"};
    private static final String[] NO_SLOTS = {};

    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;

    /**
     * @param momentum μ ≥ 0 (0: plain SGD, no state)
     * @param dampening τ, finite; the buffer update adds (1 − τ)·d (not applied on the first step, as
     *                  in PyTorch)
     * @param weightDecay L2 penalty ≥ 0, added to the gradient
     * @param nesterov Nesterov momentum; requires {@code momentum > 0} and {@code dampening == 0}
     * @throws IllegalArgumentException for a value out of range or not finite, or nesterov without
     *                                  momentum or with dampening (as PyTorch)
     */
    public Sgd(double momentum, double dampening, double weightDecay, boolean nesterov) {
        Configs.check("sgd", "momentum", momentum, 0, false, Double.POSITIVE_INFINITY, true);
        if (!Double.isFinite(dampening)) {
            throw new IllegalArgumentException("sgd: dampening must be finite, got " + dampening);
        }
        Configs.check("sgd", "weight_decay", weightDecay, 0, false, Double.POSITIVE_INFINITY, true);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("sgd: nesterov momentum requires momentum > 0 and dampening = 0, got "
                    + "momentum " + momentum + ", dampening " + dampening);
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    /** Plain SGD, PyTorch's defaults: no momentum, no dampening, no weight decay, no Nesterov. */
    public Sgd() {
        this(0, 0, 0, false);
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    String[] slotNames() {
        return momentum != 0 ? SLOTS : NO_SLOTS;
    }

    @Override
    public void step(Params params, double lr) {
        float[][][] st = begin(params, lr);
        boolean first = steps() == 0;
        float wd = f(weightDecay);
        float mu = f(momentum);
        float keep = f(1 - dampening);
        float negLr = f(-lr);
        boolean decay = weightDecay != 0;
        boolean mom = momentum != 0;
        for (int i = 0; i < tensors(); i++) {
            float[] p = value(i);
            float[] g = grad(i);
            float[] b = mom ? st[i][0] : null;
            for (int j = 0; j < p.length; j++) {
                float d = g[j];
                if (decay) {
                    d = Math.fma(p[j], wd, d);
                }
                if (mom) {
                    float bj = first ? d : Math.fma(d, keep, b[j] * mu);
                    b[j] = bj;
                    d = nesterov ? Math.fma(bj, mu, d) : bj;
                }
                p[j] = Math.fma(d, negLr, p[j]);
            }
        }
        advance();
    }

    @Override
    public Map<String, String> config() {
        return Configs.of("optimizer", name(), "momentum", Configs.str(momentum), "dampening", Configs.str(dampening),
                "weight_decay", Configs.str(weightDecay), "nesterov", Boolean.toString(nesterov));
    }
}
