package org.rnn4j.cell;

import org.rnn4j.kernel.Kernels;
import org.rnn4j.kernel.Parallelism;

/**
 * One cell family's forward and backward pass over all T steps of one unit (one layer and
 * direction) of an {@link Rnn}, in the shape cuDNN and oneDNN use: the input projection of all
 * steps as one GEMM, per step the recurrent GEMM on the rows still running and a fused post-GEMM
 * kernel for the gate math, and after the backward loop the weight and input gradients as GEMMs
 * over all steps.
 *
 * <p>{@link Rnn} owns what every cell shares (stacking, directions and their merge, length
 * sorting, states in and out, argument checks) and calls one {@code CellUnit} per unit. A unit holds
 * no per-call state: everything lives in the caller's {@link RnnWorkspace}, so one instance serves
 * all threads. Each subclass keeps its equations at the top, its forward pass, then its backward
 * pass beside it; {@code docs/cells.md} has the derivations.
 *
 * <h2>Workspace contract</h2>
 * On entry to {@link #forward}: {@code ws.x[u]} at {@code ws.xOff[u]} holds the unit's input (T, B,
 * in_l) in its own time order and sorted batch order, {@code ws.hs[u]} row block 0 holds h_0 (and
 * {@code ws.cs[u]} row block 0 holds c_0 for the LSTM). On exit {@code hs[u]} holds h_0 … h_T,
 * (T+1, B, P), zero past each sequence's end, and the unit's other buffers hold what backward reads.
 * On entry to {@link #backward}: {@code ws.dh} (and {@code ws.dc}) hold dL/dh_T (dL/dc_T), (B, P);
 * on exit they hold dL/dh_0 (dL/dc_0) and {@code ws.dX} holds dL/dx (T, B, in_l) when asked for.
 */
abstract class CellUnit {
    final RnnSpec spec;
    final RnnWeights weights;
    final Kernels k;

    CellUnit(RnnWeights weights, Kernels k) {
        this.spec = weights.spec();
        this.weights = weights;
        this.k = k;
    }

    /** The unit for {@code weights}' cell family. */
    static CellUnit of(RnnWeights weights, Kernels k) {
        RnnSpec spec = weights.spec();
        switch (spec.cell()) {
            case LSTM:
                return new LstmUnit(weights, k);
            case GRU:
                return spec.resetBefore() ? new GruResetBeforeUnit(weights, k) : new GruUnit(weights, k);
            default:
                return new VanillaRnnUnit(weights, k);
        }
    }

    /** Forward over all steps of unit u = l·D + d (see the workspace contract above). */
    abstract void forward(RnnWorkspace ws, int u, int l, int d);

    /**
     * BPTT over all steps of unit u, accumulating its parameter gradients into {@code grads}.
     *
     * @param dY dL/d(this unit's h_t) in its own time order, (T, B, P), 0 at padded positions
     * @param needDx whether {@code ws.dX} must receive dL/dx (skipped for layer 0 without gradInput)
     */
    abstract void backward(RnnWorkspace ws, int u, int l, int d, float[] dY, RnnWeights grads, boolean needDx);

    // ================================================================== shared by the units

    /**
     * {@code gates = x·W_ihᵀ + b_ih (+ b_hh)} for all T·B rows as one GEMM, the largest single piece
     * of the forward pass. Padded rows of x are 0, so they cost a little and change nothing.
     */
    final void inputProjection(RnnWorkspace ws, int u, int l, int d, boolean bothBiases) {
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
        k.broadcastRows(rows, g, bias, 0, ws.gates[u], 0, g);
        // gates (T·B, G·H) += x (T·B, in) · W_ihᵀ (in, G·H)
        k.gemm(false, true, rows, g, in, 1f, ws.x[u], ws.xOff[u], in, weights.weightIh(l, d), 0, in,
                1f, ws.gates[u], 0, g, ws.parallelism);
    }

