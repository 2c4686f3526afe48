package org.rnn4j.train;

import java.util.Arrays;
import org.rnn4j.cell.Direction;
import org.rnn4j.cell.Rnn;
import org.rnn4j.cell.RnnSpec;
import org.rnn4j.cell.RnnWeights;
import org.rnn4j.cell.RnnWorkspace;
import org.rnn4j.kernel.Checks;

/**
 * Truncated backpropagation through time, TBPTT(k1, k2) (Williams and Peng, 1990; Sutskever, 2013):
 * trains an {@link Rnn} over one long stream, carrying the hidden state (and the LSTM's cell state)
 * from window to window as a value, while the gradient stops at the start of each back-propagated
 * window. The stream advances k1 steps between updates; each update back-propagates through (at
 * most) the last k2 steps.
 *
 * <h2>Schedule</h2>
 * Update j shows the caller the k1 new steps {@code [j·k1, e)}, {@code e = min((j+1)·k1, T)}
 * (the last window may be shorter), through {@link WindowLoss}, and back-propagates the training
 * window {@code [s, e)}:
 * <ul>
 *   <li>{@code k2 == k1}: {@code s = j·k1}: disjoint chunks; the training window is the shown
 *       window.</li>
 *   <li>{@code k2 < k1}: {@code s = max(j·k1, e − k2)}: the first {@code k1 − k2} steps of each
 *       chunk only advance the state — forward in inference mode (no dropout), no gradient; their
 *       outputs are still shown to the loss for monitoring, and the {@code gradOutput} the loss
 *       writes for them is ignored. The last k2 steps (all of a last chunk shorter than k2) are
 *       forwarded in training mode and back-propagated.</li>
 *   <li>{@code k2 > k1}: {@code s = max(0, e − k2)}: overlapping windows. The last k2 steps (fewer
 *       at the start of the stream) are re-forwarded in training mode, with the current weights,
 *       from the state saved at step s; only the k1 new steps are shown to the loss, the older
 *       steps of the window get zero output gradient, and the gradient of the new losses flows
 *       back through all of the window. The state saved for the next window, at step
 *       {@code s' = max(0, min(e + k1, T) − k2)}, is computed after the backward pass (before
 *       {@link AfterUpdate}, so with the same weights as the window) by an inference-mode forward
 *       over {@code [s, s')}: without dropout, it is exactly the state the window's own forward
 *       pass reached at step s'.</li>
 * </ul>
 * <pre>
 *   step                0 1 2 3 4 5 6 7 8 9       T = 10
 *   k1 = k2 = 3         S S S|S S S|S S S|S        4 updates
 *   k1 = 4, k2 = 2      - - S S|- - S S|S S        3 updates (a last chunk shorter than k2 is all S)
 *   k1 = 2, k2 = 5  u0  S S                        5 updates, each window re-forwarded from the
 *                   u1  = = S S                    state saved at its first step
 *                   u2    = = = S S
 *                   u3        = = = S S
 *                   u4            = = = S S
 *
 *   S  shown to the loss and back-propagated (training-mode forward)
 *   -  shown to the loss, inference-mode forward only: no gradient
 *   =  re-forwarded in training mode, not shown: zero output gradient, but the gradient of the
 *      S steps flows back through it
 *   |  window boundary: the state crosses it as a value, the gradient does not
 *      (under k2 &gt; k1 the same holds at each window's first step)
 * </pre>
 * Every stream step is shown to the {@link WindowLoss} exactly once, in order, so {@link #run}'s
 * result is the loss of the whole stream. A back-propagated window never receives a gradient
 * from later windows ({@code gradHN = 0}), and its initial state is a constant (no gradient flows
 * into the carried state). With {@code k1 = k2 ≥ T} there is one window, and the run is exactly one
 * {@link Rnn#forward} (training mode) plus one {@link Rnn#backward}: full BPTT.
 *
 * <p>The carried state is always the one computed by a forward pass of the current weights: under
 * k2 ≤ k1 it is the {@code hN} of the back-propagated (training-mode, so dropout applies) window;
 * under k2 &gt; k1 it comes from the inference pass described above.
 *
 * <h2>Layouts</h2>
 * As in {@link Rnn}: sequence tensors follow {@link RnnSpec#batchFirst()}: the stream is
 * (T, B, I) or (B, T, I), a window's output and output gradient (n, B, O) or (B, n, O) with
 * O = {@link RnnSpec#outputSize()}; states are (L, B, P) for h, P = {@link RnnSpec#stateSize()},
 * and (L, B, H) for the LSTM's c, H = {@link RnnSpec#hiddenSize()}, whatever the layout. Windows
 * are copied from the stream into scratch buffers of this object, so the stream is not modified.
 * Every array argument must hold at least the floats its shape needs (longer is allowed).
 *
 * <h2>Per-sequence lengths</h2>
 * The {@link #run(RnnWorkspace, float[], int, int, int[], float[], float[], WindowLoss, RnnWeights,
 * AfterUpdate, float[], float[], float[]) run} that takes {@code lengths} (B, each in [0, T]) gives
 * {@link Rnn}'s semantics for them over the whole stream: steps {@code t >= lengths[b]} are padding,
 * their input is never read, their output (as shown to the loss) is 0, the gradient the loss
 * writes there is ignored, and the state of sequence b stops at its own last step. Each forward
 * pass over stream steps {@code [from, from + n)} gets the window lengths
 * {@code clamp(lengths[b] − from, 0, n)}, so a sequence that ended in an earlier window carries its
 * final state unchanged through every later window (an {@link Rnn} sequence of length 0 keeps its
 * initial state) and contributes nothing to their outputs and gradients; {@code hN} and
 * {@code cN} are each sequence's state after its own last step. The schedule does not depend on
 * the lengths: there are still ⌈T / k1⌉ windows, also when every sequence ended earlier.
 *
 * <h2>Input gradient</h2>
 * That {@code run} can also write {@code gradInput}, the truncated gradient with respect to the
 * stream: {@code Σ_j ∂L_j/∂x}, where {@code L_j} is the loss of update j's shown and back-propagated
 * steps as a function of the inputs of its training window {@code [s, e)}, from a constant state at
 * s (the same truncation as the parameter gradient, not the full dL/dx). Under k2 ≤ k1 the training
 * windows are disjoint and each step's entry is the one window's {@link Rnn#backward} input gradient;
 * the inference-only steps of each chunk (k2 &lt; k1) get 0. Under k2 &gt; k1 a step lies in several
 * windows and its entry is the float sum, in window order, of their input gradients. Padded steps
 * get 0.
 *
 * <h2>Ownership, threads, allocation</h2>
 * The driver keeps scratch buffers (window input, outputs, gradients and states), sized by the
 * first {@link #run} that needs them and grown only when a later run needs more. Once sized, a run
 * allocates nothing — neither per window nor per run — given a workspace with
 * {@link org.rnn4j.kernel.Parallelism#SERIAL} (whose GEMMs allocate nothing) and callbacks that
 * allocate nothing. A driver is therefore not thread-safe: use one per thread (the {@link Rnn} and
 * its weights may be shared). {@link #run} is not re-entrant: a callback must not call {@code run}
 * on the same driver.
 *
 * <p>Only forward directions: a reversed direction (and so a bidirectional network) reads each
 * sequence from its last step, so its state at step t depends on the future of the stream, which
 * a window-by-window pass has not seen.
 */
