package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic text files: replaced whole, nothing left behind on failure. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheFileAndLeavesNoTemporaryFile() throws Exception {
        Path f = dir.resolve("a.csv");
        AtomicFiles.writeString(f, "old\n");
        AtomicFiles.writeString(f, "new ü\n");
        assertEquals("new ü\n", Files.readString(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "only the target remains");
        }
    }

    @Test
    void aDirectoryIsNotReplacedAndNothingIsLeftBehind() throws Exception {
        Path d = Files.createDirectory(dir.resolve("sub"));
        assertThrows(java.nio.file.FileSystemException.class, () -> AtomicFiles.writeString(d, "x"));
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> AtomicFiles.writeString(dir.resolve("missing/x.txt"), "x"));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left");
        }
    }
}
