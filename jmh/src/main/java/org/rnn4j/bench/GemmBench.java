package org.rnn4j.bench;

import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

/**
 * GEMM at the shapes an LSTM needs: (M, K, N) = (batch, input or hidden, 4·hidden) for the gate
 * pre-activations, (T·B, …) for the all-steps input projection, square 512 for reference.
 * form: NN = A·B, NT = A·Bᵀ (X·Wᵀ with PyTorch-layout weights), TN = Aᵀ·B (weight gradients).
 * Score is time per call; GFLOP/s = 2·M·N·K / time (jmh/report.py does the division).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GemmBench {
    @Param({"32x512x1024", "20x1300x2600", "3200x256x1024", "64x1024x2048", "512x512x512"})
    public String shape;
    @Param({"NN", "NT", "TN"})
    public String form;
    @Param({"simd", "scalar"})
    public String impl;
    @Param({"1"})
    public int threads;

    int m, n, k;
    boolean transA, transB;
    float[] a, b, c;
    Kernels kernels;
    ExecutorService pool;
    Parallelism par;

    @Setup
    public void setup() {
        String[] s = shape.split("x");
        m = Integer.parseInt(s[0]);
        k = Integer.parseInt(s[1]);
        n = Integer.parseInt(s[2]);
        transA = form.charAt(0) == 'T';
        transB = form.charAt(1) == 'T';
        Random r = new Random(42);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextFloat() - 0.5f;
        }
        kernels = impl.equals("simd") ? Kernels.simd() : Kernels.scalar();
        if (threads > 1) {
            pool = Executors.newFixedThreadPool(threads - 1);
            par = new Parallelism(pool, threads);
        } else {
            par = Parallelism.SERIAL;
        }
    }

    @TearDown
    public void tearDown() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @Benchmark
    public float[] gemm() {
        kernels.gemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n, par);
        return c;
    }
}
