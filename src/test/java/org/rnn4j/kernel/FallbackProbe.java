package org.rnn4j.kernel;

/**
 * Run in a child JVM by {@link ScalarFallbackTest}: uses the kernels through the public API and
 * prints which implementation ran and whether its results match a double computation.
 */
public final class FallbackProbe {
    private FallbackProbe() {}

    public static void main(String[] args) {
        Kernels k = Kernels.get();
        int n = 37;
        float[] x = new float[n], y = new float[n];
        double expected = 0;
        for (int i = 0; i < n; i++) {
            x[i] = (i % 7) - 3f;
            y[i] = 0.25f * i;
            expected += (double) x[i] * y[i];
        }
        float dot = k.dot(n, x, 0, y, 0);
        // C (2x3) = A (2x2) · B (2x3), values small integers: exact in float
        float[] a = {1, 2, 3, 4}, b = {1, 0, -1, 2, 1, 0}, c = new float[6];
        k.mult(2, 3, 2, a, 0, 2, b, 0, 3, c, 0, 3);
        float[] want = {5, 2, -1, 11, 4, -3};
        boolean gemmOk = java.util.Arrays.equals(c, want);
        float[] t = {0f, 1f};
        k.tanh(2, t, 0, t, 0);
        // The peak loop follows the kernels: without the module it must not reach the Vector API either.
        FmaPeak.Result peak = FmaPeak.measure();
        boolean ok = dot == (float) expected && gemmOk && t[0] == 0f && Math.abs(t[1] - Math.tanh(1)) < 1e-6
                && peak.gflops() > 0 && peak.simd() == !k.name().equals("scalar");
        // A second use must not log again.
        Kernels.get().sum(n, x, 0);
        System.out.println("impl=" + k.name());
        System.out.println("simdAvailable=" + KernelSelector.simdAvailable());
        System.out.println("fma=" + peak.loop());
        System.out.println(ok ? "RESULT OK" : "RESULT WRONG dot=" + dot + " expected=" + expected + " c=" + java.util.Arrays.toString(c)
                + " peak=" + peak);
    }
}
