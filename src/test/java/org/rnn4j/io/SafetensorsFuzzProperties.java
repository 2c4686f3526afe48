package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Malformed files from valid ones: random files (the generators of {@link SafetensorsProperties})
 * get one to three random mutations: truncation anywhere, bit flips, byte overwrites in the header
 * or the data, lies in the length prefix, and lies in single header tokens (dtype strings, shape
 * entries, offsets, keys) replaced by wrong numbers, huge or negative numbers, wrong types, deep
 * nesting, duplicate names, bytes that are not UTF-8. Whatever the result, every reader (array,
 * stream, file, mapped file) must agree: all return the same content, which then round-trips, or
 * all throw {@link SafetensorsException} with a one-line message. Nothing else may escape, and
 * each read must finish within seconds.
 */
class SafetensorsFuzzProperties {
    private static Path dir;
    private static final AtomicInteger FILES = new AtomicInteger();

    @BeforeContainer
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("safetensors-fuzz");
    }

    @AfterContainer
    static void deleteDir() throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                deleteQuietly(p);
            }
        }
        deleteQuietly(dir);
    }

    /** Best effort: a file still mapped cannot be deleted on Windows; the OS cleans its temp dir. */
    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // see above
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Valid files

    @Provide
    Arbitrary<byte[]> validFiles() {
        SafetensorsProperties gen = new SafetensorsProperties();
        Arbitrary<List<SafetensorsProperties.Case>> tensors = gen.tensors().list().ofMaxSize(4)
                .uniqueElements(c -> c.tensor.name());
        return Combinators.combine(tensors, gen.metadata()).as((cases, meta) -> {
            List<NamedTensor> ts = new ArrayList<>();
            cases.forEach(c -> ts.add(c.tensor));
            return Safetensors.toBytes(ts, meta);
        });
    }

    // ------------------------------------------------------------------------------------------------
    // Mutations

    /** One change to a file; {@code toString} says what, for the report of a failing case. */
    interface Mutation {
        byte[] apply(byte[] file);
    }

    private static Mutation named(String description, Mutation m) {
        return new Mutation() {
            @Override
            public byte[] apply(byte[] file) {
                return m.apply(file);
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }

    private static int at(double fraction, int length) {
        return Math.min(length - 1, (int) (fraction * length));
    }

    private static long headerLength(byte[] f) {
        return f.length < 8 ? -1 : ByteBuffer.wrap(f, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static byte[] withLength(byte[] f, long n) {
        byte[] g = f.clone();
        ByteBuffer.wrap(g, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(n);
        return g;
    }

    /** The header as Latin-1 text (one char per byte, so any bytes survive the round trip), or null. */
    private static String header(byte[] f) {
        long n = headerLength(f);
        if (n < 0 || n > f.length - 8) {
            return null;
        }
        return new String(f, 8, (int) n, StandardCharsets.ISO_8859_1);
    }

    /** The file with its header replaced and the length prefix updated to match. */
    private static byte[] withHeader(byte[] f, String header) {
        int n = (int) headerLength(f);
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        byte[] g = new byte[f.length - n + h.length];
        ByteBuffer.wrap(g).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).put(f, 8 + n, f.length - 8 - n);
        return g;
    }

    /** A JSON value or key in the header: [start, end) of its text. */
    static final class Token {
        final int start;
        final int end;
        final boolean key;
        final int depth;
        final boolean isArray;
        final boolean isString;

        Token(String h, int start, int end, boolean key, int depth) {
            this.start = start;
            this.end = end;
            this.key = key;
            this.depth = depth;
            this.isArray = h.charAt(start) == '[';
            this.isString = h.charAt(start) == '"';
        }
    }

    /**
     * The strings, numbers, literals, arrays and objects of a header (which need not be valid:
     * the scan is lenient and just finds spans).
     */
    static List<Token> tokens(String h) {
        List<Token> out = new ArrayList<>();
        Deque<Integer> open = new ArrayDeque<>();
        int i = 0;
        while (i < h.length()) {
            char c = h.charAt(i);
            if (c == '"') {
                int j = i + 1;
                while (j < h.length() && h.charAt(j) != '"') {
                    j += h.charAt(j) == '\\' ? 2 : 1;
                }
                int end = Math.min(j + 1, h.length());
                int k = end;
                while (k < h.length() && h.charAt(k) == ' ') {
                    k++;
                }
                out.add(new Token(h, i, end, k < h.length() && h.charAt(k) == ':', open.size()));
                i = end;
            } else if (c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n') {
                int j = i;
                while (j < h.length() && "-+.eE0123456789truefalsn".indexOf(h.charAt(j)) >= 0) {
                    j++;
                }
                out.add(new Token(h, i, j, false, open.size()));
                i = j;
            } else if (c == '[' || c == '{') {
                open.push(i);
                i++;
            } else if (c == ']' || c == '}') {
                if (!open.isEmpty()) {
                    int start = open.pop();
                    out.add(new Token(h, start, i + 1, false, open.size()));
                }
                i++;
            } else {
                i++;
            }
        }
        return out;
    }

    /** Replacement values: wrong numbers, huge and negative ones, wrong types, deep nesting, bad bytes. */
    private static final List<String> LIES = List.of(
            "-1", "0", "1", "2", "3", "7", "8", "4294967296", "2147483648", "9223372036854775807",
            "9223372036854775808", "18446744073709551616", "1" + "0".repeat(40), "-0", "1.0", "2.5e3", "1e400",
            "-9223372036854775809", "01", "+1", "NaN", "Infinity",
            "\"F32\"", "\"F64\"", "\"F16\"", "\"BF16\"", "\"I32\"", "\"I64\"", "\"BOOL\"", "\"U8\"", "\"f32\"", "\"\"",
            "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"x\\u0000\\n\"", "\"\\ud800\"",
            "\"\\x\"", "\"unterminated",
            "null", "true", "false", "[]", "[0]", "[1,2]", "[0,0,0]", "[1,1,1,1,1,1,1,1,1]", "[2,0,2,0,2,0,2,0,2,0]", "[-1]", "[1.5]", "[\"1\"]", "[null]", "{}",
            "{\"k\":\"v\"}", "{\"k\":1}", "{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}",
            "[".repeat(1000) + "]".repeat(1000), "{\"a\":".repeat(500) + "1" + "}".repeat(500), "[".repeat(300),
            "\u00ff", "\u00c0\u0080", "\u00ed\u00a0\u0080", "\u00e2\u0082", "\u00f4\u0090\u0080\u0080", "1,", ",");

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
        Arbitrary<Mutation> truncate = where.map(w -> named("truncate at " + w, f -> f.length == 0 ? f
                : Arrays.copyOf(f, at(w, f.length))));
        Arbitrary<Mutation> flip = Combinators.combine(where, Arbitraries.integers().between(0, 7)).as((w, bit) ->
                named("flip bit " + bit + " at " + w, f -> {
                    if (f.length == 0) {
                        return f;
                    }
                    byte[] g = f.clone();
                    g[at(w, g.length)] ^= (byte) (1 << bit);
                    return g;
                }));
        Arbitrary<Mutation> flipPrefix = Combinators.combine(Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(0, 7)).as((i, bit) -> named("flip bit " + bit + " of prefix byte " + i,
                        f -> {
                            if (f.length <= i) {
                                return f;
                            }
                            byte[] g = f.clone();
                            g[i] ^= (byte) (1 << bit);
                            return g;
                        }));
        Arbitrary<Mutation> overwriteHeader = Combinators.combine(where, Arbitraries.bytes()).as((w, b) ->
                named("header byte at " + w + " := " + b, f -> {
                    long n = headerLength(f);
                    if (n <= 0 || n > f.length - 8) {
                        return f;
                    }
                    byte[] g = f.clone();
                    g[8 + at(w, (int) n)] = b;
                    return g;
                }));
        Arbitrary<Mutation> overwriteData = Combinators.combine(where, Arbitraries.bytes()).as((w, b) ->
                named("data byte at " + w + " := " + b, f -> {
                    long n = headerLength(f);
                    if (n < 0 || n >= f.length - 8) {
                        return f;
                    }
                    byte[] g = f.clone();
                    int data = (int) (8 + n);
                    g[data + at(w, g.length - data)] = b;
                    return g;
                }));
        Arbitrary<Mutation> lengthDelta = Arbitraries.longs().between(-16, 16).filter(d -> d != 0).map(d ->
                named("header length " + (d > 0 ? "+" : "") + d, f -> f.length < 8 ? f : withLength(f, headerLength(f) + d)));
        Arbitrary<Mutation> lengthValue = Arbitraries.of(0L, 1L, 2L, 7L, Safetensors.MAX_HEADER_BYTES,
                Safetensors.MAX_HEADER_BYTES + 1, 1L << 31, 1L << 32, Long.MAX_VALUE, -1L, Long.MIN_VALUE)
                .map(v -> named("header length := " + v, f -> f.length < 8 ? f : withLength(f, v)));
        Arbitrary<Mutation> lie = Combinators.combine(where, Arbitraries.of(LIES)).as((w, text) ->
                named("token at " + w + " := " + abbreviate(text), f -> {
                    String h = header(f);
                    if (h == null) {
                        return f;
                    }
                    List<Token> ts = tokens(h);
                    if (ts.isEmpty()) {
                        return f;
                    }
                    Token t = ts.get(at(w, ts.size()));
                    return withHeader(f, h.substring(0, t.start) + text + h.substring(t.end));
                }));
        Arbitrary<Mutation> bump = Combinators.combine(where, Arbitraries.of(-1, 1, 4, -8)).as((w, d) ->
                named("number at " + w + " + " + d, f -> {
                    String h = header(f);
                    if (h == null) {
                        return f;
                    }
                    List<Token> nums = new ArrayList<>();
                    for (Token t : tokens(h)) {
                        if (h.substring(t.start, t.end).matches("[0-9]{1,18}")) {
                            nums.add(t);
                        }
                    }
                    if (nums.isEmpty()) {
                        return f;
                    }
                    Token t = nums.get(at(w, nums.size()));
                    long v = Long.parseLong(h.substring(t.start, t.end)) + d;
                    return withHeader(f, h.substring(0, t.start) + v + h.substring(t.end));
                }));
        Arbitrary<Mutation> duplicateKey = Combinators.combine(where, where).as((w1, w2) ->
                named("key at " + w1 + " := key at " + w2, f -> {
                    String h = header(f);
                    if (h == null) {
                        return f;
                    }
                    List<Token> keys = new ArrayList<>();
                    for (Token t : tokens(h)) {
                        if (t.key) {
                            keys.add(t);
                        }
                    }
                    if (keys.size() < 2) {
                        return f;
                    }
                    Token a = keys.get(at(w1, keys.size()));
                    Token b = keys.get(at(w2, keys.size()));
                    return withHeader(f, h.substring(0, a.start) + h.substring(b.start, b.end) + h.substring(a.end));
                }));
        Arbitrary<Mutation> insert = Combinators.combine(where, Arbitraries.of(LIES)).as((w, text) ->
                named("insert " + abbreviate(text) + " at header " + w, f -> {
                    String h = header(f);
                    if (h == null || h.isEmpty()) {
                        return f;
                    }
                    int i = at(w, h.length() + 1);
                    return withHeader(f, h.substring(0, i) + text + h.substring(i));
                }));
        // Mostly plausible dimensions, so that long arrays get far before a bad element stops them.
        Arbitrary<String> element = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.of("0", "1", "1", "2", "3", "4", "8")),
                net.jqwik.api.Tuple.of(3, Arbitraries.of("2147483647", "2147483648", "4294967296", "4611686018427387904",
                        "9223372036854775807", "9223372036854775808", "-1", "1.5", "null")));
        Arbitrary<Mutation> arrayLie = Combinators.combine(where, element.list().ofMaxSize(10)).as((w, elements) ->
                named("array at " + w + " := " + elements, f -> replaceToken(f, w, t -> t.depth >= 2 && !t.key
                        && t.isArray, "[" + String.join(",", elements) + "]")));
        Arbitrary<Mutation> stringLie = Combinators.combine(where, Arbitraries.of("F32", "F64", "F16", "BF16", "I32",
                "I64", "BOOL", "U8", "F8_E4M3", "", "f32", "F32 ", "x\\u0000")).as((w, v) ->
                named("string value at " + w + " := " + v, f -> replaceToken(f, w, t -> !t.key && t.isString,
                        "\"" + v + "\"")));
        Arbitrary<Mutation> keyLie = Combinators.combine(where, Arbitraries.of("dtype", "shape", "data_offsets",
                "__metadata__", "x", "", "Shape")).as((w, v) ->
                named("key at " + w + " := " + v, f -> replaceToken(f, w, t -> t.key, "\"" + v + "\"")));
        Arbitrary<Mutation> dataSize = Arbitraries.integers().between(-9, 9).filter(d -> d != 0).map(d ->
                named("data " + (d > 0 ? "+" : "") + d + " bytes", f -> d > 0
                        ? Arrays.copyOf(f, f.length + d) : Arrays.copyOf(f, Math.max(0, f.length + d))));
        return Arbitraries.oneOf(truncate, flip, flipPrefix, overwriteHeader, overwriteData, lengthDelta, lengthValue,
                lie, lie, arrayLie, arrayLie, stringLie, keyLie, bump, bump, duplicateKey, insert, dataSize);
    }

    /** Replaces the token at {@code where} among those that {@code which} accepts; no change if none. */
    private static byte[] replaceToken(byte[] f, double where, java.util.function.Predicate<Token> which, String text) {
        String h = header(f);
        if (h == null) {
            return f;
        }
        List<Token> ts = new ArrayList<>();
        for (Token t : tokens(h)) {
            if (which.test(t)) {
                ts.add(t);
            }
        }
        if (ts.isEmpty()) {
            return f;
        }
        Token t = ts.get(at(where, ts.size()));
        return withHeader(f, h.substring(0, t.start) + text + h.substring(t.end));
    }

    private static String abbreviate(String s) {
        return s.length() > 24 ? s.substring(0, 12) + "...(" + s.length() + " chars)" : s;
    }

    // ------------------------------------------------------------------------------------------------
    // The property

    /** Most mutated files must be refused, but some still parse (e.g. a flipped data bit), so both paths run. */
    @Property(tries = 400)
    void everyReaderAgreesAndFailsOnlyWithSafetensorsException(@ForAll("validFiles") byte[] valid,
            @ForAll("mutations") Mutation first, @ForAll("mutations") Mutation second,
            @ForAll("mutations") Mutation third, @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 3) int count)
            throws IOException {
        List<Mutation> applied = List.of(first, second, third).subList(0, count);
        byte[] bytes = valid;
        for (Mutation m : applied) {
            bytes = m.apply(bytes);
        }
        Statistics.label("outcome").coverage(c -> {
            c.check("refused").percentage(pc -> pc > 50);
            c.check("parsed").percentage(pc -> pc > 1);
        });
        Path p = dir.resolve("f" + FILES.incrementAndGet() + ".safetensors");
        Files.write(p, bytes);
        try {
            byte[] input = bytes;
            List<Object> outcomes = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> List.of(
                    outcome(() -> Safetensors.read(input)),
                    outcome(() -> Safetensors.read(new ByteArrayInputStream(input))),
                    outcome(() -> Safetensors.read(p)),
                    outcome(() -> Safetensors.map(p))), () -> "reading took too long after " + applied);
            check(outcomes, applied);
        } finally {
            deleteQuietly(p);
        }
    }

    interface Read {
        SafetensorsFile read() throws Exception;
    }

    /** The file read, or the exception thrown; any Throwable, so that an Error is reported, not fatal. */
    private static Object outcome(Read r) {
        long t0 = System.nanoTime();
        try {
            return r.read();
        } catch (Throwable t) {
            return t;
        } finally {
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "one read took over 5 s");
        }
    }

    private static void check(List<Object> outcomes, List<Mutation> applied) throws IOException {
        Statistics.label("outcome").collect(outcomes.get(0) instanceof SafetensorsException ? "refused" : "parsed");
        String[] sources = {"byte[]", "InputStream", "Path", "map"};
        int failures = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            Object o = outcomes.get(i);
            if (o instanceof SafetensorsException) {
                String m = ((SafetensorsException) o).getMessage();
                assertTrue(m != null && !m.isBlank(), sources[i] + ": empty message after " + applied);
                assertFalse(m.contains("\n") || m.contains("\r"), sources[i] + ": multi-line message '" + m + "'");
                assertTrue(m.length() < 1000, sources[i] + ": message of " + m.length() + " characters");
                failures++;
            } else if (o instanceof Throwable) {
                StringWriter trace = new StringWriter();
                ((Throwable) o).printStackTrace(new PrintWriter(trace));
                fail(sources[i] + " threw " + o + " after " + applied + "\n" + trace);
            }
        }
        if (failures > 0) {
            assertEquals(outcomes.size(), failures, () -> "readers disagree after " + applied + ": " + outcomes);
            return;
        }
        SafetensorsFile f = (SafetensorsFile) outcomes.get(0);
        for (int i = 1; i < outcomes.size(); i++) {
            SafetensorsFile g = (SafetensorsFile) outcomes.get(i);
            assertEquals(f.names(), g.names(), sources[i]);
            assertEquals(f.tensors(), g.tensors(), sources[i]);
            assertEquals(f.metadata(), g.metadata(), sources[i]);
        }
        // A mutated file that still parses is a valid file: it must survive a write and a read.
        byte[] again = Safetensors.toBytes(f.tensors().values(), f.metadata());
        SafetensorsFile back = Safetensors.read(again);
        assertEquals(f.tensors(), back.tensors());
        assertEquals(f.metadata(), back.metadata());
        assertEquals(f.names(), back.names());
    }

    // ------------------------------------------------------------------------------------------------
    // The hand-written UTF-8 check against the JDK's strict decoder

    @Provide
    Arbitrary<byte[]> utf8ish() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(12);
        Arbitrary<byte[]> high = Arbitraries.integers().between(0x7E, 0xFF).map(Integer::byteValue)
                .array(byte[].class).ofMaxSize(8);
        Arbitrary<byte[]> edges = Arbitraries.of((byte) 0x7F, (byte) 0x80, (byte) 0x8F, (byte) 0x90, (byte) 0x9F,
                (byte) 0xA0, (byte) 0xBF, (byte) 0xC0, (byte) 0xC1, (byte) 0xC2, (byte) 0xDF, (byte) 0xE0,
                (byte) 0xED, (byte) 0xEE, (byte) 0xEF, (byte) 0xF0, (byte) 0xF4, (byte) 0xF5, (byte) 0xFF, (byte) 'a')
                .array(byte[].class).ofMaxSize(8);
        Arbitrary<byte[]> nearlyValid = Combinators.combine(Arbitraries.strings().ofMaxLength(6),
                Arbitraries.integers().between(0, 63), Arbitraries.bytes()).as((s, i, b) -> {
                    byte[] u = s.getBytes(StandardCharsets.UTF_8);
                    if (u.length > 0) {
                        u[i % u.length] = b;
                    }
                    return u;
                });
        return Arbitraries.oneOf(random, high, edges, nearlyValid);
    }

    @Property(tries = 1000)
    void utf8CheckAgreesWithTheJdkDecoder(@ForAll("utf8ish") byte[] bytes) {
        String jdk;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            jdk = cb.toString();
        } catch (CharacterCodingException e) {
            jdk = null;
        }
        String ours;
        try {
            ours = Utf8.decode(bytes);
        } catch (SafetensorsException e) {
            assertTrue(e.getMessage().startsWith("header is not valid UTF-8: bytes 0x"), e.getMessage());
            ours = null;
        }
        assertEquals(jdk, ours, () -> "bytes " + Arrays.toString(bytes));
    }
}
