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
import org.rnn4j.kernel.PackedGemmB;
import org.rnn4j.kernel.Parallelism;

/**
 * The engine's per-step recurrent GEMM, {@code gates += h·W_hhᵀ} on W_hh packed once
 * ({@link Kernels#multAddPacked}): shape (M, N, K) = (batch, 4·hidden, hidden) of the LSTM at the
 * four benchmark shapes of RnnBench. {@code par} = tasks of the column split (1 or 2, the second on a pool thread).
 * Run with JMH's {@code -t 2} and {@code par=1} it measures two independent copies at once, one per
 * thread: the ceiling a two-way split could reach on this machine. GFLOP/s = 2·M·N·K / time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class PackedGemmBench {
    @Param({"1x512x128", "32x1024x256", "64x2048x512", "20x2600x650"})
    public String shape;
    @Param({"1", "2"})
    public int par;

    int m;
    float[] a, c;
    PackedGemmB b;
    Kernels kernels;
    ExecutorService pool;
    Parallelism parallelism;

    @Setup
    public void setup() {
        String[] s = shape.split("x");
        m = Integer.parseInt(s[0]);
        int n = Integer.parseInt(s[1]), k = Integer.parseInt(s[2]);
        Random r = new Random(42);
        a = new float[m * k];
        float[] w = new float[n * k];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextFloat() - 0.5f;
        }
        kernels = Kernels.simd();
        b = kernels.packGemmB(true, k, n, w, 0, k);
        if (par > 1) {
            pool = Executors.newFixedThreadPool(par - 1);
            parallelism = new Parallelism(pool, par);
        } else {
            parallelism = Parallelism.SERIAL;
        }
    }

    @TearDown
    public void tearDown() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @Benchmark
    public float[] multAddPacked() {
        kernels.multAddPacked(m, 1f, a, 0, a.length / m, b, c, 0, c.length / m, parallelism);
        return c;
    }
}
