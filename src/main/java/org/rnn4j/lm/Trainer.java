package org.rnn4j.lm;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rnn4j.nn.Params;
import org.rnn4j.nn.SoftmaxCrossEntropy;
import org.rnn4j.train.GradClip;
import org.rnn4j.train.LrSchedule;
import org.rnn4j.train.Optimizer;

/**
 * Classic language-model training (Zaremba et al. 2014; PyTorch's {@code word_language_model}):
 * the training tokens are cut into B parallel streams, each stream is read in chunks of T steps,
 * the recurrent state is carried from chunk to chunk as a value (truncated BPTT with k1 = k2 = T)
 * and reset to 0 at the start of each epoch; after each chunk the gradient is clipped by its global
 * norm and the optimizer takes one step at the schedule's learning rate. After each epoch the
 * validation tokens are scored the same way without dropout.
 *
 * <pre>
 *   tokens  a b c d e f g h i j k l m n o p q r s t u v w x   (N = 24, B = 4 ⇒ 6 steps per stream)
 *   streams        t=0 1 2 3 4 5
 *           b=0    a b c d e f
 *           b=1    g h i j k l         data (6, 4) seq-first: data[t·B + b]
 *           b=2    m n o p q r
 *           b=3    s t u v w x
 *   chunk j (T = 2): input data[2j .. 2j+2), target data[2j+1 .. 2j+3)
 * </pre>
 *
 * <p>Determinism: every chunk reseeds the dropout stream from (seed, epoch, chunk), so a run that is
 * stopped and resumed from a {@link Checkpoint} produces the same losses, bit for bit, as one that
 * was not (same thread count).
 */
public final class Trainer {
    private final LanguageModel model;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final Settings settings;
    private final LanguageModel.Workspace ws;

    /**
     * @param seqLen T, the chunk length and truncation horizon, {@code >= 1}
     * @param batch B, parallel streams, {@code >= 1}
     * @param epochs passes over the training tokens, {@code >= 1}
     * @param clip maximum global gradient norm, or 0 for no clipping
     * @param seed seeds dropout (and is recorded in checkpoints)
     */
    public record Settings(int seqLen, int batch, int epochs, double clip, long seed) {
        /** Validates; names the bad field. */
        public Settings {
            if (seqLen < 1) {
                throw new IllegalArgumentException("seq must be >= 1, got " + seqLen);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be >= 1, got " + batch);
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            }
            if (!(clip >= 0) || Double.isInfinite(clip)) {
                throw new IllegalArgumentException("clip must be finite and >= 0 (0 = off), got " + clip);
            }
        }

        /** As metadata strings ({@code train.*}). */
        public Map<String, String> toMetadata() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("train.seq_len", Integer.toString(seqLen));
            m.put("train.batch", Integer.toString(batch));
            m.put("train.epochs", Integer.toString(epochs));
            m.put("train.clip", Double.toString(clip));
            m.put("train.seed", Long.toString(seed));
            return m;
        }

        /** The inverse of {@link #toMetadata()}. */
        public static Settings fromMetadata(Map<String, String> m) {
            return new Settings(Meta.integer(m, "train.seq_len"), Meta.integer(m, "train.batch"),
                    Meta.integer(m, "train.epochs"), Meta.real(m, "train.clip"), Meta.longValue(m, "train.seed"));
        }

