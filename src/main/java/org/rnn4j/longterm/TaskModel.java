package org.rnn4j.longterm;

import java.util.Arrays;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Params;

/**
 * The model of a long-term benchmark: one recurrent layer (a {@link Variant}, hidden size H) over the
 * task's input, and a linear head (H → O) on its output at the task's loss steps.
 *
 * <pre>
 *   x (N, B, I) ──Rnn──▶ out (N, B, H) ──rows of steps N−S … N−1──▶ Linear ──▶ head (S, B, O) ──▶ task loss
 * </pre>
 * Parameters are registered in {@link #params()} as {@code rnn.*} (PyTorch names) and
 * {@code head.weight}, {@code head.bias}.
 *
 * <h2>Ownership and threads</h2>
 * The model owns its parameters, gradients, workspace and scratch buffers, sized once for
 * {@link #capacity()} sequences; calls with a batch up to that size allocate nothing on the
 * recurrent path. Not thread-safe: one model per thread. Batches belong to the caller and are read
 * only.
 */
public final class TaskModel {
    private final Task task;
    private final Variant variant;
    private final int hidden;
    private final int capacity;
    private final RnnWeights weights;
    private final RnnWeights grads;
    private final Rnn rnn;
    private final Linear head;
    private final Params params = new Params();
    private final RnnWorkspace ws;
    private final float[] out;     // (N, C, H)
    private final float[] dOut;    // (N, C, H)
    private final float[] logits;  // (S, C, O)
    private final float[] dLogits; // (S, C, O)

    /**
     * A model on the default kernels with serial GEMMs.
     *
     * @param task the task it is for; not null
     * @param variant the recurrent cell and its initialization; not null
     * @param hidden H, {@code >= 1}
     * @param capacity the largest batch it will see, {@code >= 1}
     * @param seed seeds the recurrent layer's initialization ({@link Variant#initialize}) and the
     *             head's (PyTorch's default, from a seed derived from this one)
     */
    public TaskModel(Task task, Variant variant, int hidden, int capacity, long seed) {
        this(task, variant, hidden, capacity, seed, Kernels.get(), Parallelism.SERIAL);
    }

