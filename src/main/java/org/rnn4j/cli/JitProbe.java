package org.rnn4j.cli;

import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.KernelSelector;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.PackedGemmB;
import org.rnn4j.serve.StreamBatch;
import org.rnn4j.serve.StreamState;
import org.rnn4j.serve.StreamingModel;
import org.rnn4j.serve.WeightFormat;

/**
 * Internal: the child JVM of {@code rnn4j info --jit} ({@link JitCheck}). Runs every hot loop of the
 * engine briefly so that C2 compiles them — streaming steps (single and batched, F32 and BF16) of
 * every cell variant, sequence forward and forward + backward of every cell including bidirectional,
 * and the public kernels — then waits for the compile queue to drain, measures the bytes each of a
 * few representative loops allocates per call on this thread, and waits again so that every compile
 * it triggered reaches the log before the exit.
 *
 * <p>The VM's compile log goes to stdout; this class writes only to stderr, one tab-separated record
 * per line starting with {@link #TAG}, so that the log (whose lines the VM does not write atomically)
 * cannot cut into them.
 */
final class JitProbe {
    private JitProbe() {}

    /** First field of every record line on stderr. */
    static final String TAG = "#jitprobe";

    /**
     * A hot loop: one call is a few µs (a step, a kernel) to a few ms (a sequence pass) at the shapes
     * used here. {@code calls} is how many calls the exercise makes at least: enough for the methods
     * the loop alone reaches to pass C2's thresholds (5000 invocations) — a sequence pass calls the
     * shared kernels dozens of times, so it needs far fewer than a step.
     */
    private static final class Loop {
        final String name;
        final Runnable call;
        final int calls;
        int done;

        Loop(String name, int calls, Runnable call) {
            this.name = name;
            this.calls = calls;
            this.call = call;
        }
    }

    private static final int STEP_CALLS = 6000;
    private static final int PASS_CALLS = 60;

    /**
     * A loop whose allocation per call is reported, with the unit of one call: {@code calls} per
     * round, after {@code warmup} calls of its own.
     */
    private record Measured(String name, String unit, int calls, int warmup, Runnable call) {}

