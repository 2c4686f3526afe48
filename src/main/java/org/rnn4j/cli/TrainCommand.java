package org.rnn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;
import org.rnn4j.kernel.WorkerTeam;
import org.rnn4j.lm.Checkpoint;
import org.rnn4j.lm.LanguageModel;
import org.rnn4j.lm.LossCurve;
import org.rnn4j.lm.Sampler;
import org.rnn4j.lm.Trainer;
import org.rnn4j.lm.TrainingConfig;
import org.rnn4j.lm.TrainingRun;
import org.rnn4j.text.Corpus;
import org.rnn4j.text.Tokenizer;

/**
 * {@code rnn4j train}: trains a next-token language model on a text (the embedded corpus by
 * default), reports validation loss against the unigram baseline after each epoch, writes a
 * checkpoint, a CSV of the losses and an SVG loss curve, and prints a sample. Parsing is
 * {@link TrainOptions}, the pipeline {@link TrainingRun}; this class prints.
 */
final class TrainCommand {
    private TrainCommand() {}

    // Defaults of the no-argument main job: a character-level LSTM sized to train in a few minutes
    // on two cores (docs/language-model.md has the measured time and losses).
    private static final int DEFAULT_HIDDEN = TrainingConfig.DEFAULT_HIDDEN;
    private static final int DEFAULT_EMB = TrainingConfig.DEFAULT_EMB;
    private static final int DEFAULT_SEQ = TrainingConfig.DEFAULT_SEQ;
    private static final int DEFAULT_BATCH = TrainingConfig.DEFAULT_BATCH;
    private static final int DEFAULT_EPOCHS = TrainingConfig.DEFAULT_EPOCHS;

    static final String USAGE = String.join("\n",
            "usage: rnn4j train [options]",
            "",
            "Trains a next-token language model (embedding -> RNN -> linear -> softmax) with truncated BPTT:",
            "the text is cut into B parallel streams read in chunks of T steps, the state carried between",
            "chunks. After each epoch it prints the validation loss next to the unigram baseline; at the end",
            "it writes DIR/model.safetensors (a checkpoint), DIR/losses.csv and DIR/loss.svg and prints a sample.",
            "With no options: a character-level LSTM on the embedded corpus (" + Corpus.embeddedName() + ").",
            "",
            "data:",
            "  --text FILE         UTF-8 text to train on                      [the embedded corpus]",
            "  --tokenizer K       char or word                                [char]",
            "  --min-freq N        word tokenizer: rarer words become <unk>    [2]",
            "  --val-fraction F    share of the text (its end) for validation  [0.1]",
            "model:",
            "  --cell C            lstm, gru, rnn (= rnn_tanh) or rnn_relu     [lstm]",
            "  --hidden H          hidden size                                 [" + DEFAULT_HIDDEN + "]",
            "  --layers N          stacked layers                              [1]",
            "  --emb E             embedding size                              [" + DEFAULT_EMB + "]",
            "  --dropout P         dropout between layers (training only)      [0]",
            "training:",
            "  --seq T             chunk length = BPTT truncation              [" + DEFAULT_SEQ + "]",
            "  --batch B           parallel streams                            [" + DEFAULT_BATCH + "]",
            "  --epochs E          passes over the training text               [" + DEFAULT_EPOCHS + "]",
            "  --optimizer O       sgd, adam, adamw or adagrad                 [adam]",
            "  --lr X              peak learning rate            [adam/adamw 3e-3, sgd 1, adagrad 0.1]",
            "  --momentum M        sgd momentum                                [0]",
            "  --nesterov          sgd: Nesterov momentum",
            "  --weight-decay W    L2 (adamw: decoupled) weight decay          [0; adamw 0.01]",
            "  --schedule S        constant, step or cosine                    [cosine]",
            "  --warmup N          cosine: linear warm-up steps                [min(100, 5% of all)]",
            "  --step-size N --gamma G   step: multiply by G every N steps     [one epoch, 0.5]",
            "  --clip X            clip the gradient's global norm (0 = off)   [1]",
            "  --seed S            seeds initialization and dropout            [1]",
            "  --threads N         GEMM tasks (results are identical for any N) [cores, at most 2]",
            "  --max-steps N       stop after N optimizer steps (a checkpoint is written)",
            "output:",
            "  --out DIR           where the files go                          [rnn4j-out]",
            "  --checkpoint-every N  also write the checkpoint every N steps   [each epoch]",
            "  --resume FILE       continue a run from its checkpoint (same text; --epochs may grow)",
            "  --sample-length N   tokens to sample at the end                 [400 chars, 100 words]",
            "  --temperature X     sampling temperature (0 = greedy)           [0.8]",
            "  --top-k K           sample among the K most likely tokens       [0 = all]",
            "  --prime TEXT        text to start the sample with               [a paragraph break]",
            "  --debug             print stack traces of errors",
            "",
            "exit code: 0 done, 1 a file or the data is unusable, 2 usage error");

