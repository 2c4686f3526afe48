package org.rnn4j.cell;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.rnn4j.kernel.Checks;
import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

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
 * directions use the same batched GEMMs and the same shrinking active prefix. The equations and
 * derivations are in {@code docs/cells.md}.
 */
public final class Rnn {
    private final RnnSpec spec;
    private final RnnWeights weights;
    private final Kernels k;
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
        need("input", input, (long) seqLen * batch * spec.inputSize(), seqShapeI, false);
        Checks.lengths(lengths, "T", seqLen, batch);
        need("output", output, (long) seqLen * batch * spec.outputSize(), seqShapeO, true);
        checkStates(batch, "h0", h0, "hN", hN, "c0", c0, "cN", cN);

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
                switch (spec.cell()) {
                    case LSTM:
                        loadState(ws, c0, u, spec.hiddenSize(), ws.cs[u]);
                        lstmForward(ws, u, l, d);
                        break;
                    case GRU:
                        if (spec.resetBefore()) {
                            gruResetBeforeForward(ws, u, l, d);
                        } else {
                            gruForward(ws, u, l, d);
                        }
                        break;
                    default:
                        rnnForward(ws, u, l, d);
                        break;
                }
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

    /**
     * LSTM forward, one unit.
     *   gates_t = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh          (B, 4H), blocks [i, f, g, o]
     *   i = σ(·)  f = σ(·)  g = tanh(·)  o = σ(·)
     *   c_t = f ⊙ c_{t−1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
     * peephole: a_i += p_i ⊙ c_{t−1},  a_f += p_f ⊙ c_{t−1},  a_o += p_o ⊙ c_t
     * projection: h_t = (o ⊙ tanh(c_t))·W_hrᵀ                      (B, H)·(H, P)
     */
    private void lstmForward(RnnWorkspace ws, int u, int l, int d) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        int p = spec.stateSize();
        int g = spec.gateRows();
        boolean proj = spec.projSize() > 0;
        float[] gates = ws.gates[u];   // (T, B, 4H)
        float[] hs = ws.hs[u];         // (T+1, B, P)
        float[] cs = ws.cs[u];         // (T+1, B, H)
        float[] tanhC = ws.tanhC[u];   // (T, B, H)
        float[] hPre = ws.hPre[u];     // projected: (T, B, H) o ⊙ tanh(c_t)
        float[] peep = spec.peephole() ? weights.peephole(l, d) : null;   // (3H) [p_i, p_f, p_o]
        inputProjection(ws, u, l, d, true);
        // W_hhᵀ (P, 4H) packed once for all T steps (see recurrentPacking)
        ws.packFwd = k.packGemmB(true, p, g, weights.weightHh(l, d), 0, p, ws.packFwd);
        for (int t = 0; t < ws.seqLen; t++) {
            int m = ws.active[t];
            zeroRows(hs, (t + 1) * b + m, b - m, p);
            zeroRows(cs, (t + 1) * b + m, b - m, h);
            if (proj) {
                zeroRows(hPre, t * b + m, b - m, h);   // read as a GEMM operand by dW_hr
            }
            if (m == 0) {
                continue;
            }
            // gates_t[0:m] += h_{t−1}[0:m]·W_hhᵀ        (m, P)·(P, 4H)
            k.multAddPacked(m, 1f, hs, t * b * p, p, ws.packFwd, gates, t * b * g, g, ws.parallelism);
            float[] hOut = proj ? hPre : hs;
            for (int s = 0; s < m; s++) {
                int row = t * b + s;
                int hOff = proj ? row * h : (row + b) * p;
                if (peep == null) {
                    k.lstmCellForward(h, gates, row * g, cs, row * h, cs, (row + b) * h, tanhC, row * h, hOut, hOff);
                } else {
                    peepholeCellForward(ws, peep, gates, row * g, cs, row * h, (row + b) * h, tanhC, row * h,
                            hOut, hOff);
                }
            }
            if (proj) {
                // h_t[0:m] = hPre_t[0:m]·W_hrᵀ             (m, H)·(H, P)
                k.gemm(false, true, m, p, h, 1f, hPre, t * b * h, h, weights.weightHr(l, d), 0, h, 0f,
                        hs, (t + 1) * b * p, p, ws.parallelism);
            }
        }
    }

    /*
     * Peephole LSTM gate math of one row, on the fused plain kernel plus element-wise kernels:
     *   a_i += p_i ⊙ c_{t−1}   a_f += p_f ⊙ c_{t−1}          (before the fused pass)
     *   fused pass: i, f, g, σ(a_o), c_t, tanh(c_t)            (its σ(a_o) and h are replaced below)
     *   o = σ(a_o + p_o ⊙ c_t)   h = o ⊙ tanh(c_t)
     */
    private void peepholeCellForward(RnnWorkspace ws, float[] peep, float[] gates, int gOff, float[] cs,
                                     int cPrevOff, int cOff, float[] tanhC, int tcOff, float[] hOut, int hOff) {
        int h = spec.hiddenSize();
        k.mulAdd(h, peep, 0, cs, cPrevOff, gates, gOff);
        k.mulAdd(h, peep, h, cs, cPrevOff, gates, gOff + h);
        float[] aO = ws.rowA;   // (H) a_o, kept before the fused pass activates it
        System.arraycopy(gates, gOff + 3 * h, aO, 0, h);
        k.lstmCellForward(h, gates, gOff, cs, cPrevOff, cs, cOff, tanhC, tcOff, hOut, hOff);
        k.mulAdd(h, peep, 2 * h, cs, cOff, aO, 0);
        k.sigmoid(h, aO, 0, gates, gOff + 3 * h);
        k.mul(h, gates, gOff + 3 * h, tanhC, tcOff, hOut, hOff);
    }

    /*
     * GRU forward, one unit (PyTorch: reset applied after the recurrent matmul, b_hn inside).
     *   gx_t = x_t·W_ihᵀ + b_ih     gh_t = h_{t−1}·W_hhᵀ + b_hh      (B, 3H), blocks [r, z, n]
     *   r = σ(gx_r + gh_r)   z = σ(gx_z + gh_z)   n = tanh(gx_n + r ⊙ gh_n)
     *   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
     */
    private void gruForward(RnnWorkspace ws, int u, int l, int d) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        int g = spec.gateRows();
        float[] gx = ws.gates[u];   // (T, B, 3H): gx, replaced by the activated [r, z, n]
        float[] gh = ws.gh[u];      // (T, B, 3H)
        float[] hs = ws.hs[u];      // (T+1, B, H)
        inputProjection(ws, u, l, d, false);
        ws.packFwd = k.packGemmB(true, h, g, weights.weightHh(l, d), 0, h, ws.packFwd);   // W_hhᵀ (H, 3H)
        float[] bHh = weights.biasHh(l, d);
        for (int t = 0; t < ws.seqLen; t++) {
            int m = ws.active[t];
            zeroRows(hs, (t + 1) * b + m, b - m, h);
            if (m == 0) {
                continue;
            }
            // gh_t[0:m] = h_{t−1}[0:m]·W_hhᵀ + b_hh     (m, H)·(H, 3H)
            broadcastRows(bHh, 0, gh, t * b * g, m, g, g);
            k.multAddPacked(m, 1f, hs, t * b * h, h, ws.packFwd, gh, t * b * g, g, ws.parallelism);
            for (int s = 0; s < m; s++) {
                int row = t * b + s;
                k.gruCellForward(h, gx, row * g, gh, row * g, hs, row * h, hs, (row + b) * h);
            }
        }
    }

    /*
     * GRU forward with the reset gate before the recurrent matmul (ONNX linear_before_reset = 0),
     * one unit. Two recurrent GEMMs per step, because the n block's needs r first:
     *   gh_t[r,z] = h_{t−1}·W_h[r,z]ᵀ + b_h[r,z]                  (m, H)·(H, 2H)
     *   r = σ(gx_r + gh_r)   z = σ(gx_z + gh_z)   rh_t = r ⊙ h_{t−1}
     *   gh_t[n] = rh_t·W_hnᵀ + b_hn                               (m, H)·(H, H)
     *   n = tanh(gx_n + gh_n)    h_t = n + z ⊙ (h_{t−1} − n)
     */
    private void gruResetBeforeForward(RnnWorkspace ws, int u, int l, int d) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        int g = spec.gateRows();
        float[] gx = ws.gates[u];   // (T, B, 3H): gx, replaced by the activated [r, z, n]
        float[] gh = ws.gh[u];      // (T, B, 3H) recurrent pre-activations
        float[] hs = ws.hs[u];      // (T+1, B, H)
        float[] rh = ws.rh[u];      // (T, B, H) r ⊙ h_{t−1}, the input of W_hn
        inputProjection(ws, u, l, d, false);
        float[] wHh = weights.weightHh(l, d);
        float[] bHh = weights.biasHh(l, d);
        ws.packFwd = k.packGemmB(true, h, 2 * h, wHh, 0, h, ws.packFwd);             // W_h[r,z]ᵀ (H, 2H)
        ws.packFwd2 = k.packGemmB(true, h, h, wHh, 2 * h * h, h, ws.packFwd2);      // W_hnᵀ (H, H)
        for (int t = 0; t < ws.seqLen; t++) {
            int m = ws.active[t];
            zeroRows(hs, (t + 1) * b + m, b - m, h);
            zeroRows(rh, t * b + m, b - m, h);   // read as a GEMM operand by dW_hn
            if (m == 0) {
                continue;
            }
            int first = t * b;
            broadcastRows(bHh, 0, gh, first * g, m, 2 * h, g);
            k.multAddPacked(m, 1f, hs, first * h, h, ws.packFwd, gh, first * g, g, ws.parallelism);
            for (int s = 0; s < m; s++) {
                int row = first + s;
                k.add(2 * h, gx, row * g, gh, row * g, gx, row * g);
                k.sigmoid(2 * h, gx, row * g, gx, row * g);
                k.mul(h, gx, row * g, hs, row * h, rh, row * h);
            }
            broadcastRows(bHh, 2 * h, gh, first * g + 2 * h, m, h, g);
            k.multAddPacked(m, 1f, rh, first * h, h, ws.packFwd2, gh, first * g + 2 * h, g, ws.parallelism);
            for (int s = 0; s < m; s++) {
                int row = first + s;
                int nOff = row * g + 2 * h;
                int hOff = (row + b) * h;
                k.add(h, gx, nOff, gh, nOff, gx, nOff);
                k.tanh(h, gx, nOff, gx, nOff);
                System.arraycopy(hs, row * h, hs, hOff, h);
                k.axpy(h, -1f, gx, nOff, hs, hOff);                   // h_{t−1} − n
                k.mul(h, gx, row * g + h, hs, hOff, hs, hOff);         // z ⊙ (h_{t−1} − n)
                k.add(h, hs, hOff, gx, nOff, hs, hOff);                // + n
            }
        }
    }

    /*
     * Vanilla RNN forward, one unit.
     *   a_t = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh      (B, H)
     *   h_t = tanh(a_t)  or  relu(a_t)
     */
    private void rnnForward(RnnWorkspace ws, int u, int l, int d) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        float[] a = ws.gates[u];    // (T, B, H) pre-activations
        float[] hs = ws.hs[u];      // (T+1, B, H)
        inputProjection(ws, u, l, d, true);
        ws.packFwd = k.packGemmB(true, h, h, weights.weightHh(l, d), 0, h, ws.packFwd);   // W_hhᵀ (H, H)
        boolean relu = spec.cell() == CellType.RNN_RELU;
        for (int t = 0; t < ws.seqLen; t++) {
            int m = ws.active[t];
            zeroRows(hs, (t + 1) * b + m, b - m, h);
            if (m == 0) {
                continue;
            }
            // a_t[0:m] += h_{t−1}[0:m]·W_hhᵀ      (m, H)·(H, H)
            k.multAddPacked(m, 1f, hs, t * b * h, h, ws.packFwd, a, t * b * h, h, ws.parallelism);
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
    private void inputProjection(RnnWorkspace ws, int u, int l, int d, boolean bothBiases) {
        int g = spec.gateRows();
        int in = spec.layerInputSize(l);
        int rows = ws.seqLen * ws.batch;
        float[] bias = weights.biasIh(l, d);
        if (bothBiases) {
            // Once per pass, G·H adds: on the scalar twin (the same bits), because a vector kernel
            // called this rarely stays in the interpreter or C1 for thousands of passes, and there
            // the Vector API boxes every vector it touches.
            Kernels.scalar().add(g, weights.biasIh(l, d), 0, weights.biasHh(l, d), 0, ws.biasSum, 0);
            bias = ws.biasSum;
        }
        broadcastRows(bias, 0, ws.gates[u], 0, rows, g, g);
        // gates (T·B, G·H) += x (T·B, in) · W_ihᵀ (in, G·H)
        k.gemm(false, true, rows, g, in, 1f, ws.x[u], ws.xOff[u], in, weights.weightIh(l, d), 0, in,
                1f, ws.gates[u], 0, g, ws.parallelism);
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
        need("gradOutput", gradOutput, (long) t0 * b * width, seqShapeO, true);
        need("gradInput", gradInput, (long) t0 * b * spec.inputSize(), seqShapeI, true);
        checkStates(b, "gradHN", gradHN, "gradH0", gradH0, "gradCN", gradCN, "gradC0", gradC0);
        ws.prepareBackward();

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
                switch (spec.cell()) {
                    case LSTM:
                        loadState(ws, gradCN, u, spec.hiddenSize(), ws.dc);
                        lstmBackward(ws, u, l, d, dYu, grads, needDx);
                        break;
                    case GRU:
                        if (spec.resetBefore()) {
                            gruResetBeforeBackward(ws, u, l, d, dYu, grads, needDx);
                        } else {
                            gruBackward(ws, u, l, d, dYu, grads, needDx);
                        }
                        break;
                    default:
                        rnnBackward(ws, u, l, d, dYu, grads, needDx);
                        break;
                }
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

    /*
     * LSTM backward, one unit; ws.dh/ws.dc hold dL/dh_T, dL/dc_T on entry and dL/dh_0, dL/dc_0 on exit.
     *   forward: h_t = o ⊙ tanh(c_t),  c_t = f ⊙ c_{t−1} + i ⊙ g          (fused, see Kernels#lstmCellBackward)
     *   forward: h_t = hPre_t·W_hrᵀ (projected)  ⇒  dhPre_t = dh_t·W_hr,  dW_hr += dh_tᵀ·hPre_t
     *   forward: gates_t = … + h_{t−1}·W_hhᵀ   ⇒  dh_{t−1} = dGates_t·W_hh
     */
    private void lstmBackward(RnnWorkspace ws, int u, int l, int d, float[] dY, RnnWeights grads, boolean needDx) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        int p = spec.stateSize();
        int g = spec.gateRows();
        boolean proj = spec.projSize() > 0;
        float[] gates = ws.gates[u];
        float[] cs = ws.cs[u];
        float[] tanhC = ws.tanhC[u];
        float[] dGates = ws.dGates;   // (T, B, 4H)
        float[] dHs = ws.dHs;         // projected: (T, B, P) dL/dh_t of every step, for dW_hr
        float[] peep = spec.peephole() ? weights.peephole(l, d) : null;
        // W_hh (4H, P) packed once for all T steps of dh_{t−1} = dGates_t·W_hh
        ws.packBwd = k.packGemmB(false, g, p, weights.weightHh(l, d), 0, p, ws.packBwd);
        float[] wHrT = proj ? transposed(weights.weightHr(l, d), p, h, ws.wHrT) : null;   // (H, P)
        for (int t = ws.seqLen - 1; t >= 0; t--) {
            int m = ws.active[t];
            // rows past a sequence's end keep dGates = 0, so the all-step weight GEMMs skip them exactly
            zeroRows(dGates, t * b + m, b - m, g);
            if (proj) {
                zeroRows(dHs, t * b + m, b - m, p);
            }
            if (m == 0) {
                continue;
            }
            // dh_t = dL/dout_t + dh_t from step t+1
            k.add(m * p, dY, t * b * p, ws.dh, 0, ws.dh, 0);
            float[] dhCell = ws.dh;   // dL/d(o ⊙ tanh c_t), (m, H)
            if (proj) {
                System.arraycopy(ws.dh, 0, dHs, t * b * p, m * p);
                // dhPre[0:m] = dh_t[0:m]·W_hr         (m, P)·(P, H), as dh·(W_hrᵀ)ᵀ
                k.gemm(false, true, m, h, p, 1f, ws.dh, 0, p, wHrT, 0, p, 0f, ws.dhPre, 0, h, ws.parallelism);
                dhCell = ws.dhPre;
            }
            for (int s = 0; s < m; s++) {
                int row = t * b + s;
                if (peep == null) {
                    k.lstmCellBackward(h, gates, row * g, cs, row * h, tanhC, row * h, dhCell, s * h, ws.dc, s * h,
                            dGates, row * g);
                } else {
                    peepholeCellBackward(ws, peep, gates, row * g, cs, row * h, tanhC, row * h, dhCell, s * h,
                            s * h, dGates, row * g);
                }
            }
            // dh_{t−1}[0:m] = dGates_t[0:m]·W_hh        (m, 4H)·(4H, P)
            java.util.Arrays.fill(ws.dh, 0, m * p, 0f);
            k.multAddPacked(m, 1f, dGates, t * b * g, g, ws.packBwd, ws.dh, 0, p, ws.parallelism);
        }
        weightGradients(ws, u, l, d, grads, dGates, dGates, needDx);
        int rows = ws.seqLen * b;
        if (proj) {
            // dW_hr += dHsᵀ·hPre                 (P, T·B)·(T·B, H)
            k.gemm(true, false, p, h, rows, 1f, dHs, 0, p, ws.hPre[u], 0, h, 1f, grads.weightHr(l, d), 0, h,
                    ws.parallelism);
        }
        if (peep != null) {
            // dp_i += Σ da_i ⊙ c_{t−1}   dp_f += Σ da_f ⊙ c_{t−1}   dp_o += Σ da_o ⊙ c_t   (rows past an end: da = 0)
            float[] dPeep = grads.peephole(l, d);
            for (int r = 0; r < rows; r++) {
                k.mulAdd(h, dGates, r * g, cs, r * h, dPeep, 0);
                k.mulAdd(h, dGates, r * g + h, cs, r * h, dPeep, h);
                k.mulAdd(h, dGates, r * g + 3 * h, cs, (r + b) * h, dPeep, 2 * h);
            }
        }
    }

    /*
     * Peephole LSTM backward of one row, on the fused plain kernel plus element-wise kernels.
     *   forward: o = σ(a_o + p_o ⊙ c_t)   ⇒  da_o = dh ⊙ tanh(c_t) ⊙ o(1 − o),  dc_t += p_o ⊙ da_o
     *   fused pass (as without peepholes, dc_t now complete): dGates, dc ← dc_t ⊙ f
     *   forward: a_i, a_f += p_{i,f} ⊙ c_{t−1}   ⇒  dc_{t−1} += p_i ⊙ da_i + p_f ⊙ da_f
     */
    private void peepholeCellBackward(RnnWorkspace ws, float[] peep, float[] gates, int gOff, float[] cs, int cPrevOff,
                                      float[] tanhC, int tcOff, float[] dh, int dhOff, int dcOff, float[] dGates,
                                      int dgOff) {
        int h = spec.hiddenSize();
        float[] daO = ws.rowA;   // (H)
        k.mul(h, dh, dhOff, tanhC, tcOff, daO, 0);
        k.sigmoidBackward(h, gates, gOff + 3 * h, daO, 0, daO, 0);
        k.mulAdd(h, peep, 2 * h, daO, 0, ws.dc, dcOff);
        k.lstmCellBackward(h, gates, gOff, cs, cPrevOff, tanhC, tcOff, dh, dhOff, ws.dc, dcOff, dGates, dgOff);
        k.mulAdd(h, peep, 0, dGates, dgOff, ws.dc, dcOff);
        k.mulAdd(h, peep, h, dGates, dgOff + h, ws.dc, dcOff);
    }

    /*
     * GRU backward, one unit.
     *   forward: h_t = (1 − z) ⊙ n + z ⊙ h_{t−1},  n = tanh(gx_n + r ⊙ gh_n), r, z = σ(·)
     *            (fused, see Kernels#gruCellBackward; it returns the direct part dh_t ⊙ z)
     *   forward: gh_t = h_{t−1}·W_hhᵀ + b_hh      ⇒  dh_{t−1} = dh_t ⊙ z + dGh_t·W_hh
     */
    private void gruBackward(RnnWorkspace ws, int u, int l, int d, float[] dY, RnnWeights grads, boolean needDx) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        int g = spec.gateRows();
        float[] gates = ws.gates[u];
        float[] gh = ws.gh[u];
        float[] hs = ws.hs[u];
        float[] dGx = ws.dGates;   // (T, B, 3H) dL/dgx
        float[] dGh = ws.dGh;      // (T, B, 3H) dL/dgh
        ws.packBwd = k.packGemmB(false, g, h, weights.weightHh(l, d), 0, h, ws.packBwd);   // W_hh (3H, H)
        for (int t = ws.seqLen - 1; t >= 0; t--) {
            int m = ws.active[t];
            zeroRows(dGx, t * b + m, b - m, g);
            zeroRows(dGh, t * b + m, b - m, g);
            if (m == 0) {
                continue;
            }
            k.add(m * h, dY, t * b * h, ws.dh, 0, ws.dh, 0);
            for (int s = 0; s < m; s++) {
                int row = t * b + s;
                k.gruCellBackward(h, gates, row * g, gh, row * g, hs, row * h, ws.dh, s * h,
                        dGx, row * g, dGh, row * g, ws.dhTmp, s * h);
            }
            // dh_{t−1}[0:m] = dh_t ⊙ z + dGh_t[0:m]·W_hh    (m, 3H)·(3H, H)
            k.multAddPacked(m, 1f, dGh, t * b * g, g, ws.packBwd, ws.dhTmp, 0, h, ws.parallelism);
            // rows m.. of dh still hold gradients waiting for shorter sequences: copy, don't swap
            System.arraycopy(ws.dhTmp, 0, ws.dh, 0, m * h);
        }
        weightGradients(ws, u, l, d, grads, dGx, dGh, needDx);
    }

    /*
     * GRU backward with the reset gate before the recurrent matmul, one unit. Here gx and gh reach
     * every gate unscaled, so one buffer dGates = dL/dgx = dL/dgh serves both.
     *   forward: h_t = n + z ⊙ (h_{t−1} − n)  ⇒  da_n = dh ⊙ (1 − z)(1 − n²), da_z = dh ⊙ (h_{t−1} − n) z(1 − z),
     *            direct dh_{t−1} = dh ⊙ z    (the fused kernel with gh_n = 0, which makes its reset path inert)
     *   forward: gh_n = rh·W_hnᵀ + b_hn, rh = r ⊙ h_{t−1}
     *            ⇒  drh = da_n·W_hn,  da_r = drh ⊙ h_{t−1} ⊙ r(1 − r),  dh_{t−1} += drh ⊙ r
     *   forward: gh_{r,z} = h_{t−1}·W_h[r,z]ᵀ + b_h[r,z]  ⇒  dh_{t−1} += [da_r, da_z]·W_h[r,z]
     */
    private void gruResetBeforeBackward(RnnWorkspace ws, int u, int l, int d, float[] dY, RnnWeights grads,
                                        boolean needDx) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        int g = spec.gateRows();
        float[] gates = ws.gates[u];
        float[] hs = ws.hs[u];
        float[] dGates = ws.dGates;   // (T, B, 3H)
        float[] wHh = weights.weightHh(l, d);
        ws.packBwd = k.packGemmB(false, 2 * h, h, wHh, 0, h, ws.packBwd);            // W_h[r,z] (2H, H)
        ws.packBwd2 = k.packGemmB(false, h, h, wHh, 2 * h * h, h, ws.packBwd2);     // W_hn (H, H)
        for (int t = ws.seqLen - 1; t >= 0; t--) {
            int m = ws.active[t];
            zeroRows(dGates, t * b + m, b - m, g);
            if (m == 0) {
                continue;
            }
            int first = t * b;
            k.add(m * h, dY, first * h, ws.dh, 0, ws.dh, 0);
            for (int s = 0; s < m; s++) {
                int row = first + s;
                k.gruCellBackward(h, gates, row * g, ws.zeroGates, 0, hs, row * h, ws.dh, s * h,
                        dGates, row * g, ws.ghScratch, 0, ws.dhTmp, s * h);
            }
            // drh[0:m] = da_n[0:m]·W_hn          (m, H)·(H, H), W_hn = rows 2H.. of W_hh
            java.util.Arrays.fill(ws.drh, 0, m * h, 0f);
            k.multAddPacked(m, 1f, dGates, first * g + 2 * h, g, ws.packBwd2, ws.drh, 0, h, ws.parallelism);
            for (int s = 0; s < m; s++) {
                int row = first + s;
                k.mul(h, ws.drh, s * h, hs, row * h, ws.rowA, 0);
                k.sigmoidBackward(h, gates, row * g, ws.rowA, 0, dGates, row * g);
                k.mulAdd(h, ws.drh, s * h, gates, row * g, ws.dhTmp, s * h);
            }
            // dh_{t−1}[0:m] += [da_r, da_z]·W_h[r,z]     (m, 2H)·(2H, H)
            k.multAddPacked(m, 1f, dGates, first * g, g, ws.packBwd, ws.dhTmp, 0, h, ws.parallelism);
            System.arraycopy(ws.dhTmp, 0, ws.dh, 0, m * h);
        }
        weightGradients(ws, u, l, d, grads, dGates, dGates, needDx);
    }

    /*
     * Vanilla RNN backward, one unit.
     *   forward: h_t = tanh(a_t)   ⇒  da_t = dh_t ⊙ (1 − h_t²)        relu: da_t = dh_t ⊙ [h_t > 0]
     *   forward: a_t = … + h_{t−1}·W_hhᵀ   ⇒  dh_{t−1} = da_t·W_hh
     */
    private void rnnBackward(RnnWorkspace ws, int u, int l, int d, float[] dY, RnnWeights grads, boolean needDx) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        float[] hs = ws.hs[u];
        float[] da = ws.dGates;   // (T, B, H)
        ws.packBwd = k.packGemmB(false, h, h, weights.weightHh(l, d), 0, h, ws.packBwd);   // W_hh (H, H)
        boolean relu = spec.cell() == CellType.RNN_RELU;
        for (int t = ws.seqLen - 1; t >= 0; t--) {
            int m = ws.active[t];
            zeroRows(da, t * b + m, b - m, h);
            if (m == 0) {
                continue;
            }
            k.add(m * h, dY, t * b * h, ws.dh, 0, ws.dh, 0);
            if (relu) {
                k.reluBackward(m * h, hs, (t + 1) * b * h, ws.dh, 0, da, t * b * h);
            } else {
                k.tanhBackward(m * h, hs, (t + 1) * b * h, ws.dh, 0, da, t * b * h);
            }
            // dh_{t−1}[0:m] = da_t[0:m]·W_hh     (m, H)·(H, H)
            java.util.Arrays.fill(ws.dh, 0, m * h, 0f);
            k.multAddPacked(m, 1f, da, t * b * h, h, ws.packBwd, ws.dh, 0, h, ws.parallelism);
        }
        weightGradients(ws, u, l, d, grads, da, da, needDx);
    }

    /**
     * The transpose (cols, rows) of a row-major (rows, cols) matrix, into {@code dst}, for the per-step
     * GEMMs that still use the dot form (the projection's W_hr): in
     * the A·Bᵀ form (B = Wᵀ) small-m GEMMs read B in place, where the A·B form would repack W at
     * every step. The plain cells' dGates·W_hh runs on a packed W_hh instead (ws.packBwd).
     */
    private static float[] transposed(float[] w, int rows, int cols, float[] dst) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[c * rows + r] = w[r * cols + c];
            }
        }
        return dst;
    }

    /**
     * The all-step GEMMs after the backward loop (rows of padded steps are 0 in dIn and dRec):
     * <pre>
     *   dW_ih += dInᵀ·x          (G·H, T·B)·(T·B, in)
     *   dW_hh += dRecᵀ·h_prev    (G·H, T·B)·(T·B, P)     h_prev = hs[0..T−1]
     *                            GRU reset-before: the n block's rows against rh = r ⊙ h_prev instead
     *   db_ih += Σ_rows dIn      db_hh += Σ_rows dRec
     *   dx     = dIn·W_ih        (T·B, G·H)·(G·H, in)
     * </pre>
     * dx is skipped for layer 0 when the caller wants no input gradient.
     * dIn = dRec = dGates except for the reset-after GRU, whose n block differs (dRec_n = dIn_n ⊙ r).
     */
    private void weightGradients(RnnWorkspace ws, int u, int l, int d, RnnWeights grads, float[] dIn, float[] dRec,
                                 boolean needDx) {
        int g = spec.gateRows();
        int h = spec.hiddenSize();
        int p = spec.stateSize();
        int in = spec.layerInputSize(l);
        int rows = ws.seqLen * ws.batch;
        Parallelism par = ws.parallelism;
        float[] gWhh = grads.weightHh(l, d);
        k.gemm(true, false, g, in, rows, 1f, dIn, 0, g, ws.x[u], ws.xOff[u], in, 1f, grads.weightIh(l, d), 0, in, par);
        if (spec.resetBefore()) {
            k.gemm(true, false, 2 * h, p, rows, 1f, dRec, 0, g, ws.hs[u], 0, p, 1f, gWhh, 0, p, par);
            k.gemm(true, false, h, p, rows, 1f, dRec, 2 * h, g, ws.rh[u], 0, h, 1f, gWhh, 2 * h * p, p, par);
        } else {
            k.gemm(true, false, g, p, rows, 1f, dRec, 0, g, ws.hs[u], 0, p, 1f, gWhh, 0, p, par);
        }
        k.multAddTransVec(rows, g, dIn, 0, g, ws.ones, 0, grads.biasIh(l, d), 0);
        k.multAddTransVec(rows, g, dRec, 0, g, ws.ones, 0, grads.biasHh(l, d), 0);
        if (needDx) {   // layer 0 without gradInput: 2·T·B·G·H·I FLOPs saved
            k.gemm(false, false, rows, in, g, 1f, dIn, 0, g, weights.weightIh(l, d), 0, in, 0f, ws.dX, 0, in, par);
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

    /** {@code rows} rows of {@code stride} floats from {@code dstOff}: the first {@code width} ← row[rowOff ..]. */
    private static void broadcastRows(float[] row, int rowOff, float[] dst, int dstOff, int rows, int width,
                                      int stride) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(row, rowOff, dst, dstOff + r * stride, width);
        }
    }

    private static void zeroRows(float[] a, int firstRow, int rows, int width) {
        if (rows > 0) {
            Arrays.fill(a, firstRow * width, (firstRow + rows) * width, 0f);
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

    /** Two h-state arrays (L·D, B, P) and two c-state arrays (L·D, B, H; LSTM only, else null), each nullable. */
    private void checkStates(int batch, String h1, float[] a1, String h2, float[] a2, String c1, float[] b1,
                             String c2, float[] b2) {
        long hStates = (long) spec.numUnits() * batch * spec.stateSize();
        need(h1, a1, hStates, "(L·D, B, P)", true);
        need(h2, a2, hStates, "(L·D, B, P)", true);
        if (spec.cell().hasCellState()) {
            long cStates = (long) spec.numUnits() * batch * spec.hiddenSize();
            need(c1, b1, cStates, "(L·D, B, H)", true);
            need(c2, b2, cStates, "(L·D, B, H)", true);
        } else {
            noCellState(c1, b1);
            noCellState(c2, b2);
        }
    }

    private void noCellState(String name, float[] a) {
        if (a != null) {
            throw new IllegalArgumentException(name + " must be null: a " + spec.cell().id() + " has no cell state");
        }
    }
}
