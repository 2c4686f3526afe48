package org.rnn4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A validated write: the header bytes, padded, and the tensors in file order. Every writer of
 * {@link SafetensorsWriter} builds one first, so all arguments are checked before anything is
 * written, and all of them write the same bytes: the 8-byte little-endian length prefix, the
 * header, then each tensor's storage in this order.
 *
 * <p>The header is compact JSON: {@code __metadata__} first (keys sorted, omitted when there is no
 * metadata), then one entry per tensor in iteration order with contiguous offsets in that order,
 * padded with spaces to a multiple of 8 bytes as the reference (Rust) implementation does.
 */
final class WritePlan {
    /** The JSON header, UTF-8, padded with spaces to a multiple of 8 bytes; owned by the plan. */
    final byte[] header;
    /** The tensors in file order (a private copy of the caller's collection). */
    final List<NamedTensor> tensors;
    /** The size of the data buffer: the sum of the tensors' byte sizes. */
    final long dataBytes;

    private WritePlan(byte[] header, List<NamedTensor> tensors, long dataBytes) {
        this.header = header;
        this.tensors = tensors;
        this.dataBytes = dataBytes;
    }

    /** The 8-byte little-endian header length that starts the file; a new array. */
    byte[] lengthPrefix() {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array();
    }

    /**
     * Validates the arguments and lays out the file.
     *
     * @param tensors the tensors in file order; not null, no null elements, names unique; not retained
     * @param metadata the metadata, null or empty for none; no null keys or values; not retained
     * @throws IllegalArgumentException on invalid arguments or a header over
     *         {@link Safetensors#MAX_HEADER_BYTES}
     */
    static WritePlan of(Collection<NamedTensor> tensors, Map<String, String> metadata) {
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
            Json.quote(sb, Header.METADATA_KEY, "metadata key");
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
        if (padded > Safetensors.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the header would be " + padded + " bytes, over the "
                    + Safetensors.MAX_HEADER_BYTES + "-byte limit that readers enforce");
        }
        byte[] header = Arrays.copyOf(json, (int) padded);
        Arrays.fill(header, json.length, header.length, (byte) ' ');
        return new WritePlan(header, list, offset);
    }
}
