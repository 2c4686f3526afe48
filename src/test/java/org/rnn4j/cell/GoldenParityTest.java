package org.rnn4j.cell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.rnn4j.check.ReferenceRnn;
import org.rnn4j.io.Safetensors;
import org.rnn4j.io.SafetensorsFile;
import org.rnn4j.kernel.Kernels;

/**
 * Parity with PyTorch: every golden file of {@code src/test/resources/golden} (float64 results and
 * loss gradients written by tools/golden/make_golden.py; see tools/golden/README.md) against three
 * implementations, one dynamic test each per file:
 * <ul>
 *   <li>the double reference {@link ReferenceRnn}, to 1e-10 normwise — the same math in the same
 *       precision, differing only in summation order (worst observed: 4.8e-16 on the 12 plain
 *       cases, 1.1e-15 on the 12 option cases);</li>
 *   <li>the float engine on the SIMD kernels and</li>
 *   <li>the float engine on the scalar kernels, both to the 1e-4 normwise tolerance derived in
 *       {@link EngineVsReferenceProperties} (float weights are PyTorch's rounded to float, which
 *       perturbs them by 2⁻²⁴ relative, well inside it; worst observed 2.9e-7 on the plain cases,
 *       1.0e-6 on the option cases).</li>
 * </ul>
 * The network of each file is built from its metadata alone: {@code cell}, sizes, {@code batch_first},
 * and the cell-family options {@code direction} (forward | reverse | bidirectional), {@code merge}
 * (concat | sum), {@code proj_size}, {@code peephole} and {@code reset_before} (0/1). The 12 plain
 * files predate the options and lack those keys, which then take their defaults (forward, concat, 0,
 * 0, 0). Every file is checked the same way: its parameter names must be exactly the implementation's
 * (so a file whose option an implementation ignores fails on the names or shapes, not somewhere
 * later), then output, h_n, c_n and every gradient are compared, sized by the spec's
 * {@link RnnSpec#outputSize()}, {@link RnnSpec#numUnits()}, {@link RnnSpec#stateSize()} and
 * {@link RnnSpec#hiddenSize()}.
 * The files hold garbage at padded input and gradient positions, so this also shows that padding is
 * ignored exactly as PyTorch's packed sequences ignore it.
 */
class GoldenParityTest {
    /** Reference vs PyTorch, both float64: normwise relative error bound per tensor. */
    static final double REFERENCE_REL = 1e-10;

    /** Worst normwise error seen per implementation in this run, printed once (docs/cells.md quotes it). */
    private static final Map<String, Double> WORST = new java.util.concurrent.ConcurrentHashMap<>();

    @org.junit.jupiter.api.AfterAll
    static void printWorstErrors() {
        System.out.println("golden parity, worst normwise error per tensor: " + new java.util.TreeMap<>(WORST));
    }

    /** Tensors of a golden file that are not parameters or parameter gradients. */
    private static final Set<String> DATA = Set.of("input", "lengths", "h0", "c0", "grad_output", "grad_h_n",
            "grad_c_n", "output", "h_n", "c_n");

    static List<Path> goldenFiles() throws IOException, URISyntaxException {
        URL url = GoldenParityTest.class.getResource("/golden");
        if (url == null) {
            throw new IllegalStateException("test resource folder /golden not on the class path");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().collect(Collectors.toList());
        }
        assertTrue(files.size() >= 12, "golden files found: " + files.size());
        return files;
    }

    /** Per golden file: the reference, the engine on SIMD kernels, the engine on scalar kernels. */
    @TestFactory
    Stream<DynamicNode> pytorchParity() throws IOException, URISyntaxException {
        return goldenFiles().stream().map(path -> {
            Golden g = Golden.load(path);
            return dynamicContainer(g.what(), path.toUri(), Stream.of(
                    dynamicTest(g.name + ": reference", () -> referenceMatchesPyTorch(g)),
                    dynamicTest(g.name + ": engine, SIMD kernels", () -> engineMatchesPyTorch(g, Kernels.simd())),
                    dynamicTest(g.name + ": engine, scalar kernels",
                            () -> engineMatchesPyTorch(g, Kernels.scalar()))));
        });
    }

