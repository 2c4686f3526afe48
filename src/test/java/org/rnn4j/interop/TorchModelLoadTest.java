package org.rnn4j.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.MergeMode;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.lm.Checkpoint;
import org.rnn4j.lm.LanguageModel;
import org.rnn4j.lm.Trainer;
import org.rnn4j.nn.Params;
import org.rnn4j.text.CharTokenizer;
import org.rnn4j.text.Tokenizer;
import org.rnn4j.train.Adam;
import org.rnn4j.train.LrSchedule;

/** What loading infers from names and shapes, and how options and metadata steer it. */
class TorchModelLoadTest {
    @TempDir
    Path tmp;

    private TorchModel load(StateDict d, LoadOptions o) throws Exception {
        return TorchModel.from(d.file(tmp), o);
    }

    private TorchModel load(StateDict d) throws Exception {
        return load(d, LoadOptions.DEFAULTS);
    }

    private static RnnSpec.Builder lstm(int in, int hidden) {
        return RnnSpec.builder(CellType.LSTM, in, hidden);
    }

    @Test
    void bareModuleGivesTheSpecAndTheValues() throws Exception {
        RnnSpec spec = lstm(5, 7).numLayers(2).build();
        StateDict d = StateDict.rnn(spec, "", 1);
        TorchModel m = load(d);
        assertEquals(spec, m.spec());
        assertEquals("", m.rnnPrefix());
        assertFalse(m.hasEmbedding());
        assertFalse(m.hasHead());
        assertTrue(m.hasRnnBias());
        assertEquals(7, m.outputSize());
        RnnWeights w = m.rnnWeights();
        for (String n : w.names()) {
            assertArrayEquals(d.floats(n), w.get(n), n);
        }
    }

    @Test
    void prefixesOfAnyDepth() throws Exception {
        for (String prefix : new String[] {"rnn.", "lstm.", "model.encoder.rnn."}) {
            RnnSpec spec = RnnSpec.builder(CellType.GRU, 4, 6).build();
            TorchModel m = load(StateDict.rnn(spec, prefix, 2));
            assertEquals(prefix, m.rnnPrefix());
            assertEquals(spec, m.spec());
        }
    }

    @Test
    void directionsProjectionAndPeepholesFromTheNames() throws Exception {
        RnnSpec bi = lstm(5, 8).numLayers(2).bidirectional(true).projSize(3).build();
        assertEquals(bi, load(StateDict.rnn(bi, "rnn.", 3)).spec());
        RnnSpec rev = RnnSpec.builder(CellType.GRU, 5, 4).numLayers(2).direction(Direction.REVERSE).build();
        assertEquals(rev, load(StateDict.rnn(rev, "rnn.", 4)).spec());
        RnnSpec peep = lstm(3, 5).peephole(true).bidirectional(true).build();
        assertEquals(peep, load(StateDict.rnn(peep, "", 5)).spec());
    }

    @Test
    void noBiasTensorsAtAllIsPyTorchBiasFalse() throws Exception {
        RnnSpec spec = RnnSpec.builder(CellType.RNN_TANH, 3, 4).numLayers(2).bidirectional(true).build();
        StateDict d = StateDict.rnn(spec, "rnn.", 6);
        for (String n : d.names()) {
            if (n.contains("bias_")) {
                d.remove(n);
            }
        }
        TorchModel m = load(d);
        assertFalse(m.hasRnnBias());
        RnnWeights w = m.rnnWeights();
        assertArrayEquals(new float[4], w.biasIh(1, 1));
        assertArrayEquals(new float[4], w.biasHh(0, 0));
        assertArrayEquals(d.floats("rnn.weight_hh_l1_reverse"), w.weightHh(1, 1));
        for (org.rnn4j.io.NamedTensor t : m.tensors()) {
            assertFalse(t.name().contains("bias"), "exported without biases: " + t.name());
        }
    }

    @Test
    void halfBfloatAndDoubleTensorsAreConverted() throws Exception {
        RnnSpec spec = RnnSpec.builder(CellType.RNN_TANH, 2, 2).build();
        StateDict d = StateDict.rnn(spec, "", 7);
        // F16 0x3800 = 0.5, 0xB400 = -0.25, 0x3C00 = 1, 0x0001 = 2^-24 (subnormal)
        d.raw("weight_ih_l0", "F16", new int[] {2, 2}, le16(0x3800, 0xB400, 0x3C00, 0x0001));
        // BF16: the upper halves of the floats 1.5, -2, 0.375, 0
        d.raw("weight_hh_l0", "BF16", new int[] {2, 2}, le16(bf(1.5f), bf(-2f), bf(0.375f), bf(0f)));
        d.putDoubles("bias_ih_l0", new double[] {0.1, -1e-3}, 2);
        RnnWeights w = load(d).rnnWeights();
        assertArrayEquals(new float[] {0.5f, -0.25f, 1f, 0x1p-24f}, w.weightIh(0));
        assertArrayEquals(new float[] {1.5f, -2f, 0.375f, 0f}, w.weightHh(0));
        assertArrayEquals(new float[] {(float) 0.1, (float) -1e-3}, w.biasIh(0));
    }

