package org.rnn4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor: a {@link Dtype}, a shape and its elements in row-major order. Immutable and
 * therefore safe to share between threads.
 *
 * <p><b>Layout.</b> The elements are kept exactly as the safetensors format stores them: little-endian
 * bytes, row-major (C order, last index fastest). Element {@code (i0, ..., ik)} of shape
 * {@code (d0, ..., dk)} is at flat index {@code ((i0·d1 + i1)·d2 + ...)·dk + ik}. A rank-0 shape
 * {@code []} is a scalar with one element; a shape with a zero dimension has no elements. Keeping
 * the bytes means a tensor read from a file is written back bit for bit, NaN payloads included.
 *
 * <p><b>Ownership.</b> The factories copy the {@code shape} and data arrays they are given, so the
 * caller may reuse them. Every accessor ({@link #shape()}, {@link #asFloats()}, ...) returns a
 * freshly allocated array that the caller owns; {@link #asByteBuffer()} is the one view of the
 * storage itself, read-only.
 *
 * <p><b>Storage.</b> The bytes live in the heap, or, for a tensor from {@link Safetensors#map},
 * in a read-only memory-mapped region of the file ({@link #isMapped()}); then the conversions
 * ({@link #asFloats()}, ...) make the only heap copy. A mapped tensor keeps its mapping alive until
 * it is unreachable; it is immutable only as long as nobody modifies the file in place, and
 * reading it after the file was truncated raises {@link InternalError} (see
 * {@link Safetensors#map(java.nio.file.Path)}). Equality and hash code depend on the bytes only,
 * not on where they live.
 *
 * <p><b>Conversions.</b>
 * <table>
 *   <caption>What each accessor accepts</caption>
 *   <tr><th>accessor</th><th>F32</th><th>F64</th><th>F16, BF16</th><th>I64</th><th>I32</th></tr>
 *   <tr><td>{@link #asFloats()}</td><td>exact</td><td>rounded to nearest float</td><td>exact</td>
 *       <td>refused</td><td>refused</td></tr>
 *   <tr><td>{@link #asDoubles()}</td><td>exact</td><td>exact</td><td>exact</td>
 *       <td>refused</td><td>refused</td></tr>
 *   <tr><td>{@link #asLongs()}</td><td>refused</td><td>refused</td><td>refused</td>
 *       <td>exact</td><td>exact</td></tr>
 *   <tr><td>{@link #asInts()}</td><td>refused</td><td>refused</td><td>refused</td>
 *       <td>exact or ArithmeticException</td><td>exact</td></tr>
 * </table>
 * Integer/float conversions are refused ({@link IllegalStateException}) rather than rounded, because
 * reading the wrong tensor as the wrong kind is almost always a bug; convert explicitly if meant.
 */
public final class NamedTensor {
    /** Largest array the JVM reliably allocates; the same bound the JDK's own collections use. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final String name;
    private final Dtype dtype;
    private final int[] shape;
    private final int numel;
    /**
     * Position 0, limit the byte size, never moved: whatever moves a position works on a
     * {@link ByteBuffer#duplicate()}, so sharing one tensor between threads needs no locking. A heap buffer is a writable wrap of a
     * private array (the writer uses the array); a mapped one is read-only.
     */
    private final ByteBuffer data;
    private final boolean mapped;

    /** Takes ownership of {@code shape} and {@code data}; callers have validated or copied them. */
    private NamedTensor(String name, Dtype dtype, int[] shape, int numel, ByteBuffer data, boolean mapped) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.numel = numel;
        this.data = data;
        this.mapped = mapped;
    }

    private NamedTensor(String name, Dtype dtype, int[] shape, int numel, byte[] data) {
        this(name, dtype, shape, numel, ByteBuffer.wrap(data), false);
    }

    /**
     * Builds from bytes the reader has already validated against the shape; no copy is made.
     *
     * @param data positioned at 0, exactly the tensor's bytes; a heap buffer must wrap an array no
     *        one else holds; never moved afterwards
     */
    static NamedTensor trusted(String name, Dtype dtype, int[] shape, ByteBuffer data, boolean mapped) {
        return new NamedTensor(name, dtype, shape, data.remaining() / dtype.size(), data, mapped);
    }

    /**
     * An F32 tensor.
     *
     * @param name the tensor name; not null, not {@code "__metadata__"}
     * @param shape the dimensions, each {@code >= 0}; {@code []} for a scalar; copied
     * @param data the {@code product(shape)} elements in row-major order; copied, bit patterns
     *             (NaN payloads, -0.0) preserved
     * @return the tensor
     * @throws IllegalArgumentException if an argument is null, a dimension is negative, the element
     *         count overflows or {@code data.length != product(shape)}
     */
    public static NamedTensor ofFloats(String name, int[] shape, float[] data) {
        int n = checkedNumel(name, Dtype.F32, shape, data == null ? -1 : data.length);
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return new NamedTensor(name, Dtype.F32, shape.clone(), n, b.array());
    }

    /**
     * An F64 tensor.
     *
     * @param name the tensor name; not null, not {@code "__metadata__"}
     * @param shape the dimensions, each {@code >= 0}; {@code []} for a scalar; copied
     * @param data the {@code product(shape)} elements in row-major order; copied, bit patterns
     *             preserved
     * @return the tensor
     * @throws IllegalArgumentException as for {@link #ofFloats}
     */
    public static NamedTensor ofDoubles(String name, int[] shape, double[] data) {
        int n = checkedNumel(name, Dtype.F64, shape, data == null ? -1 : data.length);
        ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(data);
        return new NamedTensor(name, Dtype.F64, shape.clone(), n, b.array());
    }

    /**
     * An I64 tensor, e.g. sequence lengths.
     *
     * @param name the tensor name; not null, not {@code "__metadata__"}
     * @param shape the dimensions, each {@code >= 0}; {@code []} for a scalar; copied
     * @param data the {@code product(shape)} elements in row-major order; copied
     * @return the tensor
     * @throws IllegalArgumentException as for {@link #ofFloats}
     */
    public static NamedTensor ofLongs(String name, int[] shape, long[] data) {
        int n = checkedNumel(name, Dtype.I64, shape, data == null ? -1 : data.length);
        ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        return new NamedTensor(name, Dtype.I64, shape.clone(), n, b.array());
    }

    /**
     * A tensor of any supported dtype from its raw storage bytes, e.g. F16 data produced elsewhere.
     *
     * @param name the tensor name; not null, not {@code "__metadata__"}
     * @param dtype the element type; not null
     * @param shape the dimensions, each {@code >= 0}; copied
     * @param littleEndian {@code product(shape) · dtype.size()} bytes, little-endian, row-major; copied
     * @return the tensor
     * @throws IllegalArgumentException if an argument is null or the byte count does not match
     */
    public static NamedTensor ofBytes(String name, Dtype dtype, int[] shape, byte[] littleEndian) {
        if (dtype == null) {
            throw new IllegalArgumentException("tensor '" + name + "': dtype must not be null");
        }
        if (littleEndian == null) {
            throw new IllegalArgumentException("tensor '" + name + "': data must not be null");
        }
        int n = checkedNumel(name, dtype, shape, -2);
        long expected = (long) n * dtype.size();
        if (littleEndian.length != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " shape "
                    + Arrays.toString(shape) + " needs " + expected + " bytes, got " + littleEndian.length);
        }
        return new NamedTensor(name, dtype, shape.clone(), n, littleEndian.clone());
    }

    /**
     * Validates name and shape and returns product(shape).
     *
     * @param length the data array length to compare with, -1 for a null array, -2 to skip
     */
    private static int checkedNumel(String name, Dtype dtype, int[] shape, int length) {
        checkName(name);
        if (shape == null) {
            throw new IllegalArgumentException("tensor '" + name + "': shape must not be null");
        }
        if (length == -1) {
            throw new IllegalArgumentException("tensor '" + name + "': data must not be null");
        }
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': shape[" + i + "] must be >= 0, got "
                        + shape[i] + " in " + Arrays.toString(shape));
            }
            n *= shape[i];
            // Dimensions are ints, so once n is past the limit a further product cannot wrap a long.
            if (n > MAX_ARRAY / dtype.size()) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " has more " + dtype + " elements than a Java byte array can hold ("
                        + (MAX_ARRAY / dtype.size()) + ")");
            }
        }
        if (length >= 0 && length != n) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " has " + n + " elements, but data has " + length);
        }
        return (int) n;
    }

    static void checkName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("tensor name must not be null");
        }
        if (name.equals(Header.METADATA_KEY)) {
            throw new IllegalArgumentException("tensor name '" + Header.METADATA_KEY
                    + "' is reserved for the metadata map");
        }
    }

    /** The tensor name as used in the header. */
    public String name() {
        return name;
    }

    /** The element type. */
    public Dtype dtype() {
        return dtype;
    }

    /** A copy of the shape; {@code []} for a scalar. The caller owns the returned array. */
    public int[] shape() {
        return shape.clone();
    }

    /** The number of dimensions, 0 for a scalar. */
    public int rank() {
        return shape.length;
    }

    /**
     * One dimension.
     *
     * @param axis in {@code [0, rank())}
     * @return {@code shape()[axis]}
     * @throws IllegalArgumentException if the axis is out of range
     */
    public int dim(int axis) {
        if (axis < 0 || axis >= shape.length) {
            throw new IllegalArgumentException("tensor '" + name + "': axis must be in [0, " + shape.length
                    + "), got " + axis);
        }
        return shape[axis];
    }

    /** The number of elements, {@code product(shape)}; 1 for a scalar. */
    public int numel() {
        return numel;
    }

    /** The size of the data in bytes, {@code numel() · dtype().size()}. */
    public int byteSize() {
        return data.limit();
    }

    /**
     * Whether the data lives in a memory-mapped file region ({@link Safetensors#map}) rather than in
     * the heap.
     */
    public boolean isMapped() {
        return mapped;
    }

    /**
     * The elements as floats, row-major; a new array the caller owns. F32, F16 and BF16 convert
     * exactly (every F16 and BF16 value is a float). F64 rounds to nearest-even, as a Java
     * {@code (float)} cast; values below the float range round to a subnormal or signed zero, NaN
     * stays NaN (its payload is not kept) and infinities stay infinite.
     *
     * @return {@code numel()} floats
     * @throws IllegalStateException for I64 and I32 tensors
     * @throws ArithmeticException if a finite F64 value is too large in magnitude for a float
     *         (it would otherwise silently become infinite); the message names the index and value
     */
    public float[] asFloats() {
        float[] out = new float[numel];
        ByteBuffer b = le();
        switch (dtype) {
            case F32:
                b.asFloatBuffer().get(out);
                break;
            case F64:
                for (int i = 0; i < numel; i++) {
                    double v = b.getDouble(i * 8);
                    float f = (float) v;
                    if (Float.isInfinite(f) && !Double.isInfinite(v)) {
                        throw new ArithmeticException("tensor '" + name + "': element " + i + " = " + v
                                + " is outside the float range (|v| <= " + Float.MAX_VALUE + ")");
                    }
                    out[i] = f;
                }
                break;
            case F16:
                for (int i = 0; i < numel; i++) {
                    out[i] = halfToFloat(b.getShort(i * 2));
                }
                break;
            case BF16:
                for (int i = 0; i < numel; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xFFFF) << 16);
                }
                break;
            default:
                throw refused("asFloats()", "asLongs() or asInts()");
        }
        return out;
    }

    /**
     * The elements as doubles, row-major; a new array the caller owns. Exact for every floating
     * dtype (F32/F16/BF16 widen without rounding).
     *
     * @return {@code numel()} doubles
     * @throws IllegalStateException for I64 and I32 tensors
     */
    public double[] asDoubles() {
        double[] out = new double[numel];
        ByteBuffer b = le();
        switch (dtype) {
            case F64:
                b.asDoubleBuffer().get(out);
                break;
            case F32:
                for (int i = 0; i < numel; i++) {
                    out[i] = b.getFloat(i * 4);
                }
                break;
            case F16:
            case BF16:
                float[] f = asFloats();
                for (int i = 0; i < numel; i++) {
                    out[i] = f[i];
                }
                break;
            default:
                throw refused("asDoubles()", "asLongs() or asInts()");
        }
        return out;
    }

    /**
     * The elements as longs, row-major; a new array the caller owns. Exact for I64 and I32.
     *
     * @return {@code numel()} longs
     * @throws IllegalStateException for floating-point tensors
     */
    public long[] asLongs() {
        long[] out = new long[numel];
        ByteBuffer b = le();
        switch (dtype) {
            case I64:
                b.asLongBuffer().get(out);
                break;
            case I32:
                for (int i = 0; i < numel; i++) {
                    out[i] = b.getInt(i * 4);
                }
                break;
            default:
                throw refused("asLongs()", "asFloats() or asDoubles()");
        }
        return out;
    }

    /**
     * The elements as ints, row-major; a new array the caller owns. Meant for small integer data
     * such as sequence lengths, which PyTorch stores as I64.
     *
     * @return {@code numel()} ints
     * @throws IllegalStateException for floating-point tensors
     * @throws ArithmeticException if an I64 value is outside the int range (names the index and value)
     */
    public int[] asInts() {
        int[] out = new int[numel];
        ByteBuffer b = le();
        switch (dtype) {
            case I32:
                b.asIntBuffer().get(out);
                break;
            case I64:
                for (int i = 0; i < numel; i++) {
                    long v = b.getLong(i * 8);
                    if ((int) v != v) {
                        throw new ArithmeticException("tensor '" + name + "': element " + i + " = " + v
                                + " is outside the int range");
                    }
                    out[i] = (int) v;
                }
                break;
            default:
                throw refused("asInts()", "asFloats() or asDoubles()");
        }
        return out;
    }

    /**
     * A copy of the raw storage: {@link #byteSize()} little-endian bytes, row-major, exactly as written
     * to a file. The caller owns the returned array.
     */
    public byte[] toBytes() {
        byte[] out = new byte[data.limit()];
        data.duplicate().get(out);
        return out;
    }

    /**
     * The storage itself without a copy: a read-only, little-endian buffer of {@link #byteSize()}
     * bytes from position 0, row-major, exactly as written to a file. Each call returns a new view,
     * so the caller may move its position freely. For a mapped tensor ({@link #isMapped()}) this is
     * a view of the file, with the lifetime rules of {@link Safetensors#map(java.nio.file.Path)}.
     *
     * @return a new read-only view of the storage
     */
    public ByteBuffer asByteBuffer() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A fresh view of the storage (writable if on the heap), for the writer; never handed out. */
    ByteBuffer storage() {
        return data.duplicate();
    }

    private ByteBuffer le() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    private IllegalStateException refused(String accessor, String instead) {
        return new IllegalStateException("tensor '" + name + "' has dtype " + dtype + "; " + accessor
                + " is refused for it, use " + instead);
    }

    /**
     * IEEE binary16 to binary32, exact. Hand-written because {@code Float.float16ToFloat} only exists
     * from JDK 20 on.
     */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            // Infinity or NaN; the payload moves to the top of the float mantissa, so quiet stays quiet.
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal half: mant · 2^-24, exact in float (it needs at most 10 significant bits).
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /**
     * Equal if name, dtype, shape and the stored bytes are identical, so NaNs with the same bit
     * pattern are equal and {@code 0.0} differs from {@code -0.0}; a mapped tensor equals a heap
     * one with the same bytes.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof NamedTensor)) {
            return false;
        }
        NamedTensor t = (NamedTensor) o;
        // ByteBuffer.equals compares bytes, whichever kind of buffer holds them.
        return name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && data.equals(t.data);
    }

    /** A hash of name, dtype, shape and the stored bytes, consistent with {@link #equals(Object)}. */
    @Override
    public int hashCode() {
        return ((name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape)) * 31
                + data.hashCode();
    }

    /** E.g. {@code NamedTensor[weight_ih_l0, F32, [28, 5]]}; the data is not printed. */
    @Override
    public String toString() {
        return "NamedTensor[" + name + ", " + dtype + ", " + Arrays.toString(shape) + "]";
    }
}
