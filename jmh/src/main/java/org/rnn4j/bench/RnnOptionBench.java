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

/**
 * The cell-family options against their plain cell, one layer, one thread, SIMD kernels, in one run:
 * {@code variant} names the cell and the option ({@code lstm_bidirectional}, {@code lstm_proj} with
 * P = H/2, {@code lstm_peephole}, {@code gru_reset_before}, …). jmh/rnn-option-report.py divides by
 * each variant's GEMM FLOPs and by the plain cell's time from the same run, so the table shows
 * whether an option stays on the fast path (same GFLOP/s as the plain cell) or falls off it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class RnnOptionBench {
    @Param({"100x32x256x256"})
    public String shape;
    @Param({"lstm", "lstm_bidirectional", "lstm_reverse", "lstm_proj", "lstm_peephole", "gru", "gru_reset_before",
            "gru_bidirectional", "rnn_tanh", "rnn_tanh_bidirectional"})
    public String variant;

    int seqLen, batch;
    Rnn rnn;
    RnnWorkspace ws;
    RnnWeights grads;
    float[] x, out, dOut, dx;

    @Setup
    public void setup() {
        String[] s = shape.split("x");
        seqLen = Integer.parseInt(s[0]);
        batch = Integer.parseInt(s[1]);
        int in = Integer.parseInt(s[2]);
        int hidden = Integer.parseInt(s[3]);
        String[] v = variant.split("_", 2);
        String cell = variant.startsWith("rnn_tanh") ? "rnn_tanh" : v[0];
        String option = variant.length() > cell.length() ? variant.substring(cell.length() + 1) : "";
        RnnSpec.Builder b = RnnSpec.builder(CellType.parse(cell), in, hidden);
        switch (option) {
            case "": break;
            case "bidirectional": b.direction(Direction.BIDIRECTIONAL); break;
            case "reverse": b.direction(Direction.REVERSE); break;
            case "proj": b.projSize(hidden / 2); break;
            case "peephole": b.peephole(true); break;
            case "reset_before": b.resetBefore(true); break;
            default: throw new IllegalArgumentException("unknown variant " + variant);
        }
        RnnSpec spec = b.build();
        rnn = new Rnn(new RnnWeights(spec).initUniform(1), Kernels.simd());
        ws = new RnnWorkspace();
        grads = new RnnWeights(spec);
        Random r = new Random(7);
        x = fill(r, seqLen * batch * in);
        dOut = fill(r, seqLen * batch * spec.outputSize());
        out = new float[seqLen * batch * spec.outputSize()];
        dx = new float[seqLen * batch * in];
    }

    private static float[] fill(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        return a;
    }

    @Benchmark
    public float[] forward() {
        rnn.forward(ws, true, x, seqLen, batch, null, null, null, out, null, null);
        return out;
    }

    @Benchmark
    public float[] forwardBackward() {
        rnn.forward(ws, true, x, seqLen, batch, null, null, null, out, null, null);
        rnn.backward(ws, dOut, null, null, grads, dx, null, null);
        return dx;
    }
}
