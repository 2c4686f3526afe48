package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.io.SafetensorsReaderTest.file;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configurable limits, and the bounds that hold whatever a header claims: allocation follows
 * the bytes that exist, hostile numbers and strings cost linear time and give short one-line
 * messages.
 */
class SafetensorsLimitsTest {
    @TempDir
    Path dir;

    private static final String A_F32_2 = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";

    @Test
    void defaultsAreTheFormatsLimits() {
        ReadLimits d = ReadLimits.DEFAULT;
        assertEquals(Safetensors.MAX_HEADER_BYTES, d.maxHeaderBytes());
        assertEquals(Integer.MAX_VALUE - 8, d.maxTensorBytes());
        assertEquals(ReadLimits.MAX_TENSOR_BYTES, d.maxTensorBytes());
        assertEquals(Long.MAX_VALUE, d.maxTotalBytes());
        assertEquals("ReadLimits[maxHeaderBytes=100000000, maxTensorBytes=2147483639, maxTotalBytes=9223372036854775807]",
                d.toString());
    }

    @Test
    void withCopiesAndLeavesTheOriginal() {
        ReadLimits l = ReadLimits.DEFAULT.withMaxHeaderBytes(1000).withMaxTensorBytes(64).withMaxTotalBytes(128);
        assertEquals(1000, l.maxHeaderBytes());
        assertEquals(64, l.maxTensorBytes());
        assertEquals(128, l.maxTotalBytes());
        assertEquals(Safetensors.MAX_HEADER_BYTES, ReadLimits.DEFAULT.maxHeaderBytes());
        assertEquals(l, ReadLimits.DEFAULT.withMaxTotalBytes(128).withMaxTensorBytes(64).withMaxHeaderBytes(1000));
        assertEquals(l.hashCode(),
                ReadLimits.DEFAULT.withMaxTotalBytes(128).withMaxTensorBytes(64).withMaxHeaderBytes(1000).hashCode());
        assertNotEquals(l, l.withMaxTotalBytes(129));
        assertEquals(ReadLimits.DEFAULT.withMaxHeaderBytes(2).maxHeaderBytes(), 2);
        assertEquals(ReadLimits.DEFAULT.withMaxTensorBytes(0).maxTensorBytes(), 0);
        assertEquals(ReadLimits.DEFAULT.withMaxTotalBytes(0).maxTotalBytes(), 0);
    }

    @Test
    void outOfRangeLimitsNameTheField() {
        assertEquals("maxHeaderBytes must be in [2, 100000000], got 1",
                assertThrows(IllegalArgumentException.class, () -> ReadLimits.DEFAULT.withMaxHeaderBytes(1)).getMessage());
        assertEquals("maxHeaderBytes must be in [2, 100000000], got 100000001",
                assertThrows(IllegalArgumentException.class,
                        () -> ReadLimits.DEFAULT.withMaxHeaderBytes(100_000_001)).getMessage());
        assertEquals("maxTensorBytes must be in [0, 2147483639], got -1",
                assertThrows(IllegalArgumentException.class, () -> ReadLimits.DEFAULT.withMaxTensorBytes(-1)).getMessage());
        assertEquals("maxTensorBytes must be in [0, 2147483639], got 2147483640",
                assertThrows(IllegalArgumentException.class,
                        () -> ReadLimits.DEFAULT.withMaxTensorBytes(2147483640L)).getMessage());
        assertEquals("maxTotalBytes must be in [0, 9223372036854775807], got -5",
                assertThrows(IllegalArgumentException.class, () -> ReadLimits.DEFAULT.withMaxTotalBytes(-5)).getMessage());
        assertEquals("limits must not be null", assertThrows(IllegalArgumentException.class,
                () -> Safetensors.read(new byte[0], null)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Safetensors.read(new ByteArrayInputStream(new byte[0]), null));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.read(dir.resolve("x"), null));
    }

