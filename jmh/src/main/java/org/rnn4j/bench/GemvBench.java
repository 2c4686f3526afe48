package org.rnn4j.bench;

import java.util.Random;
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
import org.openjdk.jmh.annotations.Warmup;
import org.rnn4j.kernel.Kernels;

/**
 * GEMV for batch-1 streaming: A is (4H, 2H), the stacked [W_ih | W_hh] of an LSTM with I = H.
 * form N: y += A·x (forward step), T: y += Aᵀ·x (dh from dgates).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GemvBench {
    @Param({"64", "256", "1024"})
    public int hidden;
    @Param({"N", "T"})
    public String form;
    @Param({"simd", "scalar"})
    public String impl;

    int rows, cols;
    float[] a, x, y;
    Kernels kernels;

    @Setup
    public void setup() {
        rows = 4 * hidden;
        cols = 2 * hidden;
        Random r = new Random(7);
        a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        x = new float[Math.max(rows, cols)];
        y = new float[Math.max(rows, cols)];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() - 0.5f;
        }
        kernels = impl.equals("simd") ? Kernels.simd() : Kernels.scalar();
    }

    @Benchmark
    public float[] gemv() {
        if (form.equals("N")) {
            kernels.multAddVec(rows, cols, a, 0, cols, x, 0, y, 0);
        } else {
            kernels.multAddTransVec(rows, cols, a, 0, cols, x, 0, y, 0);
        }
        return y;
    }
}
