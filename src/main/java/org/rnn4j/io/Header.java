package org.rnn4j.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The parsed and validated JSON header of a safetensors file: the tensor entries in header order
 * and the metadata. Each entry is checked on its own here (keys, types, dtype, shape, offsets,
 * {@code dtype × shape = byte length}, the per-tensor limit); how the entries fit together in the
 * data buffer is checked by the reader, which knows the buffer size.
 *
 * <p>The parser follows the schema instead of building a JSON tree first:
 * <pre>
 * header   = { (name : entry | "__metadata__" : (null | { key : string, ... })), ... }
 * entry    = { "dtype" : string, "shape" : [ uint, ... ], "data_offsets" : [ uint, uint ] }   (any key order)
 * </pre>
 * A value of the wrong kind is refused at its first character, so the memory a header can make the
 * reader allocate is what the result needs (names, shapes, metadata) plus a constant factor, and
 * nesting cannot go deeper than the three levels above.
 */
final class Header {
    /** The reserved header key of the string-to-string metadata map. */
    static final String METADATA_KEY = "__metadata__";

    /** One validated header entry; offsets relative to the data buffer. */
    static final class Entry {
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

        /** The name as it appears in messages: quoted, escaped, shortened. */
        String quoted() {
            return quoted(name);
        }

        static String quoted(String name) {
            return "'" + Json.printable(name) + "'";
        }
    }

    final List<Entry> entries;
    final LinkedHashMap<String, String> metadata;

    private Header(List<Entry> entries, LinkedHashMap<String, String> metadata) {
        this.entries = entries;
        this.metadata = metadata;
    }

    /**
     * Parses and validates a decoded header.
     *
     * @param text the header, already checked to be valid UTF-8
     * @param maxTensorBytes the largest tensor accepted, in bytes
     * @throws SafetensorsException on any syntax or schema violation
     */
    static Header parse(String text, long maxTensorBytes) throws SafetensorsException {
        return new Parser(new Json(text), maxTensorBytes).header();
    }

    private static final class Parser {
        private final Json j;
        private final long maxTensorBytes;

        Parser(Json j, long maxTensorBytes) {
            this.j = j;
            this.maxTensorBytes = maxTensorBytes;
        }

        Header header() throws SafetensorsException {
            j.skipWs();
            if (j.peek() != '{') {
                String what = j.describeValue();
                throw new SafetensorsException("header JSON must be an object, got " + what);
            }
            j.expect('{');
            j.skipWs();
            // Keyed by name for the duplicate check; iterates in header order.
            LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
            LinkedHashMap<String, String> metadata = null;
            boolean more = !j.consume('}');
            while (more) {
                int keyPos = j.pos();
                String name = j.key();
                if (name.equals(METADATA_KEY)) {
                    if (metadata != null) {
                        throw duplicate("duplicate key", name, keyPos);
                    }
                    metadata = metadata();
                } else {
                    if (entries.containsKey(name)) {
                        throw duplicate("duplicate tensor name", name, keyPos);
                    }
                    entries.put(name, entry(name));
                }
                more = j.next('}');
            }
            j.skipWs();
            if (!j.atEnd()) {
                throw j.error("expected end of header after the JSON value");
            }
            return new Header(new ArrayList<>(entries.values()),
                    metadata == null ? new LinkedHashMap<>() : metadata);
        }

        private static SafetensorsException duplicate(String what, String key, int keyPos) {
            return new SafetensorsException("header JSON: " + what + " " + Entry.quoted(key) + " at character "
                    + keyPos + " (each key may appear once)");
        }

        private LinkedHashMap<String, String> metadata() throws SafetensorsException {
            LinkedHashMap<String, String> out = new LinkedHashMap<>();
            if (j.consumeNull()) {
                return out; // what serde writes for an absent Option; means "no metadata"
            }
            if (j.peek() != '{') {
                throw new SafetensorsException(METADATA_KEY + " must be an object of string values, got "
                        + j.describeValue());
            }
            j.expect('{');
            j.skipWs();
            boolean more = !j.consume('}');
            while (more) {
                int keyPos = j.pos();
                String key = j.key();
                if (j.peek() != '"') {
                    throw new SafetensorsException(METADATA_KEY + "[" + Entry.quoted(key) + "] must be a string, got "
                            + j.describeValue());
                }
                if (out.putIfAbsent(key, j.string()) != null) {
                    throw duplicate("duplicate key", key, keyPos);
                }
                more = j.next('}');
            }
            return out;
        }

        private SafetensorsException fail(String name, String message) {
            return new SafetensorsException("tensor " + Entry.quoted(name) + ": " + message);
        }

        private Entry entry(String name) throws SafetensorsException {
            if (j.peek() != '{') {
                throw fail(name, "entry must be an object with keys dtype, shape, data_offsets; got "
                        + j.describeValue());
            }
            j.expect('{');
            j.skipWs();
            Dtype dtype = null;
            int[] shape = null;
            long[] offsets = null;
            boolean more = !j.consume('}');
            while (more) {
                int keyPos = j.pos();
                String key = j.key();
                boolean seen;
                switch (key) {
                    case "dtype":
                        seen = dtype != null;
                        if (!seen) {
                            dtype = dtype(name);
                        }
                        break;
                    case "shape":
                        seen = shape != null;
                        if (!seen) {
                            shape = shape(name);
                        }
                        break;
                    case "data_offsets":
                        seen = offsets != null;
                        if (!seen) {
                            offsets = offsets(name);
                        }
                        break;
                    default:
                        throw fail(name, "unknown key " + Entry.quoted(key)
                                + " (expected exactly dtype, shape, data_offsets)");
                }
                if (seen) {
                    throw duplicate("duplicate key", key, keyPos);
                }
                more = j.next('}');
            }
            if (dtype == null) {
                throw fail(name, "missing key 'dtype'");
            }
            if (shape == null) {
                throw fail(name, "missing key 'shape'");
            }
            if (offsets == null) {
                throw fail(name, "missing key 'data_offsets'");
            }
            return check(name, dtype, shape, offsets[0], offsets[1]);
        }

