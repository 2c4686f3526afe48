package org.rnn4j.cell;

import java.util.SplittableRandom;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

/**
 * A stacked recurrent network (vanilla RNN, LSTM or GRU) with PyTorch semantics: the forward pass
 * over a batch of sequences and its backward pass through time (BPTT).
 *
 * <h2>Layouts</h2>
 * <ul>
 *   <li>{@code input}: (T, B, I) row-major, or (B, T, I) when {@link RnnSpec#batchFirst()}.</li>
 *   <li>{@code output}: the last layer's h at every step, (T, B, H) or (B, T, H); zero at steps past
 *       a sequence's length.</li>
 *   <li>{@code h0}, {@code hN}, {@code c0}, {@code cN}: (L, B, H) whatever the input layout
 *       (PyTorch's convention); {@code c*} only for the LSTM.</li>
 *   <li>{@code lengths}: (B) (the first B entries are used), each in [0, T]; null means every
 *       sequence has length T. Steps
 *       {@code t >= lengths[b]} are padding: their input is never read (garbage, even NaN, changes
 *       nothing), their output is 0, the state stops at the sequence's own last step ({@code hN} is
 *       that state, PyTorch packed semantics), and they contribute nothing to any gradient.</li>
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
 * Per layer: the input projection of all T steps as one GEMM; per step the recurrent GEMM on the rows
 * still running, then one fused pass of gate math (the activated gates are kept for backward);
 * backward per step is the fused gate derivative and one GEMM back to h_{t−1}; the weight and input
 * gradients are GEMMs over all steps after the loop. The equations and derivations are in
 * {@code docs/cells.md}.
 */
