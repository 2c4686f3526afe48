package org.rnn4j.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.nn.Params;

/** Small models and gradient streams for the optimizer tests. */
final class OptimFixtures {
    private OptimFixtures() {}

    static final String[] NAMES = {"rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "decoder.weight"};

    /** Params with tensors of the given lengths (shape (n)), values U(−1, 1) from the seed, zero grads. */
    static Params params(int[] lengths, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Params p = new Params();
        for (int i = 0; i < lengths.length; i++) {
            float[] v = new float[lengths[i]];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) (2 * r.nextDouble() - 1);
            }
            p.add(NAMES[i % NAMES.length] + (i < NAMES.length ? "" : "_" + i), v, new float[v.length], v.length);
        }
        return p;
    }

    /** A deep copy of values (fresh grads, zero). */
    static Params copy(Params p) {
        Params c = new Params();
        for (String n : p.names()) {
            float[] v = p.value(n).clone();
            c.add(n, v, new float[v.length], p.shape(n));
        }
        return c;
    }

    /**
     * Writes the gradient of update number {@code step}: N(0, 1)-ish from (seed, step), an occasional
     * exact zero and an occasional large element, so that the stream is the same whoever asks.
     */
    static void fillGrads(Params p, long seed, long step) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + step);
        for (String n : p.names()) {
            float[] g = p.grad(n);
            for (int j = 0; j < g.length; j++) {
                double u = r.nextDouble();
                g[j] = u < 0.05 ? 0f : u > 0.97 ? (float) (20 * r.nextGaussian()) : (float) r.nextGaussian();
            }
        }
    }

    /** A deep copy of a state map. */
    static Map<String, float[]> copyState(Map<String, float[]> s) {
        Map<String, float[]> c = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : s.entrySet()) {
            c.put(e.getKey(), e.getValue().clone());
        }
        return c;
    }

    /** One optimizer of each kind, with every feature on. */
    static Optimizer[] allKinds() {
        return new Optimizer[] {new Sgd(0.9, 0.1, 1e-3, false), new Sgd(0.9, 0, 1e-3, true), new Sgd(),
                new Adagrad(0.01, 1e-3, 0.1, 1e-10), new Adam(0.9, 0.999, 1e-8, 1e-2), new AdamW(0.9, 0.99, 1e-6, 0.1)};
    }
}