    static final Set<String> VALUED = Set.of("--text", "--tokenizer", "--min-freq", "--val-fraction",
            "--cell", "--hidden", "--layers", "--emb", "--dropout", "--seq", "--batch", "--epochs", "--optimizer",
            "--lr", "--momentum", "--weight-decay", "--schedule", "--warmup", "--step-size", "--gamma", "--clip",
            "--seed", "--threads", "--max-steps", "--out", "--checkpoint-every", "--resume", "--sample-length",
            "--temperature", "--top-k", "--prime");
    static final Set<String> FLAGS = Set.of("--nesterov", "--debug", "--help", "-h");

    static int run(String[] argv, PrintStream out, PrintStream err) {
        boolean debug = java.util.Arrays.asList(argv).contains("--debug");
        Args a;
        try {
            a = new Args("train", argv, VALUED, FLAGS);
        } catch (IllegalArgumentException e) {
            err.println("rnn4j train: " + e.getMessage());
            return 2;
        }
        if (a.has("--help") || a.has("-h")) {
            out.println(USAGE);
            return 0;
        }
        WorkerTeam pool = null;
        try {
            TrainOptions options = TrainOptions.parse(a);
            Parallelism par = Parallelism.SERIAL;
            if (options.threads() > 1) {
                // spinning helpers: the per-step GEMMs come every few hundred µs (docs/performance.md)
                pool = new WorkerTeam(options.threads() - 1);
                par = pool.parallelism();
            }
            return train(options, out, par);
        } catch (UsageException e) {
            err.println("rnn4j train: " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return 2;
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException | IOException e) {
            err.println("rnn4j train: " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return e instanceof IllegalArgumentException && isOptionError(e) ? 2 : 1;
        } finally {
            if (pool != null) {
                pool.close();
            }
        }
    }

    /** An invalid option value (exit code 2). */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private static boolean isOptionError(Exception e) {
        return e.getMessage() != null && e.getMessage().startsWith("--");
    }

    private static int train(TrainOptions o, PrintStream out, Parallelism par) throws IOException {
        Kernels kernels = Kernels.get();
        Path outDir = o.out();
        String text;
        String source;
        if (o.text() != null) {
            text = Corpus.read(o.text());
            source = o.text().toString();
        } else {
            text = Corpus.embedded();
            source = "embedded:" + Corpus.embeddedName();
        }
        TrainingRun run = o.resume() != null ? resume(o, text, source, kernels)
                : TrainingRun.start(o.config(), text, kernels);
        LanguageModel model = run.model();
        Tokenizer tokenizer = run.tokenizer();
        Trainer.Settings settings = run.settings();
        Trainer.Position pos = run.position();
        int perEpoch = run.chunksPerEpoch();
        double baseline = run.baseline();

        LanguageModel.Config mc = model.config();
        out.printf(Locale.ROOT, "rnn4j train: %s, %d %s tokens (vocabulary %d), %s%n", source, run.tokens(),
                tokenizer.kind(), tokenizer.vocabSize(), kernels.name());
        out.printf(Locale.ROOT, "model: %s, embedding %d, hidden %d, %d layer(s), %d parameters; %s, %s;"
                        + " T=%d, B=%d, %d steps/epoch, %d epoch(s)%n",
                mc.cell().id(), mc.embeddingSize(), mc.hiddenSize(), mc.numLayers(), model.params().count(),
                describe(run.optimizer().config()), describe(run.schedule().config()), settings.seqLen(),
                settings.batch(), perEpoch, settings.epochs());
        out.printf(Locale.ROOT, "unigram baseline on the validation text: %.4f nats/token%s%n", baseline,
                bitsPerChar(tokenizer, baseline));
        if (pos.epoch > 0 || pos.chunk > 0) {
            out.printf(Locale.ROOT, "resuming at epoch %d, step %d of it (%d steps done)%n", pos.epoch + 1,
                    pos.chunk, pos.steps);
        }

        Files.createDirectories(outDir);
        Path ckpt = outDir.resolve("model.safetensors");
        int every = o.checkpointEvery();
        Progress progress = new Progress(out, Progress.isTerminal(), run.totalSteps(), pos.steps);
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void step(Trainer.Position p, int chunksPerEpoch, double loss, double lr, int tokens) {
                progress.step(p, settings.epochs(), chunksPerEpoch, loss, tokens);
                if (every > 0 && p.steps % every == 0) {
                    save(ckpt, run, source);
                }
            }

            @Override
            public void epoch(Trainer.Position p, double trainLoss, double valLoss) {
                progress.clear();
                out.printf(Locale.ROOT, "epoch %d/%d: train %.4f, validation %.4f nats/token%s, perplexity %.2f"
                                + " (unigram baseline %.4f)%n", p.epoch, settings.epochs(), trainLoss, valLoss,
                        bitsPerChar(tokenizer, valLoss), Math.exp(valLoss), baseline);
                save(ckpt, run, source);
                writeCurves(outDir, p, perEpoch, baseline, tokenizer);
            }
        };
        long start = System.nanoTime();
        run.run(par, listener, o.maxSteps());
        progress.clear();
        save(ckpt, run, source);
        writeCurves(outDir, pos, perEpoch, baseline, tokenizer);
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "trained %d steps in %.1f s; wrote %s, %s, %s%n", pos.steps, seconds, ckpt,
                outDir.resolve("losses.csv"), outDir.resolve("loss.svg"));
        if (pos.valLoss.length > 0) {
            double last = pos.valLoss[pos.valLoss.length - 1];
            out.printf(Locale.ROOT, "validation loss %.4f nats/token against the unigram baseline %.4f (%.1f %% of it)%n",
                    last, baseline, 100 * last / baseline);
        }
        int length = o.sampleLength() != null ? o.sampleLength() : tokenizer.kind().equals("char") ? 400 : 100;
        if (length > 0) {
            String sample = new Sampler(model).sample(tokenizer, o.prime(), length, o.temperature(), o.topK(),
                    settings.seed());
            out.println("--- sample (temperature " + o.temperatureText() + ") ---");
            out.println(sample);
            out.println("---");
        }
        return 0;
    }