    static int bf(float f) {
        return Float.floatToIntBits(f) >>> 16;
    }

    static byte[] le16(int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }

    @Test
    void wordLanguageModelNames() throws Exception {
        RnnSpec spec = RnnSpec.builder(CellType.GRU, 6, 7).build();
        StateDict d = new StateDict().random("encoder.weight", 1, 11, 6);
        StateDict r = StateDict.rnn(spec, "rnn.", 8);
        for (String n : r.names()) {
            d.put(n, r.floats(n), new RnnWeights(spec).shape(n.substring(4)));
        }
        d.random("decoder.weight", 2, 11, 7).random("decoder.bias", 3, 11);
        TorchModel m = load(d);
        assertEquals("encoder", m.embeddingName());
        assertEquals(11, m.vocabSize());
        assertArrayEquals(d.floats("encoder.weight"), m.embeddingWeight());
        assertEquals("decoder", m.headName());
        assertEquals(11, m.outputSize());
        assertArrayEquals(d.floats("decoder.weight"), m.headWeight());
        assertArrayEquals(d.floats("decoder.bias"), m.headBias());
        assertEquals("embedding 'encoder' (V=11) -> 'rnn.' gru(I=6, H=7, L=1) -> head 'decoder' (7 -> 11)", m.describe());
    }

    @Test
    void embeddingFcAndAHeadWithoutBias() throws Exception {
        RnnSpec spec = lstm(4, 5).build();
        StateDict d = StateDict.rnn(spec, "lstm.", 9).random("embedding.weight", 1, 9, 4).random("fc.weight", 2, 3, 5);
        TorchModel m = load(d);
        assertEquals("embedding", m.embeddingName());
        assertEquals("fc", m.headName());
        assertFalse(m.hasHeadBias());
        assertNull(m.headBias());
    }

    @Test
    void unusualNamesResolvedByTheOnlyConsistentReading() throws Exception {
        // I = O = 5: 'a' (no bias) could be either; 'b' has a bias, so only a head. Reading {a, b} uses both.
        RnnSpec spec = RnnSpec.builder(CellType.GRU, 5, 5).build();
        StateDict d = StateDict.rnn(spec, "r.", 10).random("a.weight", 1, 8, 5).random("b.weight", 2, 3, 5)
                .random("b.bias", 3, 3);
        TorchModel m = load(d);
        assertEquals("a", m.embeddingName());
        assertEquals("b", m.headName());
    }

    @Test
    void optionsPickWhatTheShapesLeaveOpen() throws Exception {
        RnnSpec spec = RnnSpec.builder(CellType.GRU, 5, 5).build();
        // a lone bias-free (8, 5) matrix with I = O = 5: embedding or head? The option says.
        StateDict d = StateDict.rnn(spec, "r.", 11).random("x.weight", 1, 8, 5);
        assertEquals("x", load(d, LoadOptions.DEFAULTS.embedding("x")).embeddingName());
        TorchModel h = load(d, LoadOptions.DEFAULTS.head("x."));
        assertEquals("x", h.headName());
        assertFalse(h.hasEmbedding());
        assertEquals(8, h.outputSize());
        TorchModel none = load(d, LoadOptions.DEFAULTS.noEmbedding().noHead().ignoreUnknown(true));
        assertFalse(none.hasEmbedding() || none.hasHead());

        // two RNNs: the prefix option picks one, the other is then unknown
        StateDict two = StateDict.rnn(spec, "a.", 12);
        StateDict b = StateDict.rnn(RnnSpec.builder(CellType.LSTM, 3, 4).build(), "b.", 13);
        for (String n : b.names()) {
            two.put(n, b.floats(n), new RnnWeights(RnnSpec.builder(CellType.LSTM, 3, 4).build()).shape(n.substring(2)));
        }
        TorchModel pick = load(two, LoadOptions.DEFAULTS.rnnPrefix("b").ignoreUnknown(true));
        assertEquals("b.", pick.rnnPrefix());
        assertEquals(CellType.LSTM, pick.spec().cell());
    }

