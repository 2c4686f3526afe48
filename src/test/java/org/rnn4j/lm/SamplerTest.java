package org.rnn4j.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rnn4j.cell.CellType;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.text.CharTokenizer;
import org.rnn4j.text.Tokenizer;

/** Sampling: seeded, greedy at temperature 0, top-k restricts the support, frequencies follow softmax. */
class SamplerTest {
    private final Tokenizer tok = CharTokenizer.fit("abcdefgh \n");
    private final LanguageModel model = new LanguageModel(
            new LanguageModel.Config(CellType.GRU, tok.vocabSize(), 4, 8, 1, 0), Kernels.get()).init(2);

    @Test
    void sameSeedSameTextAndThePrimeComesFirst() {
        String a = new Sampler(model).sample(tok, "ab", 50, 1.0, 0, 7);
        String b = new Sampler(model).sample(tok, "ab", 50, 1.0, 0, 7);
        assertEquals(a, b);
        assertTrue(a.startsWith("ab"));
        assertEquals(52, a.codePointCount(0, a.length()));
        assertNotEquals(a, new Sampler(model).sample(tok, "ab", 50, 1.0, 0, 8));
    }

    @Test
    void temperatureZeroAndTopOneAreGreedy() {
        assertEquals(new Sampler(model).sample(tok, "a", 30, 0, 0, 1), new Sampler(model).sample(tok, "a", 30, 1.0, 1, 99));
    }

    @Test
    void drawsFollowSoftmaxOverTheTopK() {
        Sampler s = new Sampler(model);
        float[] logits = {0f, 1f, 2f, -1f, 0.5f};
        SplittableRandom r = new SplittableRandom(3);
        int[] counts = new int[5];
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            counts[s.draw(logits, 0, 5, 1.0, 3, r)]++;
        }
        assertEquals(0, counts[0] + counts[3], "outside the top 3");
        double z = Math.exp(1) + Math.exp(2) + Math.exp(0.5);
        double[] expected = {0, Math.exp(1) / z, Math.exp(2) / z, 0, Math.exp(0.5) / z};
        for (int j = 0; j < 5; j++) {
            // 5 standard deviations of a binomial frequency
            double sd = Math.sqrt(expected[j] * (1 - expected[j]) / n);
            assertEquals(expected[j], counts[j] / (double) n, 5 * sd + 1e-12, "token " + j);
        }
    }

    @Test
    void badSettingsAreNamed() {
        Sampler s = new Sampler(model);
        assertThrows(IllegalArgumentException.class, () -> s.sample(tok, "", -1, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> s.sample(tok, "", 1, -0.5, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> s.sample(tok, "", 1, 1, -2, 1));
    }
}
