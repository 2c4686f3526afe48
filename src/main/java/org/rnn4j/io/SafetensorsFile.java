package org.rnn4j.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contents of a safetensors file: its tensors in header order and its {@code __metadata__} map.
 * Immutable; returned by the {@code read} and {@code map} methods of {@link Safetensors} (the tensors
 * of {@code map} are backed by the file, see {@link NamedTensor#isMapped()}) and accepted by
 * {@link Safetensors#write(java.nio.file.Path, SafetensorsFile)}. Not a file handle: it holds no open
 * file (the channel is closed when the read returns; mapped tensors keep only their mappings).
 */
public final class SafetensorsFile {
    private final Map<String, NamedTensor> tensors;
    private final Map<String, String> metadata;

    /** Takes ownership of both maps; the reader builds them and never touches them again. */
    SafetensorsFile(LinkedHashMap<String, NamedTensor> tensors, LinkedHashMap<String, String> metadata) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * All tensors by name, iterating in the order the header lists them.
     *
     * @return an unmodifiable view
     */
    public Map<String, NamedTensor> tensors() {
        return tensors;
    }

    /** The tensor names in header order; a new list the caller owns. */
    public List<String> names() {
        return new ArrayList<>(tensors.keySet());
    }

    /**
     * @param name a tensor name
     * @return whether the file has a tensor of that name
     */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * One tensor by name.
     *
     * @param name the tensor name
     * @return the tensor
     * @throws IllegalArgumentException if there is no such tensor; the message lists the names present
     */
    public NamedTensor tensor(String name) {
        NamedTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + name + "'; the file has " + tensors.keySet());
        }
        return t;
    }

    /**
     * The {@code __metadata__} map, iterating in header order; empty if the file has none.
     *
     * @return an unmodifiable view
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * One metadata value by key.
     *
     * @param key the key
     * @return the value
     * @throws IllegalArgumentException if the key is absent; the message lists the keys present
     */
    public String metadata(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no metadata key '" + key + "'; the file has " + metadata.keySet());
        }
        return v;
    }

    /** The tensors (name, dtype, shape; no data) and the metadata, for debugging. */
    @Override
    public String toString() {
        return "SafetensorsFile[" + tensors.values() + ", metadata=" + metadata + "]";
    }
}
