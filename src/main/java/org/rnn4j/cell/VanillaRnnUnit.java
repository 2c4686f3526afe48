package org.rnn4j.cell;

import java.util.Arrays;
import org.rnn4j.kernel.Kernels;

/**
 * The vanilla (Elman) RNN unit, tanh or ReLU as PyTorch's {@code nonlinearity}:
 * <pre>
 *   a_t = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh      (B, H)
 *   h_t = tanh(a_t)  or  relu(a_t)
 * </pre>
 * The m running rows of a step are contiguous, so one activation call covers them all.
 */
final class VanillaRnnUnit extends CellUnit {
    private final boolean relu;

    VanillaRnnUnit(RnnWeights weights, Kernels k) {
        super(weights, k);
        this.relu = spec.cell() == CellType.RNN_RELU;
    }

    @Override
    void forward(RnnWorkspace ws, int u, int l, int d) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        float[] a = ws.gates[u];    // (T, B, H) pre-activations
        float[] hs = ws.hs[u];      // (T+1, B, H)
        inputProjection(ws, u, l, d, true);
        ws.packFwd = k.packGemmB(true, h, h, weights.weightHh(l, d), 0, h, ws.packFwd);   // W_hhᵀ (H, H)
        for (int t = 0; t < ws.seqLen; t++) {
            int m = ws.active[t];
            zeroRows(hs, (t + 1) * b + m, b - m, h);
            if (m == 0) {
                continue;
            }
            // a_t[0:m] += h_{t−1}[0:m]·W_hhᵀ      (m, H)·(H, H)
            k.multAddPacked(m, 1f, hs, t * b * h, h, ws.packFwd, a, t * b * h, h, ws.parallelism);
            if (relu) {
                k.relu(m * h, a, t * b * h, hs, (t + 1) * b * h);
            } else {
                k.tanh(m * h, a, t * b * h, hs, (t + 1) * b * h);
            }
        }
    }

    /*
     *   forward: h_t = tanh(a_t)   ⇒  da_t = dh_t ⊙ (1 − h_t²)        relu: da_t = dh_t ⊙ [h_t > 0]
     *   forward: a_t = … + h_{t−1}·W_hhᵀ   ⇒  dh_{t−1} = da_t·W_hh
     */
    @Override
    void backward(RnnWorkspace ws, int u, int l, int d, float[] dY, RnnWeights grads, boolean needDx) {
        int b = ws.batch;
        int h = spec.hiddenSize();
        float[] hs = ws.hs[u];
        float[] da = ws.dGates;   // (T, B, H)
        ws.packBwd = k.packGemmB(false, h, h, weights.weightHh(l, d), 0, h, ws.packBwd);   // W_hh (H, H)
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
            Arrays.fill(ws.dh, 0, m * h, 0f);
            k.multAddPacked(m, 1f, da, t * b * h, h, ws.packBwd, ws.dh, 0, h, ws.parallelism);
        }
        weightGradients(ws, u, l, d, grads, da, da, needDx);
    }
}