    /**
     * @param args optional: seconds to spend running the loops (default 3)
     */
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        PrintStream rec = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
                StandardCharsets.UTF_8);
        Kernels k = Kernels.get();
        Map<String, String> env = KernelSelector.describe();
        record(rec, "java.version", System.getProperty("java.version"));
        record(rec, "java.vm", env.get("java.vm"));
        record(rec, "kernels", k.name());
        record(rec, "kernels.reason", KernelSelector.reason());
        record(rec, "vector.species", env.getOrDefault("vector.species", "none"));

        List<Loop> loops = new ArrayList<>();
        List<Measured> measured = new ArrayList<>();
        // The kernels first: every other loop runs them, so they should be the first to be compiled.
        kernels(k, loops, measured);
        streaming(k, loops, measured);
        sequences(k, loops, measured);
        record(rec, "loops", Integer.toString(loops.size()));

        // Round-robin slices rather than one loop at a time: every loop is reached early (so its
        // compiles are queued while the budget lasts), and the shared kernels see the mix of callers
        // they see in a real process. It runs for the budget and until every loop has made its calls
        // (at most 5 budgets in all: the first rounds run interpreted and C1 code, far slower, and on a
        // busy machine the single C2 thread falls behind).
        long budget = (long) (seconds * 1e9);
        long slice = Math.max(2_000_000L, budget / (4L * loops.size()));
        long start = System.nanoTime();
        boolean behind;
        do {
            behind = false;
            for (Loop l : loops) {
                long elapsed = System.nanoTime() - start;
                if (l.done >= l.calls && elapsed >= budget) {
                    continue;
                }
                long t0 = System.nanoTime();
                do {
                    l.call.run();
                    l.done++;
                } while (System.nanoTime() - t0 < slice);
                behind |= l.done < l.calls;
            }
        } while ((behind || System.nanoTime() - start < budget) && System.nanoTime() - start < 5 * budget);
        List<String> behindNames = new ArrayList<>();
        for (Loop l : loops) {
            if (l.done < l.calls) {
                behindNames.add(l.name);
            }
        }
        record(rec, "exercise.seconds", String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        record(rec, "loops.behind", String.join(", ", behindNames));

        // Measure on compiled code: let the queue of compiles the loops triggered drain first (one C2
        // thread works through it), then warm each measured loop on its own again.
        quiesce(Math.max(10, 2 * seconds));
        for (Measured m : measured) {
            record(rec, "alloc", m.name + "\t" + String.format(Locale.ROOT, "%.1f", measure(m)) + "\t" + m.unit);
        }
        quiesce(5);
        record(rec, "done", "");
    }

    private static void record(PrintStream rec, String key, String value) {
        rec.println(TAG + "\t" + key + "\t" + value);
    }

    /**
     * Bytes allocated per call on this thread by compiled code: warm the loop, wait for the compiles
     * it queued, then take the least of three rounds. If something was compiled meanwhile (the rounds
     * may have run C1's code, whose Vector API calls allocate), warm, wait and measure again.
     */
    private static double measure(Measured m) {
        if (!ThreadAllocation.available()) {
            return Double.NaN;
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long best = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 4; attempt++) {
            for (int i = 0; i < m.warmup; i++) {
                m.call.run();
            }
            quiesce(5);
            long compiled = compileTime(jit);
            best = Long.MAX_VALUE;
            for (int round = 0; round < 3 && best > 0; round++) {
                long before = ThreadAllocation.bytes();
                for (int i = 0; i < m.calls; i++) {
                    m.call.run();
                }
                best = Math.min(best, ThreadAllocation.bytes() - before);
            }
            if (best == 0 || (compileTime(jit) == compiled && !Boolean.FALSE.equals(compilerIdle()))) {
                break;
            }
        }
        return (double) best / m.calls;
    }

    private static long compileTime(CompilationMXBean jit) {
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /**
     * Whether no compile is running or queued, from the {@code Compiler.queue} diagnostic command (as
     * {@code jcmd} runs it); null when that command is not available.
     */
    private static Boolean compilerIdle() {
        try {
            Object r = ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue",
                    new Object[] {null}, new String[] {String[].class.getName()});
            return !String.valueOf(r).contains("::");   // every running or queued task names its method
        } catch (Exception | LinkageError e) {
            return null;
        }
    }

    /**
     * Waits until no compile is running or queued (at most {@code maxSeconds}): compiles still queued
     * would otherwise be cut off by the exit, their inlining never printed, or be measured half-done.
     * Without the diagnostic command, waits until the total compile time has not moved for 300 ms.
     */
    private static void quiesce(double maxSeconds) {
        long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long last = compileTime(jit);
        int quiet = 0;
        while (System.nanoTime() < deadline) {
            Boolean idle = compilerIdle();
            if (Boolean.TRUE.equals(idle)) {
                return;
            }
            sleep(100);
            if (idle == null) {
                long now = compileTime(jit);
                quiet = now == last ? quiet + 1 : 0;
                last = now;
                if (quiet >= 3) {
                    return;
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ the loops

    /** A cell variant as the engine distinguishes them: the cell and the options that change its loops. */
    private record Variant(String name, CellType cell, boolean proj, boolean peephole, boolean resetBefore,
                           Direction direction) {
        Variant(String name, CellType cell) {
            this(name, cell, false, false, false, Direction.FORWARD);
        }

        RnnSpec spec(int in, int h) {
            RnnSpec.Builder b = RnnSpec.builder(cell, in, h).peephole(peephole).resetBefore(resetBefore)
                    .direction(direction);
            return (proj ? b.projSize(h / 2) : b).build();
        }
    }

    private static List<Variant> variants() {
        return new ArrayList<>(List.of(
                new Variant("rnn_tanh", CellType.RNN_TANH),
                new Variant("rnn_relu", CellType.RNN_RELU),
                new Variant("lstm", CellType.LSTM),
                new Variant("lstm proj", CellType.LSTM, true, false, false, Direction.FORWARD),
                new Variant("lstm peephole", CellType.LSTM, false, true, false, Direction.FORWARD),
                new Variant("gru", CellType.GRU),
                new Variant("gru reset-before", CellType.GRU, false, false, true, Direction.FORWARD)));
    }

    private static void streaming(Kernels k, List<Loop> loops, List<Measured> measured) {
        SplittableRandom r = new SplittableRandom(1);
        int batch = 4;
        for (Variant v : variants()) {
            for (WeightFormat format : WeightFormat.values()) {
                for (int h : new int[] {64, 37}) {
                    StreamingModel m = StreamingModel.builder(new RnnWeights(v.spec(h, h)).initUniform(3))
                            .format(format).kernels(k).build();
                    StreamState s = m.newState();
                    StreamState[] many = new StreamState[batch];
                    for (int i = 0; i < batch; i++) {
                        many[i] = m.newState();
                    }
                    StreamBatch b = m.newBatch(batch);
                    float[] x = uniform(r, batch * m.inputSize());
                    float[] y = new float[batch * m.outputSize()];
                    String name = "stream " + v.name + " " + format.name().toLowerCase(Locale.ROOT) + " H=" + h;
                    loops.add(new Loop(name, STEP_CALLS, () -> {
                        m.step(s, x, 0, y, 0);
                        m.step(b, many, batch, x, 0, y, 0);
                    }));
                    if (h == 64 && (v.name.equals("lstm") || (v.name.equals("gru") && format == WeightFormat.BF16)
                            || (v.name.equals("rnn_tanh") && format == WeightFormat.F32))) {
                        measured.add(new Measured(name + " B=1", "step", 1000, STEP_CALLS, () -> m.step(s, x, 0, y, 0)));
                        measured.add(new Measured(name + " B=" + batch, "step", 1000, STEP_CALLS,
                                () -> m.step(b, many, batch, x, 0, y, 0)));
                    }
                }
            }
        }
    }

    private static void sequences(Kernels k, List<Loop> loops, List<Measured> measured) {
        SplittableRandom r = new SplittableRandom(2);
        int t = 8, batch = 4;
        List<Variant> variants = variants();
        variants.add(new Variant("lstm bidirectional", CellType.LSTM, false, false, false, Direction.BIDIRECTIONAL));
        variants.add(new Variant("gru bidirectional", CellType.GRU, false, false, false, Direction.BIDIRECTIONAL));
        for (Variant v : variants) {
            for (int h : new int[] {64, 37}) {
                RnnSpec spec = v.spec(64, h);
                Rnn rnn = new Rnn(new RnnWeights(spec).initUniform(5), k);
                RnnWorkspace ws = new RnnWorkspace();
                RnnWeights grads = new RnnWeights(spec);
                float[] x = uniform(r, t * batch * spec.inputSize());
                float[] dy = uniform(r, t * batch * spec.outputSize());
                float[] y = new float[t * batch * spec.outputSize()];
                float[] dx = new float[x.length];
                // Unequal lengths on the bidirectional runs: the reverse direction's masking paths.
                int[] lengths = v.direction == Direction.BIDIRECTIONAL ? new int[] {t, t - 3, 1, t} : null;
                Runnable forward = () -> rnn.forward(ws, false, x, t, batch, lengths, null, null, y, null, null);
                Runnable train = () -> {
                    rnn.forward(ws, true, x, t, batch, lengths, null, null, y, null, null);
                    rnn.backward(ws, dy, null, null, grads, dx, null, null);
                };
                String shape = t + "x" + batch + "x" + spec.inputSize() + "x" + h;
                loops.add(new Loop("forward " + v.name + " " + shape, PASS_CALLS, forward));
                loops.add(new Loop("train " + v.name + " " + shape, PASS_CALLS, train));
                if (h == 64 && (v.name.equals("lstm") || v.name.equals("gru"))) {
                    measured.add(new Measured("forward " + v.name + " " + shape, "pass", 100, 10 * PASS_CALLS, forward));
                    measured.add(new Measured("train " + v.name + " " + shape, "pass", 50, 5 * PASS_CALLS, train));
                }
            }
        }
    }

    private static void kernels(Kernels k, List<Loop> loops, List<Measured> measured) {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {64, 37}) {
            float[] a = uniform(r, n * n), b = uniform(r, n * n), c = new float[n * n];
            float[] x = uniform(r, n), y = new float[n], z = new float[n];
            int[] packed = k.packBf16(n, n, a, 0, n);
            PackedGemmB pb = k.packGemmB(false, n, n, b, 0, n);
            Runnable gemm = () -> {
                k.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
                k.gemm(false, true, n, n, n, 0.5f, a, 0, n, b, 0, n, 1f, c, 0, n);
                k.gemm(true, false, n, n, n, 1f, a, 0, n, b, 0, n, 1f, c, 0, n);
                k.gemm(true, true, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
                k.gemm(false, false, 4, n, n, 1f, a, 0, n, b, 0, n, 1f, c, 0, n);
                k.multAddPacked(1, 1f, a, 0, n, pb, c, 0, n);
                k.multAddPacked(4, 1f, a, 0, n, pb, c, 0, n);
            };
            Runnable vectors = () -> {
                float s = k.dot(n, x, 0, a, 0);
                s += (float) k.sum(n, x, 0) + (float) k.sumSquares(n, x, 0) + k.max(n, x, 0) + k.argmax(n, x, 0);
                k.axpy(n, s * 1e-9f, x, 0, y, 0);
                k.scale(n, 0.999f, y, 0);
                k.add(n, x, 0, y, 0, z, 0);
                k.mul(n, x, 0, y, 0, z, 0);
                k.mulAdd(n, x, 0, y, 0, z, 0);
                k.multAddVec(n, n, a, 0, n, x, 0, y, 0);
                k.multAddTransVec(n, n, a, 0, n, x, 0, y, 0);
                k.multAddVecBf16(n, n, packed, 0, x, 0, y, 0);
                k.scale(n, 1e-3f, y, 0);
            };
            Runnable activations = () -> {
                k.exp(n, x, 0, z, 0);
                k.sigmoid(n, x, 0, z, 0);
                k.tanh(n, x, 0, z, 0);
                k.relu(n, x, 0, z, 0);
                k.sigmoidBackward(n, z, 0, x, 0, y, 0);
                k.tanhBackward(n, z, 0, x, 0, y, 0);
                k.reluBackward(n, z, 0, x, 0, y, 0);
                k.softmaxRows(4, n, a, 0, n, c, 0, n);
                k.logSoftmaxRows(4, n, a, 0, n, c, 0, n);
            };
            loops.add(new Loop("gemm " + n, 1000, gemm));
            loops.add(new Loop("vector ops " + n, STEP_CALLS, vectors));
            loops.add(new Loop("activations " + n, STEP_CALLS, activations));
            if (n == 64) {
                measured.add(new Measured("gemm set " + n, "call", 100, 1000, gemm));
                measured.add(new Measured("vector ops " + n, "call", 1000, STEP_CALLS, vectors));
                measured.add(new Measured("activations " + n, "call", 1000, STEP_CALLS, activations));
            }
        }
    }

    private static float[] uniform(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() - 0.5);
        }
        return a;
    }
}