public final class Rnn {
    private final RnnSpec spec;
    private final RnnWeights weights;
    private final Kernels k;
    // Shape names for error messages, built once so that argument checks allocate nothing.
    private final String seqShapeI;
    private final String seqShapeH;

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
        String seq = spec.batchFirst() ? "(B, T, " : "(T, B, ";
        this.seqShapeI = seq + "I)";
        this.seqShapeH = seq + "H)";
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
     * @param h0 (L, B, H) initial hidden states, or null for zeros; read only
     * @param c0 (L, B, H) initial cell states (LSTM only, else must be null), or null for zeros
     * @param output receives (T, B, H) or (B, T, H), or null if not wanted
     * @param hN receives (L, B, H) final hidden states, or null
     * @param cN receives (L, B, H) final cell states (LSTM only, else must be null), or null
     * @throws IllegalArgumentException naming the first bad argument, its expected and actual size
     */
    public void forward(RnnWorkspace ws, boolean training, float[] input, int seqLen, int batch, int[] lengths,
                        float[] h0, float[] c0, float[] output, float[] hN, float[] cN) {
        int layers = spec.numLayers();
        int hidden = spec.hiddenSize();
        if (ws == null) {
            throw new IllegalArgumentException("ws must not be null");
        }
        if (seqLen < 1) {
            throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        need("input", input, (long) seqLen * batch * spec.inputSize(), seqShapeI, false);
        checkLengths(lengths, seqLen, batch);
        long states = (long) layers * batch * hidden;
        need("h0", h0, states, "(L, B, H)", true);
        need("output", output, (long) seqLen * batch * spec.outputSize(), seqShapeH, true);
        need("hN", hN, states, "(L, B, H)", true);
        if (spec.cell().hasCellState()) {
            need("c0", c0, states, "(L, B, H)", true);
            need("cN", cN, states, "(L, B, H)", true);
        } else {
            noCellState("c0", c0);
            noCellState("cN", cN);
        }

        ws.forwardDone = false;
        ws.prepare(spec, seqLen, batch, training);
        sortBatch(ws, lengths);
        int b = batch;
        int h = hidden;
        boolean drop = training && spec.dropout() > 0 && layers > 1;
        copyInput(ws, input);
        for (int l = 0; l < layers; l++) {
            if (l == 0) {
                ws.x[0] = ws.xOwn[0];
                ws.xOff[0] = 0;
            } else if (drop) {
                drawMask(ws, ws.mask[l - 1]);
                // x_l = dropout(h_{l−1}) over all steps; padded rows of h are 0 and stay 0
                k.mul(seqLen * b * h, ws.hs[l - 1], b * h, ws.mask[l - 1], 0, ws.xOwn[l], 0);
                ws.x[l] = ws.xOwn[l];
                ws.xOff[l] = 0;
            } else {
                ws.x[l] = ws.hs[l - 1];   // h_1..h_T of the layer below, read in place
                ws.xOff[l] = b * h;
            }
            loadState(ws, h0, l, ws.hs[l]);
            switch (spec.cell()) {
                case LSTM:
                    loadState(ws, c0, l, ws.cs[l]);
                    lstmForward(ws, l);
                    break;
                case GRU:
                    gruForward(ws, l);
                    break;
                default:
                    rnnForward(ws, l);
                    break;
            }
        }
        ws.forwardDone = true;
        ws.owner = this;
        if (output != null) {
            float[] top = ws.hs[layers - 1];
            for (int t = 0; t < seqLen; t++) {
                for (int i = 0; i < b; i++) {
                    System.arraycopy(top, ((t + 1) * b + ws.rank[i]) * h, output, userRow(ws, t, i) * h, h);
                }
            }
        }
        storeFinal(ws, ws.hs, hN);
        if (spec.cell().hasCellState()) {
            storeFinal(ws, ws.cs, cN);
        }
    }

    /*
     * LSTM forward, one layer.
     *   gates_t = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh          (B, 4H), blocks [i, f, g, o]
     *   i = σ(·)  f = σ(·)  g = tanh(·)  o = σ(·)
     *   c_t = f ⊙ c_{t−1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
     */
    private void lstmForward(RnnWorkspace ws, int l) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        int g = spec.gateRows();
        float[] gates = ws.gates[l];   // (T, B, 4H)
        float[] hs = ws.hs[l];         // (T+1, B, H)
        float[] cs = ws.cs[l];         // (T+1, B, H)
        float[] tanhC = ws.tanhC[l];   // (T, B, H)
        inputProjection(ws, l, true);
        float[] wHh = weights.weightHh(l);
        for (int t = 0; t < ws.seqLen; t++) {
            int m = ws.active[t];
            zeroRows(hs, (t + 1) * b + m, b - m, h);
            zeroRows(cs, (t + 1) * b + m, b - m, h);
            if (m == 0) {
                continue;
            }
            // gates_t[0:m] += h_{t−1}[0:m]·W_hhᵀ        (m, H)·(H, 4H)
            k.gemm(false, true, m, g, h, 1f, hs, t * b * h, h, wHh, 0, h, 1f, gates, t * b * g, g, ws.parallelism);
            for (int s = 0; s < m; s++) {
                int row = t * b + s;
                k.lstmCellForward(h, gates, row * g, cs, row * h, cs, (row + b) * h, tanhC, row * h, hs, (row + b) * h);
            }
        }
    }

