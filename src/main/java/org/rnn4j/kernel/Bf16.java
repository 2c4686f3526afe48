package org.rnn4j.kernel;

/**
 * bfloat16 conversions and the packed layout of bf16 weight matrices read by
 * {@link Kernels#multAddVecBf16}.
 *
 * <p>bfloat16 is the upper half of an IEEE float32 (8 exponent bits, 7 stored mantissa bits), so
 * widening is a 16-bit shift and exact; narrowing rounds to nearest, ties to even, keeps ±∞ and
 * turns NaN into a quiet NaN.
 *
 * <p><b>Packed layout.</b> A matrix (rows, cols) is stored row by row, {@link #rowInts(int)} ints per
 * row. The columns of a row go in blocks of 32; within block b, int i (0 ≤ i &lt; 16) holds column
 * 32b + i in its low 16 bits and column 32b + 16 + i in its high 16 bits, and columns ≥ cols are 0.
 * So a vector of L ≤ 16 ints starting at int i of a block widens, by one shift and one mask, into
 * two float vectors whose columns are contiguous: [32b + i, 32b + i + L) and [32b + 16 + i, …) —
 * both matched by plain contiguous loads of x, with no shuffle, at any vector width up to 512 bits.
 */
public final class Bf16 {
    /** Columns per block of the packed layout. */
    public static final int BLOCK_COLUMNS = 32;
    /** Ints per block of the packed layout (two bf16 per int). */
    public static final int BLOCK_INTS = BLOCK_COLUMNS / 2;

    private Bf16() {}

    /**
     * Rounds a float to bfloat16, to nearest with ties to even.
     *
     * @param f the value
     * @return the bf16 bits
     */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);   // keep the sign and payload top, force quiet
        }
        // Adding 0x7FFF plus the lowest kept bit rounds half to even; a carry into the exponent is the
        // correct rounding up (to the next binade, or to infinity from the largest finite values).
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /**
     * Widens bfloat16 bits to the float they denote (exact).
     *
     * @param b the bf16 bits
     * @return the value
     */
    public static float toFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    /**
     * Ints per packed row.
     *
     * @param cols number of columns, {@code >= 0}
     * @return {@code 16·⌈cols/32⌉}
     */
    public static int rowInts(int cols) {
        Checks.size("cols", cols);
        return ((cols + BLOCK_COLUMNS - 1) / BLOCK_COLUMNS) * BLOCK_INTS;
    }

    /**
     * Element (r, j) of a packed matrix, widened to float.
     *
     * @param packed the packed matrix
     * @param cols its number of columns
     * @param r row
     * @param j column in [0, cols)
     * @return the value
     */
    public static float get(int[] packed, int cols, int r, int j) {
        int word = packed[r * rowInts(cols) + (j / BLOCK_COLUMNS) * BLOCK_INTS + (j % BLOCK_INTS)];
        int half = (j % BLOCK_COLUMNS) < BLOCK_INTS ? word << 16 : word & 0xFFFF0000;
        return Float.intBitsToFloat(half);
    }
}
