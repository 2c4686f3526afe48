package org.rnn4j.cell;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.rnn4j.kernel.Checks;
import org.rnn4j.kernel.Kernels;

/**
 * A stacked recurrent network (vanilla RNN, LSTM or GRU, with the options of {@link RnnSpec}:
 * reverse or bidirectional layers, LSTM projection and peepholes, GRU reset placement) with PyTorch
 * semantics: the forward pass over a batch of sequences and its backward pass through time (BPTT).
 *
 * <h2>Layouts</h2>
 * With H = {@link RnnSpec#hiddenSize()}, P = {@link RnnSpec#stateSize()} (the width of h), D =
 * {@link RnnSpec#numDirections()}, L·D = {@link RnnSpec#numUnits()} and O = {@link RnnSpec#outputSize()}:
 * <ul>
 *   <li>{@code input}: (T, B, I) row-major, or (B, T, I) when {@link RnnSpec#batchFirst()}.</li>
 *   <li>{@code output}: the last layer's output at every step, (T, B, O) or (B, T, O); for a
 *       bidirectional network the two directions merged per {@link MergeMode}; zero at steps past a
 *       sequence's length.</li>
 *   <li>{@code h0}, {@code hN}: (L·D, B, P); {@code c0}, {@code cN}: (L·D, B, H), LSTM only; entry
 *       {@code layer·D + direction}, whatever the input layout (PyTorch's convention).</li>
 *   <li>{@code lengths}: (B) (the first B entries are used), each in [0, T]; null means every
 *       sequence has length T. Steps
 *       {@code t >= lengths[b]} are padding: their input is never read (garbage, even NaN, changes
 *       nothing), their output is 0, the state stops at the sequence's own last step ({@code hN} is
 *       that state, PyTorch packed semantics), and they contribute nothing to any gradient. A
 *       reversed direction starts at each sequence's own last valid step.</li>
 * </ul>
 * Every array argument must hold at least the number of floats its shape needs; longer arrays are
 * allowed (only the prefix is used), so callers can reuse buffers sized for their largest batch.
 *
 * <h2>Ownership and threads</h2>
 * An {@code Rnn} holds no mutable state of its own: it reads the {@link RnnWeights} given at
 * construction (not copied) on every call, and keeps all per-call state in the caller's
 * {@link RnnWorkspace}. One {@code Rnn} may serve many threads at once, each with its own workspace
 * (and, for backward, its own {@code grads} accumulator: gradients are added without synchronization).
 * Arguments are read during the call only: the workspace keeps copies of what backward needs, so the
 * caller may reuse {@code input}, {@code h0} and {@code c0} as soon as {@code forward} returns. The
 * weights must not change between a forward pass and its backward pass.
 *
 * <h2>Computation (the cuDNN / oneDNN shape)</h2>
 * The network is a stack of units, one per (layer, direction). Per unit: the input projection of all
 * T steps as one GEMM; per step the recurrent GEMM on the rows still running, then one pass of gate
 * math (the activated gates are kept for backward) and, for a projected LSTM, one more GEMM
 * {@code h = W_hr·(o⊙tanh c)}; backward per step is the gate derivative and the GEMMs back to
 * h_{t−1}; the weight and input gradients are GEMMs over all steps after the loop. A reversed
 * direction runs the same code on its input reversed within each sequence's length, so both
 * directions use the same batched GEMMs and the same shrinking active prefix. This class holds what
 * every cell shares (stacking, directions and their merge, length sorting, states, checks); each
 * cell family's per-unit forward and backward live side by side in its own package-private unit
 * ({@code LstmUnit}, {@code GruUnit}, {@code GruResetBeforeUnit}, {@code VanillaRnnUnit}). The
 * equations and derivations are in {@code docs/cells.md}.
 */
public final class Rnn {
    private final RnnSpec spec;
    private final RnnWeights weights;
    private final Kernels k;
    /** The cell family's forward and backward over one unit's steps. */
    private final CellUnit unit;
    // Shape names for error messages, built once so that argument checks allocate nothing.
    private final String seqShapeI;
    private final String seqShapeO;

