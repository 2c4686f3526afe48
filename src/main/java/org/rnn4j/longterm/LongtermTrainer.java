package org.rnn4j.longterm;

import java.util.SplittableRandom;
import org.rnn4j.nn.Params;
import org.rnn4j.train.Adam;
import org.rnn4j.train.GradClip;
import org.rnn4j.train.Optimizer;

/**
 * Trains {@link TaskModel}s of the variants on one {@link Task} under the same conditions and scores
 * them on a fixed held-out set next to the task's baseline.
 *
 * <h2>Protocol</h2>
 * Every optimizer step draws a fresh batch from a training stream seeded by the settings' seed (every
 * variant sees the same batches in the same order); the test set is drawn once, at construction, from
 * a different stream, and never trained on. Each step: gradients zeroed, one forward/backward pass
 * ({@link TaskModel#lossAndGradients}, mean loss), gradient clipping by global norm
 * ({@link GradClip#clipGradNorm(Params, double, boolean)}, PyTorch semantics; skipped for clip 0),
 * one {@link Adam} step (β = (0.9, 0.999), ε = 1e-8) at a constant learning rate. Training stops at
 * the {@link Budget}'s step count or wall-clock time, whichever comes first, or when the loss or the
 * gradient norm becomes non-finite (the run is then reported as diverged).
 *
 * <h2>Determinism</h2>
 * With a step budget the whole run — data, initialization, every update, the test score — is a
 * function of the settings: bitwise the same on a machine and JDK (the kernels' results do not depend
 * on timing or threads). With a time budget everything is the same except how many steps fit, which
 * depends on the machine and its load.
 *
 * <p>Not thread-safe; the test set is owned by the trainer and shared, read-only, by its runs.
 */
public final class LongtermTrainer {
    private final Task task;
    private final Settings settings;
    private final Task.Batch[] testSet;
    private final Score baseline;

