package org.rnn4j.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.MergeMode;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.io.NamedTensor;
import org.rnn4j.io.Safetensors;
import org.rnn4j.io.SafetensorsFile;

/** Models built in Java, their export (names, order, metadata) and the validation of the factory. */
class TorchModelExportTest {
    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    static float[] random(long seed, int n) {
        return StateDict.random(new SplittableRandom(seed), n);
    }

    static TorchModel lm(RnnSpec spec) {
        int o = spec.outputSize();
        return TorchModel.of(new RnnWeights(spec).initUniform(1), random(2, 10 * spec.inputSize()), random(3, 10 * o),
                random(4, 10));
    }

    private TorchModel roundTrip(TorchModel m, LoadOptions o) throws Exception {
        Path f = tmp.resolve("m" + System.nanoTime() + ".safetensors");
        m.write(f);
        return TorchModel.read(f, o);
    }

    @Test
    void defaultNamesAreWordLanguageModels() throws Exception {
        TorchModel m = lm(RnnSpec.builder(CellType.LSTM, 4, 5).numLayers(2).build());
        List<String> names = new ArrayList<>();
        for (NamedTensor t : m.tensors()) {
            names.add(t.name() + " " + java.util.Arrays.toString(t.shape()));
        }
        assertEquals(List.of("encoder.weight [10, 4]",
                "rnn.weight_ih_l0 [20, 4]", "rnn.weight_hh_l0 [20, 5]", "rnn.bias_ih_l0 [20]", "rnn.bias_hh_l0 [20]",
                "rnn.weight_ih_l1 [20, 5]", "rnn.weight_hh_l1 [20, 5]", "rnn.bias_ih_l1 [20]", "rnn.bias_hh_l1 [20]",
                "decoder.weight [10, 5]", "decoder.bias [10]"), names);
        assertEquals(Map.of("format", "pt", "rnn4j.cell", "lstm", "rnn4j.rnn", "rnn.", "rnn4j.embedding", "encoder",
                "rnn4j.head", "decoder"), m.metadata());
        TorchModel back = roundTrip(m, LoadOptions.DEFAULTS);
        assertEquals(m.tensors(), back.tensors());
        assertEquals(m.spec(), back.spec());
    }

    @Test
    void renamedModelsExportUnderTheirNames() throws Exception {
        TorchModel m = lm(RnnSpec.builder(CellType.GRU, 3, 4).build()).withNames("model.lstm", "embed", "fc");
        assertEquals("model.lstm.", m.rnnPrefix());
        SafetensorsFile f = Safetensors.read(write(m));
        assertEquals(List.of("embed.weight", "model.lstm.weight_ih_l0", "model.lstm.weight_hh_l0",
                "model.lstm.bias_ih_l0", "model.lstm.bias_hh_l0", "fc.weight", "fc.bias"), f.names());
        TorchModel back = TorchModel.from(f, LoadOptions.DEFAULTS);
        assertEquals("embed", back.embeddingName());
        assertEquals("fc", back.headName());
        assertEquals(m.tensors(), back.tensors());
        assertThrows(IllegalArgumentException.class, () -> m.withNames("rnn.", "", "fc"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.withNames("", "x", "x"));
        assertTrue(e.getMessage().contains("not unique"), e.getMessage());
    }

    private Path write(TorchModel m) throws Exception {
        Path f = tmp.resolve("w" + System.nanoTime() + ".safetensors");
        m.write(f);
        return f;
    }

    /** What names and shapes cannot say travels in the metadata: no option is needed to read it back. */
    static Stream<RnnSpec> specsShapesCannotDescribe() {
        return Stream.of(
                RnnSpec.builder(CellType.RNN_RELU, 3, 4).numLayers(2).dropout(0.3).build(),
                RnnSpec.builder(CellType.GRU, 3, 4).resetBefore(true).bidirectional(true).build(),
                RnnSpec.builder(CellType.LSTM, 3, 4).bidirectional(true).merge(MergeMode.SUM).build(),
                RnnSpec.builder(CellType.LSTM, 3, 5).numLayers(2).direction(Direction.REVERSE).projSize(2)
                        .peephole(true).build());
    }

    @ParameterizedTest
    @MethodSource("specsShapesCannotDescribe")
    void metadataCarriesWhatShapesCannot(RnnSpec spec) throws Exception {
        TorchModel m = TorchModel.of(new RnnWeights(spec).initUniform(5), null, null, null);
        TorchModel back = roundTrip(m, LoadOptions.DEFAULTS);
        RnnSpec inference = spec.toBuilder().dropout(0).build();   // of() drops the training-only dropout
        assertEquals(inference, m.spec());
        assertEquals(inference, back.spec());
        assertEquals(m.tensors(), back.tensors());
    }

    @Test
    void aBiasFreeModelExportsWithoutBiases() throws Exception {
        RnnSpec spec = RnnSpec.builder(CellType.LSTM, 3, 4).build();
        StateDict d = StateDict.rnn(spec, "rnn.", 1).remove("rnn.bias_ih_l0").remove("rnn.bias_hh_l0");
        TorchModel m = TorchModel.from(d.file(tmp), LoadOptions.DEFAULTS);
        SafetensorsFile f = Safetensors.read(write(m));
        assertEquals(List.of("rnn.weight_ih_l0", "rnn.weight_hh_l0"), f.names());
        assertFalse(roundTrip(m, LoadOptions.DEFAULTS).hasRnnBias());
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNothingElse() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("out"));
        Path f = dir.resolve("model.safetensors");
        Files.writeString(f, "old");
        TorchModel m = lm(RnnSpec.builder(CellType.GRU, 3, 4).build());
        m.write(f);
        assertEquals(m.tensors(), TorchModel.read(f, LoadOptions.DEFAULTS).tensors());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
    }

