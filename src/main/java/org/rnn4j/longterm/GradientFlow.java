package org.rnn4j.longterm;

import java.util.ArrayList;
import java.util.List;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;

/**
 * The vanishing-gradient picture, measured: ‖∂L/∂h_t‖ for every step t of a batch, as a function of
 * the distance N − t to the loss.
 *
 * <h2>What is measured</h2>
 * Time is counted as in {@code docs/sequence-modeling.md}: h_0 is the initial state (zeros),
 * h_t = f(x_t, h_{t−1}) for t = 1 … N is the state after reading input step t (array step t−1), and
 * the model's output at step t is h_t. L is the task's loss summed over the batch (gradient scale 1),
 * so row b of ∂L/∂h_t is the gradient of sequence b's own loss; the profile holds, per t, the
 * Euclidean norm of each row averaged over the batch. ∂L/∂h_t is the total derivative with respect
 * to the node h_t of the unrolled graph — everything BPTT carries back through it — with, for the
 * LSTM, the cell state c_t an input of its own (∂L/∂c_t is reported separately). For the
 * {@link AddingProblem} the loss reads h_N only, so N − t is the distance to the loss.
 *
 * <h2>How it is computed with the engine</h2>
 * {@link Rnn#backward} returns ∂L/∂h_0 (its {@code gradH0}). The state at step t summarizes the
 * past exactly, so ∂L/∂h_t is the {@code gradH0} of a forward and backward pass over the suffix
 * steps t+1 … N started from h_0 = h_t (and c_0 = c_t), with the suffix's output gradients as
 * {@code gradOutput} — plus the direct gradient of the output at step t when the loss reads it.
 * {@link #gradientAt} does exactly that for one t. {@link #measure} gets all t at once by applying
 * it one step at a time from the end: the suffix t … N is step t followed by the suffix t+1 … N, so
 * ∂L/∂h_{t−1} is the {@code gradH0} of a one-step pass over step t whose {@code gradHN} is
 * ∂L/∂h_t (and {@code gradCN} ∂L/∂c_t) — N one-step passes instead of N²/2 steps. Both are exact
 * (the chain rule, no approximation); they differ only in float rounding.
 *
 * <p>Stateless; each call allocates its own workspace and buffers, and reads the model's parameters
 * (which must not change during the call). The model's head gradients receive the head's
 * parameter gradients as a side effect ({@link TaskModel#outputGradient}); the recurrent gradient
 * accumulator is not touched.
 */
public final class GradientFlow {
    private GradientFlow() {}

    /**
     * The gradient norms of one batch.
     *
     * @param seqLen N
     * @param hNorm (N + 1): entry t is the batch mean of ‖∂L/∂h_t‖ per sequence, t = 0 … N
     * @param cNorm (N + 1): the same for ∂L/∂c_t (LSTM), or null for a cell without a cell state
     * @param loss the summed loss L of the batch
     */
    public record Profile(int seqLen, double[] hNorm, double[] cNorm, double loss) {
        /**
         * @param distance N − t, in [0, N]
         * @return the mean ‖∂L/∂h_t‖ at that distance from the last step
         */
        public double hAtDistance(int distance) {
            return hNorm[seqLen - distance];
        }

        /**
         * @param distance N − t, in [0, N]
         * @return the mean ‖∂L/∂c_t‖ at that distance, or NaN without a cell state
         */
        public double cAtDistance(int distance) {
            return cNorm == null ? Double.NaN : cNorm[seqLen - distance];
        }
    }

