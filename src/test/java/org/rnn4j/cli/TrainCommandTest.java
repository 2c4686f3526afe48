package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.cell.CellType;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;
import org.rnn4j.lm.Checkpoint;
import org.rnn4j.lm.TrainingConfig;
import org.rnn4j.lm.TrainingRun;
import org.rnn4j.text.Corpus;

/**
 * {@code rnn4j train} and {@code rnn4j sample} end to end on a small text, their error handling, and
 * the command giving what {@link TrainingRun} gives a Java caller.
 */
class TrainCommandTest {
    @TempDir
    Path dir;
    private final Cli cli = new Cli();
    private final ByteArrayOutputStream out = cli.out;
    private final ByteArrayOutputStream err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8).strip();
    }

    private Path smallText() throws Exception {
        String[] words = {"the ", "cat ", "sat ", "on ", "a ", "mat. ", "dog ", "ran\n"};
        SplittableRandom r = new SplittableRandom(1);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 4000) {
            sb.append(words[r.nextInt(words.length)]);
        }
        Path f = dir.resolve("small.txt");
        Files.writeString(f, sb.toString());
        return f;
    }

    @Test
    void trainsWritesItsFilesAndSamples() throws Exception {
        Path text = smallText();
        Path o = dir.resolve("run");
        assertEquals(0, run("train", "--text", text.toString(), "--hidden", "16", "--emb", "8", "--seq", "8",
                "--batch", "4", "--epochs", "2", "--out", o.toString(), "--sample-length", "40", "--threads", "1"), err());
        String s = out();
        assertTrue(s.contains("unigram baseline on the validation text"), s);
        assertTrue(s.contains("epoch 2/2: train"), s);
        assertTrue(s.contains("--- sample"), s);
        assertTrue(Files.size(o.resolve("model.safetensors")) > 0);
        String csv = Files.readString(o.resolve("losses.csv"));
        assertTrue(csv.startsWith("step,epoch,train_loss,val_loss\n"), csv);
        assertTrue(Files.readString(o.resolve("loss.svg")).startsWith("<svg"));
        // not a terminal: plain log lines, no carriage returns
        assertTrue(!s.contains("\r"), "control characters in non-terminal output");

        assertEquals(0, run("sample", "--model", o.resolve("model.safetensors").toString(), "--prime", "the ",
                "--length", "30", "--seed", "3"), err());
        assertTrue(out().startsWith("the "), out());
        String first = out();
        run("sample", "--model", o.resolve("model.safetensors").toString(), "--prime", "the ", "--length", "30",
                "--seed", "3");
        assertEquals(first, out(), "same seed, same sample");
    }

    @Test
    void resumeContinuesTheSameRun() throws Exception {
        Path text = smallText();
        String[] common = {"--text", text.toString(), "--hidden", "12", "--emb", "6", "--seq", "8", "--batch", "4",
            "--sample-length", "0", "--threads", "1"};
        Path full = dir.resolve("full");
        assertEquals(0, run(concat(new String[] {"train", "--epochs", "2", "--out", full.toString()}, common)), err());
        Path part = dir.resolve("part");
        assertEquals(0, run(concat(new String[] {"train", "--epochs", "2", "--max-steps", "50", "--out",
            part.toString()}, common)), err());
        assertEquals(0, run("train", "--resume", part.resolve("model.safetensors").toString(), "--text",
                text.toString(), "--out", part.toString(), "--sample-length", "0", "--threads", "1"), err());
        assertTrue(out().contains("resuming at epoch"), out());
        assertEquals(Files.readString(full.resolve("losses.csv")), Files.readString(part.resolve("losses.csv")));
    }

    @Test
    void theCommandIsTheJavaTrainingRun() throws Exception {
        Path text = smallText();
        Path o = dir.resolve("cli");
        assertEquals(0, run("train", "--text", text.toString(), "--cell", "gru", "--hidden", "12", "--emb", "6",
                "--seq", "8", "--batch", "4", "--epochs", "2", "--optimizer", "sgd", "--momentum", "0.5",
                "--schedule", "step", "--seed", "5", "--out", o.toString(), "--sample-length", "0",
                "--threads", "1"), err());
        TrainingConfig config = TrainingConfig.builder().cell(CellType.GRU).hidden(12).embedding(6).seqLen(8)
                .batch(4).epochs(2).optimizer("sgd").momentum(0.5).schedule("step").seed(5).build();
        TrainingRun.Result java = TrainingRun.start(config, Corpus.read(text), Kernels.get())
                .run(Parallelism.SERIAL, TrainingRun.SILENT, Long.MAX_VALUE);
        Checkpoint.Loaded c = Checkpoint.load(o.resolve("model.safetensors"), Kernels.get());
        assertArrayEquals(java.stepLoss(), Arrays.copyOf(c.position.stepLoss, c.position.steps));
        assertArrayEquals(java.valLoss(), c.position.valLoss);
        for (String name : java.model().params().names()) {
            assertArrayEquals(java.model().params().value(name), c.model.params().value(name), name);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void badInputGivesOneLineAndANonZeroExitCode() throws Exception {
        assertEquals(1, run("train", "--text", dir.resolve("missing.txt").toString()));
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().startsWith("rnn4j train: "), err());

        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "");
        assertEquals(1, run("train", "--text", empty.toString()));
        assertEquals(1, err().lines().count(), err());

        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9, ' ', 'x'});
        assertEquals(1, run("train", "--text", latin1.toString()));
        assertTrue(err().contains("UTF-8"), err());

        assertEquals(2, run("train", "--hidden", "0"));
        assertEquals("rnn4j train: --hidden must be >= 1, got 0", err());
        assertEquals(2, run("train", "--optimizer", "rmsprop"));
        assertEquals("rnn4j train: --optimizer must be sgd, adam, adamw or adagrad, got 'rmsprop'", err());
        assertEquals(2, run("train", "--lr", "fast"));
        assertEquals("rnn4j train: --lr must be a number, got 'fast'", err());
        assertEquals(2, run("train", "--bogus"));
        assertEquals("rnn4j train: unknown option '--bogus' (try rnn4j train --help)", err());

        Path junk = dir.resolve("junk.safetensors");
        Files.writeString(junk, "not a model");
        assertEquals(1, run("sample", "--model", junk.toString()));
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().contains("is not a valid safetensors file"), err());
        assertEquals(1, run("sample", "--model", dir.resolve("nope.safetensors").toString()));
        assertEquals(1, err().lines().count(), err());
        assertEquals(2, run("sample"));
        assertEquals("rnn4j sample: --model is required (a model.safetensors written by rnn4j train)", err());

        assertEquals(0, run("train", "--help"));
        assertTrue(out().startsWith("usage: rnn4j train"));
        assertEquals(0, run("sample", "--help"));
        assertTrue(out().startsWith("usage: rnn4j sample"));
    }
}
