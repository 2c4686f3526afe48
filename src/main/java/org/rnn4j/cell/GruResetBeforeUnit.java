package org.rnn4j.cell;

import java.util.Arrays;
import org.rnn4j.kernel.Kernels;

/**
 * The GRU unit with the reset gate before the recurrent matmul (ONNX {@code linear_before_reset =
 * 0}, Keras {@code reset_after=False}, the original Cho et al. cell). Two recurrent GEMMs per step,
 * because the n block needs r first:
 * <pre>
 *   gh_t[r,z] = h_{t−1}·W_h[r,z]ᵀ + b_h[r,z]                  (m, H)·(H, 2H)
 *   r = σ(gx_r + gh_r)   z = σ(gx_z + gh_z)   rh_t = r ⊙ h_{t−1}
 *   gh_t[n] = rh_t·W_hnᵀ + b_hn                               (m, H)·(H, H)
 *   n = tanh(gx_n + gh_n)    h_t = n + z ⊙ (h_{t−1} − n)
 * </pre>
 * Each GEMM is followed by its fused kernel: {@link Kernels#gruResetGateForward} after the first,
 * {@link Kernels#gruResetBeforeCellForward} after the second; backward runs their twins in reverse.
 */
final class GruResetBeforeUnit extends CellUnit {

    GruResetBeforeUnit(RnnWeights weights, Kernels k) {
        super(weights, k);
    }

    @Override
    void forward(RnnWorkspace ws, int u, int l, int d) {
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
            // gh_t[r,z][0:m] = h_{t−1}[0:m]·W_h[r,z]ᵀ + b_h[r,z]
            k.broadcastRows(m, 2 * h, bHh, 0, gh, first * g, g);
            k.multAddPacked(m, 1f, hs, first * h, h, ws.packFwd, gh, first * g, g, ws.parallelism);
            for (int s = 0; s < m; s++) {
                int row = first + s;
                // a_{r,z} = gx + gh, then r, z and rh = r ⊙ h_{t−1}
                k.add(2 * h, gx, row * g, gh, row * g, gx, row * g);
                k.gruResetGateForward(h, gx, row * g, hs, row * h, rh, row * h);
            }
            // gh_t[n][0:m] = rh_t[0:m]·W_hnᵀ + b_hn
            k.broadcastRows(m, h, bHh, 2 * h, gh, first * g + 2 * h, g);
            k.multAddPacked(m, 1f, rh, first * h, h, ws.packFwd2, gh, first * g + 2 * h, g, ws.parallelism);
            for (int s = 0; s < m; s++) {
                int row = first + s;
                k.gruResetBeforeCellForward(h, gx, row * g, gh, row * g, hs, row * h, hs, (row + b) * h);
            }
        }
    }

    /*
     * Here gx and gh reach every gate unscaled, so one buffer dGates = dL/dgx = dL/dgh serves both.
     *   forward: h_t = n + z ⊙ (h_{t−1} − n)  ⇒  da_n = dh ⊙ (1 − z)(1 − n²), da_z = dh ⊙ (h_{t−1} − n) z(1 − z),
     *            direct dh_{t−1} = dh ⊙ z                      (Kernels#gruResetBeforeCellBackward)
     *   forward: gh_n = rh·W_hnᵀ + b_hn, rh = r ⊙ h_{t−1}
     *            ⇒  drh = da_n·W_hn,  da_r = drh ⊙ h_{t−1} ⊙ r(1 − r),  dh_{t−1} += drh ⊙ r
     *                                                           (Kernels#gruResetGateBackward)
     *   forward: gh_{r,z} = h_{t−1}·W_h[r,z]ᵀ + b_h[r,z]  ⇒  dh_{t−1} += [da_r, da_z]·W_h[r,z]
     */
    @Override
    void backward(RnnWorkspace ws, int u, int l, int d, float[] dY, RnnWeights grads, boolean needDx) {
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
                k.gruResetBeforeCellBackward(h, gates, row * g, hs, row * h, ws.dh, s * h, dGates, row * g,
                        ws.dhTmp, s * h);
            }
            // drh[0:m] = da_n[0:m]·W_hn          (m, H)·(H, H), W_hn = rows 2H.. of W_hh
            Arrays.fill(ws.drh, 0, m * h, 0f);
            k.multAddPacked(m, 1f, dGates, first * g + 2 * h, g, ws.packBwd2, ws.drh, 0, h, ws.parallelism);
            for (int s = 0; s < m; s++) {
                int row = first + s;
                k.gruResetGateBackward(h, gates, row * g, hs, row * h, ws.drh, s * h, dGates, row * g,
                        ws.dhTmp, s * h);
            }
            // dh_{t−1}[0:m] += [da_r, da_z]·W_h[r,z]     (m, 2H)·(2H, H)
            k.multAddPacked(m, 1f, dGates, first * g, g, ws.packBwd, ws.dhTmp, 0, h, ws.parallelism);
            System.arraycopy(ws.dhTmp, 0, ws.dh, 0, m * h);
        }
        weightGradients(ws, u, l, d, grads, dGates, dGates, needDx);
    }

    /** r and z; the n block's recurrent input is rh = r ⊙ h_prev, not h_prev. */
    @Override
    int sharedGateRows() {
        return 2 * spec.hiddenSize();
    }

    /** dW_hn += da_nᵀ·rh, (H, T·B)·(T·B, H). */
    @Override
    void recurrentRest(RnnWorkspace ws, int u, int shared, float[] dRec, float[] gWhh) {
        int g = spec.gateRows();
        int h = spec.hiddenSize();
        int p = spec.stateSize();
        int rows = ws.seqLen * ws.batch;
        k.gemm(true, false, h, p, rows, 1f, dRec, shared, g, ws.rh[u], 0, h, 1f, gWhh, shared * p, p, ws.parallelism);
    }
}
