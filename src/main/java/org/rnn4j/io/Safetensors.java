package org.rnn4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes safetensors files (see the {@linkplain org.rnn4j.io package documentation} for
 * the format, the exception policy and {@code docs/model-files.md} for the hardening in full).
 *
 * <p><b>Reading</b> validates the whole header and the layout of the data buffer before any tensor
 * data is read: the header length at most {@link Limits#maxHeaderBytes()} and within the input;
 * strict UTF-8 and strict JSON; a top-level object whose entries have exactly the keys
 * {@code dtype}, {@code shape} and {@code data_offsets} with the right types (nothing nested deeper
 * than that schema); a supported {@link Dtype}; dimensions that are non-negative integers up to
 * {@link Integer#MAX_VALUE}; {@code end − begin == product(shape) · dtype size}, computed without
 * overflow; each tensor at most {@link Limits#maxTensorBytes()}; offsets inside the data buffer
 * that, sorted, tile it with no overlap, gap or trailing bytes; all data at most
 * {@link Limits#maxTotalBytes()}; no duplicate names or keys; {@code __metadata__} (optional,
 * {@code null} allowed) a map from string to string. Any violation is a
 * {@link SafetensorsException} with a one-line message naming the field, the expected and the actual
 * value; nothing else escapes for malformed input (no unchecked exception, no
 * {@link OutOfMemoryError} from a size the file merely claims, no unbounded work).
 *
 * <p><b>Memory.</b> No allocation is sized by a number in the file before the bytes behind it are
 * known to exist: sized inputs (arrays, files) check every length against the input size first, and
 * a stream is read in chunks that grow only as data arrives. Parsing the header needs the header
 * bytes, the decoded text and what the result keeps (names, shapes, metadata), a small multiple of
 * the header length (see {@code docs/model-files.md}); lower {@link Limits#maxHeaderBytes()} for
 * untrusted files on a small heap. Tensor data is held once: in the heap ({@code read}) or in a
 * memory-mapped file region ({@link #map(Path)}).
 *
 * <p><b>Writing</b> produces deterministic bytes: the header is compact JSON with {@code __metadata__}
 * first (keys sorted, omitted when there is no metadata), then the tensors in the collection's
 * iteration order with contiguous offsets in that order, padded with spaces to a multiple of 8 bytes
 * as the reference (Rust) implementation does. {@link #write(Path, Collection, Map)} is atomic: the
 * target either keeps its old content or gets the complete new file, even if the process is killed.
 */
public final class Safetensors {
    /** The largest JSON header accepted or written, in bytes; the limit of the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** The reserved header key of the string-to-string metadata map. */
    static final String METADATA_KEY = Header.METADATA_KEY;

    /** The largest file region mapped at once; a {@link java.nio.MappedByteBuffer} holds at most this. */
    static final long MAX_REGION_BYTES = Integer.MAX_VALUE;

    private Safetensors() {}

    /**
     * Bounds on what a reader accepts, so that a caller reading untrusted files can cap the memory a
     * file may ask for. Immutable; start from {@link #DEFAULT} and narrow it with the {@code with}
     * methods. A file over a limit is a {@link SafetensorsException} naming the limit.
     *
     * <table>
     *   <caption>The limits</caption>
     *   <tr><th>limit</th><th>bounds</th><th>default</th><th>allowed</th></tr>
     *   <tr><td>{@link #maxHeaderBytes()}</td><td>the JSON header length N</td>
     *       <td>{@link Safetensors#MAX_HEADER_BYTES} (100,000,000)</td>
     *       <td>[2, {@link Safetensors#MAX_HEADER_BYTES}]</td></tr>
     *   <tr><td>{@link #maxTensorBytes()}</td><td>each tensor's data</td>
     *       <td>{@link #MAX_TENSOR_BYTES} (the largest Java array)</td>
     *       <td>[0, {@link #MAX_TENSOR_BYTES}]</td></tr>
     *   <tr><td>{@link #maxTotalBytes()}</td><td>the whole data buffer</td>
     *       <td>{@link Long#MAX_VALUE} (no limit)</td><td>[0, {@link Long#MAX_VALUE}]</td></tr>
     * </table>
     * The header cap cannot be raised above the reference implementation's, whose readers would
     * refuse such a file; a tensor cannot exceed a Java array, because {@link NamedTensor} exposes its
     * elements as one.
     */
    public static final class Limits {
        /** The largest tensor, in bytes, that fits a Java array; the default {@link #maxTensorBytes()}. */
        public static final long MAX_TENSOR_BYTES = NamedTensor.MAX_ARRAY;

        /** The defaults: the format's header cap, any tensor that fits a Java array, no total limit. */
        public static final Limits DEFAULT = new Limits(MAX_HEADER_BYTES, MAX_TENSOR_BYTES, Long.MAX_VALUE);

        private final long maxHeaderBytes;
        private final long maxTensorBytes;
        private final long maxTotalBytes;

        private Limits(long maxHeaderBytes, long maxTensorBytes, long maxTotalBytes) {
            this.maxHeaderBytes = maxHeaderBytes;
            this.maxTensorBytes = maxTensorBytes;
            this.maxTotalBytes = maxTotalBytes;
        }

        /** @return the largest JSON header accepted, in bytes */
        public long maxHeaderBytes() {
            return maxHeaderBytes;
        }

        /** @return the largest single tensor accepted, in bytes of data */
        public long maxTensorBytes() {
            return maxTensorBytes;
        }

        /** @return the largest data buffer (all tensors together) accepted, in bytes */
        public long maxTotalBytes() {
            return maxTotalBytes;
        }

        /**
         * @param bytes the largest JSON header to accept, in {@code [2, MAX_HEADER_BYTES]} (2 is the
         *        header {@code {}})
         * @return a copy with that header cap
         * @throws IllegalArgumentException naming {@code maxHeaderBytes} if out of range
         */
        public Limits withMaxHeaderBytes(long bytes) {
            check("maxHeaderBytes", bytes, 2, MAX_HEADER_BYTES);
            return new Limits(bytes, maxTensorBytes, maxTotalBytes);
        }

        /**
         * @param bytes the largest tensor to accept, in {@code [0, MAX_TENSOR_BYTES]}
         * @return a copy with that tensor cap
         * @throws IllegalArgumentException naming {@code maxTensorBytes} if out of range
         */
        public Limits withMaxTensorBytes(long bytes) {
            check("maxTensorBytes", bytes, 0, MAX_TENSOR_BYTES);
            return new Limits(maxHeaderBytes, bytes, maxTotalBytes);
        }

        /**
         * @param bytes the largest data buffer to accept, {@code >= 0}
         * @return a copy with that total cap
         * @throws IllegalArgumentException naming {@code maxTotalBytes} if negative
         */
        public Limits withMaxTotalBytes(long bytes) {
            check("maxTotalBytes", bytes, 0, Long.MAX_VALUE);
            return new Limits(maxHeaderBytes, maxTensorBytes, bytes);
        }

        private static void check(String field, long v, long min, long max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + v);
            }
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Limits)) {
                return false;
            }
            Limits l = (Limits) o;
            return maxHeaderBytes == l.maxHeaderBytes && maxTensorBytes == l.maxTensorBytes
                    && maxTotalBytes == l.maxTotalBytes;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(maxHeaderBytes) * 961 + Long.hashCode(maxTensorBytes) * 31
                    + Long.hashCode(maxTotalBytes);
        }

        /** E.g. {@code Limits[maxHeaderBytes=100000000, maxTensorBytes=2147483639, maxTotalBytes=...]}. */
        @Override
        public String toString() {
            return "Limits[maxHeaderBytes=" + maxHeaderBytes + ", maxTensorBytes=" + maxTensorBytes
                    + ", maxTotalBytes=" + maxTotalBytes + "]";
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Reading

    /**
     * Reads and validates a whole file with the {@linkplain Limits#DEFAULT default limits}; the
     * tensor data is copied into the heap, so the file may change or go away afterwards. Tensors are
     * read one at a time, so a file may exceed 2 GiB as long as each tensor fits a Java array.
     *
     * @param file the file; not null
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the file is not a valid safetensors file; the message starts with
     *         the file name
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if {@code file} is null
     */
    public static SafetensorsFile read(Path file) throws IOException {
        return read(file, Limits.DEFAULT);
    }

    /**
     * Like {@link #read(Path)} with the given limits.
     *
     * @param file the file; not null
     * @param limits the limits; not null
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the file is not a valid safetensors file or exceeds a limit; the
     *         message starts with the file name
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if an argument is null
     */
    public static SafetensorsFile read(Path file, Limits limits) throws IOException {
        return readFile(file, limits, false, MAX_REGION_BYTES);
    }

    /**
     * Validates a file like {@link #read(Path)}, then memory-maps its data read-only instead of
     * copying it: each tensor's {@link NamedTensor} is backed by the mapped file, so converting it with
     * {@link NamedTensor#asFloats()} and the like makes the only copy in the heap. Use it for large
     * files; small ones gain nothing. The header is read and validated exactly as by
     * {@link #read(Path)}; the data bytes themselves are not touched until used.
     *
     * <p><b>Lifetime.</b> Consecutive tensors share a mapping of up to 2 GiB; a mapping lives until
     * every tensor using it is unreachable and collected (there is no explicit unmap). The file may be
     * renamed, replaced by rename (as {@link #write(Path, Collection, Map)} does on POSIX systems) or
     * deleted meanwhile: the mapping keeps the old contents. But while the tensors are in use the
     * file must not be <em>modified in place</em> (the tensors would see the change, so their
     * immutability holds only as long as the file's contents do) nor <em>truncated</em>: reading data
     * past the new end raises {@link InternalError} (HotSpot turns the SIGBUS into it; from compiled
     * code it may arrive a little after the faulting access), not a checked exception. On Windows a
     * mapped file cannot be deleted or replaced until the mapping is gone.
     *
     * @param file the file; not null
     * @return the tensors, backed by the mapping ({@link NamedTensor#isMapped()}), and the metadata
     * @throws SafetensorsException if the file is not a valid safetensors file; the message starts with
     *         the file name
     * @throws IOException if the file cannot be read or mapped
     * @throws IllegalArgumentException if {@code file} is null
     */
    public static SafetensorsFile map(Path file) throws IOException {
        return map(file, Limits.DEFAULT);
    }

    /**
     * Like {@link #map(Path)} with the given limits.
     *
     * @param file the file; not null
     * @param limits the limits; not null
     * @return the tensors, backed by the mapping, and the metadata
     * @throws SafetensorsException if the file is not a valid safetensors file or exceeds a limit
     * @throws IOException if the file cannot be read or mapped
     * @throws IllegalArgumentException if an argument is null
     */
    public static SafetensorsFile map(Path file, Limits limits) throws IOException {
        return readFile(file, limits, true, MAX_REGION_BYTES);
    }

    /** The file readers; {@code maxRegion} is a parameter only so that tests can make it small. */
    static SafetensorsFile readFile(Path file, Limits limits, boolean mapped, long maxRegion) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        checkLimits(limits);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Source src = mapped ? new MappedSource(ch, maxRegion) : new ChannelSource(ch);
            return new Reader(src, limits, file + ": ").read();
        }
    }

    /**
     * Reads and validates a file held in memory, with the {@linkplain Limits#DEFAULT default limits}.
     * The tensors get copies of their bytes, so the result holds a second copy of the data; read
     * large files with {@link #read(Path)} or {@link #map(Path)}.
     *
     * @param bytes the complete file; not null; not modified and not retained
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the bytes are not a valid safetensors file
     * @throws IllegalArgumentException if {@code bytes} is null
     */
    public static SafetensorsFile read(byte[] bytes) throws SafetensorsException {
        return read(bytes, Limits.DEFAULT);
    }

    /**
     * Like {@link #read(byte[])} with the given limits.
     *
     * @param bytes the complete file; not null; not modified and not retained
     * @param limits the limits; not null
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the bytes are not a valid safetensors file or exceed a limit
     * @throws IllegalArgumentException if an argument is null
     */
    public static SafetensorsFile read(byte[] bytes, Limits limits) throws SafetensorsException {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        checkLimits(limits);
        try {
            return new Reader(new ArraySource(bytes), limits, "").read();
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new AssertionError("an in-memory source does not do I/O", e);
        }
    }

    /**
     * Reads and validates a file from a stream, with the {@linkplain Limits#DEFAULT default limits}.
     * The stream is read to its end (anything after the last tensor is an error) but not closed:
     * the caller owns the stream. Its length is not known in advance, so lengths in the header are
     * checked as the data arrives: a header that claims more than the stream holds fails with
     * "truncated input" after allocating about as much as the stream delivered.
     *
     * @param in the stream; not null
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the bytes are not a valid safetensors file
     * @throws IOException if the stream fails
     * @throws IllegalArgumentException if {@code in} is null
     */
    public static SafetensorsFile read(InputStream in) throws IOException {
        return read(in, Limits.DEFAULT);
    }

    /**
     * Like {@link #read(InputStream)} with the given limits; for a stream of unknown origin,
     * {@link Limits#maxTotalBytes()} bounds how much is read and kept.
     *
     * @param in the stream; not null; read to its end, not closed
     * @param limits the limits; not null
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the bytes are not a valid safetensors file or exceed a limit
     * @throws IOException if the stream fails
     * @throws IllegalArgumentException if an argument is null
     */
    public static SafetensorsFile read(InputStream in, Limits limits) throws IOException {
        if (in == null) {
            throw new IllegalArgumentException("in must not be null");
        }
        checkLimits(limits);
        return new Reader(new StreamSource(in), limits, "").read();
    }

    private static void checkLimits(Limits limits) {
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null");
        }
    }

    /**
     * The input, read front to back: the length prefix, the header, then the tensor data in offset
     * order. {@link #size()} is -1 where it is not known in advance.
     */
    private interface Source {
        long size() throws IOException;

        /** Reads exactly {@code n} bytes or throws a "truncated" {@link SafetensorsException}. */
        byte[] read(int n, String what) throws IOException;

        /**
         * The data of validated entries, which tile {@code [0, covered)} of the buffer in this order,
         * the buffer starting at {@code dataStart} in the input.
         */
        default ByteBuffer[] data(List<Header.Entry> byOffset, long dataStart, long covered) throws IOException {
            ByteBuffer[] out = new ByteBuffer[byOffset.size()];
            for (int i = 0; i < out.length; i++) {
                Header.Entry e = byOffset.get(i);
                out[i] = ByteBuffer.wrap(read((int) (e.end - e.begin),
                        "data of tensor " + e.quoted() + " at data_offsets " + e.offsets()));
            }
            return out;
        }

        boolean atEnd() throws IOException;

        /** Whether {@link #data} maps the file rather than copying it. */
        default boolean mapped() {
            return false;
        }
    }

    private static SafetensorsException truncated(String what, int n, long got) {
        return new SafetensorsException("truncated input: " + what + " needs " + n + " bytes, but only "
                + got + " remain");
    }

    private static final class ArraySource implements Source {
        private final byte[] a;
        private int pos;

        ArraySource(byte[] a) {
            this.a = a;
        }

        @Override
        public long size() {
            return a.length;
        }

        @Override
        public byte[] read(int n, String what) throws SafetensorsException {
            if (n > a.length - pos) {
                throw truncated(what, n, a.length - pos);
            }
            byte[] r = Arrays.copyOfRange(a, pos, pos + n);
            pos += n;
            return r;
        }

        @Override
        public boolean atEnd() {
            return pos == a.length;
        }
    }

    private static class ChannelSource implements Source {
        final FileChannel ch;

        ChannelSource(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public byte[] read(int n, String what) throws IOException {
            // n was checked against the file size; a file that shrinks meanwhile ends the loop below.
            ByteBuffer b = ByteBuffer.allocate(n);
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) {
                    throw truncated(what, n, b.position());
                }
            }
            return b.array();
        }

        @Override
        public boolean atEnd() throws IOException {
            return ch.position() >= ch.size();
        }
    }

    /**
     * Maps the data instead of reading it: consecutive tensors share one read-only mapping of at most
     * {@code maxRegion} bytes (never one per tensor, which for many small tensors would exhaust the
     * process's mapping count), and each tensor is a slice of its region.
     */
    private static final class MappedSource extends ChannelSource {
        private final long maxRegion;

        MappedSource(FileChannel ch, long maxRegion) {
            super(ch);
            this.maxRegion = maxRegion;
        }

        @Override
        public ByteBuffer[] data(List<Header.Entry> byOffset, long dataStart, long covered) throws IOException {
            ByteBuffer[] out = new ByteBuffer[byOffset.size()];
            int i = 0;
            while (i < out.length) {
                long regionBegin = byOffset.get(i).begin;
                int last = i;
                while (last + 1 < out.length && byOffset.get(last + 1).end - regionBegin <= maxRegion) {
                    last++;
                }
                long regionEnd = byOffset.get(last).end;
                ByteBuffer region = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + regionBegin,
                        regionEnd - regionBegin);
                for (; i <= last; i++) {
                    Header.Entry e = byOffset.get(i);
                    out[i] = region.slice((int) (e.begin - regionBegin), (int) (e.end - e.begin));
                }
            }
            // The data was not read; the file's end is where the tensors end (checked against its size).
            ch.position(dataStart + covered);
            return out;
        }

        @Override
        public boolean mapped() {
            return true;
        }
    }

    private static final class StreamSource implements Source {
        /** The first allocation for a read; later ones double, as data keeps arriving. */
        private static final int CHUNK = 64 * 1024;

        private final InputStream in;

        StreamSource(InputStream in) {
            this.in = in;
        }

        @Override
        public long size() {
            return -1;
        }

        @Override
        public byte[] read(int n, String what) throws IOException {
            // The length is only a claim until the bytes arrive: grow the buffer with the data (at most
            // doubling what was received) rather than trusting n, so a 2 GB claim on a short stream
            // costs little. Not readNBytes(n): InputStream subclasses may allocate n up front there.
            byte[] buf = new byte[Math.min(n, CHUNK)];
            int got = 0;
            while (got < n) {
                if (got == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
                }
                int r = in.read(buf, got, buf.length - got);
                if (r < 0) {
                    throw truncated(what, n, got);
                }
                got += r;
            }
            return buf;
        }

        @Override
        public boolean atEnd() throws IOException {
            return in.read() < 0;
        }
    }

    private static final class Reader {
        private final Source src;
        private final Limits limits;
        private final String where;

        Reader(Source src, Limits limits, String where) {
            this.src = src;
            this.limits = limits;
            this.where = where;
        }

        private static SafetensorsException fail(String message) {
            return new SafetensorsException(message);
        }

        SafetensorsFile read() throws IOException {
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
            Header header = Header.parse(decodeUtf8(src.read((int) n, "the " + n + "-byte header")),
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

    /**
     * Checks that {@code b} is well-formed UTF-8 (the Unicode standard's table 3-7: no overlong
     * forms, no encoded surrogates, nothing above U+10FFFF) and decodes it. Checked by hand because
     * the JDK's strict decoder needs a char buffer of twice the header's size next to the string;
     * after this check {@link String#String(byte[], java.nio.charset.Charset)} cannot substitute.
     */
    static String decodeUtf8(byte[] b) throws SafetensorsException {
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int len;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                len = 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                lo = c == 0xE0 ? 0xA0 : 0x80;
                hi = c == 0xED ? 0x9F : 0xBF;
            } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                lo = c == 0xF0 ? 0x90 : 0x80;
                hi = c == 0xF4 ? 0x8F : 0xBF;
            } else {
                throw badUtf8(b, i, 1);
            }
            if (i + len > b.length) {
                throw badUtf8(b, i, b.length - i);
            }
            int second = b[i + 1] & 0xFF;
            if (second < lo || second > hi) {
                throw badUtf8(b, i, 2);
            }
            for (int k = 2; k < len; k++) {
                int cont = b[i + k] & 0xFF;
                if (cont < 0x80 || cont > 0xBF) {
                    throw badUtf8(b, i, k + 1);
                }
            }
            i += len;
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private static SafetensorsException badUtf8(byte[] b, int at, int count) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < count; k++) {
            sb.append(k == 0 ? "" : " ").append(String.format("0x%02X", b[at + k] & 0xFF));
        }
        return new SafetensorsException("header is not valid UTF-8: bytes " + sb + " at header byte " + at);
    }

    // ------------------------------------------------------------------------------------------------
    // Writing

    /**
     * Test seam: called at the named points of an atomic write so that tests can make it fail there.
     * Stages: {@code "header"} after the header, {@code "tensor NAME"} half-way through that tensor's
     * data, {@code "move"} after the fsync, before the rename.
     */
    interface FailPoint {
        FailPoint NONE = stage -> { };

        void reached(String stage) throws IOException;
    }

    /** A validated write: the header bytes (padded) and the tensors in file order. */
    private static final class Plan {
        final byte[] header;
        final List<NamedTensor> tensors;
        final long dataBytes;

        Plan(byte[] header, List<NamedTensor> tensors, long dataBytes) {
            this.header = header;
            this.tensors = tensors;
            this.dataBytes = dataBytes;
        }

        byte[] lengthPrefix() {
            return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array();
        }
    }

    /**
     * Writes a file atomically: the bytes go to a new temporary file in the target's directory
     * (named {@code .NAME.RANDOM.tmp}), which is flushed to the device ({@link FileChannel#force}) and
     * then renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE} (replacing an existing
     * file, as POSIX rename does). Only where the file system cannot move atomically does it fall back
     * to {@link StandardCopyOption#REPLACE_EXISTING}. On any failure the temporary file is deleted and
     * the target is left as it was. The new file gets the default permissions of a newly created file.
     *
     * <p>If the process dies during the write ({@code kill -9}, a crash), the target still holds
     * the complete previous version, never a part of the new one (the rename is the only step that
     * touches it); what may remain is the stale temporary file {@code .NAME.RANDOM.tmp} next to it,
     * which nothing reads and which is safe to delete. The fsync before the rename is what makes
     * the same hold across a power cut.
     *
     * <p>All arguments are validated before anything is created.
     *
     * @param file the target; not null; its parent directory must exist; an existing regular file is
     *        replaced, a directory is refused
     * @param tensors the tensors, written in iteration order; not null, no null elements, names
     *        unique; not retained
     * @param metadata the {@code __metadata__} map, written with keys sorted; null or empty for none;
     *        no null keys or values; not retained
     * @throws IllegalArgumentException on invalid arguments (null, duplicate names, a name or metadata
     *         string with an unpaired surrogate, a header over {@link #MAX_HEADER_BYTES})
     * @throws IOException if the file system fails; the target is then unchanged
     */
    public static void write(Path file, Collection<NamedTensor> tensors, Map<String, String> metadata)
            throws IOException {
        write(file, tensors, metadata, FailPoint.NONE);
    }

    /**
     * Like {@link #write(Path, Collection, Map)} without metadata.
     *
     * @param file the target; not null
     * @param tensors the tensors in file order; not null
     * @throws IOException if the file system fails; the target is then unchanged
     */
    public static void write(Path file, Collection<NamedTensor> tensors) throws IOException {
        write(file, tensors, null, FailPoint.NONE);
    }

    /**
     * Writes the contents of a file read earlier, atomically as {@link #write(Path, Collection, Map)}.
     * The tensor bytes are reproduced exactly; the header may differ from the original's (key order,
     * padding).
     *
     * @param file the target; not null
     * @param content the tensors and metadata; not null
     * @throws IOException if the file system fails; the target is then unchanged
     */
    public static void write(Path file, SafetensorsFile content) throws IOException {
        if (content == null) {
            throw new IllegalArgumentException("content must not be null");
        }
        write(file, content.tensors().values(), content.metadata(), FailPoint.NONE);
    }

    static void write(Path file, Collection<NamedTensor> tensors, Map<String, String> metadata, FailPoint failPoint)
            throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        Plan plan = plan(tensors, metadata);
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
     * Writes a file to a stream: the same bytes as {@link #write(Path, Collection, Map)}, but not
     * atomic (on failure the stream has received part of the file). The stream is flushed, not closed:
     * the caller owns it.
     *
     * @param out the stream; not null
     * @param tensors the tensors in file order; not null, no null elements, names unique
     * @param metadata the metadata, null or empty for none
     * @throws IllegalArgumentException on invalid arguments, before anything is written
     * @throws IOException if the stream fails
     */
    public static void write(OutputStream out, Collection<NamedTensor> tensors, Map<String, String> metadata)
            throws IOException {
        if (out == null) {
            throw new IllegalArgumentException("out must not be null");
        }
        Plan plan = plan(tensors, metadata);
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

    /**
     * The file as a byte array, the same bytes as {@link #write(Path, Collection, Map)} writes.
     *
     * @param tensors the tensors in file order; not null, no null elements, names unique
     * @param metadata the metadata, null or empty for none
     * @return a new array the caller owns
     * @throws IllegalArgumentException on invalid arguments or if the file would exceed the largest
     *         Java array
     */
    public static byte[] toBytes(Collection<NamedTensor> tensors, Map<String, String> metadata) {
        Plan plan = plan(tensors, metadata);
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

    private static Plan plan(Collection<NamedTensor> tensors, Map<String, String> metadata) {
        if (tensors == null) {
            throw new IllegalArgumentException("tensors must not be null");
        }
        List<NamedTensor> list = new ArrayList<>(tensors.size());
        Map<String, Integer> seen = new HashMap<>();
        for (NamedTensor t : tensors) {
            if (t == null) {
                throw new IllegalArgumentException("tensors[" + list.size() + "] is null");
            }
            Integer first = seen.putIfAbsent(t.name(), list.size());
            if (first != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "' at tensors["
                        + first + "] and tensors[" + list.size() + "]");
            }
            list.add(t);
        }
        StringBuilder sb = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            TreeMap<String, String> sorted = new TreeMap<>();
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null) {
                    throw new IllegalArgumentException("metadata has a null key");
                }
                if (e.getValue() == null) {
                    throw new IllegalArgumentException("metadata value for key '" + e.getKey() + "' is null");
                }
                sorted.put(e.getKey(), e.getValue());
            }
            Json.quote(sb, METADATA_KEY, "metadata key");
            sb.append(":{");
            boolean first = true;
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                Json.quote(sb, e.getKey(), "metadata key");
                sb.append(':');
                Json.quote(sb, e.getValue(), "metadata value for key '" + e.getKey() + "'");
            }
            sb.append('}');
        }
        long offset = 0;
        for (NamedTensor t : list) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            Json.quote(sb, t.name(), "tensor name");
            sb.append(":{\"dtype\":\"").append(t.dtype().name()).append("\",\"shape\":[");
            int[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(shape[i]);
            }
            long end = offset + t.byteSize();
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        sb.append('}');
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        // Padding to 8 bytes keeps the data buffer aligned for readers that map the file (as the
        // reference implementation does); JSON permits trailing whitespace.
        long padded = ((long) json.length + 7) & ~7L;
        if (padded > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the header would be " + padded + " bytes, over the "
                    + MAX_HEADER_BYTES + "-byte limit that readers enforce");
        }
        byte[] header = Arrays.copyOf(json, (int) padded);
        Arrays.fill(header, json.length, header.length, (byte) ' ');
        return new Plan(header, list, offset);
    }
}
