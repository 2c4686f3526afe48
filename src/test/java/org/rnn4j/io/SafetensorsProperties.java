package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Round trips of random tensors through every writer and reader (the mapped one too), compared bit for bit. */
class SafetensorsProperties {

    /** A generated tensor together with the typed array it was built from. */
    static final class Case {
        final NamedTensor tensor;
        final Object source;

        Case(NamedTensor tensor, Object source) {
            this.tensor = tensor;
            this.source = source;
        }

        @Override
        public String toString() {
            return tensor.toString();
        }
    }

    private static Arbitrary<int[]> shapes() {
        // Rank 0 (scalar) to 3, with zero dimensions common enough to hit [0] and [2, 0].
        return Arbitraries.integers().between(0, 4).array(int[].class).ofMaxSize(3);
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static Arbitrary<Integer> floatBits() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.integers()),   // any pattern: NaN payloads, subnormals
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Float.floatToRawIntBits(Float.NaN), 0x7FA00001,
                        0xFFC00000, 0x7F800000, 0xFF800000, 0x80000000, 0, 1, 0x807FFFFF)));
    }

    private static Arbitrary<Long> doubleBits() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.longs()),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Double.doubleToRawLongBits(Double.NaN),
                        0x7FF0000000000001L, 0xFFF8000000000000L, 0x7FF0000000000000L, 0xFFF0000000000000L,
                        0x8000000000000000L, 0L, 1L)));
    }

    @Provide
    Arbitrary<Case> tensors() {
        Arbitrary<String> names = Arbitraries.strings().ofMinLength(0).ofMaxLength(12)
                .filter(s -> !s.equals("__metadata__") && !hasLoneSurrogate(s));
        Arbitrary<Case> floats = Combinators.combine(names, shapes()).flatAs((n, s) ->
                floatBits().array(int[].class).ofSize(numel(s)).map(bits -> {
                    float[] f = new float[bits.length];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = Float.intBitsToFloat(bits[i]);
                    }
                    return new Case(NamedTensor.ofFloats(n, s, f), f);
                }));
        Arbitrary<Case> doubles = Combinators.combine(names, shapes()).flatAs((n, s) ->
                doubleBits().array(long[].class).ofSize(numel(s)).map(bits -> {
                    double[] d = new double[bits.length];
                    for (int i = 0; i < d.length; i++) {
                        d[i] = Double.longBitsToDouble(bits[i]);
                    }
                    return new Case(NamedTensor.ofDoubles(n, s, d), d);
                }));
        Arbitrary<Case> longs = Combinators.combine(names, shapes()).flatAs((n, s) ->
                Arbitraries.longs().array(long[].class).ofSize(numel(s))
                        .map(l -> new Case(NamedTensor.ofLongs(n, s, l), l)));
        Arbitrary<Case> raw = Combinators.combine(names, shapes(), Arbitraries.of(Dtype.values())).flatAs((n, s, d) ->
                Arbitraries.bytes().array(byte[].class).ofSize(numel(s) * d.size())
                        .map(b -> new Case(NamedTensor.ofBytes(n, d, s, b), b)));
        return Arbitraries.oneOf(floats, doubles, longs, raw);
    }

    private static boolean hasLoneSurrogate(String s) {
        return !s.codePoints().allMatch(c -> c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE);
    }

    @Provide
    Arbitrary<Map<String, String>> metadata() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(10).filter(s -> !hasLoneSurrogate(s));
        return Arbitraries.maps(text, text).ofMaxSize(4);
    }

    @Property(tries = 200)
    void roundTripIsBitExact(@ForAll @Size(max = 6) List<@From("tensors") Case> generated,
                             @ForAll("metadata") Map<String, String> metadata) throws IOException {
        Map<String, Case> unique = new LinkedHashMap<>();
        for (Case c : generated) {
            unique.putIfAbsent(c.tensor.name(), c);
        }
        List<NamedTensor> tensors = new ArrayList<>();
        unique.values().forEach(c -> tensors.add(c.tensor));

        byte[] bytes = Safetensors.toBytes(tensors, metadata);
        Path p = Files.createTempFile("roundtrip", ".safetensors");
        try {
            Safetensors.write(p, tensors, metadata);
            assertArrayEquals(bytes, Files.readAllBytes(p));
            for (SafetensorsFile f : List.of(Safetensors.read(bytes), Safetensors.read(p), Safetensors.map(p),
                    Safetensors.read(new ByteArrayInputStream(bytes)))) {
                assertEquals(new ArrayList<>(unique.keySet()), f.names());
                assertEquals(metadata, f.metadata());
                for (Case c : unique.values()) {
                    NamedTensor back = f.tensor(c.tensor.name());
                    assertEquals(c.tensor, back);
                    assertSameValues(c, back);
                }
            }
        } finally {
            Files.deleteIfExists(p);
        }
        assertEquals(0, readHeaderLength(bytes) % 8, "header padded to a multiple of 8");
    }

    private static long readHeaderLength(byte[] b) {
        long n = 0;
        for (int i = 7; i >= 0; i--) {
            n = (n << 8) | (b[i] & 0xFF);
        }
        return n;
    }

    /** The typed view gives back the exact bit patterns that went in. */
    private static void assertSameValues(Case c, NamedTensor back) {
        if (c.source instanceof float[]) {
            float[] in = (float[]) c.source;
            float[] out = back.asFloats();
            for (int i = 0; i < in.length; i++) {
                assertEquals(Float.floatToRawIntBits(in[i]), Float.floatToRawIntBits(out[i]), "element " + i);
            }
        } else if (c.source instanceof double[]) {
            double[] in = (double[]) c.source;
            double[] out = back.asDoubles();
            for (int i = 0; i < in.length; i++) {
                assertEquals(Double.doubleToRawLongBits(in[i]), Double.doubleToRawLongBits(out[i]), "element " + i);
            }
        } else if (c.source instanceof long[]) {
            assertArrayEquals((long[]) c.source, back.asLongs());
        } else {
            assertArrayEquals((byte[]) c.source, back.toBytes());
        }
    }

    @Property(tries = 100)
    void floatWidensExactlyAndDoubleRoundsLikeACast(@ForAll float f, @ForAll double d) {
        NamedTensor ft = NamedTensor.ofFloats("f", new int[0], new float[] {f});
        assertEquals(Double.doubleToRawLongBits(f), Double.doubleToRawLongBits(ft.asDoubles()[0]));
        NamedTensor dt = NamedTensor.ofDoubles("d", new int[0], new double[] {d});
        if (Double.isInfinite((float) d) == Double.isInfinite(d)) {
            assertEquals(Float.floatToIntBits((float) d), Float.floatToIntBits(dt.asFloats()[0]));
        }
    }
}
