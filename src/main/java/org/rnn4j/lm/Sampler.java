package org.rnn4j.lm;

import java.util.SplittableRandom;
import org.rnn4j.text.Tokenizer;

/**
 * Generates text from a {@link LanguageModel}: feeds a priming text through the network, then draws
 * one token at a time from softmax(logits / temperature), optionally restricted to the k most likely
 * tokens, and feeds it back. Seeded: the same model, prime, settings and seed give the same text.
 *
 * <p>Not thread-safe (it owns a workspace and the state); the model may be shared.
 */
public final class Sampler {
    private final LanguageModel model;
    private final LanguageModel.Workspace ws = new LanguageModel.Workspace();
    private final int[] one = new int[1];
    private double[] probs = new double[0];
    private int[] order = new int[0];

    /** @param model the trained model (read only); not null */
    public Sampler(LanguageModel model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        this.model = model;
    }

    /**
     * @param tokenizer the model's tokenizer; not null
     * @param prime text to condition on (its tokens are fed first and returned as the start of the
     *              result); empty or null starts, silently, after a paragraph break "\n\n" (from the
     *              zero state a single newline is a context the model rarely saw in training, and
     *              small models then drift into noise)
     * @param length number of tokens to generate, {@code >= 0}
     * @param temperature {@code > 0} divides the logits (below 1 sharper, above 1 flatter); 0 means
     *                    greedy (always the most likely token)
     * @param topK draw only among the k most likely tokens; 0 means all
     * @param seed seeds the draws
     * @return the prime followed by the generated text
     * @throws IllegalArgumentException for a negative length, temperature or topK
     */
    public String sample(Tokenizer tokenizer, String prime, int length, double temperature, int topK, long seed) {
        if (tokenizer == null) {
            throw new IllegalArgumentException("tokenizer must not be null");
        }
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = all tokens), got " + topK);
        }
        if (tokenizer.vocabSize() != model.config().vocabSize()) {
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " tokens, the model "
                    + model.config().vocabSize());
        }
        String start = prime == null || prime.isEmpty() ? "\n\n" : prime;
        int[] ids = tokenizer.encode(start);
        if (ids.length == 0) {
            ids = new int[] {tokenizer.unknownId()};
        }
        int v = model.config().vocabSize();
        float[] h = new float[model.stateSize(1)];
        float[] c = model.config().cell().hasCellState() ? new float[model.stateSize(1)] : null;
        float[] logits = model.logitsOf(ws, false, ids, ids.length, 1, h, c);
        int last = (ids.length - 1) * v;
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] out = new int[length];
        for (int i = 0; i < length; i++) {
            int next = draw(logits, last, v, temperature, topK, rnd);
            out[i] = next;
            one[0] = next;
            logits = model.logitsOf(ws, false, one, 1, 1, h, c);
            last = 0;
        }
        StringBuilder sb = new StringBuilder(prime == null ? "" : prime);
        sb.append(tokenizer.decode(out, 0, length));
        return sb.toString();
    }

    /** One draw from softmax(logits[off .. off+v) / temperature) over the top k (all if k = 0). */
    int draw(float[] logits, int off, int v, double temperature, int topK, SplittableRandom rnd) {
        if (temperature == 0) {
            int best = 0;
            for (int j = 1; j < v; j++) {
                if (logits[off + j] > logits[off + best]) {
                    best = j;
                }
            }
            return best;
        }
        if (probs.length < v) {
            probs = new double[v];
            order = new int[v];
        }
        int k = topK == 0 || topK > v ? v : topK;
        // the k largest logits, by a partial selection sort (k is small, or k = v and nothing is sorted)
        for (int j = 0; j < v; j++) {
            order[j] = j;
        }
        if (k < v) {
            for (int a = 0; a < k; a++) {
                int best = a;
                for (int j = a + 1; j < v; j++) {
                    if (logits[off + order[j]] > logits[off + order[best]]) {
                        best = j;
                    }
                }
                int t = order[a];
                order[a] = order[best];
                order[best] = t;
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < k; a++) {
            max = Math.max(max, logits[off + order[a]] / temperature);
        }
        double total = 0;
        for (int a = 0; a < k; a++) {
            probs[a] = Math.exp(logits[off + order[a]] / temperature - max);
            total += probs[a];
        }
        double u = rnd.nextDouble() * total;
        for (int a = 0; a < k; a++) {
            u -= probs[a];
            if (u < 0) {
                return order[a];
            }
        }
        return order[k - 1];
    }
}
