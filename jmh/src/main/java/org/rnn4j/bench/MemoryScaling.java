package org.rnn4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.train.TruncatedBptt;

/**
 * Memory against sequence length (docs/performance.md, "Memory against T"): for one cell at (B, I,
 * H), one layer, and each T of a list, one full-BPTT training step (forward + backward over all T
 * steps) and one TBPTT run over a stream of T steps with window k (k1 = k2 = k), each printed as one
 * JSON line.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar org.rnn4j.bench.MemoryScaling \
 *     [--cell lstm] [--batch 32] [--input 256] [--hidden 256] [--steps 10,100,1000] [--window 50] \
 *     [--modes bptt,tbptt] [--grad-input]
 * </pre>
 *
 * <p>Each line reports, for what the engine keeps while the step's workspace is still live:
 * <ul>
 *   <li>{@code workspace_bytes}: {@link RnnWorkspace#bytes()}, the accounting of the workspace's
 *       arrays, and {@code buffers}, the same per buffer ({@link RnnWorkspace#bytesByBuffer()});</li>
 *   <li>{@code heap_bytes}: the heap in use after a full collection, minus the same figure taken
 *       before the point's arrays were made (the weights and gradients exist before both), minus
 *       {@code caller_bytes}, the arrays this program holds as the engine's caller (the input,
 *       outputs and output gradients, or the TBPTT stream). It is the engine's share measured, so
 *       for TBPTT it includes the driver's window buffers, which the workspace accounting does not
 *       see, and the growth of the GEMM's per-thread packing buffers during the step. Read from
 *       each heap pool's usage at the end of the last full collection, so deterministic; it needs
 *       G1 (the default) or the Parallel collector;</li>
 *   <li>{@code needed_bytes}: what backward needs of the forward pass, from the formula: per step
 *       and batch row, the LSTM's 4 activated gates and c_t and h_t (6H floats), the GRU's r, z, n,
 *       W_hn·h + b_hn and h_t (5H), the vanilla RNN's h_t (H), plus the initial states; the input is
 *       the caller's. For TBPTT it is the same formula over the window;</li>
 *   <li>{@code vm_hwm_bytes} and {@code vm_rss_bytes}: {@code VmHWM} and {@code VmRSS} of
 *       {@code /proc/self/status} (0 where there is none), the cross-check against the OS. VmHWM is
 *       the process's peak so far, so it belongs to one point only when each point runs in a JVM of
 *       its own, as {@code jmh/scaling} does.</li>
 * </ul>
 * The first line ({@code "kind": "env"}) names the JDK, the collector and the maximum heap. A step
 * that does not fit the heap prints {@code "error": "OutOfMemoryError"} for its point and the
 * program goes on with the next one.
 */
public final class MemoryScaling {
    private MemoryScaling() {
    }

    private static final String USAGE = "usage: MemoryScaling [--cell lstm|gru|rnn_tanh|rnn_relu] [--batch B]"
            + " [--input I] [--hidden H] [--steps T1,T2,...] [--window K] [--modes bptt,tbptt] [--grad-input]";

