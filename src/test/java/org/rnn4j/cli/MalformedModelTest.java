package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file of the malformed-safetensors corpus, given to {@code rnn4j sample --model} and to
 * {@code rnn4j train --resume}, gives exit code 1 and exactly one line on stderr naming the file
 * and what is wrong; nothing on stdout, no stack trace.
 */
class MalformedModelTest {
    @TempDir
    Path dir;

    private final Cli cli = new Cli();
    private final ByteArrayOutputStream out = cli.out;
    private final ByteArrayOutputStream err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    private static List<Path> corpus() throws Exception {
        URL index = MalformedModelTest.class.getResource("/malformed/index.tsv");
        if (index == null) {
            throw new IllegalStateException("test resource /malformed/index.tsv not on the class path");
        }
        try (Stream<Path> s = Files.list(Path.of(index.toURI()).getParent())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted()
                    .collect(Collectors.toList());
        }
    }

    private void assertOneLine(String command, Path file) {
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.endsWith("\n") && e.indexOf('\n') == e.length() - 1 && e.indexOf('\r') < 0,
                () -> command + " " + file.getFileName() + ": stderr is not one line: " + e);
        assertTrue(e.startsWith("rnn4j " + command + ": " + file), () -> command + ": " + e);
        boolean malformed = e.contains(" is not a valid safetensors file: ");
        // The two valid files of the corpus are valid safetensors but no rnn4j checkpoints.
        boolean foreign = file.getFileName().toString().startsWith("ok_")
                && e.contains(" is not an rnn4j language-model checkpoint");
        assertTrue(malformed || foreign, () -> command + ": " + e);
        assertEquals("", out.toString(StandardCharsets.UTF_8), command);
    }

    @Test
    void sampleReportsEachMalformedModelInOneLine() throws Exception {
        List<Path> files = corpus();
        assertTrue(files.size() >= 60, "corpus of " + files.size() + " files");
        for (Path f : files) {
            assertEquals(1, run("sample", "--model", f.toString()), () -> f.getFileName() + ": " + err);
            assertOneLine("sample", f);
        }
    }

    @Test
    void trainResumeReportsEachMalformedModelInOneLine() throws Exception {
        Path text = Files.writeString(dir.resolve("t.txt"), "the cat sat on the mat. ".repeat(20));
        for (Path f : corpus()) {
            assertEquals(1, run("train", "--resume", f.toString(), "--text", text.toString(), "--threads", "1",
                    "--out", dir.resolve("out").toString()), () -> f.getFileName() + ": " + err);
            assertOneLine("train", f);
        }
    }
}