    /**
     * The all-step GEMMs after the backward loop (rows of padded steps are 0 in dIn and dRec):
     * <pre>
     *   dW_ih += dInᵀ·x          (G·H, T·B)·(T·B, in)
     *   dW_hh += dRecᵀ·h_prev    (G·H, T·B)·(T·B, P)     h_prev = hs[0..T−1]
     *   db_ih += Σ_rows dIn      db_hh += Σ_rows dRec
     *   dx     = dIn·W_ih        (T·B, G·H)·(G·H, in)
     * </pre>
     * dx is skipped for layer 0 when the caller wants no input gradient. On the first
     * {@link #sharedGateRows} gate rows dIn and dRec are the same numbers and the recurrent input is
     * h_prev, so dW_ih and dW_hh there are one {@link Kernels#multAddTransAPair}: the transposing pack
     * of dIn, the largest of a training step, is done once for both. The rest ({@link #recurrentRest})
     * is the GRU's n block, where dRec_n = dIn_n ⊙ r (reset-after) or the input is r ⊙ h_prev
     * (reset-before).
     */
    final void weightGradients(RnnWorkspace ws, int u, int l, int d, RnnWeights grads, float[] dIn, float[] dRec,
                               boolean needDx) {
        int g = spec.gateRows();
        int in = spec.layerInputSize(l);
        int p = spec.stateSize();
        int rows = ws.seqLen * ws.batch;
        int shared = sharedGateRows();
        Parallelism par = ws.parallelism;
        float[] gWih = grads.weightIh(l, d), gWhh = grads.weightHh(l, d);
        // dW_ih[0:shared] += dIn[:, 0:shared]ᵀ·x   and   dW_hh[0:shared] += dIn[:, 0:shared]ᵀ·h_prev
        k.multAddTransAPair(shared, in, p, rows, dIn, 0, g, ws.x[u], ws.xOff[u], in, gWih, 0, in,
                ws.hs[u], 0, p, gWhh, 0, p, par);
        if (shared < g) {
            // dW_ih[shared:G·H] += dIn[:, shared:]ᵀ·x
            k.gemm(true, false, g - shared, in, rows, 1f, dIn, shared, g, ws.x[u], ws.xOff[u], in, 1f, gWih,
                    shared * in, in, par);
            recurrentRest(ws, u, shared, dRec, gWhh);
        }
        k.multAddTransVec(rows, g, dIn, 0, g, ws.ones, 0, grads.biasIh(l, d), 0);
        k.multAddTransVec(rows, g, dRec, 0, g, ws.ones, 0, grads.biasHh(l, d), 0);
        if (needDx) {   // layer 0 without gradInput: 2·T·B·G·H·I FLOPs saved
            k.gemm(false, false, rows, in, g, 1f, dIn, 0, g, weights.weightIh(l, d), 0, in, 0f, ws.dX, 0, in, par);
        }
    }

    /** Leading gate rows on which dIn = dRec and W_hh's input is h_prev: all of them but the GRU's n block. */
    int sharedGateRows() {
        return spec.gateRows();
    }

    /**
     * {@code dW_hh[shared:] += dRec[:, shared:]ᵀ·h_prev}, (G·H − shared, T·B)·(T·B, P), for the gate
     * rows past {@link #sharedGateRows}; the reset-before GRU reads r ⊙ h_prev instead.
     */
    void recurrentRest(RnnWorkspace ws, int u, int shared, float[] dRec, float[] gWhh) {
        int g = spec.gateRows();
        int p = spec.stateSize();
        int rows = ws.seqLen * ws.batch;
        k.gemm(true, false, g - shared, p, rows, 1f, dRec, shared, g, ws.hs[u], 0, p, 1f, gWhh, shared * p, p,
                ws.parallelism);
    }

    static void zeroRows(float[] a, int firstRow, int rows, int width) {
        if (rows > 0) {
            java.util.Arrays.fill(a, firstRow * width, (firstRow + rows) * width, 0f);
        }
    }
}
