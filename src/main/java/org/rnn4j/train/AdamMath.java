package org.rnn4j.train;

/** The update shared by {@link Adam} and {@link AdamW}; the formula is on those classes. */
final class AdamMath {
    static final String[] SLOTS = {"exp_avg", "exp_avg_sq"};

    private AdamMath() {}

    static void checkHyper(String what, double beta1, double beta2, double eps, double weightDecay) {
        Configs.check(what, "beta1", beta1, 0, false, 1, true);
        Configs.check(what, "beta2", beta2, 0, false, 1, true);
        Configs.check(what, "eps", eps, 0, true, Double.POSITIVE_INFINITY, true);
        Configs.check(what, "weight_decay", weightDecay, 0, false, Double.POSITIVE_INFINITY, true);
    }

    /**
     * One step of every bound tensor of {@code o}; {@code st} from {@link Optimizer#begin}.
     *
     * @param decoupled AdamW (p ·= 1 − lr·wd first) rather than Adam (wd·p added to the gradient)
     */
    static void step(Optimizer o, float[][][] st, double lr, double beta1, double beta2, double eps,
                     double weightDecay, boolean decoupled) {
        double t = o.steps() + 1;
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2 = 1 - Math.pow(beta2, t);
        float negStepSize = (float) -(lr / biasCorrection1);
        float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
        float b1 = (float) beta1;
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        float e = (float) eps;
        float wd = (float) weightDecay;
        float shrink = (float) (1 - lr * weightDecay);
        boolean l2 = !decoupled && weightDecay != 0;
        for (int i = 0; i < o.tensors(); i++) {
            float[] p = o.value(i);
            float[] g = o.grad(i);
            float[] m = st[i][0];
            float[] v = st[i][1];
            for (int j = 0; j < p.length; j++) {
                float pj = p[j];
                float d = g[j];
                if (decoupled) {
                    pj = pj * shrink;
                } else if (l2) {
                    d = Math.fma(pj, wd, d);
                }
                float mj = Math.fma(d, oneMinusB1, m[j] * b1);
                float vj = Math.fma(oneMinusB2 * d, d, v[j] * b2);
                m[j] = mj;
                v[j] = vj;
                float denom = (float) Math.sqrt(vj) / bc2Sqrt + e;
                p[j] = pj + negStepSize * mj / denom;
            }
        }
        o.advance();
    }
}
