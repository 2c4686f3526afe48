package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.cell.CellType;

/**
 * Reads every PyTorch golden file (written by {@code tools/golden/make_golden.py}, independently of
 * the Java writer) and checks it against its own metadata, so that a broken generator is caught
 * here rather than as a mysterious mismatch in an engine test.
 */
class GoldenFilesReadTest {
    /**
     * The plain cases (forward, one torch.nn module each), written before the cell-family options
     * existed: their metadata lacks the option keys, which mean the defaults there.
     */
    private static final Set<String> PLAIN = Set.of(
            "rnn_tanh_l1", "rnn_tanh_l2_packed", "rnn_relu_l1", "rnn_relu_l3_packed",
            "lstm_l1", "lstm_l2_packed", "lstm_l2_packed_batch_first", "lstm_l3_packed_h17",
            "gru_l1", "gru_l2_packed", "gru_l2_packed_batch_first", "gru_l3_packed_h17");

    /** The cases with cell-family options (OPTION_CASES of the generator). */
    private static final Set<String> OPTIONS = Set.of(
            "lstm_bi_l2_packed", "lstm_bi_l2_packed_batch_first", "gru_bi_l2_packed", "rnn_tanh_bi_l2_packed",
            "lstm_proj_l2_packed", "lstm_proj_bi_l2_packed", "gru_reverse_l2_packed", "lstm_bi_sum_l2_packed",
            "lstm_peephole_l2_packed", "lstm_peephole_proj_bi_l2_packed", "gru_reset_before_l2_packed",
            "gru_reset_before_bi_l1_packed");

    private static final List<String> METADATA_KEYS = List.of("cell", "input_size", "hidden_size",
            "num_layers", "seq_len", "batch", "batch_first", "packed", "torch_version", "generator");

    /** Present in every option file, absent from the plain ones. */
    private static final List<String> OPTION_KEYS = List.of("direction", "merge", "proj_size", "peephole",
            "reset_before", "derivation");

    static Path goldenDir() throws URISyntaxException {
        URL url = GoldenFilesReadTest.class.getResource("/golden");
        if (url == null) {
            throw new IllegalStateException("test resource folder /golden not on the class path");
        }
        return Path.of(url.toURI());
    }