    /** The checkpoint {@code --resume} names, checked against the text given. */
    private static TrainingRun resume(TrainOptions o, String text, String source, Kernels kernels)
            throws IOException {
        Path file = o.resume();
        Checkpoint.Loaded c = Checkpoint.load(file, kernels);
        if (c.optimizer == null || c.schedule == null || c.settings == null) {
            throw new IllegalArgumentException(file + " holds weights only, no training state to resume");
        }
        String wanted = c.metadata.get("data.sha256");
        if (wanted != null && !wanted.equals(TrainingRun.sha256(text))) {
            throw new IllegalArgumentException("--resume needs the text the run was trained on ("
                    + c.metadata.get("data.source") + "); " + source + " differs");
        }
        return TrainingRun.resume(c, text, o.resumeEpochs());
    }

    private static void save(Path file, TrainingRun run, String source) {
        try {
            run.saveCheckpoint(file, source);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeCurves(Path dir, Trainer.Position pos, int perEpoch, double baseline, Tokenizer tok) {
        try {
            LossCurve.writeCsv(dir.resolve("losses.csv"), pos, perEpoch);
            LossCurve.writeSvg(dir.resolve("loss.svg"), pos, perEpoch, baseline,
                    "rnn4j train: loss per step (" + tok.kind() + " tokens)");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the loss curve in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String bitsPerChar(Tokenizer tok, double nats) {
        return tok.kind().equals("char") ? String.format(Locale.ROOT, " (%.3f bits/char)", nats / Math.log(2)) : "";
    }

    /** {@code adam(beta1=0.9, …)} from a config map whose first entry names the thing. */
    private static String describe(Map<String, String> config) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : config.entrySet()) {
            if (sb.length() == 0) {
                sb.append(e.getValue()).append('(');
            } else {
                sb.append(sb.charAt(sb.length() - 1) == '(' ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        return sb.append(')').toString();
    }
}
