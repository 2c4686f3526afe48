package org.rnn4j.cli;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
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
import org.rnn4j.kernel.KernelSelector;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;
import org.rnn4j.kernel.WorkerTeam;
import org.rnn4j.serve.StreamState;
import org.rnn4j.serve.StreamingModel;

/**
 * {@code rnn4j bench}: the main figures of this machine without JMH, in well under a minute — per
 * cell, a training step (forward + BPTT with all gradients) and sequence inference at one shape, in
 * ms and GEMM GFLOP/s, and the streaming step latency at batch 1.
 *
 * <p>Method: each figure is the median of timed samples (each sample ≥ 20 ms of back-to-back calls)
 * taken for {@code --seconds} after a warm-up of the same length, on freshly seeded weights and
 * inputs. GFLOP/s counts GEMM FLOPs only: forward 2·T·B·G·H·(I + H), training step 3× that (as
 * jmh/rnn-report.py). JMH (jmh/, docs/performance.md) remains the reference method: it forks,
 * separates iterations and reports errors; this command is the quick look at a user's machine.
 *
 * <p>Each figure also carries the bytes allocated per call (a training step or inference pass, or a
 * streaming step) during the timed samples, from {@code ThreadMXBean} on the measuring thread only:
 * with {@code --threads > 1} what the helper threads allocate in their share of the GEMMs is not
 * counted. The engine allocates nothing per call once compiled, so a non-zero figure is a JIT
 * fallback (boxed vectors; {@code rnn4j info --jit} says where) or a regression.
 */
final class BenchCommand {
    private BenchCommand() {}

