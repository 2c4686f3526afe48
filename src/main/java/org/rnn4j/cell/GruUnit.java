package org.rnn4j.cell;

import org.rnn4j.kernel.Kernels;

/**
 * The GRU unit as PyTorch and cuDNN define it: the reset gate applied after the recurrent matmul,
 * b_hn inside (ONNX {@code linear_before_reset = 1}, oneDNN's {@code lbr_gru}).
 * <pre>
 *   gx_t = x_t·W_ihᵀ + b_ih     gh_t = h_{t−1}·W_hhᵀ + b_hh      (B, 3H), blocks [r, z, n]
 *   r = σ(gx_r + gh_r)   z = σ(gx_z + gh_z)   n = tanh(gx_n + r ⊙ gh_n)
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 * </pre>
 * One recurrent GEMM per step, then the fused {@link Kernels#gruCellForward} per row.
 */
final class GruUnit extends CellUnit {

    GruUnit(RnnWeights weights, Kernels k) {
        super(weights, k);
    }

    @Override
    void forward(RnnWorkspace ws, int u, int l, int d) {
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
            k.broadcastRows(m, g, bHh, 0, gh, t * b * g, g);
            k.multAddPacked(m, 1f, hs, t * b * h, h, ws.packFwd, gh, t * b * g, g, ws.parallelism);
            for (int s = 0; s < m; s++) {
                int row = t * b + s;
                k.gruCellForward(h, gx, row * g, gh, row * g, hs, row * h, hs, (row + b) * h);
            }
        }
    }

    /*
     *   forward: h_t = (1 − z) ⊙ n + z ⊙ h_{t−1},  n = tanh(gx_n + r ⊙ gh_n), r, z = σ(·)
     *            (fused, see Kernels#gruCellBackward; it returns the direct part dh_t ⊙ z)
     *   forward: gh_t = h_{t−1}·W_hhᵀ + b_hh      ⇒  dh_{t−1} = dh_t ⊙ z + dGh_t·W_hh
     */
    @Override
    void backward(RnnWorkspace ws, int u, int l, int d, float[] dY, RnnWeights grads, boolean needDx) {
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

    /** r and z: dGh = dGx there; the n block's differ (dGh_n = dGx_n ⊙ r). */
    @Override
    int sharedGateRows() {
        return 2 * spec.hiddenSize();
    }
}
