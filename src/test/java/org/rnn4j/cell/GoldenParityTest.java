package org.rnn4j.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.check.ReferenceRnn;
import org.rnn4j.io.Safetensors;
import org.rnn4j.io.SafetensorsFile;
import org.rnn4j.kernel.Kernels;

/**
 * Parity with PyTorch: every golden file of {@code src/test/resources/golden} (float64 results of
 * torch.nn.RNN/LSTM/GRU, written by tools/golden/make_golden.py) against
 * <ul>
 *   <li>the double reference, to 1e-10 normwise — the same math in the same precision, differing
 *       only in summation order (worst observed 4.8e-16);</li>
 *   <li>the float engine on the SIMD and the scalar kernels, to the 1e-4 normwise tolerance derived
 *       in {@link EngineVsReferenceProperties} (float weights are PyTorch's rounded to float, which
 *       perturbs them by 2⁻²⁴ relative, well inside it; worst observed 2.9e-7).</li>
 * </ul>
 * The files hold garbage at padded input and gradient positions, so this also shows that padding is
 * ignored exactly as PyTorch's packed sequences ignore it.
 */
class GoldenParityTest {

    static Stream<Path> goldenFiles() throws IOException, URISyntaxException {
        URL url = GoldenParityTest.class.getResource("/golden");
        if (url == null) {
            throw new IllegalStateException("test resource folder /golden not on the class path");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().collect(Collectors.toList());
        }
        assertTrue(files.size() >= 12, "golden files found: " + files.size());
        return files.stream();
    }

    /** One golden case, decoded. */
    static final class Golden {
        final SafetensorsFile file;
        final RnnSpec spec;
        final int seqLen;
        final int batch;
        final int[] lengths;

        Golden(Path path) throws IOException {
            file = Safetensors.read(path);
            CellType cell = CellType.parse(file.metadata("cell"));
            spec = RnnSpec.builder(cell, meta("input_size"), meta("hidden_size")).numLayers(meta("num_layers"))
                    .batchFirst(meta("batch_first") == 1).build();
            seqLen = meta("seq_len");
            batch = meta("batch");
            lengths = file.tensor("lengths").asInts();
        }

        int meta(String key) {
            return Integer.parseInt(file.metadata(key));
        }

        double[] d(String name) {
            return file.contains(name) ? file.tensor(name).asDoubles() : null;
        }

        float[] f(String name) {
            return file.contains(name) ? file.tensor(name).asFloats() : null;
        }

