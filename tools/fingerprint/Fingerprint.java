import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.Initializers;
import org.rnn4j.cell.MergeMode;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.check.EngineCheck;
import org.rnn4j.check.GradientCheck;
import org.rnn4j.check.ReferenceRnn;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.PackedGemmB;
import org.rnn4j.kernel.Parallelism;
import org.rnn4j.lm.LanguageModel;
import org.rnn4j.lm.Sampler;
import org.rnn4j.lm.Trainer;
import org.rnn4j.nn.Params;
import org.rnn4j.serve.Heads;
import org.rnn4j.serve.StreamBatch;
import org.rnn4j.serve.StreamState;
import org.rnn4j.serve.StreamingModel;
import org.rnn4j.serve.WeightFormat;
import org.rnn4j.text.CharTokenizer;
import org.rnn4j.text.Corpus;
import org.rnn4j.train.AdamW;
import org.rnn4j.train.Adagrad;
import org.rnn4j.train.Adam;
import org.rnn4j.train.GradClip;
import org.rnn4j.train.LrSchedule;
import org.rnn4j.train.Optimizer;
import org.rnn4j.train.Sgd;
import org.rnn4j.train.TruncatedBptt;

/**
 * A bitwise behaviour fingerprint of rnn4j: runs fixed-seed cases through the public API and prints
 * one line per case, {@code <name> <16 hex digits>}, the hash of the raw bits of every float, double
 * and int the case produced, then a {@code TOTAL} line over all cases. The first line (kernel set,
 * Java version, vector width property) is informational and not hashed.
 *
 * <p>Two runs on the same machine, JDK and JVM options print the same text; a behaviour-preserving
 * change of the library must print the same text too. Hashes differ across CPUs, JDKs and vector
 * widths by design (summation order and SIMD shape differ). See README.md next to this file.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp <rnn4j jar or target/classes>
 * tools/fingerprint/Fingerprint.java [--out file]}. Uses only public API present at eabc522.
 */
public final class Fingerprint {

    // ------------------------------------------------------------------ hashing

    /** FNV-1a over 32-bit words: a change of any single word always changes the result. */
    static final class Hash {
        private long h = 0xcbf29ce484222325L;

        void word(int w) {
            h = (h ^ (w & 0xffffffffL)) * 0x100000001b3L;
        }

        void tag(int len) {
            word(0x5a5a0000 ^ len);
        }

        void i(int v) {
            word(v);
        }

        void l(long v) {
            word((int) v);
            word((int) (v >>> 32));
        }

        void d(double v) {
            l(Double.doubleToRawLongBits(v));
        }

        void f(float v) {
            word(Float.floatToRawIntBits(v));
        }

        void bool(boolean b) {
            word(b ? 1 : 0);
        }

        void f(float[] a) {
            if (a == null) {
                tag(-1);
                return;
            }
            tag(a.length);
            for (float v : a) {
                word(Float.floatToRawIntBits(v));
            }
        }

        void d(double[] a) {
            if (a == null) {
                tag(-1);
                return;
            }
            tag(a.length);
            for (double v : a) {
                d(v);
            }
        }

        void i(int[] a) {
            if (a == null) {
                tag(-1);
                return;
            }
            tag(a.length);
            for (int v : a) {
                word(v);
            }
        }

        void s(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            tag(b.length);
            for (byte x : b) {
                word(x);
            }
        }

        long value() {
            // final avalanche (splitmix64) so that nearby inputs give unrelated-looking hex
            long z = h;
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }
    }

    interface Body {
        void run(Hash h) throws Exception;
    }

    private record Case(String name, Body body) {}

    private final List<Case> cases = new ArrayList<>();

    private void add(String name, Body body) {
        cases.add(new Case(name, body));
    }

    // ------------------------------------------------------------------ data

