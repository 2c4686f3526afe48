package org.rnn4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rnn4j.io.NamedTensor;
import org.rnn4j.io.Safetensors;
import org.rnn4j.io.SafetensorsFile;
import org.rnn4j.nn.Params;

/**
 * Parity with {@code torch.optim}: every optimizer file of {@code src/test/resources/golden-optim}
 * (written by tools/golden/make_optim_golden.py; see tools/golden/README.md) replayed through the
 * optimizer its metadata configures, step by step, against the values torch computed after every
 * step and the final state.
 *
 * <p>Tolerance, per element after step k (1-based): |java − torch| ≤ 4·k·2⁻²⁴·M_k, M_k the largest
 * |value| of that element over torch's steps 0..k. Why: each step rounds a handful of float
 * operations, each by at most half an ulp of its result; an implementation that performs the same
 * operations in the same order but rounds {@code a + α·b} twice instead of fusing it (PyTorch builds
 * without FMA contraction) differs from a fused one by about an ulp of the operands per step, and
 * these differences add up over the steps (the moments and buffers are contractions, they do not
 * amplify them). The generator measures that unfused variant against torch: at most 2.2 of these
 * units over all files, so 4 is a bound with margin, and still tight: ≤ 3·10⁻⁶ of M_k after 12 steps. rnn4j performs exactly the
 * fused operations of PyTorch's AVX2 build the files were made with, and the generator checked its
 * own float32 emulation of them bit for bit against torch; so here too every element is expected to
 * match exactly — the test counts the exact matches and reports them.
 */
class OptimizerGoldenTest {
    private static final Map<String, String> REPORT = new TreeMap<>();

    @AfterAll
    static void report() {
        System.out.println("optimizer golden parity (elements bitwise equal to torch / compared, worst error in "
                + "tolerance units): " + REPORT);
    }

    static Path goldenDir() throws URISyntaxException {
        URL url = OptimizerGoldenTest.class.getResource("/golden-optim");
        if (url == null) {
            throw new IllegalStateException("test resource folder /golden-optim not on the class path");
        }
        return Path.of(url.toURI());
    }

    static List<Path> optimizerFiles() throws IOException, URISyntaxException {
        List<Path> files;
        try (Stream<Path> s = Files.list(goldenDir())) {
            files = s.filter(p -> p.toString().endsWith(".safetensors"))
                    .filter(p -> !p.getFileName().toString().startsWith("lr_schedules"))
                    .sorted().collect(Collectors.toList());
        }
        assertTrue(files.size() >= 9, "optimizer golden files found: " + files.size());
        return files;
    }

    /** The {@code config.*} metadata: the rnn4j optimizer config. */
    static Map<String, String> config(SafetensorsFile f) {
        Map<String, String> c = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : f.metadata().entrySet()) {
            if (e.getKey().startsWith("config.")) {
                c.put(e.getKey().substring("config.".length()), e.getValue());
            }
        }
        return c;
    }

    @TestFactory
    Stream<DynamicTest> everyFileMatchesTorch() throws IOException, URISyntaxException {
        return optimizerFiles().stream().map(path -> dynamicTest(path.getFileName().toString(), () -> replay(path)));
    }

    private static void replay(Path path) throws IOException {
        SafetensorsFile f = Safetensors.read(path);
        String name = f.metadata("case");
        Map<String, String> config = config(f);
        Optimizer opt = Optimizer.fromConfig(config);
        assertEquals(config, opt.config(), name + ": config() reproduces the file's config");
        int steps = Integer.parseInt(f.metadata("steps"));
        String[] tensors = f.metadata("tensors").split(",");
        Params params = new Params();
        List<float[]> grads = new ArrayList<>();
        for (String t : tensors) {
            NamedTensor p0 = f.tensor("param." + t);
            float[] value = p0.asFloats();
            params.add(t, value, new float[value.length], p0.shape());
            grads.add(f.tensor("grad." + t).asFloats());
        }
        double[] lr = f.tensor("lr").asDoubles();
        assertEquals(steps, lr.length);

        long exact = 0;
        long compared = 0;
        double worst = 0;
        List<double[]> maxAbs = new ArrayList<>();
        for (String t : tensors) {
            float[] v = params.value(t);
            double[] m = new double[v.length];
            for (int j = 0; j < v.length; j++) {
                m[j] = Math.abs(v[j]);
            }
            maxAbs.add(m);
        }
        for (int k = 0; k < steps; k++) {
            for (int i = 0; i < tensors.length; i++) {
                float[] g = params.grad(tensors[i]);
                System.arraycopy(grads.get(i), k * g.length, g, 0, g.length);
            }
            float[][] gradsBefore = new float[tensors.length][];
            for (int i = 0; i < tensors.length; i++) {
                gradsBefore[i] = params.grad(tensors[i]).clone();
            }
            opt.step(params, lr[k]);
            for (int i = 0; i < tensors.length; i++) {
                assertArrayEquals(gradsBefore[i], params.grad(tensors[i]), name + ": step must not write the gradient");
                float[] v = params.value(tensors[i]);
                float[] traj = f.tensor("trajectory." + tensors[i]).asFloats();
                double[] m = maxAbs.get(i);
                for (int j = 0; j < v.length; j++) {
                    float expected = traj[k * v.length + j];
                    m[j] = Math.max(m[j], Math.abs(expected));
                    double unit = (k + 1) * 0x1p-24 * m[j];
                    double err = Math.abs((double) v[j] - expected);
                    worst = Math.max(worst, err / unit);
                    compared++;
                    if (Float.floatToRawIntBits(v[j]) == Float.floatToRawIntBits(expected)) {
                        exact++;
                    }
                    assertTrue(err <= 4 * unit, name + ": " + tensors[i] + "[" + j + "] after step " + (k + 1)
                            + ": java " + v[j] + ", torch " + expected + ", |diff| " + err + " > tolerance " + 4 * unit);
                }
            }
        }
        assertEquals(steps, opt.steps(), name + ": steps()");

        // final state: the same names in the same order, the same values
        String[] slots = f.metadata("slots").isEmpty() ? new String[0] : f.metadata("slots").split(",");
        List<String> expectedKeys = new ArrayList<>();
        for (String t : tensors) {
            for (String s : slots) {
                expectedKeys.add(s + "." + t);
            }
        }
        Map<String, float[]> state = opt.state();
        assertEquals(expectedKeys, new ArrayList<>(state.keySet()), name + ": state() names and order");
        for (String key : expectedKeys) {
            float[] expected = f.tensor("state." + key).asFloats();
            float[] actual = state.get(key);
            assertEquals(expected.length, actual.length, key);
            for (int j = 0; j < expected.length; j++) {
                // state is compared like the values: relative to the largest magnitude of the tensor's final state
                double err = Math.abs((double) actual[j] - expected[j]);
                double scale = 0;
                for (float e : expected) {
                    scale = Math.max(scale, Math.abs(e));
                }
                assertTrue(err <= 4 * steps * 0x1p-24 * scale, name + ": " + key + "[" + j + "]: java " + actual[j]
                        + ", torch " + expected[j]);
                compared++;
                if (Float.floatToRawIntBits(actual[j]) == Float.floatToRawIntBits(expected[j])) {
                    exact++;
                }
            }
        }
        synchronized (REPORT) {
            REPORT.put(name, exact + "/" + compared + String.format(", %.2f", worst / 4));
        }
    }
}
