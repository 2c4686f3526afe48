package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class NamedTensorTest {

    private static void assertMessage(Throwable e, String... fragments) {
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void factoriesCheckLengthAgainstShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NamedTensor.ofFloats("w", new int[] {2, 3}, new float[5]));
        assertMessage(e, "'w'", "[2, 3]", "6 elements", "data has 5");
        e = assertThrows(IllegalArgumentException.class, () -> NamedTensor.ofDoubles("w", new int[] {}, new double[0]));
        assertMessage(e, "1 elements", "data has 0");
        e = assertThrows(IllegalArgumentException.class, () -> NamedTensor.ofLongs("n", new int[] {2, -1}, new long[0]));
        assertMessage(e, "'n'", "shape[1] must be >= 0", "-1");
        e = assertThrows(IllegalArgumentException.class, () -> NamedTensor.ofFloats("w", null, new float[0]));
        assertMessage(e, "'w'", "shape must not be null");
        e = assertThrows(IllegalArgumentException.class, () -> NamedTensor.ofFloats("w", new int[] {1}, null));
        assertMessage(e, "'w'", "data must not be null");
        e = assertThrows(IllegalArgumentException.class, () -> NamedTensor.ofFloats(null, new int[] {0}, new float[0]));
        assertMessage(e, "name must not be null");
        e = assertThrows(IllegalArgumentException.class,
                () -> NamedTensor.ofFloats("__metadata__", new int[] {0}, new float[0]));
        assertMessage(e, "reserved");
        e = assertThrows(IllegalArgumentException.class,
                () -> NamedTensor.ofDoubles("big", new int[] {1 << 16, 1 << 16}, new double[0]));
        assertMessage(e, "'big'", "more F64 elements than a Java byte array can hold");
        e = assertThrows(IllegalArgumentException.class,
                () -> NamedTensor.ofBytes("h", Dtype.F16, new int[] {3}, new byte[5]));
        assertMessage(e, "'h'", "F16", "needs 6 bytes", "got 5");
    }

    @Test
    void shapesScalarsAndEmpty() {
        NamedTensor s = NamedTensor.ofDoubles("s", new int[0], new double[] {2.5});
        assertEquals(0, s.rank());
        assertEquals(1, s.numel());
        assertEquals(8, s.byteSize());
        assertArrayEquals(new double[] {2.5}, s.asDoubles());
        NamedTensor e = NamedTensor.ofFloats("e", new int[] {2, 0}, new float[0]);
        assertEquals(0, e.numel());
        assertEquals(0, e.asFloats().length);
        assertEquals(2, e.dim(0));
        assertThrows(IllegalArgumentException.class, () -> e.dim(2));
    }

    @Test
    void arraysAreCopiedBothWays() {
        int[] shape = {2};
        float[] data = {1, 2};
        NamedTensor t = NamedTensor.ofFloats("t", shape, data);
        shape[0] = 7;
        data[0] = 9;
        t.shape()[0] = 5;
        t.asFloats()[1] = 5;
        t.toBytes()[0] = 1;
        assertArrayEquals(new int[] {2}, t.shape());
        assertArrayEquals(new float[] {1, 2}, t.asFloats());
    }

    @Test
    void conversionRules() {
        NamedTensor d = NamedTensor.ofDoubles("d", new int[] {4}, new double[] {0.1, -0.0, Double.NaN, 1e-50});
        float[] f = d.asFloats();
        assertEquals(0.1f, f[0]); // round to nearest
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(f[1]));
        assertTrue(Float.isNaN(f[2]));
        assertEquals(0.0f, f[3]);
        NamedTensor inf = NamedTensor.ofDoubles("d", new int[] {2}, new double[] {Double.NEGATIVE_INFINITY, 1e300});
        ArithmeticException a = assertThrows(ArithmeticException.class, inf::asFloats);
        assertMessage(a, "'d'", "element 1", "1.0E300", "float range");

        NamedTensor l = NamedTensor.ofLongs("lengths", new int[] {2}, new long[] {3, 1L << 40});
        assertMessage(assertThrows(IllegalStateException.class, l::asFloats), "'lengths'", "I64", "asFloats()");
        assertMessage(assertThrows(IllegalStateException.class, l::asDoubles), "'lengths'", "I64");
        assertMessage(assertThrows(ArithmeticException.class, l::asInts), "'lengths'", "element 1", "1099511627776");
        assertArrayEquals(new long[] {3, 1L << 40}, l.asLongs());
        assertArrayEquals(new int[] {3, -7},
                NamedTensor.ofLongs("x", new int[] {2}, new long[] {3, -7}).asInts());

        NamedTensor fl = NamedTensor.ofFloats("f", new int[] {1}, new float[] {0.1f});
        assertArrayEquals(new double[] {0.1f}, fl.asDoubles());
        assertMessage(assertThrows(IllegalStateException.class, fl::asLongs), "'f'", "F32", "asLongs()");
        assertMessage(assertThrows(IllegalStateException.class, fl::asInts), "'f'", "F32");

        byte[] i32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-5).putInt(Integer.MAX_VALUE).array();
        NamedTensor i = NamedTensor.ofBytes("i", Dtype.I32, new int[] {2}, i32);
        assertArrayEquals(new long[] {-5, Integer.MAX_VALUE}, i.asLongs());
        assertArrayEquals(new int[] {-5, Integer.MAX_VALUE}, i.asInts());
    }

    /** Every binary16 bit pattern against the value formula of IEEE 754. */
    @Test
    void halfToFloatIsExactForAllPatterns() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int sign = bits >>> 15;
            int exp = (bits >>> 10) & 0x1F;
            int mant = bits & 0x3FF;
            float got = NamedTensor.halfToFloat((short) bits);
            if (exp == 0x1F) {
                assertEquals(mant != 0, Float.isNaN(got), "bits " + Integer.toHexString(bits));
                if (mant == 0) {
                    assertEquals(sign == 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY, got);
                }
                continue;
            }
            double magnitude = exp == 0 ? mant * Math.pow(2, -24) : (1 + mant / 1024.0) * Math.pow(2, exp - 15);
            double expected = sign == 1 ? -magnitude : magnitude;
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(got),
                    "bits " + Integer.toHexString(bits));
        }
    }

    @Test
    void f16AndBf16Decode() {
        byte[] half = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x7BFF)
                .putShort((short) 0x0001).putShort((short) 0x8000).array();
        float[] f = NamedTensor.ofBytes("h", Dtype.F16, new int[] {5}, half).asFloats();
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, -0f}, f);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(f[4]));
        byte[] bf = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 0x3F80).putShort((short) 0xC049).putShort((short) 0xFF80).array();
        NamedTensor b = NamedTensor.ofBytes("b", Dtype.BF16, new int[] {3}, bf);
        assertArrayEquals(new float[] {1f, -3.140625f, Float.NEGATIVE_INFINITY}, b.asFloats());
        assertArrayEquals(new double[] {1, -3.140625, Double.NEGATIVE_INFINITY}, b.asDoubles());
    }

    @Test
    void equalityIsBitwise() {
        NamedTensor a = NamedTensor.ofFloats("a", new int[] {1}, new float[] {0f});
        NamedTensor negZero = NamedTensor.ofFloats("a", new int[] {1}, new float[] {-0f});
        assertNotEquals(a, negZero);
        assertEquals(a, NamedTensor.ofFloats("a", new int[] {1}, new float[] {0f}));
        assertEquals(a.hashCode(), NamedTensor.ofFloats("a", new int[] {1}, new float[] {0f}).hashCode());
        assertNotEquals(a, NamedTensor.ofFloats("a", new int[] {1, 1}, new float[] {0f}));
        assertEquals("NamedTensor[a, F32, [1]]", a.toString());
    }
}