    /**
     * The training settings shared by all variants.
     *
     * @param hidden H of the recurrent layer, {@code >= 1}
     * @param batch sequences per optimizer step (also the evaluation chunk), {@code >= 1}
     * @param lr Adam's learning rate, {@code > 0}
     * @param clip the largest global gradient norm, {@code > 0}, or 0 for no clipping
     * @param testSize the number of held-out sequences, {@code >= 1}
     * @param seed seeds the data streams and the initializations
     */
    public record Settings(int hidden, int batch, double lr, double clip, int testSize, long seed) {
        /**
         * Validates; the message names the bad field.
         *
         * @param hidden H, {@code >= 1}
         * @param batch B, {@code >= 1}
         * @param lr {@code > 0}
         * @param clip {@code >= 0}
         * @param testSize {@code >= 1}
         * @param seed any
         */
        public Settings {
            if (hidden < 1) {
                throw new IllegalArgumentException("hidden must be >= 1, got " + hidden);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be >= 1, got " + batch);
            }
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("lr must be finite and > 0, got " + lr);
            }
            if (!(clip >= 0) || Double.isInfinite(clip)) {
                throw new IllegalArgumentException("clip must be finite and >= 0 (0 = off), got " + clip);
            }
            if (testSize < 1) {
                throw new IllegalArgumentException("testSize must be >= 1, got " + testSize);
            }
        }
    }

    /**
     * When to stop training: after {@code maxSteps} optimizer steps or once {@code maxSeconds} of
     * training time have passed (checked after each step), whichever is first.
     *
     * @param maxSteps {@code >= 0}; {@link Long#MAX_VALUE} for no limit
     * @param maxSeconds {@code >= 0}; {@link Double#POSITIVE_INFINITY} for no limit
     */
    public record Budget(long maxSteps, double maxSeconds) {
        /**
         * Validates; at least one limit must be finite.
         *
         * @param maxSteps {@code >= 0}
         * @param maxSeconds {@code >= 0}
         */
        public Budget {
            if (maxSteps < 0) {
                throw new IllegalArgumentException("maxSteps must be >= 0, got " + maxSteps);
            }
            if (!(maxSeconds >= 0)) {
                throw new IllegalArgumentException("maxSeconds must be >= 0, got " + maxSeconds);
            }
            if (maxSteps == Long.MAX_VALUE && maxSeconds == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("a budget needs a step or a time limit");
            }
        }

        /**
         * @param n optimizer steps, {@code >= 0}
         * @return a deterministic budget of n steps
         */
        public static Budget steps(long n) {
            return new Budget(n, Double.POSITIVE_INFINITY);
        }

        /**
         * @param s seconds of training, {@code >= 0}
         * @return a wall-clock budget
         */
        public static Budget seconds(double s) {
            return new Budget(Long.MAX_VALUE, s);
        }

        /** @return true for a step budget (deterministic) */
        public boolean deterministic() {
            return maxSeconds == Double.POSITIVE_INFINITY;
        }
    }

    /**
     * The outcome of one training run.
     *
     * @param variant the cell trained
     * @param steps optimizer steps done
     * @param seconds wall-clock training time (evaluation excluded)
     * @param trainLoss mean training loss over the last min(100, steps) steps (NaN for none)
     * @param test the score on the held-out set after training
     * @param baseline the task's baseline on the same set
     * @param divergence null, or why training stopped early (a non-finite loss or gradient)
     */
    public record Result(Variant variant, long steps, double seconds, double trainLoss, Score test, Score baseline,
                         String divergence) {}

    /**
     * Draws the held-out set: {@code settings.testSize()} sequences in batches of
     * {@code settings.batch()}.
     *
     * @param task the task; not null
     * @param settings the settings; not null
     */
    public LongtermTrainer(Task task, Settings settings) {
        if (task == null || settings == null) {
            throw new IllegalArgumentException("task and settings must not be null");
        }
        this.task = task;
        this.settings = settings;
        int chunks = (settings.testSize() + settings.batch() - 1) / settings.batch();
        this.testSet = new Task.Batch[chunks];
        SplittableRandom rnd = new SplittableRandom(derive(settings.seed(), 2));
        for (int i = 0; i < chunks; i++) {
            int n = Math.min(settings.batch(), settings.testSize() - i * settings.batch());
            testSet[i] = task.newBatch(n);
            task.fill(rnd, n, testSet[i]);
        }
        this.baseline = task.baseline(testSet);
    }

    /** @return the task */
    public Task task() {
        return task;
    }

    /** @return the settings */
    public Settings settings() {
        return settings;
    }

    /** @return the held-out set, owned by the trainer: read only */
    public Task.Batch[] testSet() {
        return testSet;
    }

    /** @return the task's baseline on the held-out set */
    public Score baseline() {
        return baseline;
    }

    /**
     * A freshly initialized model of a variant, seeded from the settings (the same seed for every
     * variant).
     *
     * @param variant the cell; not null
     * @return a new model with capacity {@code settings.batch()}
     */
    public TaskModel newModel(Variant variant) {
        return new TaskModel(task, variant, settings.hidden(), settings.batch(), derive(settings.seed(), 3));
    }

    /**
     * Trains a fresh model of {@code variant} and scores it.
     *
     * @param variant the cell; not null
     * @param budget when to stop; not null
     * @return the result
     */
    public Result run(Variant variant, Budget budget) {
        return train(newModel(variant), budget);
    }

    /**
     * Trains {@code model} in place from the start of the training stream and scores it.
     *
     * @param model a model of this trainer's task, with capacity at least {@code settings.batch()}; its
     *              parameters are updated
     * @param budget when to stop; not null
     * @return the result
     */
    public Result train(TaskModel model, Budget budget) {
        if (model == null || model.task() != task) {
            throw new IllegalArgumentException("model must be a model of this trainer's task (" + task.describe() + ")");
        }
        if (budget == null) {
            throw new IllegalArgumentException("budget must not be null");
        }
        SplittableRandom data = new SplittableRandom(derive(settings.seed(), 1));
        Task.Batch batch = task.newBatch(settings.batch());
        Optimizer opt = new Adam();
        Params params = model.params();
        double[] recent = new double[100];
        long steps = 0;
        String divergence = null;
        long start = System.nanoTime();
        long limitNanos = budget.maxSeconds() >= Long.MAX_VALUE / 1e9 ? Long.MAX_VALUE
                : (long) (budget.maxSeconds() * 1e9);
        while (steps < budget.maxSteps() && System.nanoTime() - start < limitNanos) {
            task.fill(data, settings.batch(), batch);
            params.zeroGrad();
            double loss = model.lossAndGradients(batch);
            if (!Double.isFinite(loss)) {
                divergence = "loss " + loss + " at step " + (steps + 1);
                break;
            }
            if (settings.clip() > 0) {
                double norm = GradClip.clipGradNorm(params, settings.clip(), false);
                if (!Double.isFinite(norm)) {
                    divergence = "gradient norm " + norm + " at step " + (steps + 1);
                    break;
                }
            }
            opt.step(params, settings.lr());
            recent[(int) (steps % recent.length)] = loss;
            steps++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int n = (int) Math.min(steps, recent.length);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += recent[i];
        }
        Score test = model.evaluate(testSet);
        return new Result(model.variant(), steps, seconds, n == 0 ? Double.NaN : sum / n, test, baseline, divergence);
    }

    /**
     * A seed for one purpose derived from the run's seed: 1 the training stream, 2 the test set,
     * 3 the initializations, 4 the gradient-flow batch.
     *
     * @param seed the run's seed
     * @param purpose the purpose number
     * @return the derived seed
     */
    public static long derive(long seed, long purpose) {
        return new SplittableRandom(seed + 0x9E3779B97F4A7C15L * purpose).nextLong();
    }
}
