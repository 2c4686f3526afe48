package org.rnn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.rnn4j.cell.CellType;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;
import org.rnn4j.kernel.WorkerTeam;
import org.rnn4j.lm.Checkpoint;
import org.rnn4j.lm.LanguageModel;
import org.rnn4j.lm.LossCurve;
import org.rnn4j.lm.Sampler;
import org.rnn4j.lm.Trainer;
import org.rnn4j.text.CharTokenizer;
import org.rnn4j.text.Corpus;
import org.rnn4j.text.Tokenizer;
import org.rnn4j.text.WordTokenizer;
import org.rnn4j.train.Adagrad;
import org.rnn4j.train.Adam;
import org.rnn4j.train.AdamW;
import org.rnn4j.train.LrSchedule;
import org.rnn4j.train.Optimizer;
import org.rnn4j.train.Sgd;

/**
 * {@code rnn4j train}: trains a next-token language model on a text (the embedded corpus by
 * default), reports validation loss against the unigram baseline after each epoch, writes a
 * checkpoint, a CSV of the losses and an SVG loss curve, and prints a sample.
 */
final class TrainCommand {
    private TrainCommand() {}

    // Defaults of the no-argument main job: a character-level LSTM sized to train in a few minutes
    // on two cores (docs/language-model.md has the measured time and losses).
    static final int DEFAULT_HIDDEN = 256;
    static final int DEFAULT_EMB = 64;
    static final int DEFAULT_SEQ = 64;
    static final int DEFAULT_BATCH = 32;
    static final int DEFAULT_EPOCHS = 3;
    static final double DEFAULT_LR_ADAM = 3e-3;

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

    private static final Set<String> VALUED = Set.of("--text", "--tokenizer", "--min-freq", "--val-fraction",
            "--cell", "--hidden", "--layers", "--emb", "--dropout", "--seq", "--batch", "--epochs", "--optimizer",
            "--lr", "--momentum", "--weight-decay", "--schedule", "--warmup", "--step-size", "--gamma", "--clip",
            "--seed", "--threads", "--max-steps", "--out", "--checkpoint-every", "--resume", "--sample-length",
            "--temperature", "--top-k", "--prime");
    private static final Set<String> FLAGS = Set.of("--nesterov", "--debug", "--help", "-h");

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
            int threads = a.integer("--threads", Math.min(2, Runtime.getRuntime().availableProcessors()), 1);
            Parallelism par = Parallelism.SERIAL;
            if (threads > 1) {
                // spinning helpers: the per-step GEMMs come every few hundred µs (docs/performance.md)
                pool = new WorkerTeam(threads - 1);
                par = pool.parallelism();
            }
            return train(a, out, par);
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

    /** An invalid option value found after parsing (exit code 2). */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private static boolean isOptionError(Exception e) {
        return e.getMessage() != null && e.getMessage().startsWith("--");
    }