    /**
     * ‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖) for every t = 0 … N, by one-step passes from the end (see the class
     * comment).
     *
     * @param model the model; its parameters are read
     * @param batch a batch of the model's task; read only
     * @return the profile
     */
    public static Profile measure(TaskModel model, Task.Batch batch) {
        Steps s = new Steps(model, batch);
        double loss = model.outputGradient(batch, s.gradOut);
        // forward, one step at a time: h_t, c_t for t = 0 … N
        for (int t = 1; t <= s.n; t++) {
            s.step(t, s.hs, (t - 1) * s.bh, s.cs, (t - 1) * s.bh);
            System.arraycopy(s.hOut, 0, s.hs, t * s.bh, s.bh);
            if (s.lstm) {
                System.arraycopy(s.cOut, 0, s.cs, t * s.bh, s.bh);
            }
        }
        double[] hNorm = new double[s.n + 1];
        double[] cNorm = s.lstm ? new double[s.n + 1] : null;
        float[] dh = new float[s.bh];
        float[] dc = s.lstm ? new float[s.bh] : null;
        // ∂L/∂h_N = the direct output gradient; ∂L/∂c_N = 0
        System.arraycopy(s.gradOut, (s.n - 1) * s.bh, dh, 0, s.bh);
        hNorm[s.n] = meanRowNorm(dh, s.b, s.h);
        if (s.lstm) {
            cNorm[s.n] = 0;
        }
        float[] dhPrev = new float[s.bh];
        float[] dcPrev = s.lstm ? new float[s.bh] : null;
        for (int t = s.n; t >= 1; t--) {
            // one step t from (h_{t−1}, c_{t−1}); gradHN = ∂L/∂h_t, gradCN = ∂L/∂c_t ⇒ gradH0 = path through step t
            s.step(t, s.hs, (t - 1) * s.bh, s.cs, (t - 1) * s.bh);
            s.rnn.backward(s.ws, null, dh, dc, s.scratch, null, dhPrev, dcPrev);
            if (t - 1 >= 1) {   // the output at step t−1 is h_{t−1}: add its direct gradient
                for (int i = 0; i < s.bh; i++) {
                    dhPrev[i] += s.gradOut[(t - 2) * s.bh + i];
                }
            }
            float[] tmp = dh;
            dh = dhPrev;
            dhPrev = tmp;
            if (s.lstm) {
                tmp = dc;
                dc = dcPrev;
                dcPrev = tmp;
                cNorm[t - 1] = meanRowNorm(dc, s.b, s.h);
            }
            hNorm[t - 1] = meanRowNorm(dh, s.b, s.h);
        }
        return new Profile(s.n, hNorm, cNorm, loss);
    }

    /**
     * ∂L/∂h_t (and ∂L/∂c_t) for one t, by the suffix method: the prefix steps 1 … t run from zeros
     * to get (h_t, c_t); the suffix steps t+1 … N run from there and are back-propagated with their
     * output gradients; {@code gradH0} (plus the direct output gradient at step t, if the loss reads
     * it) is the answer.
     *
     * @param model the model; its parameters are read
     * @param batch a batch of the model's task; read only
     * @param t the step, in [0, N]
     * @param dh receives (B, H) ∂L/∂h_t
     * @param dc receives (B, H) ∂L/∂c_t for an LSTM (else must be null); may be null
     */
    public static void gradientAt(TaskModel model, Task.Batch batch, int t, float[] dh, float[] dc) {
        Steps s = new Steps(model, batch);
        if (t < 0 || t > s.n) {
            throw new IllegalArgumentException("t must be in [0, N = " + s.n + "], got " + t);
        }
        if (dh == null || dh.length < s.bh) {
            throw new IllegalArgumentException("dh must hold (B, H) = " + s.bh + " floats");
        }
        if (dc != null && (!s.lstm || dc.length < s.bh)) {
            throw new IllegalArgumentException(s.lstm ? "dc must hold (B, H) = " + s.bh + " floats"
                    : "dc must be null: a " + model.variant().id() + " has no cell state");
        }
        model.outputGradient(batch, s.gradOut);
        int in = model.task().inputSize();
        float[] h0 = new float[s.bh];
        float[] c0 = s.lstm ? new float[s.bh] : null;
        if (t > 0) {   // prefix: steps 1 … t, array steps 0 … t−1
            s.rnn.forward(s.ws, false, slice(batch.x, 0, t * s.b * in), t, s.b, null, null, null, null, h0, c0);
        }
        if (t == s.n) {
            System.arraycopy(s.gradOut, (t - 1) * s.bh, dh, 0, s.bh);
            if (dc != null) {
                java.util.Arrays.fill(dc, 0, s.bh, 0f);
            }
            return;
        }
        int len = s.n - t;
        float[] suffix = slice(batch.x, t * s.b * in, len * s.b * in);
        float[] gradOut = slice(s.gradOut, t * s.bh, len * s.bh);
        float[] c0Grad = s.lstm ? new float[s.bh] : null;
        s.rnn.forward(s.ws, true, suffix, len, s.b, null, h0, c0, null, null, null);
        s.rnn.backward(s.ws, gradOut, null, null, s.scratch, null, dh, c0Grad);
        if (t >= 1) {
            for (int i = 0; i < s.bh; i++) {
                dh[i] += s.gradOut[(t - 1) * s.bh + i];
            }
        }
        if (dc != null) {
            System.arraycopy(c0Grad, 0, dc, 0, s.bh);
        }
    }