public final class TruncatedBptt {

    /**
     * The caller's loss on one window of the stream: reads the network's outputs at the window's
     * steps, writes the gradient of the loss with respect to them, and returns the loss.
     */
    @FunctionalInterface
    public interface WindowLoss {
        /**
         * @param start the stream index of the window's first step ({@code update·k1})
         * @param steps n, the number of steps in the window: k1, or fewer for the last window
         * @param output the top layer's output at stream steps {@code start … start+n−1}, (n, B, O)
         *               or (B, n, O) when batch-first. Owned by the driver and valid during this call
         *               only; only the first n·B·O elements are meaningful; do not write it
         * @param gradOutput receives dL/d(output), same layout and size; all zeros on entry. Owned by
         *                   the driver. Under k2 &lt; k1 the entries of the window's first
         *                   {@code max(0, n − k2)} steps are ignored (those steps were run in
         *                   inference mode and receive no gradient), and so are the entries at
         *                   steps past a sequence's length (where {@code output} is 0)
         * @return the loss of these n steps; {@link #run} returns the sum over the windows
         */
        double loss(int start, int steps, float[] output, float[] gradOutput);
    }

    /**
     * Called after each window's backward pass, when the gradient accumulator holds the window's
     * gradient (added to whatever it held before): the place to clip, step the optimizer and zero
     * the gradients. It may change the weights the {@link Rnn} reads; the next window is forwarded
     * with the new values.
     */
    @FunctionalInterface
    public interface AfterUpdate {
        /**
         * @param update the 0-based index of the update (= of the window)
         * @param end the number of stream steps consumed so far: the shown window's end, exclusive
         * @param loss what {@link WindowLoss#loss} returned for this window
         */
        void afterUpdate(int update, int end, double loss);
    }