    /** One golden case, decoded. */
    static final class Golden {
        final String name;
        final SafetensorsFile file;
        final RnnSpec spec;
        final int seqLen;
        final int batch;
        final int[] lengths;
        /** The parameter tensors of the file, in file (PyTorch state_dict) order. */
        final List<String> parameterNames = new ArrayList<>();

        static Golden load(Path path) {
            try {
                return new Golden(path);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private Golden(Path path) throws IOException {
            name = path.getFileName().toString().replace(".safetensors", "");
            file = Safetensors.read(path);
            CellType cell = CellType.parse(file.metadata("cell"));
            spec = RnnSpec.builder(cell, meta("input_size"), meta("hidden_size"))
                    .numLayers(meta("num_layers"))
                    .batchFirst(flag("batch_first", "0"))
                    .direction(Direction.parse(option("direction", "forward")))
                    .merge(MergeMode.parse(option("merge", "concat")))
                    .projSize(Integer.parseInt(option("proj_size", "0")))
                    .peephole(flag("peephole", "0"))
                    .resetBefore(flag("reset_before", "0"))
                    .build();
            seqLen = meta("seq_len");
            batch = meta("batch");
            lengths = file.tensor("lengths").asInts();
            for (String n : file.names()) {
                if (!DATA.contains(n) && !n.startsWith("grad.")) {
                    parameterNames.add(n);
                }
            }
        }

        int meta(String key) {
            return Integer.parseInt(file.metadata(key));
        }

        /** An option key, absent from the files that predate it. */
        String option(String key, String absent) {
            return file.metadata().getOrDefault(key, absent);
        }

        boolean flag(String key, String absent) {
            String v = option(key, absent);
            assertTrue(v.equals("0") || v.equals("1"), name + ": metadata " + key + " = " + v);
            return v.equals("1");
        }

        double[] d(String name) {
            return file.contains(name) ? file.tensor(name).asDoubles() : null;
        }

        float[] f(String name) {
            return file.contains(name) ? file.tensor(name).asFloats() : null;
        }

        boolean lstm() {
            return spec.cell().hasCellState();
        }

        /** Elements of h0/h_n and their gradients: (L·D, B, P). */
        int hStates() {
            return spec.numUnits() * batch * spec.stateSize();
        }

        /** Elements of c0/c_n and their gradients: (L·D, B, H). */
        int cStates() {
            return spec.numUnits() * batch * spec.hiddenSize();
        }

        /** The golden results by the names RnnCase.Result uses (sequence tensors seq-first). */
        Map<String, double[]> expected() {
            Map<String, double[]> m = new LinkedHashMap<>();
            m.put("output", d("output"));
            m.put("h_n", d("h_n"));
            m.put("c_n", d("c_n"));
            m.put("grad.input", d("grad.input"));
            m.put("grad.h0", d("grad.h0"));
            m.put("grad.c0", d("grad.c0"));
            for (String p : parameterNames) {
                m.put("grad." + p, d("grad." + p));
            }
            return m;
        }

        /** Sizes every result must have, from the spec (the file's own shapes are checked by GoldenFilesReadTest). */
        Map<String, Integer> expectedLengths() {
            Map<String, Integer> m = new LinkedHashMap<>();
            m.put("output", seqLen * batch * spec.outputSize());
            m.put("h_n", hStates());
            m.put("c_n", lstm() ? cStates() : null);
            m.put("grad.input", seqLen * batch * spec.inputSize());
            m.put("grad.h0", hStates());
            m.put("grad.c0", lstm() ? cStates() : null);
            for (String p : parameterNames) {
                m.put("grad." + p, file.tensor(p).asDoubles().length);
            }
            return m;
        }

        String what() {
            return name + " [" + spec.describe() + "]";
        }
    }

    static void referenceMatchesPyTorch(Golden g) {
        ReferenceRnn ref = ReferenceRnn.of(g.spec);
        assertEquals(g.parameterNames, ref.parameterNames(),
                g.what() + ": parameter names of ReferenceRnn.of(spec) vs the file");
        for (String name : ref.parameterNames()) {
            assertArrayEquals(g.file.tensor(name).shape(), ref.shape(name), g.what() + ": shape of " + name);
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
        Map<String, double[]> expected = g.expected();
        Map<String, Integer> sizes = g.expectedLengths();
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            double[] e = expected.get(name);
            double[] a = actual.get(name);
            if (e == null) {
                assertEquals(null, a, g.what() + ": " + name);
                continue;
            }
            assertNotNull(a, g.what() + ": " + name);
            assertEquals(sizes.get(name), e.length, g.what() + ": golden " + name + " length");
            assertEquals(e.length, a.length, g.what() + ": " + name + " length");
            double err = relError(e, a);
            WORST.merge(g.spec.direction() == Direction.FORWARD && g.spec.projSize() == 0 && !g.spec.peephole()
                    && !g.spec.resetBefore() ? "reference, plain" : "reference, options", err, Math::max);
            assertTrue(err <= REFERENCE_REL, g.what() + " " + name + ": reference vs PyTorch error " + err);
        }
    }

    static void engineMatchesPyTorch(Golden g, Kernels k) {
        RnnWeights w = new RnnWeights(g.spec);
        assertEquals(g.parameterNames, w.names(), g.what() + ": RnnWeights names vs the file");
        for (String name : w.names()) {
            assertArrayEquals(g.file.tensor(name).shape(), w.shape(name), g.what() + ": shape of " + name);
            float[] v = g.f(name);
            System.arraycopy(v, 0, w.get(name), 0, v.length);
        }
        Rnn rnn = new Rnn(w, k);
        RnnSpec spec = g.spec;
        int out = spec.outputSize();
        int in = spec.inputSize();
        boolean lstm = g.lstm();
        float[] output = new float[g.seqLen * g.batch * out];
        float[] hN = new float[g.hStates()];
        float[] cN = lstm ? new float[g.cStates()] : null;
        RnnWorkspace ws = new RnnWorkspace();
        rnn.forward(ws, false, layout(g, g.f("input"), in), g.seqLen, g.batch, g.lengths, g.f("h0"), g.f("c0"),
                output, hN, cN);
        RnnWeights grads = new RnnWeights(spec);
        float[] gIn = new float[g.seqLen * g.batch * in];
        float[] gH0 = new float[g.hStates()];
        float[] gC0 = lstm ? new float[g.cStates()] : null;
        rnn.backward(ws, layout(g, g.f("grad_output"), out), g.f("grad_h_n"), g.f("grad_c_n"), grads, gIn, gH0, gC0);

        Map<String, float[]> actual = new LinkedHashMap<>();
        actual.put("output", seqFirst(g, output, out));
        actual.put("h_n", hN);
        actual.put("c_n", cN);
        actual.put("grad.input", seqFirst(g, gIn, in));
        actual.put("grad.h0", gH0);
        actual.put("grad.c0", gC0);
        for (String p : w.names()) {
            actual.put("grad." + p, grads.get(p));
        }
        Map<String, double[]> expected = g.expected();
        Map<String, Integer> sizes = g.expectedLengths();
        assertEquals(expected.keySet(), actual.keySet());
        String kernels = k.getClass().getSimpleName();
        for (String name : expected.keySet()) {
            double[] e = expected.get(name);
            float[] a = actual.get(name);
            if (e == null) {
                assertEquals(null, a, g.what() + ": " + name);
                continue;
            }
            assertEquals(sizes.get(name), e.length, g.what() + ": golden " + name + " length");
            assertEquals(e.length, a.length, g.what() + ": " + name + " length");
            double err = Norms.relError(e, a);
            WORST.merge("engine " + k.name() + (g.spec.direction() == Direction.FORWARD && g.spec.projSize() == 0
                    && !g.spec.peephole() && !g.spec.resetBefore() ? ", plain" : ", options"), err, Math::max);
            assertTrue(err <= EngineVsReferenceProperties.REL,
                    g.what() + " " + name + " (" + kernels + "): engine vs PyTorch error " + err);
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
