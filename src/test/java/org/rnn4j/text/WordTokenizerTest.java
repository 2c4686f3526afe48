package org.rnn4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WordTokenizerTest {

    private static List<String> split(String s) {
        return WordTokenizer.split(s);
    }

    @Test
    void splitRuleOnHandExamples() {
        assertEquals(List.of("\"", "My", "dear", "Mr", ".", "Bennet", ",", "\"", "said", "his", "lady", "."),
                split("\"My dear Mr. Bennet,\" said his lady."));
        assertEquals(List.of("It", "is", "a", "truth", "\n", "universally", "acknowledged"),
                split("It is a truth\nuniversally   acknowledged"));
        assertEquals(List.of("don't", "Elizabeth's", "o'clock", "rock\u2019n\u2019roll"),
                split("don't Elizabeth's o'clock rock\u2019n\u2019roll"));
        assertEquals(List.of("'", "tis", "the", "Bennets", "'", "house"), split("'tis the Bennets' house"));
        assertEquals(List.of("a", "'", "'", "b"), split("a''b"), "an apostrophe joins only between word characters");
        assertEquals(List.of("drawing", "-", "back", ";", "no", "-", "-", "never"), split("drawing-back; no--never"));
        assertEquals(List.of("wait", ".", ".", ".", "\n", "\n", "yes", "!"), split("wait...\r\n\r\nyes!"));
        assertEquals(List.of("x_1", "=", "42", "%"), split("x_1 = 42%"));
        assertEquals(List.of("caf\u00e9", "cafe\u0301", "\u00fcber", "\u65e5\u672c\u8a9e"),
                split("caf\u00e9 cafe\u0301\t\u00fcber\u00a0\u65e5\u672c\u8a9e"), "letters, combining marks, CJK; tab and no-break space separate");
        assertEquals(List.of("\uD83D\uDE00", "\uD835\uDC00bc"), split("\uD83D\uDE00 \uD835\uDC00bc"),
                "an emoji is a symbol token; U+1D400 MATHEMATICAL BOLD CAPITAL A is a letter");
        assertEquals(List.of("<", "unk", ">"), split("<unk>"));
        assertEquals(List.of(), split(" \t\r "));
        assertEquals(List.of(), split(""));
    }

    @Test
    void vocabularyIsSortedByFrequencyThenToken() {
        WordTokenizer t = WordTokenizer.fit("b a c a b a .\nzz", 1);
        assertEquals("word", t.kind());
        assertEquals(0, t.unknownId());
        // a:3, b:2, then count 1 in code point order: "\n" (10) < "." (46) < "c" < "zz"
        assertEquals(List.of("<unk>", "a", "b", "\n", ".", "c", "zz"), tokens(t));
        assertArrayEquals(new int[] {2, 1, 5, 1, 2, 1, 4, 3, 6}, t.encode("b a c a b a .\nzz"));
    }

    @Test
    void tiesAreBrokenByCodePointNotUtf16Order() {
        // U+FF21 FULLWIDTH A sorts before U+1D400 by code point, after it by UTF-16 unit (0xD835 < 0xFF21)
        WordTokenizer t = WordTokenizer.fit("\uD835\uDC00 \uFF21", 1);
        assertEquals(List.of("<unk>", "\uFF21", "\uD835\uDC00"), tokens(t));
    }

    @Test
    void tokensBelowMinFrequencyAreUnknown() {
        WordTokenizer t = WordTokenizer.fit("the cat and the dog and the bird", 2);
        assertEquals(List.of("<unk>", "the", "and"), tokens(t));
        assertEquals(2, t.minFrequency());
        assertArrayEquals(new int[] {1, 0, 2, 1, 0}, t.encode("the cat and the fish"));
        assertEquals("the <unk> and", t.decode(new int[] {1, 0, 2}, 0, 3));
        assertEquals(1, t.id("the"));
        assertEquals(0, t.id("cat"));
        assertThrows(IllegalArgumentException.class, () -> WordTokenizer.fit("a", 0));
        assertThrows(IllegalArgumentException.class, () -> WordTokenizer.fit(null, 1));
        assertThrows(IllegalArgumentException.class, () -> WordTokenizer.fit("a \uDC00", 1));
        WordTokenizer empty = WordTokenizer.fit("", 1);
        assertEquals(1, empty.vocabSize());
        assertArrayEquals(new int[] {0, 0}, empty.encode("a b"));
    }

    @Test
    void joinRuleOnHandExamples() {
        String[] lines = {
            "\"My dear Mr. Bennet,\" said his lady to him one day, \"have you heard that",
            "Netherfield Park is let at last?\"",
            "",
            "She had a drawing-back of youth (as she said) -- no--never; [sic] {x}: done!",
        };
        String text = String.join("\n", lines);
        WordTokenizer t = WordTokenizer.fit(text, 1);
        int[] ids = t.encode(text);
        assertEquals("\"My dear Mr. Bennet,\" said his lady to him one day, \"have you heard that\n"
                + "Netherfield Park is let at last?\"\n\n"
                + "She had a drawing-back of youth (as she said)--no--never; [sic] {x}: done!", t.decode(ids, 0, ids.length));
        WordTokenizer abc = WordTokenizer.fit("a , b . c", 1);
        assertEquals("a, b. c", abc.decode(abc.encode("a , b . c"), 0, 5));
        // quote parity counts within the decoded range only
        WordTokenizer q = WordTokenizer.fit("\" a \"", 1);
        int quote = q.id("\"");
        int a = q.id("a");
        assertEquals("\"a\" a \"a\"", q.decode(new int[] {quote, a, quote, a, quote, a, quote}, 0, 7));
        assertEquals("a \"a", q.decode(new int[] {quote, a, quote, a}, 1, 3), "the first quote of the range opens");
    }

    @Test
    void decodeAndTokenRejectBadIds() {
        WordTokenizer t = WordTokenizer.fit("a b", 1);
        assertEquals("token id 3 at index 0 is outside [0, 3)",
                assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {3}, 0, 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {1}, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> t.token(3));
        assertEquals("<unk>", t.token(0));
    }

    @Test
    void metadataEscapesSpacesNewlinesAndBackslashes() {
        WordTokenizer all = WordTokenizer.fit("a \\ b\n\nc a", 1);
        Map<String, String> m = all.toMetadata();
        assertEquals(List.of("tokenizer.kind", "tokenizer.version", "tokenizer.vocab_size", "tokenizer.unknown",
                "tokenizer.min_frequency", "tokenizer.vocab"), List.copyOf(m.keySet()));
        assertEquals("word", m.get("tokenizer.kind"));
        assertEquals("6", m.get("tokenizer.vocab_size"));
        assertEquals("<unk>", m.get("tokenizer.unknown"));
        assertEquals("1", m.get("tokenizer.min_frequency"));
        // "\n" x2, "a" x2, then "\\", "b", "c" by code point
        assertEquals("\\n a \\\\ b c", m.get("tokenizer.vocab"));
        assertEquals(all, Tokenizer.fromMetadata(m));
        assertEquals("", WordTokenizer.fit("", 4).toMetadata().get("tokenizer.vocab"));
        assertEquals(WordTokenizer.fit("", 4), Tokenizer.fromMetadata(WordTokenizer.fit("", 4).toMetadata()));
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(WordTokenizer.fit("x y y", 1).toMetadata());
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        return m;
    }

    private static String errorFor(Map<String, String> m) {
        return assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromMetadata(m)).getMessage();
    }

    @Test
    void corruptMetadataIsRejected() {
        assertEquals("y x", with("tokenizer.vocab", "y x").get("tokenizer.vocab"));
        assertEquals(WordTokenizer.fit("x y y", 1), Tokenizer.fromMetadata(with("x", "ignored")));
        assertEquals("tokenizer metadata: missing tokenizer.min_frequency", errorFor(with("tokenizer.min_frequency", null)));
        assertEquals("tokenizer metadata: missing tokenizer.vocab", errorFor(with("tokenizer.vocab", null)));
        assertTrue(errorFor(with("tokenizer.min_frequency", "0")).contains("tokenizer.min_frequency must be a positive"));
        assertTrue(errorFor(with("tokenizer.unknown", "\uFFFD")).contains("tokenizer.unknown of a word tokenizer must be \"<unk>\""));
        assertEquals("tokenizer metadata: tokenizer.vocab_size is 3 but tokenizer.vocab has 3 tokens (+1 unknown = 4)",
                errorFor(with("tokenizer.vocab", "y x z")));
        assertEquals("tokenizer metadata: tokenizer.vocab lists a token twice", errorFor(with("tokenizer.vocab", "y y")));
        assertTrue(errorFor(with("tokenizer.vocab", "y  x")).contains("token 2 is empty"));
        assertTrue(errorFor(with("tokenizer.vocab", "y ")).contains("is empty"));
        assertTrue(errorFor(with("tokenizer.vocab", "y \\t")).contains("bad escape"));
        assertTrue(errorFor(with("tokenizer.vocab", "y x\\")).contains("bad escape"));
        assertTrue(errorFor(with("tokenizer.vocab", "y x\\sz")).contains("is not one token under the split rule"));
        assertTrue(errorFor(with("tokenizer.vocab", "y <unk>")).contains("is not one token under the split rule"));
        assertTrue(errorFor(with("tokenizer.vocab", "y ab.")).contains("is not one token under the split rule"));
        assertTrue(errorFor(with("tokenizer.vocab", "y \uD800")).contains("unpaired surrogate"));
        assertTrue(errorFor(with("tokenizer.kind", "char")).contains("tokenizer.unknown of a char tokenizer"),
                "word metadata relabelled as char");
    }

    private static List<String> tokens(Tokenizer t) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < t.vocabSize(); i++) {
            out.add(t.token(i));
        }
        return out;
    }
}