    private final Rnn rnn;
    private final RnnSpec spec;
    private final int k1;
    private final int k2;
    private final boolean lstm;
    // Shape names for error messages, built once so that argument checks allocate nothing.
    private final String seqShapeI;

    // Scratch, in the spec's layout; grown on demand, never shrunk.
    private float[] inBuf = new float[0];      // (n, B, I) input of one forward segment
    private float[] segOut = new float[0];     // (n, B, O) output of one forward segment
    private float[] outShown = new float[0];   // (k1, B, O) outputs of the shown steps
    private float[] gradShown = new float[0];  // (k1, B, O) the loss's dL/d(output)
    private float[] gradTrain = new float[0];  // (k2, B, O) dL/d(output) of the training window
    private float[] gradX = new float[0];      // (k2, B, I) dL/d(input) of the training window
    private int[] segLen = new int[0];         // (B) per-sequence lengths within one forward segment
    private float[] hA = new float[0];         // (L, B, P) state at the next forward's first step
    private float[] hB = new float[0];         // (L, B, P) the next forward's final state
    private float[] cA = new float[0];         // (L, B, H) LSTM, as hA
    private float[] cB = new float[0];         // (L, B, H) LSTM, as hB
    private boolean running;

    /**
     * A TBPTT(k1, k2) driver for {@code rnn}.
     *
     * @param rnn the network to train; must not be null; its spec must have
     *            {@link Direction#FORWARD} direction
     * @param k1 the number of steps the stream advances between updates, {@code >= 1}
     * @param k2 the number of steps each update back-propagates through, {@code >= 1}
     * @throws IllegalArgumentException naming the bad argument, the expected and the actual value
     */
    public TruncatedBptt(Rnn rnn, int k1, int k2) {
        if (rnn == null) {
            throw new IllegalArgumentException("rnn must not be null");
        }
        if (k1 < 1) {
            throw new IllegalArgumentException("k1 (steps between updates) must be >= 1, got " + k1);
        }
        if (k2 < 1) {
            throw new IllegalArgumentException("k2 (steps back-propagated per update) must be >= 1, got " + k2);
        }
        RnnSpec s = rnn.spec();
        if (s.direction() != Direction.FORWARD) {
            throw new IllegalArgumentException("rnn must have direction FORWARD for truncated BPTT, got "
                    + s.direction() + ": a reversed direction reads each sequence from its end, so its state at"
                    + " step t depends on the future of the stream, which a window-by-window pass has not seen");
        }
        this.rnn = rnn;
        this.spec = s;
        this.k1 = k1;
        this.k2 = k2;
        this.lstm = s.cell().hasCellState();
        this.seqShapeI = s.batchFirst() ? "(B, T, I)" : "(T, B, I)";
    }

    /** The network this driver trains. */
    public Rnn rnn() {
        return rnn;
    }

    /** k1: the number of steps the stream advances between updates. */
    public int k1() {
        return k1;
    }

    /** k2: the number of steps each update back-propagates through. */
    public int k2() {
        return k2;
    }

    /**
     * The number of updates (windows) of a run over {@code streamLen} steps: ⌈T / k1⌉.
     *
     * @param streamLen T, {@code >= 1}
     * @return the number of {@link WindowLoss} and {@link AfterUpdate} calls
     * @throws IllegalArgumentException if {@code streamLen < 1}
     */
    public int updates(int streamLen) {
        if (streamLen < 1) {
            throw new IllegalArgumentException("streamLen must be >= 1, got " + streamLen);
        }
        return (int) ((streamLen + (long) k1 - 1) / k1);
    }

