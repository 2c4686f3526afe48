package org.rnn4j.serve;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.lm.Checkpoint;
import org.rnn4j.text.Corpus;

/**
 * Diagnostic (not a test): what bfloat16 weights cost in accuracy, quoted in docs/serving.md.
 *
 * <ol>
 *   <li>Random networks (PyTorch's U(±1/√H) init, inputs N(0, 1)), every cell at H = 64, 256, 1024,
 *       500 steps of one stream: normwise relative difference of all outputs, BF16 against F32.</li>
 *   <li>With a checkpoint of {@code rnn4j train} as the argument: the trained character model streamed
 *       over its validation text (the last 10 % of the embedded corpus, as the default run splits
 *       it) with F32 and with BF16 weights: cross-entropy in nats/char of each, and how often the
 *       two agree on the most likely next character.</li>
 * </ol>
 * Run: {@code mvn -q test-compile && java --add-modules jdk.incubator.vector -cp
 * target/classes:target/test-classes org.rnn4j.serve.Bf16AccuracyScan [model.safetensors]}
 */
public final class Bf16AccuracyScan {
    private Bf16AccuracyScan() {}

    public static void main(String[] args) throws Exception {
        System.out.println("random networks, 500 steps, ‖y_bf16 − y_f32‖ / ‖y_f32‖ over all outputs:");
        for (CellType cell : new CellType[] {CellType.LSTM, CellType.GRU, CellType.RNN_TANH}) {
            StringBuilder line = new StringBuilder(String.format("  %-8s", cell.id()));
            for (int h : new int[] {64, 256, 1024}) {
                RnnWeights w = new RnnWeights(RnnSpec.builder(cell, h, h).build()).initUniform(h);
                StreamingModel f32 = StreamingModel.builder(w).format(WeightFormat.F32).build();
                StreamingModel bf16 = StreamingModel.builder(w).format(WeightFormat.BF16).build();
                int steps = 500;
                float[] xs = Fixture.gaussian(new SplittableRandom(h), steps * h);
                for (int i = 0; i < xs.length; i++) {
                    xs[i] *= 2;   // gaussian() draws N(0, 0.5²)
                }
                float[] a = new float[steps * h], b = new float[steps * h];
                f32.run(f32.newState(), xs, 0, steps, a, 0);
                bf16.run(bf16.newState(), xs, 0, steps, b, 0);
                double d = 0, n = 0;
                for (int i = 0; i < a.length; i++) {
                    d += (double) (a[i] - b[i]) * (a[i] - b[i]);
                    n += (double) a[i] * a[i];
                }
                line.append(String.format("  H=%-5d %.2e", h, Math.sqrt(d / n)));
            }
            System.out.println(line);
        }
        if (args.length == 0) {
            return;
        }
        Checkpoint.Loaded c = Checkpoint.load(Path.of(args[0]), Kernels.get());
        int[] ids = c.tokenizer.encode(Corpus.embedded());
        int split = ids.length - (int) Math.round(ids.length * 0.1);
        int n = ids.length - split - 1;
        StreamingModel f32 = c.model.streaming(WeightFormat.F32);
        StreamingModel bf16 = c.model.streaming(WeightFormat.BF16);
        StreamState sf = f32.newState(), sb = bf16.newState();
        int v = f32.outputSize();
        float[] lf = new float[v], lb = new float[v], p = new float[v];
        double nllF = 0, nllB = 0;
        int agree = 0;
        for (int t = 0; t < n; t++) {
            f32.step(sf, ids[split + t], lf, 0);
            bf16.step(sb, ids[split + t], lb, 0);
            int next = ids[split + t + 1];
            Heads.logSoftmax(lf, 0, v, p, 0);
            nllF -= p[next];
            Heads.logSoftmax(lb, 0, v, p, 0);
            nllB -= p[next];
            agree += Heads.argmax(lf, 0, v) == Heads.argmax(lb, 0, v) ? 1 : 0;
        }
        System.out.printf("trained model %s, %d validation characters streamed:%n", args[0], n);
        System.out.printf("  F32  %.4f nats/char%n  BF16 %.4f nats/char (%+.4f)%n  same most likely next character: %.2f %%%n",
                nllF / n, nllB / n, (nllB - nllF) / n, 100.0 * agree / n);
    }
}
