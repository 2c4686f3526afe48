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
import org.rnn4j.kernel.Parallelism;

/**
 * The weight-gradient pair of a recurrent layer after its backward loop, dW_ih += dGatesᵀ·x and
 * dW_hh += dGatesᵀ·h_prev, as two {@code multAddTransA} calls ({@code twoCalls}, dGates packed twice)
 * against one {@code multAddTransAPair} ({@code pair}, packed once); the results are bitwise the same.
 * shape = G·H x I x P x T·B: the LSTM at (100,32,256,256), (35,20,650,650) and (50,64,512,512).
 * JMH runs each method in a fork of its own; {@link GemmPairInterleaved} interleaves them in one JVM.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GemmPairBench {
    @Param({"1024x256x256x3200", "2600x650x650x700", "2048x512x512x3200"})
    public String shape;

    int m, n1, n2, k;
    float[] a, b1, b2, c1, c2;
    Kernels kernels;

    @Setup
    public void setup() {
        String[] s = shape.split("x");
        m = Integer.parseInt(s[0]);
        n1 = Integer.parseInt(s[1]);
        n2 = Integer.parseInt(s[2]);
        k = Integer.parseInt(s[3]);
        Random r = new Random(42);
        a = fill(r, k * m);      // dGates (T·B, G·H)
        b1 = fill(r, k * n1);    // x (T·B, I)
        b2 = fill(r, k * n2);    // h_prev (T·B, P)
        c1 = new float[m * n1];  // dW_ih (G·H, I)
        c2 = new float[m * n2];  // dW_hh (G·H, P)
        kernels = Kernels.simd();
    }

    static float[] fill(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }

    @Benchmark
    public float[] twoCalls() {
        kernels.multAddTransA(m, n1, k, a, 0, m, b1, 0, n1, c1, 0, n1);
        kernels.multAddTransA(m, n2, k, a, 0, m, b2, 0, n2, c2, 0, n2);
        return c2;
    }

    @Benchmark
    public float[] pair() {
        kernels.multAddTransAPair(m, n1, n2, k, a, 0, m, b1, 0, n1, c1, 0, n1, b2, 0, n2, c2, 0, n2,
                Parallelism.SERIAL);
        return c2;
    }
}
