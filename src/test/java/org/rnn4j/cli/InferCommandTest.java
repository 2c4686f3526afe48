package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.interop.ServeGolden;
import org.rnn4j.io.Dtype;
import org.rnn4j.io.NamedTensor;
import org.rnn4j.io.Safetensors;
import org.rnn4j.io.SafetensorsFile;

/**
 * {@code rnn4j infer} run in-process through {@link Main}: every golden_serve case against PyTorch's
 * float64 results (1e-5 normwise per tensor, as TorchModelGoldenTest), the output dtypes, and every
 * bad input as one stderr line naming the tensor or option, the expected and the actual, with exit
 * code 1 (files) or 2 (usage).
 */
class InferCommandTest {
    @TempDir
    Path tmp;

    private final Cli cli = new Cli();
    private final ByteArrayOutputStream out = cli.out;
    private final ByteArrayOutputStream err = cli.err;

    private int run(List<String> args) {
        return cli.run(args);
    }

    private int run(String... args) {
        return cli.run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private List<String> infer(Path model, Path input, Path output, String... more) {
        List<String> a = new ArrayList<>(List.of("infer", "--model", model.toString(), "--input", input.toString(),
                "--output", output.toString()));
        a.addAll(Arrays.asList(more));
        return a;
    }

    @TestFactory
    Stream<DynamicTest> everyGoldenCaseMatchesPyTorch() throws Exception {
        return ServeGolden.all().stream().map(g -> DynamicTest.dynamicTest(g.name, () -> {
            Path y = tmp.resolve(g.name + ".safetensors");
            List<String> args = infer(g.modelPath(), g.inputPath(), y);
            args.addAll(g.cliOptions());
            assertEquals(0, run(args), err());
            assertEquals("", err());
            assertEquals(1, out().lines().count(), out());
            assertTrue(out().startsWith("rnn4j infer: "), out());
            SafetensorsFile r = Safetensors.read(y);
            assertEquals(g.expected.names(), r.names());
            Dtype want = g.input.tensor("x").dtype() == Dtype.F64 ? Dtype.F64 : Dtype.F32;
            StringBuilder report = new StringBuilder();
            double worst = 0;
            for (String n : r.names()) {
                assertEquals(want, r.tensor(n).dtype(), n);
                assertArrayEquals(g.expected.tensor(n).shape(), r.tensor(n).shape(), n);
                double e = ServeGolden.relError(g.expected.tensor(n).asDoubles(), r.tensor(n).asDoubles());
                report.append(n).append(String.format(" %.2e  ", e));
                worst = Math.max(worst, e);
                assertTrue(out().contains(n + (n.equals("y") ? " " + want + " " : " ")
                        + Arrays.toString(r.tensor(n).shape())), out());
            }
            assertTrue(worst <= 1e-5, g.name + ": " + report);
        }));
    }

    private static void assertArrayEquals(int[] a, int[] b, String what) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, what);
    }

    private ServeGolden golden(String name) throws Exception {
        return ServeGolden.all().stream().filter(g -> g.name.equals(name)).findFirst().orElseThrow();
    }

    /** Runs infer on the case's model with the given input tensors; expects exit 1 and returns the stderr line. */
    private String failure(String caseName, List<NamedTensor> input, String... more) throws Exception {
        ServeGolden g = golden(caseName);
        Path in = tmp.resolve("in.safetensors");
        Safetensors.write(in, input);
        Path y = tmp.resolve("y.safetensors");
        List<String> args = infer(g.modelPath(), in, y, more);
        args.addAll(g.cliOptions());
        assertEquals(1, run(args), out() + err());
        assertEquals(1, err().lines().count(), err());
        assertFalse(Files.exists(y), "no output on failure");
        return err().strip();
    }

    private static void mentions(String message, String... parts) {
        assertTrue(message.startsWith("rnn4j infer: "), message);
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' missing from: " + message);
        }
    }

    private static NamedTensor floats(String name, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i);
        }
        return NamedTensor.ofFloats(name, shape, v);
    }

    private static NamedTensor longs(String name, long[] v, int... shape) {
        return NamedTensor.ofLongs(name, shape, v);
    }

    // lstm_fc_h0_c0: nn.LSTM(5, 9) + Linear(9, 3), 1 layer; x (T, B, 5)
    private static final String LSTM = "lstm_fc_h0_c0";
    // gru_embedding_head_tokens: Embedding(11, 6), GRU(6, 7), Linear(7, 11); x (T, B) ids
    private static final String TOKENS = "gru_embedding_head_tokens";

    @Test
    void missingX() throws Exception {
        mentions(failure(LSTM, List.of(longs("lengths", new long[] {1, 2}, 2))), "missing input tensor 'x'",
                "expected (T, B, I = 5) floating features");
    }

    @Test
    void wrongRankOrFeatureSize() throws Exception {
        mentions(failure(LSTM, List.of(floats("x", 6, 10))), "input tensor 'x' has dtype F32 and shape [6, 10]",
                "expected (T, B, I = 5)");
        mentions(failure(LSTM, List.of(floats("x", 6, 2, 4))), "shape [6, 2, 4]", "expected (T, B, I = 5)");
        mentions(failure(LSTM, List.of(floats("x", 0, 2, 5))), "shape [0, 2, 5]", "T and B must be >= 1");
    }

    @Test
    void lengthsOutOfRangeOrOfTheWrongKind() throws Exception {
        mentions(failure(LSTM, List.of(floats("x", 6, 2, 5), longs("lengths", new long[] {6, 7}, 2))),
                "lengths[1] = 7 is outside [0, T = 6]");
        mentions(failure(LSTM, List.of(floats("x", 6, 2, 5), longs("lengths", new long[] {-1, 2}, 2))),
                "lengths[0] = -1 is outside [0, T = 6]");
        mentions(failure(LSTM, List.of(floats("x", 6, 2, 5), longs("lengths", new long[] {1, 2, 3}, 3))),
                "'lengths' has dtype I64 and shape [3], expected integers of shape [2] = (B)");
        mentions(failure(LSTM, List.of(floats("x", 6, 2, 5), floats("lengths", 2))), "'lengths' has dtype F32");
    }

    @Test
    void statesOfTheWrongShapeOrCell() throws Exception {
        mentions(failure(LSTM, List.of(floats("x", 6, 2, 5), floats("h0", 1, 2, 8))),
                "input tensor 'h0' has dtype F32 and shape [1, 2, 8]", "expected a floating tensor of shape [1, 2, 9]",
                "(L·D, B, P)");
        mentions(failure(LSTM, List.of(floats("x", 6, 2, 5), floats("c0", 2, 2, 9))), "'c0'", "shape [2, 2, 9]",
                "[1, 2, 9] = (L·D, B, H)");
        mentions(failure(TOKENS, List.of(longs("x", new long[6], 2, 3), floats("c0", 1, 3, 7))),
                "input tensor 'c0' [1, 3, 7] is given, but the model is a gru, which has no cell state");
    }

    @Test
    void tokenIdsOutOfRangeOrFloatInputForAnEmbedding() throws Exception {
        long[] ids = {1, 2, 3, 4, 11, 0};
        mentions(failure(TOKENS, List.of(longs("x", ids, 2, 3))), "x[1, 1] (t = 1, b = 1) = 11",
                "not a token id of the embedding 'encoder': expected [0, 11)");
        // past its length a sequence's ids are never read
        ServeGolden g = golden(TOKENS);
        Path in = tmp.resolve("pad.safetensors");
        Safetensors.write(in, List.of(longs("x", new long[] {1, 2, 3, 4, -1, 99}, 2, 3),
                longs("lengths", new long[] {2, 1, 1}, 3)));
        assertEquals(0, run(infer(g.modelPath(), in, tmp.resolve("pad-y.safetensors"))), err());
        mentions(failure(TOKENS, List.of(floats("x", 2, 3, 6))), "input tensor 'x' has dtype F32 and shape [2, 3, 6]",
                "expected (T, B) integer token ids in [0, V = 11) for the embedding 'encoder'");
        mentions(failure(LSTM, List.of(longs("x", new long[12], 6, 2))), "'x' has dtype I64 and shape [6, 2]",
                "floating features");
    }

    @Test
    void unknownInputTensor() throws Exception {
        mentions(failure(LSTM, List.of(floats("x", 6, 2, 5), floats("mask", 6, 2))), "unknown input tensor 'mask' [6, 2]",
                "expected x and optionally lengths, h0, c0");
    }

    @Test
    void aCellHintThatContradictsTheModel() throws Exception {
        mentions(failure(LSTM, List.of(floats("x", 6, 2, 5)), "--cell", "gru"), "cell hint gru",
                "tensor 'lstm.weight_hh_l0' has shape [36, 9]", "36 rows = 4·H");
    }

    @Test
    void outputIsF64ForTokensWithAnF64H0() throws Exception {
        ServeGolden g = golden(TOKENS);
        Path in = tmp.resolve("in64.safetensors");
        Safetensors.write(in, List.of(longs("x", new long[] {1, 2, 3, 4, 5, 6}, 2, 3),
                NamedTensor.ofDoubles("h0", new int[] {1, 3, 7}, new double[21])));
        Path y = tmp.resolve("y64.safetensors");
        assertEquals(0, run(infer(g.modelPath(), in, y)), err());
        SafetensorsFile r = Safetensors.read(y);
        assertEquals(Dtype.F64, r.tensor("y").dtype());
        assertArrayEquals(new int[] {2, 3, 11}, r.tensor("y").shape(), "y");
        assertEquals(Dtype.F64, r.tensor("h_n").dtype());
    }

    @Test
    void missingFilesAreExitOne() throws Exception {
        ServeGolden g = golden(LSTM);
        assertEquals(1, run(infer(tmp.resolve("nope.safetensors"), g.inputPath(), tmp.resolve("y.safetensors"))));
        mentions(err().strip(), "no such file", "nope.safetensors");
        assertEquals(1, run(infer(g.modelPath(), tmp.resolve("none.safetensors"), tmp.resolve("y.safetensors"))));
        mentions(err().strip(), "no such file", "none.safetensors");
        assertEquals(1, run(infer(g.modelPath(), g.inputPath(), tmp.resolve("no/such/dir/y.safetensors"))));
        assertEquals(1, err().lines().count(), err());
    }

    @Test
    void usageErrorsAreExitTwo() {
        assertEquals(2, run("infer", "--input", "x", "--output", "y"));
        assertEquals("rnn4j infer: --model is required (try rnn4j infer --help)", err().strip());
        assertEquals(2, run("infer", "--model", "m", "--input", "x", "--output", "y", "--cell", "cnn"));
        assertEquals("rnn4j infer: cell must be one of lstm, gru, rnn, rnn_tanh, rnn_relu; got 'cnn'", err().strip());
        assertEquals(2, run("infer", "--model", "m", "--frobnicate"));
        assertEquals("rnn4j infer: unknown option '--frobnicate' (try rnn4j infer --help)", err().strip());
        assertEquals(2, run("infer", "--model"));
        assertEquals("rnn4j infer: --model needs a value", err().strip());
    }

    @Test
    void help() {
        assertEquals(0, run("infer", "--help"));
        assertTrue(out().startsWith("usage: rnn4j infer --model"), out());
        assertTrue(out().contains("--batch-first") && out().contains("exit code"), out());
        assertEquals(0, run("--help"));
        assertTrue(out().contains("  infer "), out());
    }
}
