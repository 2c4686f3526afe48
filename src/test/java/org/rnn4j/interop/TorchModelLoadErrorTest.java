package org.rnn4j.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.RnnSpec;

/** Every way a file can fail to make a model: the message names the tensor or setting, the expected and the actual. */
class TorchModelLoadErrorTest {
    @TempDir
    Path tmp;

    private static final RnnSpec LSTM2 = RnnSpec.builder(CellType.LSTM, 5, 7).numLayers(2).build();

    private String error(StateDict d, LoadOptions o) throws Exception {
        Path f = d.write(tmp);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TorchModel.read(f, o));
        assertTrue(e.getMessage().startsWith(f + ": "), "read() names the file: " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private String error(StateDict d) throws Exception {
        return error(d, LoadOptions.DEFAULTS);
    }

    private static void mentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' missing from: " + message);
        }
    }

    private static StateDict lstm2() {
        return StateDict.rnn(LSTM2, "rnn.", 1);
    }

    // ------------------------------------------------------------------------------- finding the RNN

    @Test
    void noRnn() throws Exception {
        String m = error(new StateDict().random("fc.weight", 1, 3, 4));
        mentions(m, "no RNN", "weight_ih_l0", "'fc.weight' [3, 4] F32");
    }

    @Test
    void severalRnns() throws Exception {
        StateDict d = lstm2();
        d.random("aux.weight_ih_l0", 2, 28, 5).random("aux.weight_hh_l0", 3, 28, 7);
        mentions(error(d), "several RNNs", "'rnn.weight_ih_l0' [28, 5]", "'aux.weight_ih_l0' [28, 5]",
                "LoadOptions.rnnPrefix");
    }

    @Test
    void aPrefixOptionThatMatchesNothing() throws Exception {
        mentions(error(lstm2(), LoadOptions.DEFAULTS.rnnPrefix("lstm")), "LoadOptions.rnnPrefix = 'lstm.'",
                "no tensor 'lstm.weight_ih_l0'", "'rnn.weight_ih_l0' [28, 5]");
    }

    // -------------------------------------------------------------------------- tensors of the network

    @Test
    void missingTensor() throws Exception {
        mentions(error(lstm2().remove("rnn.weight_hh_l1")), "missing tensor 'rnn.weight_hh_l1'",
                "expected shape [28, 7]", "(G·H, P)", "G = 4", "H = 7");
    }

    @Test
    void missingReverseDirectionOfALayer() throws Exception {
        RnnSpec bi = LSTM2.toBuilder().bidirectional(true).build();
        mentions(error(StateDict.rnn(bi, "", 2).remove("weight_ih_l1_reverse")),
                "missing tensor 'weight_ih_l1_reverse'", "expected shape [28, 14]", "(G·H, D·P)");
    }

    @Test
    void wrongShape() throws Exception {
        StateDict d = lstm2().remove("rnn.weight_ih_l1").random("rnn.weight_ih_l1", 3, 28, 6);
        mentions(error(d), "tensor 'rnn.weight_ih_l1' has shape [28, 6], expected [28, 7]", "(G·H, D·P)");
        StateDict e = lstm2().remove("rnn.bias_hh_l0").random("rnn.bias_hh_l0", 3, 27);
        mentions(error(e), "tensor 'rnn.bias_hh_l0' has shape [27], expected [28]", "(G·H)");
    }

    @Test
    void wrongRank() throws Exception {
        StateDict d = lstm2().remove("rnn.weight_hh_l0").random("rnn.weight_hh_l0", 3, 196);
        mentions(error(d), "tensor 'rnn.weight_hh_l0' has shape [196], expected 2 dimensions");
    }

    @Test
    void partialBiases() throws Exception {
        mentions(error(lstm2().remove("rnn.bias_hh_l1")), "partial biases", "missing tensor 'rnn.bias_hh_l1'",
                "expected shape [28]", "'rnn.bias_ih_l0' exists", "3 of 4", "bias=False");
    }

    @Test
    void gateRowsThatAreNoMultipleOfH() throws Exception {
        StateDict d = new StateDict().random("weight_ih_l0", 1, 30, 5).random("weight_hh_l0", 2, 30, 7);
        mentions(error(d), "tensor 'weight_hh_l0' has shape [30, 7]", "30 rows are not a multiple of H = 7");
        StateDict two = new StateDict().random("weight_ih_l0", 1, 14, 5).random("weight_hh_l0", 2, 14, 7);
        mentions(error(two), "tensor 'weight_hh_l0' has shape [14, 7]", "14 rows = 2·H", "expected G = 4 (lstm), 3 (gru) or 1");
    }

    @Test
    void integerDtype() throws Exception {
        StateDict d = lstm2().remove("rnn.weight_ih_l0").putLongs("rnn.weight_ih_l0", new long[28 * 5], 28, 5);
        mentions(error(d), "tensor 'rnn.weight_ih_l0' has dtype I64", "expected a floating dtype");
        StateDict e = lstm2().remove("rnn.bias_ih_l1").putLongs("rnn.bias_ih_l1", new long[28], 28);
        mentions(error(e), "tensor 'rnn.bias_ih_l1' has dtype I64", "F16, BF16, F32 or F64");
    }

    @Test
    void nonFiniteValue() throws Exception {
        StateDict d = lstm2();
        float[] w = d.floats("rnn.weight_hh_l0");
        w[3 * 7 + 1] = Float.NaN;
        d.remove("rnn.weight_hh_l0").put("rnn.weight_hh_l0", w, 28, 7);
        mentions(error(d), "tensor 'rnn.weight_hh_l0' has the non-finite value NaN at [3, 1] (flat index 22)");
        StateDict e = lstm2().remove("rnn.bias_ih_l0");
        double[] b = new double[28];
        b[5] = 1e300;
        e.putDoubles("rnn.bias_ih_l0", b, 28);
        mentions(error(e), "tensor 'rnn.bias_ih_l0'", "element 5", "1.0E300", "float range");
    }

    // ------------------------------------------------------------------------- hints and metadata

    @Test
    void cellHintContradictingTheShapes() throws Exception {
        mentions(error(lstm2(), LoadOptions.DEFAULTS.cell(CellHint.GRU)), "cell hint gru", "LoadOptions.cell",
                "3 gate blocks", "tensor 'rnn.weight_hh_l0' has shape [28, 7]", "28 rows = 4·H with H = 7", "an lstm");
        RnnSpec gru = RnnSpec.builder(CellType.GRU, 5, 7).build();
        mentions(error(StateDict.rnn(gru, "", 2), LoadOptions.DEFAULTS.cell(CellHint.RNN_RELU)), "cell hint rnn_relu",
                "1 gate block,", "tensor 'weight_hh_l0' has shape [21, 7]", "21 rows = 3·H", "a gru");
    }

    @Test
    void cellHintContradictingTheMetadata() throws Exception {
        RnnSpec rnn = RnnSpec.builder(CellType.RNN_TANH, 3, 4).build();
        StateDict d = StateDict.rnn(rnn, "", 3).meta("rnn4j.cell", "rnn_relu");
        mentions(error(d, LoadOptions.DEFAULTS.cell(CellHint.RNN_TANH)), "cell hint rnn_tanh",
                "contradicts metadata rnn4j.cell = rnn_relu");
    }

    @Test
    void metadataContradictingTheShapes() throws Exception {
        mentions(error(lstm2().meta("rnn4j.cell", "gru")), "metadata rnn4j.cell = gru (3 gate blocks)",
                "tensor 'rnn.weight_hh_l0' has shape [28, 7]", "an lstm");
        mentions(error(lstm2().meta("rnn4j.cell", "cnn")), "metadata rnn4j.cell = 'cnn' is not a cell");
        mentions(error(lstm2().meta("rnn4j.reset_before", "yes")), "metadata rnn4j.reset_before = 'yes'",
                "expected 0 or 1");
        mentions(error(lstm2().meta("rnn4j.merge", "sum")), "metadata rnn4j.merge = sum needs a bidirectional",
                "'rnn.weight_ih_l0_reverse'");
    }

    @Test
    void optionsOnTheWrongCell() throws Exception {
        mentions(error(lstm2(), LoadOptions.DEFAULTS.resetBefore(true)), "LoadOptions.resetBefore = true needs a gru",
                "'rnn.weight_hh_l0' has shape [28, 7]", "an lstm");
        RnnSpec gru = RnnSpec.builder(CellType.GRU, 5, 7).build();
        StateDict d = StateDict.rnn(gru, "", 2).random("weight_peephole_l0", 3, 21);
        mentions(error(d), "tensor 'weight_peephole_l0' (peepholes) belongs to an lstm", "[21, 7]", "a gru");
        StateDict p = StateDict.rnn(gru, "", 2).random("weight_hr_l0", 3, 3, 7);
        mentions(error(p), "tensor 'weight_hr_l0' (projection, weight_hr) belongs to an lstm");
    }

    @Test
    void projectionNotSmallerThanH() throws Exception {
        StateDict d = new StateDict().random("weight_ih_l0", 1, 28, 5).random("weight_hh_l0", 2, 28, 7)
                .random("weight_hr_l0", 3, 7, 7);
        mentions(error(d), "tensor 'weight_hr_l0' has shape [7, 7], expected (P, H) with 1 <= P < H");
    }

    // ------------------------------------------------------------------------ embedding, head, rest

    @Test
    void unknownTensors() throws Exception {
        StateDict d = lstm2().random("step_count", 1, 1).random("bar.weight", 2, 3, 3);
        mentions(error(d), "2 unknown tensors", "'step_count' [1] F32", "'bar.weight' [3, 3] F32",
                "LoadOptions.ignoreUnknown");
    }

    @Test
    void ambiguousHead() throws Exception {
        StateDict d = lstm2().random("fc1.weight", 1, 3, 7).random("fc1.bias", 2, 3).random("fc2.weight", 3, 3, 7)
                .random("fc2.bias", 4, 3);
        mentions(error(d), "ambiguous embedding/head", "head 'fc1.weight' [3, 7] F32 + bias",
                "head 'fc2.weight' [3, 7] F32 + bias", "O = 7", "LoadOptions.head");
    }

    @Test
    void aMatrixThatFitsBothEmbeddingAndHead() throws Exception {
        RnnSpec spec = RnnSpec.builder(CellType.GRU, 5, 5).build();
        StateDict d = StateDict.rnn(spec, "r.", 2).random("x.weight", 1, 8, 5);
        mentions(error(d), "ambiguous embedding/head", "{embedding 'x.weight' [8, 5] F32, no head}",
                "{no embedding, head 'x.weight' [8, 5] F32}", "I = 5", "LoadOptions.embedding");
    }

    @Test
    void namedModulesThatDoNotFit() throws Exception {
        mentions(error(lstm2(), LoadOptions.DEFAULTS.embedding("enc")), "no tensor 'enc.weight'",
                "LoadOptions.embedding = 'enc'");
        StateDict d = lstm2().random("encoder.weight", 1, 10, 4);
        mentions(error(d, LoadOptions.DEFAULTS.embedding("encoder")), "tensor 'encoder.weight' has shape [10, 4],"
                + " expected [10, 5]", "(V, I) with I = 5");
        StateDict h = lstm2().random("decoder.weight", 1, 3, 7).random("decoder.bias", 2, 4);
        mentions(error(h), "tensor 'decoder.bias' has shape [4], expected [3]", "(O)");
        StateDict eb = lstm2().random("emb.weight", 1, 10, 5).random("emb.bias", 2, 10);
        mentions(error(eb, LoadOptions.DEFAULTS.embedding("emb")), "tensor 'emb.bias' [10] F32",
                "cannot have a bias");
    }

    @Test
    void notASafetensorsFileIsTheReadersError() throws Exception {
        Path f = tmp.resolve("junk.safetensors");
        Files.writeString(f, "not a model");
        org.rnn4j.io.SafetensorsException e = assertThrows(org.rnn4j.io.SafetensorsException.class,
                () -> TorchModel.read(f, LoadOptions.DEFAULTS));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}
