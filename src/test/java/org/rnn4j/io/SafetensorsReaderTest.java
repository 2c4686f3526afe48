package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed input gives a {@link SafetensorsException} whose message says what and where. */
class SafetensorsReaderTest {
    @TempDir
    Path dir;

    /** A file with the given header length field, header text and data buffer. */
    static byte[] file(long headerLength, byte[] header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array());
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, new byte[dataBytes]);
    }

    /** Reads the bytes from memory, from a stream and from a file; all three must fail like this. */
    private void assertMalformed(byte[] bytes, String... fragments) throws IOException {
        assertMalformedKnownSize(bytes, fragments);
        assertMalformedStream(bytes, fragments);
    }

    private void assertMalformedKnownSize(byte[] bytes, String... fragments) throws IOException {
        check(assertThrows(SafetensorsException.class, () -> Safetensors.read(bytes)), fragments);
        Path p = Files.write(dir.resolve("bad.safetensors"), bytes);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(p));
        check(e, fragments);
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
    }

    private void assertMalformedStream(byte[] bytes, String... fragments) {
        check(assertThrows(SafetensorsException.class,
                () -> Safetensors.read(new ByteArrayInputStream(bytes))), fragments);
    }

    private static void check(Throwable e, String... fragments) {
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    private static final String A_F32_2 = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @Test
    void truncatedBeforeHeaderLength() throws IOException {
        assertMalformed(new byte[0], "truncated input", "8-byte header length prefix");
        assertMalformedKnownSize(new byte[5], "truncated input", "5 bytes", "8-byte header length prefix");
        assertMalformedStream(new byte[5], "truncated input", "8-byte header length prefix", "only 5 remain");
    }

    @Test
    void headerLengthBeyondFile() throws IOException {
        byte[] h = ("{" + A_F32_2 + "}").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = file(1000, h, new byte[8]);
        int after = bytes.length - 8;
        assertMalformedKnownSize(bytes, "header length 1000 exceeds the " + after + " bytes");
        assertMalformedStream(bytes, "truncated input", "1000-byte header", "only " + after + " remain");
    }

    @Test
    void headerLengthOverCap() throws IOException {
        assertMalformed(file(100_000_001, new byte[0], new byte[0]), "header length 100000001", "limit of 100000000");
        assertMalformed(file(-1, new byte[0], new byte[0]), "header length 18446744073709551615", "limit");
    }

    @Test
    void truncatedData() throws IOException {
        byte[] bytes = file("{" + A_F32_2 + "}", 5);
        assertMalformedKnownSize(bytes, "tensor 'a'", "data_offsets [0, 8]", "exceed the data buffer of 5 bytes");
        assertMalformedStream(bytes, "truncated input", "tensor 'a'", "needs 8 bytes", "only 5 remain");
    }

    @Test
    void headerNotUtf8() throws IOException {
        byte[] h = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        assertMalformed(file(h.length, h, new byte[0]), "not valid UTF-8");
        // An encoded surrogate (CESU-8) is not UTF-8 either.
        byte[] s = {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ':', '1', '}'};
        assertMalformed(file(s.length, s, new byte[0]), "not valid UTF-8");
    }

    @Test
    void badJson() throws IOException {
        assertMalformed(file("", 0), "header JSON", "expected a JSON value", "end of header");
        assertMalformed(file("{\"a\":", 0), "header JSON", "expected a JSON value", "end of header");
        assertMalformed(file("{" + A_F32_2 + ",}", 8), "header JSON", "'\"'", "'}'");
        assertMalformed(file("{" + A_F32_2 + "} x", 8), "end of header after the JSON value", "'x'");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[NaN],\"data_offsets\":[0,4]}}", 4),
                "expected a JSON value", "'N'");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", 4),
                "leading zero");
        assertMalformed(file("/*c*/{}", 0), "expected a JSON value", "'/'");
        assertMalformed(file("{\"a\u0001\":1}", 0), "control character U+0001");
        assertMalformed(file("{\"\\ud800\":1}", 0), "unpaired high surrogate");
        assertMalformed(file("{\"\\x\":1}", 0), "invalid escape '\\x'");
    }

    /**
     * The schema has three levels (header, entry, shape/offsets/metadata), so deeper nesting is
     * refused at its first bracket, wherever it starts, without reading it.
     */
    @Test
    void nestingBeyondTheSchema() throws IOException {
        String deep = "[".repeat(1000) + "]".repeat(1000);
        assertMalformed(file(deep, 0), "header JSON must be an object, got an array");
        assertMalformed(file("{\"a\":" + deep + "}", 0), "tensor 'a': entry must be an object", "got an array");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[" + deep + "],\"data_offsets\":[0,4]}}", 4),
                "tensor 'a': shape[0] must be a non-negative integer, got an array");
        assertMalformed(file("{\"a\":{\"dtype\":" + "{".repeat(1000) + "}}", 0),
                "tensor 'a': dtype must be a string, got an object");
        assertMalformed(file("{\"__metadata__\":{\"k\":" + deep + "}}", 0),
                "__metadata__['k'] must be a string, got an array");
        // Unclosed: nothing after the first bracket is looked at.
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":" + "[".repeat(100_000), 0),
                "tensor 'a': shape[0] must be a non-negative integer, got an array");
    }

    @Test
    void topLevelMustBeObject() throws IOException {
        assertMalformed(file("[]", 0), "header JSON must be an object, got an array");
        assertMalformed(file("\"x\"", 0), "must be an object, got the string \"x\"");
    }

    @Test
    void unknownAndUnsupportedDtype() throws IOException {
        assertMalformed(file("{\"w\":{\"dtype\":\"Q8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
                "unsupported dtype Q8 for tensor 'w'", "F16, BF16, F32, F64, I32, I64");
        assertMalformed(file("{\"w\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
                "unsupported dtype BOOL for tensor 'w'");
        assertMalformed(file("{\"w\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "unsupported dtype f32 for tensor 'w'");
        assertMalformed(file("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "tensor 'w'", "dtype must be a string, got the number 4");
    }

    @Test
    void wrongDataLength() throws IOException {
        assertMalformed(file("{\"w\":{\"dtype\":\"F64\",\"shape\":[2,3],\"data_offsets\":[0,40]}}", 40),
                "tensor 'w'", "F64 shape [2, 3] needs 48 bytes", "data_offsets [0, 40] span 40");
        assertMalformed(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,0]}}", 0),
                "tensor 'w'", "F32 shape [] needs 4 bytes", "span 0");
    }

    @Test
    void overflowingShape() throws IOException {
        assertMalformed(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],"
                + "\"data_offsets\":[0,4]}}", 4), "tensor 'w'", "more elements than fit in 64 bits");
        assertMalformed(file("{\"w\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2],"
                + "\"data_offsets\":[0,4]}}", 4), "tensor 'w'", "more bytes than fit in 64 bits");
        assertMalformed(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3000000000],\"data_offsets\":[0,4]}}", 4),
                "tensor 'w'", "shape[0] = 3000000000 exceeds the largest supported dimension");
        assertMalformed(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[0,100000000000000000000]}}", 4), "tensor 'w'", "data_offsets[1] = 1000000",
                "exceeds the supported range");
        assertMalformed(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000000],"
                + "\"data_offsets\":[0,4000000000]}}", 0), "tensor 'w'");
    }

    @Test
    void overlappingOffsets() throws IOException {
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
                "tensor 'b': data_offsets [4, 12] overlap tensor 'a' at [0, 8]");
        // The same data for two names is overlap too.
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "overlap");
    }

    @Test
    void gapsAndTrailingBytes() throws IOException {
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12),
                "gap in the data buffer: bytes [4, 8) belong to no tensor (between 'a' and 'b' at [8, 12])");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
                "gap", "bytes [0, 4)", "before 'a'");
        byte[] trailing = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 7);
        assertMalformedKnownSize(trailing, "data buffer has 7 bytes but the tensors cover only 4; 3 trailing bytes");
        assertMalformedStream(trailing, "trailing bytes after the last tensor", "offset 4");
    }

    @Test
    void duplicateNames() throws IOException {
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "duplicate tensor name 'a'");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "duplicate key 'dtype'");
    }

    @Test
    void entryStructure() throws IOException {
        assertMalformed(file("{\"a\":[1]}", 0), "tensor 'a': entry must be an object", "got an array");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4),
                "tensor 'a': unknown key 'x'");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4),
                "tensor 'a': missing key 'shape'");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4),
                "tensor 'a': shape[0] must be a non-negative integer, got the number -1");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", 4),
                "shape[0] must be a non-negative integer, got the number 1.0");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", 4),
                "tensor 'a': shape must be an array of integers, got the string \"1\"");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8),
                "tensor 'a': data_offsets must have 2 entries [begin, end], got 3");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4),
                "tensor 'a': data_offsets [4, 0] has begin > end");
        assertMalformed(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[null,4]}}", 4),
                "data_offsets[0] must be a non-negative integer, got null");
    }

    @Test
    void metadataMustMapStringsToStrings() throws IOException {
        assertMalformed(file("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__['k'] must be a string, got the number 1");
        assertMalformed(file("{\"__metadata__\":[]}", 0), "__metadata__ must be an object", "got an array");
    }

    @Test
    void acceptsValidVariations() throws IOException {
        // Pretty-printed JSON, escapes, out-of-order entries, metadata null, empty tensors between others.
        String header = "{\n  \"b\\u00e9\\n\" : {\"shape\": [2], \"dtype\": \"I64\", \"data_offsets\": [4, 20]},\n"
                + "  \"__metadata__\": null,\n"
                + "  \"z\": {\"dtype\": \"F64\", \"shape\": [2, 0], \"data_offsets\": [4, 4]},\n"
                + "  \"a\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0, 4]}\n}   ";
        byte[] data = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(-1.5f).putLong(7).putLong(-8).array();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = file(h.length, h, data);
        for (SafetensorsFile f : List.of(Safetensors.read(bytes), Safetensors.read(new ByteArrayInputStream(bytes)),
                Safetensors.read(Files.write(dir.resolve("ok.safetensors"), bytes)))) {
            assertEquals(List.of("bé\n", "z", "a"), f.names());
            assertEquals(Map.of(), f.metadata());
            assertArrayEquals(new long[] {7, -8}, f.tensor("bé\n").asLongs());
            assertArrayEquals(new int[] {2, 0}, f.tensor("z").shape());
            assertArrayEquals(new float[] {-1.5f}, f.tensor("a").asFloats());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.read(bytes).tensor("nope"));
        check(e, "no tensor 'nope'", "[bé\n, z, a]");
        check(assertThrows(IllegalArgumentException.class, () -> Safetensors.read(bytes).metadata("k")),
                "no metadata key 'k'");
    }

    @Test
    void readsF16Bf16I32() throws IOException {
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[4,6]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[6,10]}}";
        byte[] data = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3800)
                .putShort((short) 0xFC00).putShort((short) 0x4040).putInt(-3).array();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        SafetensorsFile f = Safetensors.read(file(h.length, h, data));
        assertArrayEquals(new float[] {0.5f, Float.NEGATIVE_INFINITY}, f.tensor("h").asFloats());
        assertArrayEquals(new float[] {3f}, f.tensor("b").asFloats());
        assertArrayEquals(new int[] {-3}, f.tensor("i").asInts());
        // Written back unchanged, so the file round-trips in its own dtypes.
        SafetensorsFile again = Safetensors.read(Safetensors.toBytes(f.tensors().values(), null));
        assertEquals(f.tensors(), again.tensors());
    }

    @Test
    void nullArguments() {
        assertThrows(IllegalArgumentException.class, () -> Safetensors.read((Path) null));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.read((byte[]) null));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.read((java.io.InputStream) null));
    }
}