        /** The golden results by the names RnnCase.Result uses (sequence tensors seq-first). */
        Map<String, double[]> expected(List<String> paramNames) {
            Map<String, double[]> m = new LinkedHashMap<>();
            m.put("output", d("output"));
            m.put("h_n", d("h_n"));
            m.put("c_n", d("c_n"));
            m.put("grad.input", d("grad.input"));
            m.put("grad.h0", d("grad.h0"));
            m.put("grad.c0", d("grad.c0"));
            for (String p : paramNames) {
                m.put("grad." + p, d("grad." + p));
            }
            return m;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void referenceMatchesPyTorch(Path path) throws IOException {
        Golden g = new Golden(path);
        ReferenceRnn ref = ReferenceRnn.of(g.spec);
        for (String name : ref.parameterNames()) {
            ref.setParameter(name, g.d(name));
        }
        ReferenceRnn.Forward fwd = ref.forward(g.d("input"), g.seqLen, g.batch, g.lengths, g.d("h0"), g.d("c0"), null);
        ReferenceRnn.Gradients grads = ref.backward(fwd, g.d("grad_output"), g.d("grad_h_n"), g.d("grad_c_n"));
        Map<String, double[]> actual = new LinkedHashMap<>();
        actual.put("output", fwd.output());
        actual.put("h_n", fwd.hN());
        actual.put("c_n", fwd.cN());
        actual.put("grad.input", grads.input());
        actual.put("grad.h0", grads.h0());
        actual.put("grad.c0", grads.c0());
        for (String p : ref.parameterNames()) {
            actual.put("grad." + p, grads.parameter(p));
        }
        Map<String, double[]> expected = g.expected(ref.parameterNames());
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            double[] e = expected.get(name);
            double[] a = actual.get(name);
            if (e == null) {
                assertEquals(null, a, name);
                continue;
            }
            double err = relError(e, a);
            assertTrue(err <= 1e-10, path.getFileName() + " " + name + ": reference vs PyTorch error " + err);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void engineMatchesPyTorch(Path path) throws IOException {
        Golden g = new Golden(path);
        for (Kernels k : new Kernels[] {Kernels.simd(), Kernels.scalar()}) {
            RnnWeights w = new RnnWeights(g.spec);
            for (String name : w.names()) {
                float[] v = g.f(name);
                System.arraycopy(v, 0, w.get(name), 0, v.length);
            }
            Rnn rnn = new Rnn(w, k);
            int h = g.spec.hiddenSize();
            int in = g.spec.inputSize();
            int states = g.spec.numLayers() * g.batch * h;
            boolean lstm = g.spec.cell().hasCellState();
            float[] out = new float[g.seqLen * g.batch * h];
            float[] hN = new float[states];
            float[] cN = lstm ? new float[states] : null;
            RnnWorkspace ws = new RnnWorkspace();
            rnn.forward(ws, false, layout(g, g.f("input"), in), g.seqLen, g.batch, g.lengths, g.f("h0"), g.f("c0"),
                    out, hN, cN);
            RnnWeights grads = new RnnWeights(g.spec);
            float[] gIn = new float[g.seqLen * g.batch * in];
            float[] gH0 = new float[states];
            float[] gC0 = lstm ? new float[states] : null;
            rnn.backward(ws, layout(g, g.f("grad_output"), h), g.f("grad_h_n"), g.f("grad_c_n"), grads, gIn, gH0, gC0);

            Map<String, float[]> actual = new LinkedHashMap<>();
            actual.put("output", seqFirst(g, out, h));
            actual.put("h_n", hN);
            actual.put("c_n", cN);
            actual.put("grad.input", seqFirst(g, gIn, in));
            actual.put("grad.h0", gH0);
            actual.put("grad.c0", gC0);
            for (String p : w.names()) {
                actual.put("grad." + p, grads.get(p));
            }
            Map<String, double[]> expected = g.expected(w.names());
            for (String name : expected.keySet()) {
                double[] e = expected.get(name);
                if (e == null) {
                    assertEquals(null, actual.get(name), name);
                    continue;
                }
                double err = Norms.relError(e, actual.get(name));
                assertTrue(err <= EngineVsReferenceProperties.REL,
                        path.getFileName() + " " + name + " (" + k.getClass().getSimpleName() + "): error " + err);
            }
        }
    }

    /** Seq-first golden tensor → the spec's layout (a transpose for batch-first cases). */
    private static float[] layout(Golden g, float[] seqFirst, int width) {
        if (!g.spec.batchFirst()) {
            return seqFirst;
        }
        float[] r = new float[seqFirst.length];
        for (int t = 0; t < g.seqLen; t++) {
            for (int b = 0; b < g.batch; b++) {
                System.arraycopy(seqFirst, (t * g.batch + b) * width, r, (b * g.seqLen + t) * width, width);
            }
        }
        return r;
    }

    private static float[] seqFirst(Golden g, float[] a, int width) {
        if (!g.spec.batchFirst()) {
            return a;
        }
        float[] r = new float[a.length];
        for (int t = 0; t < g.seqLen; t++) {
            for (int b = 0; b < g.batch; b++) {
                System.arraycopy(a, (b * g.seqLen + t) * width, r, (t * g.batch + b) * width, width);
            }
        }
        return r;
    }

    private static double relError(double[] e, double[] a) {
        double n = 0;
        double d = 0;
        for (int i = 0; i < e.length; i++) {
            n += e[i] * e[i];
            d += (a[i] - e[i]) * (a[i] - e[i]);
        }
        return Math.sqrt(d) / Math.max(Math.sqrt(n), Norms.FLOOR);
    }
}
