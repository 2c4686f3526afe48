package org.rnn4j.lm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;
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
 * The {@code rnn4j train} pipeline for Java callers: from a {@link TrainingConfig} (or a checkpoint)
 * and a text it builds the tokenizer, the model, the optimizer and the schedule, splits the tokens
 * into training and validation streams, and {@link #run runs} the {@link Trainer}.
 *
 * <pre>{@code
 * TrainingRun run = TrainingRun.start(TrainingConfig.builder().hidden(64).epochs(1).build(),
 *         Corpus.embedded(), Kernels.get());
 * TrainingRun.Result r = run.run(Parallelism.SERIAL, TrainingRun.SILENT, Long.MAX_VALUE);
 * String text = new Sampler(r.model()).sample(r.tokenizer(), "", 200, 0.8, 0, 1);
 * }</pre>
 *
 * <p>The same config, text and kernels give bitwise the same losses and parameters as the command
 * (for any Parallelism). The run owns its model, optimizer and position; {@link #run} updates them in
 * place, and a second call continues where the first stopped.
 */
public final class TrainingRun {
    /** A listener that ignores every callback. */
    public static final Trainer.Listener SILENT = new Trainer.Listener() {
        @Override
        public void step(Trainer.Position pos, int chunksPerEpoch, double loss, double lr, int tokens) {}

        @Override
        public void epoch(Trainer.Position pos, double trainLoss, double valLoss) {}
    };

    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final Trainer.Settings settings;
    private final Trainer.Position position;
    private final double valFraction;
    private final String sha256;
    private final int tokens;
    // the B streams of the training and the validation tokens, (N/B, B) seq-first
    private final int[] train;
    private final int[] val;
    private final int chunksPerEpoch;
    private final long totalSteps;
    private final double baseline;

    /** What a finished (or stopped) run produced. */
    public record Result(LanguageModel model, Tokenizer tokenizer, Trainer.Position position, double baseline) {
        /** @return the mean training loss of each optimizer step so far (nats/token), a copy */
        public double[] stepLoss() {
            return Arrays.copyOf(position.stepLoss, position.steps);
        }

        /** @return the validation loss after each finished epoch (nats/token), a copy */
        public double[] valLoss() {
            return position.valLoss.clone();
        }
    }

    /**
     * Prepares a new run: fits the tokenizer on {@code text}, builds and initializes the model from
     * {@code config.seed()}, builds the optimizer and (once the step count is known) the schedule.
     *
     * @param config the run's settings; not null
     * @param text the whole text; its last {@code valFraction} of tokens is the validation text
     * @param kernels the kernels of the model
     * @return the prepared run, at step 0
     * @throws IllegalArgumentException if the text leaves fewer than 2 steps per stream in training or
     *     validation
     */
    public static TrainingRun start(TrainingConfig config, String text, Kernels kernels) {
        Tokenizer tokenizer = config.tokenizer().equals("char")
                ? CharTokenizer.fit(text) : WordTokenizer.fit(text, config.minFreq());
        LanguageModel.Config mc = new LanguageModel.Config(config.cell(), tokenizer.vocabSize(),
                config.embedding(), config.hidden(), config.layers(), config.dropout());
        LanguageModel model = new LanguageModel(mc, kernels).init(config.seed());
        Trainer.Settings settings = new Trainer.Settings(config.seqLen(), config.batch(), config.epochs(),
                config.clip(), config.seed());
        Optimizer optimizer = optimizer(config);
        return new TrainingRun(model, tokenizer, optimizer, null, config, settings, new Trainer.Position(),
                config.valFraction(), text);
    }

    /**
     * Prepares the continuation of a checkpointed run on the text it was trained on.
     *
     * @param checkpoint a checkpoint with training state (optimizer, schedule, settings); not null
     * @param text the text the run was trained on (not checked here; compare {@link #sha256} with
     *     the checkpoint's {@code data.sha256})
     * @param epochs the new total number of epochs (≥ 1), or 0 to keep the checkpoint's
     * @return the prepared run, at the checkpoint's position
     * @throws IllegalArgumentException if the checkpoint holds weights only, or as {@link #start}
     */
    public static TrainingRun resume(Checkpoint.Loaded checkpoint, String text, int epochs) {
        if (checkpoint.optimizer == null || checkpoint.schedule == null || checkpoint.settings == null) {
            throw new IllegalArgumentException("the checkpoint holds weights only, no training state to resume");
        }
        Trainer.Settings settings = epochs > 0 ? checkpoint.settings.withEpochs(epochs) : checkpoint.settings;
        double valFraction = Double.parseDouble(checkpoint.metadata.getOrDefault("data.val_fraction", "0.1"));
        return new TrainingRun(checkpoint.model, checkpoint.tokenizer, checkpoint.optimizer, checkpoint.schedule,
                null, settings, checkpoint.position, valFraction, text);
    }

    // config is only read when schedule is null (a new run: the schedule needs the step count)
    private TrainingRun(LanguageModel model, Tokenizer tokenizer, Optimizer optimizer, LrSchedule schedule,
                        TrainingConfig config, Trainer.Settings settings, Trainer.Position position,
                        double valFraction, String text) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.optimizer = optimizer;
        this.settings = settings;
        this.position = position;
        this.valFraction = valFraction;
        this.sha256 = sha256(text);
        int[] ids = tokenizer.encode(text);
        this.tokens = ids.length;
        int split = ids.length - (int) Math.round(ids.length * valFraction);
        int b = settings.batch();
        this.train = Trainer.batchify(ids, 0, split, b);
        this.val = Trainer.batchify(ids, split, ids.length, b);
        this.chunksPerEpoch = Trainer.chunks(train.length / b, settings.seqLen());
        if (chunksPerEpoch == 0 || Trainer.chunks(val.length / b, settings.seqLen()) == 0) {
            throw new IllegalArgumentException("the text is too short for --batch " + b + ": " + ids.length
                    + " tokens leave fewer than 2 steps per stream in training or validation");
        }
        this.totalSteps = (long) chunksPerEpoch * settings.epochs();
        this.schedule = schedule != null ? schedule : schedule(config, optimizer, totalSteps, chunksPerEpoch);
        this.baseline = Corpus.unigramEntropyNats(ids, 0, split, split, ids.length - split, tokenizer.vocabSize());
    }

    /**
     * Trains until all epochs are done or {@code maxSteps} more optimizer steps were taken.
     *
     * @param par how the GEMMs are split (results are identical for any); not null
     * @param listener progress callbacks (e.g. to write checkpoints); {@link #SILENT} for none
     * @param maxSteps stop after this many optimizer steps (Long.MAX_VALUE for no limit)
     * @return the model, tokenizer, position (loss curve) and unigram baseline
     */
    public Result run(Parallelism par, Trainer.Listener listener, long maxSteps) {
        LanguageModel.Workspace ws = new LanguageModel.Workspace(new RnnWorkspace(par, settings.seed()));
        Trainer trainer = new Trainer(model, optimizer, schedule, settings, ws);
        trainer.run(train, val, position, listener, maxSteps);
        return new Result(model, tokenizer, position, baseline);
    }

    /**
     * Writes a checkpoint of the run as it stands (see {@link Checkpoint#save}), with
     * {@link #dataMetadata} as its further metadata; {@link Checkpoint#load} and {@link #resume}
     * continue it bit for bit.
     *
     * @param file destination, replaced atomically
     * @param source names the text in the checkpoint's {@code data.source}
     * @throws IOException if writing fails
     */
    public void saveCheckpoint(Path file, String source) throws IOException {
        Checkpoint.save(file, model, tokenizer, optimizer, schedule, settings, position, dataMetadata(source));
    }

    /**
     * The checkpoint metadata describing the text, in this order: {@code data.source},
     * {@code data.sha256}, {@code data.tokens}, {@code data.val_fraction}.
     *
     * @param source names the text (a path, or {@code embedded:<name>})
     * @return a new mutable map
     */
    public Map<String, String> dataMetadata(String source) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data.source", source);
        m.put("data.sha256", sha256);
        m.put("data.tokens", Integer.toString(tokens));
        m.put("data.val_fraction", Double.toString(valFraction));
        return m;
    }

    /** @return the model being trained (updated in place by {@link #run}) */
    public LanguageModel model() {
        return model;
    }

    /** @return the tokenizer */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** @return the optimizer (its state updated by {@link #run}) */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** @return the learning-rate schedule */
    public LrSchedule schedule() {
        return schedule;
    }

    /** @return T, B, epochs, clip and seed */
    public Trainer.Settings settings() {
        return settings;
    }

    /** @return where training stands (updated in place by {@link #run}); the loss curve so far */
    public Trainer.Position position() {
        return position;
    }

    /** @return the number of tokens in the text */
    public int tokens() {
        return tokens;
    }

    /** @return optimizer steps (chunks) per epoch */
    public int chunksPerEpoch() {
        return chunksPerEpoch;
    }

    /** @return optimizer steps of all epochs */
    public long totalSteps() {
        return totalSteps;
    }

    /** @return the unigram entropy of the validation tokens under training-token frequencies (nats/token) */
    public double baseline() {
        return baseline;
    }

    /**
     * @param text any text
     * @return the lowercase hex SHA-256 of its UTF-8 bytes, as in a checkpoint's {@code data.sha256}
     */
    public static String sha256(String text) {
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

    private static Optimizer optimizer(TrainingConfig c) {
        String name = c.optimizer();
        double wd = c.weightDecay() != null ? c.weightDecay() : name.equals("adamw") ? 0.01 : 0;
        switch (name) {
            case "sgd":
                return new Sgd(c.momentum(), 0, wd, c.nesterov());
            case "adam":
                return new Adam(0.9, 0.999, 1e-8, wd);
            case "adamw":
                return new AdamW(0.9, 0.999, 1e-8, wd);
            case "adagrad":
                return new Adagrad(0, wd, 0, 1e-10);
            default:
                throw new IllegalStateException("unknown optimizer " + name);   // TrainingConfig checked it
        }
    }

    private static LrSchedule schedule(TrainingConfig c, Optimizer opt, long totalSteps, int perEpoch) {
        double dflt;
        switch (opt.name()) {
            case "sgd":
                dflt = 1;
                break;
            case "adagrad":
                dflt = 0.1;
                break;
            default:
                dflt = TrainingConfig.DEFAULT_LR_ADAM;
        }
        double lr = c.lr() != null ? c.lr() : dflt;
        switch (c.schedule()) {
            case "constant":
                return LrSchedule.constant(lr);
            case "step":
                return LrSchedule.stepDecay(lr, c.stepSize() != null ? c.stepSize() : perEpoch, c.gamma());
            case "cosine":
                long warm = c.warmup() != null ? c.warmup() : (int) Math.min(100, totalSteps / 20);
                return LrSchedule.cosine(lr, warm, totalSteps, 0);
            default:
                throw new IllegalStateException("unknown schedule " + c.schedule());   // TrainingConfig checked it
        }
    }
}
