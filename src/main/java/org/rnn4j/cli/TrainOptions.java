package org.rnn4j.cli;

import java.nio.file.Path;
import org.rnn4j.cell.CellType;
import org.rnn4j.lm.TrainingConfig;

/**
 * The options of {@code rnn4j train}, read and checked in one pass: the run's {@link TrainingConfig}
 * (or the checkpoint to resume) and what the command does around it (files, threads, the sample).
 * An option that does not apply to the chosen settings (e.g. {@code --momentum} with adam) is not
 * read, as before this type existed.
 *
 * @param config the new run's settings, or null when resuming
 * @param resume the checkpoint to continue, or null for a new run
 * @param resumeEpochs with {@code resume}: the new total of epochs, or 0 to keep the checkpoint's
 * @param text the text file, or null for the embedded corpus
 * @param out the output directory
 * @param threads GEMM tasks, ≥ 1
 * @param maxSteps stop after this many optimizer steps (Long.MAX_VALUE: no limit)
 * @param checkpointEvery also write the checkpoint every this many steps (0: each epoch only)
 * @param sampleLength tokens to sample at the end, or null for the tokenizer's default (400 chars, 100 words)
 * @param temperature sampling temperature in [0, 100]
 * @param temperatureText {@code --temperature} as given, for the sample's heading
 * @param topK sample among the K most likely tokens (0 = all)
 * @param prime text to start the sample with
 */
record TrainOptions(TrainingConfig config, Path resume, int resumeEpochs, Path text, Path out, int threads,
                    long maxSteps, int checkpointEvery, Integer sampleLength, double temperature,
                    String temperatureText, int topK, String prime) {

    /** Options that set up a new run, refused with {@code --resume}. */
    private static final String[] NEW_RUN_ONLY = {"--tokenizer", "--min-freq", "--cell", "--hidden", "--layers",
        "--emb", "--dropout", "--seq", "--batch", "--optimizer", "--lr", "--momentum", "--nesterov", "--weight-decay",
        "--schedule", "--warmup", "--step-size", "--gamma", "--clip", "--seed", "--val-fraction"};

    /**
     * Reads every option of {@code a}, in the order the command used to read them, so that the first
     * bad value is the one reported.
     *
     * @param a the parsed command line
     * @return the options
     * @throws TrainCommand.UsageException or IllegalArgumentException (message starting with the option)
     *     for a bad value: exit code 2
     */
    static TrainOptions parse(Args a) {
        int threads = a.integer("--threads", Math.min(2, Runtime.getRuntime().availableProcessors()), 1);
        Path out = Path.of(a.string("--out", "rnn4j-out"));
        Path text = a.has("--text") ? Path.of(a.string("--text", null)) : null;
        TrainingConfig config = null;
        Path resume = null;
        int resumeEpochs = 0;
        if (a.has("--resume")) {
            for (String o : NEW_RUN_ONLY) {
                if (a.has(o)) {
                    throw new TrainCommand.UsageException(o + " cannot be combined with --resume: the run continues"
                            + " with the checkpoint's settings (only --epochs, --text, --out and the output options"
                            + " apply)");
                }
            }
            resume = Path.of(a.string("--resume", null));
            resumeEpochs = a.has("--epochs") ? a.integer("--epochs", 1, 1) : 0;
        } else {
            config = config(a);
        }
        long maxSteps = a.longValue("--max-steps", Long.MAX_VALUE);
        int every = a.integer("--checkpoint-every", 0, 0);
        Integer sampleLength = a.has("--sample-length") ? a.integer("--sample-length", 0, 0) : null;
        double temperature = a.real("--temperature", 0.8, 0, 100);
        int topK = a.integer("--top-k", 0, 0);
        return new TrainOptions(config, resume, resumeEpochs, text, out, threads, maxSteps, every, sampleLength,
                temperature, a.string("--temperature", "0.8"), topK, a.string("--prime", ""));
    }

    private static TrainingConfig config(Args a) {
        TrainingConfig.Builder c = TrainingConfig.builder();
        String kind = a.string("--tokenizer", "char");
        if (kind.equals("word")) {
            c.minFreq(a.integer("--min-freq", 2, 1));
        } else if (!kind.equals("char")) {
            throw new TrainCommand.UsageException("--tokenizer must be char or word, got '" + kind + "'");
        }
        c.tokenizer(kind);
        try {
            c.cell(CellType.parse(a.string("--cell", "lstm")));
        } catch (IllegalArgumentException e) {
            throw new TrainCommand.UsageException("--cell: " + e.getMessage());
        }
        c.embedding(a.integer("--emb", TrainingConfig.DEFAULT_EMB, 1))
                .hidden(a.integer("--hidden", TrainingConfig.DEFAULT_HIDDEN, 1))
                .layers(a.integer("--layers", 1, 1))
                .dropout(a.real("--dropout", 0, 0, 0.99))
                .seed(a.longValue("--seed", 1))
                .seqLen(a.integer("--seq", TrainingConfig.DEFAULT_SEQ, 1))
                .batch(a.integer("--batch", TrainingConfig.DEFAULT_BATCH, 1))
                .epochs(a.integer("--epochs", TrainingConfig.DEFAULT_EPOCHS, 1))
                .clip(a.real("--clip", 1, 0, Double.MAX_VALUE));
        String name = a.string("--optimizer", "adam");
        if (a.has("--weight-decay")) {
            c.weightDecay(a.real("--weight-decay", 0, 0, 1e6));
        }
        switch (name) {
            case "sgd":
                double momentum = a.real("--momentum", 0, 0, 0.9999);
                boolean nesterov = a.has("--nesterov");
                if (nesterov && momentum == 0) {
                    throw new TrainCommand.UsageException("--nesterov needs --momentum > 0");
                }
                c.momentum(momentum).nesterov(nesterov);
                break;
            case "adam":
            case "adamw":
            case "adagrad":
                break;
            default:
                throw new TrainCommand.UsageException(
                        "--optimizer must be sgd, adam, adamw or adagrad, got '" + name + "'");
        }
        c.optimizer(name).valFraction(a.real("--val-fraction", 0.1, 0.001, 0.5));
        if (a.has("--lr")) {
            c.lr(a.real("--lr", 0, Double.MIN_VALUE, 1e6));
        }
        String schedule = a.string("--schedule", "cosine");
        switch (schedule) {
            case "constant":
                break;
            case "step":
                if (a.has("--step-size")) {
                    c.stepSize(a.integer("--step-size", 0, 1));
                }
                c.gamma(a.real("--gamma", 0.5, 0, 1));
                break;
            case "cosine":
                if (a.has("--warmup")) {
                    c.warmup(a.integer("--warmup", 0, 0));
                }
                break;
            default:
                throw new TrainCommand.UsageException(
                        "--schedule must be constant, step or cosine, got '" + schedule + "'");
        }
        return c.schedule(schedule).build();
    }
}