    private static int train(Args a, PrintStream out, Parallelism par) throws IOException {
        Kernels kernels = Kernels.get();
        Path outDir = Path.of(a.string("--out", "rnn4j-out"));
        String text;
        String source;
        if (a.has("--text")) {
            Path file = Path.of(a.string("--text", null));
            text = Corpus.read(file);
            source = file.toString();
        } else {
            text = Corpus.embedded();
            source = "embedded:" + Corpus.embeddedName();
        }
        String sha = sha256(text);

        LanguageModel model;
        Tokenizer tokenizer;
        Optimizer optimizer;
        LrSchedule schedule;
        Trainer.Settings settings;
        Trainer.Position pos;
        double valFraction;
        if (a.has("--resume")) {
            for (String o : new String[] {"--tokenizer", "--min-freq", "--cell", "--hidden", "--layers", "--emb",
                "--dropout", "--seq", "--batch", "--optimizer", "--lr", "--momentum", "--nesterov", "--weight-decay",
                "--schedule", "--warmup", "--step-size", "--gamma", "--clip", "--seed", "--val-fraction"}) {
                if (a.has(o)) {
                    throw new UsageException(o + " cannot be combined with --resume: the run continues with the"
                            + " checkpoint's settings (only --epochs, --text, --out and the output options apply)");
                }
            }
            Path file = Path.of(a.string("--resume", null));
            Checkpoint.Loaded c = Checkpoint.load(file, kernels);
            if (c.optimizer == null || c.schedule == null || c.settings == null) {
                throw new IllegalArgumentException(file + " holds weights only, no training state to resume");
            }
            String wanted = c.metadata.get("data.sha256");
            if (wanted != null && !wanted.equals(sha)) {
                throw new IllegalArgumentException("--resume needs the text the run was trained on ("
                        + c.metadata.get("data.source") + "); " + source + " differs");
            }
            model = c.model;
            tokenizer = c.tokenizer;
            optimizer = c.optimizer;
            schedule = c.schedule;
            settings = a.has("--epochs") ? c.settings.withEpochs(a.integer("--epochs", 1, 1)) : c.settings;
            pos = c.position;
            valFraction = Double.parseDouble(c.metadata.getOrDefault("data.val_fraction", "0.1"));
        } else {
            String kind = a.string("--tokenizer", "char");
            if (kind.equals("char")) {
                tokenizer = CharTokenizer.fit(text);
            } else if (kind.equals("word")) {
                tokenizer = WordTokenizer.fit(text, a.integer("--min-freq", 2, 1));
            } else {
                throw new UsageException("--tokenizer must be char or word, got '" + kind + "'");
            }
            CellType cell;
            try {
                cell = CellType.parse(a.string("--cell", "lstm"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--cell: " + e.getMessage());
            }
            LanguageModel.Config config = new LanguageModel.Config(cell, tokenizer.vocabSize(),
                    a.integer("--emb", DEFAULT_EMB, 1), a.integer("--hidden", DEFAULT_HIDDEN, 1),
                    a.integer("--layers", 1, 1), a.real("--dropout", 0, 0, 0.99));
            long seed = a.longValue("--seed", 1);
            model = new LanguageModel(config, kernels).init(seed);
            settings = new Trainer.Settings(a.integer("--seq", DEFAULT_SEQ, 1), a.integer("--batch", DEFAULT_BATCH, 1),
                    a.integer("--epochs", DEFAULT_EPOCHS, 1), a.real("--clip", 1, 0, Double.MAX_VALUE), seed);
            optimizer = optimizer(a);
            valFraction = a.real("--val-fraction", 0.1, 0.001, 0.5);
            schedule = null;   // needs the step count, below
            pos = new Trainer.Position();
        }

        int[] ids = tokenizer.encode(text);
        int split = ids.length - (int) Math.round(ids.length * valFraction);
        int b = settings.batch();
        int[] train = Trainer.batchify(ids, 0, split, b);
        int[] val = Trainer.batchify(ids, split, ids.length, b);
        int perEpoch = Trainer.chunks(train.length / b, settings.seqLen());
        if (perEpoch == 0 || Trainer.chunks(val.length / b, settings.seqLen()) == 0) {
            throw new IllegalArgumentException("the text is too short for --batch " + b + ": " + ids.length
                    + " tokens leave fewer than 2 steps per stream in training or validation");
        }
        long totalSteps = (long) perEpoch * settings.epochs();
        if (schedule == null) {
            schedule = schedule(a, optimizer, totalSteps, perEpoch);
        }
        double baseline = Corpus.unigramEntropyNats(ids, 0, split, split, ids.length - split, tokenizer.vocabSize());

        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("data.source", source);
        extra.put("data.sha256", sha);
        extra.put("data.tokens", Integer.toString(ids.length));
        extra.put("data.val_fraction", Double.toString(valFraction));
        LanguageModel.Config mc = model.config();
        out.printf(Locale.ROOT, "rnn4j train: %s, %d %s tokens (vocabulary %d), %s%n", source, ids.length,
                tokenizer.kind(), tokenizer.vocabSize(), kernels.name());
        out.printf(Locale.ROOT, "model: %s, embedding %d, hidden %d, %d layer(s), %d parameters; %s, %s;"
                        + " T=%d, B=%d, %d steps/epoch, %d epoch(s)%n",
                mc.cell().id(), mc.embeddingSize(), mc.hiddenSize(), mc.numLayers(), model.params().count(),
                describe(optimizer.config()), describe(schedule.config()), settings.seqLen(), b, perEpoch,
                settings.epochs());
        out.printf(Locale.ROOT, "unigram baseline on the validation text: %.4f nats/token%s%n", baseline,
                bitsPerChar(tokenizer, baseline));
        if (pos.epoch > 0 || pos.chunk > 0) {
            out.printf(Locale.ROOT, "resuming at epoch %d, step %d of it (%d steps done)%n", pos.epoch + 1,
                    pos.chunk, pos.steps);
        }

        Files.createDirectories(outDir);
        Path ckpt = outDir.resolve("model.safetensors");
        LanguageModel.Workspace ws = new LanguageModel.Workspace(new RnnWorkspace(par, settings.seed()));
        Trainer trainer = new Trainer(model, optimizer, schedule, settings, ws);
        long maxSteps = a.longValue("--max-steps", Long.MAX_VALUE);
        int every = a.integer("--checkpoint-every", 0, 0);
        Progress progress = new Progress(out, Progress.isTerminal(), totalSteps, pos.steps);
        Tokenizer tok = tokenizer;
        Optimizer opt = optimizer;
        LrSchedule sched = schedule;
        Trainer.Settings set = settings;
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void step(Trainer.Position p, int chunksPerEpoch, double loss, double lr, int tokens) {
                progress.step(p, set.epochs(), chunksPerEpoch, loss, tokens);
                if (every > 0 && p.steps % every == 0) {
                    save(ckpt, model, tok, opt, sched, set, p, extra);
                }
            }

            @Override
            public void epoch(Trainer.Position p, double trainLoss, double valLoss) {
                progress.clear();
                out.printf(Locale.ROOT, "epoch %d/%d: train %.4f, validation %.4f nats/token%s, perplexity %.2f"
                                + " (unigram baseline %.4f)%n", p.epoch, set.epochs(), trainLoss, valLoss,
                        bitsPerChar(tok, valLoss), Math.exp(valLoss), baseline);
                save(ckpt, model, tok, opt, sched, set, p, extra);
                writeCurves(outDir, p, perEpoch, baseline, tok);
            }
        };
        long start = System.nanoTime();
        trainer.run(train, val, pos, listener, maxSteps);
        progress.clear();
        save(ckpt, model, tok, opt, sched, set, pos, extra);
        writeCurves(outDir, pos, perEpoch, baseline, tokenizer);
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "trained %d steps in %.1f s; wrote %s, %s, %s%n", pos.steps, seconds, ckpt,
                outDir.resolve("losses.csv"), outDir.resolve("loss.svg"));
        if (pos.valLoss.length > 0) {
            double last = pos.valLoss[pos.valLoss.length - 1];
            out.printf(Locale.ROOT, "validation loss %.4f nats/token against the unigram baseline %.4f (%.1f %% of it)%n",
                    last, baseline, 100 * last / baseline);
        }
        int length = a.integer("--sample-length", tokenizer.kind().equals("char") ? 400 : 100, 0);
        if (length > 0) {
            String sample = new Sampler(model).sample(tokenizer, a.string("--prime", ""), length,
                    a.real("--temperature", 0.8, 0, 100), a.integer("--top-k", 0, 0), settings.seed());
            out.println("--- sample (temperature " + a.string("--temperature", "0.8") + ") ---");
            out.println(sample);
            out.println("---");
        }
        return 0;
    }

