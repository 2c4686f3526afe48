package org.rnn4j.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.cell.CellType;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

/** The Java-facing training run: deterministic, resumable, and its config checked. */
class TrainingRunTest {
    @TempDir
    Path dir;

    private static String text() {
        return TrainerTest.text();
    }

    static TrainingConfig small() {
        return TrainingConfig.builder().hidden(12).embedding(6).seqLen(8).batch(4).epochs(2).dropout(0.1)
                .layers(2).cell(CellType.GRU).seed(9).build();
    }

    @Test
    void theSameSeedGivesBitwiseTheSameLossCurve() {
        List<Double> seen = new ArrayList<>();
        Trainer.Listener record = new Trainer.Listener() {
            @Override
            public void step(Trainer.Position pos, int chunksPerEpoch, double loss, double lr, int tokens) {
                seen.add(loss);
            }

            @Override
            public void epoch(Trainer.Position pos, double trainLoss, double valLoss) {}
        };
        TrainingRun.Result a = TrainingRun.start(small(), text(), Kernels.get()).run(Parallelism.SERIAL, record,
                Long.MAX_VALUE);
        TrainingRun run = TrainingRun.start(small(), text(), Kernels.get());
        TrainingRun.Result b = run.run(Parallelism.SERIAL, TrainingRun.SILENT, Long.MAX_VALUE);
        assertEquals(2 * run.chunksPerEpoch(), a.stepLoss().length);
        assertEquals(run.totalSteps(), a.stepLoss().length);
        assertArrayEquals(a.stepLoss(), b.stepLoss());
        assertArrayEquals(a.valLoss(), b.valLoss());
        assertEquals(2, a.valLoss().length);
        for (String name : a.model().params().names()) {
            assertArrayEquals(a.model().params().value(name), b.model().params().value(name), name);
        }
        double[] viaListener = seen.stream().mapToDouble(Double::doubleValue).toArray();
        assertArrayEquals(a.stepLoss(), viaListener, "the listener sees each step's loss");
        assertTrue(a.valLoss()[1] < a.valLoss()[0], "the loss falls");
        assertEquals(a.baseline(), run.baseline());
    }

    @Test
    void aStoppedRunResumedFromItsCheckpointEqualsAnUninterruptedOne() throws Exception {
        TrainingRun.Result full = TrainingRun.start(small(), text(), Kernels.get())
                .run(Parallelism.SERIAL, TrainingRun.SILENT, Long.MAX_VALUE);
        TrainingRun part = TrainingRun.start(small(), text(), Kernels.get());
        part.run(Parallelism.SERIAL, TrainingRun.SILENT, 30);
        Path file = dir.resolve("m.safetensors");
        part.saveCheckpoint(file, "test");
        Checkpoint.Loaded c = Checkpoint.load(file, Kernels.get());
        assertEquals(TrainingRun.sha256(text()), c.metadata.get("data.sha256"));
        assertEquals("test", c.metadata.get("data.source"));
        TrainingRun.Result resumed = TrainingRun.resume(c, text(), 0).run(Parallelism.SERIAL, TrainingRun.SILENT,
                Long.MAX_VALUE);
        assertArrayEquals(full.stepLoss(), resumed.stepLoss());
        assertArrayEquals(full.valLoss(), resumed.valLoss());
    }

    @Test
    void badInput() {
        assertEquals("hidden must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().hidden(0).build())
                        .getMessage());
        assertEquals("tokenizer must be char or word, got 'bpe'",
                assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().tokenizer("bpe").build())
                        .getMessage());
        assertEquals("nesterov needs momentum > 0",
                assertThrows(IllegalArgumentException.class,
                        () -> TrainingConfig.builder().optimizer("sgd").nesterov(true).build()).getMessage());
        assertEquals("valFraction must be in [0.001, 0.5], got 0.7",
                assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().valFraction(0.7).build())
                        .getMessage());
        TrainingConfig wide = TrainingConfig.builder().batch(1000).build();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainingRun.start(wide, text(), Kernels.get()))
                .getMessage().startsWith("the text is too short for --batch 1000"));
    }
}
