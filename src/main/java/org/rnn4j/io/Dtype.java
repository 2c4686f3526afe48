package org.rnn4j.io;

/**
 * The element types this package reads and writes, named as in the safetensors header.
 *
 * <p>All of them can be read and written back unchanged (the bytes are kept as stored). Typed
 * factories exist for {@link #F32}, {@link #F64} and {@link #I64}; {@link #F16}, {@link #BF16} and
 * {@link #I32} tensors come from files or from {@link NamedTensor#ofBytes}. Other safetensors dtypes
 * ({@code BOOL}, {@code U8}, {@code I8}, {@code I16}, {@code U16}, {@code U32}, {@code U64}, the
 * 8-bit floats, ...) are rejected by the reader with "unsupported dtype".
 */
public enum Dtype {
    /** IEEE 754 binary16, 2 bytes; converted exactly to float by {@link NamedTensor#asFloats()}. */
    F16(2, true),
    /** bfloat16 (the upper half of a binary32), 2 bytes; converted exactly to float. */
    BF16(2, true),
    /** IEEE 754 binary32, 4 bytes. */
    F32(4, true),
    /** IEEE 754 binary64, 8 bytes. */
    F64(8, true),
    /** Two's-complement signed 32-bit integer, 4 bytes. */
    I32(4, false),
    /** Two's-complement signed 64-bit integer, 8 bytes. */
    I64(8, false);

    private final int size;
    private final boolean floating;

    Dtype(int size, boolean floating) {
        this.size = size;
        this.floating = floating;
    }

    /** The size of one element in bytes: 2, 4 or 8. */
    public int size() {
        return size;
    }

    /** True for the floating-point types F16, BF16, F32 and F64. */
    public boolean isFloating() {
        return floating;
    }

    /**
     * Looks up a header dtype string. Exact and case-sensitive, as in the format.
     *
     * @param name the dtype as written in a header, e.g. {@code "F32"}
     * @return the dtype, or null if the name is not one of this enum's constants
     */
    static Dtype fromHeader(String name) {
        for (Dtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The supported names as a readable list, for error messages. */
    static String supportedList() {
        StringBuilder sb = new StringBuilder();
        for (Dtype d : values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(d.name());
        }
        return sb.toString();
    }
}
