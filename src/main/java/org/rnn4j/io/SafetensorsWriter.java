package org.rnn4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/**
 * The writer behind {@link Safetensors#write} and {@link Safetensors#toBytes}: each target gets the
 * bytes of one {@link WritePlan}, so a file, a stream and an array receive identical content. The
 * file writer goes through {@link AtomicFiles#replace}, which makes it atomic; the stream and array
 * writers are not.
 */
final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /**
     * Test seam: called at the named points of an atomic write so that tests can make it fail there.
     * Stages: {@code "header"} after the header, {@code "tensor NAME"} half-way through that tensor's
     * data, {@code "move"} after the last tensor, before the fsync and the rename.
     */
    interface FailPoint {
        FailPoint NONE = stage -> { };

        void reached(String stage) throws IOException;
    }

    /**
     * Writes a file atomically, calling {@code failPoint} at each stage; see
     * {@link Safetensors#write(Path, Collection, Map)}.
     */
    static void write(Path file, Collection<NamedTensor> tensors, Map<String, String> metadata, FailPoint failPoint)
            throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        WritePlan plan = WritePlan.of(tensors, metadata);
        AtomicFiles.replace(file, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(plan.lengthPrefix()));
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(plan.header));
            failPoint.reached("header");
            for (NamedTensor t : plan.tensors) {
                ByteBuffer b = t.storage();
                int half = b.remaining() / 2;
                AtomicFiles.writeFully(ch, b.slice(0, half));
                failPoint.reached("tensor " + t.name());
                AtomicFiles.writeFully(ch, b.slice(half, b.remaining() - half));
            }
            failPoint.reached("move");
        });
    }

    /**
     * Writes the file to a stream, flushed, not closed; see
     * {@link Safetensors#write(OutputStream, Collection, Map)}.
     */
    static void write(OutputStream out, Collection<NamedTensor> tensors, Map<String, String> metadata)
            throws IOException {
        if (out == null) {
            throw new IllegalArgumentException("out must not be null");
        }
        WritePlan plan = WritePlan.of(tensors, metadata);
        out.write(plan.lengthPrefix());
        out.write(plan.header);
        byte[] chunk = null;
        for (NamedTensor t : plan.tensors) {
            ByteBuffer b = t.storage();
            if (b.hasArray()) {
                out.write(b.array(), b.arrayOffset(), b.remaining());
                continue;
            }
            // Mapped data: copied through a small buffer, never into one array of the tensor's size.
            if (chunk == null) {
                chunk = new byte[64 * 1024];
            }
            while (b.hasRemaining()) {
                int k = Math.min(chunk.length, b.remaining());
                b.get(chunk, 0, k);
                out.write(chunk, 0, k);
            }
        }
        out.flush();
    }

    /** The file as a new array; see {@link Safetensors#toBytes(Collection, Map)}. */
    static byte[] toBytes(Collection<NamedTensor> tensors, Map<String, String> metadata) {
        WritePlan plan = WritePlan.of(tensors, metadata);
        long total = 8L + plan.header.length + plan.dataBytes;
        if (total > NamedTensor.MAX_ARRAY) {
            throw new IllegalArgumentException("the file would be " + total
                    + " bytes, more than a Java array holds; write it to a Path or stream instead");
        }
        ByteBuffer b = ByteBuffer.allocate((int) total);
        b.put(plan.lengthPrefix()).put(plan.header);
        for (NamedTensor t : plan.tensors) {
            b.put(t.storage());
        }
        return b.array();
    }
}