    /** Reads through every source with the limits; all must fail with the fragment. */
    private void assertRefused(byte[] bytes, ReadLimits limits, String fragment) throws IOException {
        Path p = Files.write(dir.resolve("f.safetensors"), bytes);
        List<ThrowingRead> reads = List.of(() -> Safetensors.read(bytes, limits),
                () -> Safetensors.read(new ByteArrayInputStream(bytes), limits),
                () -> Safetensors.read(p, limits), () -> Safetensors.map(p, limits));
        for (ThrowingRead r : reads) {
            SafetensorsException e = assertThrows(SafetensorsException.class, r::read);
            assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }

    interface ThrowingRead {
        SafetensorsFile read() throws IOException;
    }

    @Test
    void eachLimitIsEnforcedOnEverySource() throws IOException {
        byte[] ok = file(A_F32_2, 12);
        int headerLength = A_F32_2.length();
        assertEquals(2, Safetensors.read(ok, ReadLimits.DEFAULT.withMaxHeaderBytes(headerLength)
                .withMaxTensorBytes(8).withMaxTotalBytes(12)).tensors().size());
        assertRefused(ok, ReadLimits.DEFAULT.withMaxHeaderBytes(headerLength - 1),
                "header length " + headerLength + " exceeds the limit of " + (headerLength - 1) + " bytes (maxHeaderBytes)");
        assertRefused(ok, ReadLimits.DEFAULT.withMaxTensorBytes(7),
                "tensor 'a': 8 bytes exceed the limit of 7 bytes (maxTensorBytes)");
        assertRefused(ok, ReadLimits.DEFAULT.withMaxTotalBytes(11),
                "the tensors hold 12 bytes of data, over the limit of 11 bytes (maxTotalBytes)");
        // The default tensor limit is the largest Java array, and says so.
        assertRefused(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[268435456],\"data_offsets\":[0,2147483648]}}", 0),
                ReadLimits.DEFAULT, "tensor 'a': 2147483648 bytes exceed the largest Java array (2147483639 bytes)");
    }

