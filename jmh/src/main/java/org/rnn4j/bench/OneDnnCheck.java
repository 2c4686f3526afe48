package org.rnn4j.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Random;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Kernels;

/**
 * Writes rnn4j's answers for the oneDNN peer's agreement check ({@code jmh/peers/onednn_rnn.cpp
 * --check FILE}): for each of LSTM, GRU (reset after) and the tanh RNN, one layer, one small case
 * with seeded weights, inputs, initial states and output gradients, rnn4j's forward outputs and
 * every gradient of its backward pass.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar org.rnn4j.bench.OneDnnCheck OUT [T B I H]
 * </pre>
 *
 * <p>The file is text, so that a reader needs nothing but {@code strtof}: a first line
 * {@code rnn4j-onednn-check 1}, a {@code kernels NAME} line, then per cell a line
 * {@code case CELL T B I H} followed by tensors, each a line {@code tensor NAME RANK D0 .. Dn}
 * and a line of its row-major values (Java's shortest round-trip decimal form, so each float is
 * read back bit for bit), then {@code end}. Weights and their gradients are in PyTorch's layout and
 * gate order (weight_ih (G·H, I), weight_hh (G·H, H), bias_ih, bias_hh; LSTM i,f,g,o, GRU r,z,n);
 * x (T, B, I), h0 / hN / dhN / dh0 (1, B, H), c0 / cN / dcN / dc0 likewise for the LSTM;
 * y / dy (T, B, H). The initial states and the final-state gradients are random (not zero) so that
 * the check also covers oneDNN's src_iter, dst_iter and their diffs.
 */
public final class OneDnnCheck {
    private OneDnnCheck() {
    }

    /**
     * Writes the check file.
     *
     * @param args {@code OUT [T B I H]}; the default case is T=5, B=3, I=7, H=6
     * @throws IOException if OUT cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1 && args.length != 5) {
            System.err.println("usage: OneDnnCheck OUT [T B I H]");
            System.exit(2);
        }
        int t = 5;
        int b = 3;
        int in = 7;
        int h = 6;
        if (args.length == 5) {
            t = Integer.parseInt(args[1]);
            b = Integer.parseInt(args[2]);
            in = Integer.parseInt(args[3]);
            h = Integer.parseInt(args[4]);
        }
        Path out = Paths.get(args[0]);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Kernels kernels = Kernels.get();
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            w.write("rnn4j-onednn-check 1\n");
            w.write("kernels " + kernels.name() + "\n");
            long seed = 11;
            for (CellType cell : new CellType[] {CellType.LSTM, CellType.GRU, CellType.RNN_TANH}) {
                writeCase(w, cell, t, b, in, h, seed++, kernels);
            }
        }
        System.out.printf(Locale.ROOT, "wrote %s: lstm, gru, rnn_tanh at T=%d B=%d I=%d H=%d (%s kernels)%n",
                out, t, b, in, h, kernels.name());
    }

    private static void writeCase(BufferedWriter w, CellType cell, int t, int b, int in, int h, long seed,
                                  Kernels kernels) throws IOException {
        RnnSpec spec = RnnSpec.builder(cell, in, h).build();
        RnnWeights weights = new RnnWeights(spec).initUniform(seed);
        Rnn rnn = new Rnn(weights, kernels);
        boolean lstm = cell.hasCellState();
        // Values in [-1, 1): the states and gradients then have the magnitudes of a real step.
        Random r = new Random(seed * 31 + 7);
        float[] x = fill(r, t * b * in);
        float[] h0 = fill(r, b * h);
        float[] c0 = lstm ? fill(r, b * h) : null;
        float[] dy = fill(r, t * b * h);
        float[] dhN = fill(r, b * h);
        float[] dcN = lstm ? fill(r, b * h) : null;

        float[] y = new float[t * b * h];
        float[] hN = new float[b * h];
        float[] cN = lstm ? new float[b * h] : null;
        RnnWorkspace ws = new RnnWorkspace();
        rnn.forward(ws, true, x, t, b, null, h0, c0, y, hN, cN);
        RnnWeights grads = new RnnWeights(spec);
        float[] dx = new float[t * b * in];
        float[] dh0 = new float[b * h];
        float[] dc0 = lstm ? new float[b * h] : null;
        rnn.backward(ws, dy, dhN, dcN, grads, dx, dh0, dc0);

        w.write(String.format(Locale.ROOT, "case %s %d %d %d %d%n", cell.id(), t, b, in, h));
        int rows = spec.gateRows();
        tensor(w, "weight_ih", weights.weightIh(0), rows, in);
        tensor(w, "weight_hh", weights.weightHh(0), rows, h);
        tensor(w, "bias_ih", weights.biasIh(0), rows);
        tensor(w, "bias_hh", weights.biasHh(0), rows);
        tensor(w, "x", x, t, b, in);
        tensor(w, "h0", h0, 1, b, h);
        tensor(w, "dy", dy, t, b, h);
        tensor(w, "dhN", dhN, 1, b, h);
        tensor(w, "y", y, t, b, h);
        tensor(w, "hN", hN, 1, b, h);
        tensor(w, "dx", dx, t, b, in);
        tensor(w, "dh0", dh0, 1, b, h);
        if (lstm) {
            tensor(w, "c0", c0, 1, b, h);
            tensor(w, "dcN", dcN, 1, b, h);
            tensor(w, "cN", cN, 1, b, h);
            tensor(w, "dc0", dc0, 1, b, h);
        }
        tensor(w, "d_weight_ih", grads.weightIh(0), rows, in);
        tensor(w, "d_weight_hh", grads.weightHh(0), rows, h);
        tensor(w, "d_bias_ih", grads.biasIh(0), rows);
        tensor(w, "d_bias_hh", grads.biasHh(0), rows);
        w.write("end\n");
    }

    private static float[] fill(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = 2 * r.nextFloat() - 1;
        }
        return a;
    }

    private static void tensor(BufferedWriter w, String name, float[] data, int... dims) throws IOException {
        long n = 1;
        StringBuilder sb = new StringBuilder("tensor ").append(name).append(' ').append(dims.length);
        for (int d : dims) {
            sb.append(' ').append(d);
            n *= d;
        }
        sb.append('\n');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(Float.toString(data[i]));
        }
        sb.append('\n');
        w.write(sb.toString());
    }
}
