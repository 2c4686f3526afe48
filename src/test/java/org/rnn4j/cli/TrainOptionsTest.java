package org.rnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.rnn4j.cell.CellType;
import org.rnn4j.lm.TrainingConfig;

/** {@code rnn4j train}'s options: defaults, every option read into its field, and the messages for bad values. */
class TrainOptionsTest {
    private static TrainOptions parse(String... options) {
        String[] argv = new String[options.length + 1];
        argv[0] = "train";
        System.arraycopy(options, 0, argv, 1, options.length);
        return TrainOptions.parse(new Args("train", argv, TrainCommand.VALUED, TrainCommand.FLAGS));
    }

    private static String error(String... options) {
        // IllegalArgumentException from Args, TrainCommand.UsageException from TrainOptions: both exit code 2
        return assertThrows(RuntimeException.class, () -> parse(options)).getMessage();
    }

    @Test
    void noOptionsAreTheDefaults() {
        TrainOptions o = parse();
        assertEquals(TrainingConfig.defaults(), o.config());
        TrainingConfig c = o.config();
        assertEquals("char", c.tokenizer());
        assertEquals(2, c.minFreq());
        assertEquals(0.1, c.valFraction());
        assertEquals(CellType.LSTM, c.cell());
        assertEquals(256, c.hidden());
        assertEquals(1, c.layers());
        assertEquals(64, c.embedding());
        assertEquals(0.0, c.dropout());
        assertEquals(64, c.seqLen());
        assertEquals(32, c.batch());
        assertEquals(3, c.epochs());
        assertEquals("adam", c.optimizer());
        assertNull(c.lr());
        assertEquals(0.0, c.momentum());
        assertFalse(c.nesterov());
        assertNull(c.weightDecay());
        assertEquals("cosine", c.schedule());
        assertNull(c.warmup());
        assertNull(c.stepSize());
        assertEquals(0.5, c.gamma());
        assertEquals(1.0, c.clip());
        assertEquals(1L, c.seed());

        assertNull(o.resume());
        assertEquals(0, o.resumeEpochs());
        assertNull(o.text());
        assertEquals(Path.of("rnn4j-out"), o.out());
        assertEquals(Math.min(2, Runtime.getRuntime().availableProcessors()), o.threads());
        assertEquals(Long.MAX_VALUE, o.maxSteps());
        assertEquals(0, o.checkpointEvery());
        assertNull(o.sampleLength());
        assertEquals(0.8, o.temperature());
        assertEquals("0.8", o.temperatureText());
        assertEquals(0, o.topK());
        assertEquals("", o.prime());
    }

    @Test
    void everyOptionReachesItsField() {
        TrainOptions o = parse("--text", "t.txt", "--tokenizer", "word", "--min-freq", "3", "--val-fraction", "0.2",
                "--cell", "gru", "--hidden", "12", "--layers", "2", "--emb", "5", "--dropout", "0.25",
                "--seq", "9", "--batch", "7", "--epochs", "4", "--optimizer", "sgd", "--lr", "0.5",
                "--momentum", "0.9", "--nesterov", "--weight-decay", "0.001", "--schedule", "step",
                "--step-size", "11", "--gamma", "0.3", "--clip", "2.5", "--seed", "-42", "--threads", "1",
                "--max-steps", "99", "--out", "o", "--checkpoint-every", "13", "--sample-length", "17",
                "--temperature", "1.50", "--top-k", "6", "--prime", "It is", "--debug");
        TrainingConfig expected = TrainingConfig.builder().tokenizer("word").minFreq(3).valFraction(0.2)
                .cell(CellType.GRU).hidden(12).layers(2).embedding(5).dropout(0.25).seqLen(9).batch(7).epochs(4)
                .optimizer("sgd").lr(0.5).momentum(0.9).nesterov(true).weightDecay(0.001).schedule("step")
                .stepSize(11).gamma(0.3).clip(2.5).seed(-42).build();
        assertEquals(expected, o.config());
        assertEquals(Path.of("t.txt"), o.text());
        assertEquals(Path.of("o"), o.out());
        assertEquals(1, o.threads());
        assertEquals(99, o.maxSteps());
        assertEquals(13, o.checkpointEvery());
        assertEquals(17, o.sampleLength());
        assertEquals(1.5, o.temperature());
        assertEquals("1.50", o.temperatureText(), "the heading shows the value as given");
        assertEquals(6, o.topK());
        assertEquals("It is", o.prime());

        assertEquals(7, parse("--warmup", "7").config().warmup());
        assertEquals(0.0, parse("--optimizer", "adamw", "--weight-decay", "0").config().weightDecay());
    }

    @Test
    void optionsThatDoNotApplyAreNotRead() {
        // as before the options record: --min-freq only with the word tokenizer, --momentum only with
        // sgd, --step-size/--gamma only with the step schedule, --warmup only with cosine
        TrainingConfig c = parse("--min-freq", "x", "--momentum", "x", "--nesterov", "--step-size", "x",
                "--gamma", "x").config();
        assertEquals(2, c.minFreq());
        assertEquals(0.0, c.momentum());
        assertFalse(c.nesterov());
        assertNull(c.stepSize());
        assertEquals(0.5, c.gamma());
        assertNull(parse("--schedule", "step", "--warmup", "x").config().warmup());
    }