    /**
     * Runs the points and prints one JSON line per point to standard output.
     *
     * @param args the options of the class comment
     * @throws IOException never in practice (reading {@code /proc/self/status} failing reads as 0)
     */
    public static void main(String[] args) throws IOException {
        CellType cell = CellType.LSTM;
        int b = 32;
        int in = 256;
        int h = 256;
        int window = 50;
        int[] steps = {10, 30, 100, 300, 1000};
        List<String> modes = List.of("bptt", "tbptt");
        boolean gradInput = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--grad-input")) {
                    gradInput = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--cell" -> cell = CellType.parse(v);
                    case "--batch" -> b = positive(a, v);
                    case "--input" -> in = positive(a, v);
                    case "--hidden" -> h = positive(a, v);
                    case "--window" -> window = positive(a, v);
                    case "--steps" -> {
                        String[] p = v.split(",");
                        steps = new int[p.length];
                        for (int j = 0; j < p.length; j++) {
                            steps[j] = positive(a, p[j].trim());
                        }
                    }
                    case "--modes" -> {
                        modes = List.of(v.split(","));
                        for (String m : modes) {
                            if (!m.equals("bptt") && !m.equals("tbptt")) {
                                throw new IllegalArgumentException("--modes takes bptt and tbptt, got '" + m + "'");
                            }
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("MemoryScaling: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        String gc = collectors();
        if (gc.contains("Copy") || gc.contains("MarkSweepCompact")) {
            // the Serial collector does not record its full collections in the young pools' usage
            System.err.println("MemoryScaling: heap_bytes needs G1 (the default) or -XX:+UseParallelGC, not " + gc);
        }
        RnnSpec spec = RnnSpec.builder(cell, in, h).build();
        RnnWeights weights = new RnnWeights(spec).initUniform(1);
        RnnWeights grads = new RnnWeights(spec);
        Rnn rnn = new Rnn(weights);
        // compile the step loops on a small problem, so that no point runs long in the interpreter
        for (int i = 0; i < 30; i++) {
            bptt(rnn, grads, new RnnWorkspace(), 8, b, gradInput);
        }
        System.out.println(String.format(Locale.ROOT, "{\"kind\": \"env\", \"jdk\": %s, \"kernels\": %s, \"gc\": %s,"
                        + " \"max_heap_bytes\": %d, \"cell\": %s, \"B\": %d, \"I\": %d, \"H\": %d, \"window\": %d,"
                        + " \"grad_input\": %b}",
                q(System.getProperty("java.version")), q(Kernels.get().name()), q(gc),
                Runtime.getRuntime().maxMemory(), q(cell.id()), b, in, h, window, gradInput));
        for (String mode : modes) {
            for (int t : steps) {
                System.out.println(point(mode, spec, rnn, grads, t, b, window, gradInput));
                System.out.flush();
            }
        }
    }

    /** One point: the step, then the accounting while its workspace and arrays are still reachable. */
    private static String point(String mode, RnnSpec spec, Rnn rnn, RnnWeights grads, int t, int b, int window,
                                boolean gradInput) throws IOException {
        long base = liveHeap();
        String head = String.format(Locale.ROOT, "{\"kind\": \"memory\", \"mode\": %s, \"cell\": %s, \"T\": %d,"
                + " \"B\": %d, \"I\": %d, \"H\": %d, \"window\": %d", q(mode), q(spec.cell().id()), t, b,
                spec.inputSize(), spec.hiddenSize(), mode.equals("tbptt") ? window : t);
        RnnWorkspace ws = new RnnWorkspace();
        Object[] callerArrays;
        Object driver = null;
        try {
            if (mode.equals("bptt")) {
                callerArrays = bptt(rnn, grads, ws, t, b, gradInput);
            } else {
                TruncatedBptt tb = new TruncatedBptt(rnn, window, window);
                driver = tb;
                callerArrays = tbptt(tb, grads, ws, t, b, gradInput);
            }
        } catch (OutOfMemoryError e) {
            return head + ", \"error\": \"OutOfMemoryError\", \"max_heap_bytes\": " + Runtime.getRuntime().maxMemory()
                    + "}";
        }
        long heap = liveHeap() - base;
        long caller = 0;
        for (Object a : callerArrays) {
            caller += a == null ? 0 : 4L * ((float[]) a).length;
        }
        int steps = mode.equals("tbptt") ? Math.min(window, t) : t;
        StringBuilder buffers = new StringBuilder();
        for (Map.Entry<String, Long> e : ws.bytesByBuffer().entrySet()) {
            if (e.getValue() > 0) {
                buffers.append(buffers.length() == 0 ? "" : ", ").append(q(e.getKey())).append(": ").append(e.getValue());
            }
        }
        long[] vm = procStatus();
        String line = head + String.format(Locale.ROOT, ", \"workspace_bytes\": %d, \"heap_bytes\": %d,"
                        + " \"caller_bytes\": %d, \"needed_bytes\": %d, \"vm_hwm_bytes\": %d, \"vm_rss_bytes\": %d,"
                        + " \"buffers\": {%s}}",
                ws.bytes(), heap - caller, caller, needed(spec, steps, b), vm[0], vm[1], buffers);
        Reference.reachabilityFence(ws);
        Reference.reachabilityFence(driver);
        Reference.reachabilityFence(callerArrays);
        return line;
    }

    /** A full-BPTT training step; returns the caller's arrays (kept reachable by the caller). */
    private static Object[] bptt(Rnn rnn, RnnWeights grads, RnnWorkspace ws, int t, int b, boolean gradInput) {
        RnnSpec s = rnn.spec();
        SplittableRandom r = new SplittableRandom(7);
        float[] x = uniform(r, (long) t * b * s.inputSize());
        float[] out = new float[Math.toIntExact((long) t * b * s.outputSize())];
        float[] dOut = uniform(r, out.length);
        float[] dx = gradInput ? new float[x.length] : null;
        rnn.forward(ws, true, x, t, b, null, null, null, out, null, null);
        rnn.backward(ws, dOut, null, null, grads, dx, null, null);
        return new Object[] {x, out, dOut, dx};
    }

    /** A TBPTT run over a T-step stream, loss ½·Σ out² (its gradient is the output itself). */
    private static Object[] tbptt(TruncatedBptt tb, RnnWeights grads, RnnWorkspace ws, int t, int b,
                                  boolean gradInput) {
        RnnSpec s = tb.rnn().spec();
        SplittableRandom r = new SplittableRandom(7);
        float[] x = uniform(r, (long) t * b * s.inputSize());
        float[] dx = gradInput ? new float[x.length] : null;
        int o = s.outputSize();
        TruncatedBptt.WindowLoss loss = (start, n, out, gradOut) -> {
            double sum = 0;
            for (int i = 0; i < n * b * o; i++) {
                sum += 0.5 * out[i] * out[i];
                gradOut[i] = out[i];
            }
            return sum;
        };
        tb.run(ws, x, t, b, null, null, null, loss, grads, null, null, null, dx);
        return new Object[] {x, dx};
    }

    /** Bytes backward needs of a forward pass over {@code t} steps (see the class comment). */
    static long needed(RnnSpec s, int t, int b) {
        int h = s.hiddenSize();
        long perStep;   // floats per step and batch row kept for backward, beyond the states
        long states;    // floats per step and batch row of state (h, and the LSTM's c)
        switch (s.cell()) {
            case LSTM -> {
                perStep = 4L * h;
                states = h + s.stateSize();
            }
            case GRU -> {
                perStep = 4L * h;
                states = h;
            }
            default -> {
                perStep = 0;
                states = h;
            }
        }
        return 4L * b * (t * perStep + (t + 1L) * states);
    }

    /**
     * The heap in use after a full collection (run twice, so that what the first one finalised goes
     * too), as each heap pool recorded it at the end of that collection: the pools' current usage
     * would also count whatever was allocated since, and an allocating thread's whole TLAB counts as
     * used the moment it is handed out (≈ 2 MB off, in either direction, with the Parallel collector).
     */
    private static long liveHeap() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        mx.gc();
        mx.gc();
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
            used += u == null ? 0 : u.getUsed();
        }
        return used;
    }

    /** VmHWM and VmRSS in bytes, 0 where /proc/self/status is missing. */
    private static long[] procStatus() throws IOException {
        long[] r = new long[2];
        Path p = Path.of("/proc/self/status");
        if (!Files.isReadable(p)) {
            return r;
        }
        for (String line : Files.readAllLines(p)) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && (f[0].equals("VmHWM:") || f[0].equals("VmRSS:"))) {
                long kb = Long.parseLong(f[1]);
                r[f[0].equals("VmHWM:") ? 0 : 1] = 1024 * kb;
            }
        }
        return r;
    }

    private static String collectors() {
        List<String> names = new ArrayList<>();
        ManagementFactory.getGarbageCollectorMXBeans().forEach(g -> names.add(g.getName()));
        return String.join(", ", names);
    }

    private static int positive(String name, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive integer, got '" + v + "'");
    }

    private static float[] uniform(SplittableRandom r, long n) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextDouble() - 0.5);
        }
        return a;
    }

    private static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