    /**
     * The distances a table shows: 1, 2, 5, 10, 20, 50, 100, … below {@code lag}, then {@code lag}.
     *
     * @param lag the largest distance, {@code >= 1}
     * @return the distances, increasing
     */
    public static int[] tableDistances(int lag) {
        if (lag < 1) {
            throw new IllegalArgumentException("lag must be >= 1, got " + lag);
        }
        List<Integer> d = new ArrayList<>();
        int[] mantissa = {1, 2, 5};
        for (long decade = 1; decade < lag; decade *= 10) {
            for (int m : mantissa) {
                if (m * decade < lag) {
                    d.add((int) (m * decade));
                }
            }
        }
        d.add(lag);
        return d.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Mean over the b rows of (b, h) of each row's Euclidean norm, in double. */
    static double meanRowNorm(float[] a, int b, int h) {
        double sum = 0;
        for (int r = 0; r < b; r++) {
            double sq = 0;
            for (int j = 0; j < h; j++) {
                double v = a[r * h + j];
                sq += v * v;
            }
            sum += Math.sqrt(sq);
        }
        return sum / b;
    }

    private static float[] slice(float[] a, int off, int n) {
        float[] s = new float[n];
        System.arraycopy(a, off, s, 0, n);
        return s;
    }

    /** The shared state of the two methods: sizes, a workspace, the states and one-step buffers. */
    private static final class Steps {
        final Rnn rnn;
        final RnnWorkspace ws = new RnnWorkspace();
        final RnnWeights scratch;
        final Task.Batch batch;
        final boolean lstm;
        final int n;
        final int b;
        final int h;
        final int in;
        final int bh;
        final float[] gradOut;
        final float[] hs;
        final float[] cs;
        final float[] xStep;
        final float[] hIn;
        final float[] cIn;
        final float[] hOut;
        final float[] cOut;

        Steps(TaskModel model, Task.Batch batch) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            if (batch == null || batch.task() != model.task() || batch.size() < 1 || batch.size() > model.capacity()) {
                throw new IllegalArgumentException("batch must be a filled batch of the model's task with at most "
                        + model.capacity() + " sequences");
            }
            RnnSpec spec = model.weights().spec();
            if (spec.numLayers() != 1 || spec.numDirections() != 1 || spec.projSize() != 0) {
                throw new IllegalArgumentException("gradient flow needs one forward layer without projection, got "
                        + spec.describe());
            }
            this.rnn = model.rnn();
            this.scratch = new RnnWeights(spec);
            this.batch = batch;
            this.lstm = spec.cell().hasCellState();
            this.n = model.task().seqLen();
            this.b = batch.size();
            this.h = model.hidden();
            this.in = model.task().inputSize();
            this.bh = b * h;
            this.gradOut = new float[n * bh];
            this.hs = new float[(n + 1) * bh];
            this.cs = lstm ? new float[(n + 1) * bh] : null;
            this.xStep = new float[b * in];
            this.hIn = new float[bh];
            this.cIn = lstm ? new float[bh] : null;
            this.hOut = new float[bh];
            this.cOut = lstm ? new float[bh] : null;
        }

        /** A training-mode forward pass of the single step t (1-based) from the state at (off) of hs/cs. */
        void step(int t, float[] hStates, int hOff, float[] cStates, int cOff) {
            System.arraycopy(batch.x, (t - 1) * b * in, xStep, 0, b * in);
            System.arraycopy(hStates, hOff, hIn, 0, bh);
            if (lstm) {
                System.arraycopy(cStates, cOff, cIn, 0, bh);
            }
            rnn.forward(ws, true, xStep, 1, b, null, hIn, cIn, null, hOut, cOut);
        }
    }
}