    @Test
    void resumeTakesOnlyTheEpochsAndTheOutputOptions() {
        TrainOptions o = parse("--resume", "m.safetensors", "--epochs", "5", "--sample-length", "0");
        assertNull(o.config());
        assertEquals(Path.of("m.safetensors"), o.resume());
        assertEquals(5, o.resumeEpochs());
        assertEquals(0, o.sampleLength());
        assertEquals(0, parse("--resume", "m.safetensors").resumeEpochs(), "0 keeps the checkpoint's epochs");
        for (String opt : new String[] {"--tokenizer", "--min-freq", "--cell", "--hidden", "--layers", "--emb",
            "--dropout", "--seq", "--batch", "--optimizer", "--lr", "--momentum", "--weight-decay", "--schedule",
            "--warmup", "--step-size", "--gamma", "--clip", "--seed", "--val-fraction"}) {
            assertEquals(opt + " cannot be combined with --resume: the run continues with the checkpoint's"
                    + " settings (only --epochs, --text, --out and the output options apply)",
                    error("--resume", "m", opt, "1"));
        }
        assertTrue(error("--resume", "m", "--nesterov").startsWith("--nesterov cannot be combined with --resume"));
    }

    @Test
    void badValuesNameTheOptionTheRangeAndTheValue() {
        assertEquals("--threads must be >= 1, got 0", error("--threads", "0"));
        assertEquals("--tokenizer must be char or word, got 'bpe'", error("--tokenizer", "bpe"));
        assertEquals("--min-freq must be >= 1, got 0", error("--tokenizer", "word", "--min-freq", "0"));
        assertEquals("--cell: cell must be one of rnn, rnn_tanh, rnn_relu, lstm, gru; got 'foo'", error("--cell", "foo"));
        assertEquals("--emb must be >= 1, got 0", error("--emb", "0"));
        assertEquals("--hidden must be >= 1, got 0", error("--hidden", "0"));
        assertEquals("--hidden must be an integer, got 'big'", error("--hidden", "big"));
        assertEquals("--layers must be >= 1, got 0", error("--layers", "0"));
        assertEquals("--dropout must be in [0, 0.99], got 1.5", error("--dropout", "1.5"));
        assertEquals("--seed must be an integer, got 'xyz'", error("--seed", "xyz"));
        assertEquals("--seq must be >= 1, got 0", error("--seq", "0"));
        assertEquals("--batch must be >= 1, got -3", error("--batch", "-3"));
        assertEquals("--epochs must be >= 1, got 0", error("--epochs", "0"));
        assertEquals("--clip must be in [0, 1.7976931348623157E308], got -1", error("--clip", "-1"));
        assertEquals("--weight-decay must be in [0, 1000000], got -1", error("--weight-decay", "-1"));
        assertEquals("--momentum must be in [0, 0.9999], got 2", error("--optimizer", "sgd", "--momentum", "2"));
        assertEquals("--nesterov needs --momentum > 0", error("--optimizer", "sgd", "--nesterov"));
        assertEquals("--optimizer must be sgd, adam, adamw or adagrad, got 'rms'", error("--optimizer", "rms"));
        assertEquals("--val-fraction must be in [0.001, 0.5], got 0.9", error("--val-fraction", "0.9"));
        assertEquals("--lr must be a number, got 'abc'", error("--lr", "abc"));
        assertEquals("--lr must be in [4.9E-324, 1000000], got 0", error("--lr", "0"));
        assertEquals("--schedule must be constant, step or cosine, got 'linear'", error("--schedule", "linear"));
        assertEquals("--step-size must be >= 1, got 0", error("--schedule", "step", "--step-size", "0"));
        assertEquals("--gamma must be in [0, 1], got 2", error("--schedule", "step", "--gamma", "2"));
        assertEquals("--warmup must be >= 0, got -1", error("--warmup", "-1"));
        assertEquals("--max-steps must be an integer, got 'q'", error("--max-steps", "q"));
        assertEquals("--checkpoint-every must be >= 0, got -1", error("--checkpoint-every", "-1"));
        assertEquals("--sample-length must be >= 0, got -2", error("--sample-length", "-2"));
        assertEquals("--temperature must be in [0, 100], got 200", error("--temperature", "200"));
        assertEquals("--top-k must be >= 0, got -1", error("--top-k", "-1"));
        assertEquals("--epochs must be >= 1, got 0", error("--resume", "m", "--epochs", "0"));
    }

    @Test
    void theFirstBadValueInReadingOrderIsReported() {
        assertEquals("--tokenizer must be char or word, got 'bpe'", error("--hidden", "0", "--tokenizer", "bpe"));
        assertEquals("--weight-decay must be in [0, 1000000], got -1",
                error("--optimizer", "rms", "--weight-decay", "-1"));
    }

    @Test
    void commandLineErrorsComeFromArgs() {
        assertEquals("--hidden given twice", error("--hidden", "3", "--hidden", "4"));
        assertEquals("--epochs needs a value", error("--epochs"));
        assertEquals("unknown option '--bogus' (try rnn4j train --help)", error("--bogus"));
    }
}
