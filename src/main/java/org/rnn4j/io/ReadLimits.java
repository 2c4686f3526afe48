package org.rnn4j.io;

/**
 * Bounds on what the readers of {@link Safetensors} ({@code read} and {@code map}) accept, so that a
 * caller reading untrusted files can cap the memory a file may ask for. Immutable and therefore safe
 * to share between threads; start from {@link #DEFAULT} and narrow it with the {@code with} methods,
 * each of which returns a new instance. A file over a limit is a {@link SafetensorsException} naming
 * the limit. The writers are not bounded by these: they refuse only a header over
 * {@link Safetensors#MAX_HEADER_BYTES}, which no reader would accept.
 *
 * <table>
 *   <caption>The limits</caption>
 *   <tr><th>limit</th><th>bounds</th><th>default</th><th>allowed</th></tr>
 *   <tr><td>{@link #maxHeaderBytes()}</td><td>the JSON header length N</td>
 *       <td>{@link Safetensors#MAX_HEADER_BYTES} (100,000,000)</td>
 *       <td>[2, {@link Safetensors#MAX_HEADER_BYTES}]</td></tr>
 *   <tr><td>{@link #maxTensorBytes()}</td><td>each tensor's data</td>
 *       <td>{@link #MAX_TENSOR_BYTES} (the largest Java array)</td>
 *       <td>[0, {@link #MAX_TENSOR_BYTES}]</td></tr>
 *   <tr><td>{@link #maxTotalBytes()}</td><td>the whole data buffer</td>
 *       <td>{@link Long#MAX_VALUE} (no limit)</td><td>[0, {@link Long#MAX_VALUE}]</td></tr>
 * </table>
 * The header cap cannot be raised above the reference implementation's, whose readers would
 * refuse such a file; a tensor cannot exceed a Java array, because {@link NamedTensor} exposes its
 * elements as one.
 */
public final class ReadLimits {
    /** The largest tensor, in bytes, that fits a Java array; the default {@link #maxTensorBytes()}. */
    public static final long MAX_TENSOR_BYTES = NamedTensor.MAX_ARRAY;

    /** The defaults: the format's header cap, any tensor that fits a Java array, no total limit. */
    public static final ReadLimits DEFAULT =
            new ReadLimits(Safetensors.MAX_HEADER_BYTES, MAX_TENSOR_BYTES, Long.MAX_VALUE);

    private final long maxHeaderBytes;
    private final long maxTensorBytes;
    private final long maxTotalBytes;

    private ReadLimits(long maxHeaderBytes, long maxTensorBytes, long maxTotalBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxTensorBytes = maxTensorBytes;
        this.maxTotalBytes = maxTotalBytes;
    }

    /** @return the largest JSON header accepted, in bytes */
    public long maxHeaderBytes() {
        return maxHeaderBytes;
    }

    /** @return the largest single tensor accepted, in bytes of data */
    public long maxTensorBytes() {
        return maxTensorBytes;
    }

    /** @return the largest data buffer (all tensors together) accepted, in bytes */
    public long maxTotalBytes() {
        return maxTotalBytes;
    }

    /**
     * @param bytes the largest JSON header to accept, in [2, {@link Safetensors#MAX_HEADER_BYTES}] (2 is
     *        the header {@code {}})
     * @return a copy with that header cap
     * @throws IllegalArgumentException naming {@code maxHeaderBytes} if out of range
     */
    public ReadLimits withMaxHeaderBytes(long bytes) {
        check("maxHeaderBytes", bytes, 2, Safetensors.MAX_HEADER_BYTES);
        return new ReadLimits(bytes, maxTensorBytes, maxTotalBytes);
    }

    /**
     * @param bytes the largest tensor to accept, in {@code [0, MAX_TENSOR_BYTES]}
     * @return a copy with that tensor cap
     * @throws IllegalArgumentException naming {@code maxTensorBytes} if out of range
     */
    public ReadLimits withMaxTensorBytes(long bytes) {
        check("maxTensorBytes", bytes, 0, MAX_TENSOR_BYTES);
        return new ReadLimits(maxHeaderBytes, bytes, maxTotalBytes);
    }

    /**
     * @param bytes the largest data buffer to accept, {@code >= 0}
     * @return a copy with that total cap
     * @throws IllegalArgumentException naming {@code maxTotalBytes} if negative
     */
    public ReadLimits withMaxTotalBytes(long bytes) {
        check("maxTotalBytes", bytes, 0, Long.MAX_VALUE);
        return new ReadLimits(maxHeaderBytes, maxTensorBytes, bytes);
    }

    private static void check(String field, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + v);
        }
    }

    /** Equal if all three limits are equal. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ReadLimits)) {
            return false;
        }
        ReadLimits l = (ReadLimits) o;
        return maxHeaderBytes == l.maxHeaderBytes && maxTensorBytes == l.maxTensorBytes
                && maxTotalBytes == l.maxTotalBytes;
    }

    /** A hash of the three limits, consistent with {@link #equals(Object)}. */
    @Override
    public int hashCode() {
        return Long.hashCode(maxHeaderBytes) * 961 + Long.hashCode(maxTensorBytes) * 31
                + Long.hashCode(maxTotalBytes);
    }

    /** E.g. {@code ReadLimits[maxHeaderBytes=100000000, maxTensorBytes=2147483639, maxTotalBytes=...]}. */
    @Override
    public String toString() {
        return "ReadLimits[maxHeaderBytes=" + maxHeaderBytes + ", maxTensorBytes=" + maxTensorBytes
                + ", maxTotalBytes=" + maxTotalBytes + "]";
    }
}