    /**
     * An engine on the default kernels ({@link Kernels#get()}).
     *
     * @param weights the parameters, read on every call and not copied; must not be null
     */
    public Rnn(RnnWeights weights) {
        this(weights, Kernels.get());
    }

    /**
     * An engine on the given kernels (e.g. {@link Kernels#scalar()} to compare against SIMD).
     *
     * @param weights the parameters, read on every call and not copied; must not be null
     * @param kernels the kernel implementation; must not be null
     */
    public Rnn(RnnWeights weights, Kernels kernels) {
        if (weights == null) {
            throw new IllegalArgumentException("weights must not be null");
        }
        if (kernels == null) {
            throw new IllegalArgumentException("kernels must not be null");
        }
        this.spec = weights.spec();
        this.weights = weights;
        this.k = kernels;
        this.unit = CellUnit.of(weights, kernels);
        String seq = spec.batchFirst() ? "(B, T, " : "(T, B, ";
        this.seqShapeI = seq + "I)";
        this.seqShapeO = seq + "O)";
    }

    /** The network shape. */
    public RnnSpec spec() {
        return spec;
    }

    /** The parameters this engine reads (live, not a copy). */
    public RnnWeights weights() {
        return weights;
    }

    // ================================================================== forward

    /**
     * Runs the network over a batch of sequences and keeps in {@code ws} what {@link #backward} needs.
     *
     * @param ws per-thread workspace; its previous contents are replaced
     * @param training true applies inter-layer dropout (masks drawn from {@code ws}'s seeded stream)
     * @param input (T, B, I) or (B, T, I), read only
     * @param seqLen T, {@code >= 1}
     * @param batch B, {@code >= 1}
     * @param lengths (B) per-sequence lengths in [0, T], or null for all T; read only
     * @param h0 (L·D, B, P) initial hidden states, or null for zeros; read only
     * @param c0 (L·D, B, H) initial cell states (LSTM only, else must be null), or null for zeros
     * @param output receives (T, B, O) or (B, T, O), or null if not wanted
     * @param hN receives (L·D, B, P) final hidden states, or null
     * @param cN receives (L·D, B, H) final cell states (LSTM only, else must be null), or null
     * @throws IllegalArgumentException naming the first bad argument, its expected and actual size
     */
    public void forward(RnnWorkspace ws, boolean training, float[] input, int seqLen, int batch, int[] lengths,
                        float[] h0, float[] c0, float[] output, float[] hN, float[] cN) {
        if (ws == null) {
            throw new IllegalArgumentException("ws must not be null");
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

        ws.forwardDone = false;
        ws.prepare(spec, seqLen, batch, training);
        sortBatch(ws, lengths);
        int layers = spec.numLayers();
        int dirs = spec.numDirections();
        int b = batch;
        int width = spec.outputSize();
        boolean drop = training && spec.dropout() > 0 && layers > 1;
        copyInput(ws, input);
        for (int l = 0; l < layers; l++) {
            // X_l: the layer's input, (T, B, in_l) at (inArr, inOff)
            float[] inArr;
            int inOff;
            if (l == 0) {
                inArr = ws.input0;
                inOff = 0;
            } else if (drop) {
                drawMask(ws, ws.mask[l - 1]);
                // X_l = dropout(Y_{l−1}) over all steps; padded rows of Y are 0 and stay 0
                k.mul(seqLen * b * width, layerOutput(ws, l - 1), layerOutputOffset(ws, l - 1),
                        ws.mask[l - 1], 0, ws.xDrop[l], 0);
                inArr = ws.xDrop[l];
                inOff = 0;
            } else {
                inArr = layerOutput(ws, l - 1);   // Y_{l−1}, read in place
                inOff = layerOutputOffset(ws, l - 1);
            }
            for (int d = 0; d < dirs; d++) {
                int u = l * dirs + d;
                if (spec.direction().reversed(d)) {
                    // the reversed unit reads x_{len−1}, …, x_0: its own time order, same active prefix
                    reverseSteps(ws, inArr, inOff, spec.layerInputSize(l), 0, ws.xOwn[u], 0, spec.layerInputSize(l),
                            false);
                    ws.x[u] = ws.xOwn[u];
                    ws.xOff[u] = 0;
                } else {
                    ws.x[u] = inArr;
                    ws.xOff[u] = inOff;
                }
                loadState(ws, h0, u, spec.stateSize(), ws.hs[u]);
                if (spec.cell().hasCellState()) {
                    loadState(ws, c0, u, spec.hiddenSize(), ws.cs[u]);
                }
                unit.forward(ws, u, l, d);
            }
            if (!plainLayers()) {
                mergeDirections(ws, l);
            }
        }
        ws.forwardDone = true;
        ws.owner = this;
        if (output != null) {
            float[] top = layerOutput(ws, layers - 1);
            int topOff = layerOutputOffset(ws, layers - 1);
            for (int t = 0; t < seqLen; t++) {
                for (int i = 0; i < b; i++) {
                    System.arraycopy(top, topOff + (t * b + ws.rank[i]) * width, output, userRow(ws, t, i) * width,
                            width);
                }
            }
        }
        storeFinal(ws, ws.hs, spec.stateSize(), hN);
        if (spec.cell().hasCellState()) {
            storeFinal(ws, ws.cs, spec.hiddenSize(), cN);
        }
    }

    /** Whether every layer is a single forward unit whose output is its hs buffer, read in place. */
    private boolean plainLayers() {
        return spec.direction() == Direction.FORWARD;
    }

    /** The array holding Y_l, layer l's output (T, B, O) in sorted time-major order. */
    private float[] layerOutput(RnnWorkspace ws, int l) {
        return plainLayers() ? ws.hs[l] : ws.ys[l];
    }

    /** The offset of Y_l in {@link #layerOutput}: row block 1 of hs (h_1 … h_T) for plain layers. */
    private int layerOutputOffset(RnnWorkspace ws, int l) {
        return plainLayers() ? ws.batch * spec.stateSize() : 0;
    }

    /*
     * Y_l from the directions of layer l, at each (t, s) with t < len_s (0 elsewhere):
     *   forward unit:  h at its step t           = hs[t+1][s]
     *   reversed unit: h after reading len−1 … t = hs[len_s − t][s]      (its step len_s−1−t)
     *   CONCAT: Y = [Y_0, Y_1]     SUM: Y = Y_0 + Y_1
     */
    private void mergeDirections(RnnWorkspace ws, int l) {
        int b = ws.batch;
        int p = spec.stateSize();
        int width = spec.outputSize();
        int dirs = spec.numDirections();
        boolean sum = spec.merge() == MergeMode.SUM;
        float[] y = ws.ys[l];   // (T, B, O)
        for (int t = 0; t < ws.seqLen; t++) {
            for (int s = 0; s < b; s++) {
                int dst = (t * b + s) * width;
                int len = ws.lengths[s];
                if (t >= len) {
                    Arrays.fill(y, dst, dst + width, 0f);
                    continue;
                }
                for (int d = 0; d < dirs; d++) {
                    float[] hs = ws.hs[l * dirs + d];
                    int src = (spec.direction().reversed(d) ? (len - t) * b + s : (t + 1) * b + s) * p;
                    if (sum && d > 0) {
                        k.add(p, y, dst, hs, src, y, dst);
                    } else {
                        System.arraycopy(hs, src, y, dst + (sum ? 0 : d * p), p);
                    }
                }
            }
        }
    }

    /**
     * Reverses each sequence within its own length: for t < len_s, row (t, s) of {@code dst} gets
     * (or, with {@code accumulate}, adds) row (len_s − 1 − t, s) of {@code src}; rows at t ≥ len_s
     * are zeroed (or left alone when accumulating). Rows are {@code width} floats, read from column
     * {@code srcCol} of rows {@code srcStride} wide, written to rows {@code dstStride} wide. The map
     * is its own inverse, so it turns a forward-time buffer into a reversed unit's time order and back.
     */
    private void reverseSteps(RnnWorkspace ws, float[] src, int srcOff, int srcStride, int srcCol,
                              float[] dst, int dstOff, int width, boolean accumulate) {
        int b = ws.batch;
        for (int t = 0; t < ws.seqLen; t++) {
            for (int s = 0; s < b; s++) {
                int len = ws.lengths[s];
                int to = dstOff + (t * b + s) * width;
                if (t >= len) {
                    if (!accumulate) {
                        Arrays.fill(dst, to, to + width, 0f);
                    }
                    continue;
                }
                int from = srcOff + ((len - 1 - t) * b + s) * srcStride + srcCol;
                if (accumulate) {
                    k.add(width, dst, to, src, from, dst, to);
                } else {
                    System.arraycopy(src, from, dst, to, width);
                }
            }
        }
    }

    // ================================================================== backward

    /**
     * Backpropagation through time for the forward pass saved in {@code ws}: given the gradients of a
     * scalar loss with respect to the outputs and final states, accumulates the parameter gradients
     * into {@code grads} ({@code +=}, as PyTorch accumulates {@code .grad}) and writes the gradients
     * with respect to the input and the initial states.
     *
     * <p>Gradients at padded positions of {@code gradOutput} are ignored (even NaN); padded
     * positions of {@code gradInput} are written as 0. May be called more than once for one forward
     * pass.
     *
     * @param ws the workspace of the forward pass (of this engine)
     * @param gradOutput dL/d(output), layout as the output (T, B, O) or (B, T, O), or null for zero;
     *                   read only
     * @param gradHN dL/dh_N (L·D, B, P), or null for zero; read only
     * @param gradCN dL/dc_N (L·D, B, H) for the LSTM (else must be null), or null for zero; read only
     * @param grads accumulator of the parameter gradients, same shape as the weights; must not be null
     * @param gradInput receives dL/d(input) in the input's layout, or null if not wanted
     * @param gradH0 receives dL/dh_0 (L·D, B, P), or null
     * @param gradC0 receives dL/dc_0 (L·D, B, H) for the LSTM (else must be null), or null
     * @throws IllegalArgumentException for a bad argument
     * @throws IllegalStateException if {@code ws} holds no forward pass of this engine
     */
    public void backward(RnnWorkspace ws, float[] gradOutput, float[] gradHN, float[] gradCN,
                         RnnWeights grads, float[] gradInput, float[] gradH0, float[] gradC0) {
        if (ws == null) {
            throw new IllegalArgumentException("ws must not be null");
        }
        if (!ws.forwardDone || ws.owner != this) {
            throw new IllegalStateException("ws holds no completed forward pass of this Rnn; call forward first");
        }
        weights.requireSameShape(grads, "grads");
        if (grads == weights) {
            // dW_ih += … would change W_ih before dx = dGates·W_ih reads it
            throw new IllegalArgumentException("grads must be a separate RnnWeights, not the engine's weights");
        }
        int layers = spec.numLayers();
        int dirs = spec.numDirections();
        int t0 = ws.seqLen;
        int b = ws.batch;
        int width = spec.outputSize();
        Checks.holds("gradOutput", gradOutput, (long) t0 * b * width, seqShapeO, true);
        Checks.holds("gradInput", gradInput, (long) t0 * b * spec.inputSize(), seqShapeI, true);
        spec.checkStates(b, "gradHN", gradHN, "gradH0", gradH0, "gradCN", gradCN, "gradC0", gradC0);
        ws.prepareBackward(gradInput != null);

        // dY: (T, B, O) dL/d(top output), sorted order, 0 at padded positions
        for (int t = 0; t < t0; t++) {
            for (int s = 0; s < b; s++) {
                int dst = (t * b + s) * width;
                if (gradOutput != null && t < ws.lengths[s]) {
                    System.arraycopy(gradOutput, userRow(ws, t, ws.perm[s]) * width, ws.dY, dst, width);
                } else {
                    Arrays.fill(ws.dY, dst, dst + width, 0f);
                }
            }
        }
        boolean drop = ws.training && spec.dropout() > 0 && layers > 1;
        int p = spec.stateSize();
        float[] dXLayer = ws.dX;   // dL/dX_l, (T, B, in_l)
        for (int l = layers - 1; l >= 0; l--) {
            boolean needDx = l > 0 || gradInput != null;
            int in = spec.layerInputSize(l);
            for (int d = 0; d < dirs; d++) {
                int u = l * dirs + d;
                boolean reversed = spec.direction().reversed(d);
                // dL/d(this unit's h_t) in its own time order, (T, B, P)
                float[] dYu = ws.dY;
                if (!plainLayers()) {
                    int col = spec.merge() == MergeMode.CONCAT ? d * p : 0;
                    if (reversed) {
                        reverseSteps(ws, ws.dY, 0, width, col, ws.dYu, 0, p, false);
                    } else {
                        copyColumns(ws, ws.dY, width, col, ws.dYu, p);
                    }
                    dYu = ws.dYu;
                }
                loadState(ws, gradHN, u, p, ws.dh);
                if (spec.cell().hasCellState()) {
                    loadState(ws, gradCN, u, spec.hiddenSize(), ws.dc);
                }
                unit.backward(ws, u, l, d, dYu, grads, needDx);
                storeState(ws, ws.dh, u, p, gradH0);
                if (spec.cell().hasCellState()) {
                    storeState(ws, ws.dc, u, spec.hiddenSize(), gradC0);
                }
                if (needDx && !plainLayers()) {
                    // dX_l = Σ_d (dX of unit d, back in forward time order)
                    if (reversed) {
                        reverseSteps(ws, ws.dX, 0, in, 0, ws.dXSum, 0, in, d > 0);
                    } else {
                        System.arraycopy(ws.dX, 0, ws.dXSum, 0, t0 * b * in);
                    }
                    dXLayer = ws.dXSum;
                }
            }
            if (l > 0) {
                // the input of layer l was dropout(Y_{l−1}): dL/dY_{l−1} = dX_l ⊙ mask
                if (drop) {
                    k.mul(t0 * b * width, dXLayer, 0, ws.mask[l - 1], 0, ws.dY, 0);
                } else {
                    System.arraycopy(dXLayer, 0, ws.dY, 0, t0 * b * width);
                }
            }
        }
        if (gradInput != null) {
            int in = spec.inputSize();
            for (int t = 0; t < t0; t++) {
                for (int i = 0; i < b; i++) {
                    System.arraycopy(dXLayer, (t * b + ws.rank[i]) * in, gradInput, userRow(ws, t, i) * in, in);
                }
            }
        }
    }

    /** Column block [col, col+width) of each (T·B) row of a {@code stride}-wide buffer, packed. */
    private static void copyColumns(RnnWorkspace ws, float[] src, int stride, int col, float[] dst, int width) {
        int rows = ws.seqLen * ws.batch;
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src, r * stride + col, dst, r * width, width);
        }
    }

    // ================================================================== batch order and copies

    /** Stable sort of the batch by decreasing length; fills perm, rank, lengths and active. */
    private static void sortBatch(RnnWorkspace ws, int[] lengths) {
        int b = ws.batch;
        int t0 = ws.seqLen;
        // counting sort on length: stable, O(B + T), no boxing
        int[] count = ws.count;
        Arrays.fill(count, 0, t0 + 2, 0);
        for (int i = 0; i < b; i++) {
            count[t0 - len(lengths, i, t0)]++;
        }
        for (int i = 1; i < t0 + 2; i++) {
            count[i] += count[i - 1];
        }
        for (int i = b - 1; i >= 0; i--) {
            int s = --count[t0 - len(lengths, i, t0)];
            ws.perm[s] = i;
        }
        for (int s = 0; s < b; s++) {
            ws.rank[ws.perm[s]] = s;
            ws.lengths[s] = len(lengths, ws.perm[s], t0);
        }
        int m = b;
        for (int t = 0; t < t0; t++) {
            while (m > 0 && ws.lengths[m - 1] <= t) {
                m--;
            }
            ws.active[t] = m;
        }
    }

    private static int len(int[] lengths, int i, int t0) {
        return lengths == null ? t0 : lengths[i];
    }

    /** Flat row index of (step t, original sequence b) in the caller's (T, B) or (B, T) layout. */
    private int userRow(RnnWorkspace ws, int t, int b) {
        return spec.batchFirst() ? b * ws.seqLen + t : t * ws.batch + b;
    }

    /** Layer-0 input into the sorted, time-major buffer; padded positions become 0 (never read). */
    private void copyInput(RnnWorkspace ws, float[] input) {
        int in = spec.inputSize();
        int b = ws.batch;
        float[] x = ws.input0;
        for (int t = 0; t < ws.seqLen; t++) {
            for (int s = 0; s < b; s++) {
                int dst = (t * b + s) * in;
                if (t < ws.lengths[s]) {
                    int src = (spec.batchFirst() ? ws.perm[s] * ws.seqLen + t : t * b + ws.perm[s]) * in;
                    System.arraycopy(input, src, x, dst, in);
                } else {
                    Arrays.fill(x, dst, dst + in, 0f);
                }
            }
        }
    }

    private static void drawMask(RnnWorkspace ws, float[] mask) {
        double p = ws.spec.dropout();
        float keep = (float) (1.0 / (1.0 - p));
        int w = ws.spec.outputSize();
        int b = ws.batch;
        SplittableRandom rnd = ws.dropoutRandom();
        // drawn in the caller's (t, b, j) order so the masks do not depend on the lengths' sort
        for (int t = 0; t < ws.seqLen; t++) {
            for (int i = 0; i < b; i++) {
                int base = (t * b + ws.rank[i]) * w;
                for (int j = 0; j < w; j++) {
                    mask[base + j] = rnd.nextDouble() < p ? 0f : keep;
                }
            }
        }
    }

    /** Row block 0 of a (·, B, width) buffer ← entry u of an (L·D, B, width) state (zeros if null). */
    private static void loadState(RnnWorkspace ws, float[] state, int u, int width, float[] dst) {
        int b = ws.batch;
        for (int i = 0; i < b; i++) {
            int d = ws.rank[i] * width;
            if (state == null) {
                Arrays.fill(dst, d, d + width, 0f);
            } else {
                System.arraycopy(state, (u * b + i) * width, dst, d, width);
            }
        }
    }

    /** Entry u of an (L·D, B, width) state ← row block 0 of a (B, width) buffer (skipped if dst is null). */
    private static void storeState(RnnWorkspace ws, float[] src, int u, int width, float[] dst) {
        if (dst == null) {
            return;
        }
        int b = ws.batch;
        for (int i = 0; i < b; i++) {
            System.arraycopy(src, ws.rank[i] * width, dst, (u * b + i) * width, width);
        }
    }

    /** (L·D, B, width) ← each sequence's state after its own last step: seq[u] row (lengths[s]·B + s). */
    private static void storeFinal(RnnWorkspace ws, float[][] seq, int width, float[] dst) {
        if (dst == null) {
            return;
        }
        int b = ws.batch;
        for (int u = 0; u < ws.spec.numUnits(); u++) {
            for (int i = 0; i < b; i++) {
                int s = ws.rank[i];
                System.arraycopy(seq[u], (ws.lengths[s] * b + s) * width, dst, (u * b + i) * width, width);
            }
        }
    }
}
