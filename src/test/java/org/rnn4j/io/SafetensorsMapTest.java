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
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Safetensors#map}: the same result as {@code read}, without the data in the heap. */
class SafetensorsMapTest {
    @TempDir
    Path dir;

    /** Every dtype, a scalar, empty tensors at the start, middle and end, odd byte sizes. */
    private static List<NamedTensor> mixed() {
        byte[] half = {0x00, 0x3C, 0x00, (byte) 0xC0, 0x01, 0x00};
        byte[] i32 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(-1).putInt(7).putInt(1 << 30).array();
        return List.of(
                NamedTensor.ofFloats("empty_first", new int[] {0, 3}, new float[0]),
                NamedTensor.ofFloats("w", new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.NaN, -0f, 1e-40f}),
                NamedTensor.ofDoubles("scalar", new int[0], new double[] {Math.PI}),
                NamedTensor.ofBytes("h", Dtype.F16, new int[] {3}, half),
                NamedTensor.ofFloats("empty_mid", new int[] {0}, new float[0]),
                NamedTensor.ofBytes("b", Dtype.BF16, new int[] {1}, new byte[] {(byte) 0x80, 0x3F}),
                NamedTensor.ofBytes("i", Dtype.I32, new int[] {3}, i32),
                NamedTensor.ofLongs("n", new int[] {2}, new long[] {Long.MIN_VALUE, 42}),
                NamedTensor.ofDoubles("empty_last", new int[] {4, 0}, new double[0]));
    }

    private Path write(List<NamedTensor> tensors, Map<String, String> meta) throws IOException {
        Path p = dir.resolve("m.safetensors");
        Safetensors.write(p, tensors, meta);
        return p;
    }

    @Test
    void mapGivesWhatReadGives() throws IOException {
        Path p = write(mixed(), Map.of("format", "pt", "note", "é"));
        SafetensorsFile read = Safetensors.read(p);
        SafetensorsFile mapped = Safetensors.map(p);
        assertEquals(read.names(), mapped.names());
        assertEquals(read.metadata(), mapped.metadata());
        assertEquals(read.tensors(), mapped.tensors());
        for (String name : read.names()) {
            NamedTensor r = read.tensor(name);
            NamedTensor m = mapped.tensor(name);
            assertFalse(r.isMapped(), name);
            assertTrue(m.isMapped(), name);
            assertEquals(r.hashCode(), m.hashCode(), name);
            assertArrayEquals(r.toBytes(), m.toBytes(), name);
            assertArrayEquals(r.shape(), m.shape(), name);
            ByteBuffer view = m.asByteBuffer();
            assertTrue(view.isReadOnly(), name);
            assertEquals(ByteOrder.LITTLE_ENDIAN, view.order(), name);
            assertEquals(m.byteSize(), view.remaining(), name);
            if (m.dtype().isFloating()) {
                assertArrayEquals(r.asDoubles(), m.asDoubles(), name);
                assertArrayEquals(r.asFloats(), m.asFloats(), name);
            } else {
                assertArrayEquals(r.asLongs(), m.asLongs(), name);
            }
        }
        // A view is independent: moving its position does not disturb the tensor.
        ByteBuffer v = mapped.tensor("w").asByteBuffer();
        v.position(8);
        assertArrayEquals(read.tensor("w").toBytes(), mapped.tensor("w").toBytes());
    }

    /** Regions smaller than the tensors' total force several mappings; slices must line up. */
    @Test
    void tensorsSpreadOverManyRegions() throws IOException {
        Path p = write(mixed(), null);
        SafetensorsFile read = Safetensors.read(p);
        for (long region : new long[] {1, 7, 8, 24, 25, 64, 1 << 20}) {
            SafetensorsFile mapped = SafetensorsReader.readFile(p, ReadLimits.DEFAULT, true, region);
            assertEquals(read.tensors(), mapped.tensors(), "region " + region);
        }
        Path empty = write(List.of(NamedTensor.ofFloats("e", new int[] {0}, new float[0])), null);
        assertEquals(Safetensors.read(empty).tensors(), Safetensors.map(empty).tensors());
        Path none = write(List.of(), Map.of("k", "v"));
        assertEquals(Map.of("k", "v"), Safetensors.map(none).metadata());
    }

    @Test
    void mappedTensorsWriteBackTheSameBytes() throws IOException {
        Path p = write(mixed(), Map.of("k", "v"));
        byte[] original = Files.readAllBytes(p);
        SafetensorsFile mapped = Safetensors.map(p);
        Path copy = dir.resolve("copy.safetensors");
        Safetensors.write(copy, mapped);
        assertArrayEquals(original, Files.readAllBytes(copy));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, mapped.tensors().values(), mapped.metadata());
        assertArrayEquals(original, out.toByteArray());
        assertArrayEquals(original, Safetensors.toBytes(mapped.tensors().values(), mapped.metadata()));
    }

    /** What the Javadoc of map promises: replacing the file by rename does not disturb a mapping. */
    @Test
    void replacingTheFileByRenameKeepsTheMappedContent() throws IOException {
        assumeFalse(isWindows(), "Windows refuses to replace a mapped file");
        Path p = write(List.of(NamedTensor.ofFloats("w", new int[] {3}, new float[] {1, 2, 3})), null);
        SafetensorsFile mapped = Safetensors.map(p);
        Safetensors.write(p, List.of(NamedTensor.ofFloats("w", new int[] {3}, new float[] {7, 8, 9})));
        assertArrayEquals(new float[] {1, 2, 3}, mapped.tensor("w").asFloats());
        assertArrayEquals(new float[] {7, 8, 9}, Safetensors.map(p).tensor("w").asFloats());
    }

    /**
     * The point of mapping: reading a 32 MB file allocates almost nothing in the heap; converting
     * the tensor allocates its float array, the only copy. {@code read} allocates the data once.
     */
    @Test
    void mappedDataIsNotCopiedIntoTheHeap() throws IOException {
        com.sun.management.ThreadMXBean mx = allocationCounter();
        int n = 8 << 20;
        long dataBytes = 4L * n;
        Path p = dir.resolve("big.safetensors");
        writeBig(p, n);
        assertEquals(dataBytes, Files.size(p) - 8 - headerLength(p));

        long before = allocated(mx);
        SafetensorsFile mapped = Safetensors.map(p);
        long byMap = allocated(mx) - before;
        assertTrue(byMap < dataBytes / 32, "map allocated " + byMap + " bytes for " + dataBytes + " bytes of data");

        before = allocated(mx);
        float[] values = mapped.tensor("big").asFloats();
        long byConversion = allocated(mx) - before;
        assertTrue(byConversion >= dataBytes && byConversion < dataBytes + dataBytes / 32,
                "asFloats allocated " + byConversion + " bytes for a " + dataBytes + "-byte float array");
        assertEquals(0f, values[0]);
        assertEquals((float) (n - 1), values[n - 1]);

        before = allocated(mx);
        SafetensorsFile read = Safetensors.read(p);
        long byRead = allocated(mx) - before;
        assertTrue(byRead >= dataBytes && byRead < dataBytes + dataBytes / 32,
                "read allocated " + byRead + " bytes for " + dataBytes + " bytes of data (one copy expected)");
        assertEquals(read.tensors(), mapped.tensors());
    }

    /** Writes a file of one F32 tensor {0, 1, 2, ...} without holding all of it in the heap twice. */
    private static void writeBig(Path p, int n) throws IOException {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        Safetensors.write(p, List.of(NamedTensor.ofFloats("big", new int[] {n}, v)));
    }

    private static long headerLength(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, 0);
            return b.getLong(0);
        }
    }

    static com.sun.management.ThreadMXBean allocationCounter() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs com.sun.management.ThreadMXBean");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "thread allocation counting not available");
        return mx;
    }

    static long allocated(com.sun.management.ThreadMXBean mx) {
        return mx.getCurrentThreadAllocatedBytes();
    }

    @Test
    void limitsAndArgumentsApplyToMap() throws IOException {
        Path p = write(mixed(), null);
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> Safetensors.map(p, ReadLimits.DEFAULT.withMaxTensorBytes(16)));
        assertTrue(e.getMessage().startsWith(p + ": tensor 'w': 24 bytes exceed the limit of 16 bytes (maxTensorBytes)"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Safetensors.map(null));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.map(p, null));
        List<String> names = new ArrayList<>(Safetensors.map(p, ReadLimits.DEFAULT).names());
        assertEquals(9, names.size());
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
    }
}
