package org.rnn4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CharTokenizerTest {

    @Test
    void vocabularyIsSortedCodePointsAfterUnknown() {
        CharTokenizer t = CharTokenizer.fit("hello, world");
        assertEquals("char", t.kind());
        assertEquals(0, t.unknownId());
        // distinct: ' ' ',' 'd' 'e' 'h' 'l' 'o' 'r' 'w'
        assertEquals(10, t.vocabSize());
        assertEquals(CharTokenizer.UNKNOWN, t.token(0));
        assertEquals(" ", t.token(1));
        assertEquals(",", t.token(2));
        assertEquals("w", t.token(9));
        assertArrayEquals(new int[] {5, 4, 6, 6, 7, 2, 1, 9, 7, 8, 6, 3}, t.encode("hello, world"));
        assertEquals("hello, world", t.decode(t.encode("hello, world"), 0, 12));
        assertEquals("lo, w", t.decode(t.encode("hello, world"), 3, 5));
    }

    @Test
    void supplementaryCharactersAreOneTokenEach() {
        String s = "a\uD83D\uDE00b\uD834\uDD1E\uD83D\uDE00"; // a 😀 b 𝄞 😀
        CharTokenizer t = CharTokenizer.fit(s);
        assertEquals(5, t.vocabSize()); // unk, a, b, U+1D11E, U+1F600
        assertEquals("\uD834\uDD1E", t.token(3));
        assertEquals("\uD83D\uDE00", t.token(4));
        assertArrayEquals(new int[] {1, 4, 2, 3, 4}, t.encode(s));
        assertEquals(s, t.decode(t.encode(s), 0, 5));
        assertEquals(0x1D11E, t.token(3).codePointAt(0));
        assertEquals(3, t.id(0x1D11E));
    }

    @Test
    void unknownSymbolsEncodeAsZeroAndDecodeAsReplacementCharacter() {
        CharTokenizer t = CharTokenizer.fit("abc");
        assertArrayEquals(new int[] {1, 0, 3, 0, 0}, t.encode("axc\uD83D\uDE00\u00e9"));
        assertEquals("a\uFFFDc", t.decode(new int[] {1, 0, 3}, 0, 3));
        // an unpaired surrogate is not a character: unknown, one id
        assertArrayEquals(new int[] {1, 0, 2}, t.encode("a\uD800b"));
        assertArrayEquals(new int[] {0, 0}, t.encode("\uDC00\uD800"));
    }

    @Test
    void emptyTextGivesTheUnknownTokenAlone() {
        CharTokenizer t = CharTokenizer.fit("");
        assertEquals(1, t.vocabSize());
        assertArrayEquals(new int[] {0, 0}, t.encode("ab"));
        assertArrayEquals(new int[0], t.encode(""));
        assertEquals(t, Tokenizer.fromMetadata(t.toMetadata()));
    }

    @Test
    void replacementCharacterInTheTextIsAnOrdinaryToken() {
        CharTokenizer t = CharTokenizer.fit("a\uFFFD");
        assertEquals(3, t.vocabSize());
        assertEquals(2, t.encode("\uFFFD")[0]);
    }

    @Test
    void fitRejectsUnpairedSurrogates() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fit("ab\uD800c"));
        assertTrue(e.getMessage().contains("unpaired surrogate U+D800 at char index 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fit("\uDC00"));
        assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fit("x\uD83D"));
        assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fit(null));
    }

    @Test
    void decodeAndTokenRejectBadIdsAndRanges() {
        CharTokenizer t = CharTokenizer.fit("ab");
        assertEquals("token id 3 at index 1 is outside [0, 3)",
                assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {1, 3}, 0, 2)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {-1}, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {1, 2}, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {1, 2}, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> t.decode(null, 0, 0));
        assertEquals("", t.decode(new int[] {1, 2}, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> t.token(3));
        assertThrows(IllegalArgumentException.class, () -> t.token(-1));
    }

    @Test
    void metadataIsCompactAndDocumented() {
        CharTokenizer t = CharTokenizer.fit("ba\n\"\uD83D\uDE00");
        Map<String, String> m = t.toMetadata();
        assertEquals(List.of("tokenizer.kind", "tokenizer.version", "tokenizer.vocab_size", "tokenizer.unknown",
                "tokenizer.vocab"), List.copyOf(m.keySet()));
        assertEquals("char", m.get("tokenizer.kind"));
        assertEquals("1", m.get("tokenizer.version"));
        assertEquals("6", m.get("tokenizer.vocab_size"));
        assertEquals("\uFFFD", m.get("tokenizer.unknown"));
        assertEquals("\n\"ab\uD83D\uDE00", m.get("tokenizer.vocab"));
        assertThrows(UnsupportedOperationException.class, () -> m.put("x", "y"));
    }

    @Test
    void fromMetadataIgnoresOtherKeys() {
        CharTokenizer t = CharTokenizer.fit("xyz");
        Map<String, String> m = new LinkedHashMap<>(t.toMetadata());
        m.put("model.hidden", "128");
        m.put("format", "pt");
        assertEquals(t, Tokenizer.fromMetadata(m));
    }

    private static String errorFor(Map<String, String> m) {
        return assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromMetadata(m)).getMessage();
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(CharTokenizer.fit("abc").toMetadata());
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        return m;
    }

    @Test
    void corruptMetadataIsRejectedWithTheKeyNamed() {
        assertEquals("tokenizer metadata must not be null",
                assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromMetadata(null)).getMessage());
        assertEquals("tokenizer metadata: missing tokenizer.kind", errorFor(Map.of()));
        assertEquals("tokenizer metadata: missing tokenizer.kind", errorFor(with("tokenizer.kind", null)));
        assertEquals("tokenizer metadata: missing tokenizer.vocab", errorFor(with("tokenizer.vocab", null)));
        assertEquals("tokenizer metadata: missing tokenizer.vocab_size", errorFor(with("tokenizer.vocab_size", null)));
        assertEquals("tokenizer metadata: missing tokenizer.version", errorFor(with("tokenizer.version", null)));
        assertEquals("tokenizer metadata: missing tokenizer.unknown", errorFor(with("tokenizer.unknown", null)));
        assertEquals("tokenizer metadata: tokenizer.kind must be \"char\" or \"word\", got \"bpe\"",
                errorFor(with("tokenizer.kind", "bpe")));
        assertEquals("tokenizer metadata: tokenizer.version must be 1, got \"2\"", errorFor(with("tokenizer.version", "2")));
        assertTrue(errorFor(with("tokenizer.unknown", "<unk>")).contains("tokenizer.unknown of a char tokenizer"));
        for (String bad : new String[] {"", "-4", "4.0", "x", "04", "0", "99999999999", " 4"}) {
            assertTrue(errorFor(with("tokenizer.vocab_size", bad)).startsWith(
                    "tokenizer metadata: tokenizer.vocab_size must be a positive decimal integer"), bad);
        }
        assertEquals("tokenizer metadata: tokenizer.vocab_size is 5 but tokenizer.vocab has 3 code points (+1 unknown = 4)",
                errorFor(with("tokenizer.vocab_size", "5")));
        assertTrue(errorFor(with("tokenizer.vocab", "acb")).contains("distinct code points in increasing order"));
        assertTrue(errorFor(with("tokenizer.vocab", "abb")).contains("distinct code points in increasing order"));
        assertTrue(errorFor(with("tokenizer.vocab", "a\uD800c")).contains("unpaired surrogate"));
    }

    @Test
    void equalityFollowsTheVocabulary() {
        assertEquals(CharTokenizer.fit("abcabc"), CharTokenizer.fit("cba"));
        assertEquals(CharTokenizer.fit("abcabc").hashCode(), CharTokenizer.fit("cba").hashCode());
        assertTrue(!CharTokenizer.fit("ab").equals(CharTokenizer.fit("abc")));
        assertTrue(!CharTokenizer.fit("ab").equals(WordTokenizer.fit("ab", 1)));
    }
}
