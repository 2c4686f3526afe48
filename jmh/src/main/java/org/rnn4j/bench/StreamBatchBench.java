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
import org.rnn4j.serve.StreamBatch;
import org.rnn4j.serve.StreamState;
import org.rnn4j.serve.StreamingModel;

/**
 * Throughput of batched streams: one call advances {@code batch} independent streams by one step
 * (one GEMM per matrix), against {@code singles}, the same streams advanced by {@code batch} single
 * calls (GEMVs) in the same run. Per-stream-step time = score / batch (jmh/stream-report.py).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class StreamBatchBench {
    @Param({"256"})
    public int hidden;
    @Param({"lstm", "gru", "rnn_tanh"})
    public String cell;
    @Param({"8", "32", "64"})
    public int batch;

    StreamingModel model;
    StreamState[] states;
    StreamBatch scratch;
    float[] x, y;

    @Setup
    public void setup() {
        RnnSpec spec = RnnSpec.builder(CellType.parse(cell), hidden, hidden).build();
        model = StreamingModel.builder(new RnnWeights(spec).initUniform(7)).kernels(Kernels.simd()).build();
        states = new StreamState[batch];
        for (int i = 0; i < batch; i++) {
            states[i] = model.newState();
        }
        scratch = model.newBatch(batch);
        x = new float[batch * hidden];
        y = new float[batch * hidden];
        Random r = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() - 0.5f;
        }
    }

    @Benchmark
    public float[] batched() {
        model.step(scratch, states, batch, x, 0, y, 0);
        return y;
    }

    @Benchmark
    public float[] singles() {
        for (int i = 0; i < batch; i++) {
            model.step(states[i], x, i * hidden, y, i * hidden);
        }
        return y;
    }
}
