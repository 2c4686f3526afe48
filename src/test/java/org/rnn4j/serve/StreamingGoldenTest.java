package org.rnn4j.serve;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.interop.ServeGolden;
import org.rnn4j.interop.TorchModel;
import org.rnn4j.io.SafetensorsFile;
import org.rnn4j.kernel.Kernels;

/**
 * Streaming parity with PyTorch: every forward-only case of {@code golden_serve} (models saved from
 * PyTorch, loaded through {@link TorchModel}) is streamed one sequence at a time, step by step through
 * each sequence's own length, starting from the file's h0/c0, and the assembled y (0 at padded
 * steps), h_n and c_n must match PyTorch's float64 results to 1e-5 normwise, with float32 weights on
 * both kernel sets. (The bidirectional case cannot stream; the builder's refusal is tested in
 * StreamingModelTest.)
 */
class StreamingGoldenTest {
    private static final Map<String, Double> WORST = new ConcurrentHashMap<>();

    @AfterAll
    static void printWorst() {
        System.out.println("golden_serve streaming parity, worst normwise relative error per case: " + new TreeMap<>(WORST));
    }

    @TestFactory
    Stream<DynamicTest> streamingMatchesPyTorch() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        int forward = 0;
        for (ServeGolden g : ServeGolden.all()) {
            TorchModel m = TorchModel.from(g.model, g.options());
            if (m.spec().direction() != Direction.FORWARD) {
                continue;
            }
            forward++;
            for (Kernels k : Fixture.kernels()) {
                tests.add(dynamicTest(g.name + " " + k.name(), () -> parity(g, m, k)));
            }
        }
        assertTrue(forward >= 5, "forward-only golden cases: " + forward);
        return tests.stream();
    }

    private static void parity(ServeGolden g, TorchModel tm, Kernels k) {
        // TorchModel.streaming is this builder call with the default kernels; the builder lets the
        // test pick the kernel set
        StreamingModel.Builder mb = StreamingModel.builder(tm.rnnWeights()).kernels(k);
        if (tm.hasEmbedding()) {
            mb.embedding(tm.embeddingWeight(), tm.vocabSize());
        }
        if (tm.hasHead()) {
            mb.head(tm.headWeight(), tm.hasHeadBias() ? tm.headBias() : null, tm.outputSize());
        }
        StreamingModel m = k == Kernels.get() ? tm.streaming(WeightFormat.F32) : mb.build();
        RnnSpec s = tm.spec();
        SafetensorsFile in = g.input;
        int[] xs = in.tensor("x").shape();
        boolean bf = s.batchFirst();
        int t = bf ? xs[1] : xs[0];
        int batch = bf ? xs[0] : xs[1];
        int layers = s.numLayers(), p = s.stateSize(), h = s.hiddenSize(), o = m.outputSize(), i = m.inputSize();
        int[] lengths = in.contains("lengths") ? in.tensor("lengths").asInts() : null;
        float[] h0 = in.contains("h0") ? in.tensor("h0").asFloats() : null;
        float[] c0 = in.contains("c0") ? in.tensor("c0").asFloats() : null;
        float[] x = m.hasEmbedding() ? null : in.tensor("x").asFloats();
        int[] ids = m.hasEmbedding() ? in.tensor("x").asInts() : null;
        float[] y = new float[t * batch * o];
        float[] hN = new float[layers * batch * p];
        float[] cN = s.cell().hasCellState() ? new float[layers * batch * h] : null;
        float[] row = new float[Math.max(layers * p, layers * h)];
        float[] out = new float[o];
        for (int b = 0; b < batch; b++) {
            StreamState st = m.newState();
            if (h0 != null) {   // (L, B, P) → the stream's (L, P)
                for (int l = 0; l < layers; l++) {
                    System.arraycopy(h0, (l * batch + b) * p, row, l * p, p);
                }
                st.setH(row, 0);
            }
            if (c0 != null) {
                for (int l = 0; l < layers; l++) {
                    System.arraycopy(c0, (l * batch + b) * h, row, l * h, h);
                }
                st.setC(row, 0);
            }
            int len = lengths == null ? t : lengths[b];
            for (int step = 0; step < len; step++) {
                int pos = bf ? b * t + step : step * batch + b;
                if (ids != null) {
                    m.step(st, ids[pos], out, 0);
                } else {
                    m.step(st, x, pos * i, out, 0);
                }
                System.arraycopy(out, 0, y, pos * o, o);
            }
            st.getH(row, 0);
            for (int l = 0; l < layers; l++) {
                System.arraycopy(row, l * p, hN, (l * batch + b) * p, p);
            }
            if (cN != null) {
                st.getC(row, 0);
                for (int l = 0; l < layers; l++) {
                    System.arraycopy(row, l * h, cN, (l * batch + b) * h, h);
                }
            }
        }
        check(g, k, "y", y);
        check(g, k, "h_n", hN);
        if (cN != null) {
            check(g, k, "c_n", cN);
        }
    }

    private static void check(ServeGolden g, Kernels k, String name, float[] got) {
        double[] want = g.expected.tensor(name).asDoubles();
        double[] gd = new double[got.length];
        for (int i = 0; i < got.length; i++) {
            gd[i] = got[i];
        }
        double err = ServeGolden.relError(want, gd);
        WORST.merge(g.name, err, Math::max);
        assertTrue(err <= 1e-5, g.name + " " + k.name() + " " + name + ": normwise relative error " + err + " > 1e-5");
    }
}
