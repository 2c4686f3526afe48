package org.rnn4j.cell;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.rnn4j.kernel.Checks;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;
import org.rnn4j.kernel.WorkerTeam;

/**
 * Data-parallel forward and backward over batch rows: the batch is cut into S contiguous slices and
 * each slice runs the whole network, every step of every layer, on its own thread with its own
 * {@link RnnWorkspace}. Nothing is synchronised per step, which is what the per-step GEMM split of
 * {@link Parallelism} has to do T times per layer; the slices meet once per call, and in backward
 * their parameter gradients are added into the caller's accumulator once, in slice order.
 *
 * <p>Arguments, shapes and layouts are exactly those of {@link Rnn#forward} and {@link Rnn#backward}:
 * input (T, B, I) or (B, T, I), states (L·D, B, P) and (L·D, B, H), per-sequence lengths (B). A
 * slice's rows are gathered into contiguous per-slice buffers and its results scattered back into
 * the caller's arrays; each slice writes only its own rows.
 *
 * <h2>Results</h2>
 * <ul>
 *   <li>Outputs, final states and the input and initial-state gradients are bitwise those of
 *       {@link Rnn} over the whole batch: every kernel computes a batch row with the same arithmetic
 *       whichever rows share its call (the GEMM's per-element order does not depend on the tile
 *       a row lands in), and the slices see the same weights.</li>
 *   <li>Parameter gradients sum over T·B rows; here each slice sums its own rows and the S partial
 *       sums are then added in slice order, so they differ from the one-slice sum in the last bits.
 *       They are deterministic: the same S, inputs and weights give bitwise the same gradients,
 *       however the threads are scheduled.</li>
 *   <li>Training-mode dropout draws its masks per slice (slice s's workspace is seeded with
 *       {@code dropoutSeed + s}), so masks depend on S.</li>
 * </ul>
 * With fewer batch rows than slices, S = B; with S = 1 (including B = 1) the call runs on one
 * workspace whose per-step GEMMs use the {@link Parallelism} given at construction, which is the
 * better split for a single sequence.
 *
 * <h2>Threads and ownership</h2>
 * One instance may be shared; each calling thread needs its own {@link Workspace}. Slices 1 … S−1
 * run on the executor, slice 0 on the calling thread, which then waits. The executor must run tasks
 * on threads other than the caller's (a {@link WorkerTeam} with S−1 workers is the intended one). A
 * task it rejects runs on the calling thread instead. The workspace owns every buffer; once it has
 * grown to the largest shape seen, a call allocates only what the executor allocates to queue S−1
 * tasks (a {@link WorkerTeam} queue node each).
 */
public final class DataParallelRnn {
    private final Rnn rnn;
    private final RnnSpec spec;
    private final Executor executor;
    private final int slices;
    private final Parallelism single;
    // Shape names for error messages, built once so that the argument checks allocate nothing.
    private final String seqShapeI;
    private final String seqShapeO;

    /**
     * @param rnn the engine whose weights and kernels every slice uses; must not be null
     * @param executor runs slices 1 … S−1; must not be null
     * @param slices S, the most slices a batch is cut into, {@code >= 1}
     * @param single the GEMM split for a one-slice call (B = 1 or S = 1); must not be null
     */
    public DataParallelRnn(Rnn rnn, Executor executor, int slices, Parallelism single) {
        if (rnn == null) {
            throw new IllegalArgumentException("rnn must not be null");
        }
        if (executor == null) {
            throw new IllegalArgumentException("executor must not be null");
        }
        if (slices < 1) {
            throw new IllegalArgumentException("slices must be >= 1, got " + slices);
        }
        if (single == null) {
            throw new IllegalArgumentException("single must not be null (use Parallelism.SERIAL)");
        }
        this.rnn = rnn;
        this.spec = rnn.spec();
        this.executor = executor;
        this.slices = slices;
        this.single = single;
        String seq = spec.batchFirst() ? "(B, T, " : "(T, B, ";
        this.seqShapeI = seq + "I)";
        this.seqShapeO = seq + "O)";
    }

