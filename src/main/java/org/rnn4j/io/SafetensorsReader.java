package org.rnn4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reader behind {@link Safetensors#read} and {@link Safetensors#map}: takes the bytes of one
 * file from a {@link ByteSource}, checks the length prefix against the {@link ReadLimits}, decodes
 * the header ({@link Utf8}) and parses it ({@link Header}), checks that the entries tile the data
 * buffer, and only then reads (or maps) the data. Every check and message is described on
 * {@link Safetensors}; a file name, where there is one, is put in front of every message here.
 * One instance reads one file once.
 */
final class SafetensorsReader {
    /** The largest file region mapped at once; a {@link java.nio.MappedByteBuffer} holds at most this. */
    static final long MAX_REGION_BYTES = Integer.MAX_VALUE;

    private final ByteSource src;
    private final ReadLimits limits;
    private final String where;

    private SafetensorsReader(ByteSource src, ReadLimits limits, String where) {
        this.src = src;
        this.limits = limits;
        this.where = where;
    }

    /**
     * Reads or maps a file; {@code maxRegion} (the largest mapping, {@link #MAX_REGION_BYTES} outside
     * tests) is a parameter only so that tests can make it small.
     */
    static SafetensorsFile readFile(Path file, ReadLimits limits, boolean mapped, long maxRegion) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        checkLimits(limits);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteSource src = mapped ? new ByteSource.MappedSource(ch, maxRegion)
                    : new ByteSource.ChannelSource(ch);
            return new SafetensorsReader(src, limits, file + ": ").read();
        }
    }

    /** Reads a whole file held in memory; the tensors get copies of their bytes. */
    static SafetensorsFile readArray(byte[] bytes, ReadLimits limits) throws SafetensorsException {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        checkLimits(limits);
        try {
            return new SafetensorsReader(new ByteSource.ArraySource(bytes), limits, "").read();
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new AssertionError("an in-memory source does not do I/O", e);
        }
    }

    /** Reads a stream to its end, without closing it. */
    static SafetensorsFile readStream(InputStream in, ReadLimits limits) throws IOException {
        if (in == null) {
            throw new IllegalArgumentException("in must not be null");
        }
        checkLimits(limits);
        return new SafetensorsReader(new ByteSource.StreamSource(in), limits, "").read();
    }

    private static void checkLimits(ReadLimits limits) {
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null");
        }
    }

    private static SafetensorsException fail(String message) {
        return new SafetensorsException(message);
    }

    /** Validates the whole input and builds the result; a file name, if any, prefixes every message. */
    private SafetensorsFile read() throws IOException {
        try {
            return readUnprefixed();
        } catch (SafetensorsException e) {
            // The checks, the sources and the JSON parser do not know the file name.
            if (where.isEmpty()) {
                throw e;
            }
            SafetensorsException named = new SafetensorsException(where + e.getMessage(), e.getCause());
            named.setStackTrace(e.getStackTrace());
            throw named;
        }
    }

    private SafetensorsFile readUnprefixed() throws IOException {
        long size = src.size();
        if (size >= 0 && size < 8) {
            throw fail("truncated input: " + size + " bytes, fewer than the 8-byte header length prefix");
        }
        long n = ByteBuffer.wrap(src.read(8, "the 8-byte header length prefix"))
                .order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > limits.maxHeaderBytes()) {
            throw fail("header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                    + limits.maxHeaderBytes() + " bytes (maxHeaderBytes)");
        }
        if (size >= 0 && n > size - 8) {
            throw fail("header length " + n + " exceeds the " + (size - 8)
                    + " bytes that follow the length prefix");
        }
        Header header = Header.parse(Utf8.decode(src.read((int) n, "the " + n + "-byte header")),
                limits.maxTensorBytes());
        List<Header.Entry> entries = header.entries;

        long bufferSize = size >= 0 ? size - 8 - n : -1;
        if (bufferSize >= 0) {
            for (Header.Entry e : entries) {
                if (e.end > bufferSize) {
                    throw fail("tensor " + e.quoted() + ": data_offsets " + e.offsets()
                            + " exceed the data buffer of " + bufferSize + " bytes");
                }
            }
        }
        List<Header.Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.<Header.Entry>comparingLong(x -> x.begin).thenComparingLong(x -> x.end));
        long covered = 0;
        Header.Entry prev = null;
        for (Header.Entry e : byOffset) {
            if (e.begin < covered) {
                throw fail("tensor " + e.quoted() + ": data_offsets " + e.offsets() + " overlap tensor "
                        + prev.quoted() + " at " + prev.offsets());
            }
            if (e.begin > covered) {
                throw fail("gap in the data buffer: bytes [" + covered + ", " + e.begin
                        + ") belong to no tensor (" + (prev == null ? "before" : "between " + prev.quoted()
                        + " and") + " " + e.quoted() + " at " + e.offsets()
                        + "); the format requires the tensors to cover the buffer");
            }
            covered = e.end;
            prev = e;
        }
        if (bufferSize >= 0 && covered != bufferSize) {
            throw fail("the data buffer has " + bufferSize + " bytes but the tensors cover only "
                    + covered + "; " + (bufferSize - covered) + " trailing bytes");
        }
        if (covered > limits.maxTotalBytes()) {
            throw fail("the tensors hold " + covered + " bytes of data, over the limit of "
                    + limits.maxTotalBytes() + " bytes (maxTotalBytes)");
        }

        ByteBuffer[] data = src.data(byOffset, 8 + n, covered);
        if (!src.atEnd()) {
            throw fail("trailing bytes after the last tensor, which ends at data buffer offset " + covered
                    + "; the format requires the tensors to cover the buffer");
        }
        Map<String, ByteBuffer> byName = new HashMap<>();
        for (int i = 0; i < data.length; i++) {
            byName.put(byOffset.get(i).name, data[i]);
        }
        LinkedHashMap<String, NamedTensor> tensors = new LinkedHashMap<>();
        for (Header.Entry e : entries) {
            tensors.put(e.name, NamedTensor.trusted(e.name, e.dtype, e.shape, byName.get(e.name), src.mapped()));
        }
        return new SafetensorsFile(tensors, header.metadata);
    }
}
