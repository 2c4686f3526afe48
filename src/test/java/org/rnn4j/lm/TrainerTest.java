package org.rnn4j.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.cell.CellType;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.nn.Params;
import org.rnn4j.text.CharTokenizer;
import org.rnn4j.text.Tokenizer;
import org.rnn4j.train.Adam;
import org.rnn4j.train.LrSchedule;
import org.rnn4j.train.Optimizer;

/** Training: a stopped and resumed run equals an uninterrupted one bit for bit; the loss falls. */
class TrainerTest {
    @TempDir
    Path dir;

    private static final Trainer.Listener QUIET = new Trainer.Listener() {
        @Override
        public void step(Trainer.Position pos, int chunksPerEpoch, double loss, double lr, int tokens) {}

        @Override
        public void epoch(Trainer.Position pos, double trainLoss, double valLoss) {}
    };

    static String text() {
        // a small language with structure (repeated words) so that the loss can fall
        String[] words = {"the ", "cat ", "sat ", "on ", "a ", "mat. ", "dog ", "ran\n"};
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 6000) {
            sb.append(words[r.nextInt(words.length)]);
        }
        return sb.toString();
    }

    private record Run(LanguageModel model, Optimizer optimizer, LrSchedule schedule, Trainer.Settings settings) {}

    private static Run fresh(Tokenizer tok, long totalSteps) {
        LanguageModel.Config c = new LanguageModel.Config(CellType.LSTM, tok.vocabSize(), 6, 12, 2, 0.25);
        LanguageModel m = new LanguageModel(c, Kernels.get()).init(3);
        return new Run(m, new Adam(0.9, 0.999, 1e-8, 0), LrSchedule.cosine(2e-2, 5, totalSteps, 0),
                new Trainer.Settings(10, 4, 2, 1.0, 9));
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOneBitForBit() throws Exception {
        String text = text();
        Tokenizer tok = CharTokenizer.fit(text);
        int[] ids = tok.encode(text);
        int split = ids.length * 9 / 10;
        int[] train = Trainer.batchify(ids, 0, split, 4);
        int[] val = Trainer.batchify(ids, split, ids.length, 4);

        int perEpoch = Trainer.chunks(train.length / 4, 10);
        Run a = fresh(tok, 2L * perEpoch);
        Trainer.Position whole = new Trainer(a.model, a.optimizer, a.schedule, a.settings,
                new LanguageModel.Workspace()).run(train, val, new Trainer.Position(), QUIET, Long.MAX_VALUE);
        assertEquals(2 * perEpoch, whole.steps);

        // stop in the middle of epoch 1 and again in epoch 2, going through the file each time
        Run b = fresh(tok, 2L * perEpoch);
        Trainer.Position pos = new Trainer(b.model, b.optimizer, b.schedule, b.settings,
                new LanguageModel.Workspace()).run(train, val, new Trainer.Position(), QUIET, perEpoch / 2);
        Path file = dir.resolve("ckpt.safetensors");
        for (long stop : new long[] {perEpoch, Long.MAX_VALUE}) {
            Checkpoint.save(file, b.model, tok, b.optimizer, b.schedule, b.settings, pos, Map.of());
            Checkpoint.Loaded c = Checkpoint.load(file, Kernels.get());
            b = new Run(c.model, c.optimizer, c.schedule, c.settings);
            pos = new Trainer(c.model, c.optimizer, c.schedule, c.settings, new LanguageModel.Workspace())
                    .run(train, val, c.position, QUIET, stop);
        }
        assertEquals(whole.steps, pos.steps);
        assertArrayEquals(Arrays.copyOf(whole.stepLoss, whole.steps), Arrays.copyOf(pos.stepLoss, pos.steps),
                "per-step losses");
        assertArrayEquals(whole.valLoss, pos.valLoss, "validation losses");
        Params pa = a.model.params();
        Params pb = b.model.params();
        for (String n : pa.names()) {
            assertArrayEquals(pa.value(n), pb.value(n), n);
        }
        // and it learned: validation loss clearly below the unigram (character frequency) baseline
        double unigram = org.rnn4j.text.Corpus.unigramEntropyNats(ids, 0, split, split, ids.length - split,
                tok.vocabSize());
        assertTrue(whole.valLoss[1] < 0.9 * unigram, "val " + whole.valLoss[1] + " vs unigram " + unigram);
    }

    @Test
    void checkpointRejectsForeignAndDamagedFiles() throws Exception {
        Path notSafetensors = dir.resolve("x.safetensors");
        Files.writeString(notSafetensors, "hello");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.load(notSafetensors, Kernels.get()));
        assertTrue(e.getMessage().contains("is not a valid safetensors file"), e.getMessage());
        Path foreign = dir.resolve("y.safetensors");
        org.rnn4j.io.Safetensors.write(foreign, java.util.List.of(), Map.of("format", "pt"));
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.load(foreign, Kernels.get()));
        assertTrue(e.getMessage().contains("not an rnn4j language-model checkpoint"), e.getMessage());
    }

    /**
     * A valid file whose metadata lies about the architecture: the claimed sizes are checked against
     * the tensors before anything of the claimed size is allocated, so a claim of a 10⁸-element
     * matrix is a one-line error (it used to be an OutOfMemoryError).
     */
    @Test
    void checkpointWithLyingMetadataIsRefusedBeforeAllocating() throws Exception {
        org.rnn4j.text.CharTokenizer tok = org.rnn4j.text.CharTokenizer.fit("abcab");
        LanguageModel m = new LanguageModel(new LanguageModel.Config(org.rnn4j.cell.CellType.LSTM, tok.vocabSize(),
                4, 5, 1, 0.0), Kernels.get()).init(1);
        Path file = dir.resolve("ok.safetensors");
        Checkpoint.save(file, m, tok, null, null, null, null, Map.of());
        org.rnn4j.io.SafetensorsFile f = org.rnn4j.io.Safetensors.read(file);
        Map<String, String> meta = new java.util.HashMap<>(f.metadata());
        meta.put("model.hidden_size", "5000");
        Path lying = dir.resolve("lying.safetensors");
        org.rnn4j.io.Safetensors.write(lying, f.tensors().values(), meta);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.load(lying, Kernels.get()));
        assertTrue(e.getMessage().contains("tensor 'rnn.weight_ih_l0' has shape [20, 4], expected [20000, 4] (from the model.* metadata)"),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