    /**
     * One slice per thread of {@code team} (its workers plus the caller); a single sequence splits
     * its per-step GEMMs over the same team.
     *
     * @param rnn the engine; must not be null
     * @param team the threads; must not be null and stay open while this is used
     * @return the data-parallel engine
     */
    public static DataParallelRnn over(Rnn rnn, WorkerTeam team) {
        if (team == null) {
            throw new IllegalArgumentException("team must not be null");
        }
        return new DataParallelRnn(rnn, team, team.workers() + 1, team.parallelism());
    }

    /** @return S, the most slices a batch is cut into */
    public int slices() {
        return slices;
    }

    /** @return the engine every slice runs */
    public Rnn rnn() {
        return rnn;
    }

    /**
     * A new workspace for one calling thread.
     *
     * @param dropoutSeed slice s draws its dropout masks from {@code dropoutSeed + s}
     * @return the workspace; its buffers grow on first use
     */
    public Workspace newWorkspace(long dropoutSeed) {
        return new Workspace(dropoutSeed);
    }

    // ================================================================== forward

    /**
     * {@link Rnn#forward} over slices of the batch, in parallel; see the class comment for what is
     * bitwise the same as the one-slice pass.
     *
     * @param w this thread's workspace (from {@link #newWorkspace}); its previous contents are replaced
     * @param training true applies inter-layer dropout (per-slice masks)
     * @param input (T, B, I) or (B, T, I), read only
     * @param seqLen T, {@code >= 1}
     * @param batch B, {@code >= 1}
     * @param lengths (B) per-sequence lengths in [0, T], or null for all T; read only
     * @param h0 (L·D, B, P) initial hidden states, or null for zeros; read only
     * @param c0 (L·D, B, H) initial cell states (LSTM only), or null for zeros; read only
     * @param output receives (T, B, O) or (B, T, O), or null
     * @param hN receives (L·D, B, P), or null
     * @param cN receives (L·D, B, H) (LSTM only), or null
     * @throws IllegalArgumentException naming the first bad argument, its expected and actual size
     */
    public void forward(Workspace w, boolean training, float[] input, int seqLen, int batch, int[] lengths,
                        float[] h0, float[] c0, float[] output, float[] hN, float[] cN) {
        if (w == null || w.owner() != this) {
            throw new IllegalArgumentException("w must be a workspace of this DataParallelRnn (newWorkspace)");
        }
        if (seqLen < 1) {
            throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        Checks.holds("input", input, (long) seqLen * batch * spec.inputSize(), seqShapeI, false);
        Checks.lengths(lengths, "T", seqLen, batch);
        Checks.holds("output", output, (long) seqLen * batch * spec.outputSize(), seqShapeO, true);
        spec.checkStates(batch, "h0", h0, "hN", hN, "c0", c0, "cN", cN);
        w.forwardDone = false;
        int n = Math.min(slices, batch);
        w.seqLen = seqLen;
        w.batch = batch;
        w.used = n;
        if (n == 1) {
            w.one.parallelism(single);
            rnn.forward(w.one, training, input, seqLen, batch, lengths, h0, c0, output, hN, cN);
        } else {
            w.setForward(training, input, lengths, h0, c0, output, hN, cN);
            w.runAll();
        }
        w.forwardDone = true;
    }

    // ================================================================== backward

    /**
     * {@link Rnn#backward} of the forward pass in {@code w}, slice by slice in parallel; the slices'
     * parameter gradients are then added into {@code grads} in slice order (see the class comment).
     *
     * @param w the workspace of the forward pass
     * @param gradOutput dL/d(output), the output's layout, or null for zero; read only
     * @param gradHN dL/dh_N (L·D, B, P), or null; read only
     * @param gradCN dL/dc_N (L·D, B, H) (LSTM only), or null; read only
     * @param grads accumulator of the parameter gradients ({@code +=}); not the engine's weights
     * @param gradInput receives dL/d(input) in the input's layout, or null
     * @param gradH0 receives dL/dh_0 (L·D, B, P), or null
     * @param gradC0 receives dL/dc_0 (L·D, B, H) (LSTM only), or null
     * @throws IllegalArgumentException for a bad argument
     * @throws IllegalStateException if {@code w} holds no forward pass
     */
    public void backward(Workspace w, float[] gradOutput, float[] gradHN, float[] gradCN, RnnWeights grads,
                         float[] gradInput, float[] gradH0, float[] gradC0) {
        if (w == null || w.owner() != this) {
            throw new IllegalArgumentException("w must be a workspace of this DataParallelRnn (newWorkspace)");
        }
        if (!w.forwardDone) {
            throw new IllegalStateException("w holds no completed forward pass; call forward first");
        }
        rnn.weights().requireSameShape(grads, "grads");
        if (grads == rnn.weights()) {
            throw new IllegalArgumentException("grads must be a separate RnnWeights, not the engine's weights");
        }
        if (w.used == 1) {
            rnn.backward(w.one, gradOutput, gradHN, gradCN, grads, gradInput, gradH0, gradC0);
            return;
        }
        long rows = (long) w.seqLen * w.batch;
        Checks.holds("gradOutput", gradOutput, rows * spec.outputSize(), seqShapeO, true);
        Checks.holds("gradInput", gradInput, rows * spec.inputSize(), seqShapeI, true);
        spec.checkStates(w.batch, "gradHN", gradHN, "gradH0", gradH0, "gradCN", gradCN, "gradC0", gradC0);
        w.setBackward(gradOutput, gradHN, gradCN, gradInput, gradH0, gradC0);
        w.runAll();
        // One reduction, in slice order, so the sum does not depend on which thread finished first.
        // On the scalar twin: an add rounds alike on both paths, and a vector kernel called once per
        // call stays interpreted long enough to box every vector it touches.
        Kernels k = Kernels.scalar();
        for (int s = 0; s < w.used; s++) {
            grads.addFrom(w.slice[s].grads, k);
        }
    }

    // ================================================================== workspace

    /**
     * Per-thread state of a {@link DataParallelRnn}: one {@link RnnWorkspace}, gradient accumulator
     * and set of gather/scatter buffers per slice, grown on demand and reused. Not thread-safe: one
     * per calling thread.
     */
    public final class Workspace {
        private final RnnWorkspace one;
        private final Slice[] slice = new Slice[slices];
        private final Object lock = new Object();
        private int pending;
        private Throwable failure;
        private boolean forwardDone;
        private boolean backwardPhase;
        private int seqLen;
        private int batch;
        private int used;
        // the caller's arrays of the call in progress (read by the slice tasks)
        private boolean training;
        private float[] input;
        private int[] lengths;
        private float[] h0;
        private float[] c0;
        private float[] output;
        private float[] hN;
        private float[] cN;
        private float[] gradOutput;
        private float[] gradHN;
        private float[] gradCN;
        private float[] gradInput;
        private float[] gradH0;
        private float[] gradC0;

        private Workspace(long dropoutSeed) {
            one = new RnnWorkspace(Parallelism.SERIAL, dropoutSeed);
            for (int s = 0; s < slices; s++) {
                slice[s] = new Slice(s, dropoutSeed + s);
            }
        }

        private DataParallelRnn owner() {
            return DataParallelRnn.this;
        }

        private void setForward(boolean training, float[] input, int[] lengths, float[] h0, float[] c0,
                                float[] output, float[] hN, float[] cN) {
            this.backwardPhase = false;
            this.training = training;
            this.input = input;
            this.lengths = lengths;
            this.h0 = h0;
            this.c0 = c0;
            this.output = output;
            this.hN = hN;
            this.cN = cN;
        }

        private void setBackward(float[] gradOutput, float[] gradHN, float[] gradCN, float[] gradInput,
                                 float[] gradH0, float[] gradC0) {
            this.backwardPhase = true;
            this.gradOutput = gradOutput;
            this.gradHN = gradHN;
            this.gradCN = gradCN;
            this.gradInput = gradInput;
            this.gradH0 = gradH0;
            this.gradC0 = gradC0;
        }

        /** Runs slices 1 … used−1 on the executor and slice 0 here, waits, rethrows the first failure. */
        private void runAll() {
            synchronized (lock) {
                pending = used - 1;
                failure = null;
            }
            for (int s = 1; s < used; s++) {
                try {
                    executor.execute(slice[s]);
                } catch (RejectedExecutionException e) {
                    slice[s].run();
                }
            }
            slice[0].runHere();
            synchronized (lock) {
                boolean interrupted = false;
                while (pending > 0) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;   // the slices write the caller's arrays: wait them out
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                Throwable f = failure;
                failure = null;
                if (f instanceof RuntimeException re) {
                    throw re;
                }
                if (f instanceof Error e) {
                    throw e;
                }
            }
        }

        private void done(Throwable t) {
            synchronized (lock) {
                if (t != null && failure == null) {
                    failure = t;
                }
                if (--pending == 0) {
                    lock.notifyAll();
                }
            }
        }

        /** One slice: batch rows [b0, b0 + rows) of the call, and everything it needs of its own. */
        private final class Slice implements Runnable {
            private final int index;
            private final RnnWorkspace ws;
            private final RnnWeights grads;
            private int b0;
            private int rows;
            private float[] x = new float[0];
            private float[] y = new float[0];
            private float[] sh0 = new float[0];
            private float[] sc0 = new float[0];
            private float[] shN = new float[0];
            private float[] scN = new float[0];
            private int[] len = new int[0];

            Slice(int index, long seed) {
                this.index = index;
                this.ws = new RnnWorkspace(Parallelism.SERIAL, seed);
                this.grads = new RnnWeights(spec);
            }

            @Override
            public void run() {
                Throwable t = null;
                try {
                    work();
                } catch (Throwable e) {
                    t = e;
                }
                done(t);
            }

            /** Slice 0, on the calling thread: a failure goes straight to the caller after the wait. */
            void runHere() {
                try {
                    work();
                } catch (Throwable e) {
                    synchronized (lock) {
                        if (failure == null) {
                            failure = e;
                        }
                    }
                }
            }

            private void work() {
                // rows [b0, b0 + rows): the first B mod S slices take one row more
                int base = batch / used;
                int extra = batch % used;
                b0 = index * base + Math.min(index, extra);
                rows = base + (index < extra ? 1 : 0);
                if (backwardPhase) {
                    backwardSlice();
                } else {
                    forwardSlice();
                }
            }

            private void forwardSlice() {
                int in = spec.inputSize();
                int out = spec.outputSize();
                x = grow(x, (long) seqLen * rows * in);
                gatherSeq(input, in, x);
                int[] l = null;
                if (lengths != null) {
                    if (len.length < rows) {
                        len = new int[rows];
                    }
                    System.arraycopy(lengths, b0, len, 0, rows);
                    l = len;
                }
                int p = spec.stateSize();
                int h = spec.hiddenSize();
                int units = spec.numUnits();
                float[] ih0 = null;
                float[] ic0 = null;
                if (h0 != null) {
                    sh0 = grow(sh0, (long) units * rows * p);
                    gatherState(h0, p, sh0);
                    ih0 = sh0;
                }
                if (c0 != null) {
                    sc0 = grow(sc0, (long) units * rows * h);
                    gatherState(c0, h, sc0);
                    ic0 = sc0;
                }
                float[] oy = null;
                if (output != null) {
                    y = grow(y, (long) seqLen * rows * out);
                    oy = y;
                }
                float[] ohN = null;
                float[] ocN = null;
                if (hN != null) {
                    shN = grow(shN, (long) units * rows * p);
                    ohN = shN;
                }
                if (cN != null) {
                    scN = grow(scN, (long) units * rows * h);
                    ocN = scN;
                }
                rnn.forward(ws, training, x, seqLen, rows, l, ih0, ic0, oy, ohN, ocN);
                if (output != null) {
                    scatterSeq(y, out, output);
                }
                if (hN != null) {
                    scatterState(shN, p, hN);
                }
                if (cN != null) {
                    scatterState(scN, h, cN);
                }
            }

            private void backwardSlice() {
                int in = spec.inputSize();
                int out = spec.outputSize();
                int p = spec.stateSize();
                int h = spec.hiddenSize();
                int units = spec.numUnits();
                // the forward buffers are free now: y carries dL/dY in, x dL/dX out, the state buffers
                // dL/dh_N, dL/dc_N in and dL/dh_0, dL/dc_0 out
                float[] gy = null;
                if (gradOutput != null) {
                    y = grow(y, (long) seqLen * rows * out);
                    gatherSeq(gradOutput, out, y);
                    gy = y;
                }
                float[] ghN = null;
                float[] gcN = null;
                if (gradHN != null) {
                    shN = grow(shN, (long) units * rows * p);
                    gatherState(gradHN, p, shN);
                    ghN = shN;
                }
                if (gradCN != null) {
                    scN = grow(scN, (long) units * rows * h);
                    gatherState(gradCN, h, scN);
                    gcN = scN;
                }
                float[] gx = null;
                if (gradInput != null) {
                    x = grow(x, (long) seqLen * rows * in);
                    gx = x;
                }
                float[] gh0 = null;
                float[] gc0 = null;
                if (gradH0 != null) {
                    sh0 = grow(sh0, (long) units * rows * p);
                    gh0 = sh0;
                }
                if (gradC0 != null) {
                    sc0 = grow(sc0, (long) units * rows * h);
                    gc0 = sc0;
                }
                grads.zero();
                rnn.backward(ws, gy, ghN, gcN, grads, gx, gh0, gc0);
                if (gradInput != null) {
                    scatterSeq(x, in, gradInput);
                }
                if (gradH0 != null) {
                    scatterState(sh0, p, gradH0);
                }
                if (gradC0 != null) {
                    scatterState(sc0, h, gradC0);
                }
            }

            /** This slice's rows of a (T, B, width) or (B, T, width) array, in the same layout with B = rows. */
            private void gatherSeq(float[] src, int width, float[] dst) {
                if (spec.batchFirst()) {
                    System.arraycopy(src, b0 * seqLen * width, dst, 0, rows * seqLen * width);
                } else {
                    for (int t = 0; t < seqLen; t++) {
                        System.arraycopy(src, (t * batch + b0) * width, dst, t * rows * width, rows * width);
                    }
                }
            }

            private void scatterSeq(float[] src, int width, float[] dst) {
                if (spec.batchFirst()) {
                    System.arraycopy(src, 0, dst, b0 * seqLen * width, rows * seqLen * width);
                } else {
                    for (int t = 0; t < seqLen; t++) {
                        System.arraycopy(src, t * rows * width, dst, (t * batch + b0) * width, rows * width);
                    }
                }
            }

            /** This slice's rows of an (L·D, B, width) state, as (L·D, rows, width). */
            private void gatherState(float[] src, int width, float[] dst) {
                for (int u = 0; u < spec.numUnits(); u++) {
                    System.arraycopy(src, (u * batch + b0) * width, dst, u * rows * width, rows * width);
                }
            }

            private void scatterState(float[] src, int width, float[] dst) {
                for (int u = 0; u < spec.numUnits(); u++) {
                    System.arraycopy(src, u * rows * width, dst, (u * batch + b0) * width, rows * width);
                }
            }
        }
    }

    private static float[] grow(float[] a, long n) {
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a slice buffer of " + n + " floats does not fit in one Java array");
        }
        return a.length >= n ? a : new float[(int) n];
    }
}