    /**
     * A model on the given kernels and GEMM splitting (results are bitwise the same for any
     * {@link Parallelism}).
     *
     * @param task the task it is for; not null
     * @param variant the recurrent cell and its initialization; not null
     * @param hidden H, {@code >= 1}
     * @param capacity the largest batch it will see, {@code >= 1}
     * @param seed seeds both initializations
     * @param kernels the kernels; not null
     * @param parallelism how the recurrent GEMMs are split; not null
     */
    public TaskModel(Task task, Variant variant, int hidden, int capacity, long seed, Kernels kernels,
                     Parallelism parallelism) {
        if (task == null || variant == null || kernels == null || parallelism == null) {
            throw new IllegalArgumentException("task, variant, kernels and parallelism must not be null");
        }
        if (hidden < 1) {
            throw new IllegalArgumentException("hidden must be >= 1, got " + hidden);
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        long seqFloats = (long) task.seqLen() * capacity * hidden;
        if (seqFloats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("(N, B, H) = (" + task.seqLen() + ", " + capacity + ", " + hidden
                    + ") does not fit in one array");
        }
        this.task = task;
        this.variant = variant;
        this.hidden = hidden;
        this.capacity = capacity;
        RnnSpec spec = RnnSpec.builder(variant.cell(), task.inputSize(), hidden).build();
        this.weights = variant.initialize(new RnnWeights(spec), seed);
        this.grads = new RnnWeights(spec);
        this.rnn = new Rnn(weights, kernels);
        this.head = new Linear(hidden, task.headSize(), kernels).initUniform(seed ^ 0x6A09E667F3BCC909L);
        params.addAll("rnn", weights, grads);
        head.register(params, "head");
        this.ws = new RnnWorkspace(parallelism, seed);
        this.out = new float[(int) seqFloats];
        this.dOut = new float[(int) seqFloats];
        int headFloats = task.lossSteps() * capacity * task.headSize();
        this.logits = new float[headFloats];
        this.dLogits = new float[headFloats];
    }

    /** @return the task */
    public Task task() {
        return task;
    }

    /** @return the recurrent cell and its initialization */
    public Variant variant() {
        return variant;
    }

    /** @return H */
    public int hidden() {
        return hidden;
    }

    /** @return the largest batch the buffers hold */
    public int capacity() {
        return capacity;
    }

    /** @return the engine of the recurrent layer (it reads {@link #weights()}) */
    public Rnn rnn() {
        return rnn;
    }

    /** @return the recurrent layer's live parameters */
    public RnnWeights weights() {
        return weights;
    }

    /** @return the recurrent layer's live gradient accumulator */
    public RnnWeights grads() {
        return grads;
    }

    /** @return the linear head (its live parameters and gradients) */
    public Linear head() {
        return head;
    }

    /** @return every trainable tensor with its gradient: {@code rnn.*}, then {@code head.weight}, {@code head.bias} */
    public Params params() {
        return params;
    }

    /**
     * One forward and backward pass on a batch: the mean loss over its {@link Task#lossCount} targets
     * (PyTorch's {@code reduction='mean'}), whose gradient is <em>added</em> into {@link #params()}'
     * gradients (clear them first, e.g. {@link Params#zeroGrad()}).
     *
     * @param batch a batch of this model's task with at most {@link #capacity()} sequences; read only
     * @return the mean loss
     */
    public double lossAndGradients(Task.Batch batch) {
        int b = check(batch);
        int n = task.seqLen();
        int rows = task.lossSteps() * b;
        int off = (n - task.lossSteps()) * b * hidden;
        rnn.forward(ws, true, batch.x, n, b, null, null, null, out, null, null);
        head.forward(rows, out, off, logits, 0);
        int count = task.lossCount(b);
        double loss = task.loss(batch, logits, dLogits, 1f / count);
        Arrays.fill(dOut, 0, off, 0f);
        head.backward(rows, out, off, dLogits, 0, dOut, off);
        rnn.backward(ws, dOut, null, null, grads, null, null, null);
        return loss / count;
    }

    /**
     * dL/d(out) of the summed loss L = Σ over the batch's targets (gradient scale 1), without
     * touching the recurrent gradients: an inference forward pass, the head, the loss, and the head's
     * input gradient. The head's gradient accumulators receive the head's parameter gradients as a
     * side effect.
     *
     * @param batch a batch of this model's task; read only
     * @param gradOut receives (N, B, H): dL/d(out_t), zero at every step the loss does not read
     * @return L, the summed loss
     */
    public double outputGradient(Task.Batch batch, float[] gradOut) {
        int b = check(batch);
        int n = task.seqLen();
        if (gradOut == null || gradOut.length < n * b * hidden) {
            throw new IllegalArgumentException("gradOut must hold (N, B, H) = " + n * b * hidden + " floats");
        }
        int rows = task.lossSteps() * b;
        int off = (n - task.lossSteps()) * b * hidden;
        rnn.forward(ws, false, batch.x, n, b, null, null, null, out, null, null);
        head.forward(rows, out, off, logits, 0);
        double loss = task.loss(batch, logits, dLogits, 1f);
        Arrays.fill(gradOut, 0, off, 0f);
        head.backward(rows, out, off, dLogits, 0, gradOut, off);
        return loss;
    }

    /**
     * Adds a batch's score to {@code acc} (inference forward pass; nothing else changes).
     *
     * @param batch a batch of this model's task; read only
     * @param acc running totals, updated
     */
    public void score(Task.Batch batch, Score.Accumulator acc) {
        int b = check(batch);
        int n = task.seqLen();
        rnn.forward(ws, false, batch.x, n, b, null, null, null, out, null, null);
        head.forward(task.lossSteps() * b, out, (n - task.lossSteps()) * b * hidden, logits, 0);
        task.score(batch, logits, acc);
    }

    /**
     * The model's score on a set of batches.
     *
     * @param set batches of this model's task; read only
     * @return the mean loss (and accuracy) over all their targets
     */
    public Score evaluate(Task.Batch[] set) {
        Score.Accumulator acc = new Score.Accumulator(task.classification());
        for (Task.Batch b : set) {
            score(b, acc);
        }
        return acc.score();
    }

    private int check(Task.Batch batch) {
        if (batch == null || batch.task() != task) {
            throw new IllegalArgumentException("batch must be a batch of this model's task (" + task.describe() + ")");
        }
        int b = batch.size();
        if (b < 1 || b > capacity) {
            throw new IllegalArgumentException("batch size must be in [1, " + capacity + "], got " + b);
        }
        return b;
    }
}
