package org.rnn4j.interop;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.io.Safetensors;
import org.rnn4j.io.SafetensorsFile;

/**
 * A state_dict under construction for tests: tensors in insertion order (any dtype, as raw
 * little-endian bytes) plus metadata, encoded here by hand — not by the writer under test — into a
 * temporary file and read back. The RNN tensors of a spec carry PyTorch's names ({@link RnnWeights}
 * uses them; the golden cases check them against files PyTorch wrote).
 */
final class StateDict {
    private record Entry(String dtype, int[] shape, byte[] data) {}

    private final LinkedHashMap<String, Entry> tensors = new LinkedHashMap<>();
    private final Map<String, String> meta = new LinkedHashMap<>();
    private static int files;

    /** Every tensor of {@code spec}'s network under {@code prefix}, uniform in ±0.5 from {@code seed}. */
    static StateDict rnn(RnnSpec spec, String prefix, long seed) {
        StateDict d = new StateDict();
        RnnWeights w = new RnnWeights(spec);
        SplittableRandom r = new SplittableRandom(seed);
        for (String n : w.names()) {
            d.put(prefix + n, random(r, w.get(n).length), w.shape(n));
        }
        return d;
    }

    static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() - 0.5);
        }
        return v;
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** An F32 tensor. */
    StateDict put(String name, float[] values, int... shape) {
        if (values.length != numel(shape)) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for " + Arrays.toString(shape));
        }
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return raw(name, "F32", shape, b.array());
    }

    /** An F64 tensor. */
    StateDict putDoubles(String name, double[] values, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return raw(name, "F64", shape, b.array());
    }

    /** An I64 tensor. */
    StateDict putLongs(String name, long[] values, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return raw(name, "I64", shape, b.array());
    }

    /** A tensor of any dtype from its little-endian bytes. */
    StateDict raw(String name, String dtype, int[] shape, byte[] data) {
        tensors.put(name, new Entry(dtype, shape.clone(), data.clone()));
        return this;
    }

    /** A tensor of the given shape with values from {@code seed}. */
    StateDict random(String name, long seed, int... shape) {
        return put(name, random(new SplittableRandom(seed), numel(shape)), shape);
    }

    /** The F32 values of a tensor put earlier. */
    float[] floats(String name) {
        Entry e = tensors.get(name);
        if (e == null || !e.dtype.equals("F32")) {
            throw new IllegalArgumentException("no F32 tensor " + name);
        }
        float[] v = new float[e.data.length / 4];
        ByteBuffer.wrap(e.data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    StateDict remove(String name) {
        if (tensors.remove(name) == null) {
            throw new IllegalArgumentException("no tensor " + name + " in " + tensors.keySet());
        }
        return this;
    }

    StateDict meta(String key, String value) {
        meta.put(key, value);
        return this;
    }

    List<String> names() {
        return new ArrayList<>(tensors.keySet());
    }

    /** Written to a new file in {@code dir}: the safetensors layout, encoded by hand. */
    Path write(Path dir) throws IOException {
        StringBuilder h = new StringBuilder("{");
        if (!meta.isEmpty()) {
            h.append("\"__metadata__\":{");
            int i = 0;
            for (Map.Entry<String, String> m : meta.entrySet()) {
                h.append(i++ == 0 ? "" : ",").append(json(m.getKey())).append(':').append(json(m.getValue()));
            }
            h.append('}');
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, Entry> t : tensors.entrySet()) {
            Entry e = t.getValue();
            h.append(h.length() == 1 ? "" : ",").append(json(t.getKey())).append(":{\"dtype\":\"").append(e.dtype)
                    .append("\",\"shape\":").append(Arrays.toString(e.shape).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(data.size()).append(',').append(data.size() + e.data.length)
                    .append("]}");
            data.write(e.data);
        }
        h.append('}');
        while (h.length() % 8 != 0) {
            h.append(' ');
        }
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        file.write(header);
        file.write(data.toByteArray());
        Path f = dir.resolve("sd-" + (++files) + ".safetensors");
        Files.write(f, file.toByteArray());
        return f;
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Written and read back. */
    SafetensorsFile file(Path dir) throws IOException {
        return Safetensors.read(write(dir));
    }
}
