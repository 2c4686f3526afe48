package org.rnn4j.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Words, punctuation and newlines as tokens.
 *
 * <p><b>Split rule.</b> The text is scanned by code point, left to right:
 * <ol>
 *   <li>a newline, U+000A, is a token of its own ({@code "\n"});</li>
 *   <li>any other whitespace ({@link Character#isWhitespace} or {@link Character#isSpaceChar}: space,
 *       tab, carriage return, no-break space, …) separates tokens and is dropped, so {@code "\r\n"}
 *       gives the one token {@code "\n"};</li>
 *   <li>a <i>word</i> is a maximal run of word characters — letters and digits
 *       ({@link Character#isLetterOrDigit}), combining marks (categories Mn, Mc, Me) and {@code _} —
 *       in which an apostrophe (U+0027 {@code '} or U+2019 {@code ’}) standing between two word
 *       characters is part of the word: {@code don't}, {@code Elizabeth's} and {@code o'clock} are
 *       one token each, {@code 'tis} is {@code '} + {@code tis}, {@code Bennets'} is {@code Bennets}
 *       + {@code '};</li>
 *   <li>every other code point (punctuation, symbols, control characters) is a token of its own:
 *       {@code --} is two {@code -} tokens, {@code ...} three {@code .} tokens.</li>
 * </ol>
 * The character classes are those of the running JDK's Unicode version; a letter added in a later
 * Unicode version is a symbol to an older JDK (so a vocabulary holding such a word, written on a newer
 * JDK, is rejected by {@link Tokenizer#fromMetadata} on the older one).
 *
 * <p><b>Vocabulary.</b> Id 0 is the unknown token {@code <unk>}; ids 1 … V−1 are the distinct tokens
 * of the fitting text that occur at least {@code minFrequency} times, sorted by frequency, highest
 * first, ties by the token's code points in increasing order. {@link #encode} maps every other token
 * to 0. (The split rule never produces {@code <unk>} from text: it is the three tokens {@code <},
 * {@code unk}, {@code >}.)
 *
 * <p><b>Join rule</b> ({@link #decode}). Tokens are joined with one space, except that there is no
 * space
 * <ul>
 *   <li>before or after {@code "\n"};</li>
 *   <li>before <code>. , ; : ! ? ) ] &#125;</code>;</li>
 *   <li>after <code>( [ &#123;</code>;</li>
 *   <li>before or after {@code -};</li>
 *   <li>after an opening or before a closing double quote {@code "}: within the decoded range the
 *       1st, 3rd, 5th … {@code "} is taken as opening and the 2nd, 4th … as closing.</li>
 * </ul>
 * So {@code "My dear Mr. Bennet," said his lady.} and {@code drawing-back} come back as they were;
 * the spacing of other text is normalized ({@code a , b} decodes as {@code a, b}). For every sequence
 * of ids other than the unknown id 0, {@code encode(decode(ids))} equals {@code ids}.
 */
public final class WordTokenizer implements Tokenizer {
    static final String KIND = "word";
    /** The text of the unknown token, id 0. */
    public static final String UNKNOWN = "<unk>";

    private final String[] tokens; // id -> token; tokens[0] = UNKNOWN
    private final Map<String, Integer> ids;
    private final int minFrequency;

    private WordTokenizer(String[] tokens, int minFrequency) {
        this.tokens = tokens;
        this.minFrequency = minFrequency;
        this.ids = new HashMap<>(tokens.length * 2);
        for (int i = 1; i < tokens.length; i++) {
            ids.put(tokens[i], i);
        }
    }

    /**
     * Fits the vocabulary on {@code text}.
     *
     * @param text not null; may be empty (then the vocabulary is {@code <unk>} alone)
     * @param minFrequency {@code >= 1}; tokens seen fewer times are left out and encode as {@code <unk>}
     * @throws IllegalArgumentException for {@code minFrequency < 1} or a text with an unpaired surrogate
     */
    public static WordTokenizer fit(String text, int minFrequency) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        if (minFrequency < 1) {
            throw new IllegalArgumentException("minFrequency must be >= 1, got " + minFrequency);
        }
        int bad = TokenizerMetadata.unpairedSurrogate(text);
        if (bad >= 0) {
            throw new IllegalArgumentException("text has an unpaired surrogate U+"
                    + Integer.toHexString(text.charAt(bad)).toUpperCase() + " at char index " + bad);
        }
        Map<String, int[]> counts = new HashMap<>();
        for (String t : split(text)) {
            counts.computeIfAbsent(t, k -> new int[1])[0]++;
        }
        List<Map.Entry<String, int[]>> kept = new ArrayList<>();
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            if (e.getValue()[0] >= minFrequency) {
                kept.add(e);
            }
        }
        kept.sort((a, b) -> {
            int c = Integer.compare(b.getValue()[0], a.getValue()[0]);
            return c != 0 ? c : TokenizerMetadata.compareCodePoints(a.getKey(), b.getKey());
        });
        String[] tokens = new String[kept.size() + 1];
        tokens[0] = UNKNOWN;
        for (int i = 0; i < kept.size(); i++) {
            tokens[i + 1] = kept.get(i).getKey();
        }
        return new WordTokenizer(tokens, minFrequency);
    }

    /**
     * Splits {@code text} by the split rule in the class comment.
     *
     * @param text not null
     * @return the tokens in order
     */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int len = text.length();
        while (i < len) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (cp == '\n') {
                out.add("\n");
                i = next;
            } else if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                i = next;
            } else if (isWordChar(cp)) {
                int end = next;
                while (end < len) {
                    int c = text.codePointAt(end);
                    if (isWordChar(c)) {
                        end += Character.charCount(c);
                    } else if ((c == '\'' || c == '\u2019') && end + 1 < len && isWordChar(text.codePointAt(end + 1))) {
                        end += 1; // the apostrophe; the word character after it is taken next round
                    } else {
                        break;
                    }
                }
                out.add(text.substring(i, end));
                i = end;
            } else {
                out.add(text.substring(i, next));
                i = next;
            }
        }
        return out;
    }

    private static boolean isWordChar(int cp) {
        if (cp == '_' || Character.isLetterOrDigit(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    static WordTokenizer fromMetadata(Map<String, String> meta) {
        int vocabSize = TokenizerMetadata.checkHead(meta, KIND, UNKNOWN);
        int minFrequency = TokenizerMetadata.positiveInt(meta, TokenizerMetadata.MIN_FREQUENCY);
        String vocab = TokenizerMetadata.require(meta, TokenizerMetadata.VOCAB);
        int bad = TokenizerMetadata.unpairedSurrogate(vocab);
        if (bad >= 0) {
            throw new IllegalArgumentException("tokenizer metadata: " + TokenizerMetadata.VOCAB
                    + " has an unpaired surrogate at char index " + bad);
        }
        List<String> list = new ArrayList<>();
        list.add(UNKNOWN);
        if (!vocab.isEmpty()) {
            for (String escaped : vocab.split(" ", -1)) {
                String t = unescape(escaped, list.size());
                List<String> parts = split(t);
                if (parts.size() != 1 || !parts.get(0).equals(t)) {
                    throw new IllegalArgumentException("tokenizer metadata: " + TokenizerMetadata.VOCAB + " token "
                            + list.size() + " " + TokenizerMetadata.quote(t) + " is not one token under the split rule");
                }
                list.add(t);
            }
        }
        if (list.size() != vocabSize) {
            throw new IllegalArgumentException("tokenizer metadata: " + TokenizerMetadata.VOCAB_SIZE + " is " + vocabSize
                    + " but " + TokenizerMetadata.VOCAB + " has " + (list.size() - 1) + " tokens (+1 unknown = "
                    + list.size() + ")");
        }
        WordTokenizer w = new WordTokenizer(list.toArray(new String[0]), minFrequency);
        if (w.ids.size() != vocabSize - 1) {
            throw new IllegalArgumentException("tokenizer metadata: " + TokenizerMetadata.VOCAB + " lists a token twice");
        }
        return w;
    }

    private static String escape(String t) {
        StringBuilder sb = new StringBuilder(t.length() + 2);
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            switch (c) {
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case ' ': sb.append("\\s"); break;
                default: sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String unescape(String s, int id) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("tokenizer metadata: " + TokenizerMetadata.VOCAB + " token " + id
                    + " is empty (two spaces in a row, or a leading or trailing space)");
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = i + 1 < s.length() ? s.charAt(++i) : 0;
            switch (e) {
                case '\\': sb.append('\\'); break;
                case 'n': sb.append('\n'); break;
                case 's': sb.append(' '); break;
                default:
                    throw new IllegalArgumentException("tokenizer metadata: " + TokenizerMetadata.VOCAB + " token " + id
                            + " " + TokenizerMetadata.quote(s) + " has a bad escape; only \\\\, \\n and \\s are defined");
            }
        }
        return sb.toString();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public int unknownId() {
        return 0;
    }

    /** @return the minimum frequency this tokenizer was fitted with */
    public int minFrequency() {
        return minFrequency;
    }

    /**
     * @return the id of {@code token}, or {@link #unknownId()} if it is not in the vocabulary
     */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? 0 : id;
    }

    @Override
    public int[] encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        List<String> parts = split(text);
        int[] out = new int[parts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = id(parts.get(i));
        }
        return out;
    }

    @Override
    public String decode(int[] ids, int off, int n) {
        TokenizerMetadata.checkRange(ids, off, n);
        StringBuilder sb = new StringBuilder(n * 6);
        String prev = null;
        boolean prevOpens = false; // prev was "(", "[", "{", "-", "\n" or an opening quote
        int quotes = 0;
        for (int i = off; i < off + n; i++) {
            int id = ids[i];
            if (id < 0 || id >= tokens.length) {
                throw TokenizerMetadata.badId(id, tokens.length, i);
            }
            String t = tokens[id];
            boolean closes; // no space before t
            boolean opens; // no space after t
            if (t.equals("\"")) {
                quotes++;
                opens = (quotes & 1) == 1;
                closes = !opens;
            } else {
                closes = t.length() == 1 && ".,;:!?)]}-\n".indexOf(t.charAt(0)) >= 0;
                opens = t.length() == 1 && "([{-\n".indexOf(t.charAt(0)) >= 0;
            }
            if (prev != null && !closes && !prevOpens) {
                sb.append(' ');
            }
            sb.append(t);
            prev = t;
            prevOpens = opens;
        }
        return sb.toString();
    }

    @Override
    public String token(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id " + id + " is outside [0, " + tokens.length + ")");
        }
        return tokens[id];
    }

    @Override
    public Map<String, String> toMetadata() {
        LinkedHashMap<String, String> m = TokenizerMetadata.head(KIND, vocabSize(), UNKNOWN);
        m.put(TokenizerMetadata.MIN_FREQUENCY, Integer.toString(minFrequency));
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < tokens.length; i++) {
            if (i > 1) {
                sb.append(' ');
            }
            sb.append(escape(tokens[i]));
        }
        m.put(TokenizerMetadata.VOCAB, sb.toString());
        return TokenizerMetadata.freeze(m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WordTokenizer && Arrays.equals(tokens, ((WordTokenizer) o).tokens)
                && minFrequency == ((WordTokenizer) o).minFrequency;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokens) * 31 + minFrequency;
    }

    @Override
    public String toString() {
        return "WordTokenizer[vocabSize=" + vocabSize() + ", minFrequency=" + minFrequency + "]";
    }
}