    @Test
    void theModelOwnsCopies() {
        RnnSpec spec = RnnSpec.builder(CellType.GRU, 2, 3).build();
        RnnWeights w = new RnnWeights(spec).initUniform(1);
        float[] emb = random(2, 8);
        float[] hw = random(3, 6);
        float[] hb = random(4, 2);
        TorchModel m = TorchModel.of(w, emb, hw, hb);
        List<NamedTensor> before = m.tensors();
        w.weightIh(0)[0] = 42;
        emb[0] = 42;
        hw[0] = 42;
        hb[0] = 42;
        m.embeddingWeight()[1] = 42;
        m.headWeight()[1] = 42;
        m.headBias()[1] = 42;
        m.rnnWeights().weightHh(0)[0] = 42;
        assertEquals(before, m.tensors());
    }

    @Test
    void theFactoryValidatesEveryArgument() {
        RnnSpec spec = RnnSpec.builder(CellType.LSTM, 4, 3).bidirectional(true).build();   // I = 4, O_rnn = 6
        RnnWeights w = new RnnWeights(spec).initUniform(1);
        assertMessage(() -> TorchModel.of(null, null, null, null), "weights must not be null");
        assertMessage(() -> TorchModel.of(w, new float[10], null, null), "embedding has 10 elements",
                "(V, I) with I = 4", "multiple of 4");
        assertMessage(() -> TorchModel.of(w, new float[0], null, null), "embedding has 0 elements");
        assertMessage(() -> TorchModel.of(w, null, new float[8], null), "headWeight has 8 elements", "(O, 6)");
        assertMessage(() -> TorchModel.of(w, null, new float[12], new float[3]), "headBias has 3 elements",
                "expected (O) = 2");
        assertMessage(() -> TorchModel.of(w, null, null, new float[2]), "headBias must be null");
        float[] bad = new float[12];
        bad[7] = Float.POSITIVE_INFINITY;
        assertMessage(() -> TorchModel.of(w, null, bad, null), "headWeight[7] = Infinity");
        RnnWeights nan = new RnnWeights(spec);
        nan.biasHh(0, 1)[2] = Float.NaN;
        assertMessage(() -> TorchModel.of(nan, null, null, null), "bias_hh_l0_reverse[2]");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void describeNamesEveryPart() {
        RnnSpec spec = RnnSpec.builder(CellType.RNN_RELU, 2, 3).build();
        TorchModel m = TorchModel.of(new RnnWeights(spec), null, new float[6], null).withNames("", "e", "out");
        assertEquals("'' rnn_relu(I=2, H=3, L=1) -> head 'out' (3 -> 2, no bias)", m.describe());
        assertArrayEquals(new float[6], m.headWeight());
    }
}
