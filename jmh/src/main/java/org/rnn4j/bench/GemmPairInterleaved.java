package org.rnn4j.bench;

import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

/**
 * {@link GemmPairBench}'s comparison interleaved in one JVM: each repetition times the two
 * {@code multAddTransA} calls, then one {@code multAddTransAPair}, on the same arrays, so both sides
 * see the same JIT state and the same phase of a VM whose cores change speed every few seconds
 * (JMH runs each method in its own fork). 20 repetitions of warm-up, then 100 timed; prints the best
 * and the mean of each side and their ratios (> 1: the pair is faster).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar org.rnn4j.bench.GemmPairInterleaved M N1 N2 K</pre>
 * with M = G·H, N1 = I, N2 = P, K = T·B (the LSTM at (100,32,256,256): 1024 256 256 3200).
 */
public final class GemmPairInterleaved {
    private GemmPairInterleaved() {}

    /**
     * Runs the comparison.
     *
     * @param x M, N1, N2, K
     */
    public static void main(String[] x) {
        if (x.length != 4) {
            throw new IllegalArgumentException("usage: GemmPairInterleaved M N1 N2 K, got " + x.length + " arguments");
        }
        int m = Integer.parseInt(x[0]), n1 = Integer.parseInt(x[1]), n2 = Integer.parseInt(x[2]), k = Integer.parseInt(x[3]);
        Kernels kern = Kernels.simd();
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        float[] a = new float[k * m], b1 = new float[k * n1], b2 = new float[k * n2], c1 = new float[m * n1], c2 = new float[m * n2];
        for (float[] v : new float[][] {a, b1, b2}) for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        long bestSep = Long.MAX_VALUE, bestPair = Long.MAX_VALUE;
        double sumSep = 0, sumPair = 0; int n = 0;
        for (int rep = 0; rep < 120; rep++) {
            long t0 = System.nanoTime();
            kern.multAddTransA(m, n1, k, a, 0, m, b1, 0, n1, c1, 0, n1);
            kern.multAddTransA(m, n2, k, a, 0, m, b2, 0, n2, c2, 0, n2);
            long t1 = System.nanoTime();
            kern.multAddTransAPair(m, n1, n2, k, a, 0, m, b1, 0, n1, c1, 0, n1, b2, 0, n2, c2, 0, n2, Parallelism.SERIAL);
            long t2 = System.nanoTime();
            if (rep >= 20) { bestSep = Math.min(bestSep, t1 - t0); bestPair = Math.min(bestPair, t2 - t1); sumSep += t1 - t0; sumPair += t2 - t1; n++; }
        }
        System.out.printf("m=%d n1=%d n2=%d k=%d  two calls: best %.2f ms mean %.2f | pair: best %.2f ms mean %.2f | best ratio %.3f mean ratio %.3f%n",
            m, n1, n2, k, bestSep / 1e6, sumSep / n / 1e6, bestPair / 1e6, sumPair / n / 1e6, (double) bestSep / bestPair, sumSep / sumPair);
    }
}
