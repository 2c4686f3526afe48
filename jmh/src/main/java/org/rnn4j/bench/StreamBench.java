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
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.serve.StreamState;
import org.rnn4j.serve.StreamingModel;
import org.rnn4j.serve.WeightFormat;

/**
 * Streaming latency: one {@code StreamingModel.step} of one layer at batch 1, I = H, the state
 * carried from step to step (each step reads the h the previous one wrote, so steps cannot overlap),
 * a fixed random input, one thread. (Feeding the output back as the next input let the values decay
 * into subnormals, whose arithmetic is ~20× slower on this CPU: a benchmark of the CPU's slow path,
 * not of the model.)
 *
 * <p>Baseline in the same run: {@code gemv}, one {@code multAddVec} (f32) or {@code multAddVecBf16}
 * (bf16) over a (G·H, 2H) matrix — the bytes a step must read — so {@code step / gemv} is what the
 * cell math, the two-matrix split and the call cost on top of reading the weights. The OpenBLAS
 * sgemv and PyTorch cell call of the same shape come from jmh/peers/torch_cell_step.py, run in the
 * same session. Run with {@code -prof gc} for gc.alloc.rate.norm (B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class StreamBench {
    @Param({"64", "128", "256", "1024"})
    public int hidden;
    @Param({"lstm", "gru", "rnn_tanh"})
    public String cell;
    @Param({"f32", "bf16"})
    public String format;
    @Param({"simd"})
    public String impl;

    StreamingModel model;
    StreamState state;
    float[] x, y;
    float[] gemvA, gemvX, gemvY;
    int[] gemvPacked;
    int rows, cols;
    Kernels kernels;

    @Setup
    public void setup() {
        kernels = impl.equals("simd") ? Kernels.simd() : Kernels.scalar();
        RnnSpec spec = RnnSpec.builder(CellType.parse(cell), hidden, hidden).build();
        RnnWeights w = new RnnWeights(spec).initUniform(7);
        WeightFormat f = format.equals("bf16") ? WeightFormat.BF16 : WeightFormat.F32;
        model = StreamingModel.builder(w).kernels(kernels).format(f).build();
        state = model.newState();
        x = new float[hidden];
        y = new float[hidden];
        Random r = new Random(3);
        for (int i = 0; i < hidden; i++) {
            x[i] = r.nextFloat() - 0.5f;
        }
        rows = spec.gateRows();
        cols = 2 * hidden;
        gemvA = new float[rows * cols];
        for (int i = 0; i < gemvA.length; i++) {
            gemvA[i] = r.nextFloat() - 0.5f;
        }
        gemvPacked = kernels.packBf16(rows, cols, gemvA, 0, cols);
        gemvX = new float[cols];
        gemvY = new float[rows];
        for (int i = 0; i < cols; i++) {
            gemvX[i] = r.nextFloat() - 0.5f;
        }
    }

    @Benchmark
    public float[] step() {
        model.step(state, x, 0, y, 0);
        return y;
    }

    @Benchmark
    public float[] gemv() {
        if (format.equals("bf16")) {
            kernels.multAddVecBf16(rows, cols, gemvPacked, 0, gemvX, 0, gemvY, 0);
        } else {
            kernels.multAddVec(rows, cols, gemvA, 0, cols, gemvX, 0, gemvY, 0);
        }
        return gemvY;
    }
}