    /**
     * Runs TBPTT(k1, k2) over the stream (see the class comment for the schedule): per window, the
     * forward pass(es), one {@code loss} call, one {@link Rnn#backward} adding the window's
     * parameter gradients into {@code grads}, then {@code afterUpdate}. The driver never zeroes
     * {@code grads}: without an {@code afterUpdate} that does, they accumulate over the whole run.
     *
     * <p>If a callback throws, the exception propagates and the run stops; {@code grads} and the
     * weights then hold whatever the completed windows and callbacks left, {@code hN}/{@code cN}
     * are not written.
     *
     * @param ws the workspace for the {@link Rnn} calls (its parallelism and dropout stream are used;
     *           its contents are replaced); must not be null
     * @param input the stream, (T, B, I) or (B, T, I) when batch-first; read only
     * @param streamLen T, the stream's length in steps, {@code >= 1}
     * @param batch B, the number of parallel streams, {@code >= 1}
     * @param h0 (L, B, P) the state at step 0, or null for zeros; read only (copied at the start)
     * @param c0 (L, B, H) the LSTM cell state at step 0 (LSTM only, else must be null), or null for
     *           zeros; read only (copied at the start)
     * @param loss the window loss; must not be null
     * @param grads the gradient accumulator ({@code +=}), same parameter shapes as the weights and a
     *              separate object from them; must not be null
     * @param afterUpdate called after each window's backward pass, or null
     * @param hN receives (L, B, P) the state after step T−1, or null; may be the same array as
     *           {@code h0} (to continue the stream in a later run)
     * @param cN receives (L, B, H) the LSTM cell state after step T−1 (LSTM only, else must be
     *           null), or null; may be the same array as {@code c0}
     * @return the sum of the losses returned by {@code loss}, over every window
     * @throws IllegalArgumentException naming the first bad argument, its expected and actual value
     * @throws IllegalStateException if called from a callback of a run of this driver
     */
    public double run(RnnWorkspace ws, float[] input, int streamLen, int batch, float[] h0, float[] c0,
                      WindowLoss loss, RnnWeights grads, AfterUpdate afterUpdate, float[] hN, float[] cN) {
        return run(ws, input, streamLen, batch, null, h0, c0, loss, grads, afterUpdate, hN, cN, null);
    }

    /**
     * {@link #run(RnnWorkspace, float[], int, int, float[], float[], WindowLoss, RnnWeights, AfterUpdate,
     * float[], float[]) run} with per-sequence lengths and the input gradient (see the class comment,
     * "Per-sequence lengths" and "Input gradient"). With {@code lengths} and {@code gradInput} null it
     * is that run, bitwise.
     *
     * <p>If a callback throws, {@code gradInput} holds the completed windows' part (and zeros).
     *
     * @param ws as for the other {@code run}
     * @param input the stream, (T, B, I) or (B, T, I) when batch-first; read only; positions past a
     *              sequence's length are never read (they may hold anything, even NaN)
     * @param streamLen T, {@code >= 1}
     * @param batch B, {@code >= 1}
     * @param lengths (B) per-sequence lengths, each in [0, T] (the first B entries are used), or null
     *                for all T; read only (read during the call, not kept)
     * @param h0 (L, B, P) the state at step 0, or null for zeros; read only
     * @param c0 (L, B, H) the LSTM cell state at step 0 (LSTM only, else must be null), or null
     * @param loss the window loss; must not be null
     * @param grads the gradient accumulator ({@code +=}), as for the other {@code run}
     * @param afterUpdate called after each window's backward pass, or null
     * @param hN receives (L, B, P) each sequence's state after its own last step, or null; may be
     *           the same array as {@code h0}
     * @param cN receives (L, B, H) the same for the LSTM cell state (LSTM only, else must be null),
     *           or null; may be the same array as {@code c0}
     * @param gradInput receives the truncated dL/d(input), (T, B, I) or (B, T, I) as {@code input}
     *                  (overwritten, not accumulated), or null if not wanted; must not be the same
     *                  array as {@code input}
     * @return the sum of the losses returned by {@code loss}, over every window
     * @throws IllegalArgumentException naming the first bad argument, its expected and actual value
     * @throws IllegalStateException if called from a callback of a run of this driver
     */
    public double run(RnnWorkspace ws, float[] input, int streamLen, int batch, int[] lengths, float[] h0,
                      float[] c0, WindowLoss loss, RnnWeights grads, AfterUpdate afterUpdate, float[] hN,
                      float[] cN, float[] gradInput) {
        checkArguments(ws, input, streamLen, batch, lengths, h0, c0, loss, grads, hN, cN, gradInput);
        if (running) {
            throw new IllegalStateException("run is already in progress on this TruncatedBptt (called from a"
                    + " callback?); use a separate driver");
        }
        running = true;
        try {
            return runChecked(ws, input, streamLen, batch, lengths, h0, c0, loss, grads, afterUpdate, hN, cN,
                    gradInput);
        } finally {
            running = false;
        }
    }

