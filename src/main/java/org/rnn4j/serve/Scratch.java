package org.rnn4j.serve;

/**
 * Per-caller working memory of a step over up to {@code capacity} streams. Owned by one
 * {@link StreamState} or {@link StreamBatch}, so that the shared {@link StreamingModel} holds no
 * mutable state and a step allocates nothing.
 */
final class Scratch {
    final int capacity;
    final float[] gates;   // (n, G·H) pre-activations, then activated gates
    final float[] gh;      // GRU: (n, 3H); only its h_n block [2H, 3H) is ever written, the r, z blocks stay 0
    final float[] tanhC;   // LSTM: (n, H) tanh(c_t)
    final float[] hPre;    // projected LSTM: (n, H) o ⊙ tanh(c_t), the input of W_hr
    final float[] rh;      // GRU reset-before: (n, H) r ⊙ h_{t−1}
    final float[] xh;      // (n, in_l + P) [x ; h_{t−1}], the input of the concatenated matrix

    Scratch(StreamingModel m, int capacity) {
        this.capacity = capacity;
        int h = m.spec().hiddenSize();
        int g = m.spec().gateRows();
        gates = new float[capacity * g];
        boolean gru = m.spec().cell() == org.rnn4j.cell.CellType.GRU;
        boolean lstm = m.spec().cell() == org.rnn4j.cell.CellType.LSTM;
        gh = gru ? new float[capacity * g] : null;
        tanhC = lstm ? new float[capacity * h] : null;
        hPre = m.spec().projSize() > 0 ? new float[capacity * h] : null;
        rh = m.spec().resetBefore() ? new float[capacity * h] : null;
        int p = m.spec().stateSize();
        xh = new float[capacity * (Math.max(m.spec().inputSize(), p) + p)];
    }
}
