package org.rnn4j.nn;

/**
 * Argument checks of the {@code nn} layers. Every message names the argument, what was expected and
 * what was given. No string is built unless a check fails: the layers promise not to allocate in
 * steady state. Index arithmetic is done in {@code long} so that huge sizes cannot overflow into a
 * range that looks valid. A size (n ≥ 0) is checked by {@link org.rnn4j.kernel.Checks#size}, as in
 * the engine.
 */
final class Args {
    private Args() {}

    /** @throws IllegalArgumentException unless {@code n >= 1} */
    static void positive(String name, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + n);
        }
    }

    /** @throws IllegalArgumentException if {@code o} is null */
    static void notNull(String name, Object o) {
        if (o == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
    }

    /**
     * The product {@code a·b} as an int array length.
     *
     * @throws IllegalArgumentException if it exceeds {@link Integer#MAX_VALUE}
     */
    static int product(String what, int a, int b) {
        long n = (long) a * b;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " = " + a + "·" + b + " = " + n
                    + " elements does not fit in one Java array");
        }
        return (int) n;
    }

    /**
     * Checks that {@code a[off .. off + rows·cols)} exists.
     *
     * @param name the argument, e.g. {@code "x"}
     * @param shape its shape in words, e.g. {@code "(rows, in)"}
     * @throws IllegalArgumentException on a null array, a negative offset or a short array
     */
    static void floats(String name, float[] a, int off, int rows, int cols, String shape) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (off < 0) {
            throw new IllegalArgumentException(name + " offset must be >= 0, got " + off);
        }
        long n = (long) rows * cols;
        if ((long) off + n > a.length) {
            throw new IllegalArgumentException(name + " must hold " + shape + " = (" + rows + ", " + cols + ") = " + n
                    + " floats from offset " + off + ", so length >= " + ((long) off + n) + ", but " + name
                    + ".length = " + a.length);
        }
    }

    /**
     * Checks that {@code a[off .. off + n)} exists.
     *
     * @throws IllegalArgumentException on a null array, a negative offset or a short array
     */
    static void floats(String name, float[] a, int off, int n) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (off < 0) {
            throw new IllegalArgumentException(name + " offset must be >= 0, got " + off);
        }
        if ((long) off + n > a.length) {
            throw new IllegalArgumentException(name + " must hold " + n + " floats from offset " + off
                    + ", so length >= " + ((long) off + n) + ", but " + name + ".length = " + a.length);
        }
    }

    /**
     * Checks that {@code a[off .. off + n)} exists.
     *
     * @throws IllegalArgumentException on a null array, a negative offset or a short array
     */
    static void ints(String name, int[] a, int off, int n) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (off < 0) {
            throw new IllegalArgumentException(name + " offset must be >= 0, got " + off);
        }
        if ((long) off + n > a.length) {
            throw new IllegalArgumentException(name + " must hold " + n + " ints from offset " + off
                    + ", so length >= " + ((long) off + n) + ", but " + name + ".length = " + a.length);
        }
    }

    /**
     * Two ranges of the same array that overlap but do not coincide: element-wise in-place use is
     * allowed only on exactly the same range.
     *
     * @throws IllegalArgumentException if {@code a == b} and the ranges overlap partially
     */
    static void sameOrDisjoint(String aName, float[] a, int aOff, String bName, float[] b, int bOff, long n) {
        if (a == b && aOff != bOff && n > 0 && aOff < bOff + n && bOff < aOff + n) {
            throw new IllegalArgumentException(bName + " must be exactly " + aName + " (same offset) or not overlap it; "
                    + aName + " starts at " + aOff + ", " + bName + " at " + bOff + ", each " + n + " long");
        }
    }

    /**
     * Two ranges of the same array must not overlap at all.
     *
     * @throws IllegalArgumentException if {@code a == b} and the ranges overlap
     */
    static void disjoint(String aName, float[] a, int aOff, long aLen, String bName, float[] b, int bOff, long bLen) {
        if (a == b && aLen > 0 && bLen > 0 && aOff < bOff + bLen && bOff < aOff + aLen) {
            throw new IllegalArgumentException(bName + " must not overlap " + aName + ": " + aName + " is ["
                    + aOff + ", " + (aOff + aLen) + "), " + bName + " is [" + bOff + ", " + (bOff + bLen) + ")");
        }
    }
}
