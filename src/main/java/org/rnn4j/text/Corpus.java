package org.rnn4j.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Text to train on: the corpus embedded in the jar, files read as strict UTF-8, and the unigram
 * baseline a language model has to beat.
 *
 * <p><b>The embedded corpus</b> is Jane Austen's <i>Pride and Prejudice</i> (1813) followed by
 * <i>Persuasion</i> (1818): 1,151,355 bytes of plain ASCII English prose with {@code \n} line
 * endings, hard-wrapped at about 70 columns as in the Project Gutenberg editions, paragraphs separated
 * by one blank line. The texts are in the public domain; they were taken from the Debian package
 * {@code r-cran-janeaustenr} 1.0.0-1 (MIT-licensed) by {@code tools/corpus/make_corpus.py}, which
 * documents the source files, their SHA-256 sums and the cleaning. The jar carries the provenance and
 * licence statement next to the text, as {@code org/rnn4j/corpus/LICENSE-austen.txt}.
 */
public final class Corpus {
    private Corpus() {}

    /** Class-path resource of the embedded corpus text. */
    public static final String EMBEDDED_RESOURCE = "/org/rnn4j/corpus/austen.txt";
    /** Class-path resource of its licence and provenance statement. */
    public static final String EMBEDDED_LICENCE_RESOURCE = "/org/rnn4j/corpus/LICENSE-austen.txt";

    private static final class Embedded {
        static final String TEXT = load();

        private static String load() {
            try (InputStream in = Corpus.class.getResourceAsStream(EMBEDDED_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("embedded corpus resource " + EMBEDDED_RESOURCE + " is missing from the class path");
                }
                byte[] bytes = in.readAllBytes();
                String text = decodeStrict(bytes);
                if (text == null) {
                    throw new IllegalStateException("embedded corpus resource " + EMBEDDED_RESOURCE + " is not valid UTF-8");
                }
                return text;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read embedded corpus resource " + EMBEDDED_RESOURCE, e);
            }
        }
    }

    /**
     * @return the embedded corpus (see the class comment), decoded as UTF-8; loaded once and cached
     * @throws IllegalStateException if the resource is missing (a broken jar)
     */
    public static String embedded() {
        return Embedded.TEXT;
    }

    /** @return a human-readable name of the embedded corpus */
    public static String embeddedName() {
        return "Jane Austen, Pride and Prejudice (1813) and Persuasion (1818)";
    }

    /** @return one line: the licence and provenance of the embedded corpus */
    public static String embeddedLicence() {
        return "Public domain (Jane Austen, 1775-1817; Project Gutenberg eBooks #1342 and #105, without the"
                + " Project Gutenberg header and footer), from the Debian package r-cran-janeaustenr 1.0.0-1"
                + " (MIT); see " + EMBEDDED_LICENCE_RESOURCE.substring(1);
    }