    private double runChecked(RnnWorkspace ws, float[] input, int t0, int b, int[] lengths, float[] h0, float[] c0,
                              WindowLoss loss, RnnWeights grads, AfterUpdate afterUpdate, float[] hN, float[] cN,
                              float[] gradInput) {
        int out = spec.outputSize();
        long hSize = (long) spec.numUnits() * b * spec.stateSize();
        long cSize = (long) spec.numUnits() * b * spec.hiddenSize();
        int shownMax = Math.min(k1, t0);
        int trainMax = Math.min(k2, t0);
        int segMax = Math.max(shownMax, trainMax);
        inBuf = ensure(inBuf, (long) segMax * b * spec.inputSize());
        segOut = ensure(segOut, (long) segMax * b * out);
        outShown = ensure(outShown, (long) shownMax * b * out);
        gradShown = ensure(gradShown, (long) shownMax * b * out);
        gradTrain = ensure(gradTrain, (long) trainMax * b * out);
        hA = ensure(hA, hSize);
        hB = ensure(hB, hSize);
        if (lengths != null && segLen.length < b) {
            segLen = new int[b];
        }
        int in = spec.inputSize();
        if (gradInput != null) {
            gradX = ensure(gradX, (long) trainMax * b * in);
            // steps no window back-propagates (k2 < k1) stay 0
            Arrays.fill(gradInput, 0, t0 * b * in, 0f);
        }
        int hState = (int) hSize;
        int cState = (int) cSize;
        loadState(h0, hA, hState);
        if (lstm) {
            cA = ensure(cA, cSize);
            cB = ensure(cB, cSize);
            loadState(c0, cA, cState);
        }

        boolean overlap = k2 > k1;
        double total = 0;
        int update = 0;
        for (int t = 0; t < t0; update++) {
            int e = Math.min(t + k1, t0);   // shown: [t, e)
            int shown = e - t;
            int s = overlap ? Math.max(0, e - k2) : Math.max(t, e - k2);   // back-propagated: [s, e)
            if (s > t) {
                // k2 < k1: the chunk's first steps only advance the state (hA holds the state at t)
                forward(ws, false, input, t0, b, lengths, t, s - t, segOut);
                copySteps(segOut, s - t, 0, outShown, shown, 0, s - t, b, out);
                swapStates();
            }
            // hA holds the state at s (k2 <= k1: carried or just advanced; k2 > k1: saved)
            int n = e - s;
            boolean direct = s == t;   // the training window is the shown window
            forward(ws, true, input, t0, b, lengths, s, n, direct ? outShown : segOut);
            int from = Math.max(s, t);
            if (!direct) {
                copySteps(segOut, n, from - s, outShown, shown, from - t, e - from, b, out);
            }
            Arrays.fill(gradShown, 0, shown * b * out, 0f);
            double l = loss.loss(t, shown, outShown, gradShown);
            total += l;
            float[] g = gradShown;
            if (!direct) {
                Arrays.fill(gradTrain, 0, n * b * out, 0f);
                copySteps(gradShown, shown, from - t, gradTrain, n, from - s, e - from, b, out);
                g = gradTrain;
            }
            if (gradInput == null) {
                rnn.backward(ws, g, null, null, grads, null, null, null);
            } else {
                rnn.backward(ws, g, null, null, grads, gradX, null, null);
                // steps [s, t) were in earlier windows (k2 > k1): add; steps [from, e) are new: copy
                if (s < t) {
                    addSteps(gradX, n, 0, gradInput, t0, s, t - s, b, in);
                }
                copySteps(gradX, n, from - s, gradInput, t0, from, e - from, b, in);
            }
            // hB holds the state at e
            if (!overlap) {
                swapStates();
            } else if (e < t0) {
                int next = Math.max(0, Math.min(e + k1, t0) - k2);
                if (next > s) {
                    // the state saved for the next window, from the same weights as this one
                    forward(ws, false, input, t0, b, lengths, s, next - s, null);
                    swapStates();
                }
            }
            if (afterUpdate != null) {
                afterUpdate.afterUpdate(update, e, l);
            }
            t = e;
        }
        // the state after step T−1: k2 <= k1 swapped it into A; k2 > k1 left the last window's hN in B
        float[] hLast = overlap ? hB : hA;
        float[] cLast = overlap ? cB : cA;
        if (hN != null) {
            System.arraycopy(hLast, 0, hN, 0, hState);
        }
        if (lstm && cN != null) {
            System.arraycopy(cLast, 0, cN, 0, cState);
        }
        return total;
    }

