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
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Kernels;

/**
 * One layer, one thread, over a whole batch: {@code forward} (what a training step's forward costs)
 * and {@code forwardBackward} (forward plus BPTT with all gradients), at the four benchmark shapes
 * (T, B, I, H). The baseline in the same run, {@code gemmSameFlops}, is one GEMM of the forward pass's
 * GEMM FLOP count, (T·B) × (G·H) × (I + H) in the X·Wᵀ form: the speed the cell would reach if its
 * whole forward pass were one large GEMM, which BPTT's step-by-step dependency forbids.
 *
 * <p>GEMM FLOPs (element-wise gate math is not counted, it is O(1/H) of the total):
 * forward 2·T·B·G·H·(I + H); backward adds dh (2·T·B·G·H·H), dW_ih, dW_hh and dx, i.e. 2× forward,
 * so forward+backward = 3× forward. jmh/rnn-report.py does the division.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class RnnBench {
    @Param({"100x32x256x256", "35x20x650x650", "50x64x512x512", "100x1x128x128"})
    public String shape;
    @Param({"lstm", "gru", "rnn_tanh"})
    public String cell;
    @Param({"simd"})
    public String impl;
    /** GEMM tasks (Parallelism): 1 = this thread only; 2 = this thread and one pool thread. */
    @Param({"1"})
    public int threads;
    /**
     * How threads &gt; 1 share the work: {@code split} = data-parallel over batch rows
     * ({@link org.rnn4j.cell.DataParallelRnn} on a {@link org.rnn4j.kernel.WorkerTeam}: each thread runs
     * whole sequences of its slice of B; at B = 1 the per-step split), {@code team} = every GEMM split
     * per step over a WorkerTeam (spinning helper), {@code pool} = the same over a fixed thread pool
     * (parked helper).
     */
    @Param({"split"})
    public String executor;

    java.util.concurrent.ExecutorService pool;
    org.rnn4j.kernel.WorkerTeam team;

    int seqLen, batch;
    Rnn rnn;
    RnnWorkspace ws;
    RnnWeights grads;
    float[] x, out, dOut, dx, gemmA, gemmB, gemmC;
    int gm, gn, gk;
    Kernels kernels;
    org.rnn4j.cell.DataParallelRnn dp;
    org.rnn4j.cell.DataParallelRnn.Workspace dw;

    @Setup
    public void setup() {
        String[] s = shape.split("x");
        seqLen = Integer.parseInt(s[0]);
        batch = Integer.parseInt(s[1]);
        int in = Integer.parseInt(s[2]);
        int hidden = Integer.parseInt(s[3]);
        RnnSpec spec = RnnSpec.builder(CellType.parse(cell), in, hidden).build();
        kernels = impl.equals("simd") ? Kernels.simd() : Kernels.scalar();
        rnn = new Rnn(new RnnWeights(spec).initUniform(1), kernels);
        if (threads <= 1) {
            ws = new RnnWorkspace();
        } else if (executor.equals("split")) {
            team = new org.rnn4j.kernel.WorkerTeam(threads - 1);
            ws = new RnnWorkspace();
        } else if (executor.equals("team")) {
            team = new org.rnn4j.kernel.WorkerTeam(threads - 1);
            ws = new RnnWorkspace(team.parallelism(), 1);
        } else if (executor.equals("pool")) {
            pool = java.util.concurrent.Executors.newFixedThreadPool(threads - 1);
            ws = new RnnWorkspace(new org.rnn4j.kernel.Parallelism(pool, threads), 1);
        } else {
            throw new IllegalArgumentException("executor must be split, team or pool, got " + executor);
        }
        if (executor.equals("split") && threads > 1) {
            dp = org.rnn4j.cell.DataParallelRnn.over(rnn, team);
            dw = dp.newWorkspace(1);
        }
        grads = new RnnWeights(spec);
        Random r = new Random(7);
        x = fill(r, seqLen * batch * in);
        dOut = fill(r, seqLen * batch * hidden);
        out = new float[seqLen * batch * hidden];
        dx = new float[seqLen * batch * in];
        gm = seqLen * batch;
        gn = spec.gateRows();
        gk = in + hidden;
        gemmA = fill(r, gm * gk);
        gemmB = fill(r, gn * gk);
        gemmC = new float[gm * gn];
    }

    @org.openjdk.jmh.annotations.TearDown
    public void tearDown() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (team != null) {
            team.close();
        }
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
        if (dp != null) {
            dp.forward(dw, true, x, seqLen, batch, null, null, null, out, null, null);
            return out;
        }
        rnn.forward(ws, true, x, seqLen, batch, null, null, null, out, null, null);
        return out;
    }

    @Benchmark
    public float[] forwardBackward() {
        if (dp != null) {
            dp.forward(dw, true, x, seqLen, batch, null, null, null, out, null, null);
            dp.backward(dw, dOut, null, null, grads, dx, null, null);
            return dx;
        }
        rnn.forward(ws, true, x, seqLen, batch, null, null, null, out, null, null);
        rnn.backward(ws, dOut, null, null, grads, dx, null, null);
        return dx;
    }

    @Benchmark
    public float[] gemmSameFlops() {
        kernels.gemm(false, true, gm, gn, gk, 1f, gemmA, 0, gk, gemmB, 0, gk, 0f, gemmC, 0, gn);
        return gemmC;
    }
}
