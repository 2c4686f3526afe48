package org.rnn4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files replaced atomically: the content goes to a temporary file next to the target, is forced to
 * disk, and is moved over the target in one rename, so a reader sees the old file or the complete
 * new one, never a part; on any failure the temporary file is removed and the target is untouched.
 * {@link Safetensors#write} follows the same protocol.
 *
 * <p>A process killed mid-write cannot clean up: the target is still the complete old file, and a
 * stale {@code .NAME.RANDOM.tmp} may remain beside it (safe to delete; {@code SafetensorsKillTest}
 * kills writers at every stage to check both).
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * Writes {@code content} as UTF-8 to {@code file}, atomically.
     *
     * @param file the target; its directory must exist; not a directory
     * @param content the text; not null
     * @throws IOException if writing fails (the target is then unchanged)
     */
    public static void writeString(Path file, String content) throws IOException {
        if (content == null) {
            throw new IllegalArgumentException("content must not be null");
        }
        write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes {@code bytes} to {@code file}, atomically.
     *
     * @param file the target; its directory must exist; not a directory
     * @param bytes the content; not null; read only
     * @throws IOException if writing fails (the target is then unchanged)
     */
    public static void write(Path file, byte[] bytes) throws IOException {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        replace(file, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** Writes the new content of a file into an open channel. */
    interface Body {
        void writeTo(FileChannel ch) throws IOException;
    }

    /**
     * The protocol: {@code body} fills a temporary file next to {@code file}, which is forced to disk
     * and renamed over {@code file}; on any failure (of the body included) the temporary file is
     * deleted and {@code file} is untouched.
     */
    static void replace(Path file, Body body) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null) {
            throw new IllegalArgumentException("file must name a file inside a directory, got " + file);
        }
        if (Files.isDirectory(target)) {
            throw new FileSystemException(target.toString(), null, "is a directory, not replaced");
        }
        Path tmp = createTemp(dir, target.getFileName().toString());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                body.writeTo(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException | RuntimeException d) {
                t.addSuppressed(d);
            }
            throw t;
        }
        syncDirectory(dir);
    }

    static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /**
     * Creates an empty temporary file next to the target. Not {@link Files#createTempFile}: that one
     * makes the file owner-only (0600), and the rename would hand those permissions to the result.
     */
    static Path createTemp(Path dir, String targetName) throws IOException {
        // Keep the name well under the usual 255-byte limit whatever the target is called.
        String base = targetName.length() > 64 ? targetName.substring(0, 64) : targetName;
        if (!base.isEmpty() && Character.isHighSurrogate(base.charAt(base.length() - 1))) {
            base = base.substring(0, base.length() - 1);
        }
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve("." + base + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + ".tmp");
            try {
                return Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    /**
     * Makes the rename itself durable on POSIX file systems. Best effort: opening a directory as a
     * channel is not possible on every platform (Windows), where the rename needs no such step.
     */
    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // The file is complete and in place; only its durability across a power cut is weaker.
        }
    }
}