        private Dtype dtype(String name) throws SafetensorsException {
            if (j.peek() != '"') {
                throw fail(name, "dtype must be a string, got " + j.describeValue());
            }
            String d = j.string();
            Dtype dtype = Dtype.fromHeader(d);
            if (dtype == null) {
                throw new SafetensorsException("unsupported dtype " + Json.printable(d) + " for tensor "
                        + Entry.quoted(name) + " (supported: " + Dtype.supportedList() + ")");
            }
            return dtype;
        }

        private int[] shape(String name) throws SafetensorsException {
            if (j.peek() != '[') {
                throw fail(name, "shape must be an array of integers, got " + j.describeValue());
            }
            j.expect('[');
            j.skipWs();
            // Grows with the dimensions actually present: at most two header bytes per dimension.
            int[] dims = new int[4];
            int rank = 0;
            boolean more = !j.consume(']');
            while (more) {
                long v = nonNegative(name, "shape", rank);
                if (v > Integer.MAX_VALUE) {
                    throw fail(name, "shape[" + rank + "] = " + v + " exceeds the largest supported dimension "
                            + Integer.MAX_VALUE);
                }
                if (rank == dims.length) {
                    dims = Arrays.copyOf(dims, 2 * rank);
                }
                dims[rank++] = (int) v;
                more = j.next(']');
            }
            return Arrays.copyOf(dims, rank);
        }

        private long[] offsets(String name) throws SafetensorsException {
            if (j.peek() != '[') {
                throw fail(name, "data_offsets must be an array of integers, got " + j.describeValue());
            }
            j.expect('[');
            j.skipWs();
            long[] out = new long[2];
            int count = 0;
            boolean more = !j.consume(']');
            while (more) {
                long v = nonNegative(name, "data_offsets", count);
                if (count < 2) {
                    out[count] = v;
                }
                count++;
                more = j.next(']');
            }
            if (count != 2) {
                throw fail(name, "data_offsets must have 2 entries [begin, end], got " + count);
            }
            return out;
        }

        /** The element {@code array[index]}; its name is built only for a message. */
        private long nonNegative(String name, String array, int index) throws SafetensorsException {
            char c = j.peek();
            if (c != '-' && (c < '0' || c > '9')) {
                throw fail(name, array + "[" + index + "] must be a non-negative integer, got " + j.describeValue());
            }
            long v = j.number();
            if (v >= 0) {
                return v;
            }
            if (v == Json.TOO_LARGE) {
                throw fail(name, array + "[" + index + "] = " + j.numberText() + " exceeds the supported range (at most "
                        + Long.MAX_VALUE + ")");
            }
            throw fail(name, array + "[" + index + "] must be a non-negative integer, got the number " + j.numberText());
        }

        /** The checks of one entry that need all three fields. */
        private Entry check(String name, Dtype dtype, int[] shape, long begin, long end) throws SafetensorsException {
            // A zero dimension makes the tensor empty however large the others are.
            long numel = 1;
            for (int d : shape) {
                if (d == 0) {
                    numel = 0;
                    break;
                }
            }
            for (int i = 0; i < shape.length && numel != 0; i++) {
                try {
                    numel = Math.multiplyExact(numel, (long) shape[i]);
                } catch (ArithmeticException e) {
                    throw fail(name, "shape " + shapeText(shape) + " has more elements than fit in 64 bits");
                }
            }
            if (begin > end) {
                throw fail(name, "data_offsets [" + begin + ", " + end + "] has begin > end");
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(numel, (long) dtype.size());
            } catch (ArithmeticException e) {
                throw fail(name, dtype + " shape " + shapeText(shape) + " has more bytes than fit in 64 bits");
            }
            if (end - begin != bytes) {
                throw fail(name, dtype + " shape " + shapeText(shape) + " needs " + bytes + " bytes, but data_offsets ["
                        + begin + ", " + end + "] span " + (end - begin));
            }
            if (bytes > maxTensorBytes) {
                throw fail(name, bytes + " bytes exceed "
                        + (maxTensorBytes == ReadLimits.MAX_TENSOR_BYTES
                                ? "the largest Java array (" + maxTensorBytes + " bytes)"
                                : "the limit of " + maxTensorBytes + " bytes")
                        + " (maxTensorBytes)");
            }
            return new Entry(name, dtype, shape, begin, end);
        }
    }

    /** A shape for a message: all dimensions up to rank 8, else the first eight and the rank. */
    static String shapeText(int[] shape) {
        if (shape.length <= 8) {
            return Arrays.toString(shape);
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 8; i++) {
            sb.append(shape[i]).append(", ");
        }
        return sb.append("... (rank ").append(shape.length).append(")]").toString();
    }
}
