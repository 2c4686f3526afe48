package org.rnn4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads and writes safetensors files (see the {@linkplain org.rnn4j.io package documentation} for
 * the format and the exception policy).
 *
 * <p><b>Reading</b> validates the whole file before returning anything: header length at most
 * {@link #MAX_HEADER_BYTES} and within the input, strict UTF-8 and strict JSON, a top-level object
 * whose entries have exactly the keys {@code dtype}, {@code shape} and {@code data_offsets} with the
 * right types, a supported {@link Dtype}, non-negative dimensions, {@code end − begin ==
 * product(shape) · dtype size} (computed without overflow), offsets inside the data buffer, and
 * offsets that, sorted, tile the buffer with no overlap, gap or trailing bytes; no duplicate names;
 * {@code __metadata__} (optional, {@code null} allowed) a map from string to string. Any violation
 * is a {@link SafetensorsException}.
 *
 * <p><b>Writing</b> produces deterministic bytes: the header is compact JSON with {@code __metadata__}
 * first (keys sorted, omitted when there is no metadata), then the tensors in the collection's
 * iteration order with contiguous offsets in that order, padded with spaces to a multiple of 8 bytes
 * as the reference (Rust) implementation does. {@link #write(Path, Collection, Map)} is atomic: the
 * target either keeps its old content or gets the complete new file.
 */
public final class Safetensors {
    /** The largest JSON header accepted or written, in bytes; the limit of the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** The reserved header key of the string-to-string metadata map. */
    static final String METADATA_KEY = "__metadata__";

    private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

    private Safetensors() {}

    // ------------------------------------------------------------------------------------------------
    // Reading

    /**
     * Reads and validates a whole file. Tensors are read one at a time, so a file may exceed 2 GiB as
     * long as each tensor fits a Java array.
     *
     * @param file the file; not null
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the file is not a valid safetensors file; the message starts with
     *         the file name
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if {@code file} is null
     */
    public static SafetensorsFile read(Path file) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Reader(new ChannelSource(ch), file + ": ").read();
        }
    }

    /**
     * Reads and validates a file held in memory.
     *
     * @param bytes the complete file; not null; not modified and not retained
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the bytes are not a valid safetensors file
     * @throws IllegalArgumentException if {@code bytes} is null
     */
    public static SafetensorsFile read(byte[] bytes) throws SafetensorsException {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        try {
            return new Reader(new ArraySource(bytes), "").read();
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new AssertionError("an in-memory source does not do I/O", e);
        }
    }

    /**
     * Reads and validates a file from a stream, which is read to its end (anything after the last
     * tensor is an error) but not closed: the caller owns the stream.
     *
     * @param in the stream; not null
     * @return the tensors in header order and the metadata; the caller owns the result
     * @throws SafetensorsException if the bytes are not a valid safetensors file
     * @throws IOException if the stream fails
     * @throws IllegalArgumentException if {@code in} is null
     */
    public static SafetensorsFile read(InputStream in) throws IOException {
        if (in == null) {
            throw new IllegalArgumentException("in must not be null");
        }
        return new Reader(new StreamSource(in), "").read();
    }

    /** Sequential access to the input; {@link #size()} is -1 where it is not known in advance. */
    private interface Source {
        long size() throws IOException;

        /** Reads exactly {@code n} bytes or throws a "truncated" {@link SafetensorsException}. */
        byte[] read(int n, String what) throws IOException;

        boolean atEnd() throws IOException;
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

    private static final class ChannelSource implements Source {
        private final FileChannel ch;

        ChannelSource(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public byte[] read(int n, String what) throws IOException {
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

    private static final class StreamSource implements Source {
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
            // readNBytes(int) grows its buffer as data arrives, so a header that claims a huge tensor
            // cannot make us allocate more than the stream actually delivers.
            byte[] r = in.readNBytes(n);
            if (r.length != n) {
                throw truncated(what, n, r.length);
            }
            return r;
        }

        @Override
        public boolean atEnd() throws IOException {
            return in.read() < 0;
        }
    }

    /** One validated header entry; offsets relative to the data buffer. */
    private static final class Entry {
        final String name;
        final Dtype dtype;
        final int[] shape;
        final long begin;
        final long end;

        Entry(String name, Dtype dtype, int[] shape, long begin, long end) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.begin = begin;
            this.end = end;
        }

        String offsets() {
            return "[" + begin + ", " + end + "]";
        }
    }

    private static final class Reader {
        private final Source src;
        private final String where;

        Reader(Source src, String where) {
            this.src = src;
            this.where = where;
        }

        private SafetensorsException fail(String message) {
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
            if (n < 0 || n > MAX_HEADER_BYTES) {
                throw fail("header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                        + MAX_HEADER_BYTES + " bytes");
            }
            if (size >= 0 && n > size - 8) {
                throw fail("header length " + n + " exceeds the " + (size - 8)
                        + " bytes that follow the length prefix");
            }
            String text = decodeUtf8(src.read((int) n, "the " + n + "-byte header"));
            Object root = Json.parse(text, "duplicate tensor name");
            if (!(root instanceof Map)) {
                throw fail("header JSON must be an object, got " + describe(root));
            }
            LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) root).entrySet()) {
                String name = (String) e.getKey();
                if (name.equals(METADATA_KEY)) {
                    metadata(e.getValue(), metadata);
                } else {
                    entries.add(entry(name, e.getValue()));
                }
            }

            long bufferSize = size >= 0 ? size - 8 - n : -1;
            if (bufferSize >= 0) {
                for (Entry e : entries) {
                    if (e.end > bufferSize) {
                        throw fail("tensor '" + e.name + "': data_offsets " + e.offsets()
                                + " exceed the data buffer of " + bufferSize + " bytes");
                    }
                }
            }
            List<Entry> byOffset = new ArrayList<>(entries);
            byOffset.sort(Comparator.<Entry>comparingLong(x -> x.begin).thenComparingLong(x -> x.end));
            long covered = 0;
            Entry prev = null;
            for (Entry e : byOffset) {
                if (e.begin < covered) {
                    throw fail("tensor '" + e.name + "': data_offsets " + e.offsets() + " overlap tensor '"
                            + prev.name + "' at " + prev.offsets());
                }
                if (e.begin > covered) {
                    throw fail("gap in the data buffer: bytes [" + covered + ", " + e.begin
                            + ") belong to no tensor (" + (prev == null ? "before" : "between '" + prev.name
                            + "' and") + " '" + e.name + "' at " + e.offsets()
                            + "); the format requires the tensors to cover the buffer");
                }
                covered = e.end;
                prev = e;
            }
            if (bufferSize >= 0 && covered != bufferSize) {
                throw fail("the data buffer has " + bufferSize + " bytes but the tensors cover only "
                        + covered + "; " + (bufferSize - covered) + " trailing bytes");
            }

            Map<String, byte[]> data = new HashMap<>();
            for (Entry e : byOffset) {
                int len = (int) (e.end - e.begin);
                data.put(e.name, src.read(len, "data of tensor '" + e.name + "' at data_offsets " + e.offsets()));
            }
            if (!src.atEnd()) {
                throw fail("trailing bytes after the last tensor, which ends at data buffer offset " + covered
                        + "; the format requires the tensors to cover the buffer");
            }
            LinkedHashMap<String, SafeTensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                tensors.put(e.name, SafeTensor.trusted(e.name, e.dtype, e.shape, data.get(e.name)));
            }
            return new SafetensorsFile(tensors, metadata);
        }

        private String decodeUtf8(byte[] header) throws SafetensorsException {
            ByteBuffer in = ByteBuffer.wrap(header);
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(in).toString();
            } catch (CharacterCodingException e) {
                throw new SafetensorsException("header is not valid UTF-8 (near header byte "
                        + in.position() + ")", e);
            }
        }

        private void metadata(Object value, Map<String, String> out) throws SafetensorsException {
            if (value == Json.NULL) {
                return; // what serde writes for an absent Option; means "no metadata"
            }
            if (!(value instanceof Map)) {
                throw fail(METADATA_KEY + " must be an object of string values, got " + describe(value));
            }
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (!(e.getValue() instanceof String)) {
                    throw fail(METADATA_KEY + "['" + e.getKey() + "'] must be a string, got "
                            + describe(e.getValue()));
                }
                out.put((String) e.getKey(), (String) e.getValue());
            }
        }

        private Entry entry(String name, Object value) throws SafetensorsException {
            if (!(value instanceof Map)) {
                throw fail("tensor '" + name + "': entry must be an object with keys dtype, shape, data_offsets; got "
                        + describe(value));
            }
            Map<?, ?> m = (Map<?, ?>) value;
            for (Object k : m.keySet()) {
                if (!ENTRY_KEYS.contains(k)) {
                    throw fail("tensor '" + name + "': unknown key '" + k
                            + "' (expected exactly dtype, shape, data_offsets)");
                }
            }
            for (String k : new String[] {"dtype", "shape", "data_offsets"}) {
                if (!m.containsKey(k)) {
                    throw fail("tensor '" + name + "': missing key '" + k + "'");
                }
            }
            Object d = m.get("dtype");
            if (!(d instanceof String)) {
                throw fail("tensor '" + name + "': dtype must be a string, got " + describe(d));
            }
            Dtype dtype = Dtype.fromHeader((String) d);
            if (dtype == null) {
                throw fail("unsupported dtype " + d + " for tensor '" + name + "' (supported: "
                        + Dtype.supportedList() + ")");
            }
            List<?> shapeList = list(name, "shape", m.get("shape"));
            int[] shape = new int[shapeList.size()];
            for (int i = 0; i < shape.length; i++) {
                long v = nonNegative(name, "shape[" + i + "]", shapeList.get(i));
                if (v > Integer.MAX_VALUE) {
                    throw fail("tensor '" + name + "': shape[" + i + "] = " + v
                            + " exceeds the largest supported dimension " + Integer.MAX_VALUE);
                }
                shape[i] = (int) v;
            }
            // A zero dimension makes the tensor empty however large the others are.
            long numel = Arrays.stream(shape).anyMatch(x -> x == 0) ? 0 : 1;
            for (int i = 0; i < shape.length && numel != 0; i++) {
                try {
                    numel = Math.multiplyExact(numel, (long) shape[i]);
                } catch (ArithmeticException e) {
                    throw fail("tensor '" + name + "': shape " + Arrays.toString(shape)
                            + " has more elements than fit in 64 bits");
                }
            }
            List<?> offs = list(name, "data_offsets", m.get("data_offsets"));
            if (offs.size() != 2) {
                throw fail("tensor '" + name + "': data_offsets must have 2 entries [begin, end], got "
                        + offs.size());
            }
            long begin = nonNegative(name, "data_offsets[0]", offs.get(0));
            long end = nonNegative(name, "data_offsets[1]", offs.get(1));
            if (begin > end) {
                throw fail("tensor '" + name + "': data_offsets [" + begin + ", " + end + "] has begin > end");
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(numel, (long) dtype.size());
            } catch (ArithmeticException e) {
                throw fail("tensor '" + name + "': " + dtype + " shape " + Arrays.toString(shape)
                        + " has more bytes than fit in 64 bits");
            }
            if (end - begin != bytes) {
                throw fail("tensor '" + name + "': " + dtype + " shape " + Arrays.toString(shape) + " needs "
                        + bytes + " bytes, but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
            }
            if (bytes > SafeTensor.MAX_ARRAY) {
                throw fail("tensor '" + name + "': " + bytes + " bytes exceed the largest Java array ("
                        + SafeTensor.MAX_ARRAY + " bytes)");
            }
            return new Entry(name, dtype, shape, begin, end);
        }

        private List<?> list(String name, String key, Object v) throws SafetensorsException {
            if (!(v instanceof List)) {
                throw fail("tensor '" + name + "': " + key + " must be an array of integers, got " + describe(v));
            }
            return (List<?>) v;
        }

        private long nonNegative(String name, String key, Object v) throws SafetensorsException {
            if (v instanceof Long && (Long) v >= 0) {
                return (Long) v;
            }
            if (v instanceof java.math.BigInteger && ((java.math.BigInteger) v).signum() > 0) {
                throw fail("tensor '" + name + "': " + key + " = " + v + " exceeds the supported range (at most "
                        + Long.MAX_VALUE + ")");
            }
            throw fail("tensor '" + name + "': " + key + " must be a non-negative integer, got " + describe(v));
        }
    }

    /** A JSON value as a message fragment, e.g. {@code the number -3} or {@code an array}. */
    private static String describe(Object v) {
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String) {
            String s = (String) v;
            return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        if (v instanceof Boolean) {
            return "the boolean " + v;
        }
        if (v == Json.NULL) {
            return "null";
        }
        return "the number " + v;
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
        final List<SafeTensor> tensors;
        final long dataBytes;

        Plan(byte[] header, List<SafeTensor> tensors, long dataBytes) {
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
    public static void write(Path file, Collection<SafeTensor> tensors, Map<String, String> metadata)
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
    public static void write(Path file, Collection<SafeTensor> tensors) throws IOException {
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

    static void write(Path file, Collection<SafeTensor> tensors, Map<String, String> metadata, FailPoint failPoint)
            throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        Plan plan = plan(tensors, metadata);
        AtomicFiles.replace(file, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(plan.lengthPrefix()));
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(plan.header));
            failPoint.reached("header");
            for (SafeTensor t : plan.tensors) {
                byte[] b = t.storage();
                int half = b.length / 2;
                AtomicFiles.writeFully(ch, ByteBuffer.wrap(b, 0, half));
                failPoint.reached("tensor " + t.name());
                AtomicFiles.writeFully(ch, ByteBuffer.wrap(b, half, b.length - half));
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
    public static void write(OutputStream out, Collection<SafeTensor> tensors, Map<String, String> metadata)
            throws IOException {
        if (out == null) {
            throw new IllegalArgumentException("out must not be null");
        }
        Plan plan = plan(tensors, metadata);
        out.write(plan.lengthPrefix());
        out.write(plan.header);
        for (SafeTensor t : plan.tensors) {
            out.write(t.storage());
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
    public static byte[] toBytes(Collection<SafeTensor> tensors, Map<String, String> metadata) {
        Plan plan = plan(tensors, metadata);
        long total = 8L + plan.header.length + plan.dataBytes;
        if (total > SafeTensor.MAX_ARRAY) {
            throw new IllegalArgumentException("the file would be " + total
                    + " bytes, more than a Java array holds; write it to a Path or stream instead");
        }
        ByteBuffer b = ByteBuffer.allocate((int) total);
        b.put(plan.lengthPrefix()).put(plan.header);
        for (SafeTensor t : plan.tensors) {
            b.put(t.storage());
        }
        return b.array();
    }

    private static Plan plan(Collection<SafeTensor> tensors, Map<String, String> metadata) {
        if (tensors == null) {
            throw new IllegalArgumentException("tensors must not be null");
        }
        List<SafeTensor> list = new ArrayList<>(tensors.size());
        Map<String, Integer> seen = new HashMap<>();
        for (SafeTensor t : tensors) {
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
        for (SafeTensor t : list) {
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
