package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    private static List<NamedTensor> tiny() {
        return List.of(NamedTensor.ofFloats("a", new int[] {2}, new float[] {1.0f, -2.0f}),
                NamedTensor.ofLongs("b", new int[0], new long[] {-1}));
    }

    /**
     * The expected bytes were worked out by hand from the format description, not taken from the
     * writer: compact header with the metadata first, 132 bytes of JSON padded with 4 spaces to 136.
     */
    @Test
    void exactBytesOfATinyFile() throws IOException {
        String json = "{\"__metadata__\":{\"k\":\"v\"},"                                   // 26 bytes
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"    // 26 + 53 = 79
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}";   // 79 + 53 = 132
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(new byte[] {(byte) 136, 0, 0, 0, 0, 0, 0, 0});
        expected.writeBytes((json + "    ").getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes(new byte[] {0, 0, (byte) 0x80, 0x3F});                  // 1.0f = 0x3F800000
        expected.writeBytes(new byte[] {0, 0, 0, (byte) 0xC0});                     // -2.0f = 0xC0000000
        expected.writeBytes(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1});           // -1L
        byte[] want = expected.toByteArray();
        assertEquals(160, want.length);

        Map<String, String> meta = Map.of("k", "v");
        assertArrayEquals(want, Safetensors.toBytes(tiny(), meta));
        Path p = dir.resolve("tiny.safetensors");
        Safetensors.write(p, tiny(), meta);
        assertArrayEquals(want, Files.readAllBytes(p));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        Safetensors.write(stream, tiny(), meta);
        assertArrayEquals(want, stream.toByteArray());
    }

    @Test
    void emptyFileAndDeterministicMetadataOrder() {
        assertArrayEquals(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '},
                Safetensors.toBytes(List.of(), null));
        assertArrayEquals(Safetensors.toBytes(List.of(), null), Safetensors.toBytes(List.of(), Map.of()));
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        assertArrayEquals(Safetensors.toBytes(tiny(), ab), Safetensors.toBytes(tiny(), ba));
    }

    @Test
    void escapesNamesAndMetadata() throws IOException {
        String odd = "q\"\\/\n\t\u0001é😀";
        List<NamedTensor> ts = List.of(NamedTensor.ofDoubles(odd, new int[] {1}, new double[] {3}));
        SafetensorsFile f = Safetensors.read(Safetensors.toBytes(ts, Map.of(odd, odd)));
        assertEquals(List.of(odd), f.names());
        assertEquals(Map.of(odd, odd), f.metadata());
        String json = new String(Safetensors.toBytes(ts, null), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"q\\\"\\\\/\\n\\t\\u0001é😀\""), json);
    }

    @Test
    void invalidArgumentsCreateNothing() throws IOException {
        Path p = dir.resolve("x.safetensors");
        NamedTensor a = NamedTensor.ofFloats("a", new int[] {1}, new float[] {1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(p, List.of(a, NamedTensor.ofFloats("b", new int[0], new float[1]), a)));
        assertEquals("duplicate tensor name 'a' at tensors[0] and tensors[2]", e.getMessage());
        List<NamedTensor> withNull = new ArrayList<>();
        withNull.add(a);
        withNull.add(null);
        assertEquals("tensors[1] is null",
                assertThrows(IllegalArgumentException.class, () -> Safetensors.write(p, withNull)).getMessage());
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        assertEquals("metadata value for key 'k' is null",
                assertThrows(IllegalArgumentException.class, () -> Safetensors.write(p, List.of(a), nullValue))
                        .getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(p, List.of(NamedTensor.ofFloats("x\uD800", new int[0], new float[1]))));
        assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(p, (List<NamedTensor>) null));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(p, (SafetensorsFile) null));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write((Path) null, List.of()));
        assertEquals(Set.of(), listing());
    }

    private Set<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(x -> x.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    /**
     * A write that fails anywhere — after the header, half-way through a tensor, just before the
     * rename — leaves the directory exactly as it was: no temporary file, the old target intact.
     */
    @ParameterizedTest
    @ValueSource(strings = {"header", "tensor a", "tensor b", "move"})
    void failedWriteLeavesNoTrace(String stage) throws IOException {
        Path p = dir.resolve("model.safetensors");
        List<String> seen = new ArrayList<>();
        SafetensorsWriter.FailPoint failAt = s -> {
            seen.add(s);
            if (s.equals(stage)) {
                throw new IOException("injected failure at " + s);
            }
        };
        IOException e = assertThrows(IOException.class, () -> SafetensorsWriter.write(p, tiny(), null, failAt));
        assertEquals("injected failure at " + stage, e.getMessage());
        assertEquals(stage, seen.get(seen.size() - 1));
        assertEquals(Set.of(), listing());

        byte[] old = {1, 2, 3};
        Files.write(p, old);
        SafetensorsWriter.FailPoint unchecked = s -> {
            if (s.equals(stage)) {
                throw new UncheckedIOException(new IOException("disk on fire"));
            }
        };
        assertThrows(UncheckedIOException.class, () -> SafetensorsWriter.write(p, tiny(), null, unchecked));
        assertEquals(Set.of("model.safetensors"), listing());
        assertArrayEquals(old, Files.readAllBytes(p));
    }

    @Test
    void replacesExistingFileCompletely() throws IOException {
        Path p = dir.resolve("m.safetensors");
        Files.write(p, new byte[10_000]);
        Safetensors.write(p, tiny());
        assertEquals(Safetensors.read(Safetensors.toBytes(tiny(), null)).tensors(), Safetensors.read(p).tensors());
        assertEquals(Set.of("m.safetensors"), listing());
    }

    @Test
    void fileSystemFailuresLeaveNoTrace() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub.safetensors"));
        Files.write(sub.resolve("keep"), new byte[1]);
        FileSystemException e = assertThrows(FileSystemException.class, () -> Safetensors.write(sub, tiny()));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> Safetensors.write(dir.resolve("missing/m.safetensors"), tiny()));
        assertEquals(Set.of("sub.safetensors"), listing());
        assertEquals(Set.of(sub.resolve("keep")), Files.list(sub).collect(Collectors.toSet()));
    }

    @Test
    void readOnlyDirectory() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // Root ignores directory permissions; then there is nothing to test.
            assumeFalse(Files.isWritable(ro), "running with permission to write anywhere");
            assertThrows(IOException.class, () -> Safetensors.write(ro.resolve("m.safetensors"), tiny()));
            assertEquals(0, Files.list(ro).count());
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** The temporary file must not be created owner-only, or the result would inherit that. */
    @Test
    void resultHasDefaultPermissions() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Set<PosixFilePermission> plain = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain")));
        Path p = dir.resolve("m.safetensors");
        Safetensors.write(p, tiny());
        assertEquals(plain, Files.getPosixFilePermissions(p));
        assertFalse(Files.isDirectory(p));
    }
}
