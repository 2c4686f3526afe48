package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed corpus of malformed files ({@code src/test/resources/malformed}, written by
 * {@code tools/corpus/make_malformed.py}): every file, through every reader, fails with a
 * {@link SafetensorsException} whose message contains the fragment its index line names (or, for
 * the two valid files, reads the same everywhere). A file without an index line, or an index line
 * without a file, fails the build, so no file goes untested.
 */
class SafetensorsCorpusTest {
    /** One line of index.tsv. */
    static final class Case {
        final String file;
        final String expected;
        final String streamExpected;
        final String what;

        Case(String file, String expected, String streamExpected, String what) {
            this.file = file;
            this.expected = expected;
            this.streamExpected = streamExpected.equals("=") ? expected : streamExpected;
            this.what = what;
        }

        boolean valid() {
            return expected.equals("OK");
        }

        @Override
        public String toString() {
            return file + " (" + what + ")";
        }
    }

    static Path corpusDir() throws URISyntaxException {
        URL url = SafetensorsCorpusTest.class.getResource("/malformed/index.tsv");
        if (url == null) {
            throw new IllegalStateException("test resource /malformed/index.tsv not on the class path");
        }
        return Path.of(url.toURI()).getParent();
    }

    static List<Case> cases() throws IOException, URISyntaxException {
        List<Case> out = new ArrayList<>();
        for (String line : Files.readAllLines(corpusDir().resolve("index.tsv"), StandardCharsets.UTF_8)) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 4) {
                throw new IllegalStateException("index.tsv: expected 4 tab-separated fields, got " + f.length + ": " + line);
            }
            out.add(new Case(f[0], f[1], f[2], f[3]));
        }
        return out;
    }

    @Test
    void everyFileIsIndexedAndEveryIndexLineHasAFile() throws IOException, URISyntaxException {
        Set<String> present;
        try (Stream<Path> s = Files.list(corpusDir())) {
            present = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("index.tsv"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> indexed = new TreeSet<>();
        for (Case c : cases()) {
            assertTrue(indexed.add(c.file), "indexed twice: " + c.file);
        }
        Set<String> unindexed = new TreeSet<>(present);
        unindexed.removeAll(indexed);
        Set<String> missing = new TreeSet<>(indexed);
        missing.removeAll(present);
        assertTrue(unindexed.isEmpty() && missing.isEmpty(), "files without an index line: " + unindexed
                + "; index lines without a file: " + missing + " (regenerate with tools/corpus/make_malformed.py)");
        assertTrue(indexed.size() >= 60, "the corpus has only " + indexed.size() + " files");
        assertTrue(cases().stream().filter(Case::valid).count() <= 2, "only the base and the data bit flip are valid");
    }

    interface Read {
        SafetensorsFile read() throws IOException;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachReaderGivesTheIndexedOutcome(Case c) throws IOException, URISyntaxException {
        Path p = corpusDir().resolve(c.file);
        byte[] bytes = Files.readAllBytes(p);
        Read[] sized = {() -> Safetensors.read(bytes), () -> Safetensors.read(p), () -> Safetensors.map(p)};
        Read stream = () -> Safetensors.read(new ByteArrayInputStream(bytes));
        if (c.valid()) {
            SafetensorsFile f = Safetensors.read(bytes);
            for (Read r : new Read[] {sized[1], sized[2], stream}) {
                SafetensorsFile g = r.read();
                assertEquals(f.names(), g.names());
                assertEquals(f.tensors(), g.tensors());
                assertEquals(f.metadata(), g.metadata());
            }
            assertEquals(List.of("a", "b", "c"), f.names());
            return;
        }
        for (int i = 0; i < sized.length; i++) {
            assertFails(sized[i], c.expected, i == 0 ? "" : p + ": ", c);
        }
        assertFails(stream, c.streamExpected, "", c);
    }

    private static void assertFails(Read r, String fragment, String prefix, Case c) {
        SafetensorsException e = assertThrows(SafetensorsException.class, r::read, c.toString());
        String m = e.getMessage();
        assertTrue(m.contains(fragment), () -> c + ": message '" + m + "' lacks '" + fragment + "'");
        assertTrue(m.startsWith(prefix), () -> c + ": message '" + m + "' does not start with '" + prefix + "'");
        assertFalse(m.contains("\n") || m.contains("\r"), () -> c + ": multi-line message '" + m + "'");
    }

    /** The base and the valid bit flip differ only in that one element: the flip goes unnoticed. */
    @Test
    void theFlippedDataBitReadsAsADifferentValue() throws IOException, URISyntaxException {
        SafetensorsFile base = Safetensors.read(corpusDir().resolve("ok_base.safetensors"));
        SafetensorsFile flipped = Safetensors.read(corpusDir().resolve("ok_flipped_data_bit.safetensors"));
        float[] a = base.tensor("a").asFloats();
        float[] b = flipped.tensor("a").asFloats();
        assertEquals(1f, a[0]);
        assertEquals(Float.intBitsToFloat(Float.floatToRawIntBits(1f) ^ (1 << 24)), b[0]);
        for (int i = 1; i < a.length; i++) {
            assertEquals(a[i], b[i]);
        }
        assertEquals(base.tensor("b"), flipped.tensor("b"));
        assertEquals(base.tensor("c"), flipped.tensor("c"));
    }
}