    /**
     * Forward over stream steps [from, from + n) from state A into state B (output may be null); with
     * stream lengths, sequence i runs clamp(lengths[i] − from, 0, n) of them.
     */
    private void forward(RnnWorkspace ws, boolean training, float[] input, int t0, int b, int[] lengths, int from,
                         int n, float[] output) {
        copySteps(input, t0, from, inBuf, n, 0, n, b, spec.inputSize());
        int[] len = null;
        if (lengths != null) {
            len = segLen;
            for (int i = 0; i < b; i++) {
                len[i] = Math.max(0, Math.min(lengths[i] - from, n));
            }
        }
        rnn.forward(ws, training, inBuf, n, b, len, hA, lstm ? cA : null, output, hB, lstm ? cB : null);
    }

    private void swapStates() {
        float[] h = hA;
        hA = hB;
        hB = h;
        float[] c = cA;
        cA = cB;
        cB = c;
    }

    /**
     * Copies {@code count} steps of a (srcSteps, B, w) tensor, from step {@code srcFrom}, into a
     * (dstSteps, B, w) tensor at step {@code dstFrom}; both in the spec's layout.
     */
    private void copySteps(float[] src, int srcSteps, int srcFrom, float[] dst, int dstSteps, int dstFrom,
                           int count, int b, int w) {
        if (spec.batchFirst()) {
            for (int i = 0; i < b; i++) {
                System.arraycopy(src, (i * srcSteps + srcFrom) * w, dst, (i * dstSteps + dstFrom) * w, count * w);
            }
        } else {
            System.arraycopy(src, srcFrom * b * w, dst, dstFrom * b * w, count * b * w);
        }
    }

    /** As {@link #copySteps}, but adds: dst[step dstFrom + i] += src[step srcFrom + i], element by element. */
    private void addSteps(float[] src, int srcSteps, int srcFrom, float[] dst, int dstSteps, int dstFrom,
                          int count, int b, int w) {
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < count; t++) {
                int si = (spec.batchFirst() ? i * srcSteps + srcFrom + t : (srcFrom + t) * b + i) * w;
                int di = (spec.batchFirst() ? i * dstSteps + dstFrom + t : (dstFrom + t) * b + i) * w;
                for (int j = 0; j < w; j++) {
                    dst[di + j] += src[si + j];
                }
            }
        }
    }

    private static void loadState(float[] src, float[] dst, int n) {
        if (src == null) {
            Arrays.fill(dst, 0, n, 0f);
        } else {
            System.arraycopy(src, 0, dst, 0, n);
        }
    }

    private static float[] ensure(float[] a, long n) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a scratch buffer of " + n + " floats (window steps · B · width, or"
                    + " L · B · state width) exceeds the Java array limit; use smaller k1, k2 or batch");
        }
        return a.length >= n ? a : new float[(int) n];
    }

    // ================================================================== argument checks

    private void checkArguments(RnnWorkspace ws, float[] input, int streamLen, int batch, int[] lengths,
                                float[] h0, float[] c0, WindowLoss loss, RnnWeights grads, float[] hN, float[] cN,
                                float[] gradInput) {
        if (ws == null) {
            throw new IllegalArgumentException("ws must not be null");
        }
        if (streamLen < 1) {
            throw new IllegalArgumentException("streamLen must be >= 1, got " + streamLen);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        Checks.holds("input", input, (long) streamLen * batch * spec.inputSize(), seqShapeI, false);
        Checks.lengths(lengths, "streamLen", streamLen, batch);
        spec.checkStates(batch, "h0", h0, "hN", hN, "c0", c0, "cN", cN);
        if (loss == null) {
            throw new IllegalArgumentException("loss must not be null");
        }
        if (grads == null) {
            throw new IllegalArgumentException("grads must not be null");
        }
        if (grads == rnn.weights()) {
            throw new IllegalArgumentException("grads must be a separate RnnWeights, not the engine's weights");
        }
        if (!spec.hasSameParametersAs(grads.spec())) {
            throw new IllegalArgumentException("grads must have the parameter shapes of " + spec.describe()
                    + ", got " + grads.spec().describe());
        }
        Checks.holds("gradInput", gradInput, (long) streamLen * batch * spec.inputSize(), seqShapeI, true);
        if (gradInput != null && gradInput == input) {
            throw new IllegalArgumentException("gradInput must be a separate array from input: the windows still"
                    + " to come read the stream");
        }
    }
}
