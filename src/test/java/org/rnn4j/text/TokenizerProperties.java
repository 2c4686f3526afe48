package org.rnn4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.rnn4j.io.NamedTensor;
import org.rnn4j.io.Safetensors;

/** Round trips, determinism and metadata for both tokenizers on random text, BMP and beyond. */
class TokenizerProperties {

    /** Valid Unicode text: no unpaired surrogates, with ASCII, whitespace, BMP and supplementary code points. */
    @Provide
    Arbitrary<String> text() {
        Arbitrary<Integer> cp = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0x20, 0x7e)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of((int) '\n', (int) ' ', (int) '\t', (int) '\r', 0xA0, (int) '\'', 0x2019)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 0xD7FF)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0xE000, 0xFFFF)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10FFFF)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(0x1F600, 0x1D11E, 0x20BB7, 0x1F1EB)));
        return cp.list().ofMaxSize(80).map(TokenizerProperties::fromCodePoints);
    }

    static String fromCodePoints(List<Integer> cps) {
        StringBuilder sb = new StringBuilder();
        cps.forEach(sb::appendCodePoint);
        return sb.toString();
    }

    @Property(tries = 300)
    void charRoundTripIsExact(@ForAll("text") String s) {
        CharTokenizer t = CharTokenizer.fit(s);
        int[] ids = t.encode(s);
        assertEquals(s.codePointCount(0, s.length()), ids.length, "one id per code point");
        for (int id : ids) {
            assertTrue(id >= 1 && id < t.vocabSize(), "every code point of the fitting text is known");
        }
        assertEquals(s, t.decode(ids, 0, ids.length));
        assertEquals(s.codePoints().distinct().count() + 1, t.vocabSize());
    }

    @Property(tries = 300)
    void charVocabularyIsSortedByCodePoint(@ForAll("text") String s) {
        CharTokenizer t = CharTokenizer.fit(s);
        int prev = -1;
        for (int id = 1; id < t.vocabSize(); id++) {
            String tok = t.token(id);
            int cp = tok.codePointAt(0);
            assertEquals(Character.charCount(cp), tok.length(), "a token is exactly one code point");
            assertTrue(cp > prev);
            prev = cp;
            assertEquals(id, t.id(cp));
        }
    }

    @Property(tries = 200)
    void charUnknownSymbolsGoToZero(@ForAll("text") String fitText, @ForAll("text") String other) {
        CharTokenizer t = CharTokenizer.fit(fitText);
        int[] ids = t.encode(other);
        int k = 0;
        for (int i = 0; i < other.length(); ) {
            int cp = other.codePointAt(i);
            boolean known = fitText.codePoints().anyMatch(c -> c == cp);
            assertEquals(known, ids[k] != 0);
            if (known) {
                assertEquals(new String(Character.toChars(cp)), t.token(ids[k]));
            }
            k++;
            i += Character.charCount(cp);
        }
        assertEquals(k, ids.length);
    }

    @Property(tries = 200)
    void fittingIsDeterministic(@ForAll("text") String s, @ForAll @IntRange(min = 1, max = 3) int minFreq) {
        assertEquals(CharTokenizer.fit(s).toMetadata(), CharTokenizer.fit(new String(s.toCharArray())).toMetadata());
        assertArrayEquals(CharTokenizer.fit(s).encode(s), CharTokenizer.fit(s).encode(s));
        assertEquals(WordTokenizer.fit(s, minFreq).toMetadata(), WordTokenizer.fit(new String(s.toCharArray()), minFreq).toMetadata());
        assertArrayEquals(WordTokenizer.fit(s, minFreq).encode(s), WordTokenizer.fit(s, minFreq).encode(s));
    }

    @Property(tries = 300)
    void metadataRoundTripIsBitwise(@ForAll("text") String s, @ForAll @IntRange(min = 1, max = 3) int minFreq,
                                    @ForAll("text") String probe) {
        for (Tokenizer t : List.of(CharTokenizer.fit(s), WordTokenizer.fit(s, minFreq))) {
            Map<String, String> meta = t.toMetadata();
            Tokenizer back = Tokenizer.fromMetadata(meta);
            assertEquals(t, back);
            assertEquals(t.getClass(), back.getClass());
            assertEquals(meta, back.toMetadata());
            assertEquals(List.copyOf(meta.keySet()), List.copyOf(back.toMetadata().keySet()), "same key order");
            assertEquals(t.vocabSize(), back.vocabSize());
            for (int id = 0; id < t.vocabSize(); id++) {
                assertEquals(t.token(id), back.token(id));
            }
            assertArrayEquals(t.encode(probe), back.encode(probe));
            assertArrayEquals(t.encode(s), back.encode(s));
        }
    }

    @Property(tries = 150)
    void metadataSurvivesASafetensorsFile(@ForAll("text") String s, @ForAll @IntRange(min = 1, max = 2) int minFreq)
            throws Exception {
        for (Tokenizer t : List.of(CharTokenizer.fit(s), WordTokenizer.fit(s, minFreq))) {
            Map<String, String> meta = new java.util.LinkedHashMap<>(t.toMetadata());
            meta.put("model", "lstm");
            byte[] file = Safetensors.toBytes(
                    List.of(NamedTensor.ofFloats("embedding.weight", new int[] {t.vocabSize(), 1}, new float[t.vocabSize()])),
                    meta);
            Map<String, String> back = Safetensors.read(file).metadata();
            for (Map.Entry<String, String> e : t.toMetadata().entrySet()) {
                assertEquals(e.getValue(), back.get(e.getKey()), e.getKey());
            }
            Tokenizer rebuilt = Tokenizer.fromMetadata(back);
            assertEquals(t, rebuilt);
            assertEquals(t.toMetadata(), rebuilt.toMetadata());
        }
    }

    @Property(tries = 300)
    void wordTokensOfTheFittingTextAreAllKnownAtMinFrequencyOne(@ForAll("text") String s) {
        WordTokenizer t = WordTokenizer.fit(s, 1);
        List<String> parts = WordTokenizer.split(s);
        int[] ids = t.encode(s);
        assertEquals(parts.size(), ids.length);
        for (int i = 0; i < ids.length; i++) {
            assertTrue(ids[i] != 0);
            assertEquals(parts.get(i), t.token(ids[i]));
        }
    }

    @Property(tries = 300)
    void wordDecodeThenEncodeIsIdentityOnKnownIds(@ForAll("text") String s,
                                                 @ForAll @IntRange(min = 0, max = 10_000) int seed) {
        WordTokenizer t = WordTokenizer.fit(s, 1);
        if (t.vocabSize() < 2) {
            return;
        }
        java.util.Random r = new java.util.Random(seed);
        int[] ids = new int[r.nextInt(40)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1 + r.nextInt(t.vocabSize() - 1);
        }
        assertArrayEquals(ids, t.encode(t.decode(ids, 0, ids.length)), () -> "decoded: " + t.decode(ids, 0, ids.length));
    }

    @Property(tries = 300)
    void wordSplitDropsOnlyWhitespace(@ForAll("text") String s) {
        String joined = String.join("", WordTokenizer.split(s));
        StringBuilder kept = new StringBuilder();
        s.codePoints().filter(c -> c == '\n' || !(Character.isWhitespace(c) || Character.isSpaceChar(c)))
                .forEach(kept::appendCodePoint);
        assertEquals(kept.toString(), joined);
        for (String tok : WordTokenizer.split(s)) {
            assertEquals(List.of(tok), WordTokenizer.split(tok), "every token is a fixed point of split");
        }
    }
}
