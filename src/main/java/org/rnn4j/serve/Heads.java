package org.rnn4j.serve;

import org.rnn4j.kernel.Checks;
import org.rnn4j.kernel.Kernels;

/**
 * What a service does with one step's logits: probabilities, the most likely class, the k most
 * likely. Allocation-free: results go into caller-provided arrays. Stateless and thread-safe.
 *
 * <p>NaN ordering follows PyTorch's {@code argmax}/{@code topk}: a NaN counts as larger than every
 * number, so a NaN logit is reported rather than silently skipped; ties go to the lower index.
 */
public final class Heads {
    private Heads() {}

    /**
     * {@code p = softmax(logits / temperature)}, computed stably (max subtracted).
     *
     * @param logits {@code logits[off .. off+n)}; read only (unless it is exactly p)
     * @param off offset into logits
     * @param n number of classes, {@code >= 1}
     * @param temperature {@code > 0} and finite; 1 leaves the logits as they are
     * @param p receives the probabilities {@code p[pOff .. pOff+n)}; may be logits at the same offset
     *        only when temperature is 1
     * @param pOff offset into p
     */
    public static void softmax(float[] logits, int off, int n, float temperature, float[] p, int pOff) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be > 0 and finite, got " + temperature);
        }
        Checks.range("logits", logits, off, n);
        Checks.range("p", p, pOff, n);
        if (temperature == 1f) {
            Kernels.get().softmaxRows(1, n, logits, off, n, p, pOff, n);
            return;
        }
        if (p == logits && pOff != off) {
            throw new IllegalArgumentException("p may alias logits only at the same offset");
        }
        float inv = 1f / temperature;
        for (int i = 0; i < n; i++) {
            p[pOff + i] = logits[off + i] * inv;
        }
        Kernels.get().softmaxRows(1, n, p, pOff, n, p, pOff, n);
    }

    /**
     * {@code log softmax(logits)}, computed stably.
     *
     * @param logits {@code logits[off .. off+n)}; read only (unless it is exactly out)
     * @param off offset into logits
     * @param n number of classes, {@code >= 1}
     * @param out receives {@code out[oOff .. oOff+n)}
     * @param oOff offset into out
     */
    public static void logSoftmax(float[] logits, int off, int n, float[] out, int oOff) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        Kernels.get().logSoftmaxRows(1, n, logits, off, n, out, oOff, n);
    }

    /**
     * The index of the largest logit (the first one on ties; the first NaN if there is one).
     *
     * @param logits {@code logits[off .. off+n)}
     * @param off offset into logits
     * @param n number of classes, {@code >= 1}
     * @return the index relative to off, in [0, n)
     */
    public static int argmax(float[] logits, int off, int n) {
        return Kernels.get().argmax(n, logits, off);
    }

    /**
     * The k largest logits, largest first (ties: lower index first; NaN counts as largest), by a
     * partial insertion sort into the outputs: O(n·k), no allocation.
     *
     * @param logits {@code logits[off .. off+n)}; read only
     * @param off offset into logits
     * @param n number of classes, {@code >= 1}
     * @param k how many, in [1, n]
     * @param index receives the k indices (relative to off) at {@code index[iOff .. iOff+k)}
     * @param iOff offset into index
     * @param value receives their logits at {@code value[vOff .. vOff+k)}, or null if not wanted
     * @param vOff offset into value
     */
    public static void topK(float[] logits, int off, int n, int k, int[] index, int iOff, float[] value, int vOff) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be in [1, n = " + n + "], got " + k);
        }
        Checks.range("logits", logits, off, n);
        Checks.range("index", index, iOff, k);
        if (value != null) {
            Checks.range("value", value, vOff, k);
        }
        int filled = 0;
        for (int j = 0; j < n; j++) {
            float v = logits[off + j];
            if (filled == k && !greater(v, logits[off + index[iOff + k - 1]])) {
                continue;
            }
            // insert j after every kept entry that is >= v (stable: earlier indices win ties)
            int pos = filled == k ? k - 1 : filled++;
            while (pos > 0 && greater(v, logits[off + index[iOff + pos - 1]])) {
                index[iOff + pos] = index[iOff + pos - 1];
                pos--;
            }
            index[iOff + pos] = j;
        }
        if (value != null) {
            for (int i = 0; i < k; i++) {
                value[vOff + i] = logits[off + index[iOff + i]];
            }
        }
    }

    /** Strict order with NaN above every number (and not above another NaN). */
    private static boolean greater(float a, float b) {
        if (Float.isNaN(a)) {
            return !Float.isNaN(b);
        }
        return !Float.isNaN(b) && a > b;
    }
}
