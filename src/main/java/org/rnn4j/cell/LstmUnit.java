package org.rnn4j.cell;

import java.util.Arrays;
import org.rnn4j.kernel.Kernels;

/**
 * The LSTM unit, with PyTorch's options: peepholes (ONNX's P) and a projection (PyTorch's
 * {@code proj_size}).
 * <pre>
 *   gates_t = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh          (B, 4H), blocks [i, f, g, o]
 *   i = σ(·)  f = σ(·)  g = tanh(·)  o = σ(·)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
 *   peephole:   a_i += p_i ⊙ c_{t−1},  a_f += p_f ⊙ c_{t−1},  a_o += p_o ⊙ c_t
 *   projection: h_t = (o ⊙ tanh(c_t))·W_hrᵀ                    (B, H)·(H, P)
 * </pre>
 * The gate math is one fused kernel per row, {@link Kernels#lstmCellForward} or
 * {@link Kernels#lstmPeepholeCellForward}, and their backward twins.
 */
final class LstmUnit extends CellUnit {

    LstmUnit(RnnWeights weights, Kernels k) {
        super(weights, k);
    }

    @Override
    void forward(RnnWorkspace ws, int u, int l, int d) {
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
        if (proj) {   // W_hrᵀ (H, P) packed once for all T steps of h_t = hPre_t·W_hrᵀ
            ws.packFwd2 = k.packGemmB(true, h, p, weights.weightHr(l, d), 0, h, ws.packFwd2);
        }
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
                    k.lstmPeepholeCellForward(h, gates, row * g, peep, 0, cs, row * h, cs, (row + b) * h, tanhC,
                            row * h, hOut, hOff);
                }
            }
            if (proj) {
                // h_t[0:m] = hPre_t[0:m]·W_hrᵀ             (m, H)·(H, P)
                Arrays.fill(hs, (t + 1) * b * p, (t + 1) * b * p + m * p, 0f);
                k.multAddPacked(m, 1f, hPre, t * b * h, h, ws.packFwd2, hs, (t + 1) * b * p, p, ws.parallelism);
            }
        }
    }

    /*
     * ws.dh/ws.dc hold dL/dh_T, dL/dc_T on entry and dL/dh_0, dL/dc_0 on exit.
     *   forward: h_t = o ⊙ tanh(c_t),  c_t = f ⊙ c_{t−1} + i ⊙ g          (fused, see Kernels#lstmCellBackward)
     *   forward: h_t = hPre_t·W_hrᵀ (projected)  ⇒  dhPre_t = dh_t·W_hr,  dW_hr += dh_tᵀ·hPre_t
     *   forward: gates_t = … + h_{t−1}·W_hhᵀ   ⇒  dh_{t−1} = dGates_t·W_hh
     *   forward: a_i += p_i ⊙ c_{t−1}, …        ⇒  dp_i += Σ_t da_i ⊙ c_{t−1}, …  (after the loop)
     */
    @Override
    void backward(RnnWorkspace ws, int u, int l, int d, float[] dY, RnnWeights grads, boolean needDx) {
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
        if (proj) {   // W_hr (P, H) packed once for all T steps of dhPre_t = dh_t·W_hr
            ws.packBwd2 = k.packGemmB(false, p, h, weights.weightHr(l, d), 0, h, ws.packBwd2);
        }
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
                // dhPre[0:m] = dh_t[0:m]·W_hr         (m, P)·(P, H)
                Arrays.fill(ws.dhPre, 0, m * h, 0f);
                k.multAddPacked(m, 1f, ws.dh, 0, p, ws.packBwd2, ws.dhPre, 0, h, ws.parallelism);
                dhCell = ws.dhPre;
            }
            for (int s = 0; s < m; s++) {
                int row = t * b + s;
                if (peep == null) {
                    k.lstmCellBackward(h, gates, row * g, cs, row * h, tanhC, row * h, dhCell, s * h, ws.dc, s * h,
                            dGates, row * g);
                } else {
                    k.lstmPeepholeCellBackward(h, gates, row * g, peep, 0, cs, row * h, tanhC, row * h, dhCell, s * h,
                            ws.dc, s * h, dGates, row * g);
                }
            }
            // dh_{t−1}[0:m] = dGates_t[0:m]·W_hh        (m, 4H)·(4H, P)
            Arrays.fill(ws.dh, 0, m * p, 0f);
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
}