    @Test
    void cellHintsAndMetadataGiveTheNonlinearityAndTheGruVariant() throws Exception {
        RnnSpec tanh = RnnSpec.builder(CellType.RNN_TANH, 3, 4).build();
        StateDict d = StateDict.rnn(tanh, "", 14);
        assertEquals(CellType.RNN_TANH, load(d).spec().cell(), "default: tanh");
        assertEquals(CellType.RNN_RELU, load(d, LoadOptions.DEFAULTS.cell(CellHint.RNN_RELU)).spec().cell());
        assertEquals(CellType.RNN_TANH, load(d, LoadOptions.DEFAULTS.cell(CellHint.RNN)).spec().cell());
        d.meta("rnn4j.cell", "rnn_relu");
        assertEquals(CellType.RNN_RELU, load(d).spec().cell());
        assertEquals(CellType.RNN_RELU, load(d, LoadOptions.DEFAULTS.cell(CellHint.RNN)).spec().cell());
        // an rnn4j language-model checkpoint keeps its cell as model.cell
        StateDict lm = StateDict.rnn(tanh, "rnn.", 15).meta("format", "rnn4j-lm/1").meta("model.cell", "rnn_relu");
        assertEquals(CellType.RNN_RELU, load(lm).spec().cell());

        RnnSpec gru = RnnSpec.builder(CellType.GRU, 3, 4).build();
        StateDict g = StateDict.rnn(gru, "", 16);
        assertFalse(load(g).spec().resetBefore());
        assertTrue(load(g, LoadOptions.DEFAULTS.resetBefore(true)).spec().resetBefore());
        g.meta("rnn4j.reset_before", "1");
        assertTrue(load(g).spec().resetBefore());
        assertFalse(load(g, LoadOptions.DEFAULTS.resetBefore(false)).spec().resetBefore(), "the option wins");
    }

    @Test
    void mergeSumFromMetadataAndLayoutFromTheOptions() throws Exception {
        RnnSpec sum = lstm(3, 4).numLayers(2).bidirectional(true).merge(MergeMode.SUM).build();
        StateDict d = StateDict.rnn(sum, "rnn.", 17).meta("rnn4j.merge", "sum");
        assertEquals(sum, load(d).spec());
        assertEquals(sum.toBuilder().batchFirst(true).build(), load(d, LoadOptions.DEFAULTS.batchFirst(true)).spec());
    }

    @Test
    void anRnn4jLanguageModelCheckpointLoadsWithIgnoreUnknown() throws Exception {
        Tokenizer tok = CharTokenizer.fit("abcdefgh ijkl\n");
        LanguageModel.Config c = new LanguageModel.Config(CellType.LSTM, tok.vocabSize(), 6, 8, 2, 0.1);
        LanguageModel lm = new LanguageModel(c, Kernels.get()).init(3);
        Adam adam = new Adam(0.9, 0.999, 1e-8, 0);
        Trainer.Settings settings = new Trainer.Settings(5, 2, 1, 1.0, 9);
        int[] ids = tok.encode("abc defg hijkl abc defg hijkl abc defg hijkl\nabc defg\n");
        int[] train = Trainer.batchify(ids, 0, ids.length, 2);
        Trainer.Listener quiet = new Trainer.Listener() {
            @Override
            public void step(Trainer.Position pos, int chunksPerEpoch, double loss, double lr, int tokens) {}

            @Override
            public void epoch(Trainer.Position pos, double trainLoss, double valLoss) {}
        };
        Trainer.Position pos = new Trainer(lm, adam, LrSchedule.constant(1e-2), settings, new LanguageModel.Workspace())
                .run(train, train, new Trainer.Position(), quiet, 2);
        Path file = tmp.resolve("lm.safetensors");
        Checkpoint.save(file, lm, tok, adam, LrSchedule.constant(1e-2), settings, pos, Map.of());

        ModelFormatException e = org.junit.jupiter.api.Assertions.assertThrows(ModelFormatException.class,
                () -> TorchModel.read(file, LoadOptions.DEFAULTS));
        assertTrue(e.getMessage().contains("unknown tensor") && e.getMessage().contains("optimizer.")
                && e.getMessage().contains("LoadOptions.ignoreUnknown"), e.getMessage());

        TorchModel m = TorchModel.read(file, LoadOptions.DEFAULTS.ignoreUnknown(true));
        Params p = lm.params();
        assertEquals("encoder", m.embeddingName());
        assertEquals("decoder", m.headName());
        assertEquals("rnn.", m.rnnPrefix());
        assertEquals(c.rnnSpec().toBuilder().dropout(0).build(), m.spec());
        assertArrayEquals(p.value("encoder.weight"), m.embeddingWeight());
        assertArrayEquals(p.value("decoder.weight"), m.headWeight());
        assertArrayEquals(p.value("decoder.bias"), m.headBias());
        RnnWeights w = m.rnnWeights();
        for (String n : w.names()) {
            assertArrayEquals(p.value("rnn." + n), w.get(n), n);
        }
    }
}
