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
 * Activations on 4096 floats drawn from N(0, 2²) — the range gate pre-activations live in.
 * The SIMD math backend (own polynomial vs VectorOperators' SVML-backed EXP/TANH) is a JVM-wide
 * constant, so it is chosen per fork: {@code -p math=poly,svml} runs both.
 * Also the fused LSTM/GRU post-GEMM passes at H = 1024 (one batch row).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class ActivationBench {
    static final int N = 4096;

    @Param({"simd", "scalar"})
    public String impl;

    float[] x, y, gates, gatesSrc, cPrev, c, tanhC, h, gh;
    Kernels kernels;

    @Setup
    public void setup() {
        Random r = new Random(3);
        x = new float[N];
        y = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (float) (2 * r.nextGaussian());
        }
        int hidden = 1024;
        gatesSrc = new float[4 * hidden];
        gates = new float[4 * hidden];
        for (int i = 0; i < gatesSrc.length; i++) {
            gatesSrc[i] = (float) (2 * r.nextGaussian());
        }
        cPrev = new float[hidden];
        for (int i = 0; i < hidden; i++) {
            cPrev[i] = (float) r.nextGaussian();
        }
        c = new float[hidden];
        tanhC = new float[hidden];
        h = new float[hidden];
        gh = new float[3 * hidden];
        System.arraycopy(gatesSrc, 0, gh, 0, 3 * hidden);
        kernels = impl.equals("simd") ? Kernels.simd() : Kernels.scalar();
    }

    @Benchmark
    public float[] exp() {
        kernels.exp(N, x, 0, y, 0);
        return y;
    }

    @Benchmark
    public float[] sigmoid() {
        kernels.sigmoid(N, x, 0, y, 0);
        return y;
    }

    @Benchmark
    public float[] tanh() {
        kernels.tanh(N, x, 0, y, 0);
        return y;
    }

    /** LSTM post-GEMM for one row at H = 1024 (4096 gate values); includes a 16 KiB copy of the pre-activations. */
    @Benchmark
    public float[] lstmCellForward() {
        System.arraycopy(gatesSrc, 0, gates, 0, gates.length);
        kernels.lstmCellForward(1024, gates, 0, cPrev, 0, c, 0, tanhC, 0, h, 0);
        return h;
    }

    /** GRU post-GEMM for one row at H = 1024; includes a 12 KiB copy of the input projection. */
    @Benchmark
    public float[] gruCellForward() {
        System.arraycopy(gatesSrc, 0, gates, 0, 3 * 1024);
        kernels.gruCellForward(1024, gates, 0, gh, 0, cPrev, 0, h, 0);
        return h;
    }
}
