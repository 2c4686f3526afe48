package org.rnn4j.kernel;

/**
 * Argument validation for the public kernel boundary. Every message names the argument, what was
 * expected and what was given, so that a caller never has to decode an
 * {@code ArrayIndexOutOfBoundsException} thrown from inside a kernel loop.
 *
 * <p>All arithmetic on indices is done in {@code long} so that huge sizes cannot overflow into a
 * range that looks valid.
 */
public final class Checks {
    private Checks() {}

    /**
     * Checks a size argument.
     *
     * @param name argument name used in the message
     * @param n the size; must be {@code >= 0}
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public static void size(String name, int n) {
        if (n < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + n);
        }
    }

    /**
     * Checks that an array argument holds at least the floats its shape needs (longer is allowed:
     * only the prefix is read or written). Shared by the engine and the drivers above it, so that a
     * short buffer is worded alike everywhere.
     *
     * @param name argument name used in the message
     * @param a the array, or null
     * @param n floats needed
     * @param shape the shape as the message should name it, e.g. {@code "(T, B, I)"}
     * @param nullable whether null is allowed (an optional argument)
     * @throws IllegalArgumentException naming the argument, its shape, the floats needed and the length given
     */
    public static void holds(String name, float[] a, long n, String shape, boolean nullable) {
        if (a == null) {
            if (nullable) {
                return;
            }
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (a.length < n) {
            throw new IllegalArgumentException(name + " must hold " + shape + " = " + n + " floats, got length "
                    + a.length);
        }
    }

    /**
     * Checks per-sequence lengths: {@code null} (every sequence is full length) or at least
     * {@code batch} entries, each in {@code [0, limit]}. Shared by the engine ({@code Rnn}) and the
     * truncated-BPTT driver so that both word a bad length alike.
     *
     * @param lengths the lengths, read at {@code [0, batch)}; may be null
     * @param limitName how the limit is named in the message ({@code "T"}, {@code "streamLen"})
     * @param limit the largest valid length
     * @param batch how many entries are read
     * @throws IllegalArgumentException naming the array or the entry, the expected range and the value
     */
    public static void lengths(int[] lengths, String limitName, int limit, int batch) {
        if (lengths == null) {
            return;
        }
        if (lengths.length < batch) {
            throw new IllegalArgumentException("lengths must hold B = " + batch + " entries, got length "
                    + lengths.length);
        }
        for (int i = 0; i < batch; i++) {
            if (lengths[i] < 0 || lengths[i] > limit) {
                throw new IllegalArgumentException("lengths[" + i + "] must be in [0, " + limitName + " = " + limit
                        + "], got " + lengths[i]);
            }
        }
    }

    /**
     * Checks that {@code a[off .. off+len)} exists.
     *
     * @param name argument name of the array used in the message
     * @param a the array; must not be null
     * @param off first index; must be {@code >= 0}
     * @param len number of elements; must be {@code >= 0}
     * @throws IllegalArgumentException if the array is null or the range does not lie inside it
     */
    public static void range(String name, float[] a, int off, long len) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        inside(name, a.length, off, len);
    }

    /**
     * Checks that {@code a[off .. off+len)} exists, for an int array (token ids, indices).
     *
     * @param name argument name of the array used in the message
     * @param a the array; must not be null
     * @param off first index; must be {@code >= 0}
     * @param len number of elements; must be {@code >= 0}
     * @throws IllegalArgumentException if the array is null or the range does not lie inside it
     */
    public static void range(String name, int[] a, int off, long len) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        inside(name, a.length, off, len);
    }

    /** The range checks of {@link #range} for an array of {@code length} elements. */
    private static void inside(String name, int length, int off, long len) {
        if (off < 0) {
            throw new IllegalArgumentException(name + " offset must be >= 0, got " + off);
        }
        if (len < 0) {
            throw new IllegalArgumentException(name + " length must be >= 0, got " + len);
        }
        if ((long) off + len > length) {
            throw new IllegalArgumentException(name + ": range [" + off + ", " + ((long) off + len)
                    + ") needs length >= " + ((long) off + len) + ", but " + name + ".length = " + length);
        }
    }

    /**
     * Checks a row-major matrix view: {@code rows} rows of {@code cols} elements, row {@code r}
     * starting at {@code off + r*ld}.
     *
     * @param name argument name of the array used in the message
     * @param a the array; must not be null
     * @param off index of element (0, 0); must be {@code >= 0}
     * @param rows number of rows; {@code >= 0}
     * @param cols number of columns; {@code >= 0}
     * @param ld leading dimension (distance between row starts); {@code >= max(1, cols)}
     * @throws IllegalArgumentException naming the argument on any violation
     */
    public static void matrix(String name, float[] a, int off, int rows, int cols, int ld) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        // No string is built unless a check fails: these run on every kernel call, and the engine
        // promises not to allocate in steady state (interpreted and C1 code does not elide garbage).
        if (rows < 0) {
            throw new IllegalArgumentException(name + " rows must be >= 0, got " + rows);
        }
        if (cols < 0) {
            throw new IllegalArgumentException(name + " cols must be >= 0, got " + cols);
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("leading dimension of " + name + " must be >= max(1, cols = "
                    + cols + "), got " + ld);
        }
        if (off < 0) {
            throw new IllegalArgumentException(name + " offset must be >= 0, got " + off);
        }
        if (rows == 0 || cols == 0) {
            if (off > a.length) {
                throw new IllegalArgumentException(name + " offset " + off + " is past the end (length " + a.length + ")");
            }
            return;
        }
        long last = (long) off + (long) (rows - 1) * ld + cols; // one past the last element
        if (last > a.length) {
            throw new IllegalArgumentException(name + ": a " + rows + "x" + cols + " matrix with leading dimension "
                    + ld + " at offset " + off + " needs length >= " + last + ", but " + name + ".length = " + a.length);
        }
    }
}
