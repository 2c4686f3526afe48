package org.rnn4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.DataParallelRnn;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.FmaPeak;
import org.rnn4j.kernel.KernelSelector;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;
import org.rnn4j.kernel.WorkerTeam;
import org.rnn4j.serve.StreamingModel;

/**
 * {@code rnn4j bench}: the main figures of this machine without JMH, in about a minute — per cell, a
 * training step (forward + BPTT with all gradients) and sequence inference at one shape, in ms, GEMM
 * GFLOP/s and % of this core's FMA peak, and the streaming step at batch 1: mean, p50, p99, p99.9 and
 * max per step, with 1 and 2 threads each stepping its own stream through one shared model.
 *
 * <p>Method: each pass figure is the median of timed samples (each sample ≥ 20 ms of back-to-back
 * calls) taken for {@code --seconds} after a warm-up of the same length, on freshly seeded weights
 * and inputs. GFLOP/s counts GEMM FLOPs only: forward 2·T·B·G·H·(I + H), training step 3× that (as
 * jmh/rnn-report.py). The peak is {@link FmaPeak#measure()}, taken once at the start on one thread;
 * a pass's fraction is of that peak × {@code --threads}. The streaming figures time every step
 * ({@link StreamLatency}). JMH (jmh/, docs/performance.md) remains the reference method: it forks,
 * separates iterations and reports errors; this command is the quick look at a user's machine.
 *
 * <p>Each figure also carries the bytes allocated per call (a training step or inference pass, or a
 * streaming step) during the timed samples, from {@code ThreadMXBean}: for a pass, on the measuring
 * thread only (with {@code --threads > 1} what the helper threads allocate in their share of the
 * GEMMs is not counted); for the streaming rows, every stepping thread's. The engine allocates
 * nothing per call once compiled, so a non-zero figure is a JIT fallback (boxed vectors;
 * {@code rnn4j info --jit} says where) or a regression.
 */
final class BenchCommand {
    private BenchCommand() {}