    static float[] uniform(long seed, int n, double bound) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int k = 0; k < n; k++) {
            a[k] = (float) ((r.nextDouble() * 2 - 1) * bound);
        }
        return a;
    }

    static double[] uniformD(long seed, int n, double bound) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[n];
        for (int k = 0; k < n; k++) {
            a[k] = (r.nextDouble() * 2 - 1) * bound;
        }
        return a;
    }

    static float[] copy(float[] a) {
        return a == null ? null : a.clone();
    }

    // ------------------------------------------------------------------ Rnn forward/backward

    private record Variant(String name, CellType cell, int proj, boolean peephole, boolean resetBefore) {}

    private static final Variant[] VARIANTS = {
        new Variant("tanh", CellType.RNN_TANH, 0, false, false),
        new Variant("relu", CellType.RNN_RELU, 0, false, false),
        new Variant("lstm", CellType.LSTM, 0, false, false),
        new Variant("lstm-proj", CellType.LSTM, -1, false, false),
        new Variant("lstm-peep", CellType.LSTM, 0, true, false),
        new Variant("gru", CellType.GRU, 0, false, false),
        new Variant("gru-rb", CellType.GRU, 0, false, true),
    };

    static RnnSpec spec(Variant v, int in, int hidden, int layers, Direction dir, MergeMode merge,
                        boolean batchFirst, double dropout) {
        RnnSpec.Builder b = RnnSpec.builder(v.cell, in, hidden).numLayers(layers).direction(dir).merge(merge)
                .batchFirst(batchFirst).dropout(dropout);
        if (v.proj != 0) {
            b.projSize(Math.max(1, hidden / 3));
        }
        if (v.peephole) {
            b.peephole(true);
        }
        if (v.resetBefore) {
            b.resetBefore(true);
        }
        return b.build();
    }

    /** Forward and backward of one problem; hashes outputs, final states and every gradient. */
    static void rnnCase(Hash h, RnnSpec spec, Kernels k, int t, int b, int[] lengths, boolean states,
                        boolean training, long seed) {
        RnnWeights w = new RnnWeights(spec).initUniform(seed);
        Rnn rnn = new Rnn(w, k);
        int units = spec.numUnits();
        int p = spec.stateSize();
        int hid = spec.hiddenSize();
        boolean lstm = spec.cell().hasCellState();
        float[] x = uniform(seed + 1, t * b * spec.inputSize(), 1.0);
        float[] h0 = states ? uniform(seed + 2, units * b * p, 0.8) : null;
        float[] c0 = states && lstm ? uniform(seed + 3, units * b * hid, 0.8) : null;
        float[] out = new float[t * b * spec.outputSize()];
        float[] hN = new float[units * b * p];
        float[] cN = lstm ? new float[units * b * hid] : null;
        RnnWorkspace ws = new RnnWorkspace(Parallelism.SERIAL, seed + 4);
        rnn.forward(ws, training, x, t, b, lengths, h0, c0, out, hN, cN);
        h.f(out);
        h.f(hN);
        h.f(cN);
        float[] gOut = uniform(seed + 5, out.length, 1.0);
        float[] gHN = uniform(seed + 6, hN.length, 1.0);
        float[] gCN = lstm ? uniform(seed + 7, cN.length, 1.0) : null;
        RnnWeights grads = new RnnWeights(spec);
        float[] gIn = new float[x.length];
        float[] gH0 = new float[hN.length];
        float[] gC0 = lstm ? new float[cN.length] : null;
        rnn.backward(ws, gOut, gHN, gCN, grads, gIn, gH0, gC0);
        for (String n : grads.names()) {
            h.s(n);
            h.f(grads.get(n));
        }
        h.f(gIn);
        h.f(gH0);
        h.f(gC0);
        // a second backward accumulates into grads (+=) and must be repeatable
        rnn.backward(ws, gOut, null, null, grads, gIn, null, null);
        for (String n : grads.names()) {
            h.f(grads.get(n));
        }
        h.f(gIn);
    }

    private void rnnCases() {
        int t = 7;
        int b = 3;
        int in = 12;
        int hid = 37;
        int[] lengths = {7, 3, 5};
        String[] dirNames = {"fwd", "rev", "bi-concat", "bi-sum"};
        Direction[] dirs = {Direction.FORWARD, Direction.REVERSE, Direction.BIDIRECTIONAL, Direction.BIDIRECTIONAL};
        MergeMode[] merges = {MergeMode.CONCAT, MergeMode.CONCAT, MergeMode.CONCAT, MergeMode.SUM};
        long seed = 100;
        for (Variant v : VARIANTS) {
            for (int layers = 1; layers <= 2; layers++) {
                for (int d = 0; d < dirs.length; d++) {
                    for (int opt = 0; opt < 4; opt++) {
                        boolean withLen = (opt & 1) != 0;
                        boolean withStates = (opt & 2) != 0;
                        RnnSpec s = spec(v, in, hid, layers, dirs[d], merges[d], false, 0);
                        long sd = seed++ * 1000;
                        String name = "rnn." + v.name + ".L" + layers + "." + dirNames[d]
                                + (withLen ? ".len" : ".full") + (withStates ? ".h0" : ".zero");
                        add(name, hh -> rnnCase(hh, s, Kernels.get(), t, b, withLen ? lengths : null, withStates,
                                false, sd));
                    }
                }
            }
        }
        // batch-first layout, training-mode dropout, the scalar kernels, and one bigger shape per cell
        for (Variant v : VARIANTS) {
            long sd = seed++ * 1000;
            RnnSpec bf = spec(v, in, hid, 2, Direction.BIDIRECTIONAL, MergeMode.CONCAT, true, 0);
            add("rnn." + v.name + ".L2.bi-concat.batchFirst.len.h0",
                    hh -> rnnCase(hh, bf, Kernels.get(), t, b, lengths, true, false, sd));
            RnnSpec dr = spec(v, in, hid, 2, Direction.FORWARD, MergeMode.CONCAT, false, 0.3);
            add("rnn." + v.name + ".L2.fwd.dropout-train", hh -> rnnCase(hh, dr, Kernels.get(), t, b, null, true,
                    true, sd + 1));
            RnnSpec sc = spec(v, in, hid, 2, Direction.BIDIRECTIONAL, MergeMode.SUM, false, 0);
            add("rnn." + v.name + ".L2.bi-sum.scalarKernels.len.h0",
                    hh -> rnnCase(hh, sc, Kernels.scalar(), t, b, lengths, true, false, sd + 2));
            RnnSpec big = spec(v, 24, 64, 2, Direction.FORWARD, MergeMode.CONCAT, false, 0);
            add("rnn." + v.name + ".big.H64.B8.T20.L2.fwd.h0",
                    hh -> rnnCase(hh, big, Kernels.get(), 20, 8, null, true, false, sd + 3));
            RnnSpec bigBi = spec(v, 24, 64, 1, Direction.BIDIRECTIONAL, MergeMode.CONCAT, false, 0);
            int[] bigLen = {20, 17, 20, 1, 9, 20, 0, 13};
            add("rnn." + v.name + ".big.H64.B8.T20.L1.bi-concat.len",
                    hh -> rnnCase(hh, bigBi, Kernels.get(), 20, 8, bigLen, false, false, sd + 4));
        }
        // the initializers
        add("rnn.initializers", hh -> {
            RnnSpec s = spec(VARIANTS[2], in, hid, 2, Direction.BIDIRECTIONAL, MergeMode.CONCAT, false, 0);
            RnnWeights w = new RnnWeights(s);
            Initializers.xavierUniform(w, 1.0, 1);
            hashWeights(hh, w);
            Initializers.xavierNormal(w, 0.5, 2);
            hashWeights(hh, w);
            Initializers.orthogonalRecurrent(w, 1.0, 3);
            hashWeights(hh, w);
            Initializers.identityRecurrent(w, 0.9, true);
            hashWeights(hh, w);
            Initializers.forgetGateBias(w, 1.0);
            hashWeights(hh, w);
            hashWeights(hh, new RnnWeights(s).initUniform(4));
        });
    }

    static void hashWeights(Hash h, RnnWeights w) {
        for (String n : w.names()) {
            h.s(n);
            h.f(w.get(n));
        }
    }

    // ------------------------------------------------------------------ streaming

    private void streamingCases() {
        long seed = 5000;
        for (Variant v : VARIANTS) {
            for (int layers = 1; layers <= 2; layers++) {
                for (WeightFormat fmt : WeightFormat.values()) {
                    RnnSpec s = spec(v, 12, 37, layers, Direction.FORWARD, MergeMode.CONCAT, false, 0);
                    long sd = seed++ * 1000;
                    String base = "stream." + v.name + ".L" + layers + "." + fmt.name().toLowerCase();
                    add(base + ".vector", hh -> streamVector(hh, s, fmt, sd));
                    add(base + ".token-head", hh -> streamToken(hh, s, fmt, sd + 500));
                }
            }
        }
        add("heads", Fingerprint::heads);
    }

    static void streamVector(Hash h, RnnSpec s, WeightFormat fmt, long seed) {
        RnnWeights w = new RnnWeights(s).initUniform(seed);
        StreamingModel m = StreamingModel.builder(w).format(fmt).build();
        int in = m.inputSize();
        int out = m.outputSize();
        int steps = 6;
        float[] xs = uniform(seed + 1, steps * 4 * in, 1.0);
        // single stream, step by step
        StreamState a = m.newState();
        float[] y = new float[out];
        for (int t = 0; t < steps; t++) {
            m.step(a, xs, t * in, y, 0);
            h.f(y);
        }
        hashState(h, a);
        // the same with run, from a set state
        StreamState r = m.newState();
        float[] hs = uniform(seed + 2, r.hSize(), 0.5);
        r.setH(hs, 0);
        if (r.hasCellState()) {
            r.setC(uniform(seed + 3, r.cSize(), 0.5), 0);
        }
        float[] ys = new float[steps * out];
        m.run(r, xs, in, steps, ys, 0);
        h.f(ys);
        hashState(h, r);
        // a batch of 4 streams, one of them started from r's state
        StreamState[] st = {m.newState(), m.newState(), m.newState(), m.newState()};
        st[2].copyFrom(r);
        StreamBatch b = m.newBatch(4);
        float[] yb = new float[4 * out];
        for (int t = 0; t < steps; t++) {
            m.step(b, st, t % 2 == 0 ? 4 : 3, xs, t * 4 * in, yb, 0);
            h.f(yb);
        }
        for (StreamState x : st) {
            hashState(h, x);
        }
        h.l(m.stepWeightBytes());
    }

    static void streamToken(Hash h, RnnSpec s, WeightFormat fmt, long seed) {
        int vocab = 11;
        int classes = 13;
        RnnWeights w = new RnnWeights(s).initUniform(seed);
        float[] emb = uniform(seed + 1, vocab * s.inputSize(), 1.0);
        float[] hw = uniform(seed + 2, classes * s.stateSize(), 0.5);
        float[] hb = uniform(seed + 3, classes, 0.5);
        StreamingModel m = StreamingModel.builder(w).embedding(emb, vocab).head(hw, hb, classes).format(fmt).build();
        int steps = 7;
        int[] tokens = new int[steps * 3];
        SplittableRandom r = new SplittableRandom(seed + 4);
        for (int k = 0; k < tokens.length; k++) {
            tokens[k] = r.nextInt(vocab);
        }
        StreamState a = m.newState();
        float[] y = new float[classes];
        float[] p = new float[classes];
        int[] idx = new int[3];
        float[] val = new float[3];
        for (int t = 0; t < steps; t++) {
            m.step(a, tokens[t], y, 0);
            h.f(y);
            Heads.softmax(y, 0, classes, 0.8f, p, 0);
            h.f(p);
            Heads.logSoftmax(y, 0, classes, p, 0);
            h.f(p);
            Heads.topK(y, 0, classes, 3, idx, 0, val, 0);
            h.i(idx);
            h.f(val);
            h.i(Heads.argmax(y, 0, classes));
        }
        hashState(h, a);
        StreamState ra = m.newState();
        float[] ys = new float[steps * classes];
        m.run(ra, tokens, 0, steps, ys, 0);
        h.f(ys);
        hashState(h, ra);
        StreamState[] st = {m.newState(), m.newState(), m.newState()};
        StreamBatch b = m.newBatch(3);
        float[] yb = new float[3 * classes];
        for (int t = 0; t < steps; t++) {
            m.step(b, st, 3, tokens, t * 3, yb, 0);
            h.f(yb);
        }
        for (StreamState x : st) {
            hashState(h, x);
        }
    }

    static void hashState(Hash h, StreamState s) {
        float[] hv = new float[s.hSize()];
        s.getH(hv, 0);
        h.f(hv);
        if (s.hasCellState()) {
            float[] cv = new float[s.cSize()];
            s.getC(cv, 0);
            h.f(cv);
        }
    }

    static void heads(Hash h) {
        for (int n : new int[] {1, 3, 17, 33, 64, 1000}) {
            float[] logits = uniform(n, n, 6.0);
            float[] p = new float[n];
            for (float temp : new float[] {1f, 0.5f, 2.5f}) {
                Heads.softmax(logits, 0, n, temp, p, 0);
                h.f(p);
            }
            Heads.logSoftmax(logits, 0, n, p, 0);
            h.f(p);
            h.i(Heads.argmax(logits, 0, n));
            int k = Math.min(n, 5);
            int[] idx = new int[k];
            float[] val = new float[k];
            Heads.topK(logits, 0, n, k, idx, 0, val, 0);
            h.i(idx);
            h.f(val);
            float[] inPlace = logits.clone();
            Heads.softmax(inPlace, 0, n, 1f, inPlace, 0);
            h.f(inPlace);
        }
    }

    // ------------------------------------------------------------------ training pieces

    private void trainCases() {
        long seed = 9000;
        for (Variant v : VARIANTS) {
            long sd = seed++ * 1000;
            add("tbptt." + v.name + ".k1=5.k2=5", hh -> tbptt(hh, v, 5, 5, sd));
            add("tbptt." + v.name + ".k1=4.k2=7", hh -> tbptt(hh, v, 4, 7, sd + 1));
            add("tbptt." + v.name + ".k1=6.k2=3", hh -> tbptt(hh, v, 6, 3, sd + 2));
        }
        add("opt.sgd", hh -> optimizer(hh, new Sgd(), LrSchedule.constant(0.1), 0, 0));
        add("opt.sgd-momentum", hh -> optimizer(hh, new Sgd(0.9, 0, 0, false), LrSchedule.constant(0.05), 0, 0));
        add("opt.sgd-nesterov-wd", hh -> optimizer(hh, new Sgd(0.9, 0, 1e-2, true), LrSchedule.stepDecay(0.05, 5, 0.5),
                0, 0));
        add("opt.sgd-dampening", hh -> optimizer(hh, new Sgd(0.8, 0.3, 0, false), LrSchedule.constant(0.05), 1.0, 0));
        add("opt.adam", hh -> optimizer(hh, new Adam(), LrSchedule.constant(1e-2), 0, 0));
        add("opt.adam-wd-cosine-clip", hh -> optimizer(hh, new Adam(0.9, 0.99, 1e-8, 1e-2),
                LrSchedule.cosine(1e-2, 3, 20, 1e-4), 0.5, 0));
        add("opt.adamw", hh -> optimizer(hh, new AdamW(), LrSchedule.constant(1e-2), 0, 0));
        add("opt.adamw-clipvalue", hh -> optimizer(hh, new AdamW(0.8, 0.95, 1e-6, 0.1),
                LrSchedule.cosine(2e-2, 0, 20, 0), 0, 0.3));
        add("opt.adagrad", hh -> optimizer(hh, new Adagrad(), LrSchedule.constant(1e-1), 0, 0));
        add("opt.adagrad-decay", hh -> optimizer(hh, new Adagrad(0.01, 1e-3, 0.1, 1e-10),
                LrSchedule.stepDecay(0.1, 7, 0.3), 2.0, 0));
        add("opt.schedules", Fingerprint::schedules);
    }

    static void tbptt(Hash h, Variant v, int k1, int k2, long seed) {
        RnnSpec s = spec(v, 5, 19, 2, Direction.FORWARD, MergeMode.CONCAT, false, 0);
        RnnWeights w = new RnnWeights(s).initUniform(seed);
        RnnWeights g = new RnnWeights(s);
        Rnn rnn = new Rnn(w);
        TruncatedBptt tb = new TruncatedBptt(rnn, k1, k2);
        int len = 23;
        int b = 2;
        int o = s.outputSize();
        float[] x = uniform(seed + 1, len * b * s.inputSize(), 1.0);
        float[] target = uniform(seed + 2, len * b * o, 1.0);
        boolean lstm = s.cell().hasCellState();
        float[] h0 = uniform(seed + 3, s.numUnits() * b * s.stateSize(), 0.5);
        float[] c0 = lstm ? uniform(seed + 4, s.numUnits() * b * s.hiddenSize(), 0.5) : null;
        float[] hN = new float[h0.length];
        float[] cN = lstm ? new float[c0.length] : null;
        Params params = new Params().addAll("rnn", w, g);
        Sgd sgd = new Sgd(0.5, 0, 0, false);
        List<Double> losses = new ArrayList<>();
        double total = tb.run(new RnnWorkspace(), x, len, b, h0, c0, (start, steps, out, gradOut) -> {
            // loss = ½‖out − target‖²  ⇒  dL/dout = out − target
            double sum = 0;
            for (int k = 0; k < steps * b * o; k++) {
                float d = out[k] - target[start * b * o + k];
                gradOut[k] = d;
                sum += 0.5 * d * d;
            }
            return sum;
        }, g, (update, end, loss) -> {
            losses.add(loss);
            h.d(GradClip.clipGradNorm(g, 1.0, false));
            for (String n : g.names()) {
                h.f(g.get(n));
            }
            sgd.step(params, 0.05);
            params.zeroGrad();
        }, hN, cN);
        h.i(tb.updates(len));
        h.d(total);
        for (double l : losses) {
            h.d(l);
        }
        hashWeights(h, w);
        h.f(hN);
        h.f(cN);
    }

    static void optimizer(Hash h, Optimizer opt, LrSchedule sched, double clipNorm, double clipValue) {
        float[] a = uniform(1, 37, 1.0);
        float[] ga = new float[37];
        float[] b = uniform(2, 12 * 5, 1.0);
        float[] gb = new float[12 * 5];
        Params p = new Params().add("a", a, ga, 37).add("b", b, gb, 12, 5);
        for (int step = 0; step < 20; step++) {
            // fixed gradients: a seeded function of the step and the current values
            float[] ra = uniform(100 + step, ga.length, 1.0);
            float[] rb = uniform(200 + step, gb.length, 2.0);
            for (int k = 0; k < ga.length; k++) {
                ga[k] = ra[k] + 0.1f * a[k];
            }
            for (int k = 0; k < gb.length; k++) {
                gb[k] = rb[k] - 0.2f * b[k];
            }
            if (clipNorm > 0) {
                h.d(GradClip.clipGradNorm(p, clipNorm, false));
            }
            if (clipValue > 0) {
                GradClip.clipGradValue(p, clipValue);
            }
            double lr = sched.rate(opt.steps());
            h.d(lr);
            opt.step(p, lr);
            h.f(a);
            h.f(b);
        }
        h.l(opt.steps());
        Map<String, float[]> state = new TreeMap<>(opt.state());
        for (Map.Entry<String, float[]> e : state.entrySet()) {
            h.s(e.getKey());
            h.f(e.getValue());
        }
    }

    static void schedules(Hash h) {
        LrSchedule[] s = {LrSchedule.constant(0.1), LrSchedule.stepDecay(0.1, 4, 0.7),
            LrSchedule.cosine(0.1, 5, 50, 1e-3), LrSchedule.cosine(0.3, 0, 17, 0)};
        for (LrSchedule x : s) {
            for (long step = 0; step < 60; step++) {
                h.d(x.rate(step));
            }
        }
    }

    // ------------------------------------------------------------------ language model

    private static final Trainer.Listener QUIET = new Trainer.Listener() {
        @Override
        public void step(Trainer.Position pos, int chunksPerEpoch, double loss, double lr, int tokens) {}

        @Override
        public void epoch(Trainer.Position pos, double trainLoss, double valLoss) {}
    };

    private void lmCases() {
        add("lm.lstm.train-sample", hh -> lm(hh, CellType.LSTM, 0.2, 11));
        add("lm.gru.train-sample", hh -> lm(hh, CellType.GRU, 0, 12));
        add("lm.tanh.train-sample", hh -> lm(hh, CellType.RNN_TANH, 0, 13));
    }

    static void lm(Hash h, CellType cell, double dropout, long seed) {
        String all = Corpus.embedded();
        String text = all.substring(2000, 3200);
        CharTokenizer tok = CharTokenizer.fit(text);
        int[] ids = tok.encode(text);
        int split = ids.length * 5 / 6;
        int batch = 3;
        int[] train = Trainer.batchify(ids, 0, split, batch);
        int[] val = Trainer.batchify(ids, split, ids.length, batch);
        LanguageModel.Config c = new LanguageModel.Config(cell, tok.vocabSize(), 8, 16, 2, dropout);
        LanguageModel m = new LanguageModel(c, Kernels.get()).init(seed);
        int perEpoch = Trainer.chunks(train.length / batch, 12);
        Trainer tr = new Trainer(m, new Adam(0.9, 0.999, 1e-8, 0), LrSchedule.cosine(2e-2, 3, 2L * perEpoch, 0),
                new Trainer.Settings(12, batch, 2, 1.0, seed), new LanguageModel.Workspace());
        Trainer.Position pos = tr.run(train, val, new Trainer.Position(), QUIET, perEpoch + 5);
        h.i(pos.steps);
        h.i(pos.epoch);
        h.i(pos.chunk);
        for (int k = 0; k < pos.steps; k++) {
            h.d(pos.stepLoss[k]);
        }
        h.d(pos.valLoss);
        h.f(pos.h);
        h.f(pos.c);
        h.d(tr.evaluate(val));
        Params p = m.params();
        for (String n : p.names()) {
            h.s(n);
            h.f(p.value(n));
        }
        Sampler s = new Sampler(m);
        h.i(tok.encode(s.sample(tok, "The ", 60, 0.8, 0, seed)));
        h.i(tok.encode(s.sample(tok, "", 40, 1.3, 5, seed + 1)));
        h.i(tok.encode(s.sample(tok, "and", 30, 0, 0, seed + 2)));
        // the streaming model derived from the trained model
        for (WeightFormat fmt : WeightFormat.values()) {
            StreamingModel sm = m.streaming(fmt);
            StreamState st = sm.newState();
            float[] y = new float[sm.outputSize()];
            for (int k = 0; k < 10; k++) {
                sm.step(st, ids[k], y, 0);
                h.f(y);
            }
        }
    }

    // ------------------------------------------------------------------ checks

    private void checkCases() {
        add("check.gradientCheck.reference-lstm", hh -> {
            ReferenceRnn r = new ReferenceRnn(RnnSpec.builder(CellType.LSTM, 3, 4).numLayers(2)
                    .direction(Direction.BIDIRECTIONAL).build());
            r.initUniform(7);
            int t = 3;
            int b = 2;
            double[] x = uniformD(8, t * b * 3, 1.0);
            GradientCheck.Report rep = GradientCheck.checkReferenceRnn(r, x, t, b, new int[] {3, 2}, null, null, null,
                    9, GradientCheck.Options.DEFAULTS);
            hashGradRows(hh, rep);
        });
        add("check.gradientCheck.reference-gru", hh -> {
            ReferenceRnn r = new ReferenceRnn(CellType.GRU, 4, 5, 1);
            r.initUniform(17);
            double[] x = uniformD(18, 4 * 2 * 4, 1.0);
            hashGradRows(hh, GradientCheck.checkReferenceRnn(r, x, 4, 2, 19));
        });
        add("check.referenceRnn.forward-backward", hh -> {
            ReferenceRnn r = ReferenceRnn.of(spec(VARIANTS[3], 5, 9, 2, Direction.BIDIRECTIONAL, MergeMode.SUM, false,
                    0));
            r.initUniform(27);
            double[] x = uniformD(28, 5 * 3 * 5, 1.0);
            ReferenceRnn.Forward f = r.forward(x, 5, 3);
            hh.d(f.output());
            hh.d(f.hN());
            hh.d(f.cN());
            ReferenceRnn.Gradients g = r.backward(f, uniformD(29, f.output().length, 1.0),
                    uniformD(30, f.hN().length, 1.0), uniformD(31, f.cN().length, 1.0));
            for (String n : r.parameterNames()) {
                hh.s(n);
                hh.d(g.parameter(n));
            }
            hh.d(g.input());
            hh.d(g.h0());
            hh.d(g.c0());
        });
        long seed = 40;
        for (Variant v : VARIANTS) {
            long sd = seed++;
            add("check.engineCheck." + v.name, hh -> {
                RnnSpec s = spec(v, 6, 13, 2, Direction.BIDIRECTIONAL, MergeMode.CONCAT, false, 0);
                RnnWeights w = new RnnWeights(s).initUniform(sd);
                int t = 5;
                int b = 3;
                float[] x = uniform(sd + 1, t * b * 6, 1.0);
                float[] h0 = uniform(sd + 2, s.numUnits() * b * s.stateSize(), 0.5);
                float[] c0 = s.cell().hasCellState() ? uniform(sd + 3, s.numUnits() * b * s.hiddenSize(), 0.5)
                        : null;
                for (Kernels k : new Kernels[] {Kernels.get(), Kernels.scalar()}) {
                    EngineCheck.Report rep = EngineCheck.compare(w, k, x, t, b, new int[] {5, 2, 4}, h0, c0, sd + 4,
                            EngineCheck.DEFAULT_TOLERANCE);
                    for (EngineCheck.Row row : rep.rows()) {
                        hh.s(row.name());
                        hh.i(row.elements());
                        hh.d(row.relError());
                        hh.d(row.maxAbsError());
                        hh.d(row.tolerance());
                        hh.bool(row.passed());
                    }
                }
            });
        }
    }

    static void hashGradRows(Hash h, GradientCheck.Report rep) {
        for (GradientCheck.Row r : rep.rows()) {
            h.s(r.name());
            h.i(r.checked());
            h.i(r.candidates());
            h.i(r.total());
            h.i(r.failed());
            h.i(r.nonFinite());
            h.i(r.worstIndex());
            h.i(r.worstMultiIndex());
            h.d(r.analytic());
            h.d(r.numeric());
            h.d(r.absError());
            h.d(r.bound());
            h.bool(r.passed());
        }
        h.bool(rep.passed());
    }

    // ------------------------------------------------------------------ raw kernels

    private static final int[] SIZES = {1, 3, 17, 33, 64};

    private void kernelCases() {
        String[] labels = {"default", "scalar"};
        for (int which = 0; which < 2; which++) {
            String l = labels[which];
            boolean scalar = which == 1;
            add("kernel." + l + ".level1", hh -> level1(hh, kernels(scalar)));
            add("kernel." + l + ".gemv", hh -> gemv(hh, kernels(scalar)));
            add("kernel." + l + ".gemm", hh -> gemm(hh, kernels(scalar)));
            add("kernel." + l + ".gemm-wrappers", hh -> gemmWrappers(hh, kernels(scalar)));
            add("kernel." + l + ".gemm-parallel", hh -> gemmParallel(hh, kernels(scalar)));
            add("kernel." + l + ".packed", hh -> packed(hh, kernels(scalar)));
            add("kernel." + l + ".activations", hh -> activations(hh, kernels(scalar)));
            add("kernel." + l + ".softmaxRows", hh -> softmax(hh, kernels(scalar)));
            add("kernel." + l + ".lstmCell", hh -> lstmCell(hh, kernels(scalar)));
            add("kernel." + l + ".gruCell", hh -> gruCell(hh, kernels(scalar)));
        }
    }

    static Kernels kernels(boolean scalar) {
        return scalar ? Kernels.scalar() : Kernels.get();
    }

    static void level1(Hash h, Kernels k) {
        for (int n : SIZES) {
            float[] x = uniform(n, n + 2, 1.0);
            float[] y = uniform(n + 1000, n + 2, 1.0);
            h.f(k.dot(n, x, 1, y, 0));
            float[] z = y.clone();
            k.axpy(n, 0.37f, x, 1, z, 1);
            h.f(z);
            z = x.clone();
            k.scale(n, -1.7f, z, 2);
            h.f(z);
            float[] o = new float[n + 2];
            k.add(n, x, 0, y, 1, o, 1);
            h.f(o);
            k.mul(n, x, 1, y, 0, o, 0);
            h.f(o);
            z = y.clone();
            k.mulAdd(n, x, 0, y, 2, z, 1);
            h.f(z);
            h.d(k.sum(n, x, 1));
            h.d(k.sumSquares(n, x, 2));
            h.f(k.max(n, x, 0));
            h.i(k.argmax(n, y, 1));
        }
        // the blocked sums past one block
        float[] big = uniform(3, 3 * Kernels.BLOCK + 17, 1.0);
        h.f(k.dot(big.length, big, 0, big, 0));
        h.d(k.sum(big.length, big, 0));
        h.d(k.sumSquares(big.length, big, 0));
    }

    static void gemv(Hash h, Kernels k) {
        for (int m : SIZES) {
            for (int n : SIZES) {
                int lda = n + 3;
                float[] a = uniform(m * 100 + n, m * lda + 3, 1.0);
                float[] x = uniform(m + 7, Math.max(m, n) + 1, 1.0);
                float[] y = uniform(n + 9, Math.max(m, n) + 1, 1.0);
                k.multAddVec(m, n, a, 1, lda, x, 1, y, 0);
                h.f(y);
                float[] y2 = uniform(n + 11, Math.max(m, n) + 1, 1.0);
                k.multAddTransVec(m, n, a, 2, lda, x, 0, y2, 1);
                h.f(y2);
                float[] w = uniform(m * 31 + n, m * n, 1.0);
                int[] packedW = k.packBf16(m, n, w, 0, n);
                h.i(packedW);
                float[] y3 = uniform(n + 13, m + 1, 1.0);
                k.multAddVecBf16(m, n, packedW, 0, x, 1, y3, 1);
                h.f(y3);
                if (m > 1) {
                    float[] y4 = new float[m - 1];
                    k.multAddVecBf16(m - 1, n, packedW, 1, x, 0, y4, 0);
                    h.f(y4);
                }
            }
        }
    }

    static void gemm(Hash h, Kernels k) {
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int kk : SIZES) {
                    for (int tr = 0; tr < 4; tr++) {
                        boolean ta = (tr & 1) != 0;
                        boolean tb = (tr & 2) != 0;
                        int lda = (ta ? m : kk) + 1;
                        int ldb = (tb ? kk : n) + 2;
                        int ldc = n + 1;
                        float[] a = uniform(m * 7 + n * 11 + kk * 13 + tr, (ta ? kk : m) * lda, 1.0);
                        float[] b = uniform(m * 17 + n * 19 + kk * 23 + tr, (tb ? n : kk) * ldb, 1.0);
                        float[] c = uniform(m + n + kk + tr, m * ldc, 1.0);
                        float[] c0 = c.clone();
                        k.gemm(ta, tb, m, n, kk, 0.75f, a, 0, lda, b, 0, ldb, 0.5f, c, 0, ldc);
                        h.f(c);
                        k.gemm(ta, tb, m, n, kk, 1f, a, 0, lda, b, 0, ldb, 0f, c0, 0, ldc);
                        h.f(c0);
                    }
                }
            }
        }
    }

    static void gemmWrappers(Hash h, Kernels k) {
        for (int m : SIZES) {
            for (int n : new int[] {1, 17, 64}) {
                for (int kk : new int[] {3, 33}) {
                    float[] a = uniform(m * 3 + n + kk, m * kk, 1.0);
                    float[] at = uniform(m * 5 + n + kk, kk * m, 1.0);
                    float[] b = uniform(m + n * 3 + kk, kk * n, 1.0);
                    float[] bt = uniform(m + n * 5 + kk, n * kk, 1.0);
                    float[] c = uniform(m + n + kk * 3, m * n, 1.0);
                    float[] o = new float[m * n];
                    k.mult(m, n, kk, a, 0, kk, b, 0, n, o, 0, n);
                    h.f(o);
                    o = c.clone();
                    k.multAdd(m, n, kk, a, 0, kk, b, 0, n, o, 0, n);
                    h.f(o);
                    o = new float[m * n];
                    k.multTransB(m, n, kk, a, 0, kk, bt, 0, kk, o, 0, n);
                    h.f(o);
                    o = c.clone();
                    k.multAddTransB(m, n, kk, a, 0, kk, bt, 0, kk, o, 0, n);
                    h.f(o);
                    o = new float[m * n];
                    k.multTransA(m, n, kk, at, 0, m, b, 0, n, o, 0, n);
                    h.f(o);
                    o = c.clone();
                    k.multAddTransA(m, n, kk, at, 0, m, b, 0, n, o, 0, n);
                    h.f(o);
                }
            }
        }
    }

    static void gemmParallel(Hash h, Kernels k) {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Parallelism par = new Parallelism(pool, 3);
            for (int tr = 0; tr < 4; tr++) {
                boolean ta = (tr & 1) != 0;
                boolean tb = (tr & 2) != 0;
                int m = 64;
                int n = 33;
                int kk = 17;
                float[] a = uniform(tr + 1, m * kk, 1.0);
                float[] b = uniform(tr + 2, kk * n, 1.0);
                float[] c = uniform(tr + 3, m * n, 1.0);
                float[] c2 = c.clone();
                k.gemm(ta, tb, m, n, kk, 1.25f, a, 0, ta ? m : kk, b, 0, tb ? kk : n, 1f, c, 0, n, par);
                k.gemm(ta, tb, m, n, kk, 1.25f, a, 0, ta ? m : kk, b, 0, tb ? kk : n, 1f, c2, 0, n);
                h.f(c);
                h.f(c2);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void packed(Hash h, Kernels k) {
        PackedGemmB reuse = null;
        for (int n : SIZES) {
            for (int kk : SIZES) {
                for (int tb = 0; tb < 2; tb++) {
                    boolean trans = tb == 1;
                    int ldb = (trans ? kk : n) + 1;
                    float[] b = uniform(n * 41 + kk + tb, (trans ? n : kk) * ldb, 1.0);
                    PackedGemmB p = k.packGemmB(trans, kk, n, b, 0, ldb);
                    reuse = k.packGemmB(trans, kk, n, b, 0, ldb, reuse);
                    for (int m : new int[] {1, 3, 17}) {
                        float[] a = uniform(m * 43 + n + kk, m * kk, 1.0);
                        float[] c = uniform(m + n * 47 + kk, m * n, 1.0);
                        float[] c2 = c.clone();
                        k.multAddPacked(m, 0.5f, a, 0, kk, p, c, 0, n);
                        h.f(c);
                        k.multAddPacked(m, 0.5f, a, 0, kk, reuse, c2, 0, n);
                        h.f(c2);
                    }
                }
            }
        }
    }

    static float[] activationInput(int n, long seed) {
        float[] x = uniform(seed, n, 12.0);
        float[] specials = {0f, -0f, 100f, -100f, 88.7f, -87.3f, 1e-7f, -1e-7f, 20f, -20f, 9f, -9f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE};
        for (int i = 0; i < Math.min(n, specials.length); i++) {
            if (i % 2 == 0 || n > 17) {
                x[(i * 7) % n] = specials[i];
            }
        }
        return x;
    }

    static void activations(Hash h, Kernels k) {
        for (int n : new int[] {1, 3, 17, 33, 64, 1000}) {
            float[] x = activationInput(n, n * 3L);
            float[] y = new float[n + 1];
            k.exp(n, x, 0, y, 1);
            h.f(y);
            k.sigmoid(n, x, 0, y, 0);
            h.f(y);
            float[] dy = uniform(n * 5L, n, 1.0);
            float[] dx = new float[n];
            k.sigmoidBackward(n, y, 0, dy, 0, dx, 0);
            h.f(dx);
            k.tanh(n, x, 0, y, 0);
            h.f(y);
            k.tanhBackward(n, y, 0, dy, 0, dx, 0);
            h.f(dx);
            k.relu(n, x, 0, y, 0);
            h.f(y);
            k.reluBackward(n, y, 0, dy, 0, dx, 0);
            h.f(dx);
            float[] inPlace = x.clone();
            k.tanh(n, inPlace, 0, inPlace, 0);
            h.f(inPlace);
        }
    }

    static void softmax(Hash h, Kernels k) {
        for (int cols : SIZES) {
            int rows = 3;
            int ldx = cols + 2;
            float[] x = uniform(cols * 9L, rows * ldx, 8.0);
            x[1 % (rows * ldx)] = 60f;
            float[] y = new float[rows * (cols + 1)];
            k.softmaxRows(rows, cols, x, 0, ldx, y, 0, cols + 1);
            h.f(y);
            k.logSoftmaxRows(rows, cols, x, 0, ldx, y, 0, cols + 1);
            h.f(y);
            float[] z = x.clone();
            k.softmaxRows(rows, cols, z, 0, ldx, z, 0, ldx);
            h.f(z);
            z = x.clone();
            k.logSoftmaxRows(rows, cols, z, 0, ldx, z, 0, ldx);
            h.f(z);
        }
    }

    static void lstmCell(Hash h, Kernels k) {
        for (int n : SIZES) {
            float[] gates = uniform(n * 13L, 4 * n + 1, 4.0);
            float[] cPrev = uniform(n * 13L + 1, n, 2.0);
            float[] c = new float[n];
            float[] tanhC = new float[n];
            float[] hh = new float[n + 1];
            k.lstmCellForward(n, gates, 1, cPrev, 0, c, 0, tanhC, 0, hh, 1);
            h.f(gates);
            h.f(c);
            h.f(tanhC);
            h.f(hh);
            float[] dh = uniform(n * 13L + 2, n, 1.0);
            float[] dc = uniform(n * 13L + 3, n, 1.0);
            float[] dGates = new float[4 * n];
            k.lstmCellBackward(n, gates, 1, cPrev, 0, tanhC, 0, dh, 0, dc, 0, dGates, 0);
            h.f(dc);
            h.f(dGates);
            // in place: c may be exactly cPrev
            float[] cp = cPrev.clone();
            float[] g2 = uniform(n * 13L, 4 * n + 1, 4.0);
            k.lstmCellForward(n, g2, 1, cp, 0, cp, 0, tanhC, 0, hh, 0);
            h.f(cp);
            h.f(hh);
        }
    }

    static void gruCell(Hash h, Kernels k) {
        for (int n : SIZES) {
            float[] gx = uniform(n * 17L, 3 * n, 3.0);
            float[] gh = uniform(n * 17L + 1, 3 * n + 2, 3.0);
            float[] hPrev = uniform(n * 17L + 2, n, 1.0);
            float[] hh = new float[n];
            k.gruCellForward(n, gx, 0, gh, 2, hPrev, 0, hh, 0);
            h.f(gx);
            h.f(hh);
            float[] dh = uniform(n * 17L + 3, n, 1.0);
            float[] dGx = new float[3 * n];
            float[] dGh = new float[3 * n + 1];
            float[] dhPrev = new float[n];
            k.gruCellBackward(n, gx, 0, gh, 2, hPrev, 0, dh, 0, dGx, 0, dGh, 1, dhPrev, 0);
            h.f(dGx);
            h.f(dGh);
            h.f(dhPrev);
            float[] hp = hPrev.clone();
            float[] gx2 = uniform(n * 17L, 3 * n, 3.0);
            k.gruCellForward(n, gx2, 0, gh, 2, hp, 0, hp, 0);
            h.f(hp);
        }
    }

    // ------------------------------------------------------------------ main

    public static void main(String[] args) throws IOException {
        Path outFile = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                outFile = Path.of(args[++i]);
            } else {
                System.err.println("usage: Fingerprint [--out file]");
                System.exit(2);
            }
        }
        Fingerprint fp = new Fingerprint();
        fp.rnnCases();
        fp.streamingCases();
        fp.trainCases();
        fp.lmCases();
        fp.checkCases();
        fp.kernelCases();

        StringBuilder sb = new StringBuilder();
        sb.append("# kernels=").append(Kernels.get().name())
                .append(" java.version=").append(System.getProperty("java.version"))
                .append(" rnn4j.vector.bits=").append(System.getProperty("rnn4j.vector.bits", "default"))
                .append(" os.arch=").append(System.getProperty("os.arch"))
                .append(" (this line is not hashed)\n");
        Hash total = new Hash();
        int errors = 0;
        for (Case c : fp.cases) {
            Hash h = new Hash();
            String line;
            try {
                c.body.run(h);
                line = c.name + " " + String.format("%016x", h.value());
            } catch (Exception | AssertionError e) {
                errors++;
                line = c.name + " ERROR " + e.getClass().getName() + ": " + e.getMessage();
            }
            total.s(line);
            sb.append(line).append('\n');
        }
        sb.append("TOTAL ").append(String.format("%016x", total.value())).append(' ')
                .append(fp.cases.size()).append(" cases");
        if (errors > 0) {
            sb.append(", ").append(errors).append(" errors");
        }
        sb.append('\n');
        PrintStream o = System.out;
        o.print(sb);
        o.flush();
        if (outFile != null) {
            Files.writeString(outFile, sb.toString(), StandardCharsets.UTF_8);
        }
        if (errors > 0) {
            System.exit(1);
        }
    }
}