    /**
     * A stream's length is unknown, so the header's numbers are claims: a 100 MB header or a 2 GB
     * tensor on a stream of a few hundred bytes fails as truncated after allocating about what
     * arrived, not what was claimed.
     */
    @Test
    void aLyingStreamCostsWhatItDelivers() {
        com.sun.management.ThreadMXBean mx = SafetensorsMapTest.allocationCounter();
        byte[] headerClaim = file(Safetensors.MAX_HEADER_BYTES, "{}".getBytes(StandardCharsets.UTF_8), new byte[90]);
        byte[] tensorClaim = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[536870000],\"data_offsets\":[0,2147480000]}}", 100);
        byte[] manyTensors = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[536870000],\"data_offsets\":[0,2147480000]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[536870000],\"data_offsets\":[2147480000,4294960000]}}", 100);
        for (byte[] bytes : List.of(headerClaim, tensorClaim, manyTensors)) {
            long before = SafetensorsMapTest.allocated(mx);
            SafetensorsException e = assertThrows(SafetensorsException.class,
                    () -> Safetensors.read(new ByteArrayInputStream(bytes)));
            long spent = SafetensorsMapTest.allocated(mx) - before;
            assertTrue(e.getMessage().startsWith("truncated input"), e.getMessage());
            assertTrue(spent < 1 << 20, "allocated " + spent + " bytes for a " + bytes.length + "-byte stream");
        }
    }

    /** A stream that hands out one byte per call still reads a file correctly (chunk growth). */
    @Test
    void aTricklingStreamReadsTheSameFile() throws IOException {
        float[] values = new float[100_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f;
        }
        byte[] bytes = Safetensors.toBytes(List.of(NamedTensor.ofFloats("w", new int[] {values.length}, values),
                NamedTensor.ofLongs("n", new int[] {1}, new long[] {3})), java.util.Map.of("k", "v"));
        InputStream trickle = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        SafetensorsFile f = Safetensors.read(trickle);
        assertEquals(Safetensors.read(bytes).tensors(), f.tensors());
        assertEquals("v", f.metadata("k"));
    }

    /** Literals of a million digits: linear time, a short message (no BigInteger, no double parsing). */
    @Test
    void hugeNumbersAreCheapAndQuotedShort() throws IOException {
        String digits = "9".repeat(1_000_000);
        String[] headers = {
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0," + digits + "]}}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[" + digits + "],\"data_offsets\":[0,4]}}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1." + digits + "],\"data_offsets\":[0,4]}}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-" + digits + ",4]}}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1e" + digits + "],\"data_offsets\":[0,4]}}",
            "{\"__metadata__\":{\"k\":" + digits + "}}",
        };
        String[] fragments = {
            "tensor 'a': data_offsets[1] = 999999999999999999999999999999... (1000000 characters) exceeds the supported range",
            "tensor 'a': shape[0] = 9999", "tensor 'a': shape[0] must be a non-negative integer, got the number 1.999",
            "data_offsets[0] must be a non-negative integer, got the number -999", "got the number 1e999",
            "__metadata__['k'] must be a string, got the number 999",
        };
        for (int i = 0; i < headers.length; i++) {
            byte[] bytes = file(headers[i], 4);
            String fragment = fragments[i];
            SafetensorsException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(SafetensorsException.class, () -> Safetensors.read(bytes)));
            assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' lacks '" + fragment + "'");
            assertTrue(e.getMessage().length() < 250, e.getMessage());
        }
    }

    /**
     * Names and strings from the header appear escaped and shortened, so a message is one line
     * however hostile the name (line breaks, bidi overrides, a megabyte of text).
     */
    @Test
    void headerTextInMessagesIsOneShortLine() throws IOException {
        String evil = "a\\nb\\r\\u2028\\u202e\\u0000x";
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(
                file("{\"" + evil + "\":{\"dtype\":\"Q\\n8\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)));
        assertEquals("unsupported dtype Q\\n8 for tensor 'a\\nb\\r\\u2028\\u202e\\u0000x' (supported: "
                + "F16, BF16, F32, F64, I32, I64)", e.getMessage());

        String longName = "n".repeat(1_000_000);
        e = assertThrows(SafetensorsException.class, () -> Safetensors.read(
                file("{\"" + longName + "\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4)));
        assertTrue(e.getMessage().startsWith("tensor '" + "n".repeat(60) + "... (1000000 characters)': F32 shape [2]"),
                e.getMessage());
        assertTrue(e.getMessage().length() < 250, e.getMessage());

        e = assertThrows(SafetensorsException.class, () -> Safetensors.read(
                file("{\"a\":{\"dtype\":\"" + "x\\n".repeat(100_000) + "\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4)));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().length() < 250, e.getMessage());

        int[] rank100 = new int[100];
        java.util.Arrays.fill(rank100, 1);
        String shape = java.util.Arrays.toString(rank100).replace(" ", "");
        e = assertThrows(SafetensorsException.class, () -> Safetensors.read(
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,8]}}", 8)));
        assertEquals("tensor 'a': F32 shape [1, 1, 1, 1, 1, 1, 1, 1, ... (rank 100)] needs 4 bytes, "
                + "but data_offsets [0, 8] span 8", e.getMessage());
    }

    /**
     * A value of the wrong kind is refused at its first character: a header of a million empty
     * objects inside a shape allocates about the header (bytes and text), not the objects.
     */
    @Test
    void refusedValuesAreNotBuilt() {
        com.sun.management.ThreadMXBean mx = SafetensorsMapTest.allocationCounter();
        byte[] bytes = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1," + "{},".repeat(1_000_000)
                + "1],\"data_offsets\":[0,4]}}", 4);
        long before = SafetensorsMapTest.allocated(mx);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(bytes));
        long spent = SafetensorsMapTest.allocated(mx) - before;
        assertEquals("tensor 'a': shape[1] must be a non-negative integer, got an object", e.getMessage());
        assertTrue(spent < 3L * bytes.length + (1 << 20), "allocated " + spent + " for a " + bytes.length + "-byte file");
    }
}