    static List<Path> files() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(goldenDir())) {
            return s.filter(p -> p.toString().endsWith(".safetensors")).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void allCasesPresent() throws IOException, URISyntaxException {
        Set<String> names = new TreeSet<>();
        for (Path p : files()) {
            names.add(p.getFileName().toString().replace(".safetensors", ""));
        }
        Set<String> expected = new TreeSet<>(PLAIN);
        expected.addAll(OPTIONS);
        assertEquals(expected, names);
    }

    @ParameterizedTest
    @MethodSource("files")
    void shapesAgreeWithMetadata(Path file) throws IOException {
        SafetensorsFile f = Safetensors.read(file);
        for (String k : METADATA_KEYS) {
            assertTrue(f.metadata().containsKey(k), file + ": metadata lacks " + k);
        }
        String name = file.getFileName().toString().replace(".safetensors", "");
        boolean plain = PLAIN.contains(name);
        for (String k : OPTION_KEYS) {
            assertEquals(!plain, f.metadata().containsKey(k), file + ": metadata key " + k);
        }
        CellType cell = CellType.parse(f.metadata("cell"));
        assertEquals(cell.id(), f.metadata("cell"));
        int in = positive(f, "input_size");
        int h = positive(f, "hidden_size");
        int layers = positive(f, "num_layers");
        int t = positive(f, "seq_len");
        int b = positive(f, "batch");
        boolean packed = flag(f, "packed");
        flag(f, "batch_first");
        int g = cell.gates();
        boolean lstm = cell.hasCellState();
        // The options, by their README definitions (defaults where the keys are absent).
        String direction = plain ? "forward" : f.metadata("direction");
        String merge = plain ? "concat" : f.metadata("merge");
        assertTrue(Set.of("forward", "reverse", "bidirectional").contains(direction), file + ": direction " + direction);
        assertTrue(Set.of("concat", "sum").contains(merge), file + ": merge " + merge);
        int proj = plain ? 0 : Integer.parseInt(f.metadata("proj_size"));
        boolean peephole = !plain && flag(f, "peephole");
        boolean resetBefore = !plain && flag(f, "reset_before");
        assertTrue(merge.equals("concat") || direction.equals("bidirectional"), file + ": merge sum needs bidirectional");
        assertTrue(proj == 0 || (lstm && proj > 0 && proj < h), file + ": proj_size " + proj);
        assertTrue(!peephole || cell == CellType.LSTM, file + ": peephole on " + cell.id());
        assertTrue(!resetBefore || cell == CellType.GRU, file + ": reset_before on " + cell.id());
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        int p = proj > 0 ? proj : h;                      // width of h
        int o = merge.equals("concat") ? dirs * p : p;    // width of each layer's output
        int units = layers * dirs;

        Set<String> expected = new HashSet<>();
        List<String> params = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (int d = 0; d < dirs; d++) {
                String sfx = l + (direction.equals("reverse") || d == 1 ? "_reverse" : "");
                check(f, expected, "weight_ih_l" + sfx, g * h, l == 0 ? in : o);
                check(f, expected, "weight_hh_l" + sfx, g * h, p);
                check(f, expected, "bias_ih_l" + sfx, g * h);
                check(f, expected, "bias_hh_l" + sfx, g * h);
                params.addAll(List.of("weight_ih_l" + sfx, "weight_hh_l" + sfx, "bias_ih_l" + sfx, "bias_hh_l" + sfx));
                if (proj > 0) {
                    check(f, expected, "weight_hr_l" + sfx, p, h);
                    params.add("weight_hr_l" + sfx);
                }
                if (peephole) {
                    check(f, expected, "weight_peephole_l" + sfx, 3 * h);
                    params.add("weight_peephole_l" + sfx);
                }
            }
        }
        assertEquals(params, f.names().subList(0, params.size()), file + ": parameters first, in state_dict order");
        for (String q : params) {
            check(f, expected, "grad." + q, f.tensor(q).shape());
        }
        check(f, expected, "h0", units, b, p);
        check(f, expected, "grad.h0", units, b, p);
        check(f, expected, "h_n", units, b, p);
        check(f, expected, "grad_h_n", units, b, p);
        if (lstm) {
            for (String s : List.of("c0", "grad.c0", "c_n", "grad_c_n")) {
                check(f, expected, s, units, b, h);
            }
        }
        check(f, expected, "input", t, b, in);
        check(f, expected, "grad.input", t, b, in);
        check(f, expected, "output", t, b, o);
        check(f, expected, "grad_output", t, b, o);
        expected.add("lengths");
        NamedTensor lengths = f.tensor("lengths");
        assertEquals(Dtype.I64, lengths.dtype(), file + ": lengths");
        assertArrayEquals(new int[] {b}, lengths.shape(), file + ": lengths");
        assertEquals(expected, f.tensors().keySet(), file + ": tensor names");

        int[] len = lengths.asInts();
        int full = 0;
        int one = 0;
        for (int x : len) {
            assertTrue(x >= 1 && x <= t, file + ": length " + x + " outside [1, " + t + "]");
            full += x == t ? 1 : 0;
            one += x == 1 ? 1 : 0;
        }
        if (packed) {
            assertTrue(full >= 1 && one >= 1, file + ": packed case needs lengths T and 1");
        } else {
            assertEquals(b, full, file + ": unpacked case with lengths < T");
        }
        // The padding promises the engine tests rely on.
        double[] x = f.tensor("input").asDoubles();
        double[] dx = f.tensor("grad.input").asDoubles();
        double[] out = f.tensor("output").asDoubles();
        double[] dOut = f.tensor("grad_output").asDoubles();
        for (int s = 0; s < t; s++) {
            for (int j = 0; j < b; j++) {
                boolean pad = s >= len[j];
                for (int i = 0; i < in; i++) {
                    int k = (s * b + j) * in + i;
                    if (pad) {
                        assertNotEquals(0.0, x[k], file + ": input padding must be garbage");
                        assertEquals(0.0, dx[k], file + ": grad.input at padding");
                    }
                }
                for (int i = 0; i < o; i++) {
                    int k = (s * b + j) * o + i;
                    if (pad) {
                        assertEquals(0.0, out[k], file + ": output at padding");
                        assertNotEquals(0.0, dOut[k], file + ": grad_output padding must be non-zero");
                    }
                }
            }
        }
    }

    private static void check(SafetensorsFile f, Set<String> seen, String name, int... shape) {
        NamedTensor t = f.tensor(name);
        assertEquals(Dtype.F64, t.dtype(), name);
        assertArrayEquals(shape, t.shape(), () -> name + " shape");
        for (double v : t.asDoubles()) {
            assertTrue(Double.isFinite(v), name + " has a non-finite value");
        }
        seen.add(name);
    }

    private static int positive(SafetensorsFile f, String key) {
        int v = Integer.parseInt(f.metadata(key));
        assertTrue(v > 0, key + " = " + v);
        return v;
    }

    private static boolean flag(SafetensorsFile f, String key) {
        String v = f.metadata(key);
        assertTrue(v.equals("0") || v.equals("1"), key + " = " + v);
        return v.equals("1");
    }
}
