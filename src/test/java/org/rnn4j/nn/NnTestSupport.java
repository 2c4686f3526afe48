package org.rnn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.function.Executable;
import org.rnn4j.io.Safetensors;
import org.rnn4j.io.SafetensorsFile;
import org.rnn4j.kernel.Kernels;

/**
 * Shared pieces of the {@code nn} tests: the two kernel implementations, sizes, seeded random
 * arrays with NaN sentinels around the range a call may touch, error-bound assertions, the PyTorch
 * golden file and the allocation probe.
 *
 * <p>ε = 2⁻²⁴ is float's unit roundoff. A sum of K float terms (any order, FMA or not) is within
 * γ_K·Σ|terms| ≤ 1.01·K·ε·Σ|terms| of the exact sum for K·ε ≪ 1; the bounds in the tests are of
 * that form, doubled for safety, plus what each test says.
 */
final class NnTestSupport {
    private NnTestSupport() {}

    static final double EPS = 0x1p-24;

    /** Sizes hitting vector-width boundaries (4, 8, 16 floats) and the ends of 1..70. */
    static final int[] SPECIAL = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 69, 70};

    /** A size in 1..70, half the time one of {@link #SPECIAL}. */
    static Arbitrary<Integer> sizes() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(boxed(SPECIAL))),
                Tuple.of(1, Arbitraries.integers().between(1, 70)));
    }

    private static Integer[] boxed(int[] a) {
        Integer[] b = new Integer[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }

    /** Both implementations; the tests run with the Vector API module, so SIMD is present. */
    static List<Kernels> kernels() {
        return List.of(Kernels.scalar(), Kernels.simd());
    }

    /** {@code pad + n + pad} floats: U(−scale, scale) in [pad, pad + n), NaN sentinels around. */
    static float[] padded(SplittableRandom rnd, int pad, int n, double scale) {
        float[] a = new float[pad + n + pad];
        java.util.Arrays.fill(a, Float.NaN);
        for (int i = 0; i < n; i++) {
            a[pad + i] = (float) ((2 * rnd.nextDouble() - 1) * scale);
        }
        return a;
    }

    /** {@code pad + n + pad} floats, all NaN: an output buffer whose untouched parts stay NaN. */
    static float[] nans(int pad, int n) {
        float[] a = new float[pad + n + pad];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }

    /** Asserts that everything outside {@code [off, off + n)} is still NaN. */
    static void assertSentinels(float[] a, int off, int n, String what) {
        for (int i = 0; i < a.length; i++) {
            if ((i < off || i >= off + n) && !Float.isNaN(a[i])) {
                fail(what + ": element " + i + " outside the output range [" + off + ", " + (off + n)
                        + ") was written: " + a[i]);
            }
        }
    }

    static double[] toDouble(float[] a, int off, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = a[off + i];
        }
        return d;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
            if (f[i] != a[i]) {
                throw new IllegalStateException("golden input " + i + " is not a float: " + a[i]);
            }
        }
        return f;
    }

    /** Asserts {@code |got − ref| ≤ bound} (and that both are finite). */
    static void assertWithin(double got, double ref, double bound, String what) {
        if (!(Math.abs(got - ref) <= bound)) {
            fail(what + ": got " + got + ", reference " + ref + ", |diff| = " + Math.abs(got - ref)
                    + " > bound " + bound);
        }
    }

    /** Asserts {@code |got − ref| ≤ rel·max(1, |ref|)} element-wise (golden comparisons). */
    static void assertClose(float[] got, int off, double[] ref, double rel, String what) {
        for (int i = 0; i < ref.length; i++) {
            assertWithin(got[off + i], ref[i], rel * Math.max(1, Math.abs(ref[i])), what + "[" + i + "]");
        }
    }

    /** Asserts that {@code call} throws IllegalArgumentException whose message contains every part. */
    static void assertIae(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p),
                    "message should contain '" + p + "': " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ golden file

    private static SafetensorsFile golden;

    /** The PyTorch golden file written by tools/golden/make_nn_golden.py. */
    static synchronized SafetensorsFile golden() {
        if (golden == null) {
            URL url = NnTestSupport.class.getResource("/golden_nn/nn_layers.safetensors");
            assertTrue(url != null, "test resource /golden_nn/nn_layers.safetensors not on the class path");
            try {
                golden = Safetensors.read(Path.of(url.toURI()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
            assertEquals("tools/golden/make_nn_golden.py", golden.metadata("generator"));
        }
        return golden;
    }

    static double[] g(String name) {
        return golden().tensor(name).asDoubles();
    }

    static int[] gInts(String name) {
        return golden().tensor(name).asInts();
    }

    static int[] gShape(String name) {
        return golden().tensor(name).shape();
    }

    // ------------------------------------------------------------------ allocation probe

    /**
     * Asserts that {@code call} reaches a steady state of 100 consecutive calls that allocate nothing
     * on this thread (ThreadMXBean#getThreadAllocatedBytes, as RnnEngineTest does), within 5000 calls.
     * A run is required rather than a fixed call: the JVM itself now and then charges a one-off 48
     * bytes to the thread in the middle of an otherwise allocation-free loop (seen with the plain
     * scalar GEMM loops while the JIT compiles them), whereas per-call garbage of the code under test
     * shows on every call and so never gives a run.
     */
    static void assertSteadyStateAllocatesNothing(Runnable call, String what) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        int zeroRun = 0;
        long last = -1;
        int calls = 0;
        while (calls < 5000 && zeroRun < 100) {
            long before = mx.getThreadAllocatedBytes(id);
            call.run();
            last = mx.getThreadAllocatedBytes(id) - before;
            zeroRun = last == 0 ? zeroRun + 1 : 0;
            calls++;
        }
        assertTrue(zeroRun >= 100, what + ": no run of 100 allocation-free calls in " + calls
                + "; the last call allocated " + last + " bytes");
    }
}
