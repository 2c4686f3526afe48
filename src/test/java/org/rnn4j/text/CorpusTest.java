package org.rnn4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {
    /** Recorded by tools/corpus/make_corpus.py (OUT_SHA256) and in LICENSE-austen.txt. */
    static final String EMBEDDED_SHA256 = "21cf93e0b46793fa81582013a23b52a7b04f3a6ba3ca11fb038da04f1c418eeb";
    static final int EMBEDDED_BYTES = 1_151_355;

    @TempDir
    Path dir;

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = Corpus.class.getResourceAsStream(name)) {
            assertTrue(in != null, name + " is on the class path");
            return in.readAllBytes();
        }
    }

    private static String error(Path p) {
        String msg = assertThrows(IllegalArgumentException.class, () -> Corpus.read(p)).getMessage();
        assertTrue(!msg.contains("\n"), "one line: " + msg);
        return msg;
    }

    // ---- the embedded corpus ----

    @Test
    void embeddedCorpusIsTheRecordedFileAndAtMostTwoMegabytes() throws IOException, NoSuchAlgorithmException {
        byte[] bytes = resource(Corpus.EMBEDDED_RESOURCE);
        assertEquals(EMBEDDED_BYTES, bytes.length);
        assertTrue(bytes.length <= 2 * 1024 * 1024, "at most 2 MB as shipped");
        assertEquals(EMBEDDED_SHA256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
                "the class-path copy is byte for byte what make_corpus.py wrote (no resource filtering)");
        assertEquals(new String(bytes, StandardCharsets.UTF_8), Corpus.embedded());
    }

    @Test
    void embeddedCorpusIsEnglishProse() {
        String text = Corpus.embedded();
        assertSame(text, Corpus.embedded(), "loaded once");
        assertTrue(text.startsWith("PRIDE AND PREJUDICE\n\nBy Jane Austen\n\nChapter 1\n\n"
                + "It is a truth universally acknowledged, that a single man in possession\n"), text.substring(0, 200));
        assertTrue(text.contains("\nPersuasion\n\nby\n\nJane Austen\n\n(1818)\n"));
        assertTrue(text.endsWith("\nFinis\n"));
        long ascii = text.chars().filter(c -> c < 128).count();
        assertEquals(text.length(), ascii, "ASCII only");
        long prose = text.chars().filter(c -> Character.isLetter(c) || c == ' ' || c == '\n' || ".,;:!?'\"-()".indexOf(c) >= 0).count();
        assertTrue(prose > 0.95 * text.length(), "letters, space and punctuation: " + prose + " of " + text.length());
        assertTrue(text.indexOf('\r') < 0 && text.indexOf('\t') < 0, "\\n line endings, no tabs");
        assertTrue(!text.contains("\n\n\n"), "at most one blank line in a row");
        assertTrue(!text.toLowerCase().contains("gutenberg"), "no Project Gutenberg boilerplate");
        String[] words = text.split("[^A-Za-z]+");
        long the = java.util.Arrays.stream(words).filter(w -> w.equalsIgnoreCase("the")).count();
        assertTrue(the > 5_000, "\"the\" appears " + the + " times");
        CharTokenizer chars = CharTokenizer.fit(text);
        assertEquals(78, chars.vocabSize(), "77 distinct characters + unknown");
        int[] ids = chars.encode(text);
        double h = Corpus.unigramEntropyNats(ids, 0, ids.length, chars.vocabSize());
        assertTrue(h > 2.9 && h < 3.2, "character unigram entropy " + h + " nats");
    }

    @Test
    void embeddedNameAndLicenceAreOneLineAndTheLicenceFileShips() throws IOException {
        assertEquals("Jane Austen, Pride and Prejudice (1813) and Persuasion (1818)", Corpus.embeddedName());
        String licence = Corpus.embeddedLicence();
        assertTrue(licence.startsWith("Public domain") && !licence.contains("\n"), licence);
        assertTrue(licence.contains("r-cran-janeaustenr 1.0.0-1") && licence.contains("LICENSE-austen.txt"), licence);
        String file = new String(resource(Corpus.EMBEDDED_LICENCE_RESOURCE), StandardCharsets.UTF_8);
        assertTrue(file.contains("Public domain."), file);
        assertTrue(file.contains(EMBEDDED_SHA256));
        assertTrue(file.contains("Permission is hereby granted, free of charge"), "the MIT notice of the package");
    }

    // ---- read ----

    @Test
    void readReturnsTheTextExactly() throws IOException {
        String s = "line one\r\nline two \uD83D\uDE00 caf\u00e9\n\u65e5\u672c";
        Path p = dir.resolve("ok.txt");
        Files.write(p, s.getBytes(StandardCharsets.UTF_8));
        assertEquals(s, Corpus.read(p), "CRLF and everything else kept");
        Files.write(p, ("\uFEFF" + s).getBytes(StandardCharsets.UTF_8));
        assertEquals(s, Corpus.read(p), "a leading byte order mark is dropped");
    }

    @Test
    void readRejectsMissingFilesAndDirectories() throws IOException {
        Path missing = dir.resolve("nope.txt");
        assertEquals("no such file: " + missing, error(missing));
        assertEquals("not a regular file (a directory): " + dir, error(dir));
        Path file = dir.resolve("f");
        Files.writeString(file, "x");
        assertEquals("no such file: " + file.resolve("g"), error(file.resolve("g")));
        assertThrows(IllegalArgumentException.class, () -> Corpus.read(null));
    }

    @Test
    void readRejectsEmptyFiles() throws IOException {
        Path empty = dir.resolve("empty.txt");
        Files.write(empty, new byte[0]);
        assertEquals("empty file: " + empty, error(empty));
        Files.write(empty, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        assertEquals("empty file (a byte order mark only): " + empty, error(empty));
    }

    @Test
    void readRejectsInvalidUtf8WithTheByteOffset() throws IOException {
        Path p = dir.resolve("bad.txt");
        Object[][] cases = {
            {new byte[] {'a', 'b', (byte) 0xFF, 'c'}, 2, "0xFF"},                        // never valid in UTF-8
            {new byte[] {'a', 'b', 'c', (byte) 0xC3, '('}, 3, "0xC3"},                  // lead byte without continuation
            {new byte[] {'x', (byte) 0x80}, 1, "0x80"},                                 // stray continuation byte
            {new byte[] {'x', 'y', (byte) 0xC0, (byte) 0xAF}, 2, "0xC0"},               // overlong '/'
            {new byte[] {'q', (byte) 0xED, (byte) 0xA0, (byte) 0x80}, 1, "0xED 0xA0 0x80"}, // UTF-8-encoded surrogate
            {new byte[] {'a', 'b', (byte) 0xE2, (byte) 0x82}, 2, "0xE2 0x82"},          // truncated at the end
            {new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80, 'a', (byte) 0xFE}, 5, "0xFE"}, // after a valid 4-byte char
        };
        for (Object[] c : cases) {
            Files.write(p, (byte[]) c[0]);
            String msg = error(p);
            assertEquals("invalid UTF-8 in " + p + " at byte offset " + c[1] + " (" + c[2] + ")", msg);
        }
    }

    // ---- unigram baseline ----

    @Test
    void unigramEntropyMatchesAHandComputation() {
        // counts 2, 1, 1 of 4: H = -(1/2 ln 1/2 + 2 * 1/4 ln 1/4) = 1.5 ln 2
        assertEquals(1.5 * Math.log(2), Corpus.unigramEntropyNats(new int[] {0, 0, 1, 2}, 0, 4, 3), 1e-15);
        assertEquals(1.0397207708399179, Corpus.unigramEntropyNats(new int[] {0, 0, 1, 2}, 0, 4, 3), 1e-15);
        // the range only, and unused vocabulary entries do not matter
        assertEquals(1.5 * Math.log(2), Corpus.unigramEntropyNats(new int[] {9, 5, 5, 1, 2, 9}, 1, 4, 10), 1e-15);
        assertEquals(0.0, Corpus.unigramEntropyNats(new int[] {3, 3, 3}, 0, 3, 4));
        assertEquals(Math.log(5), Corpus.unigramEntropyNats(new int[] {4, 3, 2, 1, 0}, 0, 5, 5), 1e-15);
    }

    @Test
    void heldOutUnigramUsesAddOneSmoothing() {
        // fit on [0, 0, 1], V = 3: p = (2+1, 1+1, 0+1) / (3+3) = 1/2, 1/3, 1/6
        int[] fit = {0, 0, 1};
        int[] eval = {2, 0};
        double expected = -(Math.log(1.0 / 6) + Math.log(1.0 / 2)) / 2; // = ln(12) / 2
        assertEquals(expected, Corpus.unigramEntropyNats(fit, 0, 3, eval, 0, 2, 3), 1e-15);
        assertEquals(Math.log(12) / 2, Corpus.unigramEntropyNats(fit, 0, 3, eval, 0, 2, 3), 1e-15);
        // one array, split: fit on the first three, evaluate on the last two
        assertEquals(expected, Corpus.unigramEntropyNats(new int[] {0, 0, 1, 2, 0}, 0, 3, 3, 2, 3), 1e-15);
        // nothing to fit on: uniform
        assertEquals(Math.log(7), Corpus.unigramEntropyNats(new int[0], 0, 0, new int[] {6, 1}, 0, 2, 7), 1e-15);
        assertTrue(Double.isFinite(Corpus.unigramEntropyNats(new int[] {0}, 0, 1, new int[] {1}, 0, 1, 2)),
                "an unseen token has finite loss");
    }

    @Test
    void unigramRejectsBadArguments() {
        int[] ids = {0, 1, 2};
        assertEquals("ids: the range must hold at least 1 token, got n = 0",
                assertThrows(IllegalArgumentException.class, () -> Corpus.unigramEntropyNats(ids, 0, 0, 3)).getMessage());
        assertEquals("ids[2] = 2 is outside [0, 2)",
                assertThrows(IllegalArgumentException.class, () -> Corpus.unigramEntropyNats(ids, 0, 3, 2)).getMessage());
        assertEquals("ids: range [2, 4) is outside [0, 3)",
                assertThrows(IllegalArgumentException.class, () -> Corpus.unigramEntropyNats(ids, 2, 2, 3)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Corpus.unigramEntropyNats(ids, -1, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> Corpus.unigramEntropyNats(ids, 0, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> Corpus.unigramEntropyNats(null, 0, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> Corpus.unigramEntropyNats(ids, 0, 3, ids, 0, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> Corpus.unigramEntropyNats(ids, 0, -1, ids, 0, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> Corpus.unigramEntropyNats(ids, 0, 3, new int[] {-1}, 0, 1, 3));
    }

    @Test
    void embeddedCorpusTokenizesForBothKinds() {
        String text = Corpus.embedded();
        CharTokenizer c = CharTokenizer.fit(text);
        assertEquals(text, c.decode(c.encode(text), 0, text.length()));
        WordTokenizer w = WordTokenizer.fit(text, 3);
        int[] ids = w.encode(text);
        assertTrue(w.vocabSize() > 3000 && w.vocabSize() < 20_000, "word vocabulary " + w.vocabSize());
        assertEquals("\n", w.token(w.id("\n")));
        assertTrue(w.id("Elizabeth's") > 0 && w.id("the") > 0);
        assertEquals("It is a truth universally acknowledged, that a single man in possession\nof",
                w.decode(ids, 14, 15));
        assertEquals(w, Tokenizer.fromMetadata(w.toMetadata()));
        assertArrayEquals(ids, Tokenizer.fromMetadata(w.toMetadata()).encode(text));
        int split = ids.length * 9 / 10;
        double train = Corpus.unigramEntropyNats(ids, 0, split, w.vocabSize());
        double val = Corpus.unigramEntropyNats(ids, 0, split, split, ids.length - split, w.vocabSize());
        assertTrue(train > 5 && val > train, "word unigram: train " + train + ", validation " + val);
    }
}