    static final String USAGE = String.join("\n",
            "usage: rnn4j bench [options]",
            "",
            "Measures, per cell, one training step (forward + BPTT) and sequence inference at one shape",
            "(ms and GEMM GFLOP/s), and the streaming step at batch 1 (µs). No JMH; about 30 s with the",
            "defaults. Close other programs first: the figures are only as quiet as the machine.",
            "Each figure also shows the bytes allocated per pass or step while it was timed (JSON:",
            "alloc_bytes), on the measuring thread only (with --threads > 1, not the helpers'); it should",
            "be 0: anything else is garbage per call, as when a JIT fallback boxes vectors (rnn4j info --jit).",
            "",
            "options (defaults in brackets):",
            "  --cells LIST         lstm,gru,rnn_tanh,rnn_relu                      [lstm,gru,rnn_tanh]",
            "  --shape TxBxIxH      training and inference shape                    [100x32x256x256]",
            "  --stream-hidden LIST H of the streaming steps (I = H, one layer);    [64,256]",
            "                       none: no streaming figures",
            "  --threads N          threads of the training step and inference      [1]",
            "  --split MODE         with --threads > 1: batch = each thread runs whole [batch]",
            "                       sequences for its slice of B (DataParallelRnn); step = every",
            "                       GEMM is split, per step",
            "  --seconds S          warm-up and timing per figure                   [1.0]",
            "  --json               one JSON object per line instead of a table",
            "",
            "exit code: 0 done, 2 usage error");

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args a;
        List<CellType> cells = new ArrayList<>();
        int[] shape;
        int[] streamHidden;
        int threads;
        double seconds;
        String split;
        try {
            a = new Args("bench", argv, Set.of("--cells", "--shape", "--stream-hidden", "--threads", "--seconds", "--split"),
                    Set.of("--json", "--help", "-h"));
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
        if (json) {
            out.println("{\"kind\": \"env\", \"rnn4j\": " + q(Main.version()) + ", \"jdk\": " + q(jdk) + ", \"kernels\": "
                    + q(kernels) + ", \"threads\": " + threads + ", \"split\": " + q(split) + ", \"cpus\": " + Runtime.getRuntime().availableProcessors()
                    + ", \"seconds\": " + seconds + "}");
        } else {
            out.printf(Locale.ROOT, "rnn4j bench: JDK %s, kernels %s, %d thread(s)%s, %d CPUs; median of %.1f s after %.1f s warm-up%n",
                    jdk, kernels, threads, threads > 1 ? " split by " + split : "", Runtime.getRuntime().availableProcessors(),
                    seconds, seconds);
            if (kernels.equals("scalar")) {
                out.println("  (scalar kernels: start the JVM with --add-modules jdk.incubator.vector for SIMD; "
                        + env.getOrDefault("vector", "") + ")");
            }
            String sh = shape[0] + "x" + shape[1] + "x" + shape[2] + "x" + shape[3];
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-9s %-" + PASS_COLUMN + "s %-"
                    + PASS_COLUMN + "s", "cell", "train step " + sh, "inference " + sh));
            for (int h : streamHidden) {
                head.append(String.format(Locale.ROOT, " %-" + STEP_COLUMN + "s", "stream H=" + h));
            }
            out.println(head);
        }
        WorkerTeam pool = threads > 1 ? new WorkerTeam(threads - 1) : null;
        try {
            Parallelism par = pool == null ? Parallelism.SERIAL : pool.parallelism();
            WorkerTeam slices = split.equals("batch") ? pool : null;
            // Compile the kernels first (every cell at a small shape), so that the first figure is
            // not the one that pays for the JIT.
            for (CellType cell : cells) {
                measureCell(cell, new int[] {8, 4, 32, 32}, new int[] {32}, par, slices, Math.min(seconds, 0.3), json,
                        new PrintStream(java.io.OutputStream.nullOutputStream()));
            }
            for (CellType cell : cells) {
                measureCell(cell, shape, streamHidden, par, slices, seconds, json, out);
            }
        } finally {
            if (pool != null) {
                pool.close();
            }
        }
        return 0;
    }

    /**
     * @param par the per-step GEMM split of the training step and inference
     * @param slices with a team, the training step and inference run data-parallel over batch rows
     *               on it ({@link DataParallelRnn}); null: one workspace with {@code par}
     */
    private static void measureCell(CellType cell, int[] shape, int[] streamHidden, Parallelism par, WorkerTeam slices,
                                    double seconds, boolean json, PrintStream out) {
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
        double trainMs = train.ns / 1e6, inferMs = infer.ns / 1e6;
        Figure[] stream = new Figure[streamHidden.length];
        for (int i = 0; i < streamHidden.length; i++) {
            int hs = streamHidden[i];
            StreamingModel m = StreamingModel.builder(
                    new RnnWeights(RnnSpec.builder(cell, hs, hs).build()).initUniform(3)).build();
            StreamState s = m.newState();
            float[] sx = uniform(r, hs), sy = new float[m.outputSize()];
            stream[i] = time(() -> m.step(s, sx, 0, sy, 0), seconds);
        }
        String sh = t + "x" + b + "x" + in + "x" + h;
        if (json) {
            out.println(String.format(Locale.ROOT, "{\"kind\": \"train\", \"cell\": %s, \"shape\": %s, \"ms\": %.6g, \"gflops\": %.4g, "
                    + "\"alloc_bytes\": %.1f}", q(cell.id()), q(sh), trainMs, 3 * fwdFlops / (trainMs * 1e6), train.bytes));
            out.println(String.format(Locale.ROOT, "{\"kind\": \"inference\", \"cell\": %s, \"shape\": %s, \"ms\": %.6g, \"gflops\": %.4g, "
                    + "\"alloc_bytes\": %.1f}", q(cell.id()), q(sh), inferMs, fwdFlops / (inferMs * 1e6), infer.bytes));
            for (int i = 0; i < streamHidden.length; i++) {
                out.println(String.format(Locale.ROOT, "{\"kind\": \"stream\", \"cell\": %s, \"hidden\": %d, \"batch\": 1, \"us\": %.6g, "
                        + "\"alloc_bytes\": %.1f}", q(cell.id()), streamHidden[i], stream[i].ns / 1e3, stream[i].bytes));
            }
        } else {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-9s %-" + PASS_COLUMN + "s %-"
                    + PASS_COLUMN + "s", cell.id(),
                    String.format(Locale.ROOT, "%.2f ms %.1f GFLOP/s %s", trainMs, 3 * fwdFlops / (trainMs * 1e6),
                            bytes(train.bytes)),
                    String.format(Locale.ROOT, "%.2f ms %.1f GFLOP/s %s", inferMs, fwdFlops / (inferMs * 1e6),
                            bytes(infer.bytes))));
            for (Figure f : stream) {
                line.append(String.format(Locale.ROOT, " %-" + STEP_COLUMN + "s",
                        String.format(Locale.ROOT, "%.2f µs %s", f.ns / 1e3, bytes(f.bytes))));
            }
            out.println(line);
        }
        out.flush();
    }

    private static final int PASS_COLUMN = 30;
    private static final int STEP_COLUMN = 18;

    /**
     * One figure: the median time of a call, and the bytes allocated per call on the measuring thread
     * over all the timed samples (the warm-up excluded).
     */
    record Figure(double ns, double bytes) {}

    /** Bytes per call for the table: "0 B", "1536 B", "227.3 kB". */
    static String bytes(double b) {
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
     * Median time of one call in ns: warm-up for {@code seconds}, then samples of back-to-back calls
     * (each ≥ 20 ms, or one call if a call takes longer) for {@code seconds}, at least 3 samples; and
     * the bytes allocated per call within the samples. The allocation counter is read around each
     * sample's calls only, so the bookkeeping between samples (a boxed Double per sample) is not
     * counted.
     */
    static Figure time(Runnable call, double seconds) {
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        long calls = 0;
        while (System.nanoTime() - start < budget || calls < 2) {
            call.run();
            calls++;
        }
        double perCall = (double) (System.nanoTime() - start) / calls;
        int batch = (int) Math.max(1, Math.min(1_000_000, 20e6 / perCall));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Double> samples = new ArrayList<>();
        long allocated = 0;
        start = System.nanoTime();
        while (System.nanoTime() - start < budget || samples.size() < 3) {
            long a0 = mx.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                call.run();
            }
            long t1 = System.nanoTime();
            allocated += mx.getCurrentThreadAllocatedBytes() - a0;
            samples.add((double) (t1 - t0) / batch);
        }
        double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return new Figure(median, (double) allocated / ((long) batch * samples.size()));
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
