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

/** Level-1 kernels on 4096 floats (L1-resident): dot, axpy, sumSquares, softmax of one row. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class Level1Bench {
    static final int N = 4096;

    @Param({"simd", "scalar"})
    public String impl;

    float[] x, y, z;
    Kernels kernels;

    @Setup
    public void setup() {
        Random r = new Random(5);
        x = new float[N];
        y = new float[N];
        z = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = r.nextFloat() - 0.5f;
            y[i] = r.nextFloat() - 0.5f;
        }
        kernels = impl.equals("simd") ? Kernels.simd() : Kernels.scalar();
    }

    @Benchmark
    public float dot() {
        return kernels.dot(N, x, 0, y, 0);
    }

    @Benchmark
    public float[] axpy() {
        kernels.axpy(N, 1e-3f, x, 0, z, 0);
        return z;
    }

    @Benchmark
    public double sumSquares() {
        return kernels.sumSquares(N, x, 0);
    }

    @Benchmark
    public float[] softmax() {
        kernels.softmaxRows(1, N, x, 0, N, z, 0, N);
        return z;
    }
}
