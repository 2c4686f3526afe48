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
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.serve.StreamBatch;
import org.rnn4j.serve.StreamState;
import org.rnn4j.serve.StreamingModel;
import org.rnn4j.serve.WeightFormat;

/**
 * Bytes per op of every path that must allocate nothing, for JMH's GC profiler: run with
 * {@code -prof gc} and read {@code gc.alloc.rate.norm}. Every cell and option ({@code variant}),
 * the streaming step of one stream ({@code stream1}) and of eight ({@code stream8}) in float32
 * and bfloat16 weights, and the engine's batched forward pass ({@code forward}) and training step
 * ({@code train}, forward + BPTT) — the engine rows also for the bidirectional variants, which
 * cannot stream. Small shapes (H = 37, not a multiple of any vector width, so every kernel's tail
 * runs too): the point is the allocation, not the time; jmh/alloc-report.py tables it.
 * Single-threaded ({@code Parallelism.SERIAL}): a split GEMM allocates its task objects by design.
 *
 * <p>Run (about 4 minutes per JDK; the engine rows do not depend on {@code format}):
 * <pre>
 *   jmh/run 'AllocationBench.stream' -p variant=rnn_tanh,rnn_relu,lstm,lstm_proj,lstm_peephole,gru,gru_reset_before \
 *       -prof gc -rf json -rff stream.json
 *   jmh/run 'AllocationBench.(forward|train)' -p format=f32 -prof gc -rf json -rff engine.json
 *   python3 jmh/alloc-report.py stream.json engine.json
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 2, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class AllocationBench {
    @Param({"rnn_tanh", "rnn_relu", "lstm", "lstm_proj", "lstm_peephole", "gru", "gru_reset_before",
            "lstm_bidirectional", "gru_bidirectional", "rnn_tanh_bidirectional"})
    public String variant;
    /** f32 or bf16: the weight format of the streaming rows (the engine is float32 only). */
    @Param({"f32", "bf16"})
    public String format;
    @Param({"37"})
    public int hidden;

    static final int SEQ = 7, BATCH = 5, STREAMS = 8;

    boolean streams;
    StreamingModel model;
    StreamState one;
    StreamState[] many;
    StreamBatch batch;
    float[] x, y;

    Rnn rnn;
    RnnWorkspace ws;
    RnnWeights grads;
    float[] seq, out, dOut, dSeq;

    @Setup
    public void setup() {
        String cell = variant.startsWith("rnn_tanh") ? "rnn_tanh" : variant.startsWith("rnn_relu") ? "rnn_relu"
                : variant.split("_", 2)[0];
        String option = variant.length() > cell.length() ? variant.substring(cell.length() + 1) : "";
        RnnSpec.Builder b = RnnSpec.builder(CellType.parse(cell), hidden, hidden).numLayers(2);
        switch (option) {
            case "": break;
            case "bidirectional": b.direction(Direction.BIDIRECTIONAL); break;
            case "proj": b.projSize(hidden / 2); break;
            case "peephole": b.peephole(true); break;
            case "reset_before": b.resetBefore(true); break;
            default: throw new IllegalArgumentException("unknown variant " + variant);
        }
        RnnSpec spec = b.build();
        RnnWeights w = new RnnWeights(spec).initUniform(1);
        Random r = new Random(5);
        streams = !option.equals("bidirectional");
        if (streams) {
            WeightFormat f = format.equals("bf16") ? WeightFormat.BF16 : WeightFormat.F32;
            model = StreamingModel.builder(w).kernels(Kernels.simd()).format(f).build();
            one = model.newState();
            many = new StreamState[STREAMS];
            for (int i = 0; i < STREAMS; i++) {
                many[i] = model.newState();
            }
            batch = model.newBatch(STREAMS);
            x = fill(r, STREAMS * hidden);
            y = new float[STREAMS * model.outputSize()];
        }
        rnn = new Rnn(w, Kernels.simd());
        ws = new RnnWorkspace();
        grads = new RnnWeights(spec);
        seq = fill(r, SEQ * BATCH * hidden);
        out = new float[SEQ * BATCH * spec.outputSize()];
        dOut = fill(r, out.length);
        dSeq = new float[seq.length];
    }

    private static float[] fill(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        return a;
    }

    /** One stream, one step ({@code -}: the bidirectional variants cannot stream; a no-op). */
    @Benchmark
    public float[] stream1() {
        if (streams) {
            model.step(one, x, 0, y, 0);
        }
        return y;
    }

    /** Eight streams in one batched step. */
    @Benchmark
    public float[] stream8() {
        if (streams) {
            model.step(batch, many, STREAMS, x, 0, y, 0);
        }
        return y;
    }

    /** The batched forward pass alone (inference over whole sequences). */
    @Benchmark
    public float[] forward() {
        rnn.forward(ws, false, seq, SEQ, BATCH, null, null, null, out, null, null);
        return out;
    }

    /** Forward + BPTT: the training step's engine part. */
    @Benchmark
    public float[] train() {
        rnn.forward(ws, true, seq, SEQ, BATCH, null, null, null, out, null, null);
        rnn.backward(ws, dOut, null, null, grads, dSeq, null, null);
        return dSeq;
    }
}
