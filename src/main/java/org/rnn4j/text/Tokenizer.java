package org.rnn4j.text;

import java.util.Map;

/**
 * Maps text to token ids in {@code [0, vocabSize())} and back. Two kinds exist: {@link CharTokenizer}
 * (one token per Unicode code point) and {@link WordTokenizer} (words, punctuation and newlines).
 * Id {@link #unknownId()} (always 0) is the unknown token: {@link #encode} maps every symbol that is not
 * in the vocabulary to it.
 *
 * <p>A tokenizer is immutable and thread-safe, and is a pure function of the text it was fitted on
 * (and, for words, the minimum frequency): fitting the same text twice gives the same vocabulary in
 * the same order, and so the same ids.
 *
 * <p>{@link #toMetadata()} writes everything needed to rebuild it as string pairs under keys that
 * start with {@code tokenizer.}, meant for the {@code __metadata__} of a safetensors checkpoint;
 * {@link #fromMetadata} rebuilds an equal tokenizer (same ids, and the same metadata again) and
 * ignores keys that do not start with {@code tokenizer.}. The keys:
 *
 * <table>
 *   <caption>Tokenizer metadata</caption>
 *   <tr><th>key</th><th>value</th></tr>
 *   <tr><td>{@code tokenizer.kind}</td><td>{@code char} or {@code word}</td></tr>
 *   <tr><td>{@code tokenizer.version}</td><td>{@code 1}, the format of these entries</td></tr>
 *   <tr><td>{@code tokenizer.vocab_size}</td><td>V, decimal, counting the unknown token</td></tr>
 *   <tr><td>{@code tokenizer.unknown}</td><td>the text of token 0: U+FFFD for {@code char},
 *       {@code <unk>} for {@code word}</td></tr>
 *   <tr><td>{@code tokenizer.vocab}</td><td>tokens 1 … V−1 in id order; for {@code char} the
 *       code points written one after another (no separator), for {@code word} the tokens
 *       separated by one space, each escaped as {@code \\} for a backslash, {@code \n} for a
 *       newline and {@code \s} for a space</td></tr>
 *   <tr><td>{@code tokenizer.min_frequency}</td><td>{@code word} only: the minimum frequency it
 *       was fitted with, decimal (information; not needed to encode)</td></tr>
 * </table>
 */
public interface Tokenizer {

    /** @return {@code "char"} or {@code "word"} */
    String kind();

    /** @return V, the number of ids, counting the unknown token */
    int vocabSize();

    /** @return the id of the unknown token, which every tokenizer has; 0 for both kinds */
    int unknownId();

    /**
     * Splits {@code text} into tokens and returns their ids; symbols outside the vocabulary (and, for
     * characters, unpaired surrogates) become {@link #unknownId()}. Deterministic.
     *
     * @param text not null
     * @return a new array of ids, one per token
     */
    int[] encode(String text);

    /**
     * Joins the tokens {@code ids[off .. off+n)} back into text: the inverse of {@link #encode} for
     * known tokens. {@link CharTokenizer} concatenates the code points; {@link WordTokenizer} joins
     * with the spacing rule documented there. The unknown token decodes to {@link #token
     * token(unknownId())}.
     *
     * @throws IllegalArgumentException if the range is outside {@code ids} or an id is outside
     *                                  {@code [0, vocabSize())}
     */
    String decode(int[] ids, int off, int n);

    /**
     * @param id in {@code [0, vocabSize())}
     * @return the text of token {@code id}
     * @throws IllegalArgumentException for an id out of range
     */
    String token(int id);

    /**
     * @return the entries described in the class comment, in a fixed order; unmodifiable
     */
    Map<String, String> toMetadata();

    /**
     * Rebuilds a tokenizer from {@link #toMetadata()} entries; other keys are ignored.
     *
     * @param meta not null
     * @return a tokenizer equal to the one that wrote {@code meta}
     * @throws IllegalArgumentException naming the key, if an entry is missing, malformed or
     *                                  inconsistent with the others
     */
    static Tokenizer fromMetadata(Map<String, String> meta) {
        if (meta == null) {
            throw new IllegalArgumentException("tokenizer metadata must not be null");
        }
        String kind = TokenizerMetadata.require(meta, TokenizerMetadata.KIND);
        switch (kind) {
            case CharTokenizer.KIND:
                return CharTokenizer.fromMetadata(meta);
            case WordTokenizer.KIND:
                return WordTokenizer.fromMetadata(meta);
            default:
                throw new IllegalArgumentException("tokenizer metadata: " + TokenizerMetadata.KIND
                        + " must be \"char\" or \"word\", got " + TokenizerMetadata.quote(kind));
        }
    }
}