    /**
     * Reads a text file as strict UTF-8: malformed or truncated byte sequences are errors, not replaced.
     * A leading byte order mark (U+FEFF) is dropped; nothing else is changed (line endings stay as they
     * are).
     *
     * @param file not null
     * @return the text, not empty
     * @throws IllegalArgumentException with a one-line message naming the file, if it does not exist,
     *                                  is not a regular file (a directory, say), is empty, is not valid
     *                                  UTF-8 (the message gives the byte offset of the first bad byte) or
     *                                  cannot be read
     */
    public static String read(Path file) {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a regular file" + (Files.isDirectory(file) ? " (a directory)" : "")
                    + ": " + file);
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("file too large (" + size + " bytes; at most 2 GiB): " + file);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + file);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e);
        }
        if (bytes.length == 0) {
            throw new IllegalArgumentException("empty file: " + file);
        }
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never has more chars than bytes
        CoderResult r = dec.decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            StringBuilder hex = new StringBuilder();
            for (int i = at; i < Math.min(bytes.length, at + r.length()); i++) {
                hex.append(hex.length() == 0 ? "" : " ").append(String.format("0x%02X", bytes[i] & 0xff));
            }
            throw new IllegalArgumentException("invalid UTF-8 in " + file + " at byte offset " + at + " (" + hex + ")");
        }
        dec.flush(out);
        out.flip();
        String text = out.toString();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty file (a byte order mark only): " + file);
        }
        return text;
    }

    /** Strict UTF-8 decoding; null if the bytes are not valid UTF-8. */
    private static String decodeStrict(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * The entropy, in nats per token, of the tokens {@code ids[off .. off+n)} under the unigram model
     * fitted on those same tokens by maximum likelihood, p(v) = count(v) / n:
     * <pre>
     * H = −Σ_v (count(v)/n) · ln(count(v)/n)
     * </pre>
     * This is the in-sample baseline: the loss of a model that ignores all context and has memorized
     * the token frequencies of exactly this text. A language model's training loss should fall well
     * below it; to compare a <i>validation</i> loss, use the two-range overload, which fits on the
     * training range and evaluates on the validation range.
     *
     * @param ids token ids, each in {@code [0, vocabSize)}
     * @param n {@code >= 1}
     * @param vocabSize {@code >= 1}
     * @throws IllegalArgumentException for a bad range, {@code n < 1} or an id out of range
     */
    public static double unigramEntropyNats(int[] ids, int off, int n, int vocabSize) {
        long[] counts = count(ids, off, n, vocabSize, "ids", 1);
        double sum = 0;
        for (long c : counts) {
            if (c > 0) {
                sum += c * Math.log((double) c / n);
            }
        }
        return 0.0 - sum / n; // 0.0, not -0.0, for a single distinct token
    }

    /**
     * The cross-entropy, in nats per token, of the evaluation tokens {@code evalIds[evalOff ..
     * evalOff+evalN)} under the unigram model fitted on {@code fitIds[fitOff .. fitOff+fitN)} with
     * add-one (Laplace) smoothing, so that a token never seen in the fitting range still gets a
     * finite loss:
     * <pre>
     * p(v) = (count_fit(v) + 1) / (fitN + vocabSize)
     * H    = −(1/evalN) Σ_t ln p(eval_t)
     * </pre>
     * With {@code fitN = 0} the model is uniform and H = ln(vocabSize). This is the baseline for a
     * validation loss: fit on the training range, evaluate on the held-out range.
     *
     * @param fitN {@code >= 0}
     * @param evalN {@code >= 1}
     * @param vocabSize {@code >= 1}; every id in both ranges must lie in {@code [0, vocabSize)}
     * @throws IllegalArgumentException for a bad range, {@code evalN < 1} or an id out of range
     */
    public static double unigramEntropyNats(int[] fitIds, int fitOff, int fitN,
                                            int[] evalIds, int evalOff, int evalN, int vocabSize) {
        long[] counts = count(fitIds, fitOff, fitN, vocabSize, "fitIds", 0);
        long[] evalCounts = count(evalIds, evalOff, evalN, vocabSize, "evalIds", 1);
        double denom = (double) fitN + vocabSize;
        double sum = 0;
        for (int v = 0; v < vocabSize; v++) {
            if (evalCounts[v] > 0) {
                sum += evalCounts[v] * Math.log((counts[v] + 1) / denom);
            }
        }
        return -sum / evalN;
    }

    /**
     * The two-range overload on one array, for a split of one encoded text: fit on {@code ids[fitOff ..
     * fitOff+fitN)}, evaluate on {@code ids[evalOff .. evalOff+evalN)}, add-one smoothing.
     */
    public static double unigramEntropyNats(int[] ids, int fitOff, int fitN, int evalOff, int evalN, int vocabSize) {
        return unigramEntropyNats(ids, fitOff, fitN, ids, evalOff, evalN, vocabSize);
    }

    private static long[] count(int[] ids, int off, int n, int vocabSize, String name, int minN) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
        }
        if (ids == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (n < minN) {
            throw new IllegalArgumentException(name + ": the range must hold at least " + minN + " token"
                    + (minN == 1 ? "" : "s") + ", got n = " + n);
        }
        if (off < 0 || (long) off + n > ids.length) {
            throw new IllegalArgumentException(name + ": range [" + off + ", " + ((long) off + n) + ") is outside [0, "
                    + ids.length + ")");
        }
        long[] counts = new long[vocabSize];
        for (int i = off; i < off + n; i++) {
            int id = ids[i];
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException(name + "[" + i + "] = " + id + " is outside [0, " + vocabSize + ")");
            }
            counts[id]++;
        }
        return counts;
    }
}