    /*
     * GRU forward, one layer (PyTorch: reset applied after the recurrent matmul, b_hn inside).
     *   gx_t = x_t·W_ihᵀ + b_ih     gh_t = h_{t−1}·W_hhᵀ + b_hh      (B, 3H), blocks [r, z, n]
     *   r = σ(gx_r + gh_r)   z = σ(gx_z + gh_z)   n = tanh(gx_n + r ⊙ gh_n)
     *   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
     */
    private void gruForward(RnnWorkspace ws, int l) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        int g = spec.gateRows();
        float[] gx = ws.gates[l];   // (T, B, 3H): gx, replaced by the activated [r, z, n]
        float[] gh = ws.gh[l];      // (T, B, 3H)
        float[] hs = ws.hs[l];      // (T+1, B, H)
        inputProjection(ws, l, false);
        float[] wHh = weights.weightHh(l);
        float[] bHh = weights.biasHh(l);
        for (int t = 0; t < ws.seqLen; t++) {
            int m = ws.active[t];
            zeroRows(hs, (t + 1) * b + m, b - m, h);
            if (m == 0) {
                continue;
            }
            // gh_t[0:m] = h_{t−1}[0:m]·W_hhᵀ + b_hh     (m, H)·(H, 3H)
            broadcastRows(bHh, gh, t * b, m, g);
            k.gemm(false, true, m, g, h, 1f, hs, t * b * h, h, wHh, 0, h, 1f, gh, t * b * g, g, ws.parallelism);
            for (int s = 0; s < m; s++) {
                int row = t * b + s;
                k.gruCellForward(h, gx, row * g, gh, row * g, hs, row * h, hs, (row + b) * h);
            }
        }
    }

    /*
     * Vanilla RNN forward, one layer.
     *   a_t = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh      (B, H)
     *   h_t = tanh(a_t)  or  relu(a_t)
     */
    private void rnnForward(RnnWorkspace ws, int l) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        float[] a = ws.gates[l];    // (T, B, H) pre-activations
        float[] hs = ws.hs[l];      // (T+1, B, H)
        inputProjection(ws, l, true);
        float[] wHh = weights.weightHh(l);
        boolean relu = spec.cell() == CellType.RNN_RELU;
        for (int t = 0; t < ws.seqLen; t++) {
            int m = ws.active[t];
            zeroRows(hs, (t + 1) * b + m, b - m, h);
            if (m == 0) {
                continue;
            }
            // a_t[0:m] += h_{t−1}[0:m]·W_hhᵀ      (m, H)·(H, H)
            k.gemm(false, true, m, h, h, 1f, hs, t * b * h, h, wHh, 0, h, 1f, a, t * b * h, h, ws.parallelism);
            // the m running rows are contiguous, so one call activates them all
            if (relu) {
                k.relu(m * h, a, t * b * h, hs, (t + 1) * b * h);
            } else {
                k.tanh(m * h, a, t * b * h, hs, (t + 1) * b * h);
            }
        }
    }

    /**
     * {@code gates = x·W_ihᵀ + b_ih (+ b_hh)} for all T·B rows as one GEMM, the largest single piece
     * of the forward pass. Padded rows of x are 0, so they cost a little and change nothing.
     */
    private void inputProjection(RnnWorkspace ws, int l, boolean bothBiases) {
        int g = spec.gateRows();
        int in = spec.layerInputSize(l);
        int rows = ws.seqLen * ws.batch;
        float[] bias = weights.biasIh(l);
        if (bothBiases) {
            k.add(g, weights.biasIh(l), 0, weights.biasHh(l), 0, ws.biasSum, 0);
            bias = ws.biasSum;
        }
        broadcastRows(bias, ws.gates[l], 0, rows, g);
        // gates (T·B, G·H) += x (T·B, in) · W_ihᵀ (in, G·H)
        k.gemm(false, true, rows, g, in, 1f, ws.x[l], ws.xOff[l], in, weights.weightIh(l), 0, in,
                1f, ws.gates[l], 0, g, ws.parallelism);
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
     * @param gradOutput dL/d(output), layout as the output, or null for zero; read only
     * @param gradHN dL/dh_N (L, B, H), or null for zero; read only
     * @param gradCN dL/dc_N (L, B, H) for the LSTM (else must be null), or null for zero; read only
     * @param grads accumulator of the parameter gradients, same shape as the weights; must not be null
     * @param gradInput receives dL/d(input) in the input's layout, or null if not wanted
     * @param gradH0 receives dL/dh_0 (L, B, H), or null
     * @param gradC0 receives dL/dc_0 (L, B, H) for the LSTM (else must be null), or null
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
        int t0 = ws.seqLen;
        int b = ws.batch;
        int h = spec.hiddenSize();
        long states = (long) layers * b * h;
        need("gradOutput", gradOutput, (long) t0 * b * spec.outputSize(), seqShapeH, true);
        need("gradHN", gradHN, states, "(L, B, H)", true);
        need("gradInput", gradInput, (long) t0 * b * spec.inputSize(), seqShapeI, true);
        need("gradH0", gradH0, states, "(L, B, H)", true);
        if (spec.cell().hasCellState()) {
            need("gradCN", gradCN, states, "(L, B, H)", true);
            need("gradC0", gradC0, states, "(L, B, H)", true);
        } else {
            noCellState("gradCN", gradCN);
            noCellState("gradC0", gradC0);
        }
        ws.prepareBackward();

        // dY: (T, B, H) dL/d(top output), sorted order, 0 at padded positions
        for (int t = 0; t < t0; t++) {
            for (int s = 0; s < b; s++) {
                int dst = (t * b + s) * h;
                if (gradOutput != null && t < ws.lengths[s]) {
                    System.arraycopy(gradOutput, userRow(ws, t, ws.perm[s]) * h, ws.dY, dst, h);
                } else {
                    java.util.Arrays.fill(ws.dY, dst, dst + h, 0f);
                }
            }
        }
        boolean drop = ws.training && spec.dropout() > 0 && layers > 1;
        for (int l = layers - 1; l >= 0; l--) {
            boolean needDx = l > 0 || gradInput != null;
            loadState(ws, gradHN, l, ws.dh);
            switch (spec.cell()) {
                case LSTM:
                    loadState(ws, gradCN, l, ws.dc);
                    lstmBackward(ws, l, grads, needDx);
                    break;
                case GRU:
                    gruBackward(ws, l, grads, needDx);
                    break;
                default:
                    rnnBackward(ws, l, grads, needDx);
                    break;
            }
            storeState(ws, ws.dh, l, gradH0);
            if (spec.cell().hasCellState()) {
                storeState(ws, ws.dc, l, gradC0);
            }
            if (l > 0) {
                // the input of layer l was dropout(h_{l−1}): dL/dh_{l−1} = dX ⊙ mask
                if (drop) {
                    k.mul(t0 * b * h, ws.dX, 0, ws.mask[l - 1], 0, ws.dY, 0);
                } else {
                    System.arraycopy(ws.dX, 0, ws.dY, 0, t0 * b * h);
                }
            }
        }
        if (gradInput != null) {
            int in = spec.inputSize();
            for (int t = 0; t < t0; t++) {
                for (int i = 0; i < b; i++) {
                    System.arraycopy(ws.dX, (t * b + ws.rank[i]) * in, gradInput, userRow(ws, t, i) * in, in);
                }
            }
        }
    }

    /*
     * LSTM backward, one layer; ws.dh/ws.dc hold dL/dh_T, dL/dc_T on entry and dL/dh_0, dL/dc_0 on exit.
     *   forward: h_t = o ⊙ tanh(c_t),  c_t = f ⊙ c_{t−1} + i ⊙ g          (fused, see Kernels#lstmCellBackward)
     *   forward: gates_t = … + h_{t−1}·W_hhᵀ   ⇒  dh_{t−1} = dGates_t·W_hh
     */
    private void lstmBackward(RnnWorkspace ws, int l, RnnWeights grads, boolean needDx) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        int g = spec.gateRows();
        float[] gates = ws.gates[l];
        float[] cs = ws.cs[l];
        float[] tanhC = ws.tanhC[l];
        float[] dGates = ws.dGates;   // (T, B, 4H)
        float[] wHhT = transposedWhh(ws, l);   // (H, 4H)
        for (int t = ws.seqLen - 1; t >= 0; t--) {
            int m = ws.active[t];
            // rows past a sequence's end keep dGates = 0, so the all-step weight GEMMs skip them exactly
            zeroRows(dGates, t * b + m, b - m, g);
            if (m == 0) {
                continue;
            }
            // dh_t = dL/dout_t + dh_t from step t+1
            k.add(m * h, ws.dY, t * b * h, ws.dh, 0, ws.dh, 0);
            for (int s = 0; s < m; s++) {
                int row = t * b + s;
                k.lstmCellBackward(h, gates, row * g, cs, row * h, tanhC, row * h, ws.dh, s * h, ws.dc, s * h,
                        dGates, row * g);
            }
            // dh_{t−1}[0:m] = dGates_t[0:m]·W_hh        (m, 4H)·(4H, H), as dGates_t·(W_hhᵀ)ᵀ
            k.gemm(false, true, m, h, g, 1f, dGates, t * b * g, g, wHhT, 0, g, 0f, ws.dh, 0, h, ws.parallelism);
        }
        weightGradients(ws, l, grads, dGates, dGates, needDx);
    }

    /*
     * GRU backward, one layer.
     *   forward: h_t = (1 − z) ⊙ n + z ⊙ h_{t−1},  n = tanh(gx_n + r ⊙ gh_n), r, z = σ(·)
     *            (fused, see Kernels#gruCellBackward; it returns the direct part dh_t ⊙ z)
     *   forward: gh_t = h_{t−1}·W_hhᵀ + b_hh      ⇒  dh_{t−1} = dh_t ⊙ z + dGh_t·W_hh
     */
    private void gruBackward(RnnWorkspace ws, int l, RnnWeights grads, boolean needDx) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        int g = spec.gateRows();
        float[] gates = ws.gates[l];
        float[] gh = ws.gh[l];
        float[] hs = ws.hs[l];
        float[] dGx = ws.dGates;   // (T, B, 3H) dL/dgx
        float[] dGh = ws.dGh;      // (T, B, 3H) dL/dgh
        float[] wHhT = transposedWhh(ws, l);   // (H, 3H)
        for (int t = ws.seqLen - 1; t >= 0; t--) {
            int m = ws.active[t];
            zeroRows(dGx, t * b + m, b - m, g);
            zeroRows(dGh, t * b + m, b - m, g);
            if (m == 0) {
                continue;
            }
            k.add(m * h, ws.dY, t * b * h, ws.dh, 0, ws.dh, 0);
            for (int s = 0; s < m; s++) {
                int row = t * b + s;
                k.gruCellBackward(h, gates, row * g, gh, row * g, hs, row * h, ws.dh, s * h,
                        dGx, row * g, dGh, row * g, ws.dhTmp, s * h);
            }
            // dh_{t−1}[0:m] = dh_t ⊙ z + dGh_t[0:m]·W_hh    (m, 3H)·(3H, H)
            k.gemm(false, true, m, h, g, 1f, dGh, t * b * g, g, wHhT, 0, g, 1f, ws.dhTmp, 0, h, ws.parallelism);
            // rows m.. of dh still hold gradients waiting for shorter sequences: copy, don't swap
            System.arraycopy(ws.dhTmp, 0, ws.dh, 0, m * h);
        }
        weightGradients(ws, l, grads, dGx, dGh, needDx);
    }

    /*
     * Vanilla RNN backward, one layer.
     *   forward: h_t = tanh(a_t)   ⇒  da_t = dh_t ⊙ (1 − h_t²)        relu: da_t = dh_t ⊙ [h_t > 0]
     *   forward: a_t = … + h_{t−1}·W_hhᵀ   ⇒  dh_{t−1} = da_t·W_hh
     */
    private void rnnBackward(RnnWorkspace ws, int l, RnnWeights grads, boolean needDx) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        float[] hs = ws.hs[l];
        float[] da = ws.dGates;   // (T, B, H)
        float[] wHhT = transposedWhh(ws, l);   // (H, H)
        boolean relu = spec.cell() == CellType.RNN_RELU;
        for (int t = ws.seqLen - 1; t >= 0; t--) {
            int m = ws.active[t];
            zeroRows(da, t * b + m, b - m, h);
            if (m == 0) {
                continue;
            }
            k.add(m * h, ws.dY, t * b * h, ws.dh, 0, ws.dh, 0);
            if (relu) {
                k.reluBackward(m * h, hs, (t + 1) * b * h, ws.dh, 0, da, t * b * h);
            } else {
                k.tanhBackward(m * h, hs, (t + 1) * b * h, ws.dh, 0, da, t * b * h);
            }
            // dh_{t−1}[0:m] = da_t[0:m]·W_hh     (m, H)·(H, H)
            k.gemm(false, true, m, h, h, 1f, da, t * b * h, h, wHhT, 0, h, 0f, ws.dh, 0, h, ws.parallelism);
        }
        weightGradients(ws, l, grads, da, da, needDx);
    }

    /**
     * W_hhᵀ (H, G·H) of layer l, in the workspace. The per-step GEMM dh = dGates·W_hh has few rows
     * (m ≤ B); in the A·B form the GEMM repacks all of W_hh at every step, while in the A·Bᵀ form
     * (B = W_hhᵀ) small-m GEMMs read B in place as dot products. One transpose per layer and call
     * replaces T repackings (measured in docs/performance.md, "Cells").
     */
    private float[] transposedWhh(RnnWorkspace ws, int l) {
        int h = spec.hiddenSize();
        int g = spec.gateRows();
        float[] w = weights.weightHh(l);
        float[] wT = ws.wHhT;
        for (int r = 0; r < g; r++) {
            for (int c = 0; c < h; c++) {
                wT[c * g + r] = w[r * h + c];
            }
        }
        return wT;
    }

    /**
     * The all-step GEMMs after the backward loop (rows of padded steps are 0 in dIn and dRec):
     * <pre>
     *   dW_ih += dInᵀ·x          (G·H, T·B)·(T·B, in)
     *   dW_hh += dRecᵀ·h_prev    (G·H, T·B)·(T·B, H)     h_prev = hs[0..T−1]
     *   db_ih += Σ_rows dIn      db_hh += Σ_rows dRec
     *   dx     = dIn·W_ih        (T·B, G·H)·(G·H, in)
     * </pre>
     * dx is skipped for layer 0 when the caller wants no input gradient.
     * dIn = dRec = dGates except for the GRU, whose n block differs (dRec_n = dIn_n ⊙ r).
     */
    private void weightGradients(RnnWorkspace ws, int l, RnnWeights grads, float[] dIn, float[] dRec,
                                 boolean needDx) {
        int g = spec.gateRows();
        int h = spec.hiddenSize();
        int in = spec.layerInputSize(l);
        int rows = ws.seqLen * ws.batch;
        Parallelism par = ws.parallelism;
        k.gemm(true, false, g, in, rows, 1f, dIn, 0, g, ws.x[l], ws.xOff[l], in, 1f, grads.weightIh(l), 0, in, par);
        k.gemm(true, false, g, h, rows, 1f, dRec, 0, g, ws.hs[l], 0, h, 1f, grads.weightHh(l), 0, h, par);
        k.multAddTransVec(rows, g, dIn, 0, g, ws.ones, 0, grads.biasIh(l), 0);
        k.multAddTransVec(rows, g, dRec, 0, g, ws.ones, 0, grads.biasHh(l), 0);
        if (needDx) {   // layer 0 without gradInput: 2·T·B·G·H·I FLOPs saved
            k.gemm(false, false, rows, in, g, 1f, dIn, 0, g, weights.weightIh(l), 0, in, 0f, ws.dX, 0, in, par);
        }
    }

    // ================================================================== batch order and copies

    /** Stable sort of the batch by decreasing length; fills perm, rank, lengths and active. */
    private static void sortBatch(RnnWorkspace ws, int[] lengths) {
        int b = ws.batch;
        int t0 = ws.seqLen;
        // counting sort on length: stable, O(B + T), no boxing
        int[] count = ws.count;
        java.util.Arrays.fill(count, 0, t0 + 2, 0);
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
        float[] x = ws.xOwn[0];
        for (int t = 0; t < ws.seqLen; t++) {
            for (int s = 0; s < b; s++) {
                int dst = (t * b + s) * in;
                if (t < ws.lengths[s]) {
                    int src = (spec.batchFirst() ? ws.perm[s] * ws.seqLen + t : t * b + ws.perm[s]) * in;
                    System.arraycopy(input, src, x, dst, in);
                } else {
                    java.util.Arrays.fill(x, dst, dst + in, 0f);
                }
            }
        }
    }

    private static void drawMask(RnnWorkspace ws, float[] mask) {
        double p = ws.spec.dropout();
        float keep = (float) (1.0 / (1.0 - p));
        int h = ws.spec.hiddenSize();
        int b = ws.batch;
        SplittableRandom rnd = ws.dropoutRandom();
        // drawn in the caller's (t, b, j) order so the masks do not depend on the lengths' sort
        for (int t = 0; t < ws.seqLen; t++) {
            for (int i = 0; i < b; i++) {
                int base = (t * b + ws.rank[i]) * h;
                for (int j = 0; j < h; j++) {
                    mask[base + j] = rnd.nextDouble() < p ? 0f : keep;
                }
            }
        }
    }

    /** Row block 0 of a (·, B, H) buffer ← layer l of an (L, B, H) state (zeros if null). */
    private static void loadState(RnnWorkspace ws, float[] state, int l, float[] dst) {
        int h = ws.spec.hiddenSize();
        int b = ws.batch;
        for (int i = 0; i < b; i++) {
            int d = ws.rank[i] * h;
            if (state == null) {
                java.util.Arrays.fill(dst, d, d + h, 0f);
            } else {
                System.arraycopy(state, (l * b + i) * h, dst, d, h);
            }
        }
    }

    /** Layer l of an (L, B, H) state ← row block 0 of a (B, H) buffer (skipped if dst is null). */
    private static void storeState(RnnWorkspace ws, float[] src, int l, float[] dst) {
        if (dst == null) {
            return;
        }
        int h = ws.spec.hiddenSize();
        int b = ws.batch;
        for (int i = 0; i < b; i++) {
            System.arraycopy(src, ws.rank[i] * h, dst, (l * b + i) * h, h);
        }
    }

    /** (L, B, H) ← each sequence's state after its own last step: seq[l] row (lengths[s]·B + s). */
    private static void storeFinal(RnnWorkspace ws, float[][] seq, float[] dst) {
        if (dst == null) {
            return;
        }
        int h = ws.spec.hiddenSize();
        int b = ws.batch;
        for (int l = 0; l < ws.spec.numLayers(); l++) {
            for (int i = 0; i < b; i++) {
                int s = ws.rank[i];
                System.arraycopy(seq[l], (ws.lengths[s] * b + s) * h, dst, (l * b + i) * h, h);
            }
        }
    }

    private static void broadcastRows(float[] row, float[] dst, int firstRow, int rows, int width) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(row, 0, dst, (firstRow + r) * width, width);
        }
    }

    private static void zeroRows(float[] a, int firstRow, int rows, int width) {
        if (rows > 0) {
            java.util.Arrays.fill(a, firstRow * width, (firstRow + rows) * width, 0f);
        }
    }

    // ================================================================== argument checks

    private static void need(String name, float[] a, long n, String shape, boolean nullable) {
        if (a == null) {
            if (nullable) {
                return;
            }
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (a.length < n) {
            throw new IllegalArgumentException(name + " must hold " + shape + " = " + n + " floats, got length "
                    + a.length);
        }
    }

    private void noCellState(String name, float[] a) {
        if (a != null) {
            throw new IllegalArgumentException(name + " must be null: a " + spec.cell().id() + " has no cell state");
        }
    }

    private static void checkLengths(int[] lengths, int seqLen, int batch) {
        if (lengths == null) {
            return;
        }
        if (lengths.length < batch) {
            throw new IllegalArgumentException("lengths must hold B = " + batch + " entries, got length "
                    + lengths.length);
        }
        for (int i = 0; i < batch; i++) {
            if (lengths[i] < 0 || lengths[i] > seqLen) {
                throw new IllegalArgumentException("lengths[" + i + "] must be in [0, T = " + seqLen + "], got "
                        + lengths[i]);
            }
        }
    }
}