    static final String USAGE = String.join("\n",
            "usage: rnn4j bench [options]",
            "",
            "Measures, per cell, one training step (forward + BPTT) and sequence inference at one shape",
            "(ms, GEMM GFLOP/s and % of this core's FMA peak, measured first as rnn4j info's fma.peak; with",
            "--threads N the fraction is of N × that peak), and the streaming step at batch 1: mean, p50, p99,",
            "p99.9 and max µs per step, every step timed, with each --stream-threads count of threads stepping",
            "its own stream through one shared model. No JMH; about 40 s with the defaults. Close other programs",
            "first: the figures are only as quiet as the machine.",
            "Each figure also shows the bytes allocated per pass or step while it was timed (JSON:",
            "alloc_bytes), for a pass on the measuring thread only (with --threads > 1, not the helpers'), for",
            "a stream on every stepping thread; it should be 0: anything else is garbage per call, as when a",
            "JIT fallback boxes vectors (rnn4j info --jit).",
            "",
            "options (defaults in brackets):",
            "  --cells LIST         lstm,gru,rnn_tanh,rnn_relu                      [lstm,gru,rnn_tanh]",
            "  --shape TxBxIxH      training and inference shape                    [100x32x256x256]",
            "  --stream-hidden LIST H of the streaming steps (I = H, one layer);    [64,256]",
            "                       none: no streaming figures",
            "  --stream-threads LIST threads stepping streams at once, per row      [1,2]",
            "  --threads N          threads of the training step and inference      [1]",
            "  --split MODE         with --threads > 1: batch = each thread runs whole [batch]",
            "                       sequences for its slice of B (DataParallelRnn); step = every",
            "                       GEMM is split, per step",
            "  --seconds S          warm-up (and >= 30 calls, up to 3 S) and timing [1.0]",
            "                       per figure",
            "  --json               one JSON object per line instead of a table",
            "",
            "exit code: 0 done, 2 usage error");

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args a;
        List<CellType> cells = new ArrayList<>();
        int[] shape;
        int[] streamHidden;
        int[] streamThreads;
        int threads;
        double seconds;
        String split;
        try {
            a = new Args("bench", argv, Set.of("--cells", "--shape", "--stream-hidden", "--stream-threads", "--threads",
                    "--seconds", "--split"), Set.of("--json", "--help", "-h"));
            if (a.has("--help") || a.has("-h")) {
                out.println(USAGE);
                return 0;
            }
            for (String c : a.string("--cells", "lstm,gru,rnn_tanh").split(",")) {
                cells.add(CellType.parse(c.trim()));
            }
            shape = positives("--shape", a.string("--shape", "100x32x256x256"), "x", 4);
            String sh = a.string("--stream-hidden", "64,256");
            // a sweep over sequence shapes (jmh/scaling) needs no streaming rows at every point
            streamHidden = sh.equals("none") ? new int[0] : positives("--stream-hidden", sh, ",", -1);
            streamThreads = positives("--stream-threads", a.string("--stream-threads", "1,2"), ",", -1);
            threads = a.integer("--threads", 1, 1);
            seconds = a.real("--seconds", 1.0, 0.001, 600);
            split = a.string("--split", "batch");
            if (!split.equals("batch") && !split.equals("step")) {
                throw new IllegalArgumentException("--split must be batch or step, got '" + split + "'");
            }
        } catch (IllegalArgumentException e) {
            err.println("rnn4j bench: " + e.getMessage());
            return 2;
        }
        boolean json = a.has("--json");
        Map<String, String> env = KernelSelector.describe();
        String jdk = System.getProperty("java.version");
        String kernels = Kernels.get().name();
        // Before any helper thread exists, so that the core is the loop's alone.
        FmaPeak.Result peak = FmaPeak.measure();
        if (json) {
            out.println("{\"kind\": \"env\", \"rnn4j\": " + q(Main.version()) + ", \"jdk\": " + q(jdk) + ", \"kernels\": "
                    + q(kernels) + ", \"threads\": " + threads + ", \"split\": " + q(split) + ", \"cpus\": " + Runtime.getRuntime().availableProcessors()
                    + ", \"seconds\": " + seconds + String.format(Locale.ROOT, ", \"fma_peak_gflops\": %.4g", peak.gflops())
                    + ", \"fma_peak_loop\": " + q(peak.loop()) + "}");
        } else {
            out.printf(Locale.ROOT, "rnn4j bench: JDK %s, kernels %s, %d thread(s)%s, %d CPUs; median of %.1f s after %.1f s warm-up%n",
                    jdk, kernels, threads, threads > 1 ? " split by " + split : "", Runtime.getRuntime().availableProcessors(),
                    seconds, seconds);
            if (kernels.equals("scalar")) {
                out.println("  (scalar kernels: start the JVM with --add-modules jdk.incubator.vector for SIMD; "
                        + env.getOrDefault("vector", "") + ")");
            }
            out.println("fma.peak " + peak + "; % of peak = GEMM GFLOP/s / (peak × " + threads + " thread(s))");
            out.printf(Locale.ROOT, PASS_ROW + "%n", "cell", "pass", "ms", "GFLOP/s", "% of peak", "bytes/op");
        }
        PrintStream none = new PrintStream(java.io.OutputStream.nullOutputStream());
        WorkerTeam pool = threads > 1 ? new WorkerTeam(threads - 1) : null;
        try {
            Parallelism par = pool == null ? Parallelism.SERIAL : pool.parallelism();
            WorkerTeam slices = split.equals("batch") ? pool : null;
            // Compile the kernels first (every cell at a small shape), so that the first figure is
            // not the one that pays for the JIT.
            for (CellType cell : cells) {
                measurePasses(cell, new int[] {8, 4, 32, 32}, par, slices, Math.min(seconds, 0.3), peak.gflops() * threads,
                        json, none);
                measureStream(cell, 32, 1, Math.min(seconds, 0.3), json, none);
            }
            for (CellType cell : cells) {
                measurePasses(cell, shape, par, slices, seconds, peak.gflops() * threads, json, out);
            }
        } finally {
            if (pool != null) {
                pool.close();
            }
        }
        if (!json && streamHidden.length > 0) {
            out.printf(Locale.ROOT, STREAM_ROW + "%n", "cell", "stream", "threads", "mean µs", "p50 µs", "p99 µs",
                    "p99.9 µs", "max µs", "bytes/step");
        }
        for (CellType cell : cells) {
            for (int h : streamHidden) {
                for (int n : streamThreads) {
                    measureStream(cell, h, n, seconds, json, out);
                }
            }
        }
        return 0;
    }

    /** Table columns of a training step or inference pass: cell, pass and shape, ms, GFLOP/s, % of peak, bytes. */
    private static final String PASS_ROW = "%-9s %-26s %10s %9s %10s %10s";
    /** Table columns of a streaming row: cell, H, threads, mean, p50, p99, p99.9, max, bytes. */
    private static final String STREAM_ROW = "%-9s %-8s %7s %9s %9s %9s %9s %9s %10s";

    /**
     * A training step and an inference pass at one shape.
     *
     * @param par the per-step GEMM split of the training step and inference
     * @param slices with a team, the training step and inference run data-parallel over batch rows
     *               on it ({@link DataParallelRnn}); null: one workspace with {@code par}
     * @param peakGflops the ceiling of the % of peak: the one-core FMA peak × the threads
     */
    private static void measurePasses(CellType cell, int[] shape, Parallelism par, WorkerTeam slices, double seconds,
                                      double peakGflops, boolean json, PrintStream out) {
        int t = shape[0], b = shape[1], in = shape[2], h = shape[3];
        RnnSpec spec = RnnSpec.builder(cell, in, h).build();
        Rnn rnn = new Rnn(new RnnWeights(spec).initUniform(1));
        RnnWorkspace ws = new RnnWorkspace(par, 1);
        RnnWeights grads = new RnnWeights(spec);
        SplittableRandom r = new SplittableRandom(7);
        float[] x = uniform(r, t * b * in), dOut = uniform(r, t * b * h);
        float[] y = new float[t * b * h], dx = new float[t * b * in];
        double fwdFlops = 2.0 * t * b * spec.gateRows() * (double) (in + h);
        Figure train;
        Figure infer;
        if (slices != null) {
            DataParallelRnn dp = DataParallelRnn.over(rnn, slices);
            DataParallelRnn.Workspace dw = dp.newWorkspace(1);
            train = time(() -> {
                dp.forward(dw, true, x, t, b, null, null, null, y, null, null);
                dp.backward(dw, dOut, null, null, grads, dx, null, null);
            }, seconds);
            infer = time(() -> dp.forward(dw, false, x, t, b, null, null, null, y, null, null), seconds);
        } else {
            train = time(() -> {
                rnn.forward(ws, true, x, t, b, null, null, null, y, null, null);
                rnn.backward(ws, dOut, null, null, grads, dx, null, null);
            }, seconds);
            infer = time(() -> rnn.forward(ws, false, x, t, b, null, null, null, y, null, null), seconds);
        }
        String sh = t + "x" + b + "x" + in + "x" + h;
        passRow("train", "train step " + sh, cell, sh, train, 3 * fwdFlops, peakGflops, json, out);
        passRow("inference", "inference " + sh, cell, sh, infer, fwdFlops, peakGflops, json, out);
        out.flush();
    }

    private static void passRow(String kind, String label, CellType cell, String shape, Figure f, double flops,
                                double peakGflops, boolean json, PrintStream out) {
        double ms = f.ns / 1e6;
        double gflops = flops / f.ns;
        double fraction = gflops / peakGflops;
        if (json) {
            out.println(String.format(Locale.ROOT, "{\"kind\": %s, \"cell\": %s, \"shape\": %s, \"ms\": %.6g, \"gflops\": %.4g, "
                    + "\"peak_gflops\": %.4g, \"peak_fraction\": %.4g, \"alloc_bytes\": %s}", q(kind), q(cell.id()), q(shape),
                    ms, gflops, peakGflops, fraction, jsonBytes(f.bytes)));
        } else {
            out.println(String.format(Locale.ROOT, PASS_ROW, cell.id(), label, String.format(Locale.ROOT, "%.2f", ms),
                    String.format(Locale.ROOT, "%.1f", gflops), String.format(Locale.ROOT, "%.1f%%", 100 * fraction),
                    bytes(f.bytes)));
        }
    }

    /** The streaming step at batch 1, one layer, I = H, {@code threads} streams stepped at once through one model. */
    private static void measureStream(CellType cell, int h, int threads, double seconds, boolean json, PrintStream out) {
        StreamingModel m = StreamingModel.builder(new RnnWeights(RnnSpec.builder(cell, h, h).build()).initUniform(3)).build();
        float[] x = uniform(new SplittableRandom(7), h);
        StreamLatency.Result r = StreamLatency.measure(m, x, threads, seconds);
        if (json) {
            out.println(String.format(Locale.ROOT, "{\"kind\": \"stream\", \"cell\": %s, \"hidden\": %d, \"batch\": 1, "
                    + "\"threads\": %d, \"us\": %.6g, \"p50_us\": %.6g, \"p99_us\": %.6g, \"p999_us\": %.6g, \"max_us\": %.6g, "
                    + "\"steps\": %d, \"alloc_bytes\": %s}", q(cell.id()), h, threads, r.meanNs() / 1e3, r.p50Ns() / 1e3,
                    r.p99Ns() / 1e3, r.p999Ns() / 1e3, r.maxNs() / 1e3, r.steps(), jsonBytes(r.bytesPerStep())));
        } else {
            out.println(String.format(Locale.ROOT, STREAM_ROW, cell.id(), "H=" + h, threads, us(r.meanNs()), us(r.p50Ns()),
                    us(r.p99Ns()), us(r.p999Ns()), us(r.maxNs()), bytes(r.bytesPerStep())));
        }
        out.flush();
    }

    private static String us(double ns) {
        return String.format(Locale.ROOT, "%.2f", ns / 1e3);
    }

    /**
     * One figure: the median time of a call, and the bytes allocated per call on the measuring thread
     * over all the timed samples (the warm-up excluded).
     */
    record Figure(double ns, double bytes) {}

    /** alloc_bytes in JSON: null where the JVM has no per-thread allocation counter. */
    static String jsonBytes(double b) {
        return Double.isNaN(b) ? "null" : String.format(Locale.ROOT, "%.1f", b);
    }

    /** Bytes per call for the table: "0 B", "1536 B", "227.3 kB"; "n/a" without a counter (NaN). */
    static String bytes(double b) {
        if (Double.isNaN(b)) {
            return "n/a";
        }
        if (b >= 1e6) {
            return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
        }
        if (b >= 1e4) {
            return String.format(Locale.ROOT, "%.1f kB", b / 1e3);
        }
        return b == Math.rint(b) || b >= 10 ? String.format(Locale.ROOT, "%.0f B", b)
                : String.format(Locale.ROOT, "%.1f B", b);
    }

    /**
     * Median time of one call in ns: warm-up for {@code seconds} and at least 30 calls (but no longer
     * than 3 × {@code seconds}), then samples of back-to-back calls
     * (each ≥ 20 ms, or one call if a call takes longer) for {@code seconds}, at least 3 samples; and
     * the bytes allocated per call within the samples. The allocation counter is read around each
     * sample's calls only, so the bookkeeping between samples (a boxed Double per sample) is not
     * counted. The call count matters for the long passes: a 95 ms LSTM training step at
     * (35,20,650,650) gets ten calls in a one-second warm-up, C2 has not yet compiled all of its
     * kernels, and the interpreted and C1 code then allocates (the Vector API boxes there) during
     * the first samples: 2 MB per call on JDK 17, none after 30 warm-up calls.
     */
    static Figure time(Runnable call, double seconds) {
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        long calls = 0;
        for (long elapsed = 0; (elapsed < budget || calls < 30) && elapsed < 3 * budget || calls < 2;
                elapsed = System.nanoTime() - start) {
            call.run();
            calls++;
        }
        double perCall = (double) (System.nanoTime() - start) / calls;
        int batch = (int) Math.max(1, Math.min(1_000_000, 20e6 / perCall));
        List<Double> samples = new ArrayList<>();
        long allocated = 0;
        start = System.nanoTime();
        while (System.nanoTime() - start < budget || samples.size() < 3) {
            long a0 = ThreadAllocation.bytes();
            long t0 = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                call.run();
            }
            long t1 = System.nanoTime();
            allocated += ThreadAllocation.bytes() - a0;
            samples.add((double) (t1 - t0) / batch);
        }
        double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return new Figure(median, ThreadAllocation.available()
                ? (double) allocated / ((long) batch * samples.size()) : Double.NaN);
    }

    private static int[] positives(String name, String v, String sep, int count) {
        String[] parts = v.split(sep.equals("x") ? "x" : ",");
        if (count > 0 && parts.length != count) {
            throw new IllegalArgumentException(name + " must be " + count + " positive integers separated by '" + sep
                    + "', got '" + v + "'");
        }
        int[] r = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                r[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                r[i] = 0;
            }
            if (r[i] < 1) {
                throw new IllegalArgumentException(name + " must be positive integers separated by '" + sep + "', got '"
                        + v + "'");
            }
        }
        return r;
    }

    private static float[] uniform(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() - 0.5);
        }
        return a;
    }

    private static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
