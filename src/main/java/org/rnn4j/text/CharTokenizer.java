package org.rnn4j.text;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One token per Unicode code point. The vocabulary is the distinct code points of the fitting text
 * sorted by code point value, at ids 1 … V−1; id 0 is the unknown token, which decodes to U+FFFD
 * (REPLACEMENT CHARACTER). A supplementary character (outside the Basic Multilingual Plane, two
 * {@code char}s in a Java string) is one token, never two surrogates. If the text itself contains
 * U+FFFD, that code point is an ordinary token as well.
 *
 * <p>{@link #encode} returns one id per code point; an unpaired surrogate, which is not a Unicode
 * character, encodes as the unknown token. {@link #decode} is the exact inverse for known ids:
 * {@code decode(encode(s)) == s} for every string {@code s} whose code points are all in the
 * vocabulary.
 */
public final class CharTokenizer implements Tokenizer {
    static final String KIND = "char";
    /** The text of the unknown token: U+FFFD REPLACEMENT CHARACTER. */
    public static final String UNKNOWN = "\uFFFD";

    /** Sorted, distinct code points; token id = index + 1. */
    private final int[] codePoints;
    /** ASCII fast path: id of code point c < 128, or 0. */
    private final int[] ascii = new int[128];

    private CharTokenizer(int[] sortedCodePoints) {
        this.codePoints = sortedCodePoints;
        for (int i = 0; i < codePoints.length && codePoints[i] < 128; i++) {
            ascii[codePoints[i]] = i + 1;
        }
    }

    /**
     * Fits the vocabulary: the distinct code points of {@code text}, sorted.
     *
     * @param text not null; may be empty (then the vocabulary is the unknown token alone)
     * @throws IllegalArgumentException if {@code text} contains an unpaired surrogate (not a Unicode
     *                                  character; strict UTF-8 input never has one)
     */
    public static CharTokenizer fit(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        int bad = TokenizerMetadata.unpairedSurrogate(text);
        if (bad >= 0) {
            throw new IllegalArgumentException("text has an unpaired surrogate U+"
                    + Integer.toHexString(text.charAt(bad)).toUpperCase() + " at char index " + bad);
        }
        return new CharTokenizer(text.codePoints().distinct().sorted().toArray());
    }

    static CharTokenizer fromMetadata(Map<String, String> meta) {
        int vocabSize = TokenizerMetadata.checkHead(meta, KIND, UNKNOWN);
        String vocab = TokenizerMetadata.require(meta, TokenizerMetadata.VOCAB);
        int bad = TokenizerMetadata.unpairedSurrogate(vocab);
        if (bad >= 0) {
            throw new IllegalArgumentException("tokenizer metadata: " + TokenizerMetadata.VOCAB
                    + " has an unpaired surrogate at char index " + bad);
        }
        int[] cps = vocab.codePoints().toArray();
        for (int i = 1; i < cps.length; i++) {
            if (cps[i] <= cps[i - 1]) {
                throw new IllegalArgumentException("tokenizer metadata: " + TokenizerMetadata.VOCAB
                        + " must list distinct code points in increasing order; U+" + Integer.toHexString(cps[i]).toUpperCase()
                        + " follows U+" + Integer.toHexString(cps[i - 1]).toUpperCase() + " at position " + i);
            }
        }
        if (cps.length + 1 != vocabSize) {
            throw new IllegalArgumentException("tokenizer metadata: " + TokenizerMetadata.VOCAB_SIZE + " is " + vocabSize
                    + " but " + TokenizerMetadata.VOCAB + " has " + cps.length + " code points (+1 unknown = "
                    + (cps.length + 1) + ")");
        }
        return new CharTokenizer(cps);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int vocabSize() {
        return codePoints.length + 1;
    }

    @Override
    public int unknownId() {
        return 0;
    }

    /**
     * @return the id of code point {@code cp}, or {@link #unknownId()} if it is not in the vocabulary
     */
    public int id(int cp) {
        if (cp >= 0 && cp < 128) {
            return ascii[cp];
        }
        int i = Arrays.binarySearch(codePoints, cp);
        return i >= 0 ? i + 1 : 0;
    }

    @Override
    public int[] encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        int[] ids = new int[text.codePointCount(0, text.length())];
        int k = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            ids[k++] = id(cp); // an unpaired surrogate is never in the vocabulary: 0
            i += Character.charCount(cp);
        }
        return ids;
    }

    @Override
    public String decode(int[] ids, int off, int n) {
        TokenizerMetadata.checkRange(ids, off, n);
        StringBuilder sb = new StringBuilder(n);
        for (int i = off; i < off + n; i++) {
            int id = ids[i];
            if (id < 0 || id > codePoints.length) {
                throw TokenizerMetadata.badId(id, vocabSize(), i);
            }
            if (id == 0) {
                sb.append(UNKNOWN);
            } else {
                sb.appendCodePoint(codePoints[id - 1]);
            }
        }
        return sb.toString();
    }

    @Override
    public String token(int id) {
        if (id < 0 || id > codePoints.length) {
            throw new IllegalArgumentException("token id " + id + " is outside [0, " + vocabSize() + ")");
        }
        return id == 0 ? UNKNOWN : new String(Character.toChars(codePoints[id - 1]));
    }

    @Override
    public Map<String, String> toMetadata() {
        LinkedHashMap<String, String> m = TokenizerMetadata.head(KIND, vocabSize(), UNKNOWN);
        m.put(TokenizerMetadata.VOCAB, new String(codePoints, 0, codePoints.length));
        return TokenizerMetadata.freeze(m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CharTokenizer && Arrays.equals(codePoints, ((CharTokenizer) o).codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }

    @Override
    public String toString() {
        return "CharTokenizer[vocabSize=" + vocabSize() + "]";
    }
}
