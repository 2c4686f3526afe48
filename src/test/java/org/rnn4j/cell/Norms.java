package org.rnn4j.cell;

import static org.junit.jupiter.api.Assertions.fail;

/** Normwise comparisons for tests. */
final class Norms {
    private Norms() {}

    /** Smallest absolute scale a tensor norm is compared against (a norm-0 tensor must match to this). */
    static final double FLOOR = 1e-6;

    /** ‖actual − expected‖₂ ≤ rel · max(‖expected‖₂, FLOOR), and both finite. */
    static void assertClose(float[] expected, float[] actual, double rel, String what) {
        double e = 0;
        double d = 0;
        for (int i = 0; i < expected.length; i++) {
            if (!Float.isFinite(actual[i])) {
                fail(what + ": non-finite value " + actual[i] + " at " + i);
            }
            e += (double) expected[i] * expected[i];
            double diff = (double) actual[i] - expected[i];
            d += diff * diff;
        }
        double err = Math.sqrt(d);
        double bound = rel * Math.max(Math.sqrt(e), FLOOR);
        if (!(err <= bound)) {
            fail(what + ": ‖Δ‖ = " + err + " > " + bound + " (= " + rel + " · ‖expected‖ " + Math.sqrt(e) + ")");
        }
    }

    /** ‖x‖₂ in double. */
    static double norm(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /** The relative normwise error ‖actual − expected‖₂ / max(‖expected‖₂, FLOOR). */
    static double relError(double[] expected, float[] actual) {
        double e = 0;
        double d = 0;
        for (int i = 0; i < expected.length; i++) {
            e += expected[i] * expected[i];
            double diff = actual[i] - expected[i];
            d += diff * diff;
        }
        return Math.sqrt(d) / Math.max(Math.sqrt(e), FLOOR);
    }
}