    private static void save(Path file, LanguageModel model, Tokenizer tok, Optimizer opt, LrSchedule sched,
                             Trainer.Settings set, Trainer.Position pos, Map<String, String> extra) {
        try {
            Checkpoint.save(file, model, tok, opt, sched, set, pos, extra);
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

    private static Optimizer optimizer(Args a) {
        String name = a.string("--optimizer", "adam");
        double wd = a.real("--weight-decay", name.equals("adamw") ? 0.01 : 0, 0, 1e6);
        switch (name) {
            case "sgd":
                double momentum = a.real("--momentum", 0, 0, 0.9999);
                boolean nesterov = a.has("--nesterov");
                if (nesterov && momentum == 0) {
                    throw new UsageException("--nesterov needs --momentum > 0");
                }
                return new Sgd(momentum, 0, wd, nesterov);
            case "adam":
                return new Adam(0.9, 0.999, 1e-8, wd);
            case "adamw":
                return new AdamW(0.9, 0.999, 1e-8, wd);
            case "adagrad":
                return new Adagrad(0, wd, 0, 1e-10);
            default:
                throw new UsageException("--optimizer must be sgd, adam, adamw or adagrad, got '" + name + "'");
        }
    }

    private static LrSchedule schedule(Args a, Optimizer opt, long totalSteps, int perEpoch) {
        double dflt;
        switch (opt.name()) {
            case "sgd":
                dflt = 1;
                break;
            case "adagrad":
                dflt = 0.1;
                break;
            default:
                dflt = DEFAULT_LR_ADAM;
        }
        double lr = a.real("--lr", dflt, Double.MIN_VALUE, 1e6);
        String kind = a.string("--schedule", "cosine");
        switch (kind) {
            case "constant":
                return LrSchedule.constant(lr);
            case "step":
                return LrSchedule.stepDecay(lr, a.integer("--step-size", perEpoch, 1), a.real("--gamma", 0.5, 0, 1));
            case "cosine":
                long warm = a.integer("--warmup", (int) Math.min(100, totalSteps / 20), 0);
                return LrSchedule.cosine(lr, warm, totalSteps, 0);
            default:
                throw new UsageException("--schedule must be constant, step or cosine, got '" + kind + "'");
        }
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

    private static String sha256(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (byte x : d) {
                sb.append(String.format("%02x", x & 0xff));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