        /** The same settings with another epoch count. */
        public Settings withEpochs(int e) {
            return new Settings(seqLen, batch, e, clip, seed);
        }
    }

    /** Where a run stands, and what it has measured; what a checkpoint stores besides weights. */
    public static final class Position {
        /** The epoch being trained (0-based). */
        public int epoch;
        /** The next chunk of that epoch. */
        public int chunk;
        /** Mean training loss (nats/token) of every optimizer step so far, in order. */
        public double[] stepLoss = new double[0];
        /** Number of valid entries of {@link #stepLoss}. */
        public int steps;
        /** Validation loss (nats/token) after each finished epoch. */
        public double[] valLoss = new double[0];
        /** The carried state at {@code (epoch, chunk)}: (L, B, H) h, and c for the LSTM (else null). */
        public float[] h;
        /** See {@link #h}. */
        public float[] c;

        void addStep(double loss) {
            if (steps == stepLoss.length) {
                stepLoss = Arrays.copyOf(stepLoss, Math.max(64, 2 * steps));
            }
            stepLoss[steps++] = loss;
        }
    }

    /** Callbacks for progress display and checkpointing; all may be no-ops. */
    public interface Listener {
        /**
         * After each optimizer step.
         *
         * @param pos the position after the step (chunk already advanced)
         * @param chunksPerEpoch chunks in one epoch
         * @param loss this step's mean loss (nats/token)
         * @param lr the learning rate used
         * @param tokens tokens in the chunk (T·B)
         */
        void step(Position pos, int chunksPerEpoch, double loss, double lr, int tokens);

        /**
         * After each epoch's validation.
         *
         * @param pos the position (epoch already advanced, chunk 0, state reset)
         * @param trainLoss the epoch's mean training loss (nats/token)
         * @param valLoss validation loss (nats/token)
         */
        void epoch(Position pos, double trainLoss, double valLoss);
    }

    /**
     * @param model the model to train (its parameters are updated in place); not null
     * @param optimizer not null
     * @param schedule the learning rate per optimizer step; not null
     * @param settings not null
     * @param ws the workspace (its RNN workspace's Parallelism is used); not null
     */
    public Trainer(LanguageModel model, Optimizer optimizer, LrSchedule schedule, Settings settings,
                   LanguageModel.Workspace ws) {
        if (model == null || optimizer == null || schedule == null || settings == null || ws == null) {
            throw new IllegalArgumentException("model, optimizer, schedule, settings and ws must not be null");
        }
        this.model = model;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.settings = settings;
        this.ws = ws;
    }

    /**
     * The B streams of {@code tokens[from, to)} as (N/B, B) seq-first (the remainder N mod B is
     * dropped, as PyTorch's batchify does).
     *
     * @param tokens token ids
     * @param from first token
     * @param to end (exclusive)
     * @param batch B
     * @return data of length (N/B)·B; {@code data.length / batch} steps per stream
     */
    public static int[] batchify(int[] tokens, int from, int to, int batch) {
        int steps = (to - from) / batch;
        int[] data = new int[steps * batch];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                data[t * batch + b] = tokens[from + b * steps + t];
            }
        }
        return data;
    }

    /** Chunks per pass over (steps, B) data: ⌈(steps − 1) / T⌉ (the last input step needs a target). */
    public static int chunks(int steps, int seqLen) {
        return steps < 2 ? 0 : (steps - 1 + seqLen - 1) / seqLen;
    }

    /**
     * Trains from {@code pos} until {@link Settings#epochs()} are done or {@code maxSteps} more
     * optimizer steps were taken, whichever is first.
     *
     * @param train training data from {@link #batchify}
     * @param val validation data from {@link #batchify} with the same batch size
     * @param pos where to start (a fresh {@link Position} for a new run, or a checkpoint's); updated
     * @param listener progress callbacks; not null
     * @param maxSteps stop after this many optimizer steps (Long.MAX_VALUE for no limit)
     * @return {@code pos}
     */
    public Position run(int[] train, int[] val, Position pos, Listener listener, long maxSteps) {
        int b = settings.batch();
        int t0 = settings.seqLen();
        int steps = train.length / b;
        int perEpoch = chunks(steps, t0);
        if (perEpoch == 0) {
            throw new IllegalArgumentException("the training text is too short: " + train.length + " tokens in "
                    + b + " streams leave fewer than 2 steps per stream; use a smaller --batch or a longer text");
        }
        boolean lstm = model.config().cell().hasCellState();
        int states = model.stateSize(b);
        if (pos.h == null) {
            pos.h = new float[states];
            pos.c = lstm ? new float[states] : null;
        }
        int[] input = new int[t0 * b];
        int[] target = new int[t0 * b];
        Params params = model.params();
        long taken = 0;
        while (pos.epoch < settings.epochs() && taken < maxSteps) {
            double epochSum = 0;
            long epochCount = 0;
            while (pos.chunk < perEpoch && taken < maxSteps) {
                int first = pos.chunk * t0;
                int seq = Math.min(t0, steps - 1 - first);
                slice(train, b, first, seq, input, target);
                ws.rnn().seedDropout(chunkSeed(settings.seed(), pos.epoch, pos.chunk));
                params.zeroGrad();
                int count = seq * b;
                double sum = model.trainChunk(ws, input, target, seq, b, pos.h, pos.c, 1f / count);
                if (settings.clip() > 0) {
                    GradClip.clipGradNorm(params, settings.clip(), false);
                }
                double lr = schedule.rate(optimizer.steps());
                optimizer.step(params, lr);
                double mean = sum / count;
                pos.addStep(mean);
                epochSum += sum;
                epochCount += count;
                pos.chunk++;
                taken++;
                listener.step(pos, perEpoch, mean, lr, count);
            }
            if (pos.chunk < perEpoch) {
                break;   // stopped by maxSteps inside the epoch
            }
            double valLoss = evaluate(val);
            pos.valLoss = Arrays.copyOf(pos.valLoss, pos.valLoss.length + 1);
            pos.valLoss[pos.valLoss.length - 1] = valLoss;
            pos.epoch++;
            pos.chunk = 0;
            Arrays.fill(pos.h, 0f);
            if (pos.c != null) {
                Arrays.fill(pos.c, 0f);
            }
            listener.epoch(pos, epochCount == 0 ? Double.NaN : epochSum / epochCount, valLoss);
        }
        return pos;
    }

    /**
     * The mean loss (nats/token) of the model on (steps, B) data, read in chunks of T from a zero
     * state, no dropout.
     *
     * @param data from {@link #batchify} with this trainer's batch size
     * @return the mean cross-entropy per predicted token
     */
    public double evaluate(int[] data) {
        int b = settings.batch();
        int t0 = settings.seqLen();
        int steps = data.length / b;
        int n = chunks(steps, t0);
        if (n == 0) {
            throw new IllegalArgumentException("the validation text is too short: " + data.length + " tokens in "
                    + b + " streams; use a smaller --batch or a longer text");
        }
        boolean lstm = model.config().cell().hasCellState();
        float[] h = new float[model.stateSize(b)];
        float[] c = lstm ? new float[model.stateSize(b)] : null;
        int[] input = new int[t0 * b];
        int[] target = new int[t0 * b];
        double sum = 0;
        long count = 0;
        for (int j = 0; j < n; j++) {
            int first = j * t0;
            int seq = Math.min(t0, steps - 1 - first);
            slice(data, b, first, seq, input, target);
            sum += model.evaluate(ws, input, target, seq, b, h, c);
            count += SoftmaxCrossEntropy.countTargets(target, 0, seq * b);
        }
        return sum / count;
    }

    private static void slice(int[] data, int b, int first, int seq, int[] input, int[] target) {
        System.arraycopy(data, first * b, input, 0, seq * b);
        System.arraycopy(data, (first + 1) * b, target, 0, seq * b);
    }

    /** A seed per (run seed, epoch, chunk), so that dropout does not depend on where a run resumed. */
    static long chunkSeed(long seed, int epoch, int chunk) {
        long z = seed + 0x9E3779B97F4A7C15L * (((long) epoch << 32) + chunk + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;   // SplitMix64's finalizer
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
