package org.rnn4j.longterm;

import java.util.SplittableRandom;

/**
 * A synthetic long-term-dependency benchmark: a generator of input sequences with their targets, and
 * the loss of a linear head's outputs at the last steps. The two tasks are {@link AddingProblem} and
 * {@link CopyTask}; both take a lag T, the number of steps the network has to carry information over.
 *
 * <h2>Shapes</h2>
 * With N = {@link #seqLen()}, I = {@link #inputSize()}, S = {@link #lossSteps()}, O =
 * {@link #headSize()} and B the batch:
 * <ul>
 *   <li>input {@code x}: (N, B, I) seq-first, every sequence of full length N;</li>
 *   <li>the head's outputs: (S, B, O), the linear head applied to the network's output at steps
 *       N−S … N−1 (row {@code s·B + b} is step N−S+s of sequence b); no other step is read by the
 *       loss;</li>
 *   <li>targets: (S, B) real values ({@link Batch#values}) or class indices ({@link Batch#labels}),
 *       in the same row order.</li>
 * </ul>
 *
 * <p>Tasks are immutable and thread-safe; the randomness comes from the caller's
 * {@link SplittableRandom}, so a seeded stream gives the same data bit for bit.
 */
public abstract class Task {
    Task() {}

    /** @return the task's command-line name, {@code "adding"} or {@code "copy"} */
    public abstract String id();

    /** @return a one-line description with the task's parameters */
    public abstract String describe();

    /** @return T, the lag the task is built for */
    public abstract int lag();

    /** @return N, the length of every sequence */
    public abstract int seqLen();

    /** @return I, the input features per step */
    public abstract int inputSize();

    /** @return O, the outputs of the linear head per step (1 for a regression, the class count otherwise) */
    public abstract int headSize();

    /** @return S, the number of final steps whose outputs the loss reads */
    public abstract int lossSteps();

    /** @return true when the targets are class labels (cross-entropy), false for real values (squared error) */
    public abstract boolean classification();

    /**
     * A batch buffer for up to {@code capacity} sequences of this task, all zero.
     *
     * @param capacity the largest batch it will hold, {@code >= 1}
     * @return a new buffer the caller owns
     */
    public Batch newBatch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        return new Batch(this, capacity);
    }

    /**
     * Draws {@code batch} new sequences with their targets into {@code dst} (replacing its contents).
     *
     * @param rnd the random stream, advanced by the draws; not null
     * @param batch B, in [1, dst.capacity()]
     * @param dst a buffer from {@link #newBatch(int)} of this task
     * @throws IllegalArgumentException for a buffer of another task or a batch out of range
     */
    public final void fill(SplittableRandom rnd, int batch, Batch dst) {
        if (rnd == null) {
            throw new IllegalArgumentException("rnd must not be null");
        }
        if (dst == null || dst.task() != this) {
            throw new IllegalArgumentException("dst must be a batch buffer of this task (" + describe() + ")");
        }
        if (batch < 1 || batch > dst.capacity()) {
            throw new IllegalArgumentException("batch must be in [1, " + dst.capacity() + "], got " + batch);
        }
        dst.size = batch;
        generate(rnd, batch, dst);
    }

    /** Writes {@code batch} sequences into dst's arrays (laid out with B = batch). */
    abstract void generate(SplittableRandom rnd, int batch, Batch dst);

    /**
     * The summed loss of the head's outputs against the batch's targets, and its gradient scaled by
     * {@code gradScale}: squared error (regression) or softmax cross-entropy (classification) per
     * target, summed over the {@link #lossCount(int)} targets.
     *
     * @param batch the targets ({@link Batch#size()} sequences); read only
     * @param head (S, B, O) outputs of the linear head; read only
     * @param dHead receives (S, B, O) {@code gradScale · dLoss/dHead}; distinct from {@code head}
     * @param gradScale 1 for the sum, {@code 1 / lossCount} for the mean
     * @return the summed loss, in double
     */
    public abstract double loss(Batch batch, float[] head, float[] dHead, float gradScale);

    /**
     * @param batch B
     * @return the number of loss terms of a batch: B·S
     */
    public int lossCount(int batch) {
        return batch * lossSteps();
    }

    /**
     * Adds the batch's loss and, for a classification, its number of correct argmax predictions to
     * {@code acc}; nothing is written to any array.
     *
     * @param batch the targets; read only
     * @param head (S, B, O) outputs of the linear head; read only
     * @param acc the running totals, updated
     */
    public abstract void score(Batch batch, float[] head, Score.Accumulator acc);

    /**
     * The trivial baseline on a set of batches (what a network that learnt nothing about the
     * long-term dependency achieves); see each task for exactly what it is.
     *
     * @param set the batches; read only
     * @return the baseline's score
     */
    public abstract Score baseline(Batch[] set);

    /**
     * A batch of sequences of one task: the input (N, B, I), the targets (S, B) and its current size
     * B. The arrays are sized for {@link #capacity()} sequences and laid out for the current B (a
     * smaller batch uses a prefix). The arrays are live and owned by this object; {@link Task#fill}
     * overwrites them.
     */
    public static final class Batch {
        private final Task task;
        private final int capacity;
        int size;
        /** Input (N, B, I) seq-first; live. */
        public final float[] x;
        /** Regression targets (S, B), or null for a classification task; live. */
        public final float[] values;
        /** Class targets (S, B), or null for a regression task; live. */
        public final int[] labels;

        Batch(Task task, int capacity) {
            this.task = task;
            this.capacity = capacity;
            long n = (long) task.seqLen() * capacity * task.inputSize();
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("a batch of " + capacity + " sequences of (N, I) = ("
                        + task.seqLen() + ", " + task.inputSize() + ") does not fit in one array");
            }
            this.x = new float[(int) n];
            int targets = task.lossSteps() * capacity;
            this.values = task.classification() ? null : new float[targets];
            this.labels = task.classification() ? new int[targets] : null;
        }

        /** @return the task that fills this batch */
        public Task task() {
            return task;
        }

        /** @return the largest batch the arrays hold */
        public int capacity() {
            return capacity;
        }

        /** @return B, the number of sequences held now (0 before the first fill) */
        public int size() {
            return size;
        }
    }
}
